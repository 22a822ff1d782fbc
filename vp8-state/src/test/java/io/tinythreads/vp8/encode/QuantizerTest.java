package io.tinythreads.vp8.encode;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.header.Delta;
import io.tinythreads.vp8.header.QuantIndices;
import io.tinythreads.vp8.header.Tables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The quantizer against libvpx: the tables against values worked out by hand from libvpx's
 * vp8cx_init_quantizer formulas, and the quantization itself against libvpx's own
 * vp8_regular_quantize_b (C, SSE2 and SSE4.1, from Debian's libvpx.a through the oracle in
 * src/test/c/quantize_ref.c) on random and edge-case coefficients at every quantizer index.
 */
class QuantizerTest {
  private static final QuantIndices PLAIN = new QuantIndices(0, Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty());

  @Test
  void tablesFollowLibvpxFormulas() {
    // Index 0: Y1 DC step 4. zbin = (84*4 + 64) >> 7 = 3, round = 48*4 >> 7 = 1,
    // invert_quant(4): l = 2, m = 1 + 2^18/4 = 65537 -> quant 1, shift 2^14.
    Quantizer q0 = new Quantizer(0, PLAIN);
    assertThat(q0.dequant(Quantizer.Y1, 0)).isEqualTo(4);
    assertThat(q0.zbin[0]).isEqualTo((short) 3);
    assertThat(q0.round[0]).isEqualTo((short) 1);
    assertThat(q0.quant[0]).isEqualTo((short) 1);
    assertThat(q0.quantShift[0]).isEqualTo((short) 16384);
    // Y2 DC step at index 0 is 2 * 4 = 8; Y2 AC max(8, 4 * 155 / 100) = 8.
    assertThat(q0.dequant(Quantizer.Y2, 0)).isEqualTo(8);
    assertThat(q0.dequant(Quantizer.Y2, 1)).isEqualTo(8);

    // Index 60 (zbin factor 80 from index 48): Y1 AC step acQ(60) = 70 -> zbin (80*70+64)>>7 = 44,
    // round 48*70>>7 = 26, l = 6, m = 1 + 2^22/70 = 59919 -> quant 59919 - 65536 = -5617, shift 2^10.
    Quantizer q60 = new Quantizer(60, PLAIN);
    assertThat(Tables.acQ(60)).isEqualTo(70);
    assertThat(q60.zbin[5]).isEqualTo((short) 44);
    assertThat(q60.round[5]).isEqualTo((short) 26);
    assertThat(q60.quant[5]).isEqualTo((short) -5617);
    assertThat(q60.quantShift[5]).isEqualTo((short) 1024);
    // Zero-run boost by run length: 0, 0, then (70 * {8, 10, ...}) >> 7.
    assertThat(q60.zrunBoost[0]).isEqualTo((short) 0);
    assertThat(q60.zrunBoost[1]).isEqualTo((short) 0);
    assertThat(q60.zrunBoost[2]).isEqualTo((short) (70 * 8 >> 7));
    assertThat(q60.zrunBoost[15]).isEqualTo((short) (70 * 44 >> 7));
    // Chroma DC is capped at 132 (RFC 6386 section 14.1).
    assertThat(new Quantizer(127, PLAIN).dequant(Quantizer.UV, 0)).isEqualTo(132);
  }

  @Test
  void deltasShiftTheIndexPerCoefficientType() {
    QuantIndices q = new QuantIndices(40, Optional.of(Delta.of(-3)), Optional.of(Delta.of(2)), Optional.of(Delta.of(-4)),
        Optional.of(Delta.of(5)), Optional.of(Delta.of(-6)));
    Quantizer z = new Quantizer(40, q);
    assertThat(z.dequant(Quantizer.Y1, 0)).isEqualTo(Tables.dcQ(37));
    assertThat(z.dequant(Quantizer.Y1, 1)).isEqualTo(Tables.acQ(40));
    assertThat(z.dequant(Quantizer.Y2, 0)).isEqualTo(Tables.dcQ(42) * 2);
    assertThat(z.dequant(Quantizer.Y2, 1)).isEqualTo(Math.max(8, Tables.acQ(36) * 155 / 100));
    assertThat(z.dequant(Quantizer.UV, 0)).isEqualTo(Tables.dcQ(45));
    assertThat(z.dequant(Quantizer.UV, 1)).isEqualTo(Tables.acQ(34));
  }

