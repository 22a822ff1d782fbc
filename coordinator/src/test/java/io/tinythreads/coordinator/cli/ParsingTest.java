package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.proto.Deadline;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Flag parsing and client-side validation: each bad value is a usage error (exit 2) on one line
 * that names the flag, caught before any coordinator is started or contacted.
 */
class ParsingTest {
  @TempDir
  Path tmp;

  /** submit with one extra flag; the output is in a temp dir so nothing else can fail first. */
  private Cli.Result submit(String... extra) {
    List<String> args = new ArrayList<>(List.of("submit", "demo:testsrc2", "-o", tmp.resolve("out.ivf").toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "--cq-level|64|--cq-level",
      "--cq-level|-1|--cq-level",
      "--cq-level|abc|--cq-level",
      "--end-usage|fast|--end-usage",
      "--passes|3|--passes",
      "--cpu-used|17|--cpu-used",
      "--cpu-used|-17|--cpu-used",
      "--target-bitrate|0|--target-bitrate",
      "--min-q|64|--min-q",
      "--max-q|99|--max-q",
      "--auto-alt-ref|2|--auto-alt-ref",
      "--lag-in-frames|26|--lag-in-frames",
      "--token-parts|4|--token-parts",
      "--tune|vmaf|--tune",
      "--threads|0|--threads",
      "--frames-per-chunk|0|--frames-per-chunk",
      "--chunks-per-batch|0|--chunks-per-batch",
      "--workers|-1|--workers",
      "--launcher|lambda|--launcher",
      "--pipeline|magic|--pipeline",
      "--kf-q-weight|1.5|--kf-q-weight",
      "--max-attempts|0|--max-attempts",
      "--progress|fancy|--progress",
      "--coordinator|nohost|--coordinator",
      "--coordinator|host:99999|--coordinator",
  })
  void badValueIsUsageErrorNamingTheFlag(String flag, String value, String named) {
    Cli.Result r = submit(flag, value);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("coordinator: error: ").contains(named);
    assertThat(r.err().strip().lines().count()).as("one line").isEqualTo(1);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void minQAboveMaxQIsUsageError() {
    Cli.Result r = submit("--min-q", "40", "--max-q", "20");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--min-q").contains("--max-q");
  }

  @Test
  void cqLevelMustLieBetweenMinAndMaxQ() {
    Cli.Result r = submit("--cq-level", "10", "--min-q", "20");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--cq-level 10").contains("--min-q 20");
    assertThat(submit("--cq-level", "50", "--max-q", "40").err()).contains("--max-q 40");
  }

  @Test
  void deadlinesAreExclusive() {
    Cli.Result r = submit("--good", "--rt");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--good").contains("--rt");
  }

  @Test
  void independentPipelineNeedsOneChunkPerBatch() {
    Cli.Result r = submit("--pipeline", "independent", "--chunks-per-batch", "4");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--chunks-per-batch");
  }

  @Test
  void unknownFlagAndMissingOutputAreUsageErrors() {
    Cli.Result unknown = submit("--frobnicate");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("--frobnicate").contains("coordinator submit --help");
    Cli.Result noOutput = Cli.run("submit", "demo:testsrc2");
    assertThat(noOutput.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noOutput.err()).contains("--output");
    Cli.Result noCommand = Cli.run();
    assertThat(noCommand.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noCommand.err()).contains("missing command");
  }

  @ParameterizedTest
  @CsvSource({"out.mp4,'.mp4'", "out.IVF.gz,'.gz'", "out,no extension"})
  void outputExtensionMustBeIvfOrWebm(String name, String named) {
    Cli.Result r = Cli.run("submit", "demo:testsrc2", "-o", tmp.resolve(name).toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(named).contains(".ivf or .webm");
  }

  @Test
  void existingOutputWithoutOverwriteIsUsageErrorAndUntouched() throws Exception {
    Path out = Files.writeString(tmp.resolve("exists.webm"), "keep me");
    Cli.Result r = Cli.run("submit", "demo:testsrc2", "-o", out.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(out.toString()).contains("-y");
    assertThat(Files.readString(out)).isEqualTo("keep me");
  }

  @Test
  void workDirOnlyForEmbedded() {
    Cli.Result r = submit("--keep", "--coordinator", "127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--keep");
  }

  @Test
  void flagsMapOntoTheJobSpec() {
    CommandLine cmd = CoordinatorCli.newCommandLine();
    CommandLine.ParseResult pr = cmd.parseArgs("submit", "in.y4m", "-o", "x/out.WEBM", "--cq-level=12",
        "--end-usage", "cq", "--passes", "2", "--cpu-used", "-4", "--best", "--target-bitrate", "5000", "--min-q", "4",
        "--max-q", "50", "--auto-alt-ref", "1", "--lag-in-frames", "16", "--token-parts", "2", "--tune", "ssim",
        "--threads", "3", "-N", "6", "-x", "16", "-w", "8", "--launcher", "process", "--pipeline", "xc",
        "--kf-q-weight", "0.75", "--max-attempts", "5");
    SubmitCommand submit = (SubmitCommand) pr.subcommand().commandSpec().userObject();
    EncodeSettings s = submit.encode.toProto().build();
    assertThat(s).isEqualTo(EncodeSettings.newBuilder().setCqLevel(12).setEndUsage(EndUsage.END_USAGE_CQ).setPasses(2)
        .setCpuUsed(-4).setDeadline(Deadline.DEADLINE_BEST).setTargetBitrateKbps(5000).setMinQ(4).setMaxQ(50)
        .setAutoAltRef(true).setLagInFrames(16).setTokenPartsLog2(2).setTuneSsim(true).setThreads(3).build());
    JobSpec.Builder spec = JobSpec.newBuilder().setSettings(s);
    submit.pipeline.applyTo(spec);
    assertThat(spec.getFramesPerChunk()).isEqualTo(6);
    assertThat(spec.getChunksPerBatch()).isEqualTo(16);
    assertThat(spec.getWorkers()).isEqualTo(8);
    assertThat(spec.getLauncher()).isEqualTo(LauncherKind.LAUNCHER_PROCESS);
    assertThat(spec.getPipeline()).isEqualTo(Pipeline.PIPELINE_XC);
    assertThat(spec.getMaxAttemptsPerChunk()).isEqualTo(5);
    assertThat(spec.getSettings().getKfQWeight()).isEqualTo(0.75);
    assertThat(SubmitCommand.containerFor(cmd, submit.output)).isEqualTo(OutputContainer.OUTPUT_CONTAINER_WEBM);
    // The same settings as vpxenc flags (bench hands these to vpxenc and to our own submit).
    assertThat(submit.encode.flags()).containsExactly("--best", "--cpu-used=-4", "--end-usage=cq", "--cq-level=12",
        "--target-bitrate=5000", "--min-q=4", "--max-q=50", "--passes=2", "--auto-alt-ref=1", "--lag-in-frames=16",
        "--token-parts=2", "--tune=ssim");
  }

  @Test
  void zeroAndFalseAreRealChoicesOnTheWire() {
    CommandLine cmd = CoordinatorCli.newCommandLine();
    CommandLine.ParseResult pr = cmd.parseArgs("submit", "in.y4m", "-o", "out.ivf", "--cq-level", "0", "--min-q", "0",
        "--max-q", "0", "--auto-alt-ref", "0", "--tune", "psnr");
    SubmitCommand submit = (SubmitCommand) pr.subcommand().commandSpec().userObject();
    submit.encode.validate(cmd);
    EncodeSettings s = submit.encode.toProto().build();
    assertThat(s.hasCqLevel()).isTrue();
    assertThat(s.getCqLevel()).isZero();
    assertThat(s.hasMaxQ()).isTrue();
    assertThat(s.getMaxQ()).isZero();
    assertThat(s.hasAutoAltRef()).isTrue();
    assertThat(s.getAutoAltRef()).isFalse();
    assertThat(s.hasTuneSsim()).isTrue();
    assertThat(s.getTuneSsim()).isFalse();
    assertThat(s.hasKfQWeight()).isFalse();
  }

  @Test
  void unsetFlagsStayAtTheProtoDefaults() {
    CommandLine cmd = CoordinatorCli.newCommandLine();
    CommandLine.ParseResult pr = cmd.parseArgs("submit", "in.y4m", "-o", "out.ivf");
    SubmitCommand submit = (SubmitCommand) pr.subcommand().commandSpec().userObject();
    assertThat(submit.encode.toProto().build()).isEqualTo(EncodeSettings.getDefaultInstance());
    JobSpec.Builder spec = JobSpec.newBuilder();
    submit.pipeline.applyTo(spec);
    assertThat(spec.build()).isEqualTo(JobSpec.getDefaultInstance());
  }

  @Test
  void pathsAreSentAbsoluteAndDemoSpecsAsTyped() {
    assertThat(SubmitCommand.resolve("demo:testsrc2,size=176x144")).isEqualTo("demo:testsrc2,size=176x144");
    assertThat(SubmitCommand.resolve("a/../b.y4m")).isEqualTo(Path.of("b.y4m").toAbsolutePath().toString());
    assertThat(SubmitCommand.resolve("file:///tmp/x/../in.y4m")).isEqualTo("/tmp/in.y4m");
    assertThat(SubmitCommand.resolve("s3://bucket/in.y4m")).isEqualTo("s3://bucket/in.y4m");
  }

  @Test
  void hostPortParsing() {
    assertThat(HostPort.parse("example.org:7700")).isEqualTo(new HostPort("example.org", 7700));
    assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
    assertThat(JobsClient.jobName("abc")).isEqualTo("jobs/abc");
    assertThat(JobsClient.jobName("jobs/abc")).isEqualTo("jobs/abc");
    assertThat(JobsClient.jobName("operations/abc")).isEqualTo("jobs/abc");
  }

  @Test
  void helpListsExitCodesAndFlags() {
    Cli.Result r = Cli.run("submit", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Exit codes:").contains("--cq-level").contains("--frames-per-chunk")
        .contains("--overwrite");
    for (int code = 0; code <= 5; code++) {
      assertThat(r.out()).containsPattern("(?m)^\\s+" + code + "\\s+\\S");
    }
  }

  @Test
  void serveValidatesItsFlags() {
    Cli.Result badPort = Cli.run("serve", "--port", "70000");
    assertThat(badPort.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badPort.err()).contains("--port");
    Cli.Result rdvNoSecret = Cli.run("serve", "--rendezvous", "127.0.0.1:7701");
    assertThat(rdvNoSecret.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(rdvNoSecret.err()).contains("--secret-file");
  }

  @Test
  void benchValidatesItsFlags() {
    Cli.Result r = Cli.run("bench", "demo:testsrc2", "--repeat", "0");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--repeat");
    Cli.Result threads = Cli.run("bench", "demo:testsrc2", "--threads", "2");
    assertThat(threads.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(threads.err()).contains("--threads");
  }
}
