/**
 * A pure-Java VP8 decoder (RFC 6386), bit-exact with libvpx, with its state as explicit values.
 *
 * <p>Public surface:
 *
 * <ul>
 *   <li>{@link io.tinythreads.vp8.Decoder}: {@code decode(byte[])} one compressed frame at a time;
 *       or the pure chain {@link io.tinythreads.vp8.Decoder#parse(byte[], DecoderState)} ->
 *       {@link io.tinythreads.vp8.ParsedFrame} -> {@link io.tinythreads.vp8.Decoder#reconstruct}.
 *   <li>{@link io.tinythreads.vp8.DecoderState}: probabilities, segmentation, loop filter deltas
 *       and size carried between frames; {@link io.tinythreads.vp8.References}: last, golden and
 *       altref frames; both immutable, compared by content, with a 64-bit content hash.
 *   <li>{@link io.tinythreads.vp8.Raster}: an immutable decoded frame (flat planes with stride and
 *       border), I420 output and its MD5; {@link io.tinythreads.vp8.MutableRaster} to build one.
 *   <li>{@link io.tinythreads.vp8.ParsedFrame}: every syntax element of a frame (header, modes,
 *       motion vectors, coefficients) for re-encoding.
 *   <li>{@link io.tinythreads.vp8.FrameBuilder} and {@link io.tinythreads.vp8.FrameWriter}: the
 *       writer half; a frame's syntax elements, filled by an encoder or copied from a
 *       {@code ParsedFrame}, written as libvpx writes them (parse + write gives back the bytes).
 *   <li>{@link io.tinythreads.vp8.DecoderSnapshot} (state and references as one value with a
 *       64-bit hash) and {@link io.tinythreads.vp8.StateCodec}, its versioned, checked binary form.
 * </ul>
 *
 * <p>Subpackages: {@code header} (frame header records and constant tables), {@code bool} (the
 * boolean entropy coder), {@code dsp} (transforms, predictors, loop filter), {@code io} (IVF and
 * y4m), {@code cli} ({@code bin/vp8}).
 *
 * <p>Errors: {@link io.tinythreads.vp8.InvalidBitstreamException} for corrupt or truncated input,
 * {@link io.tinythreads.vp8.UnsupportedFeatureException} for valid input this code refuses (frames
 * above the size limit). Nothing here is static and mutable; a decoder is not thread-safe.
 */
package io.tinythreads.vp8;
