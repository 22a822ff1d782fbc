package io.tinythreads.vp8.dsp;

/**
 * VP8 intra predictors (RFC 6386 section 12), bit-exact with libvpx: the 16x16 luma and 8x8
 * chroma predictors of vp8/common/reconintra.c (which dispatch to vpx_dsp/intrapred.c) and the
 * ten 4x4 sub-block predictors of vp8/common/reconintra4x4.c.
 *
 * <p>In-place convention: the block starts at {@code buf[off]} with row stride {@code stride};
 * the row above is at {@code off - stride} (for 4x4 blocks 8 pixels: the 4 above and the 4
 * above-right), the left column at {@code off - 1 + k * stride} and the above-left pixel at
 * {@code off - stride - 1}. The caller puts the frame-edge values there (127 above, 129 left,
 * the above-right down-copy for sub-blocks), exactly as libvpx's decoder does in its frame
 * borders. Pixels are unsigned bytes.
 */
public final class IntraPredict {
  /** Macroblock (16x16 luma and 8x8 chroma) modes, numbered as in RFC 6386. */
  public static final int DC_PRED = 0;

  public static final int V_PRED = 1;
  public static final int H_PRED = 2;
  public static final int TM_PRED = 3;
  /** Luma only: each 4x4 sub-block has its own mode ({@link #predict4x4}). */
  public static final int B_PRED = 4;

  /** Sub-block modes, numbered as in RFC 6386. */
  public static final int B_DC_PRED = 0;

  public static final int B_TM_PRED = 1;
  public static final int B_VE_PRED = 2;
  public static final int B_HE_PRED = 3;
  public static final int B_LD_PRED = 4;
  public static final int B_RD_PRED = 5;
  public static final int B_VR_PRED = 6;
  public static final int B_VL_PRED = 7;
  public static final int B_HD_PRED = 8;
  public static final int B_HU_PRED = 9;

  private IntraPredict() {}

  /**
   * Predicts a 16x16 luma block (libvpx vp8_build_intra_predictors_mby_s).
   *
   * @param mode {@link #DC_PRED}, {@link #V_PRED}, {@link #H_PRED} or {@link #TM_PRED}
   * @param haveAbove whether the macroblock row above exists (only DC_PRED looks at it)
   * @param haveLeft whether the macroblock to the left exists (only DC_PRED looks at it)
   */
  public static void predictLuma16(
      int mode, byte[] buf, int off, int stride, boolean haveAbove, boolean haveLeft) {
    predictBlock(mode, buf, off, stride, 16, 4, haveAbove, haveLeft);
  }

  /**
   * Predicts an 8x8 chroma block (libvpx vp8_build_intra_predictors_mbuv_s, one plane per call).
   *
   * @param mode {@link #DC_PRED}, {@link #V_PRED}, {@link #H_PRED} or {@link #TM_PRED}
   */
  public static void predictChroma8(
      int mode, byte[] buf, int off, int stride, boolean haveAbove, boolean haveLeft) {
    predictBlock(mode, buf, off, stride, 8, 3, haveAbove, haveLeft);
  }

  private static void predictBlock(
      int mode,
      byte[] buf,
      int off,
      int stride,
      int size,
      int log2Size,
      boolean haveAbove,
      boolean haveLeft) {
    switch (mode) {
      case DC_PRED -> dc(buf, off, stride, size, log2Size, haveAbove, haveLeft);
      case V_PRED -> {
        Rows.copy(buf, off - stride, 0, buf, off, stride, size, size);
      }
      case H_PRED -> {
        for (int r = 0, p = off; r < size; r++, p += stride) {
          Rows.fill(buf, p, size, buf[p - 1]);
        }
      }
      case TM_PRED -> tm(buf, off, stride, size);
      default -> throw new IllegalArgumentException("mode: not a 16x16/8x8 intra mode: " + mode);
    }
  }

  /**
   * DC prediction: the rounded mean of the available edges; with one edge missing libvpx uses
   * vpx_dc_top/left_predictor, with both missing vpx_dc_128_predictor.
   */
  private static void dc(
      byte[] buf,
      int off,
      int stride,
      int size,
      int log2Size,
      boolean haveAbove,
      boolean haveLeft) {
    int sum = 0;
    int shift = log2Size - 1;
    if (haveAbove) {
      int above = off - stride;
      for (int c = 0; c < size; c++) {
        sum += buf[above + c] & 0xFF;
      }
      shift++;
    }
    if (haveLeft) {
      for (int r = 0, p = off - 1; r < size; r++, p += stride) {
        sum += buf[p] & 0xFF;
      }
      shift++;
    }
    int dc = (haveAbove || haveLeft) ? (sum + (1 << (shift - 1))) >> shift : 128;
    byte v = (byte) dc;
    for (int r = 0, p = off; r < size; r++, p += stride) {
      Rows.fill(buf, p, size, v);
    }
  }

