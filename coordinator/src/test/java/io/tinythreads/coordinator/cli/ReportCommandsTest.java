package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.coordinator.report.SyntheticReports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report and model: a real submit measured by 'report', the model on a known timeline. */
class ReportCommandsTest {
  @TempDir
  Path tmp;

  @Test
  void reportsARealEncodeOfOurs() throws Exception {
    Path out = tmp.resolve("out.ivf");
    String src = "demo:testsrc2,size=176x144,frames=16";
    Cli.Result submit = Cli.run("submit", src, "-o", out.toString(), "--pipeline", "independent", "-N", "8",
        "--cpu-used", "8", "--passes", "1", "--work-dir", tmp.toString(), "--progress=none", "-q");
    assertThat(submit.exitCode()).as(submit.toString()).isZero();

    Cli.Result r = Cli.run("report", out.toString(), src);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("output: " + out + " (176x144, 16 frames, 0 hidden, 2 keyframes)");
    Matcher psnr = Pattern.compile("psnr: Y ([0-9.]+) dB").matcher(r.out());
    assertThat(psnr.find()).isTrue();
    // Default settings (cq 32) on testsrc2: clearly better than 30 dB, not lossless.
    assertThat(Double.parseDouble(psnr.group(1))).isBetween(30.0, 60.0);
    Path json = tmp.resolve("out.ivf.report.json");
    Path html = tmp.resolve("out.ivf.report.html");
    assertThat(r.out()).contains("report: " + json + " " + html);
    JobReport rep = Reports.readJson(json);
    assertThat(rep.summary().frames()).isEqualTo(16);
    assertThat(rep.summary().fileBytes()).isEqualTo(Files.size(out));
    assertThat(rep.summary().ssimAllDb()).isBetween(10.0, 40.0);
    assertThat(Files.readString(html, StandardCharsets.UTF_8)).contains("<svg class=\"quality\"");

    Cli.Result wrongSource = Cli.run("report", out.toString(), "demo:testsrc2,size=160x120,frames=16");
    assertThat(wrongSource.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(wrongSource.err()).contains("coordinator: error: ").contains("160x120");
    Cli.Result missing = Cli.run("report", tmp.resolve("nope.ivf").toString(), src);
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(missing.err()).contains("nope.ivf: no such file");
  }

  @Test
  void modelsAReportsTimeline() throws Exception {
    Path json = Reports.writeJson(SyntheticReports.xc6x4(), tmp.resolve("synthetic.report.json"));
    Cli.Result r = Cli.run("model", json.toString(), "--width", "640", "--height", "360", "--minutes", "0.0333333",
        "--fps", "24", "-N", "6", "-x", "4");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("target:   640x360, 48 frames").contains("8 chunks, one worker each, 2 batches")
        .contains(String.format(Locale.ROOT, "estimate: %.1f s", SyntheticReports.expectedWallAtOwnSize()))
        .contains("serial (per chunk)");
    Cli.Result def = Cli.run("model", json.toString());
    assertThat(def.exitCode()).as(def.toString()).isZero();
    assertThat(def.out()).contains("target:   3840x2160, 21600 frames (15.0 min at 24 fps), ExCamera[6,16]: 3600 chunks");

    Path standalone = Reports.writeJson(new JobReport(JobReport.VERSION, "", SyntheticReports.xc6x4().setup(),
        SyntheticReports.xc6x4().video(), "x", 0, 0, SyntheticReports.xc6x4().summary(), java.util.List.of(),
        java.util.List.of(), java.util.List.of()), tmp.resolve("standalone.json"));
    Cli.Result none = Cli.run("model", standalone.toString());
    assertThat(none.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(none.err()).contains("has no timeline");
    Path junk = Files.writeString(tmp.resolve("junk.json"), "{\"version\": 1}");
    Cli.Result bad = Cli.run("model", junk.toString());
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(bad.err()).contains("not a job report: missing field setup");
    Cli.Result usage = Cli.run("model", json.toString(), "-N", "0");
    assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
  }
}
