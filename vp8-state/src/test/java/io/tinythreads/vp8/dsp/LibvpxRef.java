package io.tinythreads.vp8.dsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The libvpx oracle for the DSP tests: compiles src/test/c/libvpx_ref.c against Debian's static
 * libvpx (package libvpx-dev) with gcc, once per JVM, and runs batches of requests through it.
 * Missing gcc or libvpx.a is a test failure with a message saying what to install, never a skip.
 */
final class LibvpxRef {
  static final int OP_IDCT = 1;
  static final int OP_DC_ONLY = 2;
  static final int OP_IWALSH = 3;
  static final int OP_IWALSH1 = 4;
  static final int OP_FDCT = 5;
  static final int OP_FWALSH = 6;
  static final int OP_SIXTAP = 7;
  static final int OP_BILINEAR = 8;
  static final int OP_INTRA4 = 9;
  static final int OP_INTRA_MB = 10;
  static final int OP_LOOP_FILTER = 11;
  static final int OP_SAD_VAR = 12;
  static final int OP_SSIM = 13;
  static final int OP_PSNR = 14;
  static final int OP_YBLOCK = 15;
  static final int OP_LF_TABLES = 16;

  private static final Path LIBVPX_A = Path.of("/usr/lib/x86_64-linux-gnu/libvpx.a");
  private static Path binary;

  private LibvpxRef() {}

  private static synchronized Path binary() throws IOException, InterruptedException {
    if (binary != null) {
      return binary;
    }
    Path source = Path.of(System.getProperty("basedir", "."), "src/test/c/libvpx_ref.c");
    if (!Files.isRegularFile(source)) {
      throw new AssertionError("oracle source not found: " + source.toAbsolutePath());
    }
    if (!Files.isRegularFile(LIBVPX_A)) {
      throw new AssertionError(
          LIBVPX_A + " is missing: the bit-exactness tests need libvpx's static library"
              + " (apt-get install libvpx-dev)");
    }
    Path dir = Files.createTempDirectory("vp8dsp-libvpx-ref");
    Path exe = dir.resolve("libvpx_ref");
    Process gcc;
    try {
      gcc =
          new ProcessBuilder(
                  "gcc", "-O2", "-o", exe.toString(), source.toString(), LIBVPX_A.toString(),
                  "-lm", "-lpthread")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new AssertionError("gcc is needed to build the libvpx oracle (apt-get install gcc)", e);
    }
    String log = new String(gcc.getInputStream().readAllBytes());
    if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
      throw new AssertionError("compiling " + source + " against " + LIBVPX_A + " failed:\n" + log);
    }
    exe.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    binary = exe;
    return binary;
  }

  /** Runs one batch of requests and returns libvpx's answers (checked for the expected size). */
  static ByteBuffer run(Request request, int expectedBytes) {
    try {
      Path exe = binary();
      Path in = Files.createTempFile("vp8dsp-in", ".bin");
      try {
        Files.write(in, request.bytes());
        Process p =
            new ProcessBuilder(exe.toString())
                .redirectInput(in.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("libvpx oracle timed out");
        }
        if (p.exitValue() != 0) {
          throw new AssertionError("libvpx oracle exited with " + p.exitValue());
        }
        if (out.length != expectedBytes) {
          throw new AssertionError(
              "libvpx oracle answered " + out.length + " bytes, expected " + expectedBytes);
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
      } finally {
        Files.deleteIfExists(in);
      }
    } catch (IOException e) {
      throw new AssertionError("running the libvpx oracle failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** A little-endian request stream. */
  static final class Request {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Request op(int op) {
      out.write(op);
      return this;
    }

    Request u8(int v) {
      out.write(v);
      return this;
    }

    Request u16(int v) {
      out.write(v);
      out.write(v >>> 8);
      return this;
    }

    Request bytes(byte[] b, int off, int len) {
      out.write(b, off, len);
      return this;
    }

    Request bytes(byte[] b) {
      return bytes(b, 0, b.length);
    }

    Request shorts(short[] s, int off, int len) {
      for (int i = 0; i < len; i++) {
        u16(s[off + i]);
      }
      return this;
    }

    Request f64(double d) {
      long v = Double.doubleToRawLongBits(d);
      for (int i = 0; i < 8; i++) {
        out.write((int) (v >>> (8 * i)));
      }
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
