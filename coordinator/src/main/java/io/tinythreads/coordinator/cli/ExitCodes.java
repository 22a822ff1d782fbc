package io.tinythreads.coordinator.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Process exit codes of {@code bin/coordinator}. They follow picocli's convention (0 success,
 * 1 software error, 2 usage error) and add codes that tell an input problem, a failed job and a
 * cancelled job apart, so scripts can react without parsing messages. Every command lists them in
 * its {@code --help}.
 */
public final class ExitCodes {
  /** The command did what was asked (for submit and watch: the job SUCCEEDED). */
  public static final int OK = 0;
  /** A bug, or the coordinator could not be reached. */
  public static final int INTERNAL = 1;
  /** Bad flag or value (picocli parse errors included), or OUTPUT exists and -y was not given. */
  public static final int USAGE = 2;
  /**
   * Input or output problem: missing or unreadable input, not a video, zero frames, unsupported
   * pixel format, unwritable output. The coordinator reports these as INVALID_ARGUMENT (or
   * NOT_FOUND / PERMISSION_DENIED / OUT_OF_RANGE), at submit time or as the failed job's status.
   */
  public static final int INPUT_OUTPUT = 3;
  /** The job failed for another reason, e.g. a chunk failed after its retries. */
  public static final int JOB_FAILED = 4;
  /** The job was cancelled ({@code coordinator cancel}, or Ctrl-C during submit). */
  public static final int CANCELLED = 5;

  private ExitCodes() {}

  /** The list printed under "Exit codes:" in every command's help. */
  static Map<String, String> helpList() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Integer.toString(OK), "success");
    m.put(Integer.toString(INTERNAL), "internal error, or the coordinator could not be reached");
    m.put(Integer.toString(USAGE), "usage error: bad flag or value, OUTPUT exists without -y");
    m.put(Integer.toString(INPUT_OUTPUT),
        "input/output problem: missing input, not a video, zero frames, unsupported pixel format,"
            + " unwritable output");
    m.put(Integer.toString(JOB_FAILED), "job failed, e.g. a chunk failed after its retries");
    m.put(Integer.toString(CANCELLED), "job cancelled (coordinator cancel, or Ctrl-C during submit)");
    return m;
  }
}
