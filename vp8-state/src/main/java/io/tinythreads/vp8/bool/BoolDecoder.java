package io.tinythreads.vp8.bool;

/**
 * The boolean entropy decoder of RFC 6386 section 7 (and 20.2), over a byte range of one partition.
 *
 * <p>It keeps a 64-bit window like libvpx's {@code dboolhuff} so that the moment it runs out of data
 * is identical: past the end it shifts in zeros (as libvpx does), and {@link #hasError()} reports,
 * with libvpx's exact timing, that bits beyond the end have been consumed. libvpx skips the tokens of
 * a macroblock when that flag is set, so a bit-exact decoder needs the same flag.
 *
 * <p>The window holds {@code count + 8} valid bits at its top; {@code value} is compared unsigned.
 */
public final class BoolDecoder {
  /** libvpx VP8_LOTS_OF_BITS: added to {@code count} once the data is exhausted. */
  private static final int LOTS_OF_BITS = 0x40000000;
  private static final int VALUE_SIZE = 64;

  private final byte[] buf;
  private int pos;
  private final int end;
  private long value;
  private int count;
  private int range;

  /**
   * Starts decoding {@code len} bytes of {@code buf} at {@code off}.
   *
   * @throws IllegalArgumentException if the range is outside {@code buf}
   */
  public BoolDecoder(byte[] buf, int off, int len) {
    if (off < 0 || len < 0 || off > buf.length - len) {
      throw new IllegalArgumentException("range " + off + "+" + len + " outside buffer of " + buf.length);
    }
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
    this.value = 0;
    this.count = -8;
    this.range = 255;
    fill();
  }

  /** Loads whole bytes into the window (libvpx vp8dx_bool_decoder_fill). */
  private void fill() {
    int shift = VALUE_SIZE - 8 - (count + 8);
    long bitsLeft = (long) (end - pos) * 8;
    long x = shift + 8 - bitsLeft;
    int loopEnd = 0;
    if (x >= 0) {
      count += LOTS_OF_BITS;
      loopEnd = (int) x;
    }
    if (x < 0 || bitsLeft != 0) {
      long v = value;
      int c = count;
      int p = pos;
      while (shift >= loopEnd) {
        c += 8;
        v |= (long) (buf[p++] & 0xFF) << shift;
        shift -= 8;
      }
      value = v;
      count = c;
      pos = p;
    }
  }

  /** Decodes one bool whose probability of being 0 is {@code prob}/256 (RFC 6386 section 7.3). */
  public int readBool(int prob) {
    int split = 1 + (((range - 1) * prob) >> 8);
    if (count < 0) {
      fill();
    }
    long v = value;
    long bigSplit = (long) split << (VALUE_SIZE - 8);
    int r;
    int bit;
    if (Long.compareUnsigned(v, bigSplit) >= 0) {
      r = range - split;
      v -= bigSplit;
      bit = 1;
    } else {
      r = split;
      bit = 0;
    }
    // r is in 1..254; shift it back to 128..254.
    int shift = Integer.numberOfLeadingZeros(r) - 24;
    range = r << shift;
    value = v << shift;
    count -= shift;
    return bit;
  }

  /** Decodes a bool with probability 1/2. */
  public int readBit() {
    return readBool(128);
  }

  /** True if one bool with probability 1/2 decodes as 1. */
  public boolean readFlag() {
    return readBool(128) != 0;
  }

  /** Decodes an unsigned {@code bits}-bit literal, most significant bit first (RFC 6386 L(n)). */
  public int readLiteral(int bits) {
    int v = 0;
    for (int b = bits - 1; b >= 0; b--) {
      v |= readBool(128) << b;
    }
    return v;
  }

  /**
   * Walks a tree in RFC 6386 section 8.1 layout: {@code tree[i]} is the next index for a positive
   * entry and {@code -value} at a leaf; the probability of node pair {@code i} is
   * {@code probs[probOff + (i >> 1)]}.
   */
  public int readTree(int[] tree, byte[] probs, int probOff) {
    int i = 0;
    while ((i = tree[i + readBool(probs[probOff + (i >> 1)] & 0xFF)]) > 0) {
      // descend
    }
    return -i;
  }

  /** Like {@link #readTree(int[], byte[], int)} with probabilities at offset 0. */
  public int readTree(int[] tree, byte[] probs) {
    return readTree(tree, probs, 0);
  }

  /**
   * True once bits beyond the end of the data have entered the decoding window (libvpx
   * {@code vp8dx_bool_error}); the decoder then reads zeros.
   */
  public boolean hasError() {
    return count > VALUE_SIZE && count < LOTS_OF_BITS;
  }
}
