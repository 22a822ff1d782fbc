package io.tinythreads.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files handed to the user (outputs, reports) are written under a temporary name and renamed
 * when complete. {@link Files#createTempFile} makes them owner-only (0600); a finished output
 * should be readable like any file the user writes, so it gets the usual 0644 before the rename.
 */
public final class OutputFiles {
  private OutputFiles() {}

  /** Gives {@code file} rw-r--r-- where the file system has POSIX permissions; else does nothing. */
  public static void makeShareable(Path file) throws IOException {
    if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }
}
