package io.tinythreads.coordinator;

import com.google.longrunning.OperationsGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.coordinator.job.JobJournal;
import io.tinythreads.coordinator.job.JobManager;
import io.tinythreads.coordinator.launch.Launcher;
import io.tinythreads.fsm.FsmConfig;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.WorkerSessionGrpc;
import io.tinythreads.rendezvous.JobTokens;
import io.tinythreads.rendezvous.RendezvousConfig;
import io.tinythreads.rendezvous.RendezvousServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived coordinator: hosts the Jobs API (jobs.proto) with its AIP-151 companion
 * google.longrunning.Operations, the worker sessions (worker_session.proto), grpc.health.v1, gRPC
 * server reflection (grpc.reflection.v1, so grpcurl and other generic clients need no .proto files),
 * and, unless given a standalone one, a rendezvous relay.
 *
 * <p>Lifecycle (STYLE habit 16): the constructor takes a {@link ServerBuilder}; {@link #start}
 * binds and registers a shutdown hook; {@link #stop} cancels running jobs (their workers are told
 * to quit), then shuts the server down, waiting up to 30 s before forcing.
 */
public final class CoordinatorServer {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorServer.class);
  /** gRPC callbacks are short (they hand work to job threads), except SubmitJob opening an input. */
  static final int POOL_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final CoordinatorConfig config;
  private final ExecutorService pool;
  /** Only WaitOperation's timers: a wait holds no gRPC thread; the job's end or this timer answers it. */
  private final ScheduledExecutorService waits = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tt-operations-wait");
    t.setDaemon(true);
    return t;
  });
  private final HealthStatusManager health = new HealthStatusManager();
  private final JobManager jobs;
  private final Server server;
  private final RendezvousServer rendezvous;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile int boundPort = -1;
  private Thread shutdownHook;

  CoordinatorServer(ServerBuilder<?> builder, CoordinatorConfig config, JobHooks hooks, FsmConfig fsm)
      throws IOException {
    this.config = config;
    Files.createDirectories(config.workDir());
    BlobStore blobs = BlobStore.open(config.blobStoreUri());
    JobTokens tokens = config.tokenSecret() == null ? JobTokens.random() : new JobTokens(config.tokenSecret());
    RendezvousServer rdv = null;
    String rdvAddress = config.rendezvousAddress();
    if (rdvAddress == null) {
      // Same certificate as the coordinator: a worker dials both with one trust setting.
      rdv = RendezvousServer.start(RendezvousConfig.defaults(tokens).withTls(config.tls()));
      rdvAddress = rdv.address();
    }
    this.rendezvous = rdv;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "tt-coordinator-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    JobManager.Settings settings = new JobManager.Settings(blobs, config.workDir().toAbsolutePath(), tokens,
        rdvAddress, this::workerAddress, config.defaultLauncher(), config.defaultWorkers(), fsm,
        kind -> Launcher.of(kind, config.workerTls()), hooks,
        JobManager.Settings.monotonicMillis(), Clock.systemUTC());
    try {
      this.jobs = config.journal()
          ? new JobManager(settings, JobJournal.inWorkDir(config.workDir().toAbsolutePath()))
          : new JobManager(settings);
    } catch (IOException | RuntimeException e) {
      pool.shutdownNow();
      if (rdv != null) {
        rdv.stop();
      }
      throw e;
    }
    this.server = builder.executor(pool)
        .addService(new JobsService(jobs))
        .addService(new OperationsService(jobs, waits))
        .addService(new WorkerSessionService(jobs))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build();
  }

  /** Starts a coordinator with the default worker timing rules and no hooks. */
  public static CoordinatorServer start(CoordinatorConfig config) throws IOException {
    return start(config, JobHooks.NONE);
  }

  /** Starts a coordinator whose jobs report to {@code hooks} (tests, tools). */
  public static CoordinatorServer start(CoordinatorConfig config, JobHooks hooks) throws IOException {
    return start(config, hooks, FsmConfig.defaults());
  }

  /** Starts a coordinator with explicit worker timing rules (hello timeout, heartbeats, deadlines). */
  public static CoordinatorServer start(CoordinatorConfig config, JobHooks hooks, FsmConfig fsm) throws IOException {
    // Every TLS file is checked before anything binds: a bad one is a TlsFileException naming the
    // flag and the file (the CLI prints it as one line).
    config.workerTls().validate();
    InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.port());
    NettyServerBuilder builder = (config.tls() == null ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, config.tls().credentials()))
        // Worker streams are long-lived and idle while a worker encodes: keepalive, no call deadline.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    CoordinatorServer s = new CoordinatorServer(builder, config, hooks, fsm);
    s.startInternal();
    return s;
  }

  private void startInternal() throws IOException {
    try {
      server.start();
    } catch (IOException e) {
      pool.shutdownNow();
      waits.shutdownNow();
      if (rendezvous != null) {
        rendezvous.stop();
      }
      throw new IOException("coordinator: cannot listen on " + config.bindAddress() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
    boundPort = server.getPort();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(JobsGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(OperationsGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(WorkerSessionGrpc.SERVICE_NAME, ServingStatus.SERVING);
    // Now that workers can dial in: jobs a previous coordinator on this work dir left unfinished.
    jobs.startResumed();
    shutdownHook = new Thread(this::stop, "tt-coordinator-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    log.info("coordinator listening on {}:{} ({}, workers {}; blobs {}, rendezvous {}, work dir {})",
        config.bindAddress(), boundPort, config.tls() == null ? "plaintext" : config.tls().describe(),
        config.workerTls().describe(), config.blobStoreUri(), rendezvous != null ? "embedded " + rendezvous.address() : config.rendezvousAddress(),
        config.workDir());
  }

  /** The bound port (the real one when the config asked for 0). */
  public int port() {
    return boundPort;
  }

  /** "host:port" for clients on this machine (127.0.0.1 when bound to the wildcard address). */
  public String address() {
    return workerAddress();
  }

  /** What local workers dial. */
  private String workerAddress() {
    String host = config.bindAddress();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return host + ":" + boundPort;
  }

  /** The rendezvous address workers are given (the embedded one, or the configured one). */
  public String rendezvousAddress() {
    return rendezvous != null ? rendezvous.address() : config.rendezvousAddress();
  }

  public CoordinatorConfig config() {
    return config;
  }

  /** Stops the server; idempotent. Running jobs are cancelled. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down.
      }
    }
    health.enterTerminalState();
    jobs.close();
    server.shutdown();
    try {
      if (!server.awaitTermination(30, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      pool.shutdown();
      waits.shutdownNow();
      if (rendezvous != null) {
        rendezvous.stop();
      }
    }
    log.info("coordinator on port {} stopped", boundPort);
  }

  /** Blocks until the server has terminated (after {@link #stop}, e.g. from the shutdown hook). */
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
