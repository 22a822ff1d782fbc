package io.tinythreads.vp8.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.StateCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dump-state, decode --state --from, roundtrip and bench, through the same entry point as bin/vp8. */
class Vp8StateCliTest {
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
    // Through Vp8Cli, as bin/vp8 runs it: it hands these commands to Vp8StateCli.
    int code = Vp8Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void resumedMd5sAreTheTailOfVpxdecsMd5s() throws IOException {
    // 1439 has a hidden frame (input frame 6); 018 starts with a hidden key frame.
    for (String name : List.of("vp80-05-sharpness-1439", "vp80-00-comprehensive-018")) {
      Path ivf = vector(name);
      List<String> expected = Files.readAllLines(Path.of(ivf + ".md5"));
      for (int k : new int[] {1, 5, 6, 7, 14}) {
        Path state = tmp.resolve(name + "-" + k + ".ttvs");
        Result dump = run("dump-state", ivf.toString(), "--frame", String.valueOf(k - 1), "-o", state.toString());
        assertThat(dump.code()).as(dump.err()).isZero();
        assertThat(dump.err()).contains("state after frame " + (k - 1));
        Result r = run("decode", ivf.toString(), "--state", state.toString(), "--from", String.valueOf(k), "--md5");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        // Lines are numbered by input frame (1-based): keep the expected ones from frame k on.
        List<String> tail = expected.stream()
            .filter(l -> Integer.parseInt(l.substring(l.length() - 9, l.length() - 5)) > k).toList();
        assertThat(lines).as("%s from %d", name, k).isEqualTo(tail).isNotEmpty();
      }
    }
  }

  @Test
  void defaultDumpIsTheStateAfterTheLastFrame() throws IOException {
    Path ivf = vector("vp80-00-comprehensive-007");
    Path state = tmp.resolve("last.ttvs");
    assertThat(run("dump-state", ivf.toString(), "-o", state.toString()).code()).isZero();
    Path explicit = tmp.resolve("28.ttvs");
    assertThat(run("dump-state", "--frame", "28", "-o", explicit.toString(), ivf.toString()).code()).isZero();
    assertThat(Files.readAllBytes(state)).isEqualTo(Files.readAllBytes(explicit));
    assertThat(StateCodec.read(Files.readAllBytes(state)).state().width()).isEqualTo(176);
    Result none = run("decode", ivf.toString(), "--state", state.toString(), "--from", "29", "--null");
    assertThat(none.code()).isZero();
    assertThat(none.err()).contains("0 frames from frame 29");
  }

  @Test
  void resumedY4mHoldsTheRemainingShownFrames() throws IOException {
    Path ivf = vector("vp80-00-comprehensive-001");
    Path state = tmp.resolve("s");
    Path y4m = tmp.resolve("o.y4m");
    assertThat(run("dump-state", ivf.toString(), "--frame", "9", "-o", state.toString()).code()).isZero();
    Result r = run("decode", ivf.toString(), "--state", state.toString(), "--from", "10", "-o", y4m.toString(),
        "--limit", "4");
    assertThat(r.code()).as(r.err()).isZero();
    int header = "YUV4MPEG2 W176 H144 F30000:1000 Ip A1:1 C420jpeg\n".length();
    assertThat(Files.size(y4m)).isEqualTo(header + 4L * (6 + 176 * 144 * 3 / 2));
  }

  @Test
  void roundtripReportsIdenticalFrames() throws IOException {
    Result r = run("roundtrip", vector("vp80-04-partitions-1405").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("20 frames").contains("every frame re-written byte for byte");

    byte[] ivf = Files.readAllBytes(vector("vp80-00-comprehensive-001"));
    Path bad = tmp.resolve("bad.ivf");
    int second = 32 + 12 + (ivf[32] & 0xFF | (ivf[33] & 0xFF) << 8 | (ivf[34] & 0xFF) << 16);
    ivf[second + 12] = (byte) 0xF1; // second frame's tag: a first partition larger than the frame
    ivf[second + 14] = (byte) 0x7F;
    Files.write(bad, ivf);
    Result b = run("roundtrip", bad.toString());
    assertThat(b.code()).isEqualTo(1);
    assertThat(b.err()).startsWith("vp8: " + bad + ": frame 1: ").doesNotContain("\n\n");
  }

  @Test
  void benchReportsPassesAndWarmSpeed() {
    Result r = run("bench", vector("vp80-00-comprehensive-004").toString(), "--passes", "3");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("pass ")).count()).isEqualTo(3);
    assertThat(r.out()).containsPattern("warm: [0-9.]+ fps \\(median of passes 2\\.\\.3\\)");
    assertThat(r.out()).containsPattern("warm-cpu: [0-9.]+ fps");
  }

  @Test
  void errorsAndUsage() throws IOException {
    Path ivf = vector("vp80-00-comprehensive-004");
    assertThat(run("dump-state", ivf.toString()).code()).isEqualTo(2);
    assertThat(run("dump-state", ivf.toString(), "-o", tmp.resolve("x").toString(), "--bogus").code()).isEqualTo(2);
    assertThat(run("decode", ivf.toString(), "--state", "x", "--md5").code()).as("no --from").isEqualTo(2);
    assertThat(run("bench", ivf.toString(), "--passes", "zero").code()).isEqualTo(2);
    assertThat(run("nonsense").code()).isEqualTo(2);
    Result help = run("dump-state", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("vp8 dump-state IN.ivf [--frame K] -o STATE");
    assertThat(Vp8StateCli.handles(new String[] {"decode", "x.ivf", "--md5"})).isFalse();
    assertThat(Vp8StateCli.handles(new String[] {"decode", "x.ivf", "--state", "s", "--from", "1"})).isTrue();

    Result beyond = run("dump-state", ivf.toString(), "--frame", "29", "-o", tmp.resolve("x").toString());
    assertThat(beyond.code()).isEqualTo(1);
    assertThat(beyond.err()).isEqualTo("vp8: " + ivf + ": frame 29 requested but the file has 29 frames\n");

    Path junk = tmp.resolve("junk.ttvs");
    Files.write(junk, "not a state".getBytes(StandardCharsets.US_ASCII));
    Result bad = run("decode", ivf.toString(), "--state", junk.toString(), "--from", "3", "--null");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("vp8: " + junk + ": state: truncated header");

    Result missing = run("roundtrip", tmp.resolve("nope.ivf").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("vp8: " + tmp.resolve("nope.ivf") + ": no such file\n");
  }
}
