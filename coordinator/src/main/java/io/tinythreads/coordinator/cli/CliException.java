package io.tinythreads.coordinator.cli;

/**
 * An error the CLI reports as one line, {@code coordinator: error: <message>}, and an exit code
 * from {@link ExitCodes}. The message must name the problem (file, flag, job, chunk).
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
