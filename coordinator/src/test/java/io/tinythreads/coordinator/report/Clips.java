package io.tinythreads.coordinator.report;

import io.tinythreads.media.VideoSource;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small real inputs and encodes for the report tests: y4m from lavfi, VP8 from vpxenc. */
final class Clips {
  private Clips() {}

  /** Writes {@code demo} (a VideoSource demo: spec) as a y4m file. */
  static Path y4m(Path file, String demo) throws IOException {
    try (VideoSource src = VideoSource.open(demo)) {
      VideoInfo v = src.info();
      try (Y4mWriter w = Y4mWriter.create(file, Y4mHeader.of(v.getWidth(), v.getHeight(), v.getFpsNum(), v.getFpsDen()))) {
        byte[] frame = new byte[src.frameBytes()];
        while (src.read(frame)) {
          w.write(frame);
        }
      }
    }
    return file;
  }

  /** What vpxenc printed for {@code --psnr}: Overall, Avg, Y, U, V. */
  record VpxPsnr(double overall, double avg, double y, double u, double v) {}

  /** Runs {@code vpxenc --codec=vp8 --ivf --psnr FLAGS -o out in}; returns its PSNR line. */
  static VpxPsnr vpxenc(Path in, Path out, String... flags) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("vpxenc", "--codec=vp8", "--ivf", "--psnr", "-q"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-o", out.toString(), in.toString()));
    String text = run(cmd);
    Matcher m = Pattern.compile("PSNR \\(Overall/Avg/Y/U/V\\)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)")
        .matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("vpxenc printed no PSNR line: " + text);
    }
    return new VpxPsnr(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
        Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)));
  }

  /** Runs a command, failing with its output when it exits non-zero; returns stdout+stderr. */
  static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(cmd.getFirst() + " is missing (install vpx-tools): " + e.getMessage(), e);
    }
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed with exit " + rc + ": " + text);
    }
    return text;
  }
}
