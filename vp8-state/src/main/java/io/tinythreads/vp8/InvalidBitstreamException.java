package io.tinythreads.vp8;

/** The input is not a valid VP8 stream or container (truncated, corrupt, or out of range). */
public final class InvalidBitstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidBitstreamException(String message) {
    super(message);
  }

  public InvalidBitstreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
