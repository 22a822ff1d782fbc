package io.tinythreads.vp8.cli;

import static io.tinythreads.vp8.ParsedFrame.mvCol;
import static io.tinythreads.vp8.ParsedFrame.mvRow;
import static io.tinythreads.vp8.ParsedFrame.packMv;

import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.FrameBuilder;
import io.tinythreads.vp8.FrameWriter;
import io.tinythreads.vp8.header.Delta;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.FrameTag;
import io.tinythreads.vp8.header.KeyFrameStart;
import io.tinythreads.vp8.header.ModeRefLfDeltaUpdate;
import io.tinythreads.vp8.header.MvProbUpdate;
import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.Tables;
import io.tinythreads.vp8.header.TokenProbUpdate;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A synthetic VP8 stream for the JVM's training run ({@code vp8 train}, used by {@code bin/vp8} to
 * record its JDK 25 AOT cache of loaded classes and method profiles, JEP 483/515): built with
 * {@link FrameBuilder} and {@link FrameWriter}, so the cache never depends on a user's file or on
 * the project's test data. The content imitates what the decoder spends its time on in camera
 * video: a key frame of mostly smooth intra macroblocks, then interframes that follow a slow
 * sub-pixel pan (NEARESTMV / NEWMV, six-tap filters), some zero-vector, split and intra
 * macroblocks, about half the macroblocks skipped, small low-frequency residuals and a normal
 * loop filter. Deterministic (fixed seed).
 */
final class TrainingStream {
  private TrainingStream() {}

  /** Writes {@code frames} frames of {@code width} x {@code height} to {@code path} as IVF. */
  static void write(Path path, int width, int height, int frames) throws IOException {
    Random rnd = new Random(0x7672_6169_6eL);
    Decoder decoder = new Decoder();
    try (IvfWriter out = IvfWriter.create(path, new IvfHeader("VP80", width, height, 30, 1, frames))) {
      for (int i = 0; i < frames; i++) {
        boolean key = i % 45 == 0;
        FrameHeader h = header(rnd, key, i, width, height);
        FrameBuilder b = FrameBuilder.create(h, decoder.state());
        // The pan, in libvpx's 1/8-pixel units (even: quarter-pixel vectors), changes slowly;
        // now and then it is fast enough to reach past the frame's edges (clamped vectors).
        int amplitude = i % 15 == 7 ? 160 : 8;
        int panRow = 2 * ((i * 3) % (amplitude + 1)) - amplitude;
        int panCol = 2 * ((i * 5) % (amplitude + 1)) - amplitude;
        fill(b, rnd, key, panRow, panCol, h.mbNoCoeffSkip());
        byte[] bytes = FrameWriter.write(b);
        decoder.decode(bytes);
        out.write(i, bytes, 0, bytes.length);
      }
    }
  }

  private static Optional<Delta> delta(int value) {
    return Optional.of(new Delta(Math.abs(value), value < 0));
  }

  /**
   * Headers as libvpx writes them for camera video, with variety: token and motion vector
   * probability updates, mode and reference loop filter deltas (libvpx's defaults), golden and
   * altref refreshes, filter levels from 0 to 63, a few frames with the simple filter or sharpness,
   * one to four token partitions.
   */
  private static FrameHeader header(Random rnd, boolean key, int i, int w, int h) {
    FrameTag tag = new FrameTag(key, 0, true, 0);
    Optional<KeyFrameStart> start = key ? Optional.of(new KeyFrameStart(w, 0, h, 0)) : Optional.empty();
    int q = key ? 24 : 20 + rnd.nextInt(60);
    QuantIndices quant = new QuantIndices(q, Optional.empty(), i % 4 == 1 ? delta(-2) : Optional.empty(),
        Optional.empty(), i % 6 == 2 ? delta(3) : Optional.empty(), Optional.empty());
    int filterLevel = i % 10 == 9 ? 0 : i % 7 == 3 ? 40 + rnd.nextInt(24) : 10 + rnd.nextInt(30);
    int filterType = i % 23 == 11 ? 1 : 0;
    int sharpness = i % 9 == 4 ? 3 : 0;
    Optional<ModeRefLfDeltaUpdate> lfDeltas = key
        ? Optional.of(new ModeRefLfDeltaUpdate(List.of(delta(2), delta(0), delta(-2), delta(-2)),
            List.of(delta(4), delta(-2), delta(2), delta(4))))
        : Optional.empty();
    int log2Parts = i % 5 == 0 ? 0 : i % 5 - 1 & 1;
    int[] tokens = new int[Tables.NUM_COEFF_PROBS];
    for (int k = 0; k < tokens.length; k++) {
      tokens[k] = rnd.nextInt(key ? 6 : 25) == 0 ? 1 + rnd.nextInt(255) : -1;
    }
    int[] mv = new int[MvProbUpdate.COUNT];
    for (int k = 0; k < mv.length; k++) {
      mv[k] = !key && rnd.nextInt(12) == 0 ? rnd.nextInt(128) : -1;
    }
    boolean golden = !key && i % 10 == 0;
    boolean altref = !key && i % 16 == 8;
    boolean noCoeffSkip = i % 13 != 6;
    return new FrameHeader(tag, start, 0, 0, false, Optional.empty(), filterType, filterLevel, sharpness, true,
        lfDeltas, log2Parts, java.util.Collections.nCopies(1 << log2Parts, 0), quant, key || golden, key || altref,
        0, 0, false, !key && i > 16, true, true, TokenProbUpdate.of(tokens), noCoeffSkip,
        noCoeffSkip ? 100 + rnd.nextInt(100) : 0, key ? 0 : 20 + rnd.nextInt(40), key ? 0 : 200 + rnd.nextInt(50),
        key ? 0 : 100 + rnd.nextInt(100), Optional.empty(), Optional.empty(), MvProbUpdate.of(mv));
  }

