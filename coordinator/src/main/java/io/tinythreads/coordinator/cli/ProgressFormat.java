package io.tinythreads.coordinator.cli;

import io.tinythreads.proto.JobProgress;
import java.util.Locale;

/**
 * Pure renderings of a {@link JobProgress}: the ffmpeg {@code -progress}-style key=value block
 * for scripts, and the one-line bar for terminals. No clock, no I/O, so both are tested with fixed
 * inputs.
 */
final class ProgressFormat {
  private static final int MIN_BAR = 10;
  private static final int MAX_BAR = 30;

  private ProgressFormat() {}

  /**
   * One block of ffmpeg-style {@code key=value} lines, each ending in '\n', closed by
   * {@code progress=continue}, or {@code progress=end} for the last block. Unknown totals and ETA
   * print as -1.
   */
  static String keyValueBlock(JobProgress p, boolean end) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("stage=").append(stage(p)).append('\n');
    sb.append("chunks_done=").append(p.getChunksDone()).append('\n');
    sb.append("chunks_total=").append(p.getChunksTotal() > 0 ? p.getChunksTotal() : -1).append('\n');
    sb.append("frames_done=").append(p.getFramesDone()).append('\n');
    sb.append("frames_total=").append(p.getFramesTotal() > 0 ? p.getFramesTotal() : -1).append('\n');
    sb.append("fps=").append(String.format(Locale.ROOT, "%.2f", Math.max(0, p.getFramesPerSecond()))).append('\n');
    sb.append("eta_s=").append(p.getEtaSeconds() < 0 ? "-1" : String.format(Locale.ROOT, "%.1f", p.getEtaSeconds()))
        .append('\n');
    sb.append("progress=").append(end ? "end" : "continue").append('\n');
    return sb.toString();
  }

  /**
   * The terminal line, at most {@code columns - 1} characters (so the cursor never wraps), e.g.
   * {@code encode [=======>      ]  45%  chunks 3/10  frames 36/80  35.2 fps  ETA 0:02}. The bar's
   * width depends only on the terminal width and the job's totals, so it does not jitter while
   * the counts and rates change.
   */
  static String barLine(JobProgress p, int columns) {
    double fraction = fraction(p);
    String pct = String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
    String head = String.format(Locale.ROOT, "%-6s ", stage(p));
    // Room for the widest tail this job can have: every count at its total, a 4-digit rate, an
    // ETA in hours and a retry counter.
    String widest = tail(p.getChunksTotal(), p.getChunksTotal(), p.getFramesTotal(), p.getFramesTotal(), 9999.9,
        "00:00:00", 99);
    int room = columns - 1 - head.length() - 2 - 1 - pct.length() - widest.length();
    int barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, room));
    String line = head + "[" + bar(fraction, barWidth) + "] " + pct + tail(p.getChunksDone(), p.getChunksTotal(),
        p.getFramesDone(), p.getFramesTotal(), p.getFramesPerSecond(), clock(p.getEtaSeconds()), p.getWorkerRetries());
    return line.length() > columns - 1 ? line.substring(0, Math.max(0, columns - 1)) : line;
  }

  private static String tail(long chunksDone, long chunksTotal, long framesDone, long framesTotal, double fps,
      String eta, int retries) {
    StringBuilder t = new StringBuilder(80);
    t.append("  chunks ").append(chunksDone).append('/').append(total(chunksTotal));
    t.append("  frames ").append(framesDone).append('/').append(total(framesTotal));
    t.append(String.format(Locale.ROOT, "  %.1f fps", Math.max(0, fps)));
    t.append("  ETA ").append(eta);
    if (retries > 0) {
      t.append("  retries ").append(retries);
    }
    return t.toString();
  }

  /** Done fraction in [0, 1]: by frames when the total is known, else by chunks. */
  static double fraction(JobProgress p) {
    double f;
    if (p.getFramesTotal() > 0) {
      f = (double) p.getFramesDone() / p.getFramesTotal();
    } else if (p.getChunksTotal() > 0) {
      f = (double) p.getChunksDone() / p.getChunksTotal();
    } else {
      f = 0;
    }
    return Math.max(0, Math.min(1, f));
  }

  static String bar(double fraction, int width) {
    int filled = (int) Math.floor(fraction * width);
    StringBuilder sb = new StringBuilder(width);
    for (int i = 0; i < width; i++) {
      if (i < filled) {
        sb.append('=');
      } else if (i == filled && filled < width && fraction > 0) {
        sb.append('>');
      } else {
        sb.append(' ');
      }
    }
    return sb.toString();
  }

  /** Seconds as m:ss or h:mm:ss; "--:--" when unknown (negative). */
  static String clock(double seconds) {
    if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return "--:--";
    }
    long s = Math.round(seconds);
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
  }

  private static String total(long t) {
    return t > 0 ? Long.toString(t) : "?";
  }

  private static String stage(JobProgress p) {
    return p.getStage().isEmpty() ? "queued" : p.getStage();
  }
}
