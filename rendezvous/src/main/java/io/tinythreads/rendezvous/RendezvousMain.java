package io.tinythreads.rendezvous;

import io.tinythreads.tls.ServerTls;
import io.tinythreads.tls.TlsFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Standalone rendezvous relay (one per cluster, or one per shard of batches):
 * {@code java -cp ... io.tinythreads.rendezvous.RendezvousMain --secret-file /etc/tinythreads/secret}.
 *
 * <p>The secret must be the coordinator's token secret: from {@code --secret-file}, else from the
 * environment variable {@code TT_SECRET}. Prints {@code rendezvous listening on HOST:PORT} on stdout
 * once it accepts links. {@code --tls-cert/--tls-key} serve TLS, {@code --tls-client-ca} mutual TLS.
 * Exit codes: 0 after SIGTERM/SIGINT (the relay is stopped first), 1 if the server cannot start,
 * 2 for a usage error (a missing or bad TLS file included: one line naming the flag and the file).
 */
@Command(name = "rendezvous", mixinStandardHelpOptions = true,
    description = "Relays state between neighbouring tinythreads workers (gRPC tinythreads.v1.Rendezvous).")
public final class RendezvousMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RendezvousMain.class);
  static final int DEFAULT_PORT = 50052;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--port", defaultValue = "" + DEFAULT_PORT, description = "TCP port, 0 = any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--secret-file", description = "File holding the job-token secret (else env TT_SECRET); at least 16 bytes.")
  Path secretFile;

  @Option(names = "--ttl", defaultValue = "600s", converter = DurationConverter.class,
      description = "How long a message waits for a successor that is not connected: 600s, 10m, PT10M (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(names = "--max-held-bytes-per-job", defaultValue = "" + RendezvousConfig.DEFAULT_MAX_HELD_BYTES_PER_JOB,
      description = "Bytes one job may hold awaiting delivery (default: ${DEFAULT-VALUE}).")
  long maxHeldBytesPerJob;

  @Option(names = ServerTls.CERT_FLAG, paramLabel = "PEM",
      description = "Serve TLS with this certificate chain (PEM, leaf first); needs --tls-key. Default: plaintext.")
  Path tlsCert;

  @Option(names = ServerTls.KEY_FLAG, paramLabel = "PEM", description = "The certificate's private key (PEM, PKCS#8, unencrypted).")
  Path tlsKey;

  @Option(names = ServerTls.CLIENT_CA_FLAG, paramLabel = "PEM",
      description = "Mutual TLS: require client certificates signed by a CA in this PEM bundle.")
  Path tlsClientCa;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RendezvousMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    JobTokens tokens;
    ServerTls tls;
    try {
      tls = ServerTls.of(tlsCert, tlsKey, tlsClientCa);
      tokens = loadTokens();
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port: must be 0..65535, got " + port);
      }
      if (maxHeldBytesPerJob <= 0) {
        throw new IllegalArgumentException("--max-held-bytes-per-job: must be positive, got " + maxHeldBytesPerJob);
      }
    } catch (IllegalArgumentException | IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    RendezvousConfig cfg = new RendezvousConfig(bind, port, tokens, ttl, maxHeldBytesPerJob, tls);
    RendezvousServer server;
    try {
      server = RendezvousServer.start(cfg, false);
    } catch (TlsFileException e) {
      // A bad PEM file: one line naming the flag and the file, no usage text, no stack trace.
      spec.commandLine().getErr().println("rendezvous: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 2;
    } catch (IOException e) {
      log.error("{}", e.getMessage());
      spec.commandLine().getErr().println("rendezvous: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop();
      System.err.println("rendezvous: stopped");
      System.err.flush();
      // SIGTERM is how a server is asked to stop: exit 0, not the JVM's 128+signal.
      Runtime.getRuntime().halt(0);
    }, "tt-rendezvous-shutdown"));
    // A line for people and scripts, whatever the logging configuration says.
    System.out.println("rendezvous listening on " + server.address() + " (bound to " + bind
        + (tls == null ? "" : ", " + tls.describe()) + ")");
    System.out.flush();
    server.blockUntilShutdown();
    return 0;
  }

  private JobTokens loadTokens() throws IOException {
    if (secretFile != null) {
      return JobTokens.fromSecretFile(secretFile);
    }
    String env = System.getenv("TT_SECRET");
    if (env != null && !env.isBlank()) {
      return JobTokens.fromSecretText(env.strip());
    }
    throw new IllegalArgumentException("no job-token secret: pass --secret-file FILE or set TT_SECRET");
  }

  /** Accepts "600", "600s", "10m", "2h", "500ms" and ISO-8601 ("PT10M"). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.strip().toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (v.startsWith("pt") || v.startsWith("p")) {
          d = Duration.parse(value.strip().toUpperCase(Locale.ROOT));
        } else if (v.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        } else if (v.endsWith("s")) {
          d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("m")) {
          d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("h")) {
          d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        } else {
          d = Duration.ofSeconds(Long.parseLong(v));
        }
        if (d.isNegative() || d.isZero()) {
          throw new CommandLine.TypeConversionException("must be positive: '" + value + "'");
        }
        return d;
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (try 600s, 10m or PT10M)");
      }
    }
  }
}
