package io.tinythreads.vp8;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.header.Tables.B_PRED;
import static io.tinythreads.vp8.header.Tables.SPLITMV;

import io.tinythreads.vp8.dsp.InterPredict;
import io.tinythreads.vp8.dsp.IntraPredict;
import io.tinythreads.vp8.dsp.LoopFilter;
import io.tinythreads.vp8.dsp.Transform;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.Tables;
import java.util.Arrays;

/**
 * Rebuilds a frame from a {@link ParsedFrame} and the reference frames (RFC 6386 sections 12, 14,
 * 15, 18), in libvpx's order and with its edge rules (vp8/decoder/decodeframe.c decode_mb_rows,
 * vp8/common/reconinter.c, vp8/common/vp8_loopfilter.c).
 *
 * <p>Intra prediction works in place in the new frame: before decoding, the row above the frame is
 * set to 127 and the column left of it to 129, exactly where libvpx's decoder puts them, and after
 * each macroblock row its last pixel row is extended 4 pixels to the right (the "above-right" of
 * the next row's last macroblock). As in libvpx, the loop filter runs one macroblock row behind
 * the decoding: intra prediction reads unfiltered pixels only from the row above and the current
 * row, and filtering row k writes no pixel below row k.
 *
 * <p>One instance per decoder; it owns all scratch buffers and allocates nothing per macroblock.
 */
final class Reconstructor {
  private final InterPredict inter = new InterPredict();
  /** Dequantized coefficients of the block being inverse transformed. */
  private final short[] block = new short[16];
  /** Dequantized Y2 input, and the 16 second-order outputs at [16 * i]. */
  private final short[] y2 = new short[16];
  private final short[] y2out = new short[256];
  /** Per segment: y1dc, y1ac, y2dc, y2ac, uvdc, uvac. */
  private final int[] dq = new int[4 * 6];
  private byte[] mbLevel = new byte[0];
  private boolean[] mbInner = new boolean[0];
  /** 1 = everything on the caller's thread; 2 = loop filter on a second thread, a row behind. */
  private int threads = 1;

  /** Sets the number of threads per frame (1 or 2); output is identical either way. */
  void setThreads(int threads) {
    if (threads < 1 || threads > 2) {
      throw new IllegalArgumentException("threads must be 1 or 2: " + threads);
    }
    this.threads = threads;
  }

  int threads() {
    return threads;
  }

  /**
   * Reconstructs {@code f} into a new raster, loop filters and border-extends it.
   *
   * @throws InvalidBitstreamException if an inter frame references a missing frame
   */
  Raster reconstruct(ParsedFrame f, References refs) {
    FrameHeader h = f.header;
    MutableRaster out = takeRaster(f.width, f.height);
    if (!h.keyFrame()) {
      if (refs.isEmpty()) {
        throw new InvalidBitstreamException("interframe without reference frames");
      }
      if (refs.last().width() != f.width || refs.last().height() != f.height) {
        throw new IllegalStateException("reference size " + refs.last() + " differs from frame " + f.width + "x" + f.height);
      }
    }
    setupDequant(f);
    setupIntraEdges(out);
    int mbRows = f.mbRows;
    boolean bilinear = h.tag().bilinear();
    int fullPixelMask = h.tag().fullPixel() ? ~7 : ~0;
    boolean filter = h.loopFilterLevel() != 0;
    if (filter) {
      computeFilterLevels(f);
    }
    RowFilter pipeline = filter && threads > 1 && mbRows > 2 ? new RowFilter(f, out) : null;
    try {
      decodeRows(f, refs, out, bilinear, fullPixelMask, pipeline, filter && pipeline == null);
      if (pipeline != null) {
        pipeline.finish(); // the worker has also extended the borders
        pipeline = null;
      } else {
        if (filter) {
          filterRows(f, out, mbRows - 1, mbRows);
        }
        out.extendBorders();
      }
    } finally {
      if (pipeline != null) {
        pipeline.abort();
      }
    }
    return out.freeze();
  }

  /** Zero-vector runs shorter than this many macroblocks are copied block by block. */
  private static final int SHORT_RUN = 4;

  /** A raster allocated ahead by the loop filter thread (zeroing it there), or null. */
  private volatile MutableRaster spare;

