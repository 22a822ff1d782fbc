package io.tinythreads.blob;

/** Validation of blob keys (shared by every store implementation). */
final class BlobKeys {
  static final int MAX_KEY_LENGTH = 1024;

  private BlobKeys() {}

  /** Returns {@code key} if it is a valid relative '/'-separated key, else throws naming it. */
  static String check(String key) {
    if (key == null) {
      throw new IllegalArgumentException("blob key is null");
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("blob key is empty");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("blob key '" + key.substring(0, 40) + "...' is longer than "
          + MAX_KEY_LENGTH + " characters");
    }
    if (key.startsWith("/")) {
      throw new IllegalArgumentException("blob key '" + key + "' is absolute (starts with '/')");
    }
    if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("blob key '" + key + "' contains a backslash or NUL");
    }
    if (key.length() >= 2 && key.charAt(1) == ':' && Character.isLetter(key.charAt(0))) {
      throw new IllegalArgumentException("blob key '" + key + "' looks like an absolute drive path");
    }
    for (String seg : key.split("/", -1)) {
      if (seg.isEmpty()) {
        throw new IllegalArgumentException("blob key '" + key + "' has an empty path segment");
      }
      if (seg.equals("..") || seg.equals(".")) {
        throw new IllegalArgumentException("blob key '" + key + "' contains a '" + seg + "' segment");
      }
    }
    return key;
  }
}
