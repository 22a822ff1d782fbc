package io.tinythreads.blob;

/** The blob store holds no object under the given key. */
public final class NoSuchBlobException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public NoSuchBlobException(String store, String key) {
    super("blob store " + store + ": no object '" + key + "'");
    this.key = key;
  }

  public String key() {
    return key;
  }
}
