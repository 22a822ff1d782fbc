package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.BoolDecoder;
import java.util.Optional;

/**
 * quant_indices() of RFC 6386 section 9.6 / 19.2: the base quantizer index and five optional
 * 4-bit signed deltas.
 *
 * <pre>
 *   y_ac_qi                 L(7)
 *   y_dc_delta_present      L(1)  [ y_dc_delta_magnitude L(4), y_dc_delta_sign L(1) ]
 *   y2_dc_delta_present     ...
 *   y2_ac_delta_present     ...
 *   uv_dc_delta_present     ...
 *   uv_ac_delta_present     ...
 * </pre>
 */
public record QuantIndices(
    int yAcQi,
    Optional<Delta> yDcDelta,
    Optional<Delta> y2DcDelta,
    Optional<Delta> y2AcDelta,
    Optional<Delta> uvDcDelta,
    Optional<Delta> uvAcDelta) {

  public QuantIndices {
    if (yAcQi < 0 || yAcQi > 127) {
      throw new IllegalArgumentException("yAcQi must be 0..127: " + yAcQi);
    }
    for (Optional<Delta> d : new Optional[] {yDcDelta, y2DcDelta, y2AcDelta, uvDcDelta, uvAcDelta}) {
      if (d.isPresent() && d.get().magnitude() > 15) {
        throw new IllegalArgumentException("quantizer delta magnitude must be 0..15: " + d.get());
      }
    }
  }

  public static QuantIndices read(BoolDecoder bd) {
    int q = bd.readLiteral(7);
    return new QuantIndices(q, readDelta(bd), readDelta(bd), readDelta(bd), readDelta(bd), readDelta(bd));
  }

  private static Optional<Delta> readDelta(BoolDecoder bd) {
    if (!bd.readFlag()) {
      return Optional.empty();
    }
    int m = bd.readLiteral(4);
    return Optional.of(new Delta(m, bd.readFlag()));
  }

  public int yDc() {
    return yDcDelta.map(Delta::value).orElse(0);
  }

  public int y2Dc() {
    return y2DcDelta.map(Delta::value).orElse(0);
  }

  public int y2Ac() {
    return y2AcDelta.map(Delta::value).orElse(0);
  }

  public int uvDc() {
    return uvDcDelta.map(Delta::value).orElse(0);
  }

  public int uvAc() {
    return uvAcDelta.map(Delta::value).orElse(0);
  }
}