  /** Rasters handed back by {@link #recycle} (at most {@link #POOL_SIZE}), newest last. */
  private final java.util.ArrayDeque<Raster> pool = new java.util.ArrayDeque<>();

  private static final int POOL_SIZE = 3;

  /** Whether rasters are being recycled (then the loop filter thread allocates no spare). */
  private boolean recycling;

  /**
   * Lets a later frame be written over {@code r}'s planes: the caller guarantees that nothing
   * reads {@code r} any more (see {@link Decoder#setReuseRasters}).
   */
  void recycle(Raster r) {
    recycling = true;
    if (pool.size() == POOL_SIZE) {
      pool.removeFirst();
    }
    pool.addLast(r);
  }

  /** Forgets the recycled rasters. */
  void clearPool() {
    pool.clear();
    recycling = false;
  }

  private MutableRaster takeRaster(int width, int height) {
    MutableRaster r = spare;
    spare = null;
    if (r != null && r.width == width && r.height == height) {
      return r;
    }
    for (Raster old; (old = pool.pollLast()) != null; ) {
      if (old.width() == width && old.height() == height) {
        return new MutableRaster(old);
      }
    }
    return new MutableRaster(width, height);
  }

  /**
   * Decodes all macroblock rows; with {@code filterBehind}, loop filters each row as soon as the
   * next one is decoded (libvpx's one-row delay), all but the last row, while its pixels are
   * still in the cache: filtering the whole frame afterwards, from memory, took twice as long.
   * Row {@code k} may be filtered once row {@code k + 1} is decoded (see {@link RowFilter}).
   */
  private void decodeRows(ParsedFrame f, References refs, MutableRaster out, boolean bilinear, int fullPixelMask,
      RowFilter pipeline, boolean filterBehind) {
    int mbCols = f.mbCols;
    int mbRows = f.mbRows;
    byte[] y = out.y;
    byte[] u = out.u;
    byte[] v = out.v;
    int ys = out.yStride;
    int uvs = out.uvStride;
    for (int row = 0, mb = 0; row < mbRows; row++) {
      for (int col = 0; col < mbCols; col++, mb++) {
        int yOff = out.yOrigin + row * 16 * ys + col * 16;
        int uvOff = out.uvOrigin + row * 8 * uvs + col * 8;
        int ymode = f.yMode[mb];
        int ref = f.refFrame[mb];
        if (ref == Tables.INTRA_FRAME) {
          int uvMode = f.uvMode[mb];
          IntraPredict.predictChroma8(uvMode, u, uvOff, uvs, row > 0, col > 0);
          IntraPredict.predictChroma8(uvMode, v, uvOff, uvs, row > 0, col > 0);
          if (ymode != B_PRED) {
            IntraPredict.predictLuma16(ymode, y, yOff, ys, row > 0, col > 0);
          } else {
            predictBPred(f, mb, y, yOff, ys);
          }
        } else if (f.mbMv[mb] == 0 && ymode != SPLITMV) {
          // A run of zero-vector macroblocks from one reference: the prediction is the co-located
          // pixels, so copy the whole run row by row (the same bytes as one copy per macroblock).
          int end = col + 1;
          int endMb = mb + 1;
          while (end < mbCols && f.refFrame[endMb] == ref && f.mbMv[endMb] == 0 && f.yMode[endMb] != SPLITMV) {
            end++;
            endMb++;
          }
          Raster r = refs.get(ref);
          if (end - col < SHORT_RUN) {
            // Short runs: 8-byte copies per macroblock beat a System.arraycopy call per row.
            for (int k = 0; k < end - col; k++) {
              inter.predict(r.y, yOff + 16 * k, ys, y, yOff + 16 * k, ys, 16, 16, 0, 0, false);
              inter.predict(r.u, uvOff + 8 * k, uvs, u, uvOff + 8 * k, uvs, 8, 8, 0, 0, false);
              inter.predict(r.v, uvOff + 8 * k, uvs, v, uvOff + 8 * k, uvs, 8, 8, 0, 0, false);
            }
          } else {
            copyRun(r, out, yOff, uvOff, (end - col) * 16);
          }
          for (int k = mb; k < endMb; k++) {
            if (f.coeffOffset[k] >= 0) {
              int dx = (k - mb) * 16;
              addLumaResidual(f, k, y, yOff + dx, ys);
              addChromaResidual(f, k, u, v, uvOff + dx / 2, uvs);
            }
          }
          mb = endMb - 1;
          col = end - 1;
          continue;
        } else {
          Raster r = refs.get(ref);
          predictInter(f, mb, row, col, r, out, yOff, uvOff, bilinear, fullPixelMask);
        }
        if (f.coeffOffset[mb] >= 0) {
          if (ymode != B_PRED) {
            addLumaResidual(f, mb, y, yOff, ys);
          }
          addChromaResidual(f, mb, u, v, uvOff, uvs);
        }
      }
      // libvpx vp8_extend_mb_row: the above-right of the next row's last macroblock.
      int last = out.yOrigin + (row * 16 + 15) * ys + mbCols * 16;
      byte px = y[last - 1];
      y[last] = px;
      y[last + 1] = px;
      y[last + 2] = px;
      y[last + 3] = px;
      if (pipeline != null) {
        pipeline.rowDecoded(row);
      } else if (filterBehind && row > 0) {
        filterRows(f, out, row - 1, row);
      }
    }
  }

