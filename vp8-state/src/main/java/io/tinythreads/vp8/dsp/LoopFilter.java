package io.tinythreads.vp8.dsp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The VP8 in-loop deblocking filter (RFC 6386 section 15), bit-exact with libvpx: the frame
 * traversal of vp8_loop_filter_frame (vp8/common/vp8_loopfilter.c) and the edge filters of
 * vp8/common/loopfilter_filters.c. Where the RFC's prose and libvpx differ, this follows libvpx.
 *
 * <p>Per macroblock, in raster order, with the macroblock's filter level {@code L > 0}:
 *
 * <ol>
 *   <li>the left macroblock edge (if not in the first column), with the macroblock-edge filter;
 *   <li>the inner vertical edges at x = 4, 8, 12 (chroma: 4), if the inner edges are filtered;
 *   <li>the top macroblock edge (if not in the first row);
 *   <li>the inner horizontal edges at y = 4, 8, 12 (chroma: 4), if filtered.
 * </ol>
 *
 * <p>Limits (vp8_loop_filter_update_sharpness, lf_init_lut): interior limit {@code I = L >>
 * (sharpness > 0) >> (sharpness > 4)}, capped at {@code 9 - sharpness} when sharpness > 0, at
 * least 1; macroblock-edge limit {@code (L + 2) * 2 + I}; sub-block-edge limit {@code L * 2 + I};
 * high-edge-variance threshold on key frames 2 for L >= 40, 1 for L >= 15, else 0; on inter
 * frames 3 for L >= 40, 2 for L >= 20, 1 for L >= 15, else 0. The simple filter (luma only)
 * uses only the edge limits.
 */
public final class LoopFilter {
  private static final int MAX_LEVEL = 63;

  /** INTERIOR[sharpness][level]. */
  private static final byte[][] INTERIOR = new byte[8][MAX_LEVEL + 1];

  static {
    for (int sharpness = 0; sharpness < 8; sharpness++) {
      for (int level = 0; level <= MAX_LEVEL; level++) {
        INTERIOR[sharpness][level] = (byte) computeInteriorLimit(level, sharpness);
      }
    }
  }

  private LoopFilter() {}

  private static int computeInteriorLimit(int level, int sharpness) {
    int limit = level >> (sharpness > 0 ? 1 : 0);
    limit >>= sharpness > 4 ? 1 : 0;
    if (sharpness > 0 && limit > 9 - sharpness) {
      limit = 9 - sharpness;
    }
    return Math.max(limit, 1);
  }

  /** Interior (inner-difference) limit for a filter level and sharpness. */
  static int interiorLimit(int level, int sharpness) {
    return INTERIOR[sharpness][level];
  }

  /** High-edge-variance threshold for a filter level (libvpx hev_thr_lut). */
  static int hevThreshold(int level, boolean keyFrame) {
    if (level >= 40) {
      return keyFrame ? 2 : 3;
    } else if (level >= 20) {
      return keyFrame ? 1 : 2;
    } else if (level >= 15) {
      return 1;
    }
    return 0;
  }

  /**
   * Filters a whole reconstructed frame in place.
   *
   * @param yOff index of the top-left visible luma pixel (planes need a border of at least 4
   *     pixels, which the usual 32-pixel border gives)
   * @param uvOff index of the top-left visible pixel of both chroma planes
   * @param mbLevel filter level 0..63 per macroblock, {@code [mbRow * mbCols + mbCol]}; 0 leaves
   *     the macroblock unfiltered
   * @param mbFilterInner per macroblock, whether its inner sub-block edges are filtered (false
   *     for skipped macroblocks that are neither B_PRED nor SPLITMV)
   * @param simple the simple filter (luma only) instead of the normal one
   * @param sharpness the frame header's sharpness level, 0..7
   * @param keyFrame whether the frame is a key frame (selects the hev thresholds)
   */
  public static void filterFrame(
      byte[] y,
      byte[] u,
      byte[] v,
      int yOff,
      int uvOff,
      int yStride,
      int uvStride,
      int mbCols,
      int mbRows,
      byte[] mbLevel,
      boolean[] mbFilterInner,
      boolean simple,
      int sharpness,
      boolean keyFrame) {
    filterRows(
        y,
        u,
        v,
        yOff,
        uvOff,
        yStride,
        uvStride,
        mbCols,
        mbRows,
        mbLevel,
        mbFilterInner,
        simple,
        sharpness,
        keyFrame,
        0,
        mbRows);
  }

