package io.tinythreads.coordinator.cli;

import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobProgress;
import io.tinythreads.proto.JobResult;
import io.tinythreads.proto.VideoInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code coordinator status [JOB]}: one job in detail, or all jobs as a table (ListJobs). */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Show one job in detail, or a table of all jobs the coordinator knows.", ""})
final class StatusCommand extends BaseCommand {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

  @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "Job id, or jobs/ID (default: all jobs).")
  String job;

  @Mixin
  RemoteOptions remote;

  @Override
  int run() {
    try (JobsClient client = remote.connect()) {
      if (job != null) {
        printJob(out(), client.get(JobsClient.jobName(job)));
      } else {
        printTable(out(), client.list());
      }
    } catch (StatusRuntimeException e) {
      throw remote.failure(e);
    }
    out().flush();
    return ExitCodes.OK;
  }

  /** key: value lines for one job. */
  static void printJob(PrintWriter out, Job j) {
    JobProgress p = j.getProgress();
    row(out, "job", j.getName());
    row(out, "state", j.getState().toString());
    row(out, "stage", p.getStage());
    row(out, "chunks", p.getChunksDone() + "/" + p.getChunksTotal());
    row(out, "frames", p.getFramesDone() + "/" + p.getFramesTotal());
    row(out, "fps", String.format(Locale.ROOT, "%.1f", p.getFramesPerSecond()));
    row(out, "eta", ProgressFormat.clock(p.getEtaSeconds()));
    row(out, "workers", p.getWorkersRunning() + " running, " + p.getWorkerRetries() + " retries");
    row(out, "input", j.getSpec().getInputUri() + (j.hasVideo() ? " (" + video(j.getVideo()) + ")" : ""));
    row(out, "output", j.getSpec().getOutputUri());
    row(out, "pipeline", j.getSpec().getPipeline() + ", frames per chunk " + j.getSpec().getFramesPerChunk()
        + ", chunks per batch " + j.getSpec().getChunksPerBatch() + ", workers " + j.getSpec().getWorkers());
    if (j.hasCreateTime()) {
      row(out, "created", time(j.getCreateTime()));
    }
    if (j.hasEndTime()) {
      row(out, "ended", time(j.getEndTime()));
    }
    if (j.getState() == Job.State.FAILED || j.getState() == Job.State.CANCELLED) {
      row(out, "error", j.getError().getMessage());
    }
    if (j.hasResult()) {
      JobResult r = j.getResult();
      row(out, "result", Formats.summary(r, j.getSpec().getOutputUri(), 0));
      if (!r.getReportUri().isEmpty()) {
        row(out, "report", r.getReportUri());
      }
    }
  }

  /** One line per job, columns padded to the widest cell. */
  static void printTable(PrintWriter out, List<Job> jobs) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"JOB", "STATE", "STAGE", "CHUNKS", "FRAMES", "CREATED", "OUTPUT"});
    for (Job j : jobs) {
      JobProgress p = j.getProgress();
      rows.add(new String[] {j.getName(), j.getState().toString(), p.getStage().isEmpty() ? "-" : p.getStage(),
          p.getChunksDone() + "/" + p.getChunksTotal(), p.getFramesDone() + "/" + p.getFramesTotal(),
          j.hasCreateTime() ? time(j.getCreateTime()) : "-", j.getSpec().getOutputUri()});
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      out.println(sb);
    }
    if (jobs.isEmpty()) {
      out.println("(no jobs)");
    }
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf(Locale.ROOT, "%-9s %s%n", key + ":", value);
  }

  private static String video(VideoInfo v) {
    return String.format(Locale.ROOT, "%dx%d, %d/%d fps, %s frames", v.getWidth(), v.getHeight(), v.getFpsNum(),
        v.getFpsDen(), v.getFrameCount() < 0 ? "?" : Long.toString(v.getFrameCount()));
  }

  private static String time(Timestamp t) {
    return TIME.format(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()));
  }
}
