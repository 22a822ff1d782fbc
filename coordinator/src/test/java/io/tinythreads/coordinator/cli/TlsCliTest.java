package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.coordinator.CoordinatorConfig;
import io.tinythreads.coordinator.CoordinatorServer;
import io.tinythreads.coordinator.TestPki;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.rendezvous.RendezvousMain;
import io.tinythreads.tls.ClientTls;
import io.tinythreads.tls.ServerTls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The TLS flags of the CLI, the rendezvous and the worker against a real mutual-TLS coordinator:
 * the right certificate works, none or a foreign one is refused, plaintext fails clearly, and a
 * missing or bad PEM file stops the program with one line naming the flag and the file.
 */
class TlsCliTest {
  @TempDir
  static Path dir;
  static TestPki pki;
  static CoordinatorServer server;
  static String target;

  @BeforeAll
  static void setUp() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    CoordinatorConfig e = CoordinatorConfig.embedded(dir.resolve("work"));
    server = CoordinatorServer.start(new CoordinatorConfig("127.0.0.1", 0, e.blobStoreUri(), e.workDir(), null,
        LauncherKind.LAUNCHER_THREAD, 1, null, new ServerTls(pki.serverCert(), pki.serverKey(), pki.ca()),
        new ClientTls(pki.ca(), pki.clientCert(), pki.clientKey(), false)));
    target = server.address();
  }

  @AfterAll
  static void tearDown() {
    if (server != null) {
      server.stop();
    }
  }

  static void assertOneLine(Cli.Result r, int exit, String... contains) {
    assertThat(r.exitCode()).as("%s", r).isEqualTo(exit);
    assertThat(r.err().strip().lines().count()).as("one line, no stack trace: %s", r).isEqualTo(1);
    assertThat(r.err()).as("%s", r).contains(contains).doesNotContain("Exception", "Channel Pipeline");
  }

  @Test
  void statusWithTheClientCertificateWorks() {
    Cli.Result r = Cli.run("status", "--coordinator", target, "--tls-ca", pki.ca().toString(),
        "--tls-client-cert", pki.clientCert().toString(), "--tls-client-key", pki.clientKey().toString());
    assertThat(r.exitCode()).as("%s", r).isZero();
  }

  @Test
  void withoutAnAcceptedCertificateOrOverPlaintextTheCoordinatorIsUnreachable() {
    assertOneLine(Cli.run("status", "--coordinator", target, "--tls-ca", pki.ca().toString()), ExitCodes.INTERNAL,
        "cannot reach the coordinator at " + target, "TLS handshake failed");
    assertOneLine(Cli.run("status", "--coordinator", target, "--tls-ca", pki.ca().toString(),
        "--tls-client-cert", pki.otherClientCert().toString(), "--tls-client-key", pki.otherClientKey().toString()),
        ExitCodes.INTERNAL, "cannot reach the coordinator at " + target, "TLS handshake failed");
    assertOneLine(Cli.run("status", "--coordinator", target, "--tls-ca", pki.otherCa().toString(),
        "--tls-client-cert", pki.clientCert().toString(), "--tls-client-key", pki.clientKey().toString()),
        ExitCodes.INTERNAL, "cannot reach the coordinator at " + target, "TLS handshake failed",
        "unable to find valid certification path");
    assertOneLine(Cli.run("status", "--coordinator", target), ExitCodes.INTERNAL,
        "cannot reach the coordinator at " + target, "if the coordinator serves TLS, pass --tls-ca");
  }

  @Test
  void badPemFilesAreOneLineErrorsNamingFlagAndFile() throws Exception {
    Path missing = dir.resolve("nope.pem");
    Path notPem = Files.writeString(dir.resolve("junk.pem"), "hello\n");
    assertOneLine(Cli.run("status", "--coordinator", target, "--tls-ca", missing.toString()), ExitCodes.INPUT_OUTPUT,
        "--tls-ca " + missing + ": no such file");
    assertOneLine(Cli.run("status", "--coordinator", target, "--tls-ca", notPem.toString()), ExitCodes.INPUT_OUTPUT,
        "--tls-ca " + notPem + ": no PEM certificate");
    assertOneLine(Cli.run("cancel", "jobs/x", "--coordinator", target, "--tls-ca", pki.ca().toString(),
        "--tls-client-cert", pki.clientCert().toString(), "--tls-client-key", pki.serverKey().toString()),
        ExitCodes.INPUT_OUTPUT, "--tls-client-key " + pki.serverKey() + ": this key does not belong to the certificate");
    assertOneLine(Cli.run("status", "--coordinator", target, "--tls-client-cert", pki.clientCert().toString()),
        ExitCodes.USAGE, "--tls-client-key is missing");
    assertOneLine(Cli.run("serve", "--port", "0", "--tls-cert", notPem.toString(), "--tls-key",
        pki.serverKey().toString()), ExitCodes.INPUT_OUTPUT, "--tls-cert " + notPem + ": no PEM certificate");
    assertOneLine(Cli.run("serve", "--port", "0", "--tls-cert", pki.serverCert().toString(), "--tls-key",
        pki.serverCert().toString()), ExitCodes.INPUT_OUTPUT, "--tls-key " + pki.serverCert() + ": no PEM private key");
    assertOneLine(Cli.run("serve", "--port", "0", "--tls-cert", pki.serverCert().toString(), "--tls-key",
        pki.serverKey().toString(), "--tls-client-ca", missing.toString(), "--tls-client-cert",
        pki.clientCert().toString(), "--tls-client-key", pki.clientKey().toString()), ExitCodes.INPUT_OUTPUT,
        "--tls-client-ca " + missing + ": no such file");
    assertOneLine(Cli.run("serve", "--port", "0", "--tls-cert", pki.serverCert().toString(), "--tls-key",
        pki.serverKey().toString(), "--tls-client-ca", pki.ca().toString()), ExitCodes.USAGE,
        "--tls-client-ca requires client certificates");
    assertOneLine(Cli.run("submit", "demo:testsrc2", "-o", dir.resolve("o.ivf").toString(), "--tls-ca",
        pki.ca().toString()), ExitCodes.USAGE, "--tls flags apply only with --coordinator");
  }

  @Test
  void rendezvousMainRejectsABadPemInOneLine() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123\n");
    Path missing = dir.resolve("missing-key.pem");
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new RendezvousMain());
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    int code = cmd.execute("--bind", "127.0.0.1", "--port", "0", "--secret-file", secret.toString(),
        "--tls-cert", pki.serverCert().toString(), "--tls-key", missing.toString());
    assertOneLine(new Cli.Result(code, "", err.toString()), 2, "rendezvous: --tls-key " + missing + ": no such file");
  }

  @Test
  void workerProcessRejectsABadPemFromTheEnvironmentInOneLine() throws Exception {
    Path missing = dir.resolve("worker-ca.pem");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "io.tinythreads.worker.WorkerMain", "--coordinator", target, "--job", "j", "--chunk", "0", "--token", "t"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("TT_TLS_CA", missing.toString());
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertOneLine(new Cli.Result(p.exitValue(), "", err), 2, "worker: TT_TLS_CA " + missing + ": no such file");
  }
}
