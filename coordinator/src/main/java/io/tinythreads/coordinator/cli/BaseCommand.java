package io.tinythreads.coordinator.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: -v/-q and the writers picocli was given (so tests capture
 * output). Subcommands print to {@link #out()} for results and {@link #err()} for progress,
 * summaries and errors.
 */
abstract class BaseCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-v", "--verbose"}, order = 1000,
      description = "More output: event messages, INFO logs (-vv: DEBUG), stack traces on errors.")
  boolean[] verbose = new boolean[0];

  @Option(names = {"-q", "--quiet"}, order = 1001, description = "No progress and no summary; errors only.")
  boolean quiet;

  final int verbosity() {
    return verbose == null ? 0 : verbose.length;
  }

  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    Logging.configure(quiet ? 0 : verbosity());
    return run();
  }

  abstract int run() throws Exception;
}
