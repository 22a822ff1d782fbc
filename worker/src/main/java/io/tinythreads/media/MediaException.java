package io.tinythreads.media;

/**
 * A media input or output problem (missing file, not a video, no video stream, zero frames,
 * unsupported pixel format, corrupt data, encoder failure). The message is one line naming the file
 * and the problem.
 */
public final class MediaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MediaException(String message) {
    super(message);
  }

  public MediaException(String message, Throwable cause) {
    super(message, cause);
  }
}