  /**
   * Copies the co-located {@code width} x 16 luma and {@code width / 2} x 8 chroma pixels from
   * {@code ref} (same geometry as {@code out}).
   */
  private static void copyRun(Raster ref, MutableRaster out, int yOff, int uvOff, int width) {
    int ys = out.yStride;
    for (int r = 0; r < 16; r++) {
      System.arraycopy(ref.y, yOff + r * ys, out.y, yOff + r * ys, width);
    }
    int uvs = out.uvStride;
    int cw = width / 2;
    for (int r = 0; r < 8; r++) {
      System.arraycopy(ref.u, uvOff + r * uvs, out.u, uvOff + r * uvs, cw);
      System.arraycopy(ref.v, uvOff + r * uvs, out.v, uvOff + r * uvs, cw);
    }
  }

  /** vp8_setup_intra_recon_top_line and setup_intra_recon_left: 127 above, 129 to the left. */
  private static void setupIntraEdges(MutableRaster out) {
    int aw = out.mbCols * 16;
    int ah = out.mbRows * 16;
    int above = out.yOrigin - out.yStride - 1;
    Arrays.fill(out.y, above, above + aw + 5, (byte) 127);
    for (int r = 0; r < ah; r++) {
      out.y[out.yOrigin + r * out.yStride - 1] = (byte) 129;
    }
    int uvAbove = out.uvOrigin - out.uvStride - 1;
    Arrays.fill(out.u, uvAbove, uvAbove + aw / 2 + 5, (byte) 127);
    Arrays.fill(out.v, uvAbove, uvAbove + aw / 2 + 5, (byte) 127);
    for (int r = 0; r < ah / 2; r++) {
      out.u[out.uvOrigin + r * out.uvStride - 1] = (byte) 129;
      out.v[out.uvOrigin + r * out.uvStride - 1] = (byte) 129;
    }
  }

  /** Dequantization factors per segment (RFC 6386 section 14.1, libvpx vp8cx_init_de_quantizer). */
  private void setupDequant(ParsedFrame f) {
    var q = f.header.quantIndices();
    int base = q.yAcQi();
    for (int s = 0; s < 4; s++) {
      int qi = base;
      if (f.segmentationEnabled) {
        qi = f.segmentAbsolute ? f.segmentQuant[s] : base + f.segmentQuant[s];
        qi = Math.max(0, Math.min(127, qi));
      }
      int o = s * 6;
      dq[o] = Tables.dcQ(clampQ(qi + q.yDc()));
      dq[o + 1] = Tables.acQ(clampQ(qi));
      dq[o + 2] = Tables.dcQ(clampQ(qi + q.y2Dc())) * 2;
      dq[o + 3] = Math.max(8, Tables.acQ(clampQ(qi + q.y2Ac())) * 155 / 100);
      dq[o + 4] = Math.min(132, Tables.dcQ(clampQ(qi + q.uvDc())));
      dq[o + 5] = Tables.acQ(clampQ(qi + q.uvAc()));
    }
  }

