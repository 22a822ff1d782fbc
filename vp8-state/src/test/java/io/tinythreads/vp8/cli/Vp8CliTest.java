package io.tinythreads.vp8.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Vp8CliTest {
  @TempDir Path tmp;

  private static Path vector(String name) {
    String dir = System.getProperty("tinythreads.testdata");
    if (dir == null) {
      throw new IllegalStateException("set -Dtinythreads.testdata");
    }
    return Path.of(dir, "vp8-test-vectors", name + ".ivf");
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Vp8Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void md5OutputMatchesVpxdecLineForLine() throws IOException {
    // 018 starts with a hidden key frame: its lines are numbered by input frame, from 0002.
    Path ivf = vector("vp80-00-comprehensive-018");
    Result r = run("decode", ivf.toString(), "--md5");
    assertThat(r.code()).isZero();
    assertThat(r.out().lines().toList()).isEqualTo(Files.readAllLines(Path.of(ivf + ".md5")));
  }

  @Test
  void writesY4m() throws IOException {
    Path out = tmp.resolve("o.y4m");
    Result r = run("decode", vector("vp80-00-comprehensive-006").toString(), "-o", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    byte[] data = Files.readAllBytes(out);
    String header = new String(data, 0, 60, StandardCharsets.US_ASCII).lines().findFirst().orElseThrow();
    assertThat(header).isEqualTo("YUV4MPEG2 W175 H143 F24000:1000 Ip A1:1 C420jpeg");
    int frameBytes = 175 * 143 + 2 * 88 * 72;
    int frames = Files.readAllLines(Path.of(vector("vp80-00-comprehensive-006") + ".md5")).size();
    assertThat(data.length).isEqualTo(header.length() + 1 + frames * (6 + frameBytes));
  }

  @Test
  void writesRawI420() throws IOException {
    Path out = tmp.resolve("o.i420");
    Result r = run("decode", vector("vp80-00-comprehensive-001").toString(), "-o", out.toString(), "--limit", "3");
    assertThat(r.code()).isZero();
    assertThat(Files.size(out)).isEqualTo(3L * (176 * 144 * 3 / 2));
  }

  @Test
  void nullReportsFramesAndSpeed() {
    Result r = run("decode", vector("vp80-05-sharpness-1439").toString(), "--null");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("16 frames (15 shown)").contains("fps");
  }

  @Test
  void badInputNamesFileAndFrame() throws IOException {
    byte[] ivf = Files.readAllBytes(vector("vp80-00-comprehensive-001"));
    // Damage the second frame's payload start (tag) to claim a huge first partition.
    int secondFrame = 32 + 12 + littleEndian(ivf, 32) + 12;
    ivf[secondFrame] = (byte) 0xF1;
    ivf[secondFrame + 1] = (byte) 0xFF;
    ivf[secondFrame + 2] = (byte) 0xFF;
    Path bad = tmp.resolve("bad.ivf");
    Files.write(bad, ivf);
    Result r = run("decode", bad.toString(), "--md5");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).contains(bad.toString()).contains("frame 1").contains("first partition");
    assertThat(r.out().lines().count()).isEqualTo(1); // frame 0 was fine

    Path truncated = tmp.resolve("trunc.ivf");
    Files.write(truncated, Arrays.copyOf(ivf, 40));
    Result t = run("decode", truncated.toString(), "--null");
    assertThat(t.code()).isEqualTo(1);
    assertThat(t.err()).contains("trunc.ivf").contains("frame 0");

    Result missing = run("decode", tmp.resolve("nope.ivf").toString(), "--md5");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nope.ivf");
  }

  @Test
  void usageErrorsExitWithTwo() {
    for (List<String> args : List.of(List.<String>of(), List.of("encode", "x.ivf"), List.of("decode"),
        List.of("decode", "x.ivf"), List.of("decode", "x.ivf", "--md5", "--null"), List.of("decode", "x.ivf", "-o"),
        List.of("decode", "x.ivf", "--bogus"), List.of("decode", "x.ivf", "--md5", "--limit", "ten"))) {
      Result r = run(args.toArray(String[]::new));
      assertThat(r.code()).as("%s", args).isEqualTo(2);
      assertThat(r.err()).as("%s", args).contains("usage");
    }
    assertThat(run("--help").code()).isZero();
  }

  private static int littleEndian(byte[] b, int o) {
    return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
  }
}
