package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RendezvousMainTest {
  private final RendezvousMain.DurationConverter durations = new RendezvousMain.DurationConverter();

  @Test
  void parsesDurationsInTheUsualSpellings() {
    assertThat(durations.convert("600")).isEqualTo(Duration.ofSeconds(600));
    assertThat(durations.convert("600s")).isEqualTo(Duration.ofSeconds(600));
    assertThat(durations.convert("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(durations.convert("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(durations.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(durations.convert("PT10M")).isEqualTo(Duration.ofMinutes(10));
    assertThatThrownBy(() -> durations.convert("soon")).hasMessageContaining("not a duration: 'soon'");
    assertThatThrownBy(() -> durations.convert("0s")).hasMessageContaining("must be positive");
  }

  private static int run(StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new RendezvousMain());
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void shortSecretFileIsAUsageErrorNamingTheFile(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "short");
    StringWriter err = new StringWriter();

    assertThat(run(err, "--secret-file", secret.toString(), "--port", "0")).isEqualTo(2);
    assertThat(err.toString()).contains(secret.toString()).contains("at least 16 bytes");
  }

  @Test
  void badTtlIsAUsageError() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "--ttl", "forever")).isEqualTo(2);
    assertThat(err.toString()).contains("--ttl").contains("forever");
  }

  @Test
  void portInUseIsExitCodeOne(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "0123456789abcdef0123456789abcdef");
    RendezvousServer taken = RendezvousServer.start(RendezvousConfig.defaults(JobTokens.random()));
    try {
      StringWriter err = new StringWriter();
      assertThat(run(err, "--secret-file", secret.toString(), "--bind", "127.0.0.1",
          "--port", Integer.toString(taken.port()))).isEqualTo(1);
    } finally {
      taken.stop();
    }
  }

  @Test
  void runsAsAProcessRelaysAndExitsZeroOnSigterm(@TempDir Path dir) throws Exception {
    String secret = "0123456789abcdef0123456789abcdef";
    Path secretFile = dir.resolve("secret");
    Files.writeString(secretFile, secret + "\n");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), RendezvousMain.class.getName(),
        "--bind", "127.0.0.1", "--port", "0", "--secret-file", secretFile.toString(), "--ttl", "10m"))
        .redirectError(dir.resolve("stderr.txt").toFile())
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("first stdout line").startsWith("rendezvous listening on 127.0.0.1:");
      String address = line.split(" ")[3];
      JobTokens tokens = JobTokens.fromSecretText(secret);
      try (RendezvousClient c0 = RendezvousClient.connect(address, "p", 0, tokens.tokenFor("p"), true);
           RendezvousClient c1 = RendezvousClient.connect(address, "p", 1, tokens.tokenFor("p"), false)) {
        c0.sendToSuccessor("s", "through a real process".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(c1.receiveFromPredecessor("s", Duration.ofSeconds(10)), StandardCharsets.UTF_8))
            .isEqualTo("through a real process");
      }

      p.destroy(); // SIGTERM

      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("rendezvous: stopped");
    } finally {
      p.destroyForcibly();
    }
  }
}