  private static void fill(FrameBuilder b, Random rnd, boolean key, int panRow, int panCol, boolean skips) {
    int mbs = b.mbCols() * b.mbRows();
    for (int mb = 0; mb < mbs; mb++) {
      int kind = rnd.nextInt(100);
      if (key || kind < 5) {
        if (rnd.nextInt(4) == 0) {
          int[] sub = new int[16];
          for (int i = 0; i < 16; i++) {
            sub[i] = rnd.nextInt(10);
          }
          b.bPred(mb, sub, rnd.nextInt(4));
        } else {
          b.intra(mb, rnd.nextInt(4), rnd.nextInt(4));
        }
      } else {
        int r = rnd.nextInt(100);
        int ref = r < 85 ? Tables.LAST_FRAME : r < 95 ? Tables.GOLDEN_FRAME : Tables.ALTREF_FRAME;
        FrameBuilder.MvCandidates c = b.mvCandidates(mb, ref);
        int best = c.best();
        int pan = packMv(panRow, panCol);
        if (kind < 18) {
          b.inter(mb, ref, Tables.ZEROMV, 0);
        } else if (kind < 23) {
          split(b, rnd, mb, ref, best, pan);
        } else if (kind < 30) {
          b.inter(mb, ref, Tables.NEARMV, c.near());
        } else if (kind < 75) {
          b.inter(mb, ref, Tables.NEARESTMV, c.nearest());
        } else if (kind < 77) {
          // A far vector, as in fast motion: clamped at the frame's edges.
          b.inter(mb, ref, Tables.NEWMV, near(rnd, best, mvRow(best) + 2 * (rnd.nextInt(801) - 400),
              mvCol(best) + 2 * (rnd.nextInt(801) - 400)));
        } else {
          b.inter(mb, ref, Tables.NEWMV, near(rnd, best, panRow, panCol));
        }
      }
      boolean skip = skips && !key && rnd.nextInt(2) == 0;
      b.skip(mb, skip);
      if (!skip) {
        coefficients(b, rnd, mb);
      }
    }
  }

  /** A NEWMV vector close to the pan, coded against {@code best} (even difference within range). */
  private static int near(Random rnd, int best, int panRow, int panCol) {
    int r = panRow + 2 * (rnd.nextInt(3) - 1);
    int c = panCol + 2 * (rnd.nextInt(3) - 1);
    // Keep the difference to best even: best's components are even or odd together with ours.
    r += (r - mvRow(best)) & 1;
    c += (c - mvCol(best)) & 1;
    return packMv(r, c);
  }

  /** Per split type, the first block (raster order) of each partition. */
  private static final int[][] FIRST_BLOCK = {
    {0, 8}, {0, 2}, {0, 2, 8, 10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
  };

  /**
   * SPLITMV (16x8, 8x16, 8x8, now and then 4x4) whose partitions are NEW4X4 near the pan, ZERO4X4,
   * or LEFT4X4 / ABOVE4X4 with the vector the decoder infers from the neighbouring block.
   */
  private static void split(FrameBuilder b, Random rnd, int mb, int ref, int best, int pan) {
    int s = rnd.nextInt(8) == 0 ? Tables.SPLIT_4X4 : rnd.nextInt(3);
    int[] first = FIRST_BLOCK[s];
    int[] refs = new int[first.length];
    int[] mvs = new int[first.length];
    int[] blockMvs = new int[16];
    int col = mb % b.mbCols();
    for (int j = 0; j < first.length; j++) {
      int k = first[j];
      int left = (k & 3) != 0 ? blockMvs[k - 1] : col > 0 ? b.blockMv(mb - 1, k + 3) : 0;
      int above = k >= 4 ? blockMvs[k - 4] : mb >= b.mbCols() ? b.blockMv(mb - b.mbCols(), k + 12) : 0;
      refs[j] = switch (rnd.nextInt(6)) {
        case 0 -> Tables.LEFT4X4;
        case 1 -> Tables.ABOVE4X4;
        case 2 -> Tables.ZERO4X4;
        default -> Tables.NEW4X4;
      };
      mvs[j] = switch (refs[j]) {
        case Tables.LEFT4X4 -> left;
        case Tables.ABOVE4X4 -> above;
        case Tables.ZERO4X4 -> 0;
        default -> near(rnd, best, mvRow(pan), mvCol(pan));
      };
      for (int blk = 0; blk < 16; blk++) {
        if (Tables.splitPartOf(s, blk) == j) {
          blockMvs[blk] = mvs[j];
        }
      }
    }
    b.split(mb, ref, s, refs, mvs);
  }

  /** Few, small, low-frequency coefficients, as in most macroblocks of compressed video. */
  private static void coefficients(FrameBuilder b, Random rnd, int mb) {
    boolean y2 = b.hasY2(mb);
    short[] c = new short[16];
    for (int blk = 0; blk < 25; blk++) {
      if (blk == 24 && !y2 || rnd.nextInt(blk == 24 ? 4 : 3) != 0) {
        continue;
      }
      java.util.Arrays.fill(c, (short) 0);
      int first = blk < 16 && y2 ? 1 : 0;
      int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 10 : 3);
      for (int k = 0; k < n; k++) {
        int pos = first + rnd.nextInt(Math.min(16 - first, 2 + 2 * k));
        int v = rnd.nextInt(8) != 0 ? 1 + rnd.nextInt(2) : rnd.nextInt(20) != 0 ? 3 + rnd.nextInt(30)
            : 33 + rnd.nextInt(30);
        c[Tables.zigzag(pos)] = (short) (rnd.nextBoolean() ? v : -v);
      }
      b.block(mb, blk, c);
    }
  }
}
