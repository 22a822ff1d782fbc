package io.tinythreads.media;

import io.tinythreads.proto.Deadline;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;

/**
 * {@link EncodeSettings} with every default filled in, in vpxenc's vocabulary.
 *
 * <p>Zero/unspecified fields take ExCamera's vpxenc settings (excamera-notes 2.6): {@code --good
 * --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=32 --undershoot-pct=100 --passes=2
 * --auto-alt-ref=1 --threads=1 --token-parts=0 --tune=ssim}, target bitrate unlimited in cq mode,
 * and libvpx's own VP8 default {@code --lag-in-frames=0} (ExCamera passes no lag flag, so its
 * vpxenc ran with lag 0 and therefore never produced hidden alt-ref frames).
 *
 * <p>{@code cq_level}, {@code min_q}, {@code max_q}, {@code auto_alt_ref} and {@code tune_ssim} are
 * proto3 {@code optional}: unset takes the default, while an explicit 0/false is honoured.
 */
public record LibvpxSettings(
    EndUsage endUsage,
    int cqLevel,
    int minQ,
    int maxQ,
    int passes,
    int cpuUsed,
    Deadline deadline,
    long targetKbps,
    boolean autoAltRef,
    int lagInFrames,
    int tokenPartsLog2,
    boolean tuneSsim,
    int threads) {

  /** ExCamera's default --cq-level for this project (the notes leave Q free; 32 is libvpx's own CQ default). */
  public static final int DEFAULT_CQ_LEVEL = 32;
  /** vpxenc's target bitrate when ExCamera wants no rate limit: 2^32-1 kbps. */
  public static final long UNLIMITED_KBPS = 4294967295L;
  /** libvpx's default --target-bitrate for VP8 (kbps), used by vbr/cbr when none is given. */
  public static final long LIBVPX_DEFAULT_KBPS = 256;
  /** libvpx's lookahead buffer limit (MAX_LAG_BUFFERS). */
  public static final int MAX_LAG = 25;

  public LibvpxSettings {
    check(cqLevel >= 0 && cqLevel <= 63, "cq_level", cqLevel, "0..63");
    check(minQ >= 0 && minQ <= 63, "min_q", minQ, "0..63");
    check(maxQ >= 0 && maxQ <= 63, "max_q", maxQ, "0..63");
    if (minQ > maxQ) {
      throw new IllegalArgumentException("min_q " + minQ + " is above max_q " + maxQ);
    }
    check(passes == 1 || passes == 2, "passes", passes, "1 or 2");
    check(cpuUsed >= -16 && cpuUsed <= 16, "cpu_used", cpuUsed, "-16..16");
    check(targetKbps >= 0 && targetKbps <= UNLIMITED_KBPS, "target_bitrate_kbps", targetKbps, "0.." + UNLIMITED_KBPS);
    check(lagInFrames >= 0 && lagInFrames <= MAX_LAG, "lag_in_frames", lagInFrames, "0.." + MAX_LAG);
    check(tokenPartsLog2 >= 0 && tokenPartsLog2 <= 3, "token_parts_log2", tokenPartsLog2, "0..3");
    check(threads >= 1 && threads <= 64, "threads", threads, "1..64");
    if (endUsage == EndUsage.END_USAGE_CQ && (cqLevel < minQ || cqLevel > maxQ)) {
      throw new IllegalArgumentException("cq_level " + cqLevel + " must lie between min_q " + minQ + " and max_q " + maxQ);
    }
    if (endUsage == EndUsage.END_USAGE_UNSPECIFIED || endUsage == EndUsage.UNRECOGNIZED
        || deadline == Deadline.DEADLINE_UNSPECIFIED || deadline == Deadline.UNRECOGNIZED) {
      throw new IllegalArgumentException("endUsage and deadline must be resolved, got " + endUsage + ", " + deadline);
    }
  }

  private static void check(boolean ok, String field, long value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(field + " " + value + " out of range (" + range + ")");
    }
  }

  /** ExCamera's vpxenc settings with {@code --cq-level=32}. */
  public static LibvpxSettings excameraDefaults() {
    return resolve(EncodeSettings.getDefaultInstance());
  }

  /**
   * Fills defaults and validates.
   *
   * @throws IllegalArgumentException naming the field that is out of range
   */
  public static LibvpxSettings resolve(EncodeSettings s) {
    EndUsage eu = s.getEndUsage();
    if (eu == EndUsage.UNRECOGNIZED) {
      throw new IllegalArgumentException("end_usage " + s.getEndUsageValue() + " is not a known value");
    }
    if (eu == EndUsage.END_USAGE_UNSPECIFIED) {
      eu = EndUsage.END_USAGE_CQ;
    }
    Deadline dl = s.getDeadline();
    if (dl == Deadline.UNRECOGNIZED) {
      throw new IllegalArgumentException("deadline " + s.getDeadlineValue() + " is not a known value");
    }
    if (dl == Deadline.DEADLINE_UNSPECIFIED) {
      dl = Deadline.DEADLINE_GOOD;
    }
    int cq = s.hasCqLevel() ? s.getCqLevel() : DEFAULT_CQ_LEVEL;
    int maxQ = s.hasMaxQ() ? s.getMaxQ() : 63;
    int passes = s.getPasses() == 0 ? 2 : s.getPasses();
    int threads = s.getThreads() == 0 ? 1 : s.getThreads();
    return new LibvpxSettings(eu, cq, s.getMinQ(), maxQ, passes, s.getCpuUsed(), dl, s.getTargetBitrateKbps(),
        s.hasAutoAltRef() ? s.getAutoAltRef() : true,
        s.getLagInFrames(), s.getTokenPartsLog2(), s.hasTuneSsim() ? s.getTuneSsim() : true, threads);
  }

  /**
   * The target bitrate handed to libvpx (kbps). cq and q: the given target, else unlimited (like
   * ExCamera's {@code --target-bitrate=4294967295}); vbr/cbr: the given target, else libvpx's 256.
   */
  public long effectiveTargetKbps() {
    if (targetKbps > 0) {
      return targetKbps;
    }
    return switch (endUsage) {
      case END_USAGE_CQ, END_USAGE_Q -> UNLIMITED_KBPS;
      default -> LIBVPX_DEFAULT_KBPS;
    };
  }

  /** The equivalent vpxenc command-line flags (for logs and reports). */
  public String vpxencFlags() {
    StringBuilder b = new StringBuilder("--codec=vp8");
    b.append(switch (deadline) {
      case DEADLINE_BEST -> " --best";
      case DEADLINE_REALTIME -> " --rt";
      default -> " --good";
    });
    b.append(" --cpu-used=").append(cpuUsed);
    b.append(" --end-usage=").append(switch (endUsage) {
      case END_USAGE_VBR -> "vbr";
      case END_USAGE_CBR -> "cbr";
      case END_USAGE_Q -> "q";
      default -> "cq";
    });
    b.append(" --min-q=").append(minQ).append(" --max-q=").append(maxQ);
    if (endUsage == EndUsage.END_USAGE_CQ || endUsage == EndUsage.END_USAGE_Q) {
      b.append(" --cq-level=").append(cqLevel);
    }
    b.append(" --target-bitrate=").append(effectiveTargetKbps());
    b.append(" --undershoot-pct=100 --passes=").append(passes);
    b.append(" --auto-alt-ref=").append(autoAltRef ? 1 : 0);
    b.append(" --lag-in-frames=").append(lagInFrames);
    b.append(" --threads=").append(threads);
    b.append(" --token-parts=").append(tokenPartsLog2);
    b.append(" --tune=").append(tuneSsim ? "ssim" : "psnr");
    return b.toString();
  }
}
