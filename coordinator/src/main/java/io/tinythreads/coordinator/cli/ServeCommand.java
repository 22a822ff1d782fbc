package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.CoordinatorConfig;
import io.tinythreads.coordinator.CoordinatorServer;
import io.tinythreads.coordinator.cli.Choices.LauncherArg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code coordinator serve}: a standalone coordinator until SIGTERM/SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Run a coordinator until SIGTERM or SIGINT (then exit 0).",
        "",
        "Prints 'coordinator listening on HOST:PORT' on stdout once it accepts jobs. It serves the Jobs API "
            + "(submit, status, watch, cancel), the worker sessions and gRPC health, and, unless --rendezvous is "
            + "given, a rendezvous of its own. Links are plaintext unless --tls-cert/--tls-key are given (TLS; "
            + "--tls-client-ca for mutual TLS); the workers it launches then dial with --tls-ca and "
            + "--tls-client-cert/--tls-client-key (default: the system trust store, no client certificate).",
        ""})
final class ServeCommand extends BaseCommand {
  static final int MIN_SECRET_BYTES = 16;

  @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: 127.0.0.1; 0.0.0.0 for all).")
  String bind = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on; 0 = any free port (default: 7700).")
  int port = HostPort.DEFAULT_PORT;

  @Option(names = "--blob-store", paramLabel = "URI",
      description = "Blob store for chunks and states, a file:// URI or a path (default: inside the work dir).")
  String blobStore;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "The coordinator's scratch dir, kept at exit (default: a new temp dir, deleted at exit unless --keep).")
  Path workDir;

  @Option(names = {"-k", "--keep"}, description = "Keep the default temp work dir at exit.")
  boolean keep;

  @Option(names = "--rendezvous", paramLabel = "HOST:PORT", converter = HostPort.Converter.class,
      description = "Use this rendezvous instead of starting one in this process; needs --secret-file.")
  HostPort rendezvous;

  @Option(names = "--launcher", paramLabel = "thread|process", converter = Choices.LauncherConverter.class,
      description = "Default launcher for jobs that name none (default: thread).")
  LauncherArg launcher = LauncherArg.THREAD;

  @Option(names = {"-w", "--workers"}, paramLabel = "W", description = "Default concurrent workers per job; 0 = one per core (default).")
  int workers;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "Job-token HMAC secret shared with the rendezvous: the file's bytes, trailing newline removed,"
          + " at least " + MIN_SECRET_BYTES + " (default: a random secret).")
  Path secretFile;

  @Mixin
  ServerTlsOptions serverTls = new ServerTlsOptions();

  @Mixin
  ClientTlsOptions workerTls = new ClientTlsOptions();

  /** Visible for testing: set once the server listens. */
  volatile CoordinatorServer server;
  /** Visible for testing: counted down once the server listens (or failed to start). */
  final CountDownLatch started = new CountDownLatch(1);

  @Override
  int run() throws Exception {
    CommandLine cmd = spec.commandLine();
    Validation.range(cmd, "--port", port, 0, 65535);
    Validation.range(cmd, "--workers", workers, 0, PipelineOptions.MAX_WORKERS);
    if (bind.isBlank()) {
      throw new ParameterException(cmd, "--bind must not be empty");
    }
    if (rendezvous != null && secretFile == null) {
      throw new ParameterException(cmd,
          "--rendezvous needs --secret-file: that rendezvous checks job tokens with the same secret");
    }
    if (workDir != null && keep) {
      throw new ParameterException(cmd, "--keep applies only to the default temp work dir; --work-dir is always kept");
    }
    io.tinythreads.tls.ServerTls tls = serverTls.settings();
    io.tinythreads.tls.ClientTls dialBack = workerTls.settings();
    if (tls == null && dialBack.enabled()) {
      throw new ParameterException(cmd, "--tls, --tls-ca and --tls-client-cert/--tls-client-key set how launched"
          + " workers dial this coordinator over TLS: they need --tls-cert and --tls-key");
    }
    if (tls != null && tls.mutual() && dialBack.clientCert() == null) {
      throw new ParameterException(cmd, "--tls-client-ca requires client certificates: give --tls-client-cert and"
          + " --tls-client-key for the workers this coordinator launches");
    }
    byte[] secret = secretFile == null ? null : readSecret(cmd, secretFile);
    Path work;
    boolean deleteWork;
    if (workDir != null) {
      work = Files.createDirectories(workDir.toAbsolutePath().normalize());
      deleteWork = false;
    } else {
      work = Files.createTempDirectory("tinythreads-serve-");
      deleteWork = !keep;
    }
    CoordinatorConfig base = CoordinatorConfig.embedded(work);
    CoordinatorConfig cfg = new CoordinatorConfig(bind, port, blobStore != null ? blobStore : base.blobStoreUri(), work,
        rendezvous != null ? rendezvous.toString() : null, launcher.proto, workers, secret, tls, dialBack,
        // Jobs survive a restart when the work dir (which holds their journal) does.
        !deleteWork);
    CoordinatorServer s;
    try {
      s = CoordinatorServer.start(cfg);
    } catch (IOException e) {
      if (deleteWork) {
        Session.deleteRecursively(work);
      }
      started.countDown();
      throw new CliException(ExitCodes.INTERNAL, "cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    server = s;
    Thread hook = new Thread(() -> {
      s.stop();
      if (deleteWork) {
        Session.deleteRecursively(work);
      }
      err().println("coordinator: stopped");
      err().flush();
      // A signal is how a server is asked to stop: exit 0, not the JVM's 128+signal.
      Runtime.getRuntime().halt(ExitCodes.OK);
    }, "coordinator-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out().println("coordinator listening on " + new HostPort(bind, s.port()));
    out().flush();
    if (verbosity() > 0) {
      err().println("coordinator: work dir " + work + ", rendezvous " + (rendezvous != null ? rendezvous : "embedded"));
      err().flush();
    }
    started.countDown();
    try {
      s.blockUntilShutdown();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook finishes the job
      }
    }
    if (deleteWork) {
      Session.deleteRecursively(work);
    }
    return ExitCodes.OK;
  }

  private static byte[] readSecret(CommandLine cmd, Path file) throws IOException {
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, "--secret-file " + file + ": no such file");
    }
    int n = raw.length;
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r')) {
      n--;
    }
    if (n < MIN_SECRET_BYTES) {
      throw new ParameterException(cmd,
          "--secret-file " + file + " holds " + n + " bytes; at least " + MIN_SECRET_BYTES + " are needed");
    }
    return Arrays.copyOf(raw, n);
  }
}
