/**
 * ExCamera's re-encoder (NSDI'17; alfalfa's {@code xc-enc -r}): encode-given-state and rebase.
 *
 * <p>Public API: {@link io.tinythreads.vp8.encode.ChunkReencoder} with
 * {@link io.tinythreads.vp8.encode.ReencodeOptions}, results as
 * {@link io.tinythreads.vp8.encode.ChunkReencoder.Result}, a wrong prediction state refused with
 * {@link io.tinythreads.vp8.encode.StateMismatchException}; the command {@code vp8 reencode}
 * ({@link io.tinythreads.vp8.encode.ReencodeCli}).
 *
 * <p>How a frame is made (all package-private):
 *
 * <ul>
 *   <li>{@code FrameEncoder} plans the header, has the macroblocks coded, chooses the frame's
 *       probabilities from its own counts ({@code ProbabilityChoice}), writes it with the module's
 *       {@code FrameWriter} and decodes the bytes with the module's decoder: the state after a
 *       frame is what any decoder computes, never an encoder-side model of it.
 *   <li>{@code FrameCoder} predicts (intra from the frame under construction with the decoder's
 *       edge rules, inter from the references with the decoder's clamping), transforms, quantizes
 *       ({@code Quantizer}: libvpx's regular quantizer; {@code Trellis}: rate-distortion rounding
 *       as libvpx's optimize_b), reconstructs exactly as the decoder will, and measures rate
 *       ({@code Tokens}, {@code MvCosts}, {@code MvCensus}, in 1/256 bit) and distortion (SSE).
 *       Rate-distortion multipliers follow libvpx (0.028 q^2 per bit) with its --tune=ssim
 *       activity masking.
 *   <li>{@code ModeDecision} (encode-given-state): intra 16x16, B_PRED and chroma modes, and
 *       ZEROMV / NEARESTMV / NEARMV / NEWMV against LAST with {@code MotionSearch} (multi-start
 *       square pattern, then half and quarter pixel), compared by actually coding them.
 *   <li>{@code Rebaser}: the original's modes, references and vectors on the new references,
 *       each vector coded the cheapest way its new neighbourhood allows; {@code Refinement}
 *       codes a macroblock as skipped when its residual is not worth its bits.
 * </ul>
 *
 * <p>The benchmark ({@code bin/vp8-reencode-bench}) lives in {@code encode.bench}.
 */
package io.tinythreads.vp8.encode;
