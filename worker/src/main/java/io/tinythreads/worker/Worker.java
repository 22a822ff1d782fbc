package io.tinythreads.worker;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.tinythreads.media.LibvpxEncoder;
import io.tinythreads.media.Vp8ChunkEncoder;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandOk;
import io.tinythreads.proto.CommandResult;
import io.tinythreads.proto.Heartbeat;
import io.tinythreads.proto.Hello;
import io.tinythreads.proto.WorkerMessage;
import io.tinythreads.proto.WorkerSessionGrpc;
import io.tinythreads.tls.TlsFileException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker runtime: dials the coordinator, says Hello, then executes the coordinator's commands
 * one at a time, in order, answering each with a {@link CommandResult}. While a command runs, a
 * {@link Heartbeat} goes out every second from a separate scheduler thread.
 *
 * <p>Exit codes: {@link #EXIT_OK} after Quit; {@link #EXIT_FAILED} when the stream fails or closes
 * without a Quit, the coordinator stays silent for {@link #idleTimeout()}, or the calling thread is
 * interrupted. A worker never waits forever: a broken stream interrupts the running command.
 */
public final class Worker {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  static final Duration HEARTBEAT_PERIOD = Duration.ofSeconds(1);
  /** How long to wait for the coordinator to end its side after our Quit result. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

  private Worker() {}

  /**
   * Longest wait for the next command (system property {@code tinythreads.worker.idleTimeoutSeconds},
   * default 600 s): a coordinator that never speaks again must not leave workers hanging.
   */
  static Duration idleTimeout() {
    return Duration.ofSeconds(Long.getLong("tinythreads.worker.idleTimeoutSeconds", 600));
  }

  /**
   * Runs one worker to completion in the calling thread, dialling as {@link WorkerConfig#tls()} says
   * (plaintext by default, for loopback deployments). A TLS file that cannot be used ends the worker
   * with {@link #EXIT_USAGE} and one log line naming the flag and the file.
   */
  public static int run(WorkerConfig cfg) {
    ChannelCredentials credentials;
    try {
      credentials = cfg.tls().credentials();
    } catch (TlsFileException e) {
      LOG.error("worker {}: {}", cfg.workerId(), e.getMessage());
      return EXIT_USAGE;
    }
    return run(cfg, credentials);
  }

  /**
   * Same, with explicit channel credentials, used for both links: the coordinator and the
   * rendezvous named by Assign (e.g. {@code TlsChannelCredentials} with a client certificate for
   * mutual TLS on non-loopback links).
   */
  public static int run(WorkerConfig cfg, ChannelCredentials credentials) {
    return run(cfg, credentials, new LibvpxEncoder());
  }

  // Visible for testing.
  static int run(WorkerConfig cfg, ChannelCredentials credentials, Vp8ChunkEncoder encoder) {
    LOG.info("worker {} starting: job {} chunk {} attempt {} via {} ({}, {})", cfg.workerId(), cfg.jobId(),
        cfg.chunkIndex(), cfg.attempt(), cfg.coordinator(), cfg.runtime(), cfg.tls().describe());
    Path scratch;
    try {
      Files.createDirectories(cfg.scratchRoot());
      scratch = Files.createTempDirectory(cfg.scratchRoot(), "tt-" + safe(cfg.jobId()) + "-" + cfg.chunkIndex() + "-");
    } catch (IOException e) {
      LOG.error("worker {}: cannot create scratch under {}: {}", cfg.workerId(), cfg.scratchRoot(), e.toString());
      return EXIT_FAILED;
    }
    ManagedChannel channel = Grpc.newChannelBuilder(cfg.coordinator(), credentials)
        .maxInboundMessageSize(4 << 20)
        .build();
    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heartbeat-" + cfg.workerId());
      t.setDaemon(true);
      return t;
    });
    SessionStream stream = null;
    try {
      stream = SessionStream.open(WorkerSessionGrpc.newStub(channel), Thread.currentThread());
      stream.send(WorkerMessage.newBuilder().setHello(Hello.newBuilder()
          .setJobId(cfg.jobId()).setChunkIndex(cfg.chunkIndex()).setToken(cfg.token()).setWorkerId(cfg.workerId())
          .setAttempt(cfg.attempt()).setRuntime(cfg.runtime())).build());
      try (CommandRunner runner = new CommandRunner(scratch, encoder, cfg.jobId(), cfg.token(), credentials)) {
        return loop(cfg, stream, runner, heartbeats);
      }
    } catch (InterruptedException e) {
      LOG.warn("worker {}: interrupted, giving up", cfg.workerId());
      if (stream != null) {
        stream.cancel("worker interrupted");
      }
      Thread.currentThread().interrupt();
      return EXIT_FAILED;
    } catch (RuntimeException e) {
      LOG.error("worker {}: {}", cfg.workerId(), e.toString(), e);
      if (stream != null) {
        stream.cancel("worker error: " + e);
      }
      return EXIT_FAILED;
    } finally {
      heartbeats.shutdownNow();
      if (stream != null && stream.brokeUs()) {
        // The interrupt came from our own stream callback, not from whoever runs this thread.
        Thread.interrupted();
      }
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      deleteTree(scratch);
    }
  }

  private static int loop(WorkerConfig cfg, SessionStream stream, CommandRunner runner,
      ScheduledExecutorService heartbeats) throws InterruptedException {
    Duration idle = idleTimeout();
    while (true) {
      SessionStream.Inbound in = stream.next(idle);
      switch (in) {
        case SessionStream.Timeout t -> {
          LOG.error("worker {}: no command from the coordinator for {} s, giving up", cfg.workerId(), idle.toSeconds());
          stream.cancel("no command for " + idle.toSeconds() + " s");
          return EXIT_FAILED;
        }
        case SessionStream.Ended e -> {
          LOG.error("worker {}: coordinator stream ended without Quit: {}", cfg.workerId(), e.reason());
          return EXIT_FAILED;
        }
        case SessionStream.Received r -> {
          Command c = r.command();
          CommandResult result = execute(cfg, stream, runner, heartbeats, c);
          if (stream.isBroken()) {
            LOG.error("worker {}: coordinator stream broke during {}: {}", cfg.workerId(), CommandRunner.name(c),
                stream.endReason());
            return EXIT_FAILED;
          }
          stream.send(WorkerMessage.newBuilder().setResult(result).build());
          if (c.hasQuit()) {
            stream.complete();
            stream.awaitEnd(CLOSE_GRACE);
            LOG.info("worker {}: quit", cfg.workerId());
            return EXIT_OK;
          }
        }
      }
    }
  }

  private static CommandResult execute(WorkerConfig cfg, SessionStream stream, CommandRunner runner,
      ScheduledExecutorService heartbeats, Command c) {
    String name = CommandRunner.name(c);
    long started = micros(Instant.now());
    Beat beat = new Beat(c.getCommandId(), name);
    ScheduledFuture<?> task = heartbeats.scheduleAtFixedRate(() -> beat.send(stream), HEARTBEAT_PERIOD.toMillis(),
        HEARTBEAT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    CommandResult.Builder b = CommandResult.newBuilder().setCommandId(c.getCommandId()).setStartedUnixMicros(started);
    stream.beginCommand();
    try {
      CommandOk ok = runner.execute(c, f -> beat.fraction = f);
      b.setOk(ok);
      LOG.debug("worker {}: {} ok: {}", cfg.workerId(), name, ok.getDetail());
    } catch (CommandFailure f) {
      b.setFailure(f.toProto());
      LOG.warn("worker {}: {} failed [{}{}]: {}", cfg.workerId(), name, f.code(), f.retryable() ? ", retryable" : "",
          f.getMessage());
    } finally {
      stream.endCommand();
      task.cancel(false);
      beat.stop();
    }
    return b.setFinishedUnixMicros(micros(Instant.now())).build();
  }

  /** The heartbeat of one command; {@link #stop} guarantees none is sent after the result. */
  private static final class Beat {
    private final long commandId;
    private final String stage;
    volatile double fraction;
    private boolean stopped;

    Beat(long commandId, String stage) {
      this.commandId = commandId;
      this.stage = stage;
    }

    synchronized void send(SessionStream s) {
      if (!stopped) {
        s.send(WorkerMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setCommandId(commandId)
            .setStage(stage).setFractionDone(Math.max(0, Math.min(1, fraction)))).build());
      }
    }

    synchronized void stop() {
      stopped = true;
    }
  }

  static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  private static String safe(String s) {
    String t = s.replaceAll("[^A-Za-z0-9_.-]", "_");
    return t.length() > 40 ? t.substring(0, 40) : t;
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.warn("cannot delete scratch {}: {}", root, e.toString());
    }
  }
}