  private static int clampQ(int q) {
    return q < 0 ? 0 : Math.min(q, 127);
  }

  /** B_PRED: sub-blocks predicted and reconstructed one by one (libvpx decode_macroblock). */
  private void predictBPred(ParsedFrame f, int mb, byte[] y, int yOff, int ys) {
    // intra_prediction_down_copy: the 4 pixels above-right of the macroblock also serve as the
    // above-right of the sub-blocks in column 3 of rows 1..3.
    int src = yOff - ys + 16;
    for (int r = 3; r < 16; r += 4) {
      System.arraycopy(y, src, y, yOff + r * ys + 16, 4);
    }
    int coeffOff = f.coeffOffset[mb];
    int dqOff = f.segmentId[mb] * 6;
    for (int b = 0; b < 16; b++) {
      int off = yOff + (b >> 2) * 4 * ys + (b & 3) * 4;
      IntraPredict.predict4x4(f.bModes[mb * 16 + b], y, off, ys);
      if (coeffOff >= 0) {
        int n = f.eobs[mb * 25 + b];
        if (n > 1) {
          idct(f.coeffs, coeffOff + b * 16, dq[dqOff], dq[dqOff + 1], y, off, ys);
        } else if (n == 1) {
          Transform.dcOnlyIdctAdd((short) (f.coeffs[coeffOff + b * 16] * dq[dqOff]), y, off, ys);
        }
      }
    }
  }

  /** Dequantizes 16 coefficients (16-bit products, as libvpx) and adds their inverse DCT. */
  private void idct(short[] c, int cOff, int dcFactor, int acFactor, byte[] dst, int off, int stride) {
    short[] blk = block;
    blk[0] = (short) (c[cOff] * dcFactor);
    for (int i = 1; i < 16; i++) {
      blk[i] = (short) (c[cOff + i] * acFactor);
    }
    Transform.idctAdd(blk, 0, dst, off, stride);
  }

  /** Luma residual of a non-B_PRED macroblock (through Y2 unless SPLITMV). */
  private void addLumaResidual(ParsedFrame f, int mb, byte[] y, int yOff, int ys) {
    int coeffOff = f.coeffOffset[mb];
    short[] c = f.coeffs;
    int e = mb * 25;
    int dqOff = f.segmentId[mb] * 6;
    int acY = dq[dqOff + 1];
    if (f.yMode[mb] != SPLITMV) {
      int y2Off = coeffOff + 24 * 16;
      if (f.eobs[e + 24] > 1) {
        y2[0] = (short) (c[y2Off] * dq[dqOff + 2]);
        for (int i = 1; i < 16; i++) {
          y2[i] = (short) (c[y2Off + i] * dq[dqOff + 3]);
        }
        Transform.inverseWalsh(y2, 0, y2out, 0);
      } else {
        Transform.inverseWalshDcOnly((short) (c[y2Off] * dq[dqOff + 2]), y2out, 0);
      }
      short[] blk = block;
      for (int b = 0; b < 16; b++) {
        int off = yOff + (b >> 2) * 4 * ys + (b & 3) * 4;
        int dc = y2out[b * 16];
        if (f.eobs[e + b] > 0) {
          int cb = coeffOff + b * 16;
          blk[0] = (short) dc;
          for (int i = 1; i < 16; i++) {
            blk[i] = (short) (c[cb + i] * acY);
          }
          Transform.idctAdd(blk, 0, y, off, ys);
        } else if (dc != 0) {
          Transform.dcOnlyIdctAdd(dc, y, off, ys);
        }
      }
    } else {
      for (int b = 0; b < 16; b++) {
        int n = f.eobs[e + b];
        int off = yOff + (b >> 2) * 4 * ys + (b & 3) * 4;
        if (n > 1) {
          idct(c, coeffOff + b * 16, dq[dqOff], acY, y, off, ys);
        } else if (n == 1) {
          Transform.dcOnlyIdctAdd((short) (c[coeffOff + b * 16] * dq[dqOff]), y, off, ys);
        }
      }
    }
  }

