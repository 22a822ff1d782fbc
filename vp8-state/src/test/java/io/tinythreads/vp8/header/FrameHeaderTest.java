package io.tinythreads.vp8.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrameHeaderTest {
  private static Path vectors() {
    String dir = System.getProperty("tinythreads.testdata");
    if (dir == null) {
      throw new IllegalStateException("set -Dtinythreads.testdata");
    }
    return Path.of(dir, "vp8-test-vectors");
  }

  /** Rows of the upstream test_case_14xx_descriptions.tsv: file, kind, description, frames, width, height. */
  static Stream<Arguments> describedVectors() throws IOException {
    return Files.readAllLines(vectors().resolve("test_case_14xx_descriptions.tsv")).stream()
        .filter(l -> !l.isBlank())
        .map(l -> l.split("\t"))
        .map(r -> Arguments.of(r[0], r));
  }

  /**
   * The upstream descriptions of the 14xx vectors state their features; the parsed headers must
   * agree: partition count, whether segment ids are coded, intra-only streams, sharpness, size and
   * number of shown frames.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("describedVectors")
  void headersAgreeWithUpstreamDescriptions(String name, String[] row) throws IOException {
    String desc = row[2];
    List<FrameHeader> headers = new ArrayList<>();
    for (IvfFrame f : IvfReader.readAll(vectors().resolve(row[0]))) {
      headers.add(FrameHeader.parse(f.data()));
    }
    Map<String, Integer> words = Map.of("One", 1, "Two", 2, "Four", 4, "Eight", 8);
    Matcher parts = Pattern.compile("(One|Two|Four|Eight) residual partition").matcher(desc);
    assertThat(parts.find()).as(desc).isTrue();
    assertThat(headers).allSatisfy(h -> assertThat(h.numPartitions()).isEqualTo(words.get(parts.group(1))));

    boolean segIds = headers.stream().anyMatch(FrameHeader::updateMbSegmentationMap);
    assertThat(segIds).as("segment ids coded").isEqualTo(!desc.contains("update disabled"));

    if (desc.startsWith("Intra stream")) {
      assertThat(headers).allSatisfy(h -> assertThat(h.keyFrame()).isTrue());
    }
    Matcher sharp = Pattern.compile("sharpness (\\d)").matcher(desc);
    if (sharp.find() && headers.stream().anyMatch(h -> !h.keyFrame())) {
      // libvpx's encoder codes sharpness 0 on key frames; the setting shows on interframes.
      int max = headers.stream().filter(h -> !h.keyFrame()).mapToInt(FrameHeader::sharpnessLevel).max().orElseThrow();
      assertThat(max).as("sharpness").isEqualTo(Integer.parseInt(sharp.group(1)));
    }
    KeyFrameStart first = headers.get(0).keyFrameStart().orElseThrow();
    assertThat(first.width()).isEqualTo(Integer.parseInt(row[4]));
    assertThat(first.height()).isEqualTo(Integer.parseInt(row[5]));
    long shown = headers.stream().filter(h -> h.tag().showFrame()).count();
    assertThat(shown).isEqualTo(Integer.parseInt(row[3]));
  }

  @Test
  void firstFrameOfComprehensive001() throws IOException {
    byte[] frame = IvfReader.readAll(vectors().resolve("vp80-00-comprehensive-001.ivf")).get(0).data();
    FrameHeader h = FrameHeader.parse(frame);
    assertThat(h.keyFrame()).isTrue();
    assertThat(h.tag().version()).isZero();
    assertThat(h.tag().showFrame()).isTrue();
    assertThat(h.keyFrameStart()).contains(new KeyFrameStart(176, 0, 144, 0));
    assertThat(h.numPartitions()).isEqualTo(1);
    assertThat(h.partitionSizes()).containsExactly(frame.length - h.partitionOffset(0));
    // Key frames imply these (they are not coded).
    assertThat(h.refreshGoldenFrame()).isTrue();
    assertThat(h.refreshAlternateFrame()).isTrue();
    assertThat(h.refreshLast()).isTrue();
    assertThat(h.copyBufferToGolden()).isZero();
    assertThat(h.mvProbUpdate()).isEqualTo(MvProbUpdate.none());
  }

  @Test
  void scalingBitsOfResizedVector() throws IOException {
    // vp80-03-segmentation-1425 switches to 212x173 and 282x231 at key frames that also set
    // the 2-bit scaling codes (display hints).
    List<KeyFrameStart> starts = new ArrayList<>();
    for (IvfFrame f : IvfReader.readAll(vectors().resolve("vp80-03-segmentation-1425.ivf"))) {
      FrameHeader.parse(f.data()).keyFrameStart().ifPresent(starts::add);
    }
    assertThat(starts).extracting(KeyFrameStart::width).containsExactly(176, 212, 282);
    assertThat(starts).extracting(KeyFrameStart::height).containsExactly(144, 173, 231);
    assertThat(starts.subList(1, 3)).allSatisfy(s -> assertThat(s.horizontalScale() + s.verticalScale()).isPositive());
  }

  /** Every optional syntax element present, with odd values ("-0", extreme magnitudes). */
  static FrameHeader fullInterHeader() {
    Random rnd = new Random(7);
    int[] tokens = new int[Tables.NUM_COEFF_PROBS];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = rnd.nextInt(5) == 0 ? rnd.nextInt(256) : -1;
    }
    int[] mv = new int[MvProbUpdate.COUNT];
    for (int i = 0; i < mv.length; i++) {
      mv[i] = rnd.nextBoolean() ? rnd.nextInt(128) : -1;
    }
    var features = new SegmentationUpdate.SegmentFeatureData(true,
        List.of(Optional.of(new Delta(127, true)), Optional.empty(), Optional.of(new Delta(0, true)),
            Optional.of(new Delta(5, false))),
        List.of(Optional.empty(), Optional.of(new Delta(63, true)), Optional.of(new Delta(1, false)),
            Optional.empty()));
    var seg = new SegmentationUpdate(true, Optional.of(features),
        List.of(Optional.of(0), Optional.empty(), Optional.of(255)));
    var lf = new ModeRefLfDeltaUpdate(
        List.of(Optional.of(new Delta(2, false)), Optional.empty(), Optional.of(new Delta(0, true)),
            Optional.of(new Delta(63, true))),
        List.of(Optional.empty(), Optional.of(new Delta(4, true)), Optional.empty(), Optional.of(new Delta(1, false))));
    var q = new QuantIndices(100, Optional.of(new Delta(15, true)), Optional.empty(), Optional.of(new Delta(0, false)),
        Optional.of(new Delta(3, false)), Optional.of(new Delta(15, false)));
    return new FrameHeader(new FrameTag(false, 2, false, 1), Optional.empty(), 0, 0, true, Optional.of(seg), 1, 42, 5,
        true, Optional.of(lf), 2, List.of(3, 1, 4, 2), q, false, true, 2, 0, true, false, false, true,
        TokenProbUpdate.of(tokens), true, 201, 17, 250, 3, Optional.of(List.of(1, 2, 3, 255)), Optional.empty(),
        MvProbUpdate.of(mv));
  }

  @Test
  void readsBackAHandBuiltInterframeHeader() {
    FrameHeader h = fullInterHeader();
    byte[][] parts = {{1, 2, 3}, {4}, {5, 6, 7, 8}, {9, 10}};
    byte[] frame = TestHeaderWriter.frame(h, parts, 100);
    FrameHeader read = FrameHeader.parse(frame);
    // The tag's first_part_size is whatever the writer produced; everything else must match.
    assertThat(read.tag().firstPartSize()).isPositive();
    FrameHeader expected = withTag(h, read.tag());
    assertThat(read).isEqualTo(expected);
    assertThat(Arrays.copyOfRange(frame, read.partitionOffset(2), read.partitionOffset(3))).containsExactly(5, 6, 7, 8);
  }

  @Test
  void readsBackAHandBuiltKeyFrameHeader() {
    FrameHeader inter = fullInterHeader();
    FrameHeader key = new FrameHeader(new FrameTag(true, 0, true, 1), Optional.of(new KeyFrameStart(16383, 3, 1, 1)),
        1, 1, false, Optional.empty(), 0, 63, 7, true, Optional.empty(), 0, List.of(5), inter.quantIndices(),
        true, true, 0, 0, false, false, true, true, inter.tokenProbUpdate(), false, 0, 0, 0, 0, Optional.empty(),
        Optional.empty(), MvProbUpdate.none());
    byte[] frame = TestHeaderWriter.frame(key, new byte[][] {{1, 2, 3, 4, 5}}, 10);
    FrameHeader read = FrameHeader.parse(frame);
    assertThat(read).isEqualTo(withTag(key, read.tag()));
  }

  @Test
  void realHeadersSurviveAWriteAndReread() throws IOException {
    for (String name : List.of("vp80-00-comprehensive-007", "vp80-03-segmentation-1437", "vp80-05-sharpness-1438",
        "vp80-04-partitions-1406")) {
      for (IvfFrame f : IvfReader.readAll(vectors().resolve(name + ".ivf"))) {
        FrameHeader h = FrameHeader.parse(f.data());
        byte[][] parts = new byte[h.numPartitions()][];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = Arrays.copyOfRange(f.data(), h.partitionOffset(i), h.partitionOffset(i) + h.partitionSizes().get(i));
        }
        FrameHeader again = FrameHeader.parse(TestHeaderWriter.frame(h, parts, 0));
        assertThat(again).as(name).isEqualTo(withTag(h, again.tag()));
      }
    }
  }

  private static FrameHeader withTag(FrameHeader h, FrameTag tag) {
    return new FrameHeader(tag, h.keyFrameStart(), h.colorSpace(), h.clampingType(), h.segmentationEnabled(),
        h.segmentation(), h.filterType(), h.loopFilterLevel(), h.sharpnessLevel(), h.loopFilterAdjEnable(),
        h.modeRefLfDeltaUpdate(), h.log2NbrOfDctPartitions(), h.partitionSizes(), h.quantIndices(),
        h.refreshGoldenFrame(), h.refreshAlternateFrame(), h.copyBufferToGolden(), h.copyBufferToAlternate(),
        h.signBiasGolden(), h.signBiasAlternate(), h.refreshEntropyProbs(), h.refreshLast(), h.tokenProbUpdate(),
        h.mbNoCoeffSkip(), h.probSkipFalse(), h.probIntra(), h.probLast(), h.probGf(), h.intra16x16Probs(),
        h.intraChromaProbs(), h.mvProbUpdate());
  }

  @Test
  void frameTagRoundTrip() {
    FrameTag t = new FrameTag(false, 5, true, (1 << 19) - 1);
    assertThat(FrameTag.read(t.toBytes())).isEqualTo(t);
    assertThat(new FrameTag(true, 3, false, 0).fullPixel()).isTrue();
    assertThat(new FrameTag(true, 0, false, 0).bilinear()).isFalse();
  }

  @Test
  void rejectsBrokenUncompressedData() {
    assertThatThrownBy(() -> FrameHeader.parse(new byte[] {0, 0}))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("frame tag");
    byte[] tag = new FrameTag(true, 0, true, 10).toBytes();
    assertThatThrownBy(() -> FrameHeader.parse(concat(tag, new byte[] {(byte) 0x9d, 1})))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("truncated key frame header");
    assertThatThrownBy(() -> FrameHeader.parse(concat(tag, new byte[] {1, 2, 3, 16, 0, 16, 0})))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("start code");
    assertThatThrownBy(() -> FrameHeader.parse(concat(tag, new KeyFrameStart(0, 0, 16, 0).toBytes())))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("invalid frame size");
    assertThatThrownBy(() -> FrameHeader.parse(concat(tag, new KeyFrameStart(16, 0, 16, 0).toBytes(), new byte[5])))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("first partition");
    assertThatThrownBy(() -> FrameHeader.parse(new FrameTag(false, 0, true, 0).toBytes()))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("partition size 0");
  }

  @Test
  void rejectsCorruptPartitionSizes() {
    FrameHeader h = fullInterHeader(); // four partitions
    byte[] frame = TestHeaderWriter.frame(h, new byte[][] {{1, 2, 3}, {4}, {5, 6, 7, 8}, {9, 10}}, 0);
    FrameHeader read = FrameHeader.parse(frame);
    int table = read.firstPartitionOffset() + read.tag().firstPartSize();
    byte[] bad = frame.clone();
    bad[table + 3] = 100; // second partition claims 100 bytes
    assertThatThrownBy(() -> FrameHeader.parse(bad))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("token partition 2");
    byte[] zero = frame.clone();
    zero[table] = 0; // first partition claims 0 bytes
    assertThatThrownBy(() -> FrameHeader.parse(zero))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("token partition 1 size 0");
    byte[] cut = Arrays.copyOf(frame, table + 4); // size table cut short
    assertThatThrownBy(() -> FrameHeader.parse(cut))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("partition size table");
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
