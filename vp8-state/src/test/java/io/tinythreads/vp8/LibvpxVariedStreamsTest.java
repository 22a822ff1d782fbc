package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder on streams nobody hand-picked: Debian's vpxenc encodes small generated sources with
 * settings that exercise other parts of the bitstream than the conformance vectors and clips do
 * (several token partitions, hidden alt-ref frames, real-time mode, error resilience, odd and tiny
 * sizes, frequent key frames, dropped frames, spatial resampling, static thresholds, sharpness 7,
 * the temporal denoiser, near-lossless quantizers with huge coefficients). For each stream, every
 * shown frame must have the MD5 that {@code vpxdec --md5 --i420} prints for it, name included
 * ({@code x-WxH-NNNN.i420}, NNNN the 1-based IVF frame index, so hidden and dropped frames count).
 *
 * <p>The tools are required: a missing ffmpeg, vpxenc or vpxdec fails the test naming the package.
 */
class LibvpxVariedStreamsTest {
  @TempDir static Path dir;

  private static final Map<String, Integer> SOURCE_FRAMES = Map.of("pattern", 30, "noisy", 24,
      "tiny", 30);

  /** Moving test pattern, odd size (partial macroblocks on both edges). */
  private static Path pattern;
  /** Zooming fractal under strong temporal noise: coefficient-heavy, high motion. */
  private static Path noisy;
  /** 33x17: three macroblock columns, two rows, each partial. */
  private static Path tiny;

  @BeforeAll
  static void makeSources() {
    pattern = source("pattern.y4m", "testsrc2=size=176x144:rate=30", "scale=175:143", SOURCE_FRAMES.get("pattern"));
    noisy = source("noisy.y4m", "mandelbrot=size=176x144:rate=30", "noise=alls=50:allf=t", SOURCE_FRAMES.get("noisy"));
    tiny = source("tiny.y4m", "testsrc2=size=64x32:rate=30", "scale=33:17", SOURCE_FRAMES.get("tiny"));
  }