  /**
   * Filters macroblock rows {@code [mbRowFrom, mbRowTo)} in place; the other parameters are as
   * in {@link #filterFrame}. Calling it for consecutive row ranges in order gives the same result
   * as one {@link #filterFrame} call. Filtering macroblock row {@code r} reads luma pixel rows
   * {@code 16r - 4 .. 16r + 15} and writes {@code 16r - 3 .. 16r + 15} (chroma: {@code 8r - 4 ..
   * 8r + 7}), so a decoder may filter row {@code r - 1} as soon as row {@code r - 1} is decoded,
   * provided it keeps the unfiltered bottom pixel row for intra prediction, as libvpx does.
   */
  public static void filterRows(
      byte[] y,
      byte[] u,
      byte[] v,
      int yOff,
      int uvOff,
      int yStride,
      int uvStride,
      int mbCols,
      int mbRows,
      byte[] mbLevel,
      boolean[] mbFilterInner,
      boolean simple,
      int sharpness,
      boolean keyFrame,
      int mbRowFrom,
      int mbRowTo) {
    if (sharpness < 0 || sharpness > 7) {
      throw new IllegalArgumentException("sharpness: " + sharpness + " not within 0..7");
    }
    int mbCount = mbCols * mbRows;
    if (mbLevel.length < mbCount || mbFilterInner.length < mbCount) {
      throw new IllegalArgumentException(
          "mbLevel, mbFilterInner: need " + mbCount + " entries for " + mbCols + "x" + mbRows);
    }
    if (mbRowFrom < 0 || mbRowTo > mbRows || mbRowFrom > mbRowTo) {
      throw new IllegalArgumentException(
          "mbRowFrom, mbRowTo: [" + mbRowFrom + ", " + mbRowTo + ") not within 0.." + mbRows);
    }
    byte[] interior = INTERIOR[sharpness];
    for (int mbRow = mbRowFrom; mbRow < mbRowTo; mbRow++) {
      int yRow = yOff + mbRow * 16 * yStride;
      int uvRow = uvOff + mbRow * 8 * uvStride;
      for (int mbCol = 0; mbCol < mbCols; mbCol++) {
        int index = mbRow * mbCols + mbCol;
        int level = mbLevel[index] & 0xFF;
        if (level == 0) {
          continue;
        }
        if (level > MAX_LEVEL) {
          throw new IllegalArgumentException(
              "mbLevel: " + level + " at macroblock " + index + " not within 0..63");
        }
        int limit = interior[level];
        int mbEdgeLimit = (level + 2) * 2 + limit;
        int subEdgeLimit = level * 2 + limit;
        boolean inner = mbFilterInner[index];
        int yp = yRow + mbCol * 16;
        if (simple) {
          simpleMacroblock(y, yp, yStride, mbCol > 0, mbRow > 0, inner, mbEdgeLimit, subEdgeLimit);
        } else {
          int hev = hevThreshold(level, keyFrame);
          int uvp = uvRow + mbCol * 8;
          if (mbCol > 0) {
            mbEdgeV(y, yp, yStride, 16, mbEdgeLimit, limit, hev);
            mbEdgeV(u, uvp, uvStride, 8, mbEdgeLimit, limit, hev);
            mbEdgeV(v, uvp, uvStride, 8, mbEdgeLimit, limit, hev);
          }
          if (inner) {
            subblockEdgeV(y, yp + 4, yStride, 16, subEdgeLimit, limit, hev);
            subblockEdgeV(y, yp + 8, yStride, 16, subEdgeLimit, limit, hev);
            subblockEdgeV(y, yp + 12, yStride, 16, subEdgeLimit, limit, hev);
            subblockEdgeV(u, uvp + 4, uvStride, 8, subEdgeLimit, limit, hev);
            subblockEdgeV(v, uvp + 4, uvStride, 8, subEdgeLimit, limit, hev);
          }
          if (mbRow > 0) {
            mbEdgeH(y, yp, yStride, 16, mbEdgeLimit, limit, hev);
            mbEdgeH(u, uvp, uvStride, 8, mbEdgeLimit, limit, hev);
            mbEdgeH(v, uvp, uvStride, 8, mbEdgeLimit, limit, hev);
          }
          if (inner) {
            subblockEdgeH(y, yp + 4 * yStride, yStride, 16, subEdgeLimit, limit, hev);
            subblockEdgeH(y, yp + 8 * yStride, yStride, 16, subEdgeLimit, limit, hev);
            subblockEdgeH(y, yp + 12 * yStride, yStride, 16, subEdgeLimit, limit, hev);
            subblockEdgeH(u, uvp + 4 * uvStride, uvStride, 8, subEdgeLimit, limit, hev);
            subblockEdgeH(v, uvp + 4 * uvStride, uvStride, 8, subEdgeLimit, limit, hev);
          }
        }
      }
    }
  }

