package io.tinythreads.vp8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locates the shared test data (system property {@code tinythreads.testdata}). */
final class TestData {
  private TestData() {}

  static Path root() {
    String dir = System.getProperty("tinythreads.testdata");
    if (dir == null || !Files.isDirectory(Path.of(dir))) {
      throw new IllegalStateException("test data not found: set -Dtinythreads.testdata (got " + dir + ")");
    }
    return Path.of(dir);
  }

  static Path vectors() {
    return root().resolve("vp8-test-vectors");
  }

  static Path vector(String name) {
    return vectors().resolve(name + ".ivf");
  }

  static Path clips() {
    return root().resolve("clips");
  }

  /** All conformance vectors (sorted). */
  static List<Path> allVectors() {
    return list(vectors());
  }

  /** The real-world IVF clips (sorted). */
  static List<Path> allClips() {
    return list(clips());
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".ivf")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
