package io.tinythreads.vp8.dsp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Distortion metrics for the encoder and for reports, matching libvpx: block SAD (vpx_dsp/sad.c),
 * SSE and variance (vpx_dsp/variance.c), PSNR (vpx_dsp/psnr.c) and SSIM (vpx_dsp/ssim.c).
 *
 * <p>Planes are addressed as {@code (byte[] data, int offset, int stride)} plus a width and
 * height; pixels are unsigned bytes. The block methods allocate nothing.
 *
 * <p><b>SSIM</b> is libvpx's {@code vpx_calc_ssim} exactly: for each plane, 8x8 windows whose
 * top-left corners lie on a 4-pixel grid ({@code x, y = 0, 4, 8, ...} while the window fits in
 * the plane), unweighted; each window's SSIM from its sums with {@code C1 = 26634} and {@code C2
 * = 239708} (that is {@code (0.01 * 255)^2} and {@code (0.03 * 255)^2} scaled by {@code 64^2}),
 * in double arithmetic in libvpx's operation order; the plane's SSIM is the mean over windows (a
 * plane smaller than 8x8 has no window and gives NaN, as libvpx's 0/0 does); the frame's SSIM is
 * {@code 0.8 * Y + 0.1 * (U + V)}. This is not the x264/FFmpeg variant (which sums 4x4 blocks
 * into overlapping 8x8 windows with different constants), so values differ slightly from {@code
 * ffmpeg -lavfi ssim}.
 *
 * <p><b>PSNR</b> is {@code 10 * log10(samples * 255^2 / sse)}, capped at 100 dB (also for {@code
 * sse == 0}), per plane and for the frame from the summed SSE and sample count (libvpx
 * vpx_calc_psnr; vpxenc's {@code --psnr} "Overall" averages the per-frame values).
 */
public final class Metrics {
  /** libvpx MAX_PSNR. */
  public static final double MAX_PSNR = 100.0;

  /** libvpx cc1 = 64^2 * (0.01 * 255)^2 and cc2 = 64^2 * (0.03 * 255)^2, truncated. */
  private static final long SSIM_C1 = 26634;

  private static final long SSIM_C2 = 239708;

  private Metrics() {}

  /** A view of one pixel plane (no copy). */
  public record Plane(byte[] data, int offset, int stride, int width, int height) {
    public Plane {
      if (width < 0 || height < 0 || stride < width) {
        throw new IllegalArgumentException(
            "plane: width " + width + ", height " + height + ", stride " + stride);
      }
      if (height > 0
          && (offset < 0 || (long) offset + (long) (height - 1) * stride + width > data.length)) {
        throw new IllegalArgumentException(
            "plane: " + width + "x" + height + " at offset " + offset + " stride " + stride
                + " exceeds " + data.length + " bytes");
      }
    }
  }

  /** Y, U and V views of one packed I420 frame ({@code w x h} luma, then (w+1)/2 x (h+1)/2 chroma). */
  public record I420(Plane y, Plane u, Plane v) {
    public static I420 packed(byte[] frame, int w, int h) {
      int cw = (w + 1) / 2;
      int ch = (h + 1) / 2;
      return new I420(new Plane(frame, 0, w, w, h), new Plane(frame, w * h, cw, cw, ch),
          new Plane(frame, w * h + cw * ch, cw, cw, ch));
    }
  }

  /** Per-plane and combined PSNR in dB, with the SSE behind them. */
  public record Psnr(double y, double u, double v, double all, long sseY, long sseU, long sseV) {}

  /** Per-plane SSIM and libvpx's combination {@code 0.8 * y + 0.1 * (u + v)}. */
  public record Ssim(double y, double u, double v, double all) {}

  /** Sum of squared differences of a {@code w x h} block. */
  public static long sse(
      byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride, int w, int h) {
    long total = 0;
    for (int r = 0; r < h; r++) {
      int pa = aOff + r * aStride;
      int pb = bOff + r * bStride;
      int row = 0;
      for (int c = 0; c < w; c++) {
        int d = (a[pa + c] & 0xFF) - (b[pb + c] & 0xFF);
        row += d * d;
      }
      total += row;
    }
    return total;
  }

  /** Sum of absolute differences of a {@code w x h} block (vpx_sadWxH_c). */
  public static int sad(
      byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride, int w, int h) {
    if ((w == 16 || w == 8) && h <= 16) {
      long lanes = 0;
      for (int r = 0; r < h; r++, aOff += aStride, bOff += bStride) {
        lanes += sadRowLanes(a, aOff, b, bOff, w);
      }
      return sumLanes(lanes);
    }
    int total = 0;
    for (int r = 0; r < h; r++) {
      int pa = aOff + r * aStride;
      int pb = bOff + r * bStride;
      for (int c = 0; c < w; c++) {
        total += Math.abs((a[pa + c] & 0xFF) - (b[pb + c] & 0xFF));
      }
    }
    return total;
  }

  /**
   * SAD with early exit for motion search: the exact SAD if it is at most {@code limit};
   * otherwise some value greater than {@code limit} (the partial sum after the first row that
   * exceeded it), like the {@code max_sad} argument of libvpx's older vp8 SAD functions.
   */
  public static int sad(
      byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride, int w, int h, int limit) {
    if ((w == 16 || w == 8) && h <= 16) {
      long lanes = 0;
      for (int r = 0; r < h; r++, aOff += aStride, bOff += bStride) {
        lanes += sadRowLanes(a, aOff, b, bOff, w);
        int total = sumLanes(lanes);
        if (total > limit) {
          return total;
        }
      }
      return sumLanes(lanes);
    }
    int total = 0;
    for (int r = 0; r < h; r++) {
      int pa = aOff + r * aStride;
      int pb = bOff + r * bStride;
      for (int c = 0; c < w; c++) {
        total += Math.abs((a[pa + c] & 0xFF) - (b[pb + c] & 0xFF));
      }
      if (total > limit) {
        return total;
      }
    }
    return total;
  }

  // SAD eight pixels at a time in a long ("SIMD within a register"): the bytes of each 8-byte
  // load are split into even and odd 16-bit lanes, 256 + a - b is formed per lane without
  // borrows between lanes, and its absolute value is selected per lane. A 16x16 block sums to at
  // most 256 * 255 = 65280, so four 16-bit lane accumulators never overflow. About twice as
  // fast as the per-pixel loop; the tests check it against libvpx's vpx_sad*_c.
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW_BYTES = 0x00FF00FF00FF00FFL;
  private static final long LANE_256 = 0x0100010001000100L;
  private static final long LANE_512 = 0x0200020002000200L;
  private static final long LANE_1 = 0x0001000100010001L;

  /** Per-lane |a - b| for one row of 8 or 16 pixels, in four 16-bit lanes. */
  private static long sadRowLanes(byte[] a, int aOff, byte[] b, int bOff, int w) {
    long x = (long) LONG.get(a, aOff);
    long y = (long) LONG.get(b, bOff);
    long lanes = absLanes(((x & LOW_BYTES) | LANE_256) - (y & LOW_BYTES))
        + absLanes((((x >>> 8) & LOW_BYTES) | LANE_256) - ((y >>> 8) & LOW_BYTES));
    if (w == 16) {
      x = (long) LONG.get(a, aOff + 8);
      y = (long) LONG.get(b, bOff + 8);
      lanes += absLanes(((x & LOW_BYTES) | LANE_256) - (y & LOW_BYTES))
          + absLanes((((x >>> 8) & LOW_BYTES) | LANE_256) - ((y >>> 8) & LOW_BYTES));
    }
    return lanes;
  }

  /** Lanes hold 256 + d (1..511); returns |d| per lane. */
  private static long absLanes(long v) {
    long nonNegative = ((v >>> 8) & LANE_1) * 0xFF; // 0xFF in lanes where v >= 256
    return ((v & nonNegative) | ((LANE_512 - v) & ~nonNegative)) & LOW_BYTES;
  }

  private static int sumLanes(long lanes) {
    return (int) ((lanes * LANE_1) >>> 48);
  }

  /** SAD of a 16x16 block (vpx_sad16x16_c). */
  public static int sad16x16(byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride) {
    return sad(a, aOff, aStride, b, bOff, bStride, 16, 16);
  }

  /** SAD of an 8x8 block (vpx_sad8x8_c). */
  public static int sad8x8(byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride) {
    return sad(a, aOff, aStride, b, bOff, bStride, 8, 8);
  }

  /** SAD of a 4x4 block (vpx_sad4x4_c). */
  public static int sad4x4(byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride) {
    return sad(a, aOff, aStride, b, bOff, bStride, 4, 4);
  }

  /**
   * Variance of the difference of two {@code w x h} blocks: {@code sse - sum^2 / (w * h)} with
   * integer division (vpx_varianceWxH_c). {@code w * h} must be at most 4096.
   */
  public static int variance(
      byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride, int w, int h) {
    int sum = 0;
    int sse = 0;
    for (int r = 0; r < h; r++) {
      int pa = aOff + r * aStride;
      int pb = bOff + r * bStride;
      for (int c = 0; c < w; c++) {
        int d = (a[pa + c] & 0xFF) - (b[pb + c] & 0xFF);
        sum += d;
        sse += d * d;
      }
    }
    return sse - (int) (((long) sum * sum) / (w * h));
  }

  /** Variance of a 16x16 difference (vpx_variance16x16_c's return value). */
  public static int variance16x16(
      byte[] a, int aOff, int aStride, byte[] b, int bOff, int bStride) {
    return variance(a, aOff, aStride, b, bOff, bStride, 16, 16);
  }

  /** PSNR in dB of {@code samples} 8-bit samples with total squared error {@code sse} (vpx_sse_to_psnr). */
  public static double sseToPsnr(double samples, double sse) {
    if (sse > 0.0) {
      double psnr = 10.0 * Math.log10(samples * 255.0 * 255.0 / sse);
      return psnr > MAX_PSNR ? MAX_PSNR : psnr;
    }
    return MAX_PSNR;
  }

  /** PSNR of one plane against another of the same size. */
  public static double psnr(Plane a, Plane b) {
    requireSameSize(a, b);
    return sseToPsnr((double) a.width() * a.height(), planeSse(a, b));
  }

  /** Frame PSNR of an I420 frame (libvpx vpx_calc_psnr). */
  public static Psnr psnr(Plane ay, Plane au, Plane av, Plane by, Plane bu, Plane bv) {
    requireSameSize(ay, by);
    requireSameSize(au, bu);
    requireSameSize(av, bv);
    long sy = planeSse(ay, by);
    long su = planeSse(au, bu);
    long sv = planeSse(av, bv);
    double ny = (double) ay.width() * ay.height();
    double nu = (double) au.width() * au.height();
    double nv = (double) av.width() * av.height();
    return new Psnr(
        sseToPsnr(ny, sy),
        sseToPsnr(nu, su),
        sseToPsnr(nv, sv),
        sseToPsnr(ny + nu + nv, (double) (sy + su + sv)),
        sy,
        su,
        sv);
  }

  private static long planeSse(Plane a, Plane b) {
    return sse(
        a.data(), a.offset(), a.stride(), b.data(), b.offset(), b.stride(), a.width(), a.height());
  }

  private static void requireSameSize(Plane a, Plane b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new IllegalArgumentException(
          "planes differ in size: "
              + a.width()
              + "x"
              + a.height()
              + " vs "
              + b.width()
              + "x"
              + b.height());
    }
  }

  /**
   * SSIM of one plane against another (libvpx vpx_ssim2): the mean over 8x8 windows on a
   * 4-pixel grid. {@code a} is libvpx's "source", {@code b} the reconstruction; the value is
   * symmetric anyway.
   */
  public static double ssim(Plane a, Plane b) {
    requireSameSize(a, b);
    byte[] s = a.data();
    byte[] r = b.data();
    double total = 0;
    int samples = 0;
    for (int i = 0; i <= a.height() - 8; i += 4) {
      int ps = a.offset() + i * a.stride();
      int pr = b.offset() + i * b.stride();
      for (int j = 0; j <= a.width() - 8; j += 4) {
        total += ssim8x8(s, ps + j, a.stride(), r, pr + j, b.stride());
        samples++;
      }
    }
    return total / samples;
  }

  /** Frame SSIM of an I420 frame (libvpx vpx_calc_ssim). */
  public static Ssim ssim(Plane ay, Plane au, Plane av, Plane by, Plane bu, Plane bv) {
    double y = ssim(ay, by);
    double u = ssim(au, bu);
    double v = ssim(av, bv);
    return new Ssim(y, u, v, y * .8 + .1 * (u + v));
  }

  /** SSIM of one 8x8 window (libvpx ssim_8x8 and similarity() with count = 64, 8-bit). */
  static double ssim8x8(byte[] s, int sOff, int sStride, byte[] r, int rOff, int rStride) {
    long sumS = 0;
    long sumR = 0;
    long sumSqS = 0;
    long sumSqR = 0;
    long sumSxR = 0;
    for (int i = 0; i < 8; i++) {
      int ps = sOff + i * sStride;
      int pr = rOff + i * rStride;
      for (int j = 0; j < 8; j++) {
        int x = s[ps + j] & 0xFF;
        int y = r[pr + j] & 0xFF;
        sumS += x;
        sumR += y;
        sumSqS += x * x;
        sumSqR += y * y;
        sumSxR += x * y;
      }
    }
    return similarity(sumS, sumR, sumSqS, sumSqR, sumSxR, 64);
  }

  /** libvpx similarity() for 8-bit samples; the operation order matches libvpx's doubles. */
  static double similarity(long sumS, long sumR, long sumSqS, long sumSqR, long sumSxR, int count) {
    // c1, c2 scaled by the pixel count: (cc * count * count) >> 12; for count = 64 they are
    // cc1, cc2 themselves, computed the same way to stay exact for other counts.
    double c1 = (SSIM_C1 * count * count) >> 12;
    double c2 = (SSIM_C2 * count * count) >> 12;
    double ssimN = (2.0 * sumS * sumR + c1) * (2.0 * count * sumSxR - 2.0 * sumS * sumR + c2);
    double ssimD =
        ((double) sumS * sumS + (double) sumR * sumR + c1)
            * ((double) count * sumSqS
                - (double) sumS * sumS
                + (double) count * sumSqR
                - (double) sumR * sumR
                + c2);
    return ssimN / ssimD;
  }
}