  private static void simpleMacroblock(
      byte[] y,
      int yp,
      int yStride,
      boolean leftEdge,
      boolean topEdge,
      boolean inner,
      int mbEdgeLimit,
      int subEdgeLimit) {
    if (leftEdge) {
      simpleEdgeV(y, yp, yStride, mbEdgeLimit);
    }
    if (inner) {
      simpleEdgeV(y, yp + 4, yStride, subEdgeLimit);
      simpleEdgeV(y, yp + 8, yStride, subEdgeLimit);
      simpleEdgeV(y, yp + 12, yStride, subEdgeLimit);
    }
    if (topEdge) {
      simpleEdgeH(y, yp, yStride, mbEdgeLimit);
    }
    if (inner) {
      simpleEdgeH(y, yp + 4 * yStride, yStride, subEdgeLimit);
      simpleEdgeH(y, yp + 8 * yStride, yStride, subEdgeLimit);
      simpleEdgeH(y, yp + 12 * yStride, yStride, subEdgeLimit);
    }
  }

  /** Clamps to a signed byte (libvpx vp8_signed_char_clamp). */
  private static int s8(int v) {
    return v < -128 ? -128 : (v > 127 ? 127 : v);
  }

  /**
   * libvpx works on {@code s = pixel - 128} and stores {@code s8(s +- a) + 128}; for a pixel
   * 0..255 that is the pixel plus or minus {@code a} clamped to 0..255.
   */
  private static byte clamp255(int v) {
    return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
  }

  /**
   * Filter values that move no pixel. Macroblock edges: with |w| <= 2 every tap of vp8_mbfilter
   * ((w + 4) >> 3, (w + 3) >> 3, (63 + 27w) >> 7, (63 + 18w) >> 7, (63 + 9w) >> 7) is 0.
   * Sub-block and simple edges: with |a| <= 3, (a + 4) >> 3 and (a + 3) >> 3 are 0, and so the
   * outer-tap adjustment (0 + 1) >> 1. The filters test this first, on the four pixels next to
   * the edge, and only then load the outer pixels for the full mask: the output is unchanged
   * (a masked-out pixel is never modified either), but flat and smooth areas, the bulk of most
   * frames, cost a third as much.
   */
  private static final int MB_NOOP = 2;

  private static final int SUB_NOOP = 3;

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Whether, for 8 consecutive pixels along a horizontal edge, p1 equals q1 and p0 equals q0 in
   * every column: then the filter value is 0 for all three filters and no pixel changes. Flat
   * areas (about half the macroblock-edge positions in typical content) are skipped 8 at a time.
   */
  private static boolean flatAcross(byte[] b, int p1, int p0, int q0, int q1) {
    return (long) LONG.get(b, p1) == (long) LONG.get(b, q1)
        && (long) LONG.get(b, p0) == (long) LONG.get(b, q0);
  }

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long LANES = 0x0001000100010001L;
  private static final long EVEN_BYTES = 0x00FF00FF00FF00FFL;

