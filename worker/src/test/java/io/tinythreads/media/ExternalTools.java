package io.tinythreads.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs vpxdec / ffmpeg / ffprobe for tests; fails loudly (never skips) when a tool is missing. */
public final class ExternalTools {
  private ExternalTools() {}

  public record Result(int exitCode, String stdout, String stderr) {
    public String all() {
      return stdout + stderr;
    }
  }

  public static Result run(String... cmd) {
    return run(List.of(cmd));
  }

  public static Result run(List<String> cmd) {
    requireTool(cmd.get(0));
    try {
      Path out = Files.createTempFile("tt-tool-", ".out");
      Path err = Files.createTempFile("tt-tool-", ".err");
      try {
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: " + cmd, e);
    }
  }

  public static Result runOk(String... cmd) {
    Result r = run(cmd);
    assertThat(r.exitCode()).as("exit code of %s\n%s", String.join(" ", cmd), r.all()).isZero();
    return r;
  }

  static void requireTool(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return;
      }
    }
    throw new AssertionError(tool + " is not installed (apt-get install vpx-tools ffmpeg); these tests need it");
  }

  /** vpxdec --summary: "N decoded frames/M showed frames". Returns {decoded, showed}. */
  public static int[] vpxdecSummary(Path file) {
    Result r = runOk("vpxdec", "--summary", "-o", "/dev/null", file.toString());
    Matcher m = Pattern.compile("(\\d+) decoded frames/(\\d+) showed frames").matcher(r.all());
    assertThat(m.find()).as("vpxdec summary in: %s", r.all()).isTrue();
    assertThat(r.all()).as("vpxdec output").doesNotContain("corrupt");
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
  }

  /** vpxdec --md5 of the decoded I420 frames (--i420: without it the output format depends on the container). */
  public static String vpxdecMd5(Path file) {
    Result r = runOk("vpxdec", "--md5", "--i420", "-o", "-", file.toString());
    return r.stdout().trim().split("\\s+")[0];
  }

  /** ffprobe -show_entries stream=KEYS for the first video stream, as key=value lines. */
  public static java.util.Map<String, String> ffprobeStream(Path file, boolean countFrames, String keys) {
    List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error", "-select_streams", "v:0"));
    if (countFrames) {
      cmd.add("-count_frames");
    }
    cmd.addAll(List.of("-show_entries", "stream=" + keys, "-of", "default=noprint_wrappers=1", file.toString()));
    Result r = run(cmd);
    assertThat(r.exitCode()).as("ffprobe %s: %s", file, r.all()).isZero();
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String line : r.stdout().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return m;
  }
}
