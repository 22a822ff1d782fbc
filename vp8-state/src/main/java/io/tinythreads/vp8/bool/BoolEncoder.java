package io.tinythreads.vp8.bool;

import java.util.Arrays;

/**
 * The boolean entropy encoder of RFC 6386 section 7.3, the writer that {@link BoolDecoder} reads.
 * It reproduces libvpx's {@code vp8_encode_bool} byte for byte (vp8/encoder/boolhuff.h): a 24-bit
 * {@code lowvalue} window whose top byte is emitted once 8 more bits have been shifted in, with a
 * carry that propagates back through already written {@code 0xff} bytes; and
 * {@link #finish()} flushes as {@code vp8_stop_encode} does, with 32 zero bits at probability 1/2.
 * Identical input (the same bools at the same probabilities) therefore gives identical bytes.
 *
 * <p>Not thread-safe; one encoder per partition.
 */
public final class BoolEncoder {
  private byte[] buf;
  private int pos;
  /** libvpx {@code lowvalue}: the low end of the interval, unsigned 32-bit arithmetic. */
  private int lowvalue;
  private int range = 255;
  /** libvpx {@code count}: starts at -24; a byte is emitted when it reaches 0. */
  private int count = -24;
  private boolean finished;

  public BoolEncoder() {
    this(256);
  }

  /** An encoder whose buffer starts with {@code initialCapacity} bytes (it grows as needed). */
  public BoolEncoder(int initialCapacity) {
    if (initialCapacity < 1) {
      throw new IllegalArgumentException("initialCapacity must be positive: " + initialCapacity);
    }
    buf = new byte[initialCapacity];
  }

  /**
   * Encodes one bool whose probability of being 0 is {@code prob}/256.
   *
   * @param prob 0..255 (libvpx never codes with probability 0, but the arithmetic is defined)
   */
  public void writeBool(int prob, boolean value) {
    if (finished) {
      throw new IllegalStateException("encoder already finished");
    }
    int split = 1 + (((range - 1) * prob) >> 8);
    int r;
    int low = lowvalue;
    if (value) {
      low += split;
      r = range - split;
    } else {
      r = split;
    }
    // r is 1..255: normalize back to 128..255 (libvpx vp8_norm[range]).
    int shift = Integer.numberOfLeadingZeros(r) - 24;
    r <<= shift;
    int c = count + shift;
    if (c >= 0) {
      int offset = shift - c;
      if (((low << (offset - 1)) & 0x80000000) != 0) {
        carry();
      }
      put((byte) (low >>> (24 - offset)));
      low <<= offset;
      shift = c;
      low &= 0xffffff;
      c -= 8;
    }
    low <<= shift;
    count = c;
    lowvalue = low;
    range = r;
  }

  /** Encodes a bool with probability 1/2. */
  public void writeBit(boolean value) {
    writeBool(128, value);
  }

  /** Encodes {@code bits} bits of {@code value} at probability 1/2, most significant first (RFC 6386 L(n)). */
  public void writeLiteral(int value, int bits) {
    if (bits < 0 || bits > 31 || (bits < 31 && (value < 0 || value >= 1 << bits))) {
      throw new IllegalArgumentException("value " + value + " does not fit " + bits + " bits");
    }
    for (int b = bits - 1; b >= 0; b--) {
      writeBool(128, ((value >> b) & 1) != 0);
    }
  }

  /**
   * Encodes a signed value as RFC 6386 codes quantizer and loop filter deltas: the magnitude as an
   * L({@code bits}) literal, then a sign flag L(1) (set for negative values).
   */
  public void writeSigned(int value, int bits) {
    writeLiteral(Math.abs(value), bits);
    writeBit(value < 0);
  }

  /**
   * Encodes {@code value} with a tree in RFC 6386 section 8.1 layout ({@code tree[i]} is the index
   * of the next node pair, or {@code -value} at a leaf; node pair {@code i} has probability
   * {@code probs[probOff + (i >> 1)]}), the counterpart of {@link BoolDecoder#readTree}.
   *
   * @throws IllegalArgumentException if {@code value} is not a leaf of {@code tree}
   */
  public void writeTree(int[] tree, byte[] probs, int probOff, int value) {
    int path = path(tree, 0, value, 0, 0);
    if (path < 0) {
      throw new IllegalArgumentException("value " + value + " is not a leaf of the tree");
    }
    int len = path & 31;
    int bits = path >>> 5;
    int i = 0;
    for (int k = len - 1; k >= 0; k--) {
      int bit = (bits >> k) & 1;
      writeBool(probs[probOff + (i >> 1)] & 0xFF, bit != 0);
      i = tree[i + bit];
    }
  }

  /** Like {@link #writeTree(int[], byte[], int, int)} with probabilities at offset 0. */
  public void writeTree(int[] tree, byte[] probs, int value) {
    writeTree(tree, probs, 0, value);
  }

  /**
   * The path from node pair {@code i} to leaf {@code leaf}, packed as (bits << 5 | length), or -1.
   * Trees are at most 10 levels deep, so the bits fit.
   */
  private static int path(int[] tree, int i, int leaf, int bits, int len) {
    for (int b = 0; b < 2; b++) {
      int next = tree[i + b];
      int nb = bits << 1 | b;
      if (next <= 0) {
        if (-next == leaf) {
          return nb << 5 | (len + 1);
        }
      } else {
        int r = path(tree, next, leaf, nb, len + 1);
        if (r >= 0) {
          return r;
        }
      }
    }
    return -1;
  }

  /** Adds one to the bytes written so far (libvpx's carry loop over trailing 0xff bytes). */
  private void carry() {
    int x = pos - 1;
    while (x >= 0 && buf[x] == (byte) 0xff) {
      buf[x] = 0;
      x--;
    }
    if (x < 0) {
      // lowvalue stays below 2^32 relative to the first byte, so this cannot happen.
      throw new IllegalStateException("carry out of the first byte");
    }
    buf[x]++;
  }

  private void put(byte b) {
    if (pos == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    buf[pos++] = b;
  }

  /** Bytes emitted so far (before {@link #finish()} this excludes the bits still in the window). */
  public int size() {
    return pos;
  }

  /** The bytes emitted so far, without flushing. Visible for testing (carries rewrite them). */
  byte[] written() {
    return Arrays.copyOf(buf, pos);
  }

  /**
   * Flushes as libvpx's {@code vp8_stop_encode} (32 zero bits at probability 1/2) and returns the
   * encoded bytes. The encoder cannot be written afterwards; further calls return the same bytes.
   */
  public byte[] finish() {
    if (!finished) {
      for (int i = 0; i < 32; i++) {
        writeBool(128, false);
      }
      finished = true;
    }
    return Arrays.copyOf(buf, pos);
  }
}
