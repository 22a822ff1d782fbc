package io.tinythreads.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A blob store in a local directory: key {@code a/b/c} is the file {@code root/a/b/c}.
 *
 * <p>Every write goes to a temporary file in the target's own directory and is then renamed over the
 * target ({@code rename(2)} is atomic within one file system), so concurrent readers see the old or
 * the new object, never a partial one. No fsync: a machine crash may lose recent objects, which the
 * coordinator recovers from by re-running the step (every artifact has a deterministic key).
 */
public final class FileBlobStore implements BlobStore {
  /** Temporary files start with this; they are never visible under a valid key's final name. */
  static final String TEMP_PREFIX = ".tt-tmp-";

  private final Path root;
  private final String uri;

  private FileBlobStore(Path root) {
    this.root = root;
    String u = root.toUri().toString();
    this.uri = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  /** Opens (creating if needed) a store rooted at a directory. */
  public static FileBlobStore at(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("blob store " + root + ": cannot create directory: " + e.getMessage(), e);
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("blob store " + root + " is not a directory");
    }
    return new FileBlobStore(root);
  }

  /** {@code file:///abs/dir}, {@code file:rel/dir} or a plain path. */
  static FileBlobStore open(String uri) {
    Path dir;
    if (uri.startsWith("file:")) {
      URI u = null;
      try {
        u = URI.create(uri);
      } catch (IllegalArgumentException e) {
        // Unencoded paths ("file:///data/my videos") are common in hand-written config: accept them raw.
        if (!uri.startsWith("file://")) {
          throw new IllegalArgumentException("blob store uri '" + uri + "' is not a valid URI: " + e.getMessage(), e);
        }
      }
      if (u == null) {
        String rest = uri.substring("file://".length());
        if (rest.startsWith("localhost/")) {
          rest = rest.substring("localhost".length());
        }
        if (!rest.startsWith("/")) {
          throw new IllegalArgumentException("blob store uri '" + uri + "' names a remote host; use file:///path");
        }
        dir = Path.of(rest);
      } else if (u.isOpaque()) {
        dir = Path.of(u.getSchemeSpecificPart());
      } else {
        if (u.getAuthority() != null && !u.getAuthority().isEmpty() && !u.getAuthority().equals("localhost")) {
          throw new IllegalArgumentException("blob store uri '" + uri + "' names a remote host; use file:///path");
        }
        dir = Path.of(u.getPath());
      }
    } else if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      throw new IllegalArgumentException("blob store uri '" + uri + "': unsupported scheme (use file:// or a path)");
    } else {
      dir = Path.of(uri);
    }
    return at(dir);
  }

  public Path root() {
    return root;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public void put(String key, byte[] data) {
    Path target = resolve(key);
    try {
      Path tmp = tempNextTo(target);
      try {
        Files.write(tmp, data);
        publish(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw failure("cannot write", key, e);
    }
  }

  @Override
  public void putFile(String key, Path file) {
    Path target = resolve(key);
    try {
      Path tmp = tempNextTo(target);
      try {
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        publish(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("blob store " + uri + ": cannot put '" + key + "': local file " + file
          + " does not exist", e);
    } catch (IOException e) {
      throw failure("cannot write", key, e);
    }
  }

  @Override
  public byte[] get(String key) {
    Path p = resolve(key);
    try {
      if (Files.isDirectory(p)) {
        throw new NoSuchBlobException(uri, key);
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new NoSuchBlobException(uri, key);
    } catch (IOException e) {
      throw failure("cannot read", key, e);
    }
  }

  @Override
  public void getToFile(String key, Path file) {
    Path p = resolve(key);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchBlobException(uri, key);
    }
    Path dest = file.toAbsolutePath();
    try {
      Path parent = dest.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Path tmp = Files.createTempFile(parent, TEMP_PREFIX, ".part");
      try {
        Files.copy(p, tmp, StandardCopyOption.REPLACE_EXISTING);
        publish(tmp, dest);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (NoSuchFileException e) {
      // the object vanished between the check and the copy (a concurrent deletePrefix)
      throw new NoSuchBlobException(uri, key);
    } catch (IOException e) {
      throw new UncheckedIOException("blob store " + uri + ": cannot copy '" + key + "' to " + dest + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(resolve(key));
  }

  @Override
  public long size(String key) {
    Path p = resolve(key);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        throw new NoSuchBlobException(uri, key);
      }
      return a.size();
    } catch (NoSuchFileException e) {
      throw new NoSuchBlobException(uri, key);
    } catch (IOException e) {
      throw failure("cannot stat", key, e);
    }
  }

  @Override
  public void deletePrefix(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      throw new IllegalArgumentException("blob prefix is empty (refusing to delete the whole store " + uri + ")");
    }
    // The prefix may end in '/' ("jobs/j1/") or inside a name ("jobs/j1/chunk-00"); validate the
    // directory part as a key and scan only below it.
    int slash = prefix.lastIndexOf('/');
    String dirPart = slash < 0 ? "" : prefix.substring(0, slash);
    if (!dirPart.isEmpty()) {
      BlobKeys.check(dirPart);
    }
    if (prefix.contains("\\") || prefix.contains("\0") || prefix.startsWith("/")) {
      throw new IllegalArgumentException("blob prefix '" + prefix + "' is not a relative key prefix");
    }
    Path base = dirPart.isEmpty() ? root : root.resolve(dirPart);
    if (!Files.isDirectory(base)) {
      return;
    }
    List<Path> files = new ArrayList<>();
    try {
      walk(base, files, null);
    } catch (IOException e) {
      throw failure("cannot list", prefix, e);
    }
    for (Path f : files) {
      if (keyOf(f).startsWith(prefix)) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          throw failure("cannot delete", keyOf(f), e);
        }
      }
    }
    pruneEmptyDirs(base);
  }

  /** Removes now-empty directories below (and including) {@code base}, never the root. */
  private void pruneEmptyDirs(Path base) {
    List<Path> dirs = new ArrayList<>();
    try {
      walk(base, null, dirs);
    } catch (IOException e) {
      return; // cosmetic only
    }
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path d : dirs) {
      Path cur = d;
      while (cur != null && !cur.equals(root) && cur.startsWith(root)) {
        try {
          Files.deleteIfExists(cur);
        } catch (DirectoryNotEmptyException e) {
          break;
        } catch (IOException e) {
          break;
        }
        cur = cur.getParent();
      }
    }
  }

  /**
   * Collects the regular files and the directories below {@code base} (either list may be null).
   * Two clean-ups of one prefix may run at once (a job's end and its ingest thread): an entry the
   * other removed while this walk ran is simply gone, not an error, where {@link Files#walk}
   * would abort the whole listing.
   */
  private static void walk(Path base, List<Path> files, List<Path> dirs) throws IOException {
    Files.walkFileTree(base, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
        if (dirs != null) {
          dirs.add(d);
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFile(Path f, BasicFileAttributes a) {
        if (files != null && a.isRegularFile()) {
          files.add(f);
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return java.nio.file.FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }
    });
  }

  private String keyOf(Path file) {
    return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
  }

  private Path resolve(String key) {
    BlobKeys.check(key);
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException("blob key '" + key + "' escapes the store root");
    }
    return p;
  }

  private static Path tempNextTo(Path target) throws IOException {
    Path parent = target.getParent();
    Files.createDirectories(parent);
    return Files.createTempFile(parent, TEMP_PREFIX, ".part");
  }

  private static void publish(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Same directory, so this should not happen; refuse rather than publish non-atomically.
      throw new IOException("atomic rename not supported in " + target.getParent(), e);
    }
  }

  private UncheckedIOException failure(String what, String key, IOException e) {
    String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
    return new UncheckedIOException("blob store " + uri + ": " + what + " '" + key + "': " + reason, e);
  }

  @Override
  public String toString() {
    return "FileBlobStore[" + uri + "]";
  }
}
