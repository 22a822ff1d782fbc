package io.tinythreads.vp8.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.bool.BoolEncoder;
import io.tinythreads.vp8.bool.TestBoolEncoder;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderWriter} against the independent test writer of FrameHeaderTest: the headers of
 * every frame of every conformance vector give identical bytes; headers the syntax cannot carry
 * are refused.
 */
class HeaderWriterTest {
  private static List<Path> vectors() throws IOException {
    String dir = System.getProperty("tinythreads.testdata");
    if (dir == null) {
      throw new IllegalStateException("set -Dtinythreads.testdata");
    }
    try (Stream<Path> s = Files.list(Path.of(dir, "vp8-test-vectors"))) {
      return s.filter(p -> p.toString().endsWith(".ivf")).sorted().toList();
    }
  }

  @Test
  void everyVectorHeaderMatchesTheIndependentWriter() throws IOException {
    int headers = 0;
    for (Path ivf : vectors()) {
      try (IvfReader r = IvfReader.open(ivf)) {
        for (IvfFrame f; (f = r.next()) != null; ) {
          FrameHeader h = FrameHeader.parse(f.data());
          BoolEncoder mine = new BoolEncoder();
          HeaderWriter.write(h, mine);
          TestBoolEncoder theirs = new TestBoolEncoder();
          TestHeaderWriter.writeCompressed(theirs, h);
          assertThat(mine.finish()).as("%s", ivf.getFileName()).isEqualTo(theirs.finish());
          headers++;
        }
      }
    }
    assertThat(headers).isGreaterThan(1500);
  }

  @Test
  void refusesFieldsTheSyntaxCannotCarry() throws IOException {
    Path first = vectors().get(0);
    FrameHeader key;
    FrameHeader inter;
    try (IvfReader r = IvfReader.open(first)) {
      key = FrameHeader.parse(r.next().data());
      inter = FrameHeader.parse(r.next().data());
    }
    assertThat(key.keyFrame()).isTrue();
    assertThat(inter.keyFrame()).isFalse();
    FrameHeader biased = new FrameHeader(key.tag(), key.keyFrameStart(), 0, 0, false, Optional.empty(), 0, 0, 0,
        false, Optional.empty(), 0, List.of(0), key.quantIndices(), true, true, 0, 0, true, false, true, true,
        TokenProbUpdate.none(), false, 0, 0, 0, 0, Optional.empty(), Optional.empty(), MvProbUpdate.none());
    assertThatThrownBy(() -> HeaderWriter.write(biased, new BoolEncoder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key frames");
    FrameHeader colored = new FrameHeader(inter.tag(), Optional.empty(), 1, 0, false, Optional.empty(), 0, 0, 0,
        false, Optional.empty(), 0, List.of(0), inter.quantIndices(), true, true, 0, 0, false, false, true, true,
        TokenProbUpdate.none(), false, 0, 1, 1, 1, Optional.empty(), Optional.empty(), MvProbUpdate.none());
    assertThatThrownBy(() -> HeaderWriter.write(colored, new BoolEncoder()))
        .hasMessageContaining("color_space");
    FrameHeader skipProb = new FrameHeader(inter.tag(), Optional.empty(), 0, 0, false, Optional.empty(), 0, 0, 0,
        false, Optional.empty(), 0, List.of(0), inter.quantIndices(), true, true, 0, 0, false, false, true, true,
        TokenProbUpdate.none(), false, 9, 1, 1, 1, Optional.empty(), Optional.empty(), MvProbUpdate.none());
    assertThatThrownBy(() -> HeaderWriter.write(skipProb, new BoolEncoder()))
        .hasMessageContaining("prob_skip_false");
  }
}
