package io.tinythreads.vp8.bool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.header.Tables;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bool encoder against the decoder (round trips) and against {@link TestBoolEncoder}, an
 * independent RFC 6386 section 7.3 style implementation: identical bools must give identical
 * bytes, including the carries into runs of 0xff and the 32-bit flush.
 */
class BoolEncoderTest {
  @Test
  void skewedRandomStreamsRoundTripAndMatchTheReferenceEncoder() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 40; trial++) {
      int n = 1 + rnd.nextInt(trial < 20 ? 64 : 50_000);
      int[] probs = new int[n];
      boolean[] bits = new boolean[n];
      BoolEncoder enc = new BoolEncoder(1);
      TestBoolEncoder ref = new TestBoolEncoder();
      for (int i = 0; i < n; i++) {
        // Extreme probabilities make long 0xff runs and frequent carries.
        probs[i] = switch (trial % 4) {
          case 0 -> 1 + rnd.nextInt(255);
          case 1 -> rnd.nextBoolean() ? 1 : 255;
          case 2 -> 250 + rnd.nextInt(6);
          default -> 1 + rnd.nextInt(4);
        };
        bits[i] = rnd.nextInt(256) >= probs[i] ^ rnd.nextInt(20) == 0;
        enc.writeBool(probs[i], bits[i]);
        ref.writeBool(probs[i], bits[i]);
      }
      byte[] data = enc.finish();
      assertThat(data).as("trial %d", trial).isEqualTo(ref.finish());
      BoolDecoder dec = new BoolDecoder(data, 0, data.length);
      for (int i = 0; i < n; i++) {
        assertThat(dec.readBool(probs[i]) != 0).as("trial %d bit %d", trial, i).isEqualTo(bits[i]);
      }
      assertThat(dec.hasError()).isFalse();
    }
  }

  @Test
  void carryPropagatesThroughRunsOfFf() {
    // Carries are rare in random data (a few per 10^7 bools) and runs of 0xff before one rarer
    // still, so steer a model of the coder: once the interval straddles the boundary of the byte
    // being assembled, keep the boundary inside it (each emitted byte is then 0xff), then move
    // the interval above the boundary, which must turn those 0xff bytes into 0x00.
    Random rnd = new Random(12);
    Model model = new Model();
    BoolEncoder enc = new BoolEncoder();
    TestBoolEncoder ref = new TestBoolEncoder();
    int steeredFrom = -1;
    int ffBytes = 0;
    for (int step = 0; step < 5_000_000 && ffBytes < 4; step++) {
      int prob;
      boolean bit;
      long boundary = model.boundary();
      if (steeredFrom < 0 && model.straddles(boundary)) {
        steeredFrom = model.emitted();
      }
      if (steeredFrom >= 0) {
        // Keep the boundary strictly inside [bottom, bottom + range).
        prob = 100 + rnd.nextInt(60);
        long split = 1 + (((model.range - 1) * prob) >> 8);
        bit = model.bottom + split < boundary;
        ffBytes = model.emitted() - steeredFrom;
      } else {
        prob = 1 + rnd.nextInt(255);
        bit = rnd.nextBoolean();
      }
      model.write(prob, bit);
      enc.writeBool(prob, bit);
      ref.writeBool(prob, bit);
    }
    assertThat(ffBytes).as("steered into a run of 0xff bytes").isEqualTo(4);
    byte[] beforeCarry = enc.written();
    assertThat(Arrays.copyOfRange(beforeCarry, steeredFrom, steeredFrom + 3)).containsOnly((byte) 0xff);
    // Cross the boundary: at probability 255 the upper part is [top - 1, top), above it.
    enc.writeBool(255, true);
    ref.writeBool(255, true);
    for (int i = 0; i < 64; i++) {
      int prob = 1 + rnd.nextInt(255);
      boolean bit = rnd.nextBoolean();
      enc.writeBool(prob, bit);
      ref.writeBool(prob, bit);
    }
    byte[] out = enc.finish();
    assertThat(out).isEqualTo(ref.finish());
    assertThat(Arrays.copyOfRange(out, steeredFrom, steeredFrom + 3)).as("0xff run after the carry").containsOnly(0);
    assertThat(out[steeredFrom - 1]).isEqualTo((byte) (beforeCarry[steeredFrom - 1] + 1));
  }

  /** The RFC 6386 section 7.3 encoder state, without output: enough to steer the tests. */
  private static final class Model {
    long bottom;
    long range = 255;
    int bitCount = 24;
    int emitted;
    int shiftsSinceEmit;

    void write(int prob, boolean bit) {
      long split = 1 + (((range - 1) * prob) >> 8);
      if (bit) {
        bottom += split;
        range -= split;
      } else {
        range = split;
      }
      while (range < 128) {
        range <<= 1;
        bottom = (bottom << 1) & 0x1FFFFFFFFL;
        shiftsSinceEmit++;
        if (--bitCount == 0) {
          emitted++;
          bottom &= (1 << 24) - 1;
          bitCount = 8;
          shiftsSinceEmit = 0;
        }
      }
    }

    /** The value at which the byte being assembled would carry into the bytes already emitted. */
    long boundary() {
      return 1L << (24 + shiftsSinceEmit);
    }

    boolean straddles(long boundary) {
      return emitted > 2 && bitCount == 8 && bottom < boundary && bottom + range > boundary;
    }

    int emitted() {
      return emitted;
    }
  }

  @Test
  void literalsSignedValuesAndEveryLeafOfEveryTree() {
    List<int[]> trees = List.of(Tables.yModeTree(), Tables.kfYModeTree(), Tables.uvModeTree(), Tables.bModeTree(),
        Tables.smallMvTree(), Tables.segmentTree());
    Random rnd = new Random(11);
    BoolEncoder enc = new BoolEncoder();
    byte[][] probs = new byte[trees.size()][];
    for (int t = 0; t < trees.size(); t++) {
      probs[t] = new byte[trees.get(t).length / 2 + 3];
      for (int i = 0; i < probs[t].length; i++) {
        probs[t][i] = (byte) (1 + rnd.nextInt(255));
      }
    }
    enc.writeLiteral(0, 0);
    enc.writeLiteral(0x7F, 7);
    enc.writeSigned(-13, 4);
    enc.writeSigned(63, 6);
    enc.writeSigned(0, 6);
    for (int t = 0; t < trees.size(); t++) {
      for (int leaf : leaves(trees.get(t))) {
        enc.writeTree(trees.get(t), probs[t], 2, leaf);
        enc.writeTree(trees.get(t), probs[t], leaf);
      }
    }
    byte[] data = enc.finish();
    BoolDecoder dec = new BoolDecoder(data, 0, data.length);
    assertThat(dec.readLiteral(7)).isEqualTo(0x7F);
    assertThat(dec.readLiteral(4)).isEqualTo(13);
    assertThat(dec.readFlag()).isTrue();
    assertThat(dec.readLiteral(6)).isEqualTo(63);
    assertThat(dec.readFlag()).isFalse();
    assertThat(dec.readLiteral(6)).isZero();
    assertThat(dec.readFlag()).isFalse();
    for (int t = 0; t < trees.size(); t++) {
      for (int leaf : leaves(trees.get(t))) {
        assertThat(dec.readTree(trees.get(t), probs[t], 2)).isEqualTo(leaf);
        assertThat(dec.readTree(trees.get(t), probs[t])).isEqualTo(leaf);
      }
    }
    assertThat(dec.hasError()).isFalse();
  }

  private static int[] leaves(int[] tree) {
    return Arrays.stream(tree).filter(v -> v <= 0).map(v -> -v).toArray();
  }

  @Test
  void emptyStreamIsTheFlushAlone() {
    // 32 zero bits at probability 1/2 from the initial state: the first leaves the range at 128
    // (no shift), the other 31 shift one bit each, so count goes -24 -> 7: exactly one byte.
    assertThat(new BoolEncoder().finish()).containsExactly(0);
    assertThat(new BoolEncoder().finish()).isEqualTo(new TestBoolEncoder().finish());
  }

  @Test
  void rejectsMisuse() {
    BoolEncoder enc = new BoolEncoder();
    assertThatThrownBy(() -> enc.writeLiteral(8, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> enc.writeLiteral(-1, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> enc.writeTree(Tables.uvModeTree(), new byte[3], 0, 9))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a leaf");
    byte[] first = enc.finish();
    assertThat(enc.finish()).isEqualTo(first);
    assertThatThrownBy(() -> enc.writeBit(true)).isInstanceOf(IllegalStateException.class);
  }
}
