package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.CoordinatorConfig;
import io.tinythreads.coordinator.CoordinatorServer;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jobs client plus, for an embedded coordinator, the server and its work dir. The embedded
 * server listens on 127.0.0.1 with an ephemeral port and its own rendezvous; the CLI still talks
 * to it over loopback gRPC, exactly as to a remote one. {@link #close()} is idempotent and may be
 * called from the Ctrl-C hook and the main thread at once.
 */
final class Session implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final JobsClient client;
  private final CoordinatorServer server;
  private final Path workDir;
  private final boolean keep;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Session(JobsClient client, CoordinatorServer server, Path workDir, boolean keep) {
    this.client = client;
    this.server = server;
    this.workDir = workDir;
    this.keep = keep;
  }

  static Session remote(HostPort coordinator) {
    return remote(coordinator, io.grpc.InsecureChannelCredentials.create());
  }

  static Session remote(HostPort coordinator, io.grpc.ChannelCredentials credentials) {
    return new Session(JobsClient.connect(coordinator.toString(), credentials), null, null, true);
  }

  /**
   * Starts a coordinator in this JVM with a fresh work dir {@code tinythreads-*} under
   * {@code workDirParent} (default: java.io.tmpdir), deleted on close unless {@code keep}.
   */
  static Session embedded(Path workDirParent, boolean keep) throws IOException {
    Path parent = workDirParent != null ? workDirParent : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(parent);
    Path work = Files.createTempDirectory(parent.toAbsolutePath(), "tinythreads-");
    CoordinatorServer server;
    try {
      CoordinatorConfig base = CoordinatorConfig.embedded(work);
      // Loopback and an ephemeral port whatever embedded() picks: nothing outside this machine
      // needs to reach a coordinator that lives for one submit.
      server = CoordinatorServer.start(new CoordinatorConfig("127.0.0.1", 0, base.blobStoreUri(), work,
          base.rendezvousAddress(), base.defaultLauncher(), base.defaultWorkers(), base.tokenSecret()));
    } catch (IOException | RuntimeException e) {
      deleteRecursively(work);
      throw e;
    }
    log.info("embedded coordinator on 127.0.0.1:{}, work dir {}", server.port(), work);
    return new Session(JobsClient.connect("127.0.0.1:" + server.port()), server, work, keep);
  }

  JobsClient client() {
    return client;
  }

  boolean embedded() {
    return server != null;
  }

  /** The embedded server's work dir, or null. */
  Path workDir() {
    return workDir;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    client.close();
    if (server != null) {
      server.stop();
    }
    if (workDir != null && !keep) {
      deleteRecursively(workDir);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("could not delete work dir {}: {}", dir, e.toString());
    }
  }
}
