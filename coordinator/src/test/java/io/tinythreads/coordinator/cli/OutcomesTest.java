package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tinythreads.proto.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutcomesTest {
  private static Job failed(Status.Code code, String message) {
    return Job.newBuilder().setName("jobs/j1").setState(Job.State.FAILED)
        .setError(com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message)).build();
  }

  @ParameterizedTest
  @CsvSource({"OK,0", "INVALID_ARGUMENT,3", "NOT_FOUND,3", "PERMISSION_DENIED,3", "OUT_OF_RANGE,3", "CANCELLED,5",
      "UNAVAILABLE,1", "INTERNAL,1", "DEADLINE_EXCEEDED,1", "UNIMPLEMENTED,1", "FAILED_PRECONDITION,1"})
  void rpcStatus(Status.Code code, int exit) {
    assertThat(Outcomes.exitCode(code)).isEqualTo(exit);
  }

  @ParameterizedTest
  @CsvSource({"INVALID_ARGUMENT,3", "NOT_FOUND,3", "ABORTED,4", "INTERNAL,4", "UNKNOWN,4", "RESOURCE_EXHAUSTED,4",
      "DEADLINE_EXCEEDED,4", "CANCELLED,5"})
  void failedJobByErrorCode(Status.Code code, int exit) {
    assertThat(Outcomes.exitCode(failed(code, "x"))).isEqualTo(exit);
  }

  @Test
  void terminalStates() {
    assertThat(Outcomes.exitCode(Job.newBuilder().setState(Job.State.SUCCEEDED).build())).isZero();
    assertThat(Outcomes.exitCode(Job.newBuilder().setState(Job.State.CANCELLED).build())).isEqualTo(5);
    assertThat(Outcomes.exitCode(Job.newBuilder().setState(Job.State.RUNNING).build())).isEqualTo(1);
    assertThat(Outcomes.isTerminal(Job.State.RUNNING)).isFalse();
    assertThat(Outcomes.isTerminal(Job.State.QUEUED)).isFalse();
    assertThat(Outcomes.isTerminal(Job.State.FAILED)).isTrue();
  }

  @Test
  void messagesNameTheJobAndReason() {
    assertThat(Outcomes.describe(failed(Status.Code.ABORTED, "chunk 3 failed after 3 attempts: ENCODER boom")))
        .isEqualTo("job jobs/j1 failed: chunk 3 failed after 3 attempts: ENCODER boom");
    // Input problems are the server's own words: they name the file.
    assertThat(Outcomes.describe(failed(Status.Code.INVALID_ARGUMENT, "/x/in.txt: not a video")))
        .isEqualTo("/x/in.txt: not a video");
    assertThat(Outcomes.describe(Status.UNAVAILABLE.withDescription("io exception"), "h:1"))
        .isEqualTo("cannot reach the coordinator at h:1 (io exception)");
    // A TLS server hanging up on a plaintext client: closed at once, or reset under the next read.
    assertThat(Outcomes.describe(Status.UNAVAILABLE.withDescription("Network closed for unknown reason"), "h:1"))
        .contains("if the coordinator serves TLS, pass --tls-ca");
    assertThat(Outcomes.describe(Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new java.io.IOException("recvAddress(..) failed: Connection reset by peer")), "h:1"))
        .contains("if the coordinator serves TLS, pass --tls-ca");
    // Nothing listening is not a TLS problem.
    assertThat(Outcomes.describe(Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new java.net.ConnectException("Connection refused")), "h:1"))
        .isEqualTo("cannot reach the coordinator at h:1 (io exception)");
    assertThat(Outcomes.describe(Status.UNIMPLEMENTED.withDescription("Method not found: tinythreads.v1.Jobs/SubmitJob"),
        "h:1")).isEqualTo("the server at h:1 does not implement the tinythreads Jobs API");
    assertThat(Outcomes.describe(Status.UNIMPLEMENTED.withDescription("launcher LAUNCHER_LAMBDA is not available"), "h:1"))
        .isEqualTo("launcher LAUNCHER_LAMBDA is not available");
  }
}
