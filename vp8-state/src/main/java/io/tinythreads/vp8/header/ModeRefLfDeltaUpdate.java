package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.BoolDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The delta update of mb_lf_adjustments() (RFC 6386 section 9.6 / 19.2), present when
 * loop_filter_adj_enable and mode_ref_lf_delta_update are both 1. An empty entry keeps the previous
 * delta (deltas persist across frames until the next key frame).
 *
 * <pre>
 *   4 x [ ref_frame_delta_update_flag L(1), delta_magnitude L(6), delta_sign L(1) ]   intra, last, golden, altref
 *   4 x [ mb_mode_delta_update_flag L(1),   delta_magnitude L(6), delta_sign L(1) ]   B_PRED, ZEROMV, NEAREST/NEAR/NEW, SPLITMV
 * </pre>
 */
public record ModeRefLfDeltaUpdate(List<Optional<Delta>> refFrameDeltas, List<Optional<Delta>> mbModeDeltas) {
  public ModeRefLfDeltaUpdate {
    refFrameDeltas = List.copyOf(refFrameDeltas);
    mbModeDeltas = List.copyOf(mbModeDeltas);
    if (refFrameDeltas.size() != 4 || mbModeDeltas.size() != 4) {
      throw new IllegalArgumentException("need 4 ref frame and 4 mode deltas");
    }
    for (List<Optional<Delta>> l : List.of(refFrameDeltas, mbModeDeltas)) {
      for (Optional<Delta> d : l) {
        if (d.isPresent() && d.get().magnitude() > 63) {
          throw new IllegalArgumentException("loop filter delta magnitude must be 0..63: " + d.get());
        }
      }
    }
  }

  public static ModeRefLfDeltaUpdate read(BoolDecoder bd) {
    List<Optional<Delta>> ref = new ArrayList<>(4);
    List<Optional<Delta>> mode = new ArrayList<>(4);
    for (int i = 0; i < 4; i++) {
      ref.add(readOne(bd));
    }
    for (int i = 0; i < 4; i++) {
      mode.add(readOne(bd));
    }
    return new ModeRefLfDeltaUpdate(ref, mode);
  }

  private static Optional<Delta> readOne(BoolDecoder bd) {
    if (!bd.readFlag()) {
      return Optional.empty();
    }
    int m = bd.readLiteral(6);
    return Optional.of(new Delta(m, bd.readFlag()));
  }
}
