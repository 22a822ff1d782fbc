package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reader/writer symmetry on real streams (alfalfa roundtrip.cc): every frame of every conformance
 * vector and every clip, parsed and written back with {@link FrameWriter}, gives the identical
 * bytes, through a {@link FrameBuilder} copy of the parsed frame.
 */
class FrameWriterRoundTripTest {
  static Stream<Path> streams() {
    return Stream.concat(TestData.allVectors().stream(), TestData.allClips().stream());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void everyFrameIsRewrittenByteForByte(Path ivf) throws IOException {
    DecoderState state = DecoderState.initial();
    int index = 0;
    int keyFrames = 0;
    try (IvfReader reader = IvfReader.open(ivf)) {
      for (IvfFrame f; (f = reader.next()) != null; index++) {
        byte[] original = f.data();
        ParsedFrame parsed = Decoder.parse(original, state);
        byte[] written = FrameWriter.write(parsed);
        if (!Arrays.equals(original, written)) {
          int at = Arrays.mismatch(original, written);
          throw new AssertionError(String.format("%s frame %d (%s, %d partitions): %d bytes written, %d original, "
              + "first difference at byte %d", ivf.getFileName(), index, parsed.header().keyFrame() ? "key" : "inter",
              parsed.header().numPartitions(), written.length, original.length, at));
        }
        keyFrames += parsed.header().keyFrame() ? 1 : 0;
        state = parsed.nextState();
      }
    }
    assertThat(index).as("frames in %s", ivf.getFileName()).isPositive();
    assertThat(keyFrames).isPositive();
  }
}
