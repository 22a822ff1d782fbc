package io.tinythreads.coordinator;

import io.tinythreads.proto.LauncherKind;
import io.tinythreads.tls.ClientTls;
import io.tinythreads.tls.ServerTls;
import java.nio.file.Path;

/**
 * Settings of a {@link CoordinatorServer}.
 *
 * @param bindAddress address to listen on ("127.0.0.1" embedded, "0.0.0.0" for remote workers)
 * @param port TCP port; 0 picks a free one
 * @param blobStoreUri where artifacts live ({@code file:///abs/dir} or a plain path)
 * @param workDir local folder for ingest temp files, worker scratch and worker logs
 * @param rendezvousAddress host:port of a standalone rendezvous; null starts one in this JVM
 * @param defaultLauncher launcher for jobs that do not name one
 * @param defaultWorkers concurrent workers for jobs that do not say; 0 = one per core
 * @param tokenSecret HMAC secret for job tokens (share it with a standalone rendezvous); null = random
 * @param tls the server's certificate and key, and a client CA for mutual TLS; null = plaintext.
 *     An embedded rendezvous serves the same certificate, so workers need one trust setting for both
 * @param workerTls how the workers this coordinator launches (thread, process) dial it and the
 *     rendezvous; null = plaintext, or the system trust store when {@code tls} is set. Required to
 *     carry a client certificate when {@code tls} requires one
 * @param journal record jobs under {@code workDir/jobs} so that they survive a restart of the
 *     coordinator ({@code coordinator serve}); off for the embedded one, whose jobs end with it
 */
public record CoordinatorConfig(
    String bindAddress,
    int port,
    String blobStoreUri,
    Path workDir,
    String rendezvousAddress,
    LauncherKind defaultLauncher,
    int defaultWorkers,
    byte[] tokenSecret,
    ServerTls tls,
    ClientTls workerTls,
    boolean journal) {

  /** No journal. */
  public CoordinatorConfig(String bindAddress, int port, String blobStoreUri, Path workDir, String rendezvousAddress,
                           LauncherKind defaultLauncher, int defaultWorkers, byte[] tokenSecret, ServerTls tls,
                           ClientTls workerTls) {
    this(bindAddress, port, blobStoreUri, workDir, rendezvousAddress, defaultLauncher, defaultWorkers, tokenSecret,
        tls, workerTls, false);
  }

  /** Plaintext, no journal. */
  public CoordinatorConfig(String bindAddress, int port, String blobStoreUri, Path workDir, String rendezvousAddress,
                           LauncherKind defaultLauncher, int defaultWorkers, byte[] tokenSecret) {
    this(bindAddress, port, blobStoreUri, workDir, rendezvousAddress, defaultLauncher, defaultWorkers, tokenSecret,
        null, null, false);
  }

  public CoordinatorConfig {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress is required");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (workDir == null) {
      throw new IllegalArgumentException("workDir is required");
    }
    if (blobStoreUri == null || blobStoreUri.isBlank()) {
      blobStoreUri = workDir.toAbsolutePath().resolve("blobs").toUri().toString();
    }
    if (defaultLauncher == null) {
      defaultLauncher = LauncherKind.LAUNCHER_THREAD;
    }
    if (defaultWorkers < 0) {
      throw new IllegalArgumentException("defaultWorkers must be >= 0, got " + defaultWorkers);
    }
    tokenSecret = tokenSecret == null ? null : tokenSecret.clone();
    if (workerTls == null) {
      workerTls = ClientTls.PLAINTEXT;
    }
    if (tls == null && workerTls.enabled()) {
      throw new IllegalArgumentException("workerTls: workers would dial TLS but the coordinator serves plaintext"
          + " (give the server " + ServerTls.CERT_FLAG + " and " + ServerTls.KEY_FLAG + ")");
    }
    if (tls != null && !workerTls.enabled()) {
      // Workers must speak TLS to a TLS server; with no CA given, they trust what the JVM trusts.
      workerTls = new ClientTls(null, null, null, true);
    }
    if (tls != null && tls.mutual() && workerTls.clientCert() == null) {
      throw new IllegalArgumentException(ServerTls.CLIENT_CA_FLAG + " requires client certificates: give "
          + ClientTls.CLIENT_CERT_FLAG + " and " + ClientTls.CLIENT_KEY_FLAG + " for the workers this coordinator"
          + " launches");
    }
  }

  /** The same settings served over TLS; {@code workerTls} is what launched workers dial with. */
  public CoordinatorConfig withTls(ServerTls tls, ClientTls workerTls) {
    return new CoordinatorConfig(bindAddress, port, blobStoreUri, workDir, rendezvousAddress, defaultLauncher,
        defaultWorkers, tokenSecret, tls, workerTls, journal);
  }

  /** The same settings with the job journal on or off. */
  public CoordinatorConfig withJournal(boolean journal) {
    return new CoordinatorConfig(bindAddress, port, blobStoreUri, workDir, rendezvousAddress, defaultLauncher,
        defaultWorkers, tokenSecret, tls, workerTls, journal);
  }

  /**
   * Everything in this JVM: loopback, an ephemeral port, blobs under {@code workDir/blobs}, an
   * embedded rendezvous, thread workers, one per core, a random token secret.
   */
  public static CoordinatorConfig embedded(Path workDir) {
    return new CoordinatorConfig("127.0.0.1", 0, null, workDir, null, LauncherKind.LAUNCHER_THREAD, 0, null);
  }

  @Override
  public byte[] tokenSecret() {
    return tokenSecret == null ? null : tokenSecret.clone();
  }

  // Records compare arrays by reference; compare the secret by content (STYLE habit 9).
  @Override
  public boolean equals(Object o) {
    return o instanceof CoordinatorConfig c
        && bindAddress.equals(c.bindAddress) && port == c.port && blobStoreUri.equals(c.blobStoreUri)
        && workDir.equals(c.workDir) && java.util.Objects.equals(rendezvousAddress, c.rendezvousAddress)
        && defaultLauncher == c.defaultLauncher && defaultWorkers == c.defaultWorkers
        && java.util.Arrays.equals(tokenSecret, c.tokenSecret) && java.util.Objects.equals(tls, c.tls)
        && workerTls.equals(c.workerTls) && journal == c.journal;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(bindAddress, port, blobStoreUri, workDir, rendezvousAddress, defaultLauncher,
        defaultWorkers, java.util.Arrays.hashCode(tokenSecret), tls, workerTls, journal);
  }

  @Override
  public String toString() {
    return "CoordinatorConfig[bindAddress=" + bindAddress + ", port=" + port + ", blobStoreUri=" + blobStoreUri
        + ", workDir=" + workDir + ", rendezvousAddress=" + rendezvousAddress + ", defaultLauncher=" + defaultLauncher
        + ", defaultWorkers=" + defaultWorkers + ", tokenSecret=" + (tokenSecret == null ? "random" : "(set)")
        + ", tls=" + (tls == null ? "plaintext" : tls.describe()) + ", workerTls=" + workerTls.describe() + ", journal=" + journal + "]";
  }
}
