package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.Tables;

/**
 * libvpx's regular VP8 quantizer (vp8/encoder/vp8_quantize.c: vp8cx_init_quantizer with
 * {@code improved_quant}, vp8_regular_quantize_b_c) for one set of quantizer indices, so that a
 * frame quantized here codes the same values libvpx would code from the same transform
 * coefficients (before libvpx's optional trellis pass).
 *
 * <p>For each block type (Y1 = luma, Y2 = second order, UV = chroma) and each of the 16 raster
 * positions it holds the dead-zone threshold {@code zbin}, the rounding offset {@code round}, the
 * fixed-point reciprocal {@code quant}/{@code quantShift} and the zero-run boost of the dead zone
 * (the zone widens the longer the run of zeros before a coefficient, in zigzag order). The
 * dequantization factors are RFC 6386 section 14.1's ({@link Tables#dcQ}, {@link Tables#acQ},
 * with the Y2 and UV adjustments of section 14.1 / libvpx vp8cx_init_de_quantizer).
 *
 * <p>Immutable after construction; {@link #quantize} allocates nothing.
 */
final class Quantizer {
  static final int Y1 = 0;
  static final int Y2 = 1;
  static final int UV = 2;

  /** libvpx qzbin_factors (and qzbin_factors_y2, identical): 84/128 of a step below index 48, 80 from 48. */
  private static int zbinFactor(int q) {
    return q < 48 ? 84 : 80;
  }

  /** libvpx qrounding_factors: 48/128 of a step for every index and block type. */
  private static final int ROUND_FACTOR = 48;

  /** libvpx zbin_boost: extra dead zone (in 1/128 step) by length of the preceding zero run. */
  private static final int[] ZBIN_BOOST = {0, 0, 8, 10, 12, 14, 16, 20, 24, 28, 32, 36, 40, 44, 44, 44};

  private static final int[] ZIGZAG = Tables.zigzagTable();

  private final int qIndex;
  // Per type, 16 raster positions each (zrunBoost: by zero-run length). Visible for testing.
  final short[] zbin = new short[3 * 16];
  final short[] round = new short[3 * 16];
  final short[] quant = new short[3 * 16];
  final short[] quantShift = new short[3 * 16];
  final short[] zrunBoost = new short[3 * 16];
  final short[] dequant = new short[3 * 16];

  /**
   * The quantizer for base index {@code qIndex} (0..127, already adjusted for the segment) and
   * the deltas of {@code q}.
   */
  Quantizer(int qIndex, QuantIndices q) {
    if (qIndex < 0 || qIndex > 127) {
      throw new IllegalArgumentException("qIndex must be 0..127: " + qIndex);
    }
    this.qIndex = qIndex;
    // The decoder's factors (Reconstructor.setupDequant, libvpx vp8cx_init_de_quantizer).
    int y1dc = Tables.dcQ(clampQ(qIndex + q.yDc()));
    int y1ac = Tables.acQ(qIndex);
    int y2dc = Tables.dcQ(clampQ(qIndex + q.y2Dc())) * 2;
    int y2ac = Math.max(8, Tables.acQ(clampQ(qIndex + q.y2Ac())) * 155 / 100);
    int uvdc = Math.min(132, Tables.dcQ(clampQ(qIndex + q.uvDc())));
    int uvac = Tables.acQ(clampQ(qIndex + q.uvAc()));
    init(Y1, y1dc, y1ac);
    init(Y2, y2dc, y2ac);
    init(UV, uvdc, uvac);
  }

  private static int clampQ(int q) {
    return q < 0 ? 0 : Math.min(q, 127);
  }

  private void init(int type, int dcStep, int acStep) {
    int o = type * 16;
    for (int i = 0; i < 16; i++) {
      int step = i == 0 ? dcStep : acStep;
      dequant[o + i] = (short) step;
      zbin[o + i] = (short) ((zbinFactor(qIndex) * step + 64) >> 7);
      round[o + i] = (short) ((ROUND_FACTOR * step) >> 7);
      // invert_quant with improved_quant: quant = 2^(16+l)/d + 1 - 2^16 and a shift of
      // 2^(16-l), where l = floor(log2(d)); applied as ((x * quant >> 16) + x) * shift >> 16.
      int l = 31 - Integer.numberOfLeadingZeros(step);
      int m = 1 + (1 << (16 + l)) / step;
      quant[o + i] = (short) (m - (1 << 16));
      quantShift[o + i] = (short) (1 << (16 - l));
    }
    // The zero-run boost is indexed by the run length, not the position; libvpx scales entry 0
    // by the DC step and the others by the AC step.
    for (int k = 0; k < 16; k++) {
      zrunBoost[o + k] = (short) (((k == 0 ? dcStep : acStep) * ZBIN_BOOST[k]) >> 7);
    }
  }

  int qIndex() {
    return qIndex;
  }

  /** The dequantization factor of raster position {@code i} (0 = DC) of block type {@code type}. */
  int dequant(int type, int i) {
    return dequant[type * 16 + i];
  }

  int dcStep(int type) {
    return dequant[type * 16];
  }

  int acStep(int type) {
    return dequant[type * 16 + 1];
  }

  /**
   * Quantizes the 16 transform coefficients at {@code coeff[cOff..]} (raster order) into
   * {@code out[oOff..]} as vp8_regular_quantize_b_c does, and returns libvpx's eob: one past the
   * zigzag position of the last nonzero value (0 if none).
   *
   * @param zbinExtra libvpx's {@code zbin_extra}: a dead-zone widening shared by all positions
   *     (0 for the plain quantizer; libvpx adds mode-dependent boosts)
   */
  int quantize(short[] coeff, int cOff, short[] out, int oOff, int type, int zbinExtra) {
    int o = type * 16;
    int eob = -1;
    int run = 0;
    for (int i = 0; i < 16; i++) {
      int rc = ZIGZAG[i];
      int z = coeff[cOff + rc];
      int zb = zbin[o + rc] + zrunBoost[o + run] + zbinExtra;
      run++;
      int sz = z >> 31;
      int x = (z ^ sz) - sz;
      int v = 0;
      if (x >= zb) {
        x += round[o + rc];
        int y = ((((x * quant[o + rc]) >> 16) + x) * quantShift[o + rc]) >> 16;
        v = (y ^ sz) - sz;
        if (y != 0) {
          eob = i;
          run = 0;
        }
      }
      out[oOff + rc] = (short) v;
    }
    return eob + 1;
  }
}
