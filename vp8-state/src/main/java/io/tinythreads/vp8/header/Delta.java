package io.tinythreads.vp8.header;

/**
 * A signed value coded as a magnitude and a sign bit (RFC 6386 section 9.3, 9.6, 19.2). Both are
 * kept as coded, so "-0" survives a parse and re-write unchanged.
 *
 * @param magnitude the unsigned magnitude as coded
 * @param negative the sign bit
 */
public record Delta(int magnitude, boolean negative) {
  public Delta {
    if (magnitude < 0 || magnitude > 0x7F) {
      throw new IllegalArgumentException("magnitude must be 0..127: " + magnitude);
    }
  }

  /** The signed value. */
  public int value() {
    return negative ? -magnitude : magnitude;
  }

  /** The canonical coding of {@code value} (positive sign for 0). */
  public static Delta of(int value) {
    return new Delta(Math.abs(value), value < 0);
  }
}
