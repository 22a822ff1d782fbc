package io.tinythreads.vp8.header;

import io.tinythreads.vp8.bool.BoolDecoder;
import java.util.Arrays;

/**
 * token_prob_update() of RFC 6386 section 13.4 / 19.3: for each of the 1056 token probabilities, a
 * flag coded with {@link Tables#coeffUpdateProb} and, if set, a new 8-bit value.
 *
 * <p>Immutable; holds the raw coded values ({@code -1} = not updated).
 */
public final class TokenProbUpdate {
  private final short[] values;

  private TokenProbUpdate(short[] values) {
    this.values = values;
  }

  /** An update that changes nothing. */
  public static TokenProbUpdate none() {
    short[] v = new short[Tables.NUM_COEFF_PROBS];
    Arrays.fill(v, (short) -1);
    return new TokenProbUpdate(v);
  }

  /** An update from raw values, {@code -1} = not updated, else 0..255. */
  public static TokenProbUpdate of(int[] raw) {
    if (raw.length != Tables.NUM_COEFF_PROBS) {
      throw new IllegalArgumentException("need " + Tables.NUM_COEFF_PROBS + " entries, got " + raw.length);
    }
    short[] v = new short[raw.length];
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] < -1 || raw[i] > 255) {
        throw new IllegalArgumentException("entry " + i + " must be -1..255: " + raw[i]);
      }
      v[i] = (short) raw[i];
    }
    return new TokenProbUpdate(v);
  }

  public static TokenProbUpdate read(BoolDecoder bd) {
    short[] v = new short[Tables.NUM_COEFF_PROBS];
    for (int i = 0; i < v.length; i++) {
      v[i] = bd.readBool(Tables.coeffUpdateProb(i)) != 0 ? (short) bd.readLiteral(8) : -1;
    }
    return new TokenProbUpdate(v);
  }

  /** Whether probability {@code index} (flat [type][band][ctx][node]) is updated. */
  public boolean updated(int index) {
    return values[index] >= 0;
  }

  /** The new value of probability {@code index}, or -1 if not updated. */
  public int value(int index) {
    return values[index];
  }

  /** Number of updated probabilities. */
  public int count() {
    int n = 0;
    for (short s : values) {
      if (s >= 0) {
        n++;
      }
    }
    return n;
  }

  /** Writes the updated values into {@code probs} (1056 entries). */
  public void applyTo(byte[] probs) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] >= 0) {
        probs[i] = (byte) values[i];
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenProbUpdate t && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "TokenProbUpdate[" + count() + " updated]";
  }
}
