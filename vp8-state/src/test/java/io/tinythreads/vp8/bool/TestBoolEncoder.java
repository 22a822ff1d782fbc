package io.tinythreads.vp8.bool;

/**
 * The boolean encoder of RFC 6386 section 7.3, for tests only (it produces the streams the
 * decoder tests read). Flushes like libvpx's vp8_stop_encode: 32 zero bits at probability 1/2.
 */
public final class TestBoolEncoder {
  private byte[] buf = new byte[64];
  private int n;
  private int range = 255;
  private long bottom;
  private int bitCount = 24;

  public void writeBool(int prob, boolean value) {
    int split = 1 + (((range - 1) * prob) >> 8);
    if (value) {
      bottom += split;
      range -= split;
    } else {
      range = split;
    }
    while (range < 128) {
      range <<= 1;
      if ((bottom & (1L << 31)) != 0) {
        addOne();
      }
      bottom = (bottom << 1) & 0xFFFFFFFFL;
      if (--bitCount == 0) {
        put((int) (bottom >>> 24));
        bottom &= (1 << 24) - 1;
        bitCount = 8;
      }
    }
  }

  public void writeBit(boolean value) {
    writeBool(128, value);
  }

  public void writeLiteral(int value, int bits) {
    for (int b = bits - 1; b >= 0; b--) {
      writeBool(128, ((value >> b) & 1) != 0);
    }
  }

  /** Writes {@code value} with a tree in RFC 6386 layout (leaf = -value). */
  public void writeTree(int[] tree, int[] probs, int value) {
    // Find the path to the leaf by search (trees are tiny).
    StringBuilder path = new StringBuilder();
    if (!find(tree, 0, -value, path)) {
      throw new IllegalArgumentException("value " + value + " not in tree");
    }
    int i = 0;
    for (int k = 0; k < path.length(); k++) {
      boolean bit = path.charAt(k) == '1';
      writeBool(probs[i >> 1], bit);
      i = tree[i + (bit ? 1 : 0)];
    }
  }

  private static boolean find(int[] tree, int i, int leaf, StringBuilder path) {
    for (int b = 0; b < 2; b++) {
      int next = tree[i + b];
      path.append(b);
      if (next <= 0 ? next == leaf : find(tree, next, leaf, path)) {
        return true;
      }
      path.setLength(path.length() - 1);
    }
    return false;
  }

  private void put(int b) {
    if (n == buf.length) {
      buf = java.util.Arrays.copyOf(buf, n * 2);
    }
    buf[n++] = (byte) b;
  }

  private void addOne() {
    int q = n;
    while (q > 0 && (buf[q - 1] & 0xFF) == 255) {
      buf[--q] = 0;
    }
    if (q > 0) {
      buf[q - 1]++;
    }
  }

  /** Flushes and returns the bytes. The encoder must not be used afterwards. */
  public byte[] finish() {
    for (int i = 0; i < 32; i++) {
      writeBool(128, false);
    }
    return java.util.Arrays.copyOf(buf, n);
  }
}
