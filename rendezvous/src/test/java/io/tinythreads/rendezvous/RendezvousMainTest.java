package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
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
}
