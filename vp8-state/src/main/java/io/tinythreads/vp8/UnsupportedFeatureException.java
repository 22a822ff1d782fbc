package io.tinythreads.vp8;

/** The input is valid but uses a feature this implementation does not support. */
public final class UnsupportedFeatureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedFeatureException(String message) {
    super(message);
  }
}
