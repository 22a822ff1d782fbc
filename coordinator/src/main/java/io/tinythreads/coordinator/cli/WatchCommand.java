package io.tinythreads.coordinator.cli;

import io.grpc.StatusRuntimeException;
import io.tinythreads.coordinator.cli.Choices.ProgressMode;
import io.tinythreads.proto.Job;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code coordinator watch JOB}: follows a job's progress; the exit code tells how it ended. */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Show a job's progress until it ends; exit with the code of its final state.",
        "Ctrl-C stops watching; the job keeps running.", ""})
final class WatchCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "JOB", description = "Job id, or jobs/ID.")
  String job;

  @Mixin
  RemoteOptions remote;

  @Option(names = "--progress", paramLabel = "auto|bar|plain|none", converter = Choices.ProgressModeConverter.class,
      description = "Progress on stderr: bar on a terminal and plain otherwise (auto, the default), or forced.")
  ProgressMode progress = ProgressMode.AUTO;

  @Override
  int run() throws Exception {
    String name = JobsClient.jobName(job);
    ProgressPrinter printer = ProgressPrinter.create(progress, quiet, verbosity(), err());
    Job last;
    try (JobsClient client = remote.connect()) {
      last = client.follow(name, printer);
    } catch (StatusRuntimeException e) {
      printer.abort();
      throw remote.failure(e);
    }
    printer.finish(last);
    int code = Outcomes.exitCode(last);
    if (code != ExitCodes.OK) {
      throw new CliException(code, Outcomes.describe(last));
    }
    if (!quiet) {
      err().println("coordinator: " + Formats.summary(last.getResult(), last.getSpec().getOutputUri(), 0));
      err().flush();
    }
    return code;
  }
}