  @Test
  void quantizationEqualsLibvpxRegularQuantizer() throws Exception {
    SplittableRandom rnd = new SplittableRandom(20261122);
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    int cases = 0;
    short[][] inputs = new short[128 * 3 * 4][];
    Quantizer[] qs = new Quantizer[inputs.length];
    int[] types = new int[inputs.length];
    int[] extras = new int[inputs.length];
    for (int qi = 0; qi < 128; qi++) {
      QuantIndices q = new QuantIndices(qi, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty());
      Quantizer z = new Quantizer(qi, q);
      for (int type = 0; type < 3; type++) {
        for (int k = 0; k < 4; k++) {
          short[] coeff = new short[16];
          int scale = switch (k) {
            case 0 -> 4 * z.acStep(type); // mostly around the dead zone
            case 1 -> 40 * z.acStep(type);
            case 2 -> 2 * z.zbin[type * 16 + 1] + 2;
            default -> 4000;
          };
          for (int i = 0; i < 16; i++) {
            coeff[i] = (short) (rnd.nextInt(2 * scale + 1) - scale);
          }
          if (k == 2) {
            // Values exactly at the dead-zone threshold (with and without boosts).
            for (int i = 0; i < 16; i += 3) {
              coeff[i] = (short) (rnd.nextBoolean() ? z.zbin[type * 16 + i] : -z.zbin[type * 16 + i]);
            }
          }
          int extra = k == 3 ? 0 : rnd.nextInt(3) * z.acStep(type) * 6 >> 7;
          inputs[cases] = coeff;
          qs[cases] = z;
          types[cases] = type;
          extras[cases] = extra;
          int o = type * 16;
          writeShorts(req, z.zbin, o);
          writeShorts(req, z.round, o);
          writeShorts(req, z.quant, o);
          writeShorts(req, z.quantShift, o);
          writeShorts(req, z.zrunBoost, o);
          writeShorts(req, z.dequant, o);
          writeShorts(req, coeff, 0);
          req.write(extra);
          req.write(extra >> 8);
          cases++;
        }
      }
    }
    ByteBuffer answer = Oracle.run("quantize_ref.c", req.toByteArray(), cases * 3 * 65);
    short[] out = new short[16];
    for (int c = 0; c < cases; c++) {
      int eob = qs[c].quantize(inputs[c], 0, out, 0, types[c], extras[c]);
      for (int impl = 0; impl < 3; impl++) {
        String what = "case " + c + " (q " + qs[c].qIndex() + ", type " + types[c] + ", impl " + impl + ")";
        for (int i = 0; i < 16; i++) {
          assertThat(answer.getShort()).as(what + " qcoeff[" + i + "]").isEqualTo(out[i]);
        }
        for (int i = 0; i < 16; i++) {
          assertThat(answer.getShort()).as(what + " dqcoeff[" + i + "]")
              .isEqualTo((short) (out[i] * qs[c].dequant(types[c], i)));
        }
        assertThat((int) answer.get()).as(what + " eob").isEqualTo(eob);
      }
    }
  }

  private static void writeShorts(ByteArrayOutputStream out, short[] s, int off) {
    for (int i = 0; i < 16; i++) {
      out.write(s[off + i]);
      out.write(s[off + i] >> 8);
    }
  }

  /** Compiles a C oracle in src/test/c against Debian's static libvpx (once per JVM) and runs it. */
  static final class Oracle {
    private static final Path LIBVPX_A = Path.of("/usr/lib/x86_64-linux-gnu/libvpx.a");

    private Oracle() {}

    static synchronized ByteBuffer run(String source, byte[] input, int expectedBytes)
        throws IOException, InterruptedException {
      Path src = Path.of(System.getProperty("basedir", "."), "src/test/c", source);
      if (!Files.isRegularFile(src)) {
        throw new AssertionError("oracle source not found: " + src.toAbsolutePath());
      }
      if (!Files.isRegularFile(LIBVPX_A)) {
        throw new AssertionError(LIBVPX_A + " is missing: install libvpx-dev (the libvpx oracle links it)");
      }
      Path dir = Files.createTempDirectory("vp8enc-oracle");
      Path exe = dir.resolve("oracle");
      Process gcc;
      try {
        gcc = new ProcessBuilder("gcc", "-O2", "-o", exe.toString(), src.toString(), LIBVPX_A.toString(), "-lm",
            "-lpthread").redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new AssertionError("gcc is needed to build the libvpx oracle (apt-get install gcc)", e);
      }
      String log = new String(gcc.getInputStream().readAllBytes());
      if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
        throw new AssertionError("compiling " + src + " failed:\n" + log);
      }
      Path in = dir.resolve("in.bin");
      Files.write(in, input);
      Process p = new ProcessBuilder(exe.toString()).redirectInput(in.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("oracle failed");
      }
      Files.deleteIfExists(in);
      Files.deleteIfExists(exe);
      Files.deleteIfExists(dir);
      if (out.length != expectedBytes) {
        throw new AssertionError("oracle answered " + out.length + " bytes, expected " + expectedBytes);
      }
      return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }
  }
}