  /** Chroma residual of a macroblock. */
  private void addChromaResidual(ParsedFrame f, int mb, byte[] u, byte[] v, int uvOff, int uvs) {
    int coeffOff = f.coeffOffset[mb];
    short[] c = f.coeffs;
    int e = mb * 25;
    int dqOff = f.segmentId[mb] * 6;
    int dcUv = dq[dqOff + 4];
    int acUv = dq[dqOff + 5];
    for (int b = 16; b < 24; b++) {
      int n = f.eobs[e + b];
      if (n == 0) {
        continue;
      }
      byte[] plane = b < 20 ? u : v;
      int k = b & 3;
      int off = uvOff + (k >> 1) * 4 * uvs + (k & 1) * 4;
      if (n > 1) {
        idct(c, coeffOff + b * 16, dcUv, acUv, plane, off, uvs);
      } else {
        Transform.dcOnlyIdctAdd((short) (c[coeffOff + b * 16] * dcUv), plane, off, uvs);
      }
    }
  }

  // ------------------------------------------------------------------ inter prediction

  private void predictInter(ParsedFrame f, int mb, int row, int col, Raster ref, MutableRaster out, int yOff,
      int uvOff, boolean bilinear, int fullPixelMask) {
    int toLeft = -(col * 16) << 3;
    int toRight = ((f.mbCols - 1 - col) * 16) << 3;
    int toTop = -(row * 16) << 3;
    int toBottom = ((f.mbRows - 1 - row) * 16) << 3;
    boolean clamp = f.needClamp[mb];
    int ys = out.yStride;
    int uvs = out.uvStride;
    int x0 = col * 16;
    int y0 = row * 16;
    if (f.yMode[mb] != SPLITMV) {
      int mv = f.mbMv[mb];
      int r = mvRow(mv);
      int c = mvCol(mv);
      if (clamp) {
        c = MvBorder.clamp(c, toLeft, toRight);
        r = MvBorder.clamp(r, toTop, toBottom);
      }
      predictBlock(ref.y, ref.yOrigin, ys, ref.mbCols * 16, ref.mbRows * 16, MutableRaster.BORDER,
          x0, y0, c, r, 16, 16, out.y, yOff, bilinear);
      // Chroma vector: the luma vector halved, rounding away from zero (libvpx build_inter16x16).
      r = (r + (1 | (r >> 31))) / 2 & fullPixelMask;
      c = (c + (1 | (c >> 31))) / 2 & fullPixelMask;
      if (2 * c < toLeft - (19 << 3) || 2 * c > toRight + (18 << 3)
          || 2 * r < toTop - (19 << 3) || 2 * r > toBottom + (18 << 3)) {
        // libvpx leaves chroma unpredicted here (reachable only with full-pixel vectors).
        return;
      }
      predictBlock(ref.u, ref.uvOrigin, uvs, ref.mbCols * 8, ref.mbRows * 8, MutableRaster.BORDER / 2,
          x0 / 2, y0 / 2, c, r, 8, 8, out.u, uvOff, bilinear);
      predictBlock(ref.v, ref.uvOrigin, uvs, ref.mbCols * 8, ref.mbRows * 8, MutableRaster.BORDER / 2,
          x0 / 2, y0 / 2, c, r, 8, 8, out.v, uvOff, bilinear);
      return;
    }
    int base = mb * 16;
    int[] sub = f.subMvs;
    if (f.partitioning[mb] < Tables.SPLIT_4X4) {
      for (int q = 0; q < 4; q++) {
        int b = (q >> 1) * 8 + (q & 1) * 2;
        int mv = sub[base + b];
        int r = mvRow(mv);
        int c = mvCol(mv);
        if (clamp) {
          c = MvBorder.clamp(c, toLeft, toRight);
          r = MvBorder.clamp(r, toTop, toBottom);
        }
        int bx = (b & 3) * 4;
        int by = (b >> 2) * 4;
        predictBlock(ref.y, ref.yOrigin, ys, ref.mbCols * 16, ref.mbRows * 16, MutableRaster.BORDER,
            x0 + bx, y0 + by, c, r, 8, 8, out.y, yOff + by * ys + bx, bilinear);
      }
    } else {
      for (int b = 0; b < 16; b++) {
        int mv = sub[base + b];
        int r = mvRow(mv);
        int c = mvCol(mv);
        if (clamp) {
          c = MvBorder.clamp(c, toLeft, toRight);
          r = MvBorder.clamp(r, toTop, toBottom);
        }
        int bx = (b & 3) * 4;
        int by = (b >> 2) * 4;
        predictBlock(ref.y, ref.yOrigin, ys, ref.mbCols * 16, ref.mbRows * 16, MutableRaster.BORDER,
            x0 + bx, y0 + by, c, r, 4, 4, out.y, yOff + by * ys + bx, bilinear);
      }
    }
    // Chroma: each 4x4 chroma block takes the average of its 4 luma sub-block vectors
    // (libvpx build_4x4uvmvs), from the unclamped luma vectors.
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        int b = base + i * 8 + j * 2;
        int sr = mvRow(sub[b]) + mvRow(sub[b + 1]) + mvRow(sub[b + 4]) + mvRow(sub[b + 5]);
        int sc = mvCol(sub[b]) + mvCol(sub[b + 1]) + mvCol(sub[b + 4]) + mvCol(sub[b + 5]);
        sr += 4 + ((sr >> 31) * 8);
        sc += 4 + ((sc >> 31) * 8);
        int r = (short) ((sr / 8) & fullPixelMask);
        int c = (short) ((sc / 8) & fullPixelMask);
        if (clamp) {
          c = MvBorder.clampUv(c, toLeft, toRight);
          r = MvBorder.clampUv(r, toTop, toBottom);
        }
        int cx = x0 / 2 + j * 4;
        int cy = y0 / 2 + i * 4;
        int dOff = uvOff + i * 4 * uvs + j * 4;
        predictBlock(ref.u, ref.uvOrigin, uvs, ref.mbCols * 8, ref.mbRows * 8, MutableRaster.BORDER / 2,
            cx, cy, c, r, 4, 4, out.u, dOff, bilinear);
        predictBlock(ref.v, ref.uvOrigin, uvs, ref.mbCols * 8, ref.mbRows * 8, MutableRaster.BORDER / 2,
            cx, cy, c, r, 4, 4, out.v, dOff, bilinear);
      }
    }
  }

  /**
   * Predicts a {@code w x h} block at plane position ({@code x}, {@code y}) displaced by the vector
   * ({@code mvx}, {@code mvy}) in 1/8 pixels. The filter taps must stay inside the plane's
   * border; vectors that would leave it (possible only for corrupt or gigantic streams, where
   * libvpx reads outside its buffers) are pulled back to the border's edge.
   */
  private void predictBlock(byte[] ref, int origin, int stride, int aw, int ah, int border, int x, int y, int mvx,
      int mvy, int w, int h, byte[] dst, int dstOff, boolean bilinear) {
    int px = x + (mvx >> 3);
    int py = y + (mvy >> 3);
    int fx = mvx & 7;
    int fy = mvy & 7;
    int minPos = -border + 2;
    if (px < minPos || px > aw + border - w - 3 || py < minPos || py > ah + border - h - 3) {
      px = Math.max(minPos, Math.min(px, aw + border - w - 3));
      py = Math.max(minPos, Math.min(py, ah + border - h - 3));
    }
    inter.predict(ref, origin + py * stride + px, stride, dst, dstOff, stride, w, h, fx, fy, bilinear);
  }

  // ------------------------------------------------------------------ loop filter

  /** Per-macroblock filter levels and inner-edge flags (libvpx vp8_loop_filter_frame_init and _row_normal). */
  private void computeFilterLevels(ParsedFrame f) {
    FrameHeader h = f.header;
    int mbs = f.mbCols * f.mbRows;
    if (mbLevel.length < mbs) {
      mbLevel = new byte[mbs];
      mbInner = new boolean[mbs];
    }
    int frameLevel = h.loopFilterLevel();
    // lvl[segment][ref][modeIndex], modeIndex 0 = B_PRED, 1 = other intra / ZEROMV, 2 = NEAREST/NEAR/NEW, 3 = SPLITMV
    int[] lvl = new int[4 * 4 * 4];
    for (int seg = 0; seg < 4; seg++) {
      int lvlSeg = frameLevel;
      if (f.segmentationEnabled) {
        lvlSeg = f.segmentAbsolute ? f.segmentLf[seg] : frameLevel + f.segmentLf[seg];
        lvlSeg = Math.max(0, Math.min(63, lvlSeg));
      }
      for (int ref = 0; ref < 4; ref++) {
        for (int mode = 0; mode < 4; mode++) {
          int l;
          if (!f.lfDeltasEnabled) {
            l = lvlSeg;
          } else if (ref == Tables.INTRA_FRAME) {
            int lvlRef = lvlSeg + f.refLfDeltas[0];
            l = mode == 0 ? lvlRef + f.modeLfDeltas[0] : lvlRef;
          } else {
            int lvlRef = lvlSeg + f.refLfDeltas[ref];
            l = lvlRef + f.modeLfDeltas[mode == 0 ? 1 : mode];
          }
          lvl[(seg * 4 + ref) * 4 + mode] = Math.max(0, Math.min(63, l));
        }
      }
    }
    for (int mb = 0; mb < mbs; mb++) {
      int ymode = f.yMode[mb];
      int modeIndex = switch (ymode) {
        case Tables.B_PRED -> 0;
        case Tables.NEARESTMV, Tables.NEARMV, Tables.NEWMV -> 2;
        case Tables.SPLITMV -> 3;
        default -> 1; // DC, V, H, TM, ZEROMV
      };
      mbLevel[mb] = (byte) lvl[(f.segmentId[mb] * 4 + f.refFrame[mb]) * 4 + modeIndex];
      mbInner[mb] = ymode == B_PRED || ymode == SPLITMV || !f.residualSkipped(mb);
    }
  }

  /** Loop filters macroblock rows [from, to) (levels from {@link #computeFilterLevels}). */
  private void filterRows(ParsedFrame f, MutableRaster out, int from, int to) {
    FrameHeader h = f.header;
    LoopFilter.filterRows(out.y, out.u, out.v, out.yOrigin, out.uvOrigin, out.yStride, out.uvStride, f.mbCols,
        f.mbRows, mbLevel, mbInner, h.filterType() == 1, h.sharpnessLevel(), h.keyFrame(), from, to);
  }

  /**
   * Loop filters rows on a second (virtual) thread while the caller decodes. Row {@code k} may be
   * filtered once row {@code k + 1} is decoded: intra prediction of row {@code k + 1} reads row
   * {@code k}'s unfiltered bottom pixels, and filtering row {@code k} writes only rows
   * {@code k - 1} (bottom 3 pixel rows) and {@code k}, which the decoder no longer reads. Rows
   * are filtered in order, so the result equals the single-threaded filter.
   */
  private final class RowFilter {
    private final ParsedFrame f;
    private final MutableRaster out;
    private final java.util.concurrent.atomic.AtomicInteger decoded = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean aborted;
    private volatile Throwable failure;
    private final Thread worker;
    private final boolean allocateSpare;

    RowFilter(ParsedFrame f, MutableRaster out) {
      this.f = f;
      this.out = out;
      this.allocateSpare = !recycling;
      this.worker = Thread.ofVirtual().name("vp8-loop-filter").start(this::run);
    }

    private void run() {
      int rows = f.mbRows;
      int done = 0;
      try {
        while (done < rows && !aborted) {
          int d = decoded.get();
          int ready = d == rows ? rows : d - 1;
          if (ready > done) {
            filterRows(f, out, done, ready);
            done = ready;
          } else {
            java.util.concurrent.locks.LockSupport.park(this);
          }
        }
        if (!aborted) {
          out.extendBorders();
          // Allocate (and zero) the next frame's raster here rather than on the decoding thread,
          // unless recycled ones are coming.
          if (allocateSpare) {
            spare = new MutableRaster(f.width, f.height);
          }
        }
      } catch (Throwable t) {
        failure = t;
      }
    }

    void rowDecoded(int row) {
      decoded.set(row + 1);
      java.util.concurrent.locks.LockSupport.unpark(worker);
    }

    void finish() {
      decoded.set(f.mbRows);
      java.util.concurrent.locks.LockSupport.unpark(worker);
      join();
      if (failure != null) {
        throw new IllegalStateException("loop filter thread failed", failure);
      }
    }

    void abort() {
      aborted = true;
      java.util.concurrent.locks.LockSupport.unpark(worker);
      join();
    }

    private void join() {
      boolean interrupted = false;
      while (true) {
        try {
          worker.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
