package io.tinythreads.vp8.encode;

/**
 * Settings of {@link ChunkReencoder}.
 *
 * @param kfQWeight ExCamera's {@code --kf-q-weight}: the quantizer index of a re-encoded key frame
 *     is {@code round(w * q_key + (1 - w) * q_next)}, with {@code q_next} the next frame's (0..1,
 *     default 0.75 as in ExCamera). Measured with this encoder (bin/vp8-reencode-bench, SSIM
 *     BD-rate against one vpxenc encode): 0.5 is about 5 points better than 0.75 at
 *     ExCamera[6,16] and 1.5 better at [24,16]; 1.0 is far worse (+48 %)
 * @param refineRebase apply the rate-distortion refinements of {@link Refinement} when rebasing
 *     (default on; off gives ExCamera's plain rebase)
 * @param searchFilterLevel search the loop filter level of re-encoded frames (else keep the key
 *     frame's)
 * @param zbinModeBoost widen the quantizer dead zone of inter macroblocks as libvpx does
 * @param bpredCandidates per B_PRED sub-block, how many of the 10 modes (ranked by prediction
 *     error) are fully coded and compared (1..10)
 * @param trellis re-round quantized coefficients for rate-distortion (as libvpx's optimize_b,
 *     which vpxenc uses at ExCamera's settings); off leaves libvpx's plain quantizer output
 * @param tuneSsim libvpx's --tune=ssim activity masking (ExCamera's setting): rate-distortion
 *     multiplier and dead zone scaled per macroblock by its activity
 */
public record ReencodeOptions(double kfQWeight, boolean refineRebase, boolean searchFilterLevel,
    boolean zbinModeBoost, int bpredCandidates, boolean trellis, boolean tuneSsim) {
  public ReencodeOptions {
    if (!(kfQWeight >= 0 && kfQWeight <= 1)) {
      throw new IllegalArgumentException("kfQWeight must be within 0..1: " + kfQWeight);
    }
    if (bpredCandidates < 1 || bpredCandidates > 10) {
      throw new IllegalArgumentException("bpredCandidates must be 1..10: " + bpredCandidates);
    }
  }

  /** The defaults: ExCamera's weight 0.75 and every refinement on. */
  public static ReencodeOptions defaults() {
    return new ReencodeOptions(0.75, true, true, true, 3, true, true);
  }

  public ReencodeOptions withKfQWeight(double w) {
    return new ReencodeOptions(w, refineRebase, searchFilterLevel, zbinModeBoost, bpredCandidates, trellis, tuneSsim);
  }

  public ReencodeOptions withRefineRebase(boolean on) {
    return new ReencodeOptions(kfQWeight, on, searchFilterLevel, zbinModeBoost, bpredCandidates, trellis, tuneSsim);
  }

  public ReencodeOptions withTrellis(boolean on) {
    return new ReencodeOptions(kfQWeight, refineRebase, searchFilterLevel, zbinModeBoost, bpredCandidates, on, tuneSsim);
  }
}
