package io.tinythreads.coordinator.cli;

import io.grpc.ChannelCredentials;
import io.tinythreads.tls.ClientTls;
import io.tinythreads.tls.TlsFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How this command dials a coordinator: plaintext unless one of these is given. On
 * {@code coordinator serve} the same flags say how the workers it launches dial it and its
 * rendezvous.
 */
final class ClientTlsOptions {
  @Option(names = ClientTls.TLS_FLAG, description = "TLS, trusting the system's CA store (implied by --tls-ca or a client certificate).")
  boolean tls;

  @Option(names = ClientTls.CA_FLAG, paramLabel = "PEM", description = "TLS, trusting the CAs in this PEM bundle.")
  Path ca;

  @Option(names = ClientTls.CLIENT_CERT_FLAG, paramLabel = "PEM",
      description = "Mutual TLS: present this certificate chain (PEM); needs --tls-client-key.")
  Path clientCert;

  @Option(names = ClientTls.CLIENT_KEY_FLAG, paramLabel = "PEM", description = "The client certificate's key (PEM, PKCS#8, unencrypted).")
  Path clientKey;

  boolean given() {
    return tls || ca != null || clientCert != null || clientKey != null;
  }

  /**
   * The checked settings.
   *
   * @throws CliException USAGE for a certificate without its key (or the reverse), INPUT_OUTPUT for
   *     a missing or bad file (one line naming the flag and the file)
   */
  ClientTls settings() {
    ClientTls t;
    try {
      t = new ClientTls(ca, clientCert, clientKey, tls);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    try {
      t.validate();
    } catch (TlsFileException e) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, e.getMessage());
    }
    return t;
  }

  ChannelCredentials credentials() {
    try {
      return settings().credentials();
    } catch (TlsFileException e) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, e.getMessage());
    }
  }
}
