package io.tinythreads.coordinator.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made xc job report with known stage times (no video involved), for the time model and
 * the model command: 640x360 at 24 fps, ExCamera[6,4], 8 chunks in 2 batches, every worker
 * identical, so every median is the stage time given here.
 */
public final class SyntheticReports {
  public static final double LAUNCH = 0.5;
  public static final double ASSIGN = 0.01;
  public static final double FETCH_RAW = 0.2;
  public static final double ENCODE = 3.0;
  public static final double UPLOAD_ENCODED = 0.03;
  public static final double DUMP = 0.5;
  public static final double UPLOAD_END = 0.05;
  public static final double FETCH_END = 0.05;
  public static final double EGS = 1.0;
  public static final double UPLOAD_REENCODED = 0.02;
  public static final double HEAD_REBASE = 0.1;
  public static final double SERIAL = 0.8;
  public static final double UPLOAD_FINAL = 0.05;
  public static final double UPLOAD_OUTPUT = 0.1;

  private SyntheticReports() {}

  /** The report; chunk 5's first attempt fails in encode_chunk and is retried, 2 s later. */
  public static JobReport xc6x4() {
    long t0 = 1_763_000_000_000_000L;
    List<StageEvent> tl = new ArrayList<>();
    List<JobReport.ChunkReport> chunks = new ArrayList<>();
    List<JobReport.FrameReport> frames = new ArrayList<>();
    for (int b = 0; b < 2; b++) {
      double prevDone = 0;
      for (int p = 0; p < 4; p++) {
        int k = 4 * b + p;
        int attempt = 0;
        double t = 0;
        String w = "j-c" + k + "-a0";
        if (k == 5) {
          t = add(tl, t0, k, 0, w, "launch", t, LAUNCH);
          t = add(tl, t0, k, 0, w, "assign", t, ASSIGN);
          t = add(tl, t0, k, 0, w, "fetch:raw_chunk", t, FETCH_RAW);
          tl.add(new StageEvent(k, 0, w, "encode_chunk", micros(t0, t), micros(t0, t + 1.5), false, "worker lost"));
          attempt = 1;
          w = "j-c" + k + "-a1";
          t = 0; // the replacement's stages are shifted below by 'shift'
        }
        double shift = k == 5 ? 2.0 : 0.0;
        t = shift;
        t = add(tl, t0, k, attempt, w, "launch", t, LAUNCH);
        t = add(tl, t0, k, attempt, w, "assign", t, ASSIGN);
        t = add(tl, t0, k, attempt, w, "fetch:raw_chunk", t, FETCH_RAW);
        t = add(tl, t0, k, attempt, w, "encode_chunk", t, ENCODE);
        t = add(tl, t0, k, attempt, w, "upload:encoded_chunk", t, UPLOAD_ENCODED);
        t = add(tl, t0, k, attempt, w, "dump_state", t, DUMP);
        t = add(tl, t0, k, attempt, w, "upload:end_state", t, UPLOAD_END);
        double done;
        if (p == 0) {
          done = add(tl, t0, k, attempt, w, "rebase", t, HEAD_REBASE);
        } else {
          t = add(tl, t0, k, attempt, w, "fetch:end_state", t, FETCH_END);
          t = add(tl, t0, k, attempt, w, "encode_given_state", t, EGS);
          t = add(tl, t0, k, attempt, w, "upload:reencoded_chunk", t, UPLOAD_REENCODED);
          // The rebase starts at once and waits for the predecessor's final state.
          double end = Math.max(t, prevDone) + SERIAL;
          done = add(tl, t0, k, attempt, w, "rebase", t, end - t);
        }
        prevDone = done;
        t = add(tl, t0, k, attempt, w, "upload:final_state", done, UPLOAD_FINAL);
        add(tl, t0, k, attempt, w, "upload:output_chunk", t, UPLOAD_OUTPUT);
        chunks.add(new JobReport.ChunkReport(k, b, k * 6L, 6, 6000, p == 0 ? 1 : 0, 192, 40, 39, 0.98, 17));
        for (int f = 0; f < 6; f++) {
          frames.add(new JobReport.FrameReport(k * 6L + f, k, p == 0 && f == 0, 1000, 40, 39, 0.985, 0.98));
        }
      }
    }
    JobReport.Summary s = new JobReport.Summary(48, 0, 2, 48_500, 48_000, 2.0, 194, 192, 40, 39, 38.9, 0.985, 0.98,
        18.2, 17.0, 40, 17);
    return new JobReport(JobReport.VERSION, "j", new JobReport.Setup("xc", 6, 4, 8, "thread", "--codec=vp8", "ivf"),
        new JobReport.Video(640, 360, 24, 1, 48, "synthetic"), "/tmp/synthetic.ivf", 12.0, t0, s, chunks, frames, tl);
  }

  /** What the model must give for the report at its own size (x = 4, N = 6, same pixels). */
  public static double expectedWallAtOwnSize() {
    double headReady = LAUNCH + ASSIGN + FETCH_RAW + ENCODE + UPLOAD_ENCODED + DUMP + UPLOAD_END;
    double memberReady = headReady + FETCH_END + EGS + UPLOAD_REENCODED;
    return Math.max(headReady + HEAD_REBASE, memberReady) + 3 * SERIAL + UPLOAD_FINAL + UPLOAD_OUTPUT;
  }

  private static double add(List<StageEvent> tl, long t0, int chunk, int attempt, String w, String stage, double start,
      double seconds) {
    tl.add(new StageEvent(chunk, attempt, w, stage, micros(t0, start), micros(t0, start + seconds), true, ""));
    return start + seconds;
  }

  private static long micros(long t0, double seconds) {
    return t0 + Math.round(seconds * 1e6);
  }
}