  /**
   * Which of 8 pixels the filters may change, given their p1, p0, q0, q1 in the four 16-bit
   * lanes of longs for the even pixels (0, 2, 4, 6) and the odd ones: bit n is clear if pixel n
   * certainly stays. With {@code d = p1 - q1} and {@code e = q0 - p0}, a pixel stays under the
   * macroblock-edge filter if {@code |d| <= 127} (libvpx's clamp of d is then the identity) and
   * {@code |d + 3e| <= MB_NOOP} (so |w| <= MB_NOOP); under the sub-block filter if {@code |d| <=
   * 127}, {@code |d + 3e| <= SUB_NOOP} and {@code |e| <= 1} (so |a| <= SUB_NOOP with or without
   * high edge variance). Computed four pixels at a time in 16-bit lanes (even and odd bytes
   * separately), without branches; the edge filters then visit only the busy pixels: on the
   * sintel clip three quarters of all groups have none and the others about one.
   */
  private static int busyMask(long p1e, long p0e, long q0e, long q1e, long p1o, long p0o, long q0o, long q1o,
      boolean sub) {
    long c = quietLanes(p1e, p0e, q0e, q1e, sub) >>> 9 | quietLanes(p1o, p0o, q0o, q1o, sub) >>> 8;
    // Bits 0, 1 (lane 0), 16, 17, 32, 33, 48, 49 to bits 0..7.
    return ~(int) (c | c >>> 14 | c >>> 28 | c >>> 42) & 0xFF;
  }

  /**
   * The busy pixels (see {@link #busyMask}) among 8 consecutive pixels along a horizontal edge,
   * with rows p1, p0, q0, q1 at the given indexes; 0 at once for flat groups (p1 = q1 and p0 =
   * q0 throughout), the most common case.
   */
  private static int busyAcross(byte[] b, int p1At, int p0At, int q0At, int q1At, boolean sub) {
    long p1 = (long) LONG.get(b, p1At);
    long p0 = (long) LONG.get(b, p0At);
    long q0 = (long) LONG.get(b, q0At);
    long q1 = (long) LONG.get(b, q1At);
    if (p1 == q1 && p0 == q0) {
      return 0;
    }
    return busyMask(p1 & EVEN_BYTES, p0 & EVEN_BYTES, q0 & EVEN_BYTES, q1 & EVEN_BYTES, (p1 >>> 8) & EVEN_BYTES,
        (p0 >>> 8) & EVEN_BYTES, (q0 >>> 8) & EVEN_BYTES, (q1 >>> 8) & EVEN_BYTES, sub);
  }

  /** Bit 9 of each 16-bit lane set iff that lane's pixel is quiet (see {@link #busyMask}). */
  private static long quietLanes(long p1, long p0, long q0, long q1, boolean sub) {
    int noop = sub ? SUB_NOOP : MB_NOOP;
    // s = d + 3e + 1024, in 4..2044 per lane: the subtraction never borrows from the next lane.
    long s = (p1 + 3 * q0 + 1024 * LANES) - (q1 + 3 * p0);
    // Bit 11 of s + (1024 + noop): s >= 1024 - noop; of s + (1023 - noop): s > 1024 + noop.
    long ok = (s + (1024 + noop) * LANES) & ~(s + (1023 - noop) * LANES) & (0x0800 * LANES);
    // dd = d + 256, in 1..511; |d| <= 127 iff 129 <= dd <= 383 (bit 9 tests, as above).
    long dd = (p1 + 256 * LANES) - q1;
    ok = (ok >>> 2) & (dd + (512 - 129) * LANES) & ~(dd + (512 - 384) * LANES);
    if (sub) {
      // ee = e + 256; |e| <= 1 iff 255 <= ee <= 257.
      long ee = (q0 + 256 * LANES) - p0;
      ok &= (ee + (512 - 255) * LANES) & ~(ee + (512 - 258) * LANES);
    }
    return ok & (0x0200 * LANES);
  }

