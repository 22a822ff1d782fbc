package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tinythreads.vp8.header.FrameTag;
import io.tinythreads.vp8.header.KeyFrameStart;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Corrupt and truncated input must end in {@link InvalidBitstreamException} or
 * {@link UnsupportedFeatureException} (or decode to something), never in another exception, a
 * hang or an out-of-memory error; a failed frame leaves the decoder unchanged.
 */
class RobustnessTest {
  /** Small enough that a corrupt size field cannot make the test allocate much. */
  private static final long MAX_PIXELS = 1 << 20;

  private static List<byte[]> frames(String vector) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (IvfFrame f : IvfReader.readAll(TestData.vector(vector))) {
      out.add(f.data());
    }
    return out;
  }

  /** Decodes {@code bad} on a copy of {@code d}; true if it decoded, false for a typed error. */
  private static boolean tryDecode(Decoder d, byte[] bad) {
    Decoder copy = new Decoder(d.state(), d.references(), MAX_PIXELS);
    DecoderState before = copy.state();
    References refsBefore = copy.references();
    try {
      DecodedFrame f = copy.decode(bad);
      assertThat(f.raster().width()).isPositive();
      return true;
    } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
      assertThat(e.getMessage()).isNotBlank();
      assertThat(copy.state()).isSameAs(before);
      assertThat(copy.references()).isSameAs(refsBefore);
      return false;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"vp80-00-comprehensive-007", "vp80-04-partitions-1406", "vp80-05-sharpness-1439",
      "vp80-03-segmentation-1437", "vp80-00-comprehensive-005"})
  void corruptAndTruncatedFramesFailCleanly(String vector) throws IOException {
    List<byte[]> frames = frames(vector);
    Random rnd = new Random(vector.hashCode());
    int[] outcomes = new int[2];
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      Decoder d = new Decoder(DecoderState.initial(), References.empty(), MAX_PIXELS);
      for (int i = 0; i < Math.min(frames.size(), 8); i++) {
        byte[] f = frames.get(i);
        for (int cut : new int[] {0, 1, 2, 3, 5, 9, 10, 11, f.length / 4, f.length / 2, f.length - 1}) {
          if (cut >= 0 && cut < f.length) {
            outcomes[tryDecode(d, java.util.Arrays.copyOf(f, cut)) ? 1 : 0]++;
          }
        }
        for (int k = 0; k < 15; k++) {
          byte[] bad = f.clone();
          int flips = 1 + rnd.nextInt(4);
          for (int j = 0; j < flips; j++) {
            // Favour the headers, where corruption is most disruptive.
            int pos = rnd.nextBoolean() ? rnd.nextInt(Math.min(bad.length, 40)) : rnd.nextInt(bad.length);
            bad[pos] ^= (byte) (1 << rnd.nextInt(8));
          }
          outcomes[tryDecode(d, bad) ? 1 : 0]++;
        }
        d.decode(f);
      }
    });
    // Both outcomes occur: some damage is caught, some decodes to garbage as in libvpx.
    assertThat(outcomes[0]).isPositive();
    assertThat(outcomes[1]).isPositive();
  }

  @Test
  void randomBytesNeverEscapeTheTypedErrors() {
    Random rnd = new Random(1);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 2000; i++) {
        byte[] junk = new byte[rnd.nextInt(200)];
        rnd.nextBytes(junk);
        if (i % 2 == 0 && junk.length >= 10) {
          // Make it look like a key frame so that parsing goes deeper.
          junk[0] &= (byte) 0xFE;
          junk[3] = (byte) 0x9d;
          junk[4] = 0x01;
          junk[5] = 0x2a;
          junk[6] = (byte) rnd.nextInt(64);
          junk[7] = 0;
          junk[8] = (byte) rnd.nextInt(64);
          junk[9] = 0;
        }
        tryDecode(new Decoder(DecoderState.initial(), References.empty(), MAX_PIXELS), junk);
      }
    });
  }

  @Test
  void namesTheProblem() throws IOException {
    Decoder d = new Decoder();
    assertThatThrownBy(() -> d.decode(new byte[0])).isInstanceOf(InvalidBitstreamException.class)
        .hasMessageContaining("empty");
    List<byte[]> frames = frames("vp80-00-comprehensive-001");
    assertThatThrownBy(() -> d.decode(frames.get(1))).isInstanceOf(InvalidBitstreamException.class)
        .hasMessageContaining("key frame");
    // A key frame whose data runs out cannot start a stream (libvpx: "A stream must start with a
    // complete key frame").
    byte[] first = frames.get(0);
    assertThatThrownBy(() -> d.decode(java.util.Arrays.copyOf(first, first.length / 2)))
        .isInstanceOf(InvalidBitstreamException.class);
    assertThat(d.state().hasKeyFrame()).isFalse();
  }

  @Test
  void refusesHugeFramesWithoutAllocating() {
    byte[] f = new byte[64];
    byte[] tag = new FrameTag(true, 0, true, 40).toBytes();
    System.arraycopy(tag, 0, f, 0, 3);
    System.arraycopy(new KeyFrameStart(16383, 0, 16383, 0).toBytes(), 0, f, 3, 7);
    assertThatThrownBy(() -> new Decoder().decode(f)).isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("16383x16383");
  }
}
