package io.tinythreads.vp8.dsp;

/**
 * VP8 4x4 transforms, bit-exact ports of libvpx's C reference code: the inverse DCT and inverse
 * Walsh-Hadamard transform from vp8/common/idctllm.c (RFC 6386 section 14.3 and 14.4) and the
 * forward DCT and forward WHT from vp8/encoder/dct.c.
 *
 * <p>libvpx keeps the intermediate results of each two-pass transform in a {@code short[16]};
 * the {@code (short)} casts below reproduce that truncation, so the output matches libvpx for
 * every 16-bit input, not only for the values a valid stream produces. All methods are static,
 * allocate nothing, and keep their intermediates in locals (in the less hot transforms packed
 * four 16-bit lanes to a {@code long} where one pass hands four values to the next).
 */
public final class Transform {
  /** sqrt(2) * cos(pi/8) - 1 in Q16 (libvpx cospi8sqrt2minus1). */
  private static final int COS_MINUS_1 = 20091;
  /** sqrt(2) * sin(pi/8) in Q16 (libvpx sinpi8sqrt2). */
  private static final int SIN = 35468;

  private Transform() {}

  /**
   * Inverse DCT of one 4x4 block of dequantized coefficients, added to the predictor that is
   * already in {@code dst} and clamped to 0..255 (libvpx vp8_short_idct4x4llm_c with the
   * predictor and the destination being the same buffer).
   *
   * @param coeffs 16 coefficients in raster order at {@code coeffs[cOff..cOff+15]}; not modified
   * @param dst the 4x4 predictor, overwritten with the reconstruction
   */
  public static void idctAdd(short[] coeffs, int cOff, byte[] dst, int dstOff, int stride) {
    // First pass: vertical 1-D IDCT of each column into 16 locals (tRC = row R, column C), kept
    // to 16 bits like libvpx's short output[16]. Unrolled: measured ~15% faster than a loop
    // that packs each column into a long.
    int t00;
    int t10;
    int t20;
    int t30;
    {
      int i0 = coeffs[cOff];
      int i4 = coeffs[cOff + 4];
      int i8 = coeffs[cOff + 8];
      int i12 = coeffs[cOff + 12];
      int a1 = i0 + i8;
      int b1 = i0 - i8;
      int c1 = ((i4 * SIN) >> 16) - (i12 + ((i12 * COS_MINUS_1) >> 16));
      int d1 = (i4 + ((i4 * COS_MINUS_1) >> 16)) + ((i12 * SIN) >> 16);
      t00 = (short) (a1 + d1);
      t10 = (short) (b1 + c1);
      t20 = (short) (b1 - c1);
      t30 = (short) (a1 - d1);
    }
    int t01;
    int t11;
    int t21;
    int t31;
    {
      int i0 = coeffs[cOff + 1];
      int i4 = coeffs[cOff + 5];
      int i8 = coeffs[cOff + 9];
      int i12 = coeffs[cOff + 13];
      int a1 = i0 + i8;
      int b1 = i0 - i8;
      int c1 = ((i4 * SIN) >> 16) - (i12 + ((i12 * COS_MINUS_1) >> 16));
      int d1 = (i4 + ((i4 * COS_MINUS_1) >> 16)) + ((i12 * SIN) >> 16);
      t01 = (short) (a1 + d1);
      t11 = (short) (b1 + c1);
      t21 = (short) (b1 - c1);
      t31 = (short) (a1 - d1);
    }
    int t02;
    int t12;
    int t22;
    int t32;
    {
      int i0 = coeffs[cOff + 2];
      int i4 = coeffs[cOff + 6];
      int i8 = coeffs[cOff + 10];
      int i12 = coeffs[cOff + 14];
      int a1 = i0 + i8;
      int b1 = i0 - i8;
      int c1 = ((i4 * SIN) >> 16) - (i12 + ((i12 * COS_MINUS_1) >> 16));
      int d1 = (i4 + ((i4 * COS_MINUS_1) >> 16)) + ((i12 * SIN) >> 16);
      t02 = (short) (a1 + d1);
      t12 = (short) (b1 + c1);
      t22 = (short) (b1 - c1);
      t32 = (short) (a1 - d1);
    }
    int t03;
    int t13;
    int t23;
    int t33;
    {
      int i0 = coeffs[cOff + 3];
      int i4 = coeffs[cOff + 7];
      int i8 = coeffs[cOff + 11];
      int i12 = coeffs[cOff + 15];
      int a1 = i0 + i8;
      int b1 = i0 - i8;
      int c1 = ((i4 * SIN) >> 16) - (i12 + ((i12 * COS_MINUS_1) >> 16));
      int d1 = (i4 + ((i4 * COS_MINUS_1) >> 16)) + ((i12 * SIN) >> 16);
      t03 = (short) (a1 + d1);
      t13 = (short) (b1 + c1);
      t23 = (short) (b1 - c1);
      t33 = (short) (a1 - d1);
    }
    // Second pass: horizontal 1-D IDCT of each row, rounding (+4) >> 3, then add and clamp.
    idctRowAdd(t00, t01, t02, t03, dst, dstOff);
    idctRowAdd(t10, t11, t12, t13, dst, dstOff + stride);
    idctRowAdd(t20, t21, t22, t23, dst, dstOff + 2 * stride);
    idctRowAdd(t30, t31, t32, t33, dst, dstOff + 3 * stride);
  }

