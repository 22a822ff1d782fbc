package io.tinythreads.coordinator.cli;

import io.grpc.StatusRuntimeException;
import io.tinythreads.proto.Job;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code coordinator cancel JOB}. */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Cancel a job. Prints the job's state afterwards (a finished job stays as it was).", ""})
final class CancelCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "JOB", description = "Job id, or jobs/ID.")
  String job;

  @Mixin
  RemoteOptions remote;

  @Override
  int run() {
    Job after;
    try (JobsClient client = remote.connect()) {
      after = client.cancel(JobsClient.jobName(job));
    } catch (StatusRuntimeException e) {
      throw remote.failure(e);
    }
    out().println(after.getName() + " " + after.getState());
    out().flush();
    return ExitCodes.OK;
  }
}
