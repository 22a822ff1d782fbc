package io.tinythreads.coordinator.cli;

import io.grpc.StatusRuntimeException;
import io.tinythreads.media.MediaException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code bin/coordinator}: submit, serve, status, watch, cancel, bench, bench-compression, report and
 * model. Every command talks to
 * a coordinator only through the tinythreads.v1.Jobs gRPC API, even when it starts one in its own
 * JVM. Errors are one line, {@code coordinator: error: <message>}, with a stack trace only under
 * -v; exit codes are those of {@link ExitCodes}.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, versionProvider = CoordinatorCli.Version.class,
    description = {"Encode VP8 video on many tiny short-lived workers (ExCamera-style).", ""},
    subcommands = {SubmitCommand.class, ServeCommand.class, StatusCommand.class, WatchCommand.class,
        CancelCommand.class, BenchCommand.class, BenchCompressionCommand.class, ReportCommand.class,
        ModelCommand.class, CommandLine.HelpCommand.class})
public final class CoordinatorCli implements Runnable {
  static final String ERROR_PREFIX = "coordinator: error: ";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "missing command: submit, serve, status, watch, cancel, bench, bench-compression, report or model");
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** A fresh command tree with this CLI's error handling; tests call execute() on it. */
  static CommandLine newCommandLine() {
    CommandLine cmd = new CommandLine(new CoordinatorCli());
    cmd.setParameterExceptionHandler(CoordinatorCli::usageError);
    cmd.setExecutionExceptionHandler(CoordinatorCli::executionError);
    cmd.setExitCodeExceptionMapper(e -> ExitCodes.INTERNAL);
    applyExitCodeList(cmd);
    return cmd;
  }

  private static void applyExitCodeList(CommandLine cmd) {
    cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.helpList());
    for (CommandLine sub : cmd.getSubcommands().values()) {
      applyExitCodeList(sub);
    }
  }

  /** picocli parse errors and our own validation: one line naming the flag, then exit 2. */
  private static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(ERROR_PREFIX + oneLine(ex.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }

  private static int executionError(Exception ex, CommandLine cmd, ParseResult parseResult) {
    int code;
    String message;
    if (ex instanceof CliException c) {
      code = c.exitCode();
      message = c.getMessage();
    } else if (ex instanceof StatusRuntimeException s) {
      code = Outcomes.exitCode(s.getStatus().getCode());
      message = Outcomes.describe(s.getStatus(), "the coordinator");
    } else if (ex instanceof MediaException) {
      code = ExitCodes.INPUT_OUTPUT;
      message = ex.getMessage();
    } else if (ex instanceof NoSuchFileException e) {
      code = ExitCodes.INPUT_OUTPUT;
      message = "no such file: " + e.getFile();
    } else if (ex instanceof AccessDeniedException e) {
      code = ExitCodes.INPUT_OUTPUT;
      message = "permission denied: " + e.getFile();
    } else if (ex instanceof IOException || ex instanceof UncheckedIOException) {
      code = ExitCodes.INPUT_OUTPUT;
      message = String.valueOf(ex.getMessage());
    } else if (ex instanceof InterruptedException) {
      code = ExitCodes.CANCELLED;
      message = "interrupted";
    } else {
      code = ExitCodes.INTERNAL;
      message = "internal error: " + ex;
    }
    PrintWriter err = cmd.getErr();
    err.println(ERROR_PREFIX + oneLine(message));
    if (cmd.getCommand() instanceof BaseCommand b && b.verbosity() > 0) {
      ex.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "unknown error";
    }
    return message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
  }

  /** The version from the jar manifest (Implementation-Version), or "dev" from a class folder. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CoordinatorCli.class.getPackage().getImplementationVersion();
      return new String[] {"tinythreads coordinator " + (v == null ? "dev" : v),
          "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
