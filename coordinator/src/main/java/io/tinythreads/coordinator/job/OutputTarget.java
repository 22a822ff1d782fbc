package io.tinythreads.coordinator.job;

import io.tinythreads.proto.OutputContainer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the joined video goes: a local file and its container. The file is written under a
 * temporary name in the same directory and renamed into place only when complete, so a reader
 * never sees a partial output and a failed job leaves none.
 */
record OutputTarget(Path path, OutputContainer container) {

  /**
   * Resolves and checks {@code spec.output_uri} (a path or file:// URI) and the container.
   *
   * @throws InvalidSpecException naming the field and the problem
   */
  static OutputTarget resolve(String uri, OutputContainer requested) {
    if (uri == null || uri.isBlank()) {
      throw new InvalidSpecException("spec.output_uri is required");
    }
    Path path;
    try {
      if (uri.startsWith("file:")) {
        path = Path.of(URI.create(uri));
      } else if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
        throw new InvalidSpecException("spec.output_uri " + uri + ": only local paths and file:// URIs are supported");
      } else {
        path = Path.of(uri);
      }
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      if (e instanceof InvalidSpecException ise) {
        throw ise;
      }
      throw new InvalidSpecException("spec.output_uri " + uri + ": not a valid path or file:// URI (" + e.getMessage() + ")");
    }
    path = path.toAbsolutePath().normalize();
    if (path.getFileName() == null) {
      throw new InvalidSpecException("spec.output_uri " + uri + ": names no file");
    }
    OutputContainer container = requested;
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (container == OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED) {
      if (name.endsWith(".ivf")) {
        container = OutputContainer.OUTPUT_CONTAINER_IVF;
      } else if (name.endsWith(".webm")) {
        container = OutputContainer.OUTPUT_CONTAINER_WEBM;
      } else {
        throw new InvalidSpecException("spec.output_uri " + path
            + ": cannot tell the container from the extension; use .ivf or .webm, or set spec.container");
      }
    } else if (container == OutputContainer.UNRECOGNIZED) {
      throw new InvalidSpecException("spec.container: unknown value");
    }
    Path dir = path.getParent();
    if (!Files.isDirectory(dir)) {
      throw new InvalidSpecException("spec.output_uri " + path + ": directory " + dir + " does not exist");
    }
    if (Files.isDirectory(path)) {
      throw new InvalidSpecException("spec.output_uri " + path + " is a directory");
    }
    // Files.isWritable is not enough (root passes every permission check; some file systems are
    // read-only regardless): create and delete a probe file, as the join will.
    try {
      Path probe = Files.createTempFile(dir, ".tt-probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new InvalidSpecException("spec.output_uri " + path + ": directory " + dir + " is not writable ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    return new OutputTarget(path, container);
  }

  /**
   * The temporary name the join writes to: hidden, next to the output, unique per job, and keeping
   * the extension so tools that guess formats by name still see .ivf / .webm.
   */
  Path tempFor(String jobId) {
    String name = path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    return path.resolveSibling("." + stem + ".tmp-" + jobId + ext);
  }
}
