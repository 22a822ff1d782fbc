package io.tinythreads.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * TLS for a tinythreads gRPC server (the coordinator, the rendezvous): its certificate chain and
 * key, and optionally a client CA, which turns on mutual TLS (every client must present a
 * certificate that CA signed, as ExCamera's workers did). Off unless configured: an embedded
 * loopback deployment stays plaintext.
 *
 * @param cert PEM certificate chain, leaf first ({@code --tls-cert}); its subject alternative names
 *     must cover the names clients dial (127.0.0.1 for the coordinator's local workers)
 * @param key PEM PKCS#8 private key of the leaf ({@code --tls-key})
 * @param clientCa PEM bundle of CAs whose client certificates are accepted ({@code --tls-client-ca});
 *     null = clients are not asked for a certificate
 */
public record ServerTls(Path cert, Path key, Path clientCa) {
  public static final String CERT_FLAG = "--tls-cert";
  public static final String KEY_FLAG = "--tls-key";
  public static final String CLIENT_CA_FLAG = "--tls-client-ca";

  public ServerTls {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }

  /**
   * From optional flag values: null when neither certificate nor key is given (plaintext).
   *
   * @throws IllegalArgumentException naming the missing flag when only one of the pair, or a client CA
   *     without them, is given
   */
  public static ServerTls of(Path cert, Path key, Path clientCa) {
    if (cert == null && key == null) {
      if (clientCa != null) {
        throw new IllegalArgumentException(CLIENT_CA_FLAG + " needs " + CERT_FLAG + " and " + KEY_FLAG);
      }
      return null;
    }
    if (cert == null || key == null) {
      throw new IllegalArgumentException((cert == null ? CERT_FLAG : KEY_FLAG) + " is missing: "
          + CERT_FLAG + " and " + KEY_FLAG + " go together");
    }
    return new ServerTls(cert, key, clientCa);
  }

  /** Whether clients must present a certificate signed by {@link #clientCa()}. */
  public boolean mutual() {
    return clientCa != null;
  }

  /**
   * Reads and checks every file (PEM syntax, key matches certificate).
   *
   * @throws TlsFileException one line naming the flag and file at fault
   */
  public void validate() {
    List<X509Certificate> chain = Pem.certificates(CERT_FLAG, cert);
    PrivateKey k = Pem.privateKey(KEY_FLAG, key);
    Pem.checkPair(CERT_FLAG, cert, chain.getFirst(), KEY_FLAG, key, k);
    if (clientCa != null) {
      Pem.certificates(CLIENT_CA_FLAG, clientCa);
    }
  }

  /**
   * Validated grpc server credentials: TLS 1.2+ with this certificate; with a client CA, client
   * certificates are required and verified against it (a client without one fails the handshake).
   *
   * @throws TlsFileException one line naming the flag and file at fault
   */
  public ServerCredentials credentials() {
    validate();
    try {
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(cert.toFile(), key.toFile());
      if (clientCa != null) {
        b.trustManager(clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (IOException e) {
      // validate() has just read the same files; only a race with their removal gets here.
      throw new UncheckedIOException("cannot read the TLS files " + cert + ", " + key + ": " + e.getMessage(), e);
    }
  }

  /** "TLS" or "mutual TLS", for start-up log lines. */
  public String describe() {
    return mutual() ? "mutual TLS (client CA " + clientCa + ")" : "TLS";
  }
}
