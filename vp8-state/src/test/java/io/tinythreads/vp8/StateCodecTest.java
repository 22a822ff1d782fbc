package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.vp8.header.Tables;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link StateCodec}: randomized round trips (equal value, equal hash, identical bytes when
 * written again), corrupt and truncated input (only typed bitstream errors, naming the field),
 * and resuming a decode from a serialized state with exactly the frames of a full decode.
 */
class StateCodecTest {
  // ------------------------------------------------------------------ round trips

  @Test
  void randomSnapshotsRoundTrip() throws IOException {
    Random rnd = new Random(1);
    int[] kinds = new int[4];
    for (int trial = 0; trial < 60; trial++) {
      int w = 1 + rnd.nextInt(trial < 40 ? 70 : 400);
      int h = 1 + rnd.nextInt(trial < 40 ? 70 : 300);
      DecoderState state = randomState(rnd, w, h);
      int kind = trial % 4;
      kinds[kind]++;
      Raster last = randomRaster(rnd, w, h);
      References refs = switch (kind) {
        case 0 -> References.allOf(last); // after a key frame: one object three times
        case 1 -> References.of(last, copy(last), randomRaster(rnd, w, h)); // golden equal in content only
        case 2 -> {
          Raster g = randomRaster(rnd, w, h);
          yield References.of(last, g, g); // altref same as golden
        }
        default -> References.of(last, randomRaster(rnd, w, h), randomRaster(rnd, w, h));
      };
      DecoderSnapshot s = new DecoderSnapshot(state, refs);
      byte[] bytes = StateCodec.toBytes(s);
      DecoderSnapshot back = StateCodec.read(bytes);
      assertThat(back).as("trial %d", trial).isEqualTo(s);
      assertThat(back.hash64()).isEqualTo(s.hash64());
      assertThat(back.state().hash64()).isEqualTo(state.hash64());
      assertThat(back.references().hash64()).isEqualTo(refs.hash64());
      assertThat(StateCodec.toBytes(back)).as("deterministic").isEqualTo(bytes);
      assertThat(StateCodec.toBytes(s)).isEqualTo(bytes);
      if (kind == 0 || kind == 1) {
        // Equal references travel as markers and come back as one shared frame.
        assertThat(back.references().golden()).isSameAs(back.references().last());
      }
      if (kind == 2) {
        assertThat(back.references().altref()).isSameAs(back.references().golden());
        assertThat(back.references().golden()).isNotSameAs(back.references().last());
      }
      // The decoder accepts the snapshot as its starting point.
      assertThat(new Decoder(back).snapshot()).isEqualTo(s);
    }
    assertThat(kinds).doesNotContain(0);
  }

  @Test
  void markersMakeSharedReferencesCheap() {
    Random rnd = new Random(2);
    DecoderState state = randomState(rnd, 64, 48);
    Raster a = randomRaster(rnd, 64, 48);
    int shared = StateCodec.toBytes(state, References.allOf(a)).length;
    int distinct = StateCodec.toBytes(state, References.of(a, randomRaster(rnd, 64, 48),
        randomRaster(rnd, 64, 48))).length;
    // Random pixels do not compress: each distinct frame costs about 64 * 48 * 1.5 bytes.
    assertThat(distinct - shared).isGreaterThan(2 * 64 * 48);
  }

