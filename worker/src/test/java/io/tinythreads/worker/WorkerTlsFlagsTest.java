package io.tinythreads.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.tls.ClientTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's TLS settings from flags and environment (the real handshakes are tested with the
 * coordinator, in TlsTest): a self-signed certificate made by openssl at test time stands for the
 * CA bundle and the client certificate.
 */
class WorkerTlsFlagsTest {
  static final String[] BASE = {"--coordinator", "10.0.0.1:7700", "--job", "j", "--chunk", "1", "--token", "t"};

  @TempDir
  static Path dir;
  static Path cert;
  static Path key;

  @BeforeAll
  static void makeCertificate() throws Exception {
    Path openssl = Path.of("/usr/bin/openssl");
    assertThat(Files.isExecutable(openssl)).as("%s is required (bin/test installs it)", openssl).isTrue();
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    Process p = new ProcessBuilder(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
        "-subj", "/CN=tt-worker-test").redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile())
        .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
  }

  static String[] args(String... more) {
    String[] a = java.util.Arrays.copyOf(BASE, BASE.length + more.length);
    System.arraycopy(more, 0, a, BASE.length, more.length);
    return a;
  }

  @Test
  void plaintextUnlessAskedFor() {
    assertThat(WorkerMain.parse(args(), Map.of()).tls()).isEqualTo(ClientTls.PLAINTEXT);
    assertThat(WorkerMain.parse(args("--tls"), Map.of()).tls()).isEqualTo(new ClientTls(null, null, null, true));
    assertThat(WorkerMain.parse(args(), Map.of("TT_TLS", "true")).tls().systemTrust()).isTrue();
  }

  @Test
  void flagsAndEnvironmentGiveOneSettingForBothLinks() {
    ClientTls fromFlags = WorkerMain.parse(args("--tls-ca", cert.toString(), "--tls-client-cert", cert.toString(),
        "--tls-client-key", key.toString()), Map.of()).tls();
    assertThat(fromFlags).isEqualTo(new ClientTls(cert, cert, key, false));
    assertThat(fromFlags.toArgs()).containsExactly("--tls-ca", cert.toAbsolutePath().toString(), "--tls-client-cert",
        cert.toAbsolutePath().toString(), "--tls-client-key", key.toAbsolutePath().toString());
    Map<String, String> env = Map.of("TT_TLS_CA", "/nowhere/ca.pem", "TT_TLS_CLIENT_CERT", cert.toString(),
        "TT_TLS_CLIENT_KEY", key.toString());
    assertThat(WorkerMain.parse(args("--tls-ca", cert.toString()), env).tls())
        .as("a flag wins over the environment").isEqualTo(new ClientTls(cert, cert, key, false));
    assertThat(WorkerMain.tlsFromEnv(Map.of("TT_TLS_CA", cert.toString()))).isEqualTo(new ClientTls(cert, null, null,
        false));
    // What a launcher passes on, a worker reads back unchanged.
    List<String> passed = fromFlags.toArgs();
    assertThat(WorkerMain.parse(args(passed.toArray(String[]::new)), Map.of()).tls()).isEqualTo(
        new ClientTls(cert.toAbsolutePath(), cert.toAbsolutePath(), key.toAbsolutePath(), false));
  }

  @Test
  void badFilesNameTheFlagOrTheVariable() {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> WorkerMain.parse(args("--tls-ca", missing.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--tls-ca " + missing + ": no such file");
    assertThatThrownBy(() -> WorkerMain.parse(args(), Map.of("TT_TLS_CA", missing.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("TT_TLS_CA " + missing + ": no such file");
    assertThatThrownBy(() -> WorkerMain.parse(args("--tls-client-cert", key.toString(), "--tls-client-key",
        key.toString()), Map.of())).hasMessage("--tls-client-cert " + key
        + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> WorkerMain.parse(args("--tls-client-key", key.toString()), Map.of()))
        .hasMessageContaining("--tls-client-cert is missing");
    assertThatThrownBy(() -> WorkerMain.tlsFromEnv(Map.of("TT_TLS_CLIENT_CERT", cert.toString(),
        "TT_TLS_CLIENT_KEY", cert.toString()))).hasMessage("TT_TLS_CLIENT_KEY " + cert
        + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
  }

  @Test
  void badFileExitsWithTwoAndOneLine() {
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    int code = WorkerMain.run(args("--tls-ca", dir.resolve("gone.pem").toString()), Map.of(),
        new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(Worker.EXIT_USAGE);
    assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8).strip())
        .isEqualTo("worker: --tls-ca " + dir.resolve("gone.pem") + ": no such file");
  }
}
