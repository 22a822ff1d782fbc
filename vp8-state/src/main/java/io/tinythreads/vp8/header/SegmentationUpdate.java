package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.BoolDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * update_segmentation() of RFC 6386 section 9.3 / 19.2, present when segmentation_enabled is 1.
 *
 * <pre>
 *   update_mb_segmentation_map      L(1)
 *   update_segment_feature_data     L(1)
 *   if (update_segment_feature_data)   segment_feature_mode L(1), 4 x quantizer, 4 x loop filter
 *   if (update_mb_segmentation_map)    3 x [ segment_prob_update L(1), segment_prob L(8) ]
 * </pre>
 *
 * @param updateMbSegmentationMap whether each macroblock codes its segment id this frame
 * @param featureData present iff update_segment_feature_data
 * @param mapProbs 3 entries iff updateMbSegmentationMap (empty = not coded = 255), else empty list
 */
public record SegmentationUpdate(
    boolean updateMbSegmentationMap, Optional<SegmentFeatureData> featureData, List<Optional<Integer>> mapProbs) {

  public SegmentationUpdate {
    mapProbs = List.copyOf(mapProbs);
    if (mapProbs.size() != (updateMbSegmentationMap ? 3 : 0)) {
      throw new IllegalArgumentException("mapProbs must have 3 entries iff the map is updated");
    }
    for (Optional<Integer> p : mapProbs) {
      if (p.isPresent() && (p.get() < 0 || p.get() > 255)) {
        throw new IllegalArgumentException("segment prob must be 0..255: " + p.get());
      }
    }
  }

  public static SegmentationUpdate read(BoolDecoder bd) {
    boolean updateMap = bd.readFlag();
    boolean updateData = bd.readFlag();
    Optional<SegmentFeatureData> data = Optional.empty();
    if (updateData) {
      data = Optional.of(SegmentFeatureData.read(bd));
    }
    List<Optional<Integer>> probs = new ArrayList<>(3);
    if (updateMap) {
      for (int i = 0; i < 3; i++) {
        probs.add(bd.readFlag() ? Optional.of(bd.readLiteral(8)) : Optional.empty());
      }
    }
    return new SegmentationUpdate(updateMap, data, probs);
  }

  /** The effective tree probability {@code i} (255 when not coded). */
  public int mapProb(int i) {
    return mapProbs.get(i).orElse(255);
  }

  /**
   * Segment feature data (quantizer and loop filter level per segment).
   *
   * @param absolute segment_feature_mode: true = absolute values, false = deltas
   * @param quantizer 4 entries: 7-bit magnitude and sign, empty = 0
   * @param loopFilter 4 entries: 6-bit magnitude and sign, empty = 0
   */
  public record SegmentFeatureData(boolean absolute, List<Optional<Delta>> quantizer, List<Optional<Delta>> loopFilter) {
    public SegmentFeatureData {
      quantizer = List.copyOf(quantizer);
      loopFilter = List.copyOf(loopFilter);
      if (quantizer.size() != 4 || loopFilter.size() != 4) {
        throw new IllegalArgumentException("need 4 quantizer and 4 loop filter entries");
      }
      for (Optional<Delta> d : loopFilter) {
        if (d.isPresent() && d.get().magnitude() > 63) {
          throw new IllegalArgumentException("loop filter magnitude must be 0..63: " + d.get());
        }
      }
    }

    static SegmentFeatureData read(BoolDecoder bd) {
      boolean abs = bd.readFlag();
      List<Optional<Delta>> q = new ArrayList<>(4);
      List<Optional<Delta>> lf = new ArrayList<>(4);
      for (int i = 0; i < 4; i++) {
        q.add(readValue(bd, 7));
      }
      for (int i = 0; i < 4; i++) {
        lf.add(readValue(bd, 6));
      }
      return new SegmentFeatureData(abs, q, lf);
    }

    private static Optional<Delta> readValue(BoolDecoder bd, int bits) {
      if (!bd.readFlag()) {
        return Optional.empty();
      }
      int m = bd.readLiteral(bits);
      return Optional.of(new Delta(m, bd.readFlag()));
    }

    public int quantizerValue(int segment) {
      return quantizer.get(segment).map(Delta::value).orElse(0);
    }

    public int loopFilterValue(int segment) {
      return loopFilter.get(segment).map(Delta::value).orElse(0);
    }
  }
}
