package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.Heartbeat;
import io.tinythreads.proto.Hello;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.WorkerMessage;
import io.tinythreads.proto.WorkerSessionGrpc;
import io.tinythreads.rendezvous.JobTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WorkerSession service refuses streams that do not start with a valid Hello for a known job. */
class WorkerSessionTest {
  static final byte[] SECRET = "a test secret of some length".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path tmp;

  /** Opens a session, sends {@code first}, and returns how the server ended the stream. */
  static Status session(String address, WorkerMessage first) throws Exception {
    ManagedChannel ch = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
    try {
      CompletableFuture<Status> end = new CompletableFuture<>();
      StreamObserver<WorkerMessage> out = WorkerSessionGrpc.newStub(ch).session(new StreamObserver<Command>() {
        @Override
        public void onNext(Command c) {
          end.completeExceptionally(new AssertionError("unexpected command " + c));
        }

        @Override
        public void onError(Throwable t) {
          end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          end.complete(Status.OK);
        }
      });
      out.onNext(first);
      return end.get(10, TimeUnit.SECONDS);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void rejectsBadTokensNonHellosAndUnknownJobs() throws Exception {
    CoordinatorServer server = CoordinatorServer.start(new CoordinatorConfig("127.0.0.1", 0, null, tmp, null,
        LauncherKind.LAUNCHER_THREAD, 1, SECRET));
    try {
      String addr = server.address();
      JobTokens tokens = new JobTokens(SECRET);
      Status bad = session(addr, WorkerMessage.newBuilder().setHello(Hello.newBuilder()
          .setJobId("j1").setChunkIndex(0).setToken("forged")).build());
      assertThat(bad.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(bad.getDescription()).contains("bad token for job j1");

      Status notHello = session(addr, WorkerMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
      assertThat(notHello.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(notHello.getDescription()).contains("first message must be a Hello");

      Status unknown = session(addr, WorkerMessage.newBuilder().setHello(Hello.newBuilder()
          .setJobId("j1").setChunkIndex(0).setToken(tokens.tokenFor("j1"))).build());
      assertThat(unknown.getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(unknown.getDescription()).contains("jobs/j1");
    } finally {
      server.stop();
    }
  }
}