  /**
   * The busy rows (see {@link #busyMask}) among 8 rows of a vertical edge, {@code off} being the
   * first pixel right of the edge in the first row; 0 at once for flat groups. The pixels p1,
   * p0, q0, q1 of the 8 rows are transposed into 16-bit lanes, even and odd rows apart, in two
   * SWAR steps: rows n and n + 4 packed into one long, then 2-byte swaps between longs.
   */
  private static int busyRows(byte[] b, int off, int stride, boolean sub) {
    int at = off - 2;
    int r0 = (int) INT.get(b, at);
    int r1 = (int) INT.get(b, at + stride);
    int r2 = (int) INT.get(b, at + 2 * stride);
    int r3 = (int) INT.get(b, at + 3 * stride);
    int r4 = (int) INT.get(b, at + 4 * stride);
    int r5 = (int) INT.get(b, at + 5 * stride);
    int r6 = (int) INT.get(b, at + 6 * stride);
    int r7 = (int) INT.get(b, at + 7 * stride);
    // Flat groups (p1 = q1 and p0 = q0 in all 8 rows: each row's p1 p0 q0 q1 reads the same
    // backwards), about two thirds on the sintel clip, are found before transposing.
    if (((r0 ^ Integer.reverseBytes(r0)) | (r1 ^ Integer.reverseBytes(r1)) | (r2 ^ Integer.reverseBytes(r2))
        | (r3 ^ Integer.reverseBytes(r3)) | (r4 ^ Integer.reverseBytes(r4)) | (r5 ^ Integer.reverseBytes(r5))
        | (r6 ^ Integer.reverseBytes(r6)) | (r7 ^ Integer.reverseBytes(r7))) == 0) {
      return 0;
    }
    long b0 = r0 & 0xFFFFFFFFL | (long) r4 << 32;
    long b1 = r1 & 0xFFFFFFFFL | (long) r5 << 32;
    long b2 = r2 & 0xFFFFFFFFL | (long) r6 << 32;
    long b3 = r3 & 0xFFFFFFFFL | (long) r7 << 32;
    // Now b0 holds p1 p0 q0 q1 of row 0 then of row 4 (b1: rows 1 and 5, b2: 2 and 6, b3: 3 and 7).
    long t = ((b0 >>> 16) ^ b2) & 0x0000FFFF0000FFFFL;
    b2 ^= t;
    b0 ^= t << 16;
    t = ((b1 >>> 16) ^ b3) & 0x0000FFFF0000FFFFL;
    b3 ^= t;
    b1 ^= t << 16;
    // Now b0 holds p1 p0 of rows 0, 2, 4, 6 and b2 their q0 q1; b1 and b3 the same for rows 1, 3, 5, 7.
    long p1e = b0 & EVEN_BYTES;
    long p0e = (b0 >>> 8) & EVEN_BYTES;
    long q0e = b2 & EVEN_BYTES;
    long q1e = (b2 >>> 8) & EVEN_BYTES;
    long p1o = b1 & EVEN_BYTES;
    long p0o = (b1 >>> 8) & EVEN_BYTES;
    long q0o = b3 & EVEN_BYTES;
    long q1o = (b3 >>> 8) & EVEN_BYTES;
    return busyMask(p1e, p0e, q0e, q1e, p1o, p0o, q0o, q1o, sub);
  }


  // The edge filters come in two copies each: H for a horizontal edge (filtering across rows,
  // pixels along the edge are consecutive) and V for a vertical edge (across columns, pixels
  // along the edge one stride apart). Writing the two out, with constant offsets for the V case
  // and loop-invariant row bases for the H case, lets the JIT drop or merge the bounds checks; a
  // shared per-pixel helper measured about 30% slower. Differences across the edge are taken on
  // the unsigned pixels: libvpx's signed values (pixel - 128) have the same differences.

