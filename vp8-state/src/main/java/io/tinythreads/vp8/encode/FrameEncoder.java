package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.FrameWriter;
import io.tinythreads.vp8.ParsedFrame;
import io.tinythreads.vp8.header.Delta;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.ModeRefLfDeltaUpdate;
import io.tinythreads.vp8.header.MvProbUpdate;
import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.TokenProbUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encodes single interframes against a decoder state, either by rebasing a parsed frame or by a
 * full encode (encode-given-state), and advances the state by running the decoder on the bytes
 * it wrote: the state after a frame is, by construction, exactly what every VP8 decoder computes
 * from those bytes.
 *
 * <p>One instance per frame size; not thread-safe.
 */
final class FrameEncoder {
  /** A written frame and what decoding it gives. */
  record Encoded(byte[] bytes, DecodedFrame decoded) {
    DecoderSnapshot after() {
      return new DecoderSnapshot(decoded.state(), decoded.references());
    }
  }

  private final FrameCoder coder;
  private final Rebaser rebaser;
  private final ModeDecision decision;
  private final Decoder decoder = new Decoder();
  private final ReencodeOptions options;

  FrameEncoder(int width, int height, ReencodeOptions options) {
    this.options = options;
    this.coder = new FrameCoder(width, height);
    coder.zbinModeBoost = options.zbinModeBoost();
    coder.trellisEnabled = options.trellis();
    coder.tuneSsim = options.tuneSsim();
    this.rebaser = new Rebaser(coder, new Refinement(coder, options.refineRebase()));
    this.decision = new ModeDecision(coder, options.bpredCandidates(), true);
  }

  FrameCoder coder() {
    return coder;
  }

  /**
   * Rebases {@code pred} (parsed against some other state) onto {@code before}, towards
   * {@code target}.
   *
   * @param refreshAll make the frame refresh last, golden and altref (the chunk's last frame)
   */
  Encoded rebase(DecoderSnapshot before, ParsedFrame pred, Source target, boolean refreshAll) {
    FrameHeader ph = pred.header();
    HeaderSpec spec = HeaderSpec.from(ph);
    // Probability updates are chosen afresh against this state from this frame's own counts.
    spec.tokens = TokenProbUpdate.none();
    spec.mvProbs = MvProbUpdate.none();
    spec.yModeProbs = Optional.empty();
    spec.uvModeProbs = Optional.empty();
    spec.mbNoCoeffSkip = true;
    if (refreshAll) {
      spec.refreshAll();
    }
    byte[] segments = null;
    if (ph.segmentationEnabled()) {
      segments = new byte[pred.mbCols() * pred.mbRows()];
      if (ph.updateMbSegmentationMap()) {
        for (int mb = 0; mb < segments.length; mb++) {
          segments[mb] = (byte) pred.segmentId(mb);
        }
      } else {
        byte[] map = before.state().segmentMap();
        if (map.length == segments.length) {
          segments = map;
        }
      }
    }
    coder.probIntra = Math.max(1, ph.probIntra());
    coder.probLast = Math.max(1, ph.probLast());
    coder.probGf = Math.max(1, ph.probGf());
    coder.probSkip = ph.mbNoCoeffSkip() ? Math.max(1, ph.probSkipFalse()) : 128;
    coder.begin(before, spec.build(), target, segments);
    rebaser.codeFrame(pred);
    return finish(before, spec, false);
  }

  /**
   * Encodes {@code target} as an interframe against {@code before} with a full mode decision:
   * quantizer {@code quant}, the loop filter type and sharpness and the loop filter deltas of
   * {@code template} (the key frame it replaces), the filter level searched, refreshing all
   * three references.
   */
  Encoded encode(DecoderSnapshot before, Source target, FrameHeader template, QuantIndices quant, boolean show) {
    HeaderSpec spec = new HeaderSpec(quant);
    spec.version = template.tag().version();
    spec.show = show;
    spec.filterType = template.filterType();
    spec.sharpness = template.sharpnessLevel();
    spec.loopFilterLevel = template.loopFilterLevel();
    spec.log2Partitions = template.log2NbrOfDctPartitions();
    spec.lfAdjEnable = template.loopFilterAdjEnable();
    if (template.loopFilterAdjEnable()) {
      spec.lfDeltaUpdate = Optional.of(deltasInForce(template, before));
    }
    spec.refreshAll();
    spec.refreshEntropy = true;
    // Probability estimates for the decisions: intra is rare and last is the only reference.
    coder.probIntra = 40;
    coder.probLast = 255;
    coder.probGf = 128;
    coder.probSkip = 128;
    coder.begin(before, spec.build(), target, null);
    decision.codeFrame();
    if (options.searchFilterLevel()) {
      spec.loopFilterLevel = searchFilterLevel(spec);
    }
    return finish(before, spec, true);
  }