  private static void idctRowAdd(int i0, int i1, int i2, int i3, byte[] dst, int p) {
    int a1 = i0 + i2;
    int b1 = i0 - i2;
    int c1 = ((i1 * SIN) >> 16) - (i3 + ((i3 * COS_MINUS_1) >> 16));
    int d1 = (i1 + ((i1 * COS_MINUS_1) >> 16)) + ((i3 * SIN) >> 16);
    dst[p] = clampAdd(dst[p], (short) ((a1 + d1 + 4) >> 3));
    dst[p + 1] = clampAdd(dst[p + 1], (short) ((b1 + c1 + 4) >> 3));
    dst[p + 2] = clampAdd(dst[p + 2], (short) ((b1 - c1 + 4) >> 3));
    dst[p + 3] = clampAdd(dst[p + 3], (short) ((a1 - d1 + 4) >> 3));
  }

  private static byte clampAdd(byte pred, int residual) {
    int v = (pred & 0xFF) + residual;
    return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
  }

  /**
   * Adds the inverse DCT of a block whose only non-zero coefficient is the (dequantized) DC to
   * the predictor in {@code dst} (libvpx vp8_dc_only_idct_add_c). The result equals {@link
   * #idctAdd} on that block.
   *
   * @param dc the dequantized DC coefficient; like libvpx's {@code short input_dc} it is
   *     truncated to 16 bits
   */
  public static void dcOnlyIdctAdd(int dc, byte[] dst, int dstOff, int stride) {
    int a1 = ((short) dc + 4) >> 3;
    int p = dstOff;
    for (int r = 0; r < 4; r++) {
      dst[p] = clampAdd(dst[p], a1);
      dst[p + 1] = clampAdd(dst[p + 1], a1);
      dst[p + 2] = clampAdd(dst[p + 2], a1);
      dst[p + 3] = clampAdd(dst[p + 3], a1);
      p += stride;
    }
  }

  /**
   * Inverse Walsh-Hadamard transform of the second-order (Y2) block (libvpx
   * vp8_short_inv_walsh4x4_c, RFC 6386 section 14.3). Output {@code i} (raster order) is the DC
   * coefficient of luma block {@code i} and is written to {@code coeffs[coeffsOff + 16 * i]}.
   *
   * @param in 16 dequantized Y2 coefficients in raster order at {@code in[inOff..inOff+15]}
   */
  public static void inverseWalsh(short[] in, int inOff, short[] coeffs, int coeffsOff) {
    long col0 = walshColumn(in[inOff], in[inOff + 4], in[inOff + 8], in[inOff + 12]);
    long col1 = walshColumn(in[inOff + 1], in[inOff + 5], in[inOff + 9], in[inOff + 13]);
    long col2 = walshColumn(in[inOff + 2], in[inOff + 6], in[inOff + 10], in[inOff + 14]);
    long col3 = walshColumn(in[inOff + 3], in[inOff + 7], in[inOff + 11], in[inOff + 15]);
    int o = coeffsOff;
    for (int shift = 0; shift < 64; shift += 16) {
      int i0 = (short) (col0 >>> shift);
      int i1 = (short) (col1 >>> shift);
      int i2 = (short) (col2 >>> shift);
      int i3 = (short) (col3 >>> shift);
      int a1 = i0 + i3;
      int b1 = i1 + i2;
      int c1 = i1 - i2;
      int d1 = i0 - i3;
      coeffs[o] = (short) ((a1 + b1 + 3) >> 3);
      coeffs[o + 16] = (short) ((c1 + d1 + 3) >> 3);
      coeffs[o + 32] = (short) ((a1 - b1 + 3) >> 3);
      coeffs[o + 48] = (short) ((d1 - c1 + 3) >> 3);
      o += 64;
    }
  }

  private static long walshColumn(int i0, int i4, int i8, int i12) {
    int a1 = i0 + i12;
    int b1 = i4 + i8;
    int c1 = i4 - i8;
    int d1 = i0 - i12;
    return ((a1 + b1) & 0xFFFFL)
        | (((c1 + d1) & 0xFFFFL) << 16)
        | (((a1 - b1) & 0xFFFFL) << 32)
        | ((long) (d1 - c1) << 48);
  }

  /**
   * Inverse WHT of a Y2 block whose only non-zero coefficient is the DC (libvpx
   * vp8_short_inv_walsh4x4_1_c): writes {@code (dc + 3) >> 3} to all 16 {@code coeffs[coeffsOff +
   * 16 * i]}.
   *
   * @param dc the dequantized Y2 DC; truncated to 16 bits like libvpx's {@code short} input
   */
  public static void inverseWalshDcOnly(int dc, short[] coeffs, int coeffsOff) {
    short a1 = (short) (((short) dc + 3) >> 3);
    for (int i = 0; i < 16; i++) {
      coeffs[coeffsOff + 16 * i] = a1;
    }
  }