  /** Whether the normal filters leave this pixel alone (the inverse of libvpx vp8_filter_mask). */
  private static boolean masked(
      int p3, int p2, int p1, int p0, int q0, int q1, int q2, int q3, int edgeLimit, int limit) {
    return Math.abs(p0 - q0) * 2 + (Math.abs(p1 - q1) >> 1) > edgeLimit
        || Math.abs(p3 - p2) > limit
        || Math.abs(p2 - p1) > limit
        || Math.abs(p1 - p0) > limit
        || Math.abs(q1 - q0) > limit
        || Math.abs(q2 - q1) > limit
        || Math.abs(q3 - q2) > limit;
  }

  /**
   * Macroblock-edge filter (libvpx mbloop_filter_horizontal_edge_c / vp8_mbfilter) on a
   * horizontal edge: {@code off} is the first pixel of the row below the edge, {@code count}
   * pixels along it (8 or 16: the H filters work in groups of 8 columns).
   */
  static void mbEdgeH(
      byte[] b, int off, int stride, int count, int edgeLimit, int limit, int hevThr) {
    int rp3 = off - 4 * stride;
    int rp2 = off - 3 * stride;
    int rp1 = off - 2 * stride;
    int rp0 = off - stride;
    int rq1 = off + stride;
    int rq2 = off + 2 * stride;
    int rq3 = off + 3 * stride;
    for (int g = 0; g < count; g += 8) {
      int busy = busyAcross(b, rp1 + g, rp0 + g, off + g, rq1 + g, false);
      for (; busy != 0; busy &= busy - 1) {
        int n = g + Integer.numberOfTrailingZeros(busy);
        int p1 = b[rp1 + n] & 0xFF;
        int p0 = b[rp0 + n] & 0xFF;
        int q0 = b[off + n] & 0xFF;
        int q1 = b[rq1 + n] & 0xFF;
        int w = s8(s8(p1 - q1) + 3 * (q0 - p0));
        if (w >= -MB_NOOP && w <= MB_NOOP) {
          continue;
        }
        int p3 = b[rp3 + n] & 0xFF;
        int p2 = b[rp2 + n] & 0xFF;
        int q2 = b[rq2 + n] & 0xFF;
        int q3 = b[rq3 + n] & 0xFF;
        if (masked(p3, p2, p1, p0, q0, q1, q2, q3, edgeLimit, limit)) {
          continue;
        }
        if (Math.abs(p1 - p0) > hevThr || Math.abs(q1 - q0) > hevThr) {
          b[off + n] = clamp255(q0 - (s8(w + 4) >> 3));
          b[rp0 + n] = clamp255(p0 + (s8(w + 3) >> 3));
        } else {
          int w9 = w * 9;
          int a = (63 + 3 * w9) >> 7;
          b[off + n] = clamp255(q0 - a);
          b[rp0 + n] = clamp255(p0 + a);
          a = (63 + 2 * w9) >> 7;
          b[rq1 + n] = clamp255(q1 - a);
          b[rp1 + n] = clamp255(p1 + a);
          a = (63 + w9) >> 7;
          b[rq2 + n] = clamp255(q2 - a);
          b[rp2 + n] = clamp255(p2 + a);
        }
      }
    }
  }

