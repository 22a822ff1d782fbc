package io.tinythreads.coordinator.report;

/** A report cannot be built: the output or the source is unreadable, or they do not match. */
public final class ReportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReportException(String message) {
    super(message);
  }

  public ReportException(String message, Throwable cause) {
    super(message, cause);
  }
}
