package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench's measurement plumbing, and one real (small, untimed) bench run: the table's figures are
 * checked for consistency, never for speed.
 */
class BenchTest {
  @TempDir
  Path tmp;

  @Test
  void parsesBashTimes() {
    assertThat(BenchCommand.childCpuSeconds("0m0.002s 0m0.001s\n1m2.500s 0m0.250s\n")).isEqualTo(62.75);
    assertThatThrownBy(() -> BenchCommand.childCpuSeconds("garbage")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void medians() {
    assertThat(BenchCommand.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(BenchCommand.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
  }

  @Test
  void measuresAChildProcess() throws Exception {
    Path out = tmp.resolve("o.bin");
    BenchCommand.Measurement m = BenchCommand.measure("busy loop",
        List.of("bash", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; printf 12345 > " + out),
        out, tmp.resolve("log.txt"));
    assertThat(m.bytes()).isEqualTo(5);
    assertThat(m.cpuSeconds()).isGreaterThan(0.05).isLessThanOrEqualTo(m.wallSeconds() * 2 + 0.05);
    Cli.Result r = Cli.run("bench", "demo:testsrc2", "--vpxenc", tmp.resolve("no-such-vpxenc").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(r.err()).contains("--vpxenc");
  }

  @Test
  void smallBenchRun() throws Exception {
    Cli.Result r = Cli.run("bench", "demo:testsrc2,size=176x144,frames=16", "-N", "8", "--passes", "1",
        "--cpu-used", "8", "--work-dir", tmp.toString(), "-q");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("input: demo:testsrc2,size=176x144,frames=16 (176x144, 30/1 fps, 16 frames)")
        .containsPattern("settings: --good --cpu-used=8 --end-usage=cq .*--cq-level=32 .*--passes=1").contains("ratios");
    long[] bytes = new long[4];
    String[] labels = {"tinythreads independent, 1 worker", "tinythreads independent, 2 workers",
        "vpxenc --threads=1", "vpxenc --threads=2"};
    for (int i = 0; i < 4; i++) {
      Matcher m = Pattern.compile(Pattern.quote(labels[i]) + "\\s+([0-9.]+)\\s+([0-9.]+)\\s+(\\d+)\\s+([0-9.]+)")
          .matcher(r.out());
      assertThat(m.find()).as(r.out()).isTrue();
      assertThat(Double.parseDouble(m.group(1))).as("wall").isPositive();
      assertThat(Double.parseDouble(m.group(2))).as("cpu").isPositive();
      bytes[i] = Long.parseLong(m.group(3));
      assertThat(bytes[i]).isGreaterThan(32 + 16 * 12);
    }
    // Independent chunks do not depend on how many workers ran them: the same size, up to the
    // occasional few-byte difference of in-JVM libvpx encodes (see ThreadLauncher).
    assertThat((double) bytes[1]).isCloseTo(bytes[0], org.assertj.core.data.Percentage.withPercentage(1));
    try (var left = Files.list(tmp)) {
      assertThat(left.toList()).as("scratch removed").isEmpty();
    }
  }

  @Test
  void xcBenchWithTheTimeModel() throws Exception {
    Cli.Result r = Cli.run("bench", "demo:testsrc2,size=176x144,frames=16", "--pipeline", "xc", "-N", "4", "-x", "2",
        "--passes", "1", "--cpu-used", "8", "--model", "--work-dir", tmp.toString(), "-q");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("tinythreads: --pipeline=xc --launcher=thread --frames-per-chunk=4 --chunks-per-batch=2");
    for (String label : new String[] {"tinythreads xc, 1 worker", "tinythreads xc, 2 workers"}) {
      Matcher m = Pattern.compile(Pattern.quote(label) + "\\s+([0-9.]+)\\s+[0-9.]+\\s+\\d+\\s+[0-9.]+\\s+([0-9.]+)")
          .matcher(r.out());
      assertThat(m.find()).as(r.out()).isTrue();
      assertThat(Double.parseDouble(m.group(2))).as("job_s from the job report, below the process wall")
          .isPositive().isLessThan(Double.parseDouble(m.group(1)));
    }
    assertThat(r.out()).contains("model (from the 2-worker run's report").contains("ExCamera[6,16]: 3600 chunks")
        .contains("serial (per chunk)").containsPattern("estimate: [0-9.]+ s");
  }
}
