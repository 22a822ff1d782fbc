package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.BoolDecoder;
import java.util.Arrays;

/**
 * mv_prob_update() of RFC 6386 section 17.2 / 19.2: for the 2 x 19 motion vector probabilities, a
 * flag coded with {@link Tables#mvUpdateProb} and, if set, a 7-bit value {@code x}; the new
 * probability is {@code x != 0 ? x << 1 : 1}.
 *
 * <p>Immutable; holds the raw 7-bit values ({@code -1} = not updated).
 */
public final class MvProbUpdate {
  public static final int COUNT = 2 * Tables.MV_PROBS_PER_COMPONENT;
  private final byte[] values;

  private MvProbUpdate(byte[] values) {
    this.values = values;
  }

  public static MvProbUpdate none() {
    byte[] v = new byte[COUNT];
    Arrays.fill(v, (byte) -1);
    return new MvProbUpdate(v);
  }

  /** From raw 7-bit values, {@code -1} = not updated. */
  public static MvProbUpdate of(int[] raw) {
    if (raw.length != COUNT) {
      throw new IllegalArgumentException("need " + COUNT + " entries, got " + raw.length);
    }
    byte[] v = new byte[COUNT];
    for (int i = 0; i < COUNT; i++) {
      if (raw[i] < -1 || raw[i] > 127) {
        throw new IllegalArgumentException("entry " + i + " must be -1..127: " + raw[i]);
      }
      v[i] = (byte) raw[i];
    }
    return new MvProbUpdate(v);
  }

  public static MvProbUpdate read(BoolDecoder bd) {
    byte[] v = new byte[COUNT];
    for (int i = 0; i < COUNT; i++) {
      v[i] = bd.readBool(Tables.mvUpdateProb(i)) != 0 ? (byte) bd.readLiteral(7) : -1;
    }
    return new MvProbUpdate(v);
  }

  public boolean updated(int index) {
    return values[index] >= 0;
  }

  /** The raw 7-bit value, or -1. */
  public int rawValue(int index) {
    return values[index];
  }

  /** Writes the updated probabilities into {@code probs} (38 entries). */
  public void applyTo(byte[] probs) {
    for (int i = 0; i < COUNT; i++) {
      int x = values[i];
      if (x >= 0) {
        probs[i] = (byte) (x != 0 ? x << 1 : 1);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MvProbUpdate m && Arrays.equals(values, m.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    int n = 0;
    for (byte b : values) {
      if (b >= 0) {
        n++;
      }
    }
    return "MvProbUpdate[" + n + " updated]";
  }
}
