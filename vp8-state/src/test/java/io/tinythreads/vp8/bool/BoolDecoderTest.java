package io.tinythreads.vp8.bool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BoolDecoderTest {
  @Test
  void decodesWhatTheEncoderWrote() {
    Random rnd = new Random(42);
    int n = 200_000;
    int[] probs = new int[n];
    boolean[] bits = new boolean[n];
    TestBoolEncoder enc = new TestBoolEncoder();
    for (int i = 0; i < n; i++) {
      probs[i] = 1 + rnd.nextInt(255);
      // Bias the bits the way the probability says, plus some surprises.
      bits[i] = rnd.nextInt(256) >= probs[i] ^ rnd.nextInt(10) == 0;
      enc.writeBool(probs[i], bits[i]);
    }
    byte[] data = enc.finish();
    BoolDecoder dec = new BoolDecoder(data, 0, data.length);
    for (int i = 0; i < n; i++) {
      assertThat(dec.readBool(probs[i]) != 0).as("bit %d", i).isEqualTo(bits[i]);
    }
    assertThat(dec.hasError()).isFalse();
  }

  @Test
  void literalsAndTrees() {
    int[] tree = {-0, 2, -1, 4, -2, -3}; // 0 | (1 | (2 | 3))
    int[] probs = {30, 200, 128};
    TestBoolEncoder enc = new TestBoolEncoder();
    enc.writeLiteral(0x5A, 7);
    for (int v = 0; v < 4; v++) {
      enc.writeTree(tree, probs, v);
    }
    enc.writeLiteral(1234, 11);
    byte[] data = enc.finish();
    // Decode from an offset inside a larger buffer.
    byte[] padded = new byte[data.length + 10];
    System.arraycopy(data, 0, padded, 5, data.length);
    BoolDecoder dec = new BoolDecoder(padded, 5, data.length);
    assertThat(dec.readLiteral(7)).isEqualTo(0x5A);
    byte[] p = {30, (byte) 200, (byte) 128};
    for (int v = 0; v < 4; v++) {
      assertThat(dec.readTree(tree, p)).isEqualTo(v);
    }
    assertThat(dec.readLiteral(11)).isEqualTo(1234);
  }

  @Test
  void readsZerosPastTheEndAndFlagsIt() {
    BoolDecoder empty = new BoolDecoder(new byte[0], 0, 0);
    // An empty partition decodes as all zeros, like libvpx; the error flag is raised at once
    // because the decoding window already holds padding.
    for (int i = 0; i < 100; i++) {
      assertThat(empty.readBool(1 + i % 255)).isZero();
    }
    assertThat(empty.hasError()).isTrue();

    // With data, the flag appears only once the window has moved past the last byte: libvpx
    // fills 64-bit windows, and reports an error when fewer than 8 real bits remain in it.
    byte[] data = {(byte) 0xFF, (byte) 0xFF};
    BoolDecoder dec = new BoolDecoder(data, 0, data.length);
    int bitsBeforeError = 0;
    while (!dec.hasError() && bitsBeforeError < 100) {
      dec.readBit();
      bitsBeforeError++;
    }
    // 16 bits of data; the first 8 form the initial window, so errors start after bit 9.
    assertThat(bitsBeforeError).isEqualTo(9);
  }

  @Test
  void rejectsRangesOutsideTheBuffer() {
    assertThatThrownBy(() -> new BoolDecoder(new byte[4], 2, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BoolDecoder(new byte[4], -1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