  /**
   * Macroblock-edge filter on a vertical edge (libvpx mbloop_filter_vertical_edge_c): {@code
   * off} is the first pixel right of the edge, {@code count} rows down from it.
   */
  static void mbEdgeV(
      byte[] b, int off, int stride, int count, int edgeLimit, int limit, int hevThr) {
    for (int g = 0; g < count; g += 8, off += 8 * stride) {
      // Groups of 8 rows: one transposed test finds the rows that may change.
      for (int busy = busyRows(b, off, stride, false); busy != 0; busy &= busy - 1) {
        int o = off + Integer.numberOfTrailingZeros(busy) * stride;
        long row = (long) LONG.get(b, o - 4); // p3 p2 p1 p0 q0 q1 q2 q3, p3 lowest
        int p1 = (int) (row >>> 16) & 0xFF;
        int p0 = (int) (row >>> 24) & 0xFF;
        int q0 = (int) (row >>> 32) & 0xFF;
        int q1 = (int) (row >>> 40) & 0xFF;
        int w = s8(s8(p1 - q1) + 3 * (q0 - p0));
        if (w >= -MB_NOOP && w <= MB_NOOP) {
          continue;
        }
        int p3 = (int) row & 0xFF;
        int p2 = (int) (row >>> 8) & 0xFF;
        int q2 = (int) (row >>> 48) & 0xFF;
        int q3 = (int) (row >>> 56);
        if (masked(p3, p2, p1, p0, q0, q1, q2, q3, edgeLimit, limit)) {
          continue;
        }
        if (Math.abs(p1 - p0) > hevThr || Math.abs(q1 - q0) > hevThr) {
          b[o] = clamp255(q0 - (s8(w + 4) >> 3));
          b[o - 1] = clamp255(p0 + (s8(w + 3) >> 3));
        } else {
          // libvpx clamps each tap to a signed byte; with |w| <= 128 they stay within +-27.
          int w9 = w * 9;
          int a = (63 + 3 * w9) >> 7;
          b[o] = clamp255(q0 - a);
          b[o - 1] = clamp255(p0 + a);
          a = (63 + 2 * w9) >> 7;
          b[o + 1] = clamp255(q1 - a);
          b[o - 2] = clamp255(p1 + a);
          a = (63 + w9) >> 7;
          b[o + 2] = clamp255(q2 - a);
          b[o - 3] = clamp255(p2 + a);
        }
      }
    }
  }

  /** Sub-block-edge filter (libvpx loop_filter_horizontal_edge_c / vp8_filter); as {@link #mbEdgeH}. */
  static void subblockEdgeH(
      byte[] b, int off, int stride, int count, int edgeLimit, int limit, int hevThr) {
    int rp3 = off - 4 * stride;
    int rp2 = off - 3 * stride;
    int rp1 = off - 2 * stride;
    int rp0 = off - stride;
    int rq1 = off + stride;
    int rq2 = off + 2 * stride;
    int rq3 = off + 3 * stride;
    for (int g = 0; g < count; g += 8) {
      int busy = busyAcross(b, rp1 + g, rp0 + g, off + g, rq1 + g, true);
      for (; busy != 0; busy &= busy - 1) {
        int n = g + Integer.numberOfTrailingZeros(busy);
        int p1 = b[rp1 + n] & 0xFF;
        int p0 = b[rp0 + n] & 0xFF;
        int q0 = b[off + n] & 0xFF;
        int q1 = b[rq1 + n] & 0xFF;
        boolean hev = Math.abs(p1 - p0) > hevThr || Math.abs(q1 - q0) > hevThr;
        int a = s8((hev ? s8(p1 - q1) : 0) + 3 * (q0 - p0));
        if (a >= -SUB_NOOP && a <= SUB_NOOP) {
          continue;
        }
        int p3 = b[rp3 + n] & 0xFF;
        int p2 = b[rp2 + n] & 0xFF;
        int q2 = b[rq2 + n] & 0xFF;
        int q3 = b[rq3 + n] & 0xFF;
        if (masked(p3, p2, p1, p0, q0, q1, q2, q3, edgeLimit, limit)) {
          continue;
        }
        int f1 = s8(a + 4) >> 3;
        b[off + n] = clamp255(q0 - f1);
        b[rp0 + n] = clamp255(p0 + (s8(a + 3) >> 3));
        if (!hev) {
          // Outer taps: half the inner adjustment, rounded.
          a = (f1 + 1) >> 1;
          b[rq1 + n] = clamp255(q1 - a);
          b[rp1 + n] = clamp255(p1 + a);
        }
      }
    }
  }

