package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.FrameTag;
import io.tinythreads.vp8.header.ModeRefLfDeltaUpdate;
import io.tinythreads.vp8.header.MvProbUpdate;
import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.SegmentationUpdate;
import io.tinythreads.vp8.header.TokenProbUpdate;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A mutable interframe header under construction (RFC 6386 section 19.2 fields), turned into an
 * immutable {@link FrameHeader} by {@link #build()}. Starts from an existing header (rebase keeps
 * the original's fields) or from defaults (encode-given-state).
 */
final class HeaderSpec {
  int version;
  boolean show = true;
  boolean segmentationEnabled;
  Optional<SegmentationUpdate> segmentation = Optional.empty();
  int filterType;
  int loopFilterLevel;
  int sharpness;
  boolean lfAdjEnable;
  Optional<ModeRefLfDeltaUpdate> lfDeltaUpdate = Optional.empty();
  int log2Partitions;
  QuantIndices quant;
  boolean refreshGolden;
  boolean refreshAlt;
  int copyToGolden;
  int copyToAlt;
  boolean signBiasGolden;
  boolean signBiasAlt;
  boolean refreshEntropy = true;
  boolean refreshLast = true;
  TokenProbUpdate tokens = TokenProbUpdate.none();
  boolean mbNoCoeffSkip = true;
  int probSkipFalse = 128;
  int probIntra = 128;
  int probLast = 128;
  int probGf = 128;
  Optional<List<Integer>> yModeProbs = Optional.empty();
  Optional<List<Integer>> uvModeProbs = Optional.empty();
  MvProbUpdate mvProbs = MvProbUpdate.none();

  /** An interframe header with no updates, refreshing nothing but last. */
  HeaderSpec(QuantIndices quant) {
    this.quant = quant;
  }

  /** A copy of {@code h}'s fields (a key frame's become the interframe equivalents). */
  static HeaderSpec from(FrameHeader h) {
    HeaderSpec s = new HeaderSpec(h.quantIndices());
    s.version = h.tag().version();
    s.show = h.tag().showFrame();
    s.segmentationEnabled = h.segmentationEnabled();
    s.segmentation = h.segmentation();
    s.filterType = h.filterType();
    s.loopFilterLevel = h.loopFilterLevel();
    s.sharpness = h.sharpnessLevel();
    s.lfAdjEnable = h.loopFilterAdjEnable();
    s.lfDeltaUpdate = h.modeRefLfDeltaUpdate();
    s.log2Partitions = h.log2NbrOfDctPartitions();
    s.refreshGolden = h.refreshGoldenFrame();
    s.refreshAlt = h.refreshAlternateFrame();
    s.copyToGolden = h.copyBufferToGolden();
    s.copyToAlt = h.copyBufferToAlternate();
    s.signBiasGolden = h.signBiasGolden();
    s.signBiasAlt = h.signBiasAlternate();
    s.refreshEntropy = h.refreshEntropyProbs();
    s.refreshLast = h.refreshLast();
    s.tokens = h.tokenProbUpdate();
    s.mbNoCoeffSkip = h.mbNoCoeffSkip();
    s.probSkipFalse = h.probSkipFalse();
    s.probIntra = h.probIntra();
    s.probLast = h.probLast();
    s.probGf = h.probGf();
    s.yModeProbs = h.intra16x16Probs();
    s.uvModeProbs = h.intraChromaProbs();
    s.mvProbs = h.mvProbUpdate();
    return s;
  }

  /** Refresh last, golden and altref with this frame, copying no buffer. */
  HeaderSpec refreshAll() {
    refreshGolden = true;
    refreshAlt = true;
    refreshLast = true;
    copyToGolden = 0;
    copyToAlt = 0;
    return this;
  }

  FrameHeader build() {
    List<Integer> sizes = Collections.nCopies(1 << log2Partitions, 0);
    return new FrameHeader(new FrameTag(false, version, show, 0), Optional.empty(), 0, 0, segmentationEnabled,
        segmentation, filterType, loopFilterLevel, sharpness, lfAdjEnable, lfDeltaUpdate, log2Partitions, sizes,
        quant, refreshGolden, refreshAlt, refreshGolden ? 0 : copyToGolden, refreshAlt ? 0 : copyToAlt,
        signBiasGolden, signBiasAlt, refreshEntropy, refreshLast, tokens, mbNoCoeffSkip,
        mbNoCoeffSkip ? probSkipFalse : 0, probIntra, probLast, probGf, yModeProbs, uvModeProbs, mvProbs);
  }
}
