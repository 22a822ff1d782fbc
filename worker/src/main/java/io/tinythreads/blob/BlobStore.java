package io.tinythreads.blob;

import java.nio.file.Path;

/**
 * A flat key/value store for the job's artifacts (raw chunks, chunk IVFs, states, outputs).
 *
 * <p>Keys are relative, '/'-separated paths such as {@code jobs/j1/chunks/000003/raw.y4m}: no empty
 * segments, no "." or "..", no leading '/', no backslashes or NUL. A bad key is a caller error and
 * raises {@link IllegalArgumentException} naming the key.
 *
 * <p>Writes are atomic: a reader sees either the previous object or the whole new one, never a
 * prefix (temp file + rename for {@code file://}; S3 PUT is atomic by itself).
 *
 * <p>Errors are unchecked so that callers on gRPC threads need no wrapping: a missing object raises
 * {@link NoSuchBlobException}; any other I/O problem raises {@link java.io.UncheckedIOException}
 * whose message names the key and the store.
 */
public interface BlobStore {

  /**
   * Opens a store by URI: {@code file:///abs/dir}, {@code file:relative/dir} or a plain path. The
   * directory is created if missing.
   */
  static BlobStore open(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("blob store uri is empty");
    }
    if (uri.startsWith("s3://")) {
      throw new IllegalArgumentException("blob store " + uri + ": s3:// is not supported in this build yet");
    }
    return FileBlobStore.open(uri);
  }

  void put(String key, byte[] data);

  /** Copies a local file into the store (atomically). */
  void putFile(String key, Path file);

  /** Returns the whole object; {@link NoSuchBlobException} if absent. */
  byte[] get(String key);

  /** Copies an object to a local file (replacing it atomically); {@link NoSuchBlobException} if absent. */
  void getToFile(String key, Path file);

  boolean exists(String key);

  /** Size in bytes; {@link NoSuchBlobException} if absent. */
  long size(String key);

  /**
   * Deletes every object whose key starts with {@code prefix} (a key prefix, not only a directory:
   * "a/b" removes "a/b", "a/b/c" and "a/bc"). An empty prefix is refused.
   */
  void deletePrefix(String prefix);

  /** The URI this store was opened with, normalized (e.g. {@code file:///abs/dir}). */
  String uri();
}
