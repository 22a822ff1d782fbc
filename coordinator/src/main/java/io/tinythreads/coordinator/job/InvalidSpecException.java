package io.tinythreads.coordinator.job;

/** A job spec or input the caller must fix; the message names the field or file. Maps to INVALID_ARGUMENT. */
public final class InvalidSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidSpecException(String message) {
    super(message);
  }

  public InvalidSpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
