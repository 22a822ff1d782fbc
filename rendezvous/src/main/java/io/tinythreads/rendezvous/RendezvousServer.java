package io.tinythreads.rendezvous;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tinythreads.proto.RendezvousGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rendezvous relay as a gRPC server: service {@code tinythreads.v1.Rendezvous} plus the standard
 * {@code grpc.health.v1.Health} (SERVING for "" and for the Rendezvous service while running) and
 * server reflection ({@code grpc.reflection.v1}).
 *
 * <p>Lifecycle (STYLE habit 16): the constructor takes a {@link ServerBuilder}; {@link #start} binds;
 * {@link #stop} stops accepting calls, ends the open streams with UNAVAILABLE (they are long-lived,
 * so a plain graceful shutdown would wait for them forever), waits up to 30 s and then forces.
 * Callbacks run on a fixed pool of {@link #POOL_THREADS} daemon threads. Plaintext unless the
 * config carries a {@link io.tinythreads.tls.ServerTls} (TLS, or mutual TLS with a client CA).
 */
public final class RendezvousServer {
  private static final Logger log = LoggerFactory.getLogger(RendezvousServer.class);
  /** gRPC message limit: a 1 MiB piece plus its envelope fields, with room to spare. */
  static final int MAX_ENVELOPE_BYTES = 2 << 20;
  /** Per-stream HTTP/2 flow-control window, both directions: 1 MiB is one piece, and ~1 GB/s at a 1 ms RTT. */
  static final int FLOW_CONTROL_WINDOW_BYTES = 1 << 20;
  static final int POOL_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final RendezvousConfig config;
  private final ExecutorService pool;
  private final ScheduledExecutorService timer;
  private final RelayTable table;
  private final RendezvousService service;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final Duration sweepPeriod;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile int boundPort = -1;

  RendezvousServer(ServerBuilder<?> builder, RendezvousConfig config, LongSupplier nanoTicker,
                   Duration registerTimeout) {
    this.config = config;
    this.pool = Executors.newFixedThreadPool(POOL_THREADS, daemonThreads("tt-rendezvous-"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("tt-rendezvous-timer-"));
    this.table = new RelayTable(nanoTicker, config.ttl(), config.maxHeldBytesPerJob());
    this.service = new RendezvousService(table, config.tokens(), pool, timer, registerTimeout);
    // Reflection (grpc.reflection.v1) lets grpcurl and other generic clients call the relay without .proto files.
    this.server = builder.executor(pool).addService(service).addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance()).build();
    // Sweep often enough that a message outlives its TTL by at most ~10%, but not busily.
    long ms = Math.clamp(config.ttl().toMillis() / 10, 100L, 30_000L);
    this.sweepPeriod = Duration.ofMillis(ms);
  }

  /** Starts a server without a JVM shutdown hook (the embedding application owns the lifecycle). */
  public static RendezvousServer start(RendezvousConfig config) throws IOException {
    return start(config, false);
  }

  /**
   * @param installShutdownHook whether to stop the server when the JVM exits (standalone use)
   */
  public static RendezvousServer start(RendezvousConfig config, boolean installShutdownHook) throws IOException {
    return start(config, installShutdownHook, System::nanoTime, RendezvousService.REGISTER_TIMEOUT);
  }

  // Visible for testing: a fake ticker drives the TTL.
  static RendezvousServer start(RendezvousConfig config, boolean installShutdownHook, LongSupplier nanoTicker)
      throws IOException {
    return start(config, installShutdownHook, nanoTicker, RendezvousService.REGISTER_TIMEOUT);
  }

  // Visible for testing: also a short registration timeout.
  static RendezvousServer start(RendezvousConfig config, boolean installShutdownHook, LongSupplier nanoTicker,
                                Duration registerTimeout) throws IOException {
    InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.port());
    // TLS files are checked here (TlsFileException, one line naming the flag and file), before binding.
    NettyServerBuilder builder = (config.tls() == null ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, config.tls().credentials()))
        .maxInboundMessageSize(MAX_ENVELOPE_BYTES)
        // A fixed HTTP/2 window (this also turns off BDP auto-tuning, which could grow it to 8 MiB):
        // bounds what a sender can push past a parked reservation to one window per stream.
        .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
        // Streams are long-lived and idle while a worker encodes: no call deadline, keepalive instead.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    RendezvousServer s = new RendezvousServer(builder, config, nanoTicker, registerTimeout);
    s.startInternal(installShutdownHook);
    return s;
  }

  private void startInternal(boolean installShutdownHook) throws IOException {
    try {
      server.start();
    } catch (IOException e) {
      pool.shutdownNow();
      timer.shutdownNow();
      throw new IOException("rendezvous: cannot listen on " + config.bindAddress() + ":" + config.port()
          + ": " + e.getMessage(), e);
    }
    boundPort = server.getPort();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(RendezvousGrpc.SERVICE_NAME, ServingStatus.SERVING);
    timer.scheduleWithFixedDelay(this::sweep, sweepPeriod.toMillis(), sweepPeriod.toMillis(), TimeUnit.MILLISECONDS);
    if (installShutdownHook) {
      Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "tt-rendezvous-shutdown"));
    }
    log.info("rendezvous listening on {}:{} ({}, ttl {} s, maxHeldBytesPerJob {})", config.bindAddress(), port(),
        config.tls() == null ? "plaintext" : config.tls().describe(), config.ttl().toSeconds(),
        config.maxHeldBytesPerJob());
  }

  private void sweep() {
    int dropped = table.expire();
    if (dropped > 0) {
      log.info("dropped {} message(s) older than the {} s TTL", dropped, config.ttl().toSeconds());
    }
  }

  /** The bound port (the real one when the config asked for 0). */
  public int port() {
    return boundPort;
  }

  /**
   * "host:port" for clients on this machine: the bind address, or 127.0.0.1 when bound to the
   * wildcard address (remote clients must use the machine's own name).
   */
  public String address() {
    String host = config.bindAddress();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = RendezvousConfig.LOOPBACK;
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return host + ":" + port();
  }

  /** Stops the server; idempotent. Open streams end with UNAVAILABLE. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    service.closeAll("rendezvous is shutting down");
    try {
      if (!server.awaitTermination(30, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      timer.shutdownNow();
      pool.shutdown();
    }
    log.info("rendezvous on port {} stopped", port());
  }

  /** Blocks until the server has terminated (after {@link #stop}, e.g. from the shutdown hook). */
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }

  // Visible for testing.
  RelayTable table() {
    return table;
  }

  // Visible for testing.
  int openStreams() {
    return service.openStreams();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