  /**
   * The full set of loop filter deltas a key frame leaves in force (it resets them to 0 and
   * applies its update), as an update that sets all eight, so an interframe gets the same.
   */
  private static ModeRefLfDeltaUpdate deltasInForce(FrameHeader kf, DecoderSnapshot before) {
    int[] ref = new int[4];
    int[] mode = new int[4];
    if (kf.keyFrame()) {
      kf.modeRefLfDeltaUpdate().ifPresent(u -> {
        for (int i = 0; i < 4; i++) {
          ref[i] = u.refFrameDeltas().get(i).map(Delta::value).orElse(0);
          mode[i] = u.mbModeDeltas().get(i).map(Delta::value).orElse(0);
        }
      });
    } else {
      InForce f = new InForce(before.state(), kf);
      System.arraycopy(f.refLfDeltas, 0, ref, 0, 4);
      System.arraycopy(f.modeLfDeltas, 0, mode, 0, 4);
    }
    List<Optional<Delta>> r = new ArrayList<>(4);
    List<Optional<Delta>> m = new ArrayList<>(4);
    for (int i = 0; i < 4; i++) {
      r.add(Optional.of(Delta.of(ref[i])));
      m.add(Optional.of(Delta.of(mode[i])));
    }
    return new ModeRefLfDeltaUpdate(r, m);
  }

  /**
   * The loop filter level with the least luma error against the target (libvpx
   * vp8cx_pick_filter_level in spirit): a coarse-to-fine search over 0..63.
   */
  private int searchFilterLevel(HeaderSpec spec) {
    boolean simple = spec.filterType == 1;
    int sharp = spec.sharpness;
    long[] memo = new long[64];
    java.util.Arrays.fill(memo, -1);
    // Start from the replaced key frame's level: libvpx chose it for this picture at a nearby
    // quantizer, so the optimum is rarely far (steps of 4, 2, 1 from there).
    int best = Math.max(0, Math.min(63, spec.loopFilterLevel));
    long bestSse = sse(memo, best, sharp, simple);
    for (int step = 4; step >= 1; step >>= 1) {
      boolean moved = true;
      while (moved) {
        moved = false;
        for (int d : new int[] {-step, step}) {
          int lv = best + d;
          if (lv < 0 || lv > 63) {
            continue;
          }
          long s = sse(memo, lv, sharp, simple);
          if (s < bestSse) {
            bestSse = s;
            best = lv;
            moved = true;
          }
        }
      }
    }
    return best;
  }

  private long sse(long[] memo, int level, int sharp, boolean simple) {
    if (memo[level] < 0) {
      memo[level] = coder.filteredSse(level, sharp, simple);
    }
    return memo[level];
  }

  /** Chooses the probabilities, writes the frame and decodes it. */
  private Encoded finish(DecoderSnapshot before, HeaderSpec spec, boolean chooseAll) {
    ProbabilityChoice.macroblockProbs(coder, spec);
    spec.tokens = ProbabilityChoice.tokenUpdate(before.state().coeffProbs(), coder.tokenCounts);
    spec.mvProbs = ProbabilityChoice.mvUpdate(before.state().mvProbs(), coder.mvCounts);
    spec.yModeProbs = ProbabilityChoice.modeUpdate(before.state().yModeProbs(), coder.yModeCounts);
    spec.uvModeProbs = ProbabilityChoice.modeUpdate(before.state().uvModeProbs(), coder.uvModeCounts);
    FrameHeader h = spec.build();
    coder.fb.header(h);
    byte[] bytes = FrameWriter.write(coder.fb);
    ParsedFrame parsed = Decoder.parse(bytes, before.state());
    DecodedFrame d = decoder.reconstruct(parsed, before.references());
    return new Encoded(bytes, d);
  }

  /** ExCamera's quantizer for a re-encoded key frame: y_ac_qi blended with the next frame's. */
  static QuantIndices blendedQuant(FrameHeader kf, Optional<FrameHeader> next, double weight) {
    QuantIndices q = kf.quantIndices();
    if (next.isEmpty() || next.get().keyFrame()) {
      return q;
    }
    int qi = (int) StrictMath.round(weight * q.yAcQi() + (1 - weight) * next.get().quantIndices().yAcQi());
    qi = Math.max(0, Math.min(127, qi));
    return new QuantIndices(qi, q.yDcDelta(), q.y2DcDelta(), q.y2AcDelta(), q.uvDcDelta(), q.uvAcDelta());
  }
}
