package io.tinythreads.coordinator.cli;

import io.tinythreads.tls.ServerTls;
import io.tinythreads.tls.TlsFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code coordinator serve}'s own TLS: plaintext unless --tls-cert and --tls-key are given. */
final class ServerTlsOptions {
  @Option(names = ServerTls.CERT_FLAG, paramLabel = "PEM",
      description = "Serve TLS (Jobs API, worker sessions and the embedded rendezvous) with this certificate chain"
          + " (PEM, leaf first; its names must include 127.0.0.1 for local workers); needs --tls-key.")
  Path cert;

  @Option(names = ServerTls.KEY_FLAG, paramLabel = "PEM", description = "The certificate's private key (PEM, PKCS#8, unencrypted).")
  Path key;

  @Option(names = ServerTls.CLIENT_CA_FLAG, paramLabel = "PEM",
      description = "Mutual TLS: require client certificates (workers and CLI) signed by a CA in this PEM bundle.")
  Path clientCa;

  /**
   * The checked settings, or null for plaintext.
   *
   * @throws CliException USAGE for an incomplete pair, INPUT_OUTPUT for a missing or bad file
   */
  ServerTls settings() {
    ServerTls t;
    try {
      t = ServerTls.of(cert, key, clientCa);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    if (t != null) {
      try {
        t.validate();
      } catch (TlsFileException e) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, e.getMessage());
      }
    }
    return t;
  }
}