  static Stream<Arguments> streams() {
    return Stream.of(
        Arguments.of("token-parts-1", "pattern", List.of("--token-parts=1")),
        Arguments.of("token-parts-2-noisy", "noisy", List.of("--token-parts=2")),
        Arguments.of("token-parts-3", "pattern", List.of("--token-parts=3", "--good", "--cpu-used=2")),
        Arguments.of("alt-ref-hidden-frames", "pattern",
            List.of("--passes=2", "--auto-alt-ref=1", "--lag-in-frames=16", "--arnr-maxframes=7",
                "--arnr-strength=5")),
        Arguments.of("alt-ref-token-parts-2", "pattern",
            List.of("--passes=2", "--auto-alt-ref=1", "--lag-in-frames=16", "--token-parts=2", "--cpu-used=3")),
        Arguments.of("realtime-cpu8", "noisy",
            List.of("--rt", "--cpu-used=8", "--end-usage=cbr", "--target-bitrate=300")),
        Arguments.of("realtime-screen-content", "pattern",
            List.of("--rt", "--cpu-used=-6", "--screen-content-mode=1", "--end-usage=cbr", "--target-bitrate=150")),
        Arguments.of("error-resilient", "noisy", List.of("--error-resilient=1", "--token-parts=1")),
        Arguments.of("tiny-33x17", "tiny", List.of("--good", "--cpu-used=1")),
        Arguments.of("tiny-33x17-altref", "tiny", List.of("--passes=2", "--auto-alt-ref=1", "--lag-in-frames=10")),
        Arguments.of("key-frame-every-5", "pattern", List.of("--kf-max-dist=5", "--kf-min-dist=0")),
        Arguments.of("drop-frames", "noisy",
            List.of("--drop-frame=60", "--end-usage=cbr", "--target-bitrate=30", "--buf-sz=200",
                "--buf-initial-sz=100", "--buf-optimal-sz=150", "--undershoot-pct=10")),
        // Key frames every 6 frames at a starved bit rate: the encoder steps down through two
        // smaller coded sizes mid-stream (176x144, then 141x116, then 88x72 here).
        Arguments.of("resize-allowed", "noisy",
            List.of("--resize-allowed=1", "--resize-down=60", "--resize-up=90", "--kf-max-dist=6",
                "--end-usage=cbr", "--target-bitrate=40", "--buf-sz=1000", "--buf-initial-sz=800",
                "--buf-optimal-sz=900")),
        Arguments.of("static-thresh", "pattern", List.of("--static-thresh=2000", "--rt", "--cpu-used=4")),
        Arguments.of("sharpness-7", "noisy", List.of("--sharpness=7", "--end-usage=q", "--cq-level=40")),
        Arguments.of("noise-sensitivity", "noisy", List.of("--noise-sensitivity=4", "--rt", "--cpu-used=6")),
        Arguments.of("two-pass-q0-4-huge-coefficients", "noisy", List.of("--passes=2", "--min-q=0", "--max-q=4",
            "--end-usage=vbr", "--target-bitrate=100000")),
        Arguments.of("q0-key-frames", "pattern", List.of("--min-q=0", "--max-q=0", "--kf-max-dist=3",
            "--end-usage=q", "--cq-level=0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void decodesLikeVpxdec(String name, String sourceName, List<String> settings) throws IOException {
    Path src = switch (sourceName) {
      case "pattern" -> pattern;
      case "noisy" -> noisy;
      case "tiny" -> tiny;
      default -> throw new IllegalArgumentException(sourceName);
    };
    Path ivf = dir.resolve(name + ".ivf");
    List<String> enc = new ArrayList<>(List.of("vpxenc", "--codec=vp8", "--ivf", "--quiet", "--disable-warning-prompt", "--threads=1",
        "--fpf=" + dir.resolve(name + ".fpf")));
    enc.addAll(settings);
    enc.addAll(List.of("-o", ivf.toString(), src.toString()));
    run(enc, "vpx-tools");

    List<String> expected = run(List.of("vpxdec", "--codec=vp8", "--md5", "--i420", "-o", "x-%wx%h-%4.i420",
        ivf.toString()), "vpx-tools").lines().filter(l -> !l.isBlank()).toList();
    assertThat(expected).as("%s: vpxdec printed no frames", name).isNotEmpty();

    List<String> actual = new ArrayList<>();
    Decoder decoder = new Decoder();
    int index = 0;
    int hidden = 0;
    Set<String> sizes = new HashSet<>();
    try (IvfReader reader = IvfReader.open(ivf)) {
      for (IvfFrame f; (f = reader.next()) != null; index++) {
        DecodedFrame d = decoder.decode(f.data());
        if (!d.shown()) {
          hidden++;
          continue;
        }
        Raster r = d.raster();
        sizes.add(r.width() + "x" + r.height());
        actual.add(String.format(Locale.ROOT, "%s  x-%dx%d-%04d.i420", r.md5Hex(), r.width(), r.height(), index + 1));
        int k = actual.size() - 1;
        assertThat(k).as("%s: more shown frames than vpxdec printed", name).isLessThan(expected.size());
        assertThat(actual.get(k)).as("%s: IVF frame %d (shown frame %d)", name, index, k + 1)
            .isEqualTo(expected.get(k));
      }
    }
    assertThat(actual).as("%s: shown frames", name).hasSameSizeAs(expected);
    if (settings.contains("--auto-alt-ref=1")) {
      // The setting is only exercised if the encoder really produced hidden frames.
      assertThat(hidden).as("%s: hidden (alt-ref) frames", name).isPositive();
    }
    if (name.equals("drop-frames")) {
      assertThat(index).as("%s: frames left after dropping", name).isLessThan(SOURCE_FRAMES.get(sourceName));
    }
    if (name.equals("resize-allowed")) {
      assertThat(sizes).as("%s: coded sizes", name).hasSizeGreaterThan(1);
    }
  }

  /** A y4m source of {@code frames} frames from a lavfi generator and a filter chain. */
  private static Path source(String file, String generator, String filter, int frames) {
    Path out = dir.resolve(file);
    run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", generator, "-vf", filter,
        "-frames:v", Integer.toString(frames), "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", out.toString()),
        "ffmpeg");
    return out;
  }

  /**
   * Runs a tool in {@link #dir} with no standard input (vpxenc would otherwise wait for an answer
   * to its warnings); returns its standard output, failing with its error output on error.
   */
  private static String run(List<String> cmd, String debianPackage) {
    Path err = dir.resolve("stderr.txt");
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectError(err.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(cmd.get(0) + " not found: install it (apt-get install " + debianPackage + ")", e);
    }
    try (InputStream stdout = p.getInputStream()) {
      String out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + "\n"
            + Files.readString(err, StandardCharsets.UTF_8));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
