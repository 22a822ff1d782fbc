package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve} in-process: it listens, serves the Jobs API to the other commands, and stops cleanly. */
class ServeCommandTest {
  @TempDir
  Path tmp;

  @Test
  void servesJobsUntilStopped() throws Exception {
    CommandLine cli = CoordinatorCli.newCommandLine();
    ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
    Path work = tmp.resolve("work");
    Path secret = Files.writeString(tmp.resolve("secret"), "0123456789abcdef0123\n");
    CompletableFuture<Cli.Result> running = CompletableFuture.supplyAsync(() -> Cli.run(cli, "serve", "--port", "0",
        "--work-dir", work.toString(), "--secret-file", secret.toString(), "--workers", "2"));
    assertThat(serve.started.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(serve.server).as("started: %s", running.isDone() ? running.get() : "").isNotNull();
    String address = "127.0.0.1:" + serve.server.port();

    Path out = tmp.resolve("o.ivf");
    Cli.Result submit = Cli.run("submit", "demo:testsrc2,size=176x144,frames=8", "-o", out.toString(),
        "--pipeline", "independent", "--coordinator", address, "-q");
    assertThat(submit.exitCode()).as(submit.toString()).isZero();
    assertThat(out).isNotEmptyFile();
    Cli.Result status = Cli.run("status", "--coordinator", address);
    assertThat(status.out()).containsPattern("jobs/\\S+\\s+SUCCEEDED");

    serve.server.stop();
    Cli.Result served = running.get(60, TimeUnit.SECONDS);
    assertThat(served.exitCode()).as(served.toString()).isZero();
    assertThat(served.out()).isEqualTo("coordinator listening on " + address + "\n");
    assertThat(work).as("--work-dir is kept").isDirectory();
    assertThat(serve.server.config().journal()).as("serve journals jobs in a kept work dir").isTrue();
    try (var journal = Files.list(work.resolve("jobs"))) {
      assertThat(journal.map(p -> p.getFileName().toString())).singleElement().asString().endsWith(".job");
    }

    // A new serve on the same work dir still knows the job (its journal).
    CommandLine cli2 = CoordinatorCli.newCommandLine();
    ServeCommand serve2 = cli2.getSubcommands().get("serve").getCommand();
    CompletableFuture<Cli.Result> running2 = CompletableFuture.supplyAsync(() -> Cli.run(cli2, "serve", "--port",
        "0", "--work-dir", work.toString(), "--secret-file", secret.toString()));
    assertThat(serve2.started.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(serve2.server).as("restarted: %s", running2.isDone() ? running2.get() : "").isNotNull();
    Cli.Result again = Cli.run("status", "--coordinator", "127.0.0.1:" + serve2.server.port());
    assertThat(again.out()).containsPattern("jobs/\\S+\\s+SUCCEEDED");
    serve2.server.stop();
    assertThat(running2.get(60, TimeUnit.SECONDS).exitCode()).isZero();
  }

  @Test
  void badSecretFiles() throws Exception {
    Path shortSecret = Files.writeString(tmp.resolve("short"), "abc\n");
    Cli.Result tooShort = Cli.run("serve", "--port", "0", "--secret-file", shortSecret.toString());
    assertThat(tooShort.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(tooShort.err()).contains("--secret-file").contains("3 bytes");
    Cli.Result missing = Cli.run("serve", "--port", "0", "--secret-file", tmp.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.INPUT_OUTPUT);
    assertThat(missing.err()).contains("--secret-file").contains("no such file");
  }
}
