package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.ReportException;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.coordinator.report.TimeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator model REPORT.json}: extrapolates a measured job's stage times to a large job
 * with one worker per chunk (see {@link TimeModel} for the model and its assumptions).
 */
@Command(name = "model", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Model the wall-clock time of a big xc job from a measured job's report.",
        "",
        "Reads the per-stage times of REPORT (a job's OUTPUT.report.json), scales each stage to the target size "
            + "(by pixels, or pixels x frames per chunk), and computes the wall clock with one worker per chunk: "
            + "the parallel stages of a batch, then the serial rebase chain of x chunks as the critical path. "
            + "Default target: ExCamera's, a 15-minute 4K clip at 24 fps as ExCamera[6,16] (ExCamera measured "
            + "2.6 min with 3,552 Lambdas). Prints the per-stage table, the formula, and the assumptions.",
        ""})
final class ModelCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "REPORT", description = "A job report (JSON) with a timeline.")
  Path report;

  @Option(names = "--width", paramLabel = "W", description = "Target width (default: 3840).")
  int width = 3840;

  @Option(names = "--height", paramLabel = "H", description = "Target height (default: 2160).")
  int height = 2160;

  @Option(names = "--minutes", paramLabel = "M", description = "Target duration in minutes (default: 15).")
  double minutes = 15;

  @Option(names = "--fps", paramLabel = "F", description = "Target frame rate (default: 24).")
  double fps = 24;

  @Option(names = {"-N", "--frames-per-chunk"}, paramLabel = "N", description = "Target frames per chunk (default: 6).")
  int framesPerChunk = 6;

  @Option(names = {"-x", "--chunks-per-batch"}, paramLabel = "X", description = "Target chunks per batch (default: 16).")
  int chunksPerBatch = 16;

  @Override
  int run() throws Exception {
    CommandLine cmd = spec.commandLine();
    Validation.range(cmd, "--width", width, 16, 16384);
    Validation.range(cmd, "--height", height, 16, 16384);
    Validation.range(cmd, "--minutes", minutes, 0.001, 100_000.0);
    Validation.range(cmd, "--fps", fps, 0.001, 1000.0);
    Validation.range(cmd, "--frames-per-chunk", framesPerChunk, 1, PipelineOptions.MAX_FRAMES_PER_CHUNK);
    Validation.range(cmd, "--chunks-per-batch", chunksPerBatch, 1, PipelineOptions.MAX_CHUNKS_PER_BATCH);
    if (!Files.isRegularFile(report)) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, "report " + report + ": no such file");
    }
    JobReport r;
    try {
      r = Reports.readJson(report);
    } catch (ReportException e) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, e.getMessage(), e);
    }
    if (r.timeline().isEmpty()) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, "report " + report + " has no timeline (a standalone"
          + " measurement, or a coordinator that did not record stage times)");
    }
    TimeModel.Target target = new TimeModel.Target(width, height, Math.round(minutes * 60 * fps), fps, framesPerChunk,
        chunksPerBatch);
    out().print(TimeModel.render(r, target, TimeModel.estimate(r, target)));
    out().flush();
    return ExitCodes.OK;
  }
}