  /** TrueMotion: clamp(left[r] + above[c] - aboveLeft) (vpx_tm_predictor). */
  private static void tm(byte[] buf, int off, int stride, int size) {
    int above = off - stride;
    int aboveLeft = buf[above - 1] & 0xFF;
    for (int r = 0, p = off; r < size; r++, p += stride) {
      int delta = (buf[p - 1] & 0xFF) - aboveLeft;
      for (int c = 0; c < size; c++) {
        buf[p + c] = clamp255(delta + (buf[above + c] & 0xFF));
      }
    }
  }

  private static byte clamp255(int v) {
    return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
  }

  private static byte avg2(int a, int b) {
    return (byte) ((a + b + 1) >> 1);
  }

  private static byte avg3(int a, int b, int c) {
    return (byte) ((a + 2 * b + c + 2) >> 2);
  }

  /**
   * Predicts one 4x4 luma sub-block (libvpx vp8_intra4x4_predict). Names follow RFC 6386
   * section 12.3: {@code A..H} the 8 pixels above (E..H above-right), {@code I..L} the left
   * column, {@code X} the above-left pixel; {@code d(c, r)} is column c of row r.
   *
   * @param bmode one of {@link #B_DC_PRED} .. {@link #B_HU_PRED}
   */
  public static void predict4x4(int bmode, byte[] buf, int off, int stride) {
    int top = off - stride;
    int r1 = off + stride;
    int r2 = r1 + stride;
    int r3 = r2 + stride;
    switch (bmode) {
      case B_DC_PRED -> {
        int sum = 4;
        for (int k = 0; k < 4; k++) {
          sum += (buf[top + k] & 0xFF) + (buf[off - 1 + k * stride] & 0xFF);
        }
        fill4(buf, off, stride, (byte) (sum >> 3));
      }
      case B_TM_PRED -> tm(buf, off, stride, 4);
      case B_VE_PRED -> {
        // Vertical, smoothed with the above-left and the first above-right pixel.
        int x = buf[top - 1] & 0xFF;
        int a = buf[top] & 0xFF;
        int b = buf[top + 1] & 0xFF;
        int c = buf[top + 2] & 0xFF;
        int d = buf[top + 3] & 0xFF;
        int e = buf[top + 4] & 0xFF;
        byte v0 = avg3(x, a, b);
        byte v1 = avg3(a, b, c);
        byte v2 = avg3(b, c, d);
        byte v3 = avg3(c, d, e);
        for (int r = 0, p = off; r < 4; r++, p += stride) {
          buf[p] = v0;
          buf[p + 1] = v1;
          buf[p + 2] = v2;
          buf[p + 3] = v3;
        }
      }
      case B_HE_PRED -> {
        // Horizontal, smoothed with the above-left pixel and the last left pixel repeated.
        int x = buf[top - 1] & 0xFF;
        int i = buf[off - 1] & 0xFF;
        int j = buf[r1 - 1] & 0xFF;
        int k = buf[r2 - 1] & 0xFF;
        int l = buf[r3 - 1] & 0xFF;
        fillRow4(buf, off, avg3(x, i, j));
        fillRow4(buf, r1, avg3(i, j, k));
        fillRow4(buf, r2, avg3(j, k, l));
        fillRow4(buf, r3, avg3(k, l, l));
      }
      case B_LD_PRED -> {
        // Down-left (vpx_d45e_predictor_4x4): uses the 8 above pixels only.
        int a = buf[top] & 0xFF;
        int b = buf[top + 1] & 0xFF;
        int c = buf[top + 2] & 0xFF;
        int d = buf[top + 3] & 0xFF;
        int e = buf[top + 4] & 0xFF;
        int f = buf[top + 5] & 0xFF;
        int g = buf[top + 6] & 0xFF;
        int h = buf[top + 7] & 0xFF;
        byte abc = avg3(a, b, c);
        byte bcd = avg3(b, c, d);
        byte cde = avg3(c, d, e);
        byte def = avg3(d, e, f);
        byte efg = avg3(e, f, g);
        byte fgh = avg3(f, g, h);
        byte ghh = avg3(g, h, h);
        set4(buf, off, abc, bcd, cde, def);
        set4(buf, r1, bcd, cde, def, efg);
        set4(buf, r2, cde, def, efg, fgh);
        set4(buf, r3, def, efg, fgh, ghh);
      }
      case B_RD_PRED -> {
        // Down-right (vpx_d135_predictor_4x4).
        int i = buf[off - 1] & 0xFF;
        int j = buf[r1 - 1] & 0xFF;
        int k = buf[r2 - 1] & 0xFF;
        int l = buf[r3 - 1] & 0xFF;
        int x = buf[top - 1] & 0xFF;
        int a = buf[top] & 0xFF;
        int b = buf[top + 1] & 0xFF;
        int c = buf[top + 2] & 0xFF;
        int d = buf[top + 3] & 0xFF;
        byte jkl = avg3(j, k, l);
        byte ijk = avg3(i, j, k);
        byte xij = avg3(x, i, j);
        byte axi = avg3(a, x, i);
        byte bax = avg3(b, a, x);
        byte cba = avg3(c, b, a);
        byte dcb = avg3(d, c, b);
        set4(buf, off, axi, bax, cba, dcb);
        set4(buf, r1, xij, axi, bax, cba);
        set4(buf, r2, ijk, xij, axi, bax);
        set4(buf, r3, jkl, ijk, xij, axi);
      }
      case B_VR_PRED -> {
        // Vertical-right (vpx_d117_predictor_4x4).
        int i = buf[off - 1] & 0xFF;
        int j = buf[r1 - 1] & 0xFF;
        int k = buf[r2 - 1] & 0xFF;
        int x = buf[top - 1] & 0xFF;
        int a = buf[top] & 0xFF;
        int b = buf[top + 1] & 0xFF;
        int c = buf[top + 2] & 0xFF;
        int d = buf[top + 3] & 0xFF;
        byte xa = avg2(x, a);
        byte ab = avg2(a, b);
        byte bc = avg2(b, c);
        byte cd = avg2(c, d);
        byte kji = avg3(k, j, i);
        byte jix = avg3(j, i, x);
        byte ixa = avg3(i, x, a);
        byte xab = avg3(x, a, b);
        byte abc = avg3(a, b, c);
        byte bcd = avg3(b, c, d);
        set4(buf, off, xa, ab, bc, cd);
        set4(buf, r1, ixa, xab, abc, bcd);
        set4(buf, r2, jix, xa, ab, bc);
        set4(buf, r3, kji, ixa, xab, abc);
      }
      case B_VL_PRED -> {
        // Vertical-left (vpx_d63e_predictor_4x4): the VP8 variant that smooths the last
        // two positions with the above-right pixels.
        int a = buf[top] & 0xFF;
        int b = buf[top + 1] & 0xFF;
        int c = buf[top + 2] & 0xFF;
        int d = buf[top + 3] & 0xFF;
        int e = buf[top + 4] & 0xFF;
        int f = buf[top + 5] & 0xFF;
        int g = buf[top + 6] & 0xFF;
        int h = buf[top + 7] & 0xFF;
        byte ab = avg2(a, b);
        byte bc = avg2(b, c);
        byte cd = avg2(c, d);
        byte de = avg2(d, e);
        byte abc = avg3(a, b, c);
        byte bcd = avg3(b, c, d);
        byte cde = avg3(c, d, e);
        byte def = avg3(d, e, f);
        set4(buf, off, ab, bc, cd, de);
        set4(buf, r1, abc, bcd, cde, def);
        set4(buf, r2, bc, cd, de, avg3(e, f, g));
        set4(buf, r3, bcd, cde, def, avg3(f, g, h));
      }
      case B_HD_PRED -> {
        // Horizontal-down (vpx_d153_predictor_4x4).
        int i = buf[off - 1] & 0xFF;
        int j = buf[r1 - 1] & 0xFF;
        int k = buf[r2 - 1] & 0xFF;
        int l = buf[r3 - 1] & 0xFF;
        int x = buf[top - 1] & 0xFF;
        int a = buf[top] & 0xFF;
        int b = buf[top + 1] & 0xFF;
        int c = buf[top + 2] & 0xFF;
        byte ix = avg2(i, x);
        byte ji = avg2(j, i);
        byte kj = avg2(k, j);
        byte lk = avg2(l, k);
        byte abc = avg3(a, b, c);
        byte xab = avg3(x, a, b);
        byte ixa = avg3(i, x, a);
        byte jix = avg3(j, i, x);
        byte kji = avg3(k, j, i);
        byte lkj = avg3(l, k, j);
        set4(buf, off, ix, ixa, xab, abc);
        set4(buf, r1, ji, jix, ix, ixa);
        set4(buf, r2, kj, kji, ji, jix);
        set4(buf, r3, lk, lkj, kj, kji);
      }
      case B_HU_PRED -> {
        // Horizontal-up (vpx_d207_predictor_4x4): uses the left column only.
        int i = buf[off - 1] & 0xFF;
        int j = buf[r1 - 1] & 0xFF;
        int k = buf[r2 - 1] & 0xFF;
        int l = buf[r3 - 1] & 0xFF;
        byte ij = avg2(i, j);
        byte jk = avg2(j, k);
        byte kl = avg2(k, l);
        byte ijk = avg3(i, j, k);
        byte jkl = avg3(j, k, l);
        byte kll = avg3(k, l, l);
        byte ll = (byte) l;
        set4(buf, off, ij, ijk, jk, jkl);
        set4(buf, r1, jk, jkl, kl, kll);
        set4(buf, r2, kl, kll, ll, ll);
        set4(buf, r3, ll, ll, ll, ll);
      }
      default -> throw new IllegalArgumentException("bmode: not a sub-block mode: " + bmode);
    }
  }

  private static void set4(byte[] buf, int p, byte v0, byte v1, byte v2, byte v3) {
    buf[p] = v0;
    buf[p + 1] = v1;
    buf[p + 2] = v2;
    buf[p + 3] = v3;
  }

  private static void fillRow4(byte[] buf, int p, byte v) {
    Rows.fill(buf, p, 4, v);
  }

  private static void fill4(byte[] buf, int off, int stride, byte v) {
    for (int r = 0, p = off; r < 4; r++, p += stride) {
      fillRow4(buf, p, v);
    }
  }
}