  /** Sub-block-edge filter on a vertical edge (libvpx loop_filter_vertical_edge_c); as {@link #mbEdgeV}. */
  static void subblockEdgeV(
      byte[] b, int off, int stride, int count, int edgeLimit, int limit, int hevThr) {
    for (int g = 0; g < count; g += 8, off += 8 * stride) {
      for (int busy = busyRows(b, off, stride, true); busy != 0; busy &= busy - 1) {
        int o = off + Integer.numberOfTrailingZeros(busy) * stride;
        long row = (long) LONG.get(b, o - 4); // p3 p2 p1 p0 q0 q1 q2 q3, p3 lowest
        int p1 = (int) (row >>> 16) & 0xFF;
        int p0 = (int) (row >>> 24) & 0xFF;
        int q0 = (int) (row >>> 32) & 0xFF;
        int q1 = (int) (row >>> 40) & 0xFF;
        boolean hev = Math.abs(p1 - p0) > hevThr || Math.abs(q1 - q0) > hevThr;
        int a = s8((hev ? s8(p1 - q1) : 0) + 3 * (q0 - p0));
        if (a >= -SUB_NOOP && a <= SUB_NOOP) {
          continue;
        }
        int p3 = (int) row & 0xFF;
        int p2 = (int) (row >>> 8) & 0xFF;
        int q2 = (int) (row >>> 48) & 0xFF;
        int q3 = (int) (row >>> 56);
        if (masked(p3, p2, p1, p0, q0, q1, q2, q3, edgeLimit, limit)) {
          continue;
        }
        int f1 = s8(a + 4) >> 3;
        b[o] = clamp255(q0 - f1);
        b[o - 1] = clamp255(p0 + (s8(a + 3) >> 3));
        if (!hev) {
          a = (f1 + 1) >> 1;
          b[o + 1] = clamp255(q1 - a);
          b[o - 2] = clamp255(p1 + a);
        }
      }
    }
  }

  /**
   * Simple-filter horizontal edge over 16 pixels (libvpx vp8_loop_filter_simple_horizontal_edge_c):
   * only the edge limit applies, and only p0 and q0 change.
   */
  static void simpleEdgeH(byte[] b, int off, int stride, int edgeLimit) {
    int rp1 = off - 2 * stride;
    int rp0 = off - stride;
    int rq1 = off + stride;
    for (int g = 0; g < 16; g += 8) {
      if (flatAcross(b, rp1 + g, rp0 + g, off + g, rq1 + g)) {
        continue;
      }
      for (int n = g; n < g + 8; n++) {
        int p1 = b[rp1 + n] & 0xFF;
        int p0 = b[rp0 + n] & 0xFF;
        int q0 = b[off + n] & 0xFF;
        int q1 = b[rq1 + n] & 0xFF;
        int a = s8(s8(p1 - q1) + 3 * (q0 - p0));
        if (a >= -SUB_NOOP && a <= SUB_NOOP
            || Math.abs(p0 - q0) * 2 + (Math.abs(p1 - q1) >> 1) > edgeLimit) {
          continue;
        }
        b[off + n] = clamp255(q0 - (s8(a + 4) >> 3));
        b[rp0 + n] = clamp255(p0 + (s8(a + 3) >> 3));
      }
    }
  }

  /** Simple-filter vertical edge over 16 rows (libvpx vp8_loop_filter_simple_vertical_edge_c). */
  static void simpleEdgeV(byte[] b, int off, int stride, int edgeLimit) {
    for (int n = 0; n < 16; n++, off += stride) {
      int p1 = b[off - 2] & 0xFF;
      int p0 = b[off - 1] & 0xFF;
      int q0 = b[off] & 0xFF;
      int q1 = b[off + 1] & 0xFF;
      int a = s8(s8(p1 - q1) + 3 * (q0 - p0));
      if (a >= -SUB_NOOP && a <= SUB_NOOP
          || Math.abs(p0 - q0) * 2 + (Math.abs(p1 - q1) >> 1) > edgeLimit) {
        continue;
      }
      b[off] = clamp255(q0 - (s8(a + 4) >> 3));
      b[off - 1] = clamp255(p0 + (s8(a + 3) >> 3));
    }
  }
}
