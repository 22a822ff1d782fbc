package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.longrunning.Operation;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.proto.GetJobRequest;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.SubmitJobRequest;
import io.tinythreads.proto.WatchJobRequest;
import io.tinythreads.tls.ClientTls;
import io.tinythreads.tls.ServerTls;
import io.tinythreads.worker.Worker;
import io.tinythreads.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS and mutual TLS on real loopback links, with a PKI made by openssl for this run: an xc job
 * over mutual TLS (coordinator and rendezvous links) gives the same bytes as over plaintext, and
 * clients without a certificate, with one from another CA, or speaking plaintext are refused.
 */
class TlsTest {
  /** 3 chunks of 4 frames in one batch: chunks 1 and 2 get their predecessor's state over the rendezvous. */
  static final String INPUT = "demo:testsrc2,size=176x144,frames=12";

  @TempDir
  static Path shared;
  static TestPki pki;
  /** The plaintext reference output, made once. */
  static byte[] plaintextOutput;

  @TempDir
  Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    pki = TestPki.create(shared.resolve("pki"));
    Path out = shared.resolve("plaintext.ivf");
    try (Harness h = new Harness(shared.resolve("plain"), LauncherKind.LAUNCHER_THREAD, JobHooks.NONE)) {
      Job job = h.run(spec(out, LauncherKind.LAUNCHER_THREAD), Duration.ofSeconds(120));
      assertThat(job.getState()).as("plaintext job: %s", job.getError().getMessage()).isEqualTo(Job.State.SUCCEEDED);
    }
    plaintextOutput = Files.readAllBytes(out);
  }

  @AfterAll
  static void tearDown() {
    pki = null;
  }

  static JobSpec spec(Path out, LauncherKind launcher) {
    return Harness.demo(INPUT, out, 4).setPipeline(Pipeline.PIPELINE_XC).setChunksPerBatch(3).setWorkers(3)
        .setLauncher(launcher).build();
  }

  ServerTls mutual() {
    return new ServerTls(pki.serverCert(), pki.serverKey(), pki.ca());
  }

  ClientTls workerCert() {
    return new ClientTls(pki.ca(), pki.clientCert(), pki.clientKey(), false);
  }

  CoordinatorServer start(ServerTls tls, ClientTls workers) throws Exception {
    CoordinatorConfig e = CoordinatorConfig.embedded(tmp.resolve("work"));
    return CoordinatorServer.start(new CoordinatorConfig("127.0.0.1", 0, e.blobStoreUri(), e.workDir(), null,
        LauncherKind.LAUNCHER_THREAD, 3, null, tls, workers));
  }

  /** Submits and follows WatchJob to the end over {@code channel}; returns the final Job. */
  static Job run(ManagedChannel channel, JobSpec spec) {
    JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(channel);
    Operation op = jobs.withDeadlineAfter(30, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build());
    String name = Harness.jobName(op);
    Iterator<JobEvent> it = jobs.withDeadlineAfter(120, TimeUnit.SECONDS)
        .watchJob(WatchJobRequest.newBuilder().setName(name).build());
    while (it.hasNext()) {
      it.next();
    }
    return jobs.withDeadlineAfter(30, TimeUnit.SECONDS).getJob(GetJobRequest.newBuilder().setName(name).build());
  }

  /** One health check over a fresh channel; the status code it ended with (OK when SERVING). */
  static Status.Code health(String address, ChannelCredentials credentials) {
    ManagedChannel ch = Grpc.newChannelBuilder(address, credentials).build();
    try {
      ServingStatus s = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
      assertThat(s).isEqualTo(ServingStatus.SERVING);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void xcJobOverMutualTlsGivesThePlaintextBytesThroughBothLinks() throws Exception {
    ch.qos.logback.classic.Logger client =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.tinythreads.rendezvous.RendezvousClient");
    ch.qos.logback.classic.Logger runner =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.tinythreads.worker.CommandRunner");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Level before = client.getLevel();
    client.setLevel(Level.DEBUG);
    client.addAppender(logs);
    runner.addAppender(logs);
    CoordinatorServer server = start(mutual(), workerCert());
    ManagedChannel channel = Grpc.newChannelBuilder(server.address(), workerCert().credentials()).build();
    try {
      Path threads = tmp.resolve("tls-threads.ivf");
      Job job = run(channel, spec(threads, LauncherKind.LAUNCHER_THREAD));
      assertThat(job.getState()).as("TLS job: %s", job.getError().getMessage()).isEqualTo(Job.State.SUCCEEDED);
      assertThat(Files.readAllBytes(threads)).as("same bytes as over plaintext").isEqualTo(plaintextOutput);
      String jobId = job.getName().substring("jobs/".length());
      List<String> messages = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      // Every worker registered with the (TLS) rendezvous; none fell back to the blob store for lack of it.
      assertThat(messages.stream().filter(m -> m.startsWith("registered with the rendezvous at")
          && m.contains(" as job " + jobId + " chunk ")).count()).as("registrations in %s", messages).isEqualTo(3);
      assertThat(messages).noneMatch(m -> m.contains("cannot reach the rendezvous") || m.contains("rendezvous send failed")
          || m.contains("could not send the final state"));

      // Worker processes get the same trust settings as flags.
      Path processes = tmp.resolve("tls-processes.ivf");
      job = run(channel, spec(processes, LauncherKind.LAUNCHER_PROCESS));
      assertThat(job.getState()).as("TLS job, process workers: %s", job.getError().getMessage())
          .isEqualTo(Job.State.SUCCEEDED);
      assertThat(Files.readAllBytes(processes)).isEqualTo(plaintextOutput);
    } finally {
      client.detachAppender(logs);
      runner.detachAppender(logs);
      client.setLevel(before);
      channel.shutdownNow();
      server.stop();
    }
  }

  @Test
  void mutualTlsRefusesClientsWithoutAcceptedCertificates() throws Exception {
    CoordinatorServer server = start(mutual(), workerCert());
    try {
      for (String address : List.of(server.address(), server.rendezvousAddress())) {
        assertThat(health(address, workerCert().credentials())).as("with the client certificate: %s", address)
            .isEqualTo(Status.Code.OK);
        assertThat(health(address, new ClientTls(pki.ca(), null, null, false).credentials()))
            .as("no client certificate: %s", address).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(health(address, new ClientTls(pki.ca(), pki.otherClientCert(), pki.otherClientKey(), false)
            .credentials())).as("a certificate from another CA: %s", address).isEqualTo(Status.Code.UNAVAILABLE);
      }
      // A worker without a client certificate gives up at once instead of hanging.
      long t0 = System.nanoTime();
      int exit = Worker.run(WorkerConfig.of(server.address(), "no-such-job", 0, "t")
          .withTls(new ClientTls(pki.ca(), null, null, false)));
      assertThat(exit).isEqualTo(Worker.EXIT_FAILED);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    } finally {
      server.stop();
    }
  }

  @Test
  void plaintextAndUntrustingClientsCannotTalkToATlsServer() throws Exception {
    CoordinatorServer server = start(new ServerTls(pki.serverCert(), pki.serverKey(), null),
        new ClientTls(pki.ca(), null, null, false));
    try {
      assertThat(health(server.address(), new ClientTls(pki.ca(), null, null, false).credentials()))
          .as("TLS without client certificate is fine when the server does not ask for one").isEqualTo(Status.Code.OK);
      assertThat(health(server.address(), InsecureChannelCredentials.create())).as("plaintext client")
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(health(server.rendezvousAddress(), InsecureChannelCredentials.create()))
          .as("plaintext client, rendezvous").isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(health(server.address(), new ClientTls(pki.otherCa(), null, null, false).credentials()))
          .as("server certificate not signed by the trusted CA").isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(health(server.address(), new ClientTls(null, null, null, true).credentials()))
          .as("system trust does not know the test CA").isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      server.stop();
    }
    // And the reverse: a TLS client against a plaintext server.
    CoordinatorServer plain = start(null, null);
    try {
      assertThat(health(plain.address(), new ClientTls(pki.ca(), null, null, false).credentials()))
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(health(plain.address(), InsecureChannelCredentials.create())).isEqualTo(Status.Code.OK);
    } finally {
      plain.stop();
    }
  }

  @Test
  void configRulesAreCheckedUpFront() {
    Path work = tmp.resolve("w");
    assertThatThrownBy(() -> new CoordinatorConfig("127.0.0.1", 0, null, work, null, null, 0, null, mutual(),
        new ClientTls(pki.ca(), null, null, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-client-ca requires client certificates");
    assertThatThrownBy(() -> new CoordinatorConfig("127.0.0.1", 0, null, work, null, null, 0, null, null,
        workerCert())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serves plaintext");
    CoordinatorConfig implied = new CoordinatorConfig("127.0.0.1", 0, null, work, null, null, 0, null,
        new ServerTls(pki.serverCert(), pki.serverKey(), null), null);
    assertThat(implied.workerTls()).as("TLS server, no worker CA: workers use the system trust store")
        .isEqualTo(new ClientTls(null, null, null, true));
    assertThat(CoordinatorConfig.embedded(work).tls()).as("embedded stays plaintext").isNull();
    assertThat(CoordinatorConfig.embedded(work).workerTls().enabled()).isFalse();
  }
}
