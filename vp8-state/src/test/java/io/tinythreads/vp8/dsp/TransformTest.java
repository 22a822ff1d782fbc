package io.tinythreads.vp8.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bit-exactness of {@link Transform} against libvpx's C functions (and a check that the x86 SIMD
 * versions vpxdec runs agree with them on the inputs a stream can produce), over thousands of
 * random blocks drawn from several value distributions.
 */
class TransformTest {
  private static final int CASES = 6000;

  /** Coefficients from a mix of distributions: sparse, small, large and full 16-bit. */
  private static short[] randomCoeffs(Random rnd, int n, int kind) {
    short[] c = new short[n];
    for (int i = 0; i < n; i++) {
      c[i] =
          switch (kind) {
            case 0 -> (short) (rnd.nextInt(4) == 0 ? rnd.nextInt(401) - 200 : 0); // sparse
            case 1 -> (short) (rnd.nextInt(4097) - 2048); // typical dequantized range
            case 2 -> (short) (rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 32767 : -32768) : 0);
            default -> (short) rnd.nextInt(); // any 16-bit value
          };
    }
    return c;
  }

  private static byte[] randomPixels(Random rnd, int n) {
    byte[] b = new byte[n];
    int kind = rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      b[i] =
          (byte)
              switch (kind) {
                case 0 -> rnd.nextInt(256);
                case 1 -> rnd.nextBoolean() ? rnd.nextInt(8) : 255 - rnd.nextInt(8); // extremes
                default -> 100 + rnd.nextInt(56);
              };
    }
    return b;
  }

  /** Copies a packed 4x4 block into a bigger buffer at (offset, stride) to exercise strides. */
  private static byte[] embed(byte[] block, int off, int stride, int size) {
    byte[] buf = new byte[off + stride * 4 + 8];
    Arrays.fill(buf, (byte) 0x5A);
    for (int r = 0; r < 4; r++) {
      System.arraycopy(block, 4 * r, buf, off + r * stride, 4);
    }
    return buf;
  }

  private static byte[] extract(byte[] buf, int off, int stride) {
    byte[] out = new byte[16];
    for (int r = 0; r < 4; r++) {
      System.arraycopy(buf, off + r * stride, out, 4 * r, 4);
    }
    return out;
  }

  @Test
  void idctAddMatchesLibvpx() {
    Random rnd = new Random(1);
    short[][] coeffs = new short[CASES][];
    byte[][] preds = new byte[CASES][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < CASES; i++) {
      coeffs[i] = randomCoeffs(rnd, 16, i % 4);
      preds[i] = randomPixels(rnd, 16);
      req.op(LibvpxRef.OP_IDCT).shorts(coeffs[i], 0, 16).bytes(preds[i]);
    }
    ByteBuffer ans = LibvpxRef.run(req, CASES * 32);
    int simdChecked = 0;
    for (int i = 0; i < CASES; i++) {
      byte[] c = new byte[16];
      byte[] simd = new byte[16];
      ans.get(c).get(simd);
      int off = 3 + i % 5;
      int stride = 4 + i % 13;
      byte[] buf = embed(preds[i], off, stride, 4);
      short[] input = Arrays.copyOf(coeffs[i], 16);
      short[] padded = new short[20];
      System.arraycopy(input, 0, padded, 3, 16);
      Transform.idctAdd(padded, 3, buf, off, stride);
      assertArrayEquals(c, extract(buf, off, stride), "case " + i + " " + Arrays.toString(input));
      assertThat(padded).as("input untouched").isEqualTo(withPad(input, 3, 20));
      if (i % 4 != 3 && i % 4 != 2) {
        // The MMX version works in 16-bit lanes; on stream-producible coefficients it must agree.
        assertArrayEquals(c, simd, "libvpx MMX vs C, case " + i);
        simdChecked++;
      }
    }
    assertThat(simdChecked).isGreaterThan(CASES / 3);
  }

  private static short[] withPad(short[] a, int off, int len) {
    short[] r = new short[len];
    System.arraycopy(a, 0, r, off, a.length);
    return r;
  }

  @Test
  void dcOnlyIdctAddMatchesLibvpxAndFullIdct() {
    Random rnd = new Random(2);
    int[] dcs = new int[CASES];
    byte[][] preds = new byte[CASES][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < CASES; i++) {
      dcs[i] = i % 2 == 0 ? rnd.nextInt(65536) - 32768 : rnd.nextInt(4097) - 2048;
      preds[i] = randomPixels(rnd, 16);
      req.op(LibvpxRef.OP_DC_ONLY).u16(dcs[i]).bytes(preds[i]);
    }
    ByteBuffer ans = LibvpxRef.run(req, CASES * 32);
    for (int i = 0; i < CASES; i++) {
      byte[] c = new byte[16];
      byte[] simd = new byte[16];
      ans.get(c).get(simd);
      byte[] buf = embed(preds[i], 1, 9, 4);
      Transform.dcOnlyIdctAdd(dcs[i], buf, 1, 9);
      assertArrayEquals(c, extract(buf, 1, 9), "case " + i + " dc " + dcs[i]);
      assertArrayEquals(c, simd, "libvpx MMX vs C, dc " + dcs[i]);
      // The DC-only shortcut equals the full IDCT of a DC-only block.
      byte[] full = embed(preds[i], 1, 9, 4);
      short[] block = new short[16];
      block[0] = (short) dcs[i];
      Transform.idctAdd(block, 0, full, 1, 9);
      assertArrayEquals(c, extract(full, 1, 9), "full IDCT of DC-only block, dc " + dcs[i]);
    }
  }

  /**
   * The decoder's per-macroblock luma path: dequantize (16-bit product, like libvpx's short),
   * then full IDCT when eob > 1 else the DC-only shortcut. libvpx's vpxdec runs the SSE2 version.
   */
  @Test
  void macroblockDequantIdctMatchesLibvpxCAndSse2() {
    Random rnd = new Random(3);
    int mbs = 600;
    short[][] qs = new short[mbs][];
    short[][] dqs = new short[mbs][];
    byte[][] eobs = new byte[mbs][];
    byte[][] preds = new byte[mbs][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int m = 0; m < mbs; m++) {
      short[] dq = new short[16];
      dq[0] = (short) (4 + rnd.nextInt(154));
      short ac = (short) (4 + rnd.nextInt(154));
      for (int k = 1; k < 16; k++) {
        dq[k] = ac;
      }
      // Even macroblocks: any token value (+-2114 with the category-6 offset). Odd ones: the
      // dequantized values an encoder produces from 8-bit residuals (|coefficient| <= 4096).
      boolean typical = m % 2 == 1;
      short[] q = new short[256];
      byte[] eob = new byte[16];
      for (int b = 0; b < 16; b++) {
        int e = switch (rnd.nextInt(4)) {
          case 0 -> 0;
          case 1 -> 1;
          default -> 2 + rnd.nextInt(15);
        };
        eob[b] = (byte) e;
        for (int k = 0; k < e; k++) {
          int max = typical ? 4096 / dq[k] : 2114;
          q[16 * b + k] =
              (short) (rnd.nextInt(4) == 0 ? rnd.nextInt(2 * max + 1) - max : rnd.nextInt(21) - 10);
        }
      }
      qs[m] = q;
      dqs[m] = dq;
      eobs[m] = eob;
      preds[m] = randomPixels(rnd, 256);
      req.op(LibvpxRef.OP_YBLOCK).shorts(q, 0, 256).shorts(dq, 0, 16).bytes(eob).bytes(preds[m]);
    }
    ByteBuffer ans = LibvpxRef.run(req, mbs * 512);
    for (int m = 0; m < mbs; m++) {
      byte[] c = new byte[256];
      byte[] sse2 = new byte[256];
      ans.get(c).get(sse2);
      byte[] dst = preds[m].clone();
      short[] dequant = new short[16];
      for (int b = 0; b < 16; b++) {
        int off = (b / 4) * 4 * 16 + (b % 4) * 4;
        if (eobs[m][b] > 1) {
          for (int k = 0; k < 16; k++) {
            dequant[k] = (short) (qs[m][16 * b + k] * dqs[m][k]);
          }
          Transform.idctAdd(dequant, 0, dst, off, 16);
        } else {
          Transform.dcOnlyIdctAdd(qs[m][16 * b] * dqs[m][0], dst, off, 16);
        }
      }
      assertArrayEquals(c, dst, "macroblock " + m);
      if (m % 2 == 1) {
        assertArrayEquals(c, sse2, "libvpx SSE2 vs C, macroblock " + m);
      }
    }
  }

  @Test
  void inverseWalshMatchesLibvpx() {
    Random rnd = new Random(4);
    short[][] ins = new short[CASES][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < CASES; i++) {
      ins[i] = randomCoeffs(rnd, 16, i % 4);
      req.op(LibvpxRef.OP_IWALSH).shorts(ins[i], 0, 16);
    }
    ByteBuffer ans = LibvpxRef.run(req, CASES * 64);
    for (int i = 0; i < CASES; i++) {
      short[] c = new short[16];
      short[] simd = new short[16];
      ans.asShortBuffer().get(c);
      ans.position(ans.position() + 32);
      ans.asShortBuffer().get(simd);
      ans.position(ans.position() + 32);
      short[] coeffs = new short[5 + 256];
      Arrays.fill(coeffs, (short) 7);
      Transform.inverseWalsh(ins[i], 0, coeffs, 5);
      for (int k = 0; k < 256; k++) {
        if (k % 16 == 0) {
          assertThat(coeffs[5 + k]).as("case %d output %d", i, k / 16).isEqualTo(c[k / 16]);
        } else {
          assertThat(coeffs[5 + k]).as("AC slots untouched").isEqualTo((short) 7);
        }
      }
      if (i % 4 < 2) {
        assertArrayEquals(c, simd, "libvpx SSE2 vs C, case " + i);
      }
    }
  }

  @Test
  void inverseWalshDcOnlyMatchesLibvpxAndFullWalsh() {
    Random rnd = new Random(5);
    int n = 2000;
    int[] dcs = new int[n];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < n; i++) {
      dcs[i] = i < 16 ? new int[] {-32768, 32767, 0, -1, 1, 4, 5, -3, -4, -5, 32764, 32765, -32765, 2, 3, 6}[i]
          : rnd.nextInt(65536) - 32768;
      req.op(LibvpxRef.OP_IWALSH1).u16(dcs[i]);
    }
    ByteBuffer ans = LibvpxRef.run(req, n * 32);
    for (int i = 0; i < n; i++) {
      short[] c = new short[16];
      ans.asShortBuffer().get(c);
      ans.position(ans.position() + 32);
      short[] coeffs = new short[256];
      Transform.inverseWalshDcOnly(dcs[i], coeffs, 0);
      short[] full = new short[256];
      short[] in = new short[16];
      in[0] = (short) dcs[i];
      Transform.inverseWalsh(in, 0, full, 0);
      for (int k = 0; k < 16; k++) {
        assertThat(coeffs[16 * k]).as("dc %d block %d", dcs[i], k).isEqualTo(c[k]);
        assertThat(full[16 * k]).as("full WHT of DC-only, dc %d", dcs[i]).isEqualTo(c[k]);
      }
    }
  }

  @Test
  void forwardDctMatchesLibvpx() {
    forwardMatches(LibvpxRef.OP_FDCT, 6);
  }

  @Test
  void forwardWalshMatchesLibvpx() {
    forwardMatches(LibvpxRef.OP_FWALSH, 7);
  }

  private static void forwardMatches(int op, long seed) {
    Random rnd = new Random(seed);
    short[][] ins = new short[CASES][];
    LibvpxRef.Request req = new LibvpxRef.Request();
    for (int i = 0; i < CASES; i++) {
      short[] in = new short[16];
      int range = switch (i % 3) {
        case 0 -> 255; // 8-bit residuals
        case 1 -> 2047; // the DC range of the forward DCT (input of the forward WHT)
        default -> 4095;
      };
      for (int k = 0; k < 16; k++) {
        in[k] = (short) (rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(2 * range + 1) - range);
      }
      ins[i] = in;
      req.op(op).shorts(in, 0, 16);
    }
    ByteBuffer ans = LibvpxRef.run(req, CASES * 64);
    for (int i = 0; i < CASES; i++) {
      short[] c = new short[16];
      short[] simd = new short[16];
      ans.asShortBuffer().get(c);
      ans.position(ans.position() + 32);
      ans.asShortBuffer().get(simd);
      ans.position(ans.position() + 32);
      // Lay the input out with a stride of 9 at offset 2.
      short[] strided = new short[2 + 9 * 4];
      for (int r = 0; r < 4; r++) {
        System.arraycopy(ins[i], 4 * r, strided, 2 + 9 * r, 4);
      }
      short[] out = new short[3 + 16];
      if (op == LibvpxRef.OP_FDCT) {
        Transform.forwardDct(strided, 2, 9, out, 3);
      } else {
        Transform.forwardWalsh(strided, 2, 9, out, 3);
      }
      assertArrayEquals(c, Arrays.copyOfRange(out, 3, 19), "case " + i + " " + Arrays.toString(ins[i]));
      if (i % 3 == 0) {
        assertArrayEquals(c, simd, "libvpx SSE2 vs C, case " + i);
      }
    }
  }

  /** The forward and inverse transforms are (near) inverses: a sanity check on the pairing. */
  @Test
  void forwardThenInverseDctReconstructsResidual() {
    Random rnd = new Random(8);
    for (int i = 0; i < 2000; i++) {
      short[] residual = new short[16];
      for (int k = 0; k < 16; k++) {
        residual[k] = (short) (rnd.nextInt(201) - 100);
      }
      short[] coeffs = new short[16];
      Transform.forwardDct(residual, 0, 4, coeffs, 0);
      byte[] pred = new byte[16];
      Arrays.fill(pred, (byte) 128);
      Transform.idctAdd(coeffs, 0, pred, 0, 4);
      for (int k = 0; k < 16; k++) {
        assertThat((pred[k] & 0xFF) - 128).isCloseTo(residual[k], org.assertj.core.data.Offset.offset(1));
      }
    }
  }

  @Test
  void forwardThenInverseWalshReconstructsDcs() {
    Random rnd = new Random(9);
    for (int i = 0; i < 2000; i++) {
      short[] dcs = new short[16];
      for (int k = 0; k < 16; k++) {
        dcs[k] = (short) (rnd.nextInt(4001) - 2000);
      }
      short[] y2 = new short[16];
      Transform.forwardWalsh(dcs, 0, 4, y2, 0);
      short[] back = new short[256];
      Transform.inverseWalsh(y2, 0, back, 0);
      for (int k = 0; k < 16; k++) {
        assertThat((int) back[16 * k]).isCloseTo(dcs[k], org.assertj.core.data.Offset.offset(1));
      }
    }
  }
}