  /**
   * Forward 4x4 DCT (libvpx vp8_short_fdct4x4_c). Input is a residual block, row {@code r} column
   * {@code c} at {@code in[inOff + r * inStride + c]} (libvpx's {@code pitch} is in bytes: {@code
   * inStride = pitch / 2}); output is 16 coefficients in raster order at {@code out[outOff..]}.
   * Valid for residuals in -4095..4095 (libvpx's int arithmetic overflows far beyond the -255..255
   * residuals of 8-bit video, so larger inputs are outside the reference's own domain).
   */
  public static void forwardDct(short[] in, int inOff, int inStride, short[] out, int outOff) {
    // First pass: horizontal, one row at a time; row results stay in 16-bit lanes like libvpx.
    long row0 = fdctRow(in, inOff);
    long row1 = fdctRow(in, inOff + inStride);
    long row2 = fdctRow(in, inOff + 2 * inStride);
    long row3 = fdctRow(in, inOff + 3 * inStride);
    // Second pass: vertical, one column at a time.
    for (int c = 0, shift = 0; c < 4; c++, shift += 16) {
      int i0 = (short) (row0 >>> shift);
      int i4 = (short) (row1 >>> shift);
      int i8 = (short) (row2 >>> shift);
      int i12 = (short) (row3 >>> shift);
      int a1 = i0 + i12;
      int b1 = i4 + i8;
      int c1 = i4 - i8;
      int d1 = i0 - i12;
      out[outOff + c] = (short) ((a1 + b1 + 7) >> 4);
      out[outOff + 8 + c] = (short) ((a1 - b1 + 7) >> 4);
      out[outOff + 4 + c] =
          (short) (((c1 * 2217 + d1 * 5352 + 12000) >> 16) + (d1 != 0 ? 1 : 0));
      out[outOff + 12 + c] = (short) ((d1 * 2217 - c1 * 5352 + 51000) >> 16);
    }
  }

  private static long fdctRow(short[] in, int p) {
    int a1 = (in[p] + in[p + 3]) * 8;
    int b1 = (in[p + 1] + in[p + 2]) * 8;
    int c1 = (in[p + 1] - in[p + 2]) * 8;
    int d1 = (in[p] - in[p + 3]) * 8;
    return ((a1 + b1) & 0xFFFFL)
        | ((((c1 * 2217 + d1 * 5352 + 14500) >> 12) & 0xFFFFL) << 16)
        | (((a1 - b1) & 0xFFFFL) << 32)
        | ((long) ((d1 * 2217 - c1 * 5352 + 7500) >> 12) << 48);
  }

  /**
   * Forward Walsh-Hadamard transform of the 16 luma DC coefficients (libvpx
   * vp8_short_walsh4x4_c). Input element {@code (r, c)} is at {@code in[inOff + r * inStride +
   * c]}; output is the Y2 block in raster order at {@code out[outOff..outOff+15]}. Valid for
   * inputs in -8191..8191 (the forward DCT's DC range is about +-2040).
   */
  public static void forwardWalsh(short[] in, int inOff, int inStride, short[] out, int outOff) {
    long row0 = walshRow(in, inOff);
    long row1 = walshRow(in, inOff + inStride);
    long row2 = walshRow(in, inOff + 2 * inStride);
    long row3 = walshRow(in, inOff + 3 * inStride);
    for (int c = 0, shift = 0; c < 4; c++, shift += 16) {
      int i0 = (short) (row0 >>> shift);
      int i4 = (short) (row1 >>> shift);
      int i8 = (short) (row2 >>> shift);
      int i12 = (short) (row3 >>> shift);
      int a1 = i0 + i8;
      int d1 = i4 + i12;
      int c1 = i4 - i12;
      int b1 = i0 - i8;
      int a2 = a1 + d1;
      int b2 = b1 + c1;
      int c2 = b1 - c1;
      int d2 = a1 - d1;
      // libvpx: x += x < 0, i.e. round the negative values towards zero before the shift.
      a2 += a2 >>> 31;
      b2 += b2 >>> 31;
      c2 += c2 >>> 31;
      d2 += d2 >>> 31;
      out[outOff + c] = (short) ((a2 + 3) >> 3);
      out[outOff + 4 + c] = (short) ((b2 + 3) >> 3);
      out[outOff + 8 + c] = (short) ((c2 + 3) >> 3);
      out[outOff + 12 + c] = (short) ((d2 + 3) >> 3);
    }
  }

  private static long walshRow(short[] in, int p) {
    int a1 = (in[p] + in[p + 2]) * 4;
    int d1 = (in[p + 1] + in[p + 3]) * 4;
    int c1 = (in[p + 1] - in[p + 3]) * 4;
    int b1 = (in[p] - in[p + 2]) * 4;
    return ((a1 + d1 + (a1 != 0 ? 1 : 0)) & 0xFFFFL)
        | (((b1 + c1) & 0xFFFFL) << 16)
        | (((b1 - c1) & 0xFFFFL) << 32)
        | ((long) (a1 - d1) << 48);
  }
}
