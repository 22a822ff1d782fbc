package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Decoder#setReuseRasters}: frames written over recycled planes (stale pixels, not zeros)
 * are still bit-exact with libvpx on every conformance vector and on a real clip, with one and
 * two threads; and it recycles only rasters that left the references.
 */
class RasterReuseTest {
  static Stream<Path> vectors() {
    return TestData.allVectors().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vectorDecodesBitExactWithReuse(Path ivf) throws IOException {
    assertMatches(ivf, 1, Integer.MAX_VALUE);
  }

  @Test
  void clipDecodesBitExactWithReuseOnOneAndTwoThreads() throws IOException {
    Path clip = TestData.allClips().get(0);
    assertMatches(clip, 1, 150);
    assertMatches(clip, 2, 150);
    assertMatches(TestData.vector("vp80-05-sharpness-1438"), 2, Integer.MAX_VALUE);
  }

  @Test
  void referencesAreNeverOverwritten() throws IOException {
    Path ivf = TestData.vector("vp80-00-comprehensive-007");
    Decoder decoder = new Decoder();
    decoder.setReuseRasters(true);
    try (IvfReader reader = IvfReader.open(ivf)) {
      for (IvfFrame f; (f = reader.next()) != null; ) {
        References before = decoder.references();
        long[] hashes = before.isEmpty() ? null
            : new long[] {fresh(before.last()), fresh(before.golden()), fresh(before.altref())};
        decoder.decode(f.data());
        if (hashes != null) {
          // The frame just decoded did not write over any reference it was decoded against.
          Raster[] refs = {before.last(), before.golden(), before.altref()};
          for (int i = 0; i < 3; i++) {
            assertThat(fresh(refs[i])).as("reference %d after decoding", i).isEqualTo(hashes[i]);
          }
        }
      }
    }
  }

  /** A hash of the raster's pixels as they are now (Raster caches its own hash64). */
  private static long fresh(Raster r) {
    return Arrays.hashCode(r.toI420());
  }

  private static void assertMatches(Path ivf, int threads, int limit) throws IOException {
    List<String> expected = Files.readAllLines(Path.of(ivf + ".md5")).stream().filter(l -> !l.isBlank()).toList();
    String name = ivf.getFileName().toString().replaceFirst("\\.ivf$", "");
    Decoder decoder = new Decoder();
    decoder.setThreads(threads);
    decoder.setReuseRasters(true);
    List<String> actual = new ArrayList<>();
    int index = 0;
    try (IvfReader reader = IvfReader.open(ivf)) {
      for (IvfFrame f; index < limit && (f = reader.next()) != null; index++) {
        DecodedFrame d = decoder.decode(f.data());
        if (!d.shown()) {
          continue;
        }
        Raster r = d.raster();
        actual.add(String.format(Locale.ROOT, "%s  %s-%dx%d-%04d.i420", r.md5Hex(), name, r.width(), r.height(),
            index + 1));
        int k = actual.size() - 1;
        assertThat(actual.get(k)).as("%s (%d threads): input frame %d", name, threads, index)
            .isEqualTo(expected.get(k));
      }
    }
    if (limit == Integer.MAX_VALUE) {
      assertThat(actual).as("%s: shown frames", name).hasSameSizeAs(expected);
    }
  }
}
