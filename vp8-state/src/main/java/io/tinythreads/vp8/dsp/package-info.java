/**
 * VP8 signal-processing kernels, bit-exact ports of libvpx's C reference code (RFC 6386 sections
 * 12, 14, 15 and 18; where the RFC's prose and libvpx differ, libvpx wins):
 *
 * <ul>
 *   <li>{@link io.tinythreads.vp8.dsp.Transform}: inverse DCT/WHT (decoder) and forward DCT/WHT
 *       (encoder);
 *   <li>{@link io.tinythreads.vp8.dsp.IntraPredict}: 16x16, 8x8 and 4x4 intra predictors, in
 *       place, the caller providing the edge pixels;
 *   <li>{@link io.tinythreads.vp8.dsp.InterPredict}: six-tap and bilinear sub-pixel prediction
 *       (one instance per thread: it owns its scratch buffer);
 *   <li>{@link io.tinythreads.vp8.dsp.LoopFilter}: the normal and simple in-loop deblocking filters
 *       over a frame or a range of macroblock rows;
 *   <li>{@link io.tinythreads.vp8.dsp.Metrics}: SAD, SSE, variance, PSNR and SSIM as libvpx
 *       computes them.
 * </ul>
 *
 * <p>Conventions: pixel planes are {@code byte[]} with an offset and a stride, pixels unsigned
 * ({@code & 0xFF} on read); coefficients are {@code short[]} in raster order. Nothing here
 * allocates per call. The tests check every kernel against libvpx itself (Debian's libvpx.a,
 * through src/test/c/libvpx_ref.c) over thousands of random inputs, and check that libvpx's x86
 * SIMD code, which vpxdec runs, gives the same output as its C code on the inputs a stream can
 * produce.
 */
package io.tinythreads.vp8.dsp;
