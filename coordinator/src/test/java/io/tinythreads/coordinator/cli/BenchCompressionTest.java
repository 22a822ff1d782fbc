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
import picocli.CommandLine;

/** bench-compression on a tiny clip at fast settings: the plumbing and the table, not the figures. */
class BenchCompressionTest {
  @TempDir
  Path tmp;

  @Test
  void parsesConfigurations() {
    CommandLine cmd = CoordinatorCli.newCommandLine();
    assertThat(BenchCompressionCommand.parseConfigs(cmd, List.of("xc:6:16", "independent:24", "independent:8:1")))
        .extracting(BenchCompressionCommand.Config::label)
        .containsExactly("xc[6,16]", "independent[24]", "independent[8]");
    for (String bad : List.of("xc:6", "independent:6:2", "foo:6", "xc:a:1", "xc:0:1", "independent:6:1:1")) {
      assertThatThrownBy(() -> BenchCompressionCommand.parseConfigs(cmd, List.of(bad)))
          .as(bad).isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--configs: '" + bad + "'");
    }
    Cli.Result r = Cli.run("bench-compression", "demo:testsrc2", "--cq-levels", "10,20,30");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--cq-levels needs at least 4");
  }

  @Test
  void smallRun() throws Exception {
    Cli.Result r = Cli.run("bench-compression", "demo:testsrc2,size=176x144,rate=24,frames=24", "--configs",
        "independent:8,xc:8:3", "--cq-levels", "8,20,32,44", "--cpu-used", "8", "--passes", "1",
        "--work-dir", tmp.toString(), "-q");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String out = r.out();
    assertThat(out).contains("input: demo:testsrc2,size=176x144,rate=24,frames=24 (176x144, 24/1 fps, 24 frames)")
        .contains("reference: one-stream vpxenc --codec=vp8 --good --cpu-used=0 --end-usage=cq")
        .contains("BD-rate against one-stream vpxenc");
    for (String config : List.of("vpxenc", "independent[8]", "xc[8,3]")) {
      double prevKbps = Double.MAX_VALUE;
      for (int q : new int[] {8, 20, 32, 44}) {
        Matcher m = Pattern.compile(Pattern.quote(config) + "\\s+" + q + "\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+(\\d+)")
            .matcher(out);
        assertThat(m.find()).as(config + " cq " + q + "\n" + out).isTrue();
        double kbps = Double.parseDouble(m.group(1));
        assertThat(kbps).as("rate falls as cq rises").isLessThan(prevKbps);
        prevKbps = kbps;
        // kbit/s = bytes * 8 / 1 s / 1000 for 24 frames at 24 fps.
        assertThat(kbps).isCloseTo(Long.parseLong(m.group(4)) * 8 / 1000.0, org.assertj.core.data.Offset.offset(0.06));
      }
    }
    for (String config : List.of("independent[8]", "xc[8,3]")) {
      assertThat(out).as(out).containsPattern("  " + Pattern.quote(config) + "\\s+[+-][0-9]+\\.[0-9] %\n");
    }
    // One keyframe for the three chunks instead of three: xc must need fewer bits (the issue's
    // "xc must beat independent chunks at every chunk size").
    Matcher xcVsInd = Pattern.compile("xc\\[8,3\\] vs independent\\[8\\]: ([+-][0-9.]+) % \\(xc beats independent\\)")
        .matcher(out);
    assertThat(xcVsInd.find()).as(out).isTrue();
    assertThat(Double.parseDouble(xcVsInd.group(1))).isNegative();
    try (var left = Files.list(tmp)) {
      assertThat(left.toList()).as("scratch removed").isEmpty();
    }
  }
}
