package io.tinythreads.vp8.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic stream of {@code vp8 train} (bin/vp8's AOT training run) is valid VP8 that libvpx
 * decodes to the same frames as our decoder, is deterministic, and {@code vp8 train} succeeds.
 */
class TrainingStreamTest {
  @TempDir Path tmp;

  @Test
  void libvpxDecodesTheTrainingStreamAsWeDo() throws Exception {
    // 50 frames: both key frames (0 and 45), the fast-pan frames, the simple-filter frame.
    Path ivf = tmp.resolve("train.ivf");
    TrainingStream.write(ivf, 96, 64, 50);
    Path again = tmp.resolve("again.ivf");
    TrainingStream.write(again, 96, 64, 50);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(ivf));

    String vpx = vpxdecMd5(ivf);
    assertThat(vpx.lines()).hasSize(50);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Vp8Cli.run(new String[] {"decode", ivf.toString(), "--md5"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactlyElementsOf(vpx.lines().toList());
  }

  @Test
  void trainCommandSucceedsAndPrintsNothing() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Vp8Cli.run(new String[] {"train", "--frames", "3"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.size()).isZero();
    assertThat(Vp8Cli.run(new String[] {"train", "--frames", "x"}, new PrintStream(out), new PrintStream(err)))
        .isEqualTo(Vp8Cli.USAGE);
  }

  /** vpxdec's per-frame MD5 lines, with output names as our decoder prints them. */
  private String vpxdecMd5(Path ivf) throws IOException, InterruptedException {
    List<String> cmd = List.of("vpxdec", "--codec=vp8", "--i420", "--md5", "-o", "train-%wx%h-%4.i420", ivf.toString());
    Path errFile = tmp.resolve("vpxdec.err");
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectError(errFile.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("vpxdec not found: install it (apt-get install vpx-tools)", e);
    }
    try (InputStream stdout = p.getInputStream()) {
      String out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("vpxdec timed out");
      }
      assertThat(p.exitValue()).as(Files.readString(errFile)).isZero();
      return out;
    }
  }
}
