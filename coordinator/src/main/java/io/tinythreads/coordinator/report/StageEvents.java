package io.tinythreads.coordinator.report;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandResult;
import java.util.Locale;

/**
 * Timeline events from the worker session's wire types, so that every caller names stages the
 * same way (REPORT_API.md): the command kind in lower case ({@code encode_chunk}, {@code rebase},
 * ...), with the artifact for fetches and uploads ({@code fetch:raw_chunk},
 * {@code upload:output_chunk}).
 */
public final class StageEvents {
  private StageEvents() {}

  /** The stage name of a command. */
  public static String stageName(Command command) {
    return switch (command.getKindCase()) {
      case FETCH -> "fetch:" + artifact(command.getFetch().getArtifact());
      case UPLOAD -> "upload:" + artifact(command.getUpload().getArtifact());
      case KIND_NOT_SET -> "unknown";
      default -> command.getKindCase().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String artifact(Artifact a) {
    String n = a.name();
    return (n.startsWith("ARTIFACT_") ? n.substring("ARTIFACT_".length()) : n).toLowerCase(Locale.ROOT);
  }

  /**
   * The event of one command and its result, timed by the worker's clock
   * ({@code started_unix_micros}, {@code finished_unix_micros}); a result without times (0) is
   * given a zero-length bar at its finish time.
   */
  public static StageEvent of(int chunk, int attempt, String workerId, Command command, CommandResult result) {
    long end = result.getFinishedUnixMicros();
    long start = result.getStartedUnixMicros() > 0 ? Math.min(result.getStartedUnixMicros(), end) : end;
    boolean ok = result.hasOk();
    String message = ok ? "" : result.getFailure().getCode() + ": " + result.getFailure().getMessage();
    return new StageEvent(chunk, attempt, workerId, stageName(command), start, end, ok, message);
  }
}
