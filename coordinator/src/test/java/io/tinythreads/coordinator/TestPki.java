package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI made with the {@code openssl} command line at test time (keys are never
 * committed): two independent CAs, a server certificate for localhost/127.0.0.1 and a client
 * certificate signed by the first CA, and a client certificate signed by the other CA. EC P-256
 * keys (fast to make), PKCS#8 files as {@code openssl req -nodes} writes them.
 */
public record TestPki(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey, Path otherCa,
                      Path otherClientCert, Path otherClientKey) {

  /** Makes everything under {@code dir}; fails (never skips) when openssl is missing, as bin/test installs it. */
  public static TestPki create(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca.key");
    selfSigned(dir, "tt-test-ca", ca, caKey);
    Path otherCa = dir.resolve("other-ca.pem");
    Path otherCaKey = dir.resolve("other-ca.key");
    selfSigned(dir, "tt-test-other-ca", otherCa, otherCaKey);
    Path serverCert = dir.resolve("server.pem");
    Path serverKey = dir.resolve("server.key");
    leaf(dir, "localhost", ca, caKey, serverCert, serverKey,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    Path clientCert = dir.resolve("client.pem");
    Path clientKey = dir.resolve("client.key");
    leaf(dir, "tt-worker", ca, caKey, clientCert, clientKey, "extendedKeyUsage=clientAuth\n");
    Path otherClientCert = dir.resolve("other-client.pem");
    Path otherClientKey = dir.resolve("other-client.key");
    leaf(dir, "tt-intruder", otherCa, otherCaKey, otherClientCert, otherClientKey, "extendedKeyUsage=clientAuth\n");
    return new TestPki(ca, serverCert, serverKey, clientCert, clientKey, otherCa, otherClientCert, otherClientKey);
  }

  private static void selfSigned(Path dir, String cn, Path cert, Path key) throws Exception {
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + cn);
  }

  private static void leaf(Path dir, String cn, Path ca, Path caKey, Path cert, Path key, String ext) throws Exception {
    Path csr = dir.resolve(cn + ".csr");
    Path extFile = dir.resolve(cn + ".ext");
    Files.writeString(extFile, ext, StandardCharsets.US_ASCII);
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-set_serial", Long.toString(System.nanoTime() & Long.MAX_VALUE), "-days", "2", "-extfile", extFile.toString(),
        "-out", cert.toString());
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    Path exe = Path.of("/usr/bin/openssl");
    assertThat(Files.isExecutable(exe)).as("%s is required (apt-get install openssl; bin/test installs it)", exe)
        .isTrue();
    List<String> cmd = new ArrayList<>();
    cmd.add(exe.toString());
    cmd.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("openssl %s timed out", args[0]).isTrue();
    assertThat(p.exitValue()).as("openssl %s: %s", String.join(" ", args), Files.readString(log)).isZero();
  }
}
