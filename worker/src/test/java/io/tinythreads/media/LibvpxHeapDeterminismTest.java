package io.tinythreads.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.proto.EncodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same input and settings give the same bytes whatever the native heap held before the encode.
 *
 * <p>Regression test for libvpx's tune=ssim activity map reading the 9 bytes after its
 * above-context row (see {@link LibvpxEncoder.AboveContextGuard}). Those bytes are malloc slack,
 * so their value is whatever an earlier, freed allocation of the same size class left there. The
 * test controls that directly: before each encode it allocates a batch of blocks of exactly the
 * row's malloc size class on the encoding thread (glibc hands freed blocks back per thread and per
 * size class, last in first out), fills them with a pattern, and frees them; libvpx's row then
 * lands in one of them. Rounds with a zero pattern reproduce a fresh process; rounds with nonzero
 * patterns reproduce a long-lived JVM. Random-sized, random-filled allocations in between add the
 * unspecific churn of a real worker JVM. Without the guard the nonzero rounds give different bytes
 * (the reported 13402-instead-of-13404 chunk is the third one here); with it every round is equal.
 */
class LibvpxHeapDeterminismTest {
  /** The reported failing case: demo:testsrc2,size=176x144,frames=30 in 10-frame chunks. */
  static final String DEMO = "demo:testsrc2,size=176x144,frames=30";
  static final int WIDTH = 176;
  static final int CHUNK = 10;
  @TempDir static Path dir;
  static final List<Path> chunks = new ArrayList<>();

  @BeforeAll
  static void writeChunks() {
    for (int c = 0; c < 3; c++) {
      chunks.add(TestChunks.write(dir.resolve("chunk" + c + ".y4m"), DEMO, c * CHUNK, CHUNK));
    }
  }

  private final LibvpxEncoder enc = new LibvpxEncoder();

  @Test
  void twoPassBytesDoNotDependOnHeapContents() throws Exception {
    assertRoundsEqual(EncodeSettings.getDefaultInstance(), 9);
  }

  @Test
  void onePassBytesDoNotDependOnHeapContents() throws Exception {
    // The activity map runs in every encoding pass, not only in the second of two.
    assertRoundsEqual(EncodeSettings.newBuilder().setPasses(1).build(), 8);
  }

  private void assertRoundsEqual(EncodeSettings settings, int rounds) throws Exception {
    // Which garbage changes the bytes depends on the value (it is added into a table index) and
    // on the chunk; these three each changed some chunk in most rounds without the guard, 0xc8
    // giving the reported 13402-byte third chunk. Zero rounds are the clean-heap controls.
    int[] patterns = {0x00, 0x7f, 0x55, 0xc8};
    Random rnd = new Random(42);
    String[] reference = new String[chunks.size()];
    List<String> mismatches = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      int pattern = patterns[round % patterns.length];
      for (int c = 0; c < chunks.size(); c++) {
        churn(rnd);
        poisonRowSizeClass(pattern);
        Path out = dir.resolve("r" + round + "-c" + c + ".ivf");
        enc.encode(chunks.get(c), settings, out);
        byte[] bytes = Files.readAllBytes(out);
        String id = bytes.length + "/" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(bytes)).substring(0, 16);
        if (round == 0) {
          reference[c] = id;
        } else if (!id.equals(reference[c])) {
          mismatches.add("round " + round + " (heap pattern 0x" + Integer.toHexString(pattern) + ") chunk " + c
              + ": " + id + " instead of " + reference[c]);
        }
      }
    }
    assertThat(mismatches).as("encodes that differ from round 0 (clean heap)").isEmpty();
  }

  /**
   * Allocates blocks of the malloc size class of libvpx's above-context row (vpx_memalign(16, 9 *
   * mb_cols) asks malloc for 9 * mb_cols + 15 + 8 bytes), fills their whole usable size with
   * {@code pattern} and frees them again.
   */
  private static void poisonRowSizeClass(int pattern) {
    long request = 9L * ((WIDTH + 15) / 16) + 15 + 8;
    long usable = Math.max(32, (request + 8 + 15) & ~15L) - 8; // glibc: chunk = request + header, 16-aligned
    List<Pointer> blocks = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Pointer p = Pointer.malloc(usable);
      assertThat(p.isNull()).isFalse();
      Pointer.memset(p, pattern, usable);
      blocks.add(p);
    }
    blocks.forEach(Pointer::free);
  }

  /** Unspecific native churn: random sizes, random contents, freed in random order. */
  private static void churn(Random rnd) {
    List<Pointer> blocks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = 1 + rnd.nextInt(1 << 16);
      Pointer p = Pointer.malloc(n);
      assertThat(p.isNull()).isFalse();
      Pointer.memset(p, rnd.nextInt(256), n);
      blocks.add(p);
    }
    Collections.shuffle(blocks, rnd);
    blocks.forEach(Pointer::free);
  }
}
