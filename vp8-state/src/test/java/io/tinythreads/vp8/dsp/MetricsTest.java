package io.tinythreads.vp8.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Metrics} against libvpx: block SAD and variance against vpx_sadNxN_c and
 * vpx_varianceNxN_c, PSNR against vpx_sse_to_psnr, SSIM against libvpx's SSE2 window sums fed
 * through vpx_dsp/ssim.c's similarity() and vpx_ssim2() windowing.
 */
class MetricsTest {
  private static byte[] pixels(Random rnd, int n, int kind) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (kind == 0 ? rnd.nextInt(256) : 100 + rnd.nextInt(20));
    }
    return b;
  }

  @Test
  void blockSadVarianceAndSseMatchLibvpx() {
    Random rnd = new Random(41);
    int n = 3000;
    int[] sizes = new int[n];
    byte[][] as = new byte[n][];
    byte[][] bs = new byte[n][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < n; i++) {
      int size = new int[] {16, 8, 4}[i % 3];
      sizes[i] = size;
      as[i] = pixels(rnd, size * size, (i / 3) % 2);
      bs[i] = i % 7 == 0 ? as[i].clone() : pixels(rnd, size * size, (i / 6) % 2);
      req.op(LibvpxRef.OP_SAD_VAR).u8(size).bytes(as[i]).bytes(bs[i]);
    }
    ByteBuffer ans = LibvpxRef.run(req, n * 12);
    for (int i = 0; i < n; i++) {
      int size = sizes[i];
      long sad = ans.getInt() & 0xFFFFFFFFL;
      long variance = ans.getInt() & 0xFFFFFFFFL;
      long sse = ans.getInt() & 0xFFFFFFFFL;
      // Embed a in a strided plane to exercise offsets.
      int stride = size + 5;
      byte[] plane = new byte[3 + stride * size];
      for (int r = 0; r < size; r++) {
        System.arraycopy(as[i], r * size, plane, 3 + r * stride, size);
      }
      String what = size + "x" + size + " case " + i;
      int javaSad =
          switch (size) {
            case 16 -> Metrics.sad16x16(plane, 3, stride, bs[i], 0, size);
            case 8 -> Metrics.sad8x8(plane, 3, stride, bs[i], 0, size);
            default -> Metrics.sad4x4(plane, 3, stride, bs[i], 0, size);
          };
      assertThat((long) javaSad).as("sad " + what).isEqualTo(sad);
      assertThat(Metrics.sse(plane, 3, stride, bs[i], 0, size, size, size)).as("sse " + what).isEqualTo(sse);
      int javaVar = Metrics.variance(plane, 3, stride, bs[i], 0, size, size, size);
      assertThat((long) javaVar).as("variance " + what).isEqualTo(variance);
      if (size == 16) {
        assertThat(Metrics.variance16x16(plane, 3, stride, bs[i], 0, size)).isEqualTo(javaVar);
      }
      // Early exit: exact when within the limit, above the limit otherwise.
      int limit = rnd.nextInt((int) sad + 2);
      int early = Metrics.sad(plane, 3, stride, bs[i], 0, size, size, size, limit);
      if (sad <= limit) {
        assertThat((long) early).isEqualTo(sad);
      } else {
        assertThat(early).isGreaterThan(limit).isLessThanOrEqualTo((int) sad);
      }
    }
  }

  /** Other block shapes (the SWAR path covers widths 8 and 16 up to 16 rows) vs a plain loop. */
  @Test
  void sadOfAnyShapeEqualsPlainSum() {
    Random rnd = new Random(44);
    byte[] a = new byte[64 * 40];
    byte[] b = new byte[64 * 40];
    for (int w = 1; w <= 16; w++) {
      for (int h = 1; h <= 20; h++) {
        for (int k = 0; k < 4; k++) {
          for (int i = 0; i < a.length; i++) {
            a[i] = (byte) (k == 0 ? (rnd.nextBoolean() ? 0 : 255) : rnd.nextInt(256));
            b[i] = (byte) (k == 1 ? 255 - (a[i] & 0xFF) : rnd.nextInt(256));
          }
          int aOff = rnd.nextInt(5);
          int bOff = rnd.nextInt(5);
          int expected = 0;
          for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
              expected += Math.abs((a[aOff + r * 64 + c] & 0xFF) - (b[bOff + r * 40 + c] & 0xFF));
            }
          }
          String what = w + "x" + h + " kind " + k;
          assertThat(Metrics.sad(a, aOff, 64, b, bOff, 40, w, h)).as(what).isEqualTo(expected);
          assertThat(Metrics.sad(a, aOff, 64, b, bOff, 40, w, h, Integer.MAX_VALUE)).as(what).isEqualTo(expected);
          if (expected > 0) {
            int limit = expected / 2;
            assertThat(Metrics.sad(a, aOff, 64, b, bOff, 40, w, h, limit))
                .as(what)
                .isGreaterThan(limit)
                .isLessThanOrEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void psnrMatchesLibvpx() {
    Random rnd = new Random(42);
    int n = 2000;
    double[][] in = new double[n][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < n; i++) {
      double samples = 1 + rnd.nextInt(4_000_000);
      double sse =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(100);
            default -> Math.floor(rnd.nextDouble() * samples * 65025);
          };
      in[i] = new double[] {samples, sse};
      req.op(LibvpxRef.OP_PSNR).f64(samples).f64(sse);
    }
    ByteBuffer ans = LibvpxRef.run(req, n * 8);
    for (int i = 0; i < n; i++) {
      double expected = ans.getDouble();
      // Java's Math.log10 and glibc's log10 may differ in the last bit.
      assertThat(Metrics.sseToPsnr(in[i][0], in[i][1]))
          .as("samples %s sse %s", in[i][0], in[i][1])
          .isCloseTo(expected, within(1e-12));
    }
  }

  @Test
  void frameMetricsOnKnownDifferences() {
    int w = 64;
    int h = 48;
    byte[] a = new byte[w * h];
    byte[] b = new byte[w * h];
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) (i * 7);
      b[i] = (byte) (((i * 7) & 0xFF) == 255 ? 254 : (i * 7) + 1); // every sample off by one
    }
    Metrics.Plane pa = new Metrics.Plane(a, 0, w, w, h);
    Metrics.Plane pb = new Metrics.Plane(b, 0, w, w, h);
    // sse = samples -> 10 log10(255^2) dB.
    assertThat(Metrics.psnr(pa, pb)).isCloseTo(10 * Math.log10(255.0 * 255.0), within(1e-9));
    assertThat(Metrics.psnr(pa, pa)).isEqualTo(Metrics.MAX_PSNR);
    assertThat(Metrics.ssim(pa, pa)).isEqualTo(1.0);

    byte[] ua = new byte[32 * 24];
    byte[] ub = ua.clone();
    ub[5] = 9; // sse 81 in U
    Metrics.Plane pua = new Metrics.Plane(ua, 0, 32, 32, 24);
    Metrics.Plane pub = new Metrics.Plane(ub, 0, 32, 32, 24);
    Metrics.Psnr frame = Metrics.psnr(pa, pua, pua, pb, pub, pua);
    assertThat(frame.sseY()).isEqualTo((long) w * h);
    assertThat(frame.sseU()).isEqualTo(81);
    assertThat(frame.sseV()).isZero();
    assertThat(frame.v()).isEqualTo(Metrics.MAX_PSNR);
    assertThat(frame.all())
        .isCloseTo(10 * Math.log10((w * h + 2 * 32 * 24) * 65025.0 / (w * h + 81)), within(1e-9));
    Metrics.Ssim ssim = Metrics.ssim(pa, pua, pua, pb, pub, pua);
    assertThat(ssim.v()).isEqualTo(1.0);
    assertThat(ssim.u()).isLessThan(1.0);
    assertThat(ssim.all()).isEqualTo(ssim.y() * .8 + .1 * (ssim.u() + ssim.v()));
  }

  @Test
  void ssimMatchesLibvpx() {
    Random rnd = new Random(43);
    int[][] sizes = {{8, 8}, {16, 16}, {17, 9}, {64, 48}, {176, 144}, {33, 70}};
    int cases = 60;
    Metrics.Plane[][] planes = new Metrics.Plane[cases][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int k = 0; k < cases; k++) {
      int w = sizes[k % sizes.length][0];
      int h = sizes[k % sizes.length][1];
      byte[] a = new byte[w * h];
      byte[] b = new byte[w * h];
      int noise = 1 + rnd.nextInt(k % 2 == 0 ? 8 : 120);
      for (int i = 0; i < a.length; i++) {
        int base = (i % w) * 2 + (i / w) + rnd.nextInt(5);
        a[i] = (byte) Math.min(255, base);
        b[i] = (byte) Math.max(0, Math.min(255, base + rnd.nextInt(2 * noise + 1) - noise));
      }
      req.op(LibvpxRef.OP_SSIM).u16(w).u16(h).bytes(a).bytes(b);
      // The Java side reads the same pixels from strided planes with offsets.
      int stride = w + 3;
      byte[] sa = new byte[7 + stride * h];
      byte[] sb = new byte[2 + stride * h];
      for (int r = 0; r < h; r++) {
        System.arraycopy(a, r * w, sa, 7 + r * stride, w);
        System.arraycopy(b, r * w, sb, 2 + r * stride, w);
      }
      planes[k] =
          new Metrics.Plane[] {
            new Metrics.Plane(sa, 7, stride, w, h), new Metrics.Plane(sb, 2, stride, w, h)
          };
    }
    ByteBuffer ans = LibvpxRef.run(req, cases * 8);
    for (int k = 0; k < cases; k++) {
      double expected = ans.getDouble();
      assertThat(Metrics.ssim(planes[k][0], planes[k][1]))
          .as("case %d %dx%d", k, planes[k][0].width(), planes[k][0].height())
          .isEqualTo(expected);
    }
  }

  @Test
  void planeChecksItsBounds() {
    assertThatThrownBy(() -> new Metrics.Plane(new byte[100], 0, 10, 10, 11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds 100 bytes");
    assertThatThrownBy(() -> new Metrics.Plane(new byte[100], 0, 5, 10, 2))
        .isInstanceOf(IllegalArgumentException.class);
    Metrics.Plane p = new Metrics.Plane(new byte[100], 0, 10, 10, 10);
    Metrics.Plane q = new Metrics.Plane(new byte[100], 0, 10, 9, 10);
    assertThatThrownBy(() -> Metrics.psnr(p, q)).hasMessageContaining("differ in size");
  }
}
