package io.tinythreads.tls;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * How a tinythreads client (a worker, the CLI) dials a server: plaintext (the default, for
 * loopback), or TLS trusting either a CA bundle or the JVM's system trust store, optionally with a
 * client certificate for servers that require mutual TLS. A worker uses one setting for both of
 * its links, the coordinator and the rendezvous: one CA bundle and one client certificate.
 *
 * @param ca PEM bundle of trusted CAs ({@code --tls-ca}); null = the system trust store when TLS is on
 * @param clientCert PEM certificate chain presented to the server ({@code --tls-client-cert}); null = none
 * @param clientKey PEM PKCS#8 key of {@code clientCert} ({@code --tls-client-key})
 * @param systemTrust TLS with the system trust store ({@code --tls}) even without {@code ca}
 */
public record ClientTls(Path ca, Path clientCert, Path clientKey, boolean systemTrust) {
  public static final String TLS_FLAG = "--tls";
  public static final String CA_FLAG = "--tls-ca";
  public static final String CLIENT_CERT_FLAG = "--tls-client-cert";
  public static final String CLIENT_KEY_FLAG = "--tls-client-key";
  /** Plaintext: what loopback deployments use. */
  public static final ClientTls PLAINTEXT = new ClientTls(null, null, null, false);

  public ClientTls {
    if ((clientCert == null) != (clientKey == null)) {
      throw new IllegalArgumentException((clientCert == null ? CLIENT_CERT_FLAG : CLIENT_KEY_FLAG) + " is missing: "
          + CLIENT_CERT_FLAG + " and " + CLIENT_KEY_FLAG + " go together");
    }
  }

  /** Whether links are encrypted: a CA, a client certificate or {@code --tls} was given. */
  public boolean enabled() {
    return systemTrust || ca != null || clientCert != null;
  }

  /**
   * Reads and checks every file.
   *
   * @throws TlsFileException one line naming the flag and file at fault
   */
  public void validate() {
    if (ca != null) {
      Pem.certificates(CA_FLAG, ca);
    }
    if (clientCert != null) {
      List<X509Certificate> chain = Pem.certificates(CLIENT_CERT_FLAG, clientCert);
      PrivateKey k = Pem.privateKey(CLIENT_KEY_FLAG, clientKey);
      Pem.checkPair(CLIENT_CERT_FLAG, clientCert, chain.getFirst(), CLIENT_KEY_FLAG, clientKey, k);
    }
  }

  /**
   * Validated channel credentials: insecure when not {@link #enabled()}, else TLS (hostname
   * verification on: the server certificate must name the host dialled).
   *
   * @throws TlsFileException one line naming the flag and file at fault
   */
  public ChannelCredentials credentials() {
    if (!enabled()) {
      return InsecureChannelCredentials.create();
    }
    validate();
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (ca != null) {
        b.trustManager(ca.toFile());
      }
      if (clientCert != null) {
        b.keyManager(clientCert.toFile(), clientKey.toFile());
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files: " + e.getMessage(), e);
    }
  }

  /**
   * The same settings as {@code WorkerMain} flags (empty when plaintext), for launchers that start
   * a worker process.
   */
  public List<String> toArgs() {
    List<String> a = new ArrayList<>();
    if (systemTrust) {
      a.add(TLS_FLAG);
    }
    if (ca != null) {
      a.add(CA_FLAG);
      a.add(ca.toAbsolutePath().toString());
    }
    if (clientCert != null) {
      a.add(CLIENT_CERT_FLAG);
      a.add(clientCert.toAbsolutePath().toString());
      a.add(CLIENT_KEY_FLAG);
      a.add(clientKey.toAbsolutePath().toString());
    }
    return a;
  }

  /** "plaintext", "TLS (CA ...)" or "mutual TLS (...)", for log lines. */
  public String describe() {
    if (!enabled()) {
      return "plaintext";
    }
    String trust = ca != null ? "CA " + ca : "system trust";
    return clientCert != null ? "mutual TLS (" + trust + ", client cert " + clientCert + ")" : "TLS (" + trust + ")";
  }
}
