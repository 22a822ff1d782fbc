package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden decode: every conformance vector and every real-world clip decodes bit-exact, frame by
 * frame, against the per-frame MD5s that libvpx's vpxdec produced ({@code NAME.ivf.md5}).
 */
class ConformanceTest {
  static Stream<Path> vectors() {
    return TestData.allVectors().stream();
  }

  static Stream<Path> clips() {
    return TestData.allClips().stream();
  }

  @Test
  void allSixtyOneVectorsArePresent() {
    assertThat(TestData.allVectors()).hasSize(61);
    assertThat(TestData.allClips()).hasSize(3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vectorDecodesBitExact(Path ivf) throws IOException {
    assertMatches(ivf);
  }

  /** The long clips decode concurrently with each other (one decoder each) to use both cores. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("clips")
  @Execution(ExecutionMode.CONCURRENT)
  void clipDecodesBitExact(Path ivf) throws IOException {
    assertMatches(ivf);
  }

  /** With the loop filter on a second thread the output is the same (vectors with 1..8 partitions, odd sizes). */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"vp80-00-comprehensive-007", "vp80-00-comprehensive-014", "vp80-05-sharpness-1443",
      "vp80-04-partitions-1406", "vp80-05-sharpness-1439", "vp80-03-segmentation-1425"})
  void twoThreadsDecodeBitExact(String vector) throws IOException {
    assertMatches(TestData.vector(vector), 2);
  }

  static void assertMatches(Path ivf) throws IOException {
    assertMatches(ivf, 1);
  }

  /** Decodes {@code ivf} and compares every shown frame with the matching line of its .md5 file. */
  static void assertMatches(Path ivf, int threads) throws IOException {
    List<String> expected = Files.readAllLines(Path.of(ivf + ".md5")).stream().filter(l -> !l.isBlank()).toList();
    String name = ivf.getFileName().toString().replaceFirst("\\.ivf$", "");
    List<String> actual = new ArrayList<>(expected.size());
    Decoder decoder = new Decoder();
    decoder.setThreads(threads);
    int index = 0;
    try (IvfReader reader = IvfReader.open(ivf)) {
      for (IvfFrame f; (f = reader.next()) != null; index++) {
        DecodedFrame d = decoder.decode(f.data());
        if (!d.shown()) {
          continue;
        }
        Raster r = d.raster();
        String line = String.format(Locale.ROOT, "%s  %s-%dx%d-%04d.i420", r.md5Hex(), name, r.width(), r.height(),
            index + 1);
        int k = actual.size();
        actual.add(line);
        // Fail at the first wrong frame, naming it, rather than after decoding everything.
        assertThat(k).as("%s: more shown frames than md5 lines", name).isLessThan(expected.size());
        assertThat(line).as("%s: input frame %d (shown frame %d)", name, index, k + 1).isEqualTo(expected.get(k));
      }
    }
    assertThat(actual).as("%s: shown frames", name).hasSameSizeAs(expected);
  }
}
