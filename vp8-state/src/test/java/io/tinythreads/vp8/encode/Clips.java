package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.Y4mReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test inputs made with the real tools: raw chunks cut and scaled from the shared y4m clips with
 * ffmpeg, encoded with vpxenc at ExCamera's settings, checked with vpxdec. Files go to one
 * temporary directory per JVM and are made once. Missing tools fail the test with a message
 * saying what to install.
 */
final class Clips {
  /** ExCamera's vpxenc flags (excamera-notes section 2.6) without the cq level. */
  static final List<String> EXCAMERA_VPXENC = List.of("--ivf", "--codec=vp8", "--good", "--cpu-used=0",
      "--end-usage=cq", "--min-q=0", "--max-q=63", "--buf-initial-sz=10000", "--buf-optimal-sz=20000",
      "--buf-sz=40000", "--undershoot-pct=100", "--passes=2", "--auto-alt-ref=1", "--threads=1", "--token-parts=0",
      "--tune=ssim", "--target-bitrate=4294967295");

  private static Path dir;
  private static final Map<String, Path> MADE = new HashMap<>();

  private Clips() {}

  static synchronized Path dir() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("vp8reenc-test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      dir.toFile().deleteOnExit();
    }
    return dir;
  }

  static Path testdata() {
    String d = System.getProperty("tinythreads.testdata");
    if (d == null || !Files.isDirectory(Path.of(d))) {
      throw new IllegalStateException("test data not found: set -Dtinythreads.testdata (got " + d + ")");
    }
    return Path.of(d);
  }

  static Path sintel() {
    return testdata().resolve("clips/sintel_trailer_640x272_f548-643.y4m");
  }

  static Path foreman() {
    return testdata().resolve("clips/foreman_cif_352x288_f150-269.y4m");
  }

  /**
   * Frames {@code first .. first+count-1} of {@code clip}, scaled to {@code w x h} unless w is 0,
   * as a y4m file.
   */
  static synchronized Path cut(Path clip, int first, int count, int w, int h) {
    String key = clip.getFileName() + "-" + first + "-" + count + "-" + w + "x" + h + ".y4m";
    Path out = MADE.get(key);
    if (out != null) {
      return out;
    }
    out = dir().resolve(key);
    String vf = "select='between(n\\," + first + "\\," + (first + count - 1) + ")'"
        + (w > 0 ? ",scale=" + w + ":" + h + ":flags=bicubic" : "");
    run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", clip.toString(), "-vf", vf, "-vsync", "0",
        "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", out.toString()), "ffmpeg");
    MADE.put(key, out);
    return out;
  }

  /** {@code y4m} encoded by vpxenc with ExCamera's settings at {@code cq} plus {@code extra} flags. */
  static synchronized Path vpxenc(Path y4m, int cq, String... extra) {
    String key = y4m.getFileName() + "-cq" + cq + String.join("", extra).replaceAll("[^a-z0-9]", "") + ".ivf";
    Path out = MADE.get(key);
    if (out != null) {
      return out;
    }
    out = dir().resolve(key);
    List<String> cmd = new ArrayList<>(List.of("vpxenc"));
    cmd.addAll(EXCAMERA_VPXENC);
    cmd.add("--cq-level=" + cq);
    cmd.addAll(Arrays.asList(extra));
    cmd.addAll(List.of("-q", "-o", out.toString(), y4m.toString()));
    run(cmd, "vpxenc");
    MADE.put(key, out);
    return out;
  }

  static List<byte[]> raw(Path y4m) {
    List<byte[]> l = new ArrayList<>();
    try (Y4mReader r = Y4mReader.open(y4m)) {
      for (byte[] b; (b = r.next()) != null; ) {
        l.add(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return l;
  }

  static List<byte[]> frames(Path ivf) {
    List<byte[]> l = new ArrayList<>();
    try {
      for (IvfFrame f : IvfReader.readAll(ivf)) {
        l.add(f.data());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return l;
  }

  /** The state after decoding {@code frames} from {@code start} (null: from scratch). */
  static DecoderSnapshot endState(DecoderSnapshot start, List<byte[]> frames) {
    Decoder d = start == null ? new Decoder() : start.newDecoder();
    for (byte[] f : frames) {
      d.decode(f);
    }
    return d.snapshot();
  }

  /** Our decoder's per-shown-frame MD5s of a stream, from scratch. */
  static List<String> md5(List<byte[]> frames) {
    Decoder d = new Decoder();
    List<String> l = new ArrayList<>();
    for (byte[] f : frames) {
      DecodedFrame df = d.decode(f);
      if (df.shown()) {
        l.add(df.raster().md5Hex());
      }
    }
    return l;
  }

  /** vpxdec's per-frame MD5s of an IVF file (the first word of each {@code --md5} line). */
  static List<String> vpxdecMd5(Path ivf) {
    String outp = run(List.of("vpxdec", "--codec=vp8", "--md5", "--i420", "-o", "f-%wx%h-%4.i420", ivf.toString()),
        "vpxdec");
    List<String> l = new ArrayList<>();
    for (String line : outp.split("\n")) {
      if (!line.isBlank()) {
        l.add(line.trim().split("\\s+")[0]);
      }
    }
    return l;
  }

  /** vpxdec --summary's "N decoded frames/M showed frames" as {N, M}. */
  static int[] vpxdecCounts(Path ivf) {
    String outp = run(List.of("vpxdec", "--codec=vp8", "--summary", "-o", "/dev/null", ivf.toString()), "vpxdec");
    var m = java.util.regex.Pattern.compile("(\\d+) decoded frames/(\\d+) showed frames").matcher(outp);
    if (!m.find()) {
      throw new AssertionError("unexpected vpxdec --summary output: " + outp);
    }
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
  }

  /** Writes frames as an IVF file (pts = index). */
  static Path writeIvf(String name, int w, int h, List<byte[]> frames) {
    Path p = dir().resolve(name);
    try (var wr = io.tinythreads.vp8.io.IvfWriter.create(p, io.tinythreads.vp8.io.IvfHeader.vp8(w, h, 24, 1, 0))) {
      for (int i = 0; i < frames.size(); i++) {
        byte[] f = frames.get(i);
        wr.write(i, f, 0, f.length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** Runs a tool, returning stdout and stderr together; a missing tool or failure is an AssertionError. */
  static String run(List<String> cmd, String tool) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(tool + " is needed by this test (apt-get install "
          + (tool.equals("ffmpeg") ? "ffmpeg" : "vpx-tools") + ")", e);
    }
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
