package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.ReportException;
import io.tinythreads.coordinator.report.Reports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator report OUTPUT SOURCE}: the quality part of a job report for any VP8 file
 * (ours, vpxenc's, a WebM from elsewhere) against its source, without a job (so without chunks
 * and timeline). Runs locally; no coordinator is involved.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Measure a VP8 file (IVF or WebM) against its source: bitrate, PSNR and SSIM per frame and overall.",
        "",
        "Decodes OUTPUT with the pure-Java VP8 decoder (bit-exact with libvpx) and compares every shown frame with "
            + "SOURCE (any video FFmpeg reads, or a demo: spec) frame by frame; they must have the same size and frame "
            + "count. Writes OUTPUT.report.json and OUTPUT.report.html (a page with SVG charts) unless --json/--html "
            + "name other files, and prints a summary on stdout. PSNR and SSIM are libvpx's (vpx_calc_psnr, "
            + "vpx_calc_ssim; SSIM = 0.8 Y + 0.1 (U + V)); SSIM in dB is -10 log10(1 - SSIM). A job's own report "
            + "(with chunks and the workers' timeline) is written by the coordinator next to the job's output.",
        ""})
final class ReportCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "OUTPUT", description = "The VP8 file to measure (.ivf or .webm).")
  Path output;

  @Parameters(index = "1", paramLabel = "SOURCE", description = "The video OUTPUT was encoded from.")
  String source;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON report here (default: OUTPUT.report.json).")
  Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report here (default: OUTPUT.report.html).")
  Path html;

  @Override
  int run() throws Exception {
    if (!Files.isRegularFile(output)) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, "output " + output + ": no such file");
    }
    JobReport r;
    try {
      r = Reports.measure(output, source.startsWith("demo:") ? source : Path.of(source).toAbsolutePath().toString());
    } catch (ReportException e) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, e.getMessage(), e);
    }
    Path j = Reports.writeJson(r, json != null ? json : Reports.jsonPathFor(output));
    Path h = Reports.writeHtml(r, html != null ? html : Reports.htmlPathFor(output));
    if (!quiet) {
      JobReport.Summary s = r.summary();
      out().printf(Locale.ROOT, "output: %s (%dx%d, %d frames, %d hidden, %d keyframes)%n", output, r.video().width(),
          r.video().height(), s.frames(), s.hiddenFrames(), s.keyframes());
      out().printf(Locale.ROOT, "size: %d bytes, %.1f kbit/s (VP8 frames: %d bytes, %.1f kbit/s)%n", s.fileBytes(),
          s.bitrateKbps(), s.payloadBytes(), s.payloadKbps());
      out().printf(Locale.ROOT, "psnr: Y %.3f dB, all %.3f dB, overall %.3f dB%n", s.psnrY(), s.psnrAll(),
          s.psnrOverall());
      out().printf(Locale.ROOT, "ssim: Y %.5f (%.3f dB), all %.5f (%.3f dB)%n", s.ssimY(), s.ssimYDb(), s.ssimAll(),
          s.ssimAllDb());
      out().printf("report: %s %s%n", j, h);
      out().flush();
    }
    return ExitCodes.OK;
  }
}
