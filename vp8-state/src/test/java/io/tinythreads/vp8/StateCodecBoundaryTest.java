package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Regression: a valid state whose zlib stream ended just past a multiple of 64 KiB (the reader's
 * old slice size) was refused as "compressed body length exhausted". Builds states whose
 * compressed body length falls 1..64 bytes past a 64 KiB multiple and reads each back.
 */
class StateCodecBoundaryTest {
  @Test
  void statesEndingJustPastA64KiBBoundaryReadBack() {
    Random rnd = new Random(20261122);
    DecoderState state = StateCodecTest.randomState(rnd, 320, 208);
    Raster base = StateCodecTest.randomRaster(rnd, 320, 208);
    int hits = 0;
    // Zeroing a run of luma bytes shortens the (otherwise incompressible) body: bisect the run
    // length for a body just above 64 KiB, then step byte by byte across the boundary window.
    int lo = 0;
    int hi = 320 * 208;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (compressedLength(StateCodec.toBytes(snapshot(state, base, mid))) > 65536 + 48) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    for (int zeros = Math.max(0, lo - 64); zeros < lo + 400 && hits < 3; zeros++) {
      DecoderSnapshot snap = snapshot(state, base, zeros);
      byte[] bytes = StateCodec.toBytes(snap);
      long past = compressedLength(bytes) % 65536;
      if (past >= 1 && past <= 64) {
        hits++;
        DecoderSnapshot back = StateCodec.read(bytes);
        assertThat(back).isEqualTo(snap);
        assertThat(back.hash64()).isEqualTo(snap.hash64());
      }
    }
    assertThat(hits).as("states whose compressed body ends 1..64 bytes past a 64 KiB multiple").isPositive();
  }

  private static DecoderSnapshot snapshot(DecoderState state, Raster base, int zeros) {
    MutableRaster m = new MutableRaster(base.width(), base.height());
    Raster.Plane[] src = {base.yPlane(), base.uPlane(), base.vPlane()};
    byte[][] dst = {m.yPlane(), m.uPlane(), m.vPlane()};
    for (int p = 0; p < 3; p++) {
      System.arraycopy(src[p].data(), 0, dst[p], 0, dst[p].length);
    }
    java.util.Arrays.fill(dst[0], m.yOrigin(), m.yOrigin() + zeros, (byte) 0);
    return new DecoderSnapshot(state, References.allOf(m.freeze()));
  }

  private static long compressedLength(byte[] state) {
    return ByteBuffer.wrap(state, 12, 4).getInt() & 0xFFFFFFFFL;
  }
}
