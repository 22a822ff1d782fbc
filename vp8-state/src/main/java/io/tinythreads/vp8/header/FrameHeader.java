package io.tinythreads.vp8.header;

import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.bool.BoolDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A VP8 frame header: the uncompressed data chunk (RFC 6386 section 9.1) and the frame header at
 * the start of the first partition (section 9.2 to 9.11, syntax in section 19.2), field for field.
 * Every coded syntax element is kept as coded, so that a writer can reproduce the header bit for bit.
 *
 * <p>Fields that a key frame does not code hold the values a key frame implies: refresh of golden,
 * altref and last, no buffer copies, sign biases 0, and 0 for prob_intra, prob_last, prob_gf.
 * {@code colorSpace} and {@code clampingType} are 0 on interframes (not coded).
 *
 * @param tag the 3-byte frame tag
 * @param keyFrameStart present on key frames: start code, sizes and scaling codes
 * @param colorSpace key frames: color_space L(1)
 * @param clampingType key frames: clamping_type L(1) (0 = decoder must clamp pixel values). libvpx
 *     ignores it (it always clamps pixels, and clamps motion vectors regardless), and so does this
 *     decoder; it is kept for re-writing
 * @param segmentationEnabled segmentation_enabled L(1)
 * @param segmentation present iff segmentationEnabled
 * @param filterType filter_type L(1): 0 = normal, 1 = simple loop filter
 * @param loopFilterLevel loop_filter_level L(6)
 * @param sharpnessLevel sharpness_level L(3)
 * @param loopFilterAdjEnable loop_filter_adj_enable L(1)
 * @param modeRefLfDeltaUpdate present iff loopFilterAdjEnable and mode_ref_lf_delta_update
 * @param log2NbrOfDctPartitions log2_nbr_of_dct_partitions L(2)
 * @param partitionSizes the byte size of each token partition (1, 2, 4 or 8 entries); the last is implicit in the stream
 * @param quantIndices quant_indices()
 * @param refreshGoldenFrame refresh_golden_frame L(1)
 * @param refreshAlternateFrame refresh_alternate_frame L(1)
 * @param copyBufferToGolden copy_buffer_to_golden L(2) (0 none, 1 last, 2 altref), coded iff !refreshGoldenFrame
 * @param copyBufferToAlternate copy_buffer_to_alternate L(2) (0 none, 1 last, 2 golden), coded iff !refreshAlternateFrame
 * @param signBiasGolden sign_bias_golden L(1)
 * @param signBiasAlternate sign_bias_alternate L(1)
 * @param refreshEntropyProbs refresh_entropy_probs L(1): 0 = this frame's probability updates are discarded after it
 * @param refreshLast refresh_last L(1)
 * @param tokenProbUpdate token_prob_update()
 * @param mbNoCoeffSkip mb_no_coeff_skip L(1)
 * @param probSkipFalse prob_skip_false L(8), coded iff mbNoCoeffSkip (else 0)
 * @param probIntra prob_intra L(8) (interframes)
 * @param probLast prob_last L(8) (interframes)
 * @param probGf prob_gf L(8) (interframes)
 * @param intra16x16Probs interframes: 4 new ymode probabilities iff intra_16x16_prob_update_flag
 * @param intraChromaProbs interframes: 3 new uv mode probabilities iff intra_chroma_prob_update_flag
 * @param mvProbUpdate interframes: mv_prob_update() ({@link MvProbUpdate#none()} on key frames)
 */
public record FrameHeader(
    FrameTag tag,
    Optional<KeyFrameStart> keyFrameStart,
    int colorSpace,
    int clampingType,
    boolean segmentationEnabled,
    Optional<SegmentationUpdate> segmentation,
    int filterType,
    int loopFilterLevel,
    int sharpnessLevel,
    boolean loopFilterAdjEnable,
    Optional<ModeRefLfDeltaUpdate> modeRefLfDeltaUpdate,
    int log2NbrOfDctPartitions,
    List<Integer> partitionSizes,
    QuantIndices quantIndices,
    boolean refreshGoldenFrame,
    boolean refreshAlternateFrame,
    int copyBufferToGolden,
    int copyBufferToAlternate,
    boolean signBiasGolden,
    boolean signBiasAlternate,
    boolean refreshEntropyProbs,
    boolean refreshLast,
    TokenProbUpdate tokenProbUpdate,
    boolean mbNoCoeffSkip,
    int probSkipFalse,
    int probIntra,
    int probLast,
    int probGf,
    Optional<List<Integer>> intra16x16Probs,
    Optional<List<Integer>> intraChromaProbs,
    MvProbUpdate mvProbUpdate) {

  public FrameHeader {
    partitionSizes = List.copyOf(partitionSizes);
    intra16x16Probs = intra16x16Probs.map(List::copyOf);
    intraChromaProbs = intraChromaProbs.map(List::copyOf);
    if (tag.keyFrame() != keyFrameStart.isPresent()) {
      throw new IllegalArgumentException("keyFrameStart must be present exactly on key frames");
    }
    if (segmentationEnabled != segmentation.isPresent()) {
      throw new IllegalArgumentException("segmentation must be present exactly when enabled");
    }
    if (modeRefLfDeltaUpdate.isPresent() && !loopFilterAdjEnable) {
      throw new IllegalArgumentException("modeRefLfDeltaUpdate needs loopFilterAdjEnable");
    }
    if (log2NbrOfDctPartitions < 0 || log2NbrOfDctPartitions > 3
        || partitionSizes.size() != 1 << log2NbrOfDctPartitions) {
      throw new IllegalArgumentException("need 1 << log2NbrOfDctPartitions partition sizes");
    }
    if (filterType < 0 || filterType > 1 || loopFilterLevel < 0 || loopFilterLevel > 63
        || sharpnessLevel < 0 || sharpnessLevel > 7) {
      throw new IllegalArgumentException("loop filter fields out of range");
    }
    if (copyBufferToGolden < 0 || copyBufferToGolden > 3 || copyBufferToAlternate < 0 || copyBufferToAlternate > 3) {
      throw new IllegalArgumentException("copy buffer fields must be 0..3");
    }
    if ((refreshGoldenFrame && copyBufferToGolden != 0) || (refreshAlternateFrame && copyBufferToAlternate != 0)) {
      throw new IllegalArgumentException("a refreshed buffer codes no copy");
    }
    if (intra16x16Probs.isPresent() && intra16x16Probs.get().size() != 4
        || intraChromaProbs.isPresent() && intraChromaProbs.get().size() != 3) {
      throw new IllegalArgumentException("need 4 intra 16x16 and 3 chroma probabilities");
    }
  }

  public boolean keyFrame() {
    return tag.keyFrame();
  }

  /** Number of token partitions (1, 2, 4 or 8). */
  public int numPartitions() {
    return 1 << log2NbrOfDctPartitions;
  }

  /** Offset of the first partition (after the tag, and the key frame start on key frames). */
  public int firstPartitionOffset() {
    return FrameTag.SIZE + (tag.keyFrame() ? KeyFrameStart.SIZE : 0);
  }

  /** Offset of token partition {@code i} within the frame. */
  public int partitionOffset(int i) {
    int off = firstPartitionOffset() + tag.firstPartSize() + 3 * (numPartitions() - 1);
    for (int k = 0; k < i; k++) {
      off += partitionSizes.get(k);
    }
    return off;
  }

  /** The segment tree probability {@code i} in effect for this frame (255 if not coded). */
  public int segmentTreeProb(int i) {
    return segmentation.filter(SegmentationUpdate::updateMbSegmentationMap).map(s -> s.mapProb(i)).orElse(255);
  }

  /** Whether macroblocks code their segment id in this frame. */
  public boolean updateMbSegmentationMap() {
    return segmentation.map(SegmentationUpdate::updateMbSegmentationMap).orElse(false);
  }

  /**
   * Parses the uncompressed chunk and the frame header of {@code frame}. The first-partition
   * decoder is returned through {@code firstPartition[0]}, positioned at the first macroblock
   * header; pass {@code null} when only the header is wanted.
   *
   * @throws InvalidBitstreamException for truncated or inconsistent data (named in the message)
   */
  public static FrameHeader read(byte[] frame, BoolDecoder[] firstPartition) {
    FrameTag tag = FrameTag.read(frame);
    if (tag.firstPartSize() == 0) {
      throw new InvalidBitstreamException("corrupt first partition size 0");
    }
    int off = FrameTag.SIZE;
    Optional<KeyFrameStart> start = Optional.empty();
    if (tag.keyFrame()) {
      start = Optional.of(KeyFrameStart.read(frame, off));
      off += KeyFrameStart.SIZE;
    }
    int avail = frame.length - off;
    if (avail < tag.firstPartSize()) {
      throw new InvalidBitstreamException("truncated first partition: size " + tag.firstPartSize() + ", "
          + avail + " bytes available");
    }
    // libvpx runs the first-partition decoder over the whole rest of the frame, so a corrupt first
    // partition overreads into the token partitions exactly as it does there.
    BoolDecoder bd = new BoolDecoder(frame, off, avail);
    FrameHeader h = readCompressed(bd, tag, start, frame, off);
    if (firstPartition != null) {
      firstPartition[0] = bd;
    }
    return h;
  }

  /** Parses only the header of {@code frame}. */
  public static FrameHeader parse(byte[] frame) {
    return read(frame, null);
  }

  private static FrameHeader readCompressed(
      BoolDecoder bd, FrameTag tag, Optional<KeyFrameStart> start, byte[] frame, int firstOff) {
    boolean key = tag.keyFrame();
    int colorSpace = 0;
    int clamping = 0;
    if (key) {
      colorSpace = bd.readBit();
      clamping = bd.readBit();
    }
    boolean segEnabled = bd.readFlag();
    Optional<SegmentationUpdate> seg = segEnabled ? Optional.of(SegmentationUpdate.read(bd)) : Optional.empty();
    int filterType = bd.readBit();
    int level = bd.readLiteral(6);
    int sharpness = bd.readLiteral(3);
    boolean adj = bd.readFlag();
    Optional<ModeRefLfDeltaUpdate> deltas = Optional.empty();
    if (adj && bd.readFlag()) {
      deltas = Optional.of(ModeRefLfDeltaUpdate.read(bd));
    }
    int log2Parts = bd.readLiteral(2);
    List<Integer> sizes = partitionSizes(frame, firstOff, tag.firstPartSize(), 1 << log2Parts);
    QuantIndices q = QuantIndices.read(bd);
    boolean refreshGolden = true;
    boolean refreshAlt = true;
    int copyGolden = 0;
    int copyAlt = 0;
    boolean biasGolden = false;
    boolean biasAlt = false;
    if (!key) {
      refreshGolden = bd.readFlag();
      refreshAlt = bd.readFlag();
      if (!refreshGolden) {
        copyGolden = bd.readLiteral(2);
      }
      if (!refreshAlt) {
        copyAlt = bd.readLiteral(2);
      }
      biasGolden = bd.readFlag();
      biasAlt = bd.readFlag();
    }
    boolean refreshEntropy = bd.readFlag();
    boolean refreshLast = key || bd.readFlag();
    TokenProbUpdate tokens = TokenProbUpdate.read(bd);
    boolean noCoeffSkip = bd.readFlag();
    int probSkipFalse = noCoeffSkip ? bd.readLiteral(8) : 0;
    int probIntra = 0;
    int probLast = 0;
    int probGf = 0;
    Optional<List<Integer>> ymode = Optional.empty();
    Optional<List<Integer>> uvmode = Optional.empty();
    MvProbUpdate mv = MvProbUpdate.none();
    if (!key) {
      probIntra = bd.readLiteral(8);
      probLast = bd.readLiteral(8);
      probGf = bd.readLiteral(8);
      if (bd.readFlag()) {
        ymode = Optional.of(readProbs(bd, 4));
      }
      if (bd.readFlag()) {
        uvmode = Optional.of(readProbs(bd, 3));
      }
      mv = MvProbUpdate.read(bd);
    }
    return new FrameHeader(tag, start, colorSpace, clamping, segEnabled, seg, filterType, level, sharpness, adj,
        deltas, log2Parts, sizes, q, refreshGolden, refreshAlt, copyGolden, copyAlt, biasGolden, biasAlt,
        refreshEntropy, refreshLast, tokens, noCoeffSkip, probSkipFalse, probIntra, probLast, probGf, ymode,
        uvmode, mv);
  }

  private static List<Integer> readProbs(BoolDecoder bd, int n) {
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(bd.readLiteral(8));
    }
    return l;
  }

  /**
   * The token partition sizes (RFC 6386 section 9.5): 3-byte little-endian sizes of all but the
   * last partition follow the first partition; the last takes the rest of the frame. Validated as
   * libvpx does: a size of 0 or beyond the data is corrupt. Partitions beyond the end of the data
   * are empty (they decode as zeros).
   */
  private static List<Integer> partitionSizes(byte[] frame, int firstOff, int firstSize, int num) {
    int table = firstOff + firstSize;
    int dataStart = table + 3 * (num - 1);
    if (dataStart > frame.length) {
      throw new InvalidBitstreamException("truncated partition size table: " + num + " partitions need "
          + (dataStart - table) + " bytes, " + Math.max(0, frame.length - table) + " available");
    }
    List<Integer> sizes = new ArrayList<>(num);
    int remaining = frame.length - dataStart;
    for (int i = 0; i < num; i++) {
      int size;
      if (remaining == 0) {
        size = 0;
      } else if (i < num - 1) {
        int p = table + 3 * i;
        size = (frame[p] & 0xFF) | (frame[p + 1] & 0xFF) << 8 | (frame[p + 2] & 0xFF) << 16;
        if (size == 0 || size > remaining) {
          throw new InvalidBitstreamException("corrupt token partition " + (i + 1) + " size " + size + ", "
              + remaining + " bytes remain");
        }
      } else {
        size = remaining;
      }
      sizes.add(size);
      remaining -= size;
    }
    return sizes;
  }
}