  @Test
  void initialSnapshotAndStreamsHoldingSeveralSnapshots() throws IOException {
    Random rnd = new Random(3);
    DecoderSnapshot first = DecoderSnapshot.initial();
    DecoderSnapshot second = new DecoderSnapshot(randomState(rnd, 33, 17), References.allOf(randomRaster(rnd, 33, 17)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StateCodec.write(first, out);
    StateCodec.write(second.state(), second.references(), out);
    out.write(42);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertThat(StateCodec.read(in)).isEqualTo(first);
    assertThat(StateCodec.read(in)).isEqualTo(second);
    assertThat(in.read()).as("read consumes exactly one snapshot each").isEqualTo(42);
    assertThat(new Decoder(StateCodec.read(StateCodec.toBytes(first))).state()).isEqualTo(DecoderState.initial());
  }

  // ------------------------------------------------------------------ corrupt input

  @Test
  void everyTruncationAndEveryBitFlipOfASmallSnapshotIsATypedError() {
    Random rnd = new Random(4);
    DecoderSnapshot s = new DecoderSnapshot(randomState(rnd, 20, 9),
        References.of(randomRaster(rnd, 20, 9), randomRaster(rnd, 20, 9), randomRaster(rnd, 20, 9)));
    byte[] good = StateCodec.toBytes(s);
    for (int n = 0; n < good.length; n++) {
      byte[] cut = Arrays.copyOf(good, n);
      assertThatThrownBy(() -> StateCodec.read(cut)).as("truncated to %d", n)
          .isInstanceOf(InvalidBitstreamException.class).hasMessageStartingWith("state: ");
    }
    int harmless = 0;
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit >> 3] ^= (byte) (1 << (bit & 7));
      try {
        // The only flips that may pass are padding bits that inflate skips (after a stored
        // block's header, after the last block): the content, and so the hash, is unchanged.
        assertThat(StateCodec.read(bad)).as("bit %d flipped", bit).isEqualTo(s);
        assertThat(bit >> 3).as("harmless flip inside the compressed body", bit)
            .isBetween(StateCodec.HEADER_SIZE, good.length - 9);
        harmless++;
      } catch (InvalidBitstreamException | UnsupportedFeatureException expected) {
        // the typed errors
      }
    }
    assertThat(harmless).isLessThan(good.length * 8 / 100);
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> StateCodec.read(longer)).hasMessageContaining("trailing");
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[rnd.nextInt(3000)];
      rnd.nextBytes(junk);
      if (junk.length >= 4 && rnd.nextBoolean()) {
        System.arraycopy(good, 0, junk, 0, Math.min(junk.length, 16 + rnd.nextInt(40)));
      }
      assertThatThrownBy(() -> StateCodec.read(junk))
          .isInstanceOfAny(InvalidBitstreamException.class, UnsupportedFeatureException.class);
    }
  }

  @Test
  void headerProblemsAreNamed() {
    Random rnd = new Random(5);
    byte[] good = StateCodec.toBytes(new DecoderSnapshot(randomState(rnd, 16, 16),
        References.allOf(randomRaster(rnd, 16, 16))));
    assertThatThrownBy(() -> StateCodec.read(patch(good, 0, 'X'))).hasMessageContaining("magic");
    assertThatThrownBy(() -> StateCodec.read(patch(good, 5, 2))).isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("version 2");
    assertThatThrownBy(() -> StateCodec.read(patch(good, 7, 1))).hasMessageContaining("flags");
    assertThatThrownBy(() -> StateCodec.read(patch(good, good.length - 1, good[good.length - 1] ^ 1)))
        .isInstanceOf(InvalidBitstreamException.class).hasMessageContaining("hash mismatch");
    byte[] bodyLonger = good.clone();
    ByteBuffer.wrap(bodyLonger).putInt(8, ByteBuffer.wrap(good).getInt(8) + 1);
    assertThatThrownBy(() -> StateCodec.read(bodyLonger)).hasMessageContaining("body length");
    byte[] compressedLonger = good.clone();
    ByteBuffer.wrap(compressedLonger).putInt(12, ByteBuffer.wrap(good).getInt(12) + 1);
    assertThatThrownBy(() -> StateCodec.read(compressedLonger)).isInstanceOf(InvalidBitstreamException.class);
  }

  /** Offsets into the body: STAT tag (0), length (4), width (8), height (10), scales (12, 13), tables (14...). */
  @Test
  void bodyFieldsAreValidatedAndNamed() {
    Random rnd = new Random(6);
    byte[] good = StateCodec.toBytes(new DecoderSnapshot(randomState(rnd, 16, 16),
        References.of(randomRaster(rnd, 16, 16), randomRaster(rnd, 16, 16), randomRaster(rnd, 16, 16))));
    int tables = 14;
    int mv = tables + Tables.NUM_COEFF_PROBS + 4 + 3;
    int segMode = mv + 38;
    int segQuant = segMode + 1;
    int segLf = segQuant + 4;
    int refDeltas = segLf + 4;
    int mapLength = refDeltas + 8;
    int map = mapLength + 4;
    int refs = map + 1;
    assertBodyError(good, b -> b[0] = 'Q', "expected section STAT");
    assertBodyError(good, b -> b[7]++, "STAT length");
    assertBodyError(good, b -> b[9] = 17, "STAT length");
    assertBodyError(good, b -> b[8] = 0x40, "invalid frame size");
    assertBodyError(good, b -> b[12] = 4, "scaling codes");
    assertBodyError(good, b -> b[mv + 5] = 0, "motion vector probability 5");
    assertBodyError(good, b -> b[segMode] = 2, "segment feature mode");
    assertBodyError(good, b -> b[segQuant + 1] = (byte) 0x80, "segment 1 quantizer");
    assertBodyError(good, b -> b[segLf + 2] = 64, "segment 2 loop filter");
    assertBodyError(good, b -> b[refDeltas + 3] = -64, "reference frame loop filter delta 3");
    assertBodyError(good, b -> b[mapLength + 3] = 2, "segment map length");
    assertBodyError(good, b -> b[map] = 4, "segment id of macroblock 0");
    assertBodyError(good, b -> b[refs] = 'X', "expected section REFS");
    assertBodyError(good, b -> b[refs + 8] = 2, "reference count 2");
    assertBodyError(good, b -> b[refs + 9] = 1, "invalid last reference kind");
    assertBodyError(good, b -> b[refs + 13] = 17, "last reference is 16x17");
    int goldenKind = refs + 10 + 4 + 384;
    assertBodyError(good, b -> b[goldenKind] = 2, "invalid golden reference kind");
    int altKind = goldenKind + 1 + 4 + 384;
    assertBodyError(good, b -> b[altKind] = 1, "leaves " + (4 + 384) + " bytes unread");
    assertBodyError(good, b -> b[altKind] = 3, "invalid altref reference kind 3");
    assertBodyError(good, b -> b[b.length - 1] ^= 1, "hash mismatch");
    // A body that decompresses to more than the sections.
    byte[] extra = rewriteBody(good, b -> { }, 1);
    assertThatThrownBy(() -> StateCodec.read(extra)).isInstanceOf(InvalidBitstreamException.class)
        .hasMessageContaining("holds more than");
  }

  @Test
  void frameSizeBeyondTheLimitIsUnsupported() {
    Random rnd = new Random(8);
    byte[] good = StateCodec.toBytes(new DecoderSnapshot(randomState(rnd, 40, 40),
        References.allOf(randomRaster(rnd, 40, 40))));
    assertThat(StateCodec.read(good, 1600)).isNotNull();
    assertThatThrownBy(() -> StateCodec.read(good, 1599)).isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("40x40");
  }

  private static void assertBodyError(byte[] good, Consumer<byte[]> mutate, String message) {
    byte[] bad = rewriteBody(good, mutate, 0);
    assertThatThrownBy(() -> StateCodec.read(bad)).isInstanceOf(InvalidBitstreamException.class)
        .hasMessageContaining(message);
  }

  /** Decompresses the body, mutates it, recompresses it (plus {@code extra} zero bytes) and fixes the lengths. */
  private static byte[] rewriteBody(byte[] good, Consumer<byte[]> mutate, int extra) {
    ByteBuffer bb = ByteBuffer.wrap(good);
    int bodyLength = bb.getInt(8);
    int compressedLength = bb.getInt(12);
    Inflater inf = new Inflater();
    inf.setInput(good, 16, compressedLength);
    byte[] body = new byte[bodyLength + extra];
    try {
      assertThat(inf.inflate(body, 0, bodyLength)).isEqualTo(bodyLength);
    } catch (java.util.zip.DataFormatException e) {
      throw new AssertionError(e);
    }
    inf.end();
    mutate.accept(body);
    Deflater def = new Deflater(1);
    def.setInput(body);
    def.finish();
    byte[] comp = new byte[body.length * 2 + 64];
    int n = def.deflate(comp);
    def.end();
    ByteBuffer out = ByteBuffer.allocate(16 + n + 8);
    out.put(good, 0, 8).putInt(bodyLength).putInt(n).put(comp, 0, n).put(good, good.length - 8, 8);
    return out.array();
  }

  private static byte[] patch(byte[] b, int at, int value) {
    byte[] c = b.clone();
    c[at] = (byte) value;
    return c;
  }

  // ------------------------------------------------------------------ resuming a decode

  @ParameterizedTest(name = "{0} every {1}")
  @CsvSource({
    "vp8-test-vectors/vp80-05-sharpness-1439.ivf, 1, 0",
    "vp8-test-vectors/vp80-03-segmentation-1437.ivf, 1, 0",
    "vp8-test-vectors/vp80-00-comprehensive-007.ivf, 1, 0",
    "vp8-test-vectors/vp80-00-comprehensive-011.ivf, 1, 0",
    "vp8-test-vectors/vp80-00-comprehensive-018.ivf, 1, 0",
    "vp8-test-vectors/vp80-00-comprehensive-015.ivf, 43, 0",
    "clips/flower_960x540_vp8.ivf, 20, 60",
  })
  void decodingFromADumpedStateGivesTheFramesOfAFullDecode(String file, int step, int limit) throws IOException {
    Path ivf = TestData.root().resolve(file);
    List<byte[]> frames = new ArrayList<>();
    try (IvfReader reader = IvfReader.open(ivf)) {
      for (IvfFrame f; (f = reader.next()) != null && (limit == 0 || frames.size() < limit); ) {
        frames.add(f.data());
      }
    }
    int n = frames.size();
    Decoder full = new Decoder();
    String[] md5 = new String[n];
    byte[][] stateAfter = new byte[n][];
    boolean sawShared = false;
    boolean sawDistinct = false;
    for (int i = 0; i < n; i++) {
      md5[i] = full.decode(frames.get(i)).raster().md5Hex();
      References r = full.references();
      sawShared |= r.golden() == r.last();
      sawDistinct |= !r.golden().equals(r.last()) || !r.altref().equals(r.last());
      if (i % step == 0 || i == n - 2) {
        stateAfter[i] = StateCodec.toBytes(full.snapshot());
      }
    }
    DecoderSnapshot end = full.snapshot();
    assertThat(sawShared).isTrue();
    if (!file.contains("007") && !file.contains("1437") && !file.contains("018")) {
      assertThat(sawDistinct).as("golden or altref differ from last at some point").isTrue();
    }
    int resumed = 0;
    for (int k = 1; k < n; k++) {
      if (stateAfter[k - 1] == null) {
        continue;
      }
      DecoderSnapshot s = StateCodec.read(stateAfter[k - 1]);
      Decoder d = new Decoder(s);
      for (int i = k; i < n; i++) {
        assertThat(d.decode(frames.get(i)).raster().md5Hex()).as("%s: frame %d resumed at %d", file, i, k)
            .isEqualTo(md5[i]);
      }
      assertThat(d.snapshot()).isEqualTo(end);
      assertThat(d.snapshot().hash64()).isEqualTo(end.hash64());
      resumed++;
    }
    assertThat(resumed).isGreaterThanOrEqualTo(Math.min(n - 1, 4));
  }

  // ------------------------------------------------------------------ random values

  static DecoderState randomState(Random rnd, int w, int h) {
    byte[] coeff = new byte[Tables.NUM_COEFF_PROBS];
    rnd.nextBytes(coeff);
    byte[] y = new byte[4];
    byte[] uv = new byte[3];
    rnd.nextBytes(y);
    rnd.nextBytes(uv);
    byte[] mv = new byte[38];
    for (int i = 0; i < mv.length; i++) {
      mv[i] = (byte) (1 + rnd.nextInt(255));
    }
    int mbs = ((w + 15) >> 4) * ((h + 15) >> 4);
    byte[] map = new byte[mbs];
    for (int i = 0; i < mbs; i++) {
      map[i] = (byte) rnd.nextInt(4);
    }
    return DecoderState.of(w, h, rnd.nextInt(4), rnd.nextInt(4), coeff, y, uv, mv, rnd.nextBoolean(),
        signed(rnd, 127), signed(rnd, 63), map, signed(rnd, 63), signed(rnd, 63));
  }

  private static byte[] signed(Random rnd, int max) {
    return new byte[] {(byte) (rnd.nextInt(2 * max + 1) - max), (byte) (rnd.nextInt(2 * max + 1) - max),
        (byte) (rnd.nextInt(2 * max + 1) - max), (byte) (rnd.nextInt(2 * max + 1) - max)};
  }

  static Raster randomRaster(Random rnd, int w, int h) {
    MutableRaster m = new MutableRaster(w, h);
    for (byte[] p : new byte[][] {m.yPlane(), m.uPlane(), m.vPlane()}) {
      rnd.nextBytes(p);
    }
    m.extendBorders();
    return m.freeze();
  }

  private static Raster copy(Raster r) {
    MutableRaster m = new MutableRaster(r.width(), r.height());
    byte[][] dst = {m.yPlane(), m.uPlane(), m.vPlane()};
    for (int p = 0; p < 3; p++) {
      Raster.Plane src = r.plane(p);
      int origin = p == 0 ? m.yOrigin() : m.uvOrigin();
      int stride = p == 0 ? m.yStride() : m.uvStride();
      for (int row = 0; row < src.alignedHeight(); row++) {
        System.arraycopy(src.data(), src.origin() + row * src.stride(), dst[p], origin + row * stride,
            src.alignedWidth());
      }
    }
    m.extendBorders();
    return m.freeze();
  }
}
