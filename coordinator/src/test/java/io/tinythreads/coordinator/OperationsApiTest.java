package io.tinythreads.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.tinythreads.coordinator.job.JobHooks;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobProgress;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.ListJobsRequest;
import io.tinythreads.proto.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * google.longrunning.Operations (AIP-151) and server reflection over real loopback gRPC, against
 * the same jobs the Jobs API shows.
 */
class OperationsApiTest {
  /** Small and quick: 4 independent chunks of 6 frames. */
  static final String SMALL = "demo:testsrc2,size=96x64,frames=24";
  /** Cannot finish before the test acts on it (5 s waits included): 600 frames at 320x240 on one worker. */
  static final String LONG = "demo:testsrc2,size=320x240,frames=600";

  @TempDir
  static Path tmp;
  static Harness h;
  static OperationsGrpc.OperationsBlockingStub ops;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(tmp, LauncherKind.LAUNCHER_THREAD, JobHooks.NONE);
    ops = OperationsGrpc.newBlockingStub(h.channel);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static OperationsGrpc.OperationsBlockingStub unary() {
    return ops.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static Operation submitSmall(String file) {
    return h.submit("", Harness.demo(SMALL, tmp.resolve(file), 6).setPipeline(Pipeline.PIPELINE_INDEPENDENT).build());
  }

  /** A long job whose worker has started, so it is certainly RUNNING when this returns. */
  static Operation submitRunning(String file) throws InterruptedException {
    Operation op = h.submit("", Harness.demo(LONG, tmp.resolve(file), 10).setWorkers(1).build());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (h.get(Harness.jobName(op)).getProgress().getWorkersRunning() == 0 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(h.get(Harness.jobName(op)).getState()).isEqualTo(Job.State.RUNNING);
    return op;
  }

  static Operation get(String name) {
    return unary().getOperation(GetOperationRequest.newBuilder().setName(name).build());
  }

  static Operation waitFor(String name, long timeoutMillis) {
    return unary().waitOperation(WaitOperationRequest.newBuilder().setName(name)
        .setTimeout(Duration.newBuilder().setSeconds(timeoutMillis / 1000).setNanos((int) (timeoutMillis % 1000) * 1_000_000))
        .build());
  }

  /** Waits (in WaitOperation's own 20 s slices) until the operation is done. */
  static Operation waitDone(String name) {
    Operation op = waitFor(name, 20_000);
    for (int i = 0; i < 5 && !op.getDone(); i++) {
      op = waitFor(name, 20_000);
    }
    assertThat(op.getDone()).as("%s done within 120 s", name).isTrue();
    return op;
  }

  static void delete(String name) {
    assertThat(unary().deleteOperation(DeleteOperationRequest.newBuilder().setName(name).build()))
        .isEqualTo(Empty.getDefaultInstance());
  }

  static void assertCode(Runnable call, Status.Code code, String descriptionPart) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(descriptionPart);
    });
  }

  @Test
  void waitOperationReturnsTheFinishedJobAsResponse() throws Exception {
    Operation submitted = submitSmall("wait.ivf");
    assertThat(submitted.getDone()).isFalse();
    long t0 = System.nanoTime();
    Operation done = waitDone(submitted.getName());
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(done.getName()).isEqualTo(submitted.getName());
    assertThat(done.hasError()).as("%s", done.getError()).isFalse();
    Job response = done.getResponse().unpack(Job.class);
    assertThat(response.getState()).isEqualTo(Job.State.SUCCEEDED);
    assertThat(response.getResult().getFrames()).isEqualTo(24);
    assertThat(response.getResult().getOutputUri()).isEqualTo(tmp.resolve("wait.ivf").toString());
    assertThat(Files.size(tmp.resolve("wait.ivf"))).isEqualTo(response.getResult().getOutputBytes());
    assertThat(done.getMetadata().unpack(JobProgress.class).getFramesDone()).isEqualTo(24);
    // The wait answered when the job ended, not at its 20 s timeout.
    assertThat(waitedMillis).isLessThan(19_000);

    // GetOperation tells what GetJob tells.
    Job job = h.get(Harness.jobName(submitted));
    Operation got = get(submitted.getName());
    assertThat(got.getDone()).isTrue();
    assertThat(got.getResponse().unpack(Job.class)).isEqualTo(job);
    assertThat(got.getMetadata().unpack(JobProgress.class)).isEqualTo(job.getProgress());
    assertThat(got).isEqualTo(done);

    // Waiting on a finished operation answers at once.
    t0 = System.nanoTime();
    assertThat(waitFor(submitted.getName(), 20_000)).isEqualTo(done);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
  }

  @Test
  void waitOnARunningJobReturnsNotDoneAtItsTimeoutOrBeforeTheDeadline() throws Exception {
    Operation op = submitRunning("wait-running.webm");
    try {
      long t0 = System.nanoTime();
      Operation w = waitFor(op.getName(), 300);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(w.getDone()).isFalse();
      assertThat(w.getName()).isEqualTo(op.getName());
      assertThat(w.getMetadata().is(JobProgress.class)).isTrue();
      assertThat(ms).as("a 300 ms wait").isBetween(250L, 5_000L);

      // No timeout: the call's 5 s deadline bounds the wait (the server answers half a second
      // before it), and the answer arrives before it.
      t0 = System.nanoTime();
      Operation d = ops.withDeadlineAfter(5, TimeUnit.SECONDS)
          .waitOperation(WaitOperationRequest.newBuilder().setName(op.getName()).build());
      ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(d.getDone()).isFalse();
      assertThat(ms).isBetween(3_000L, 5_000L);

      assertCode(() -> unary().waitOperation(WaitOperationRequest.newBuilder().setName(op.getName())
          .setTimeout(Duration.newBuilder().setSeconds(-1)).build()), Status.Code.INVALID_ARGUMENT, "timeout");
    } finally {
      unary().cancelOperation(CancelOperationRequest.newBuilder().setName(op.getName()).build());
    }
  }

  @Test
  void cancelOperationEndsTheJobCancelledAndWakesAWaiter() throws Exception {
    Operation op = submitRunning("cancel.webm");
    // A client already waiting is answered when the cancel lands.
    CompletableFuture<Operation> waiting = new CompletableFuture<>();
    OperationsGrpc.newStub(h.channel).withDeadlineAfter(60, TimeUnit.SECONDS).waitOperation(
        WaitOperationRequest.newBuilder().setName(op.getName()).build(), into(waiting));
    Thread.sleep(200);
    assertThat(waiting).isNotDone();

    Empty e = unary().cancelOperation(CancelOperationRequest.newBuilder().setName(op.getName()).build());
    assertThat(e).isEqualTo(Empty.getDefaultInstance());
    Operation woken = waiting.get(10, TimeUnit.SECONDS);
    assertThat(woken.getDone()).isTrue();
    assertThat(woken.getError().getCode()).isEqualTo(com.google.rpc.Code.CANCELLED_VALUE);
    assertThat(h.get(Harness.jobName(op)).getState()).isEqualTo(Job.State.CANCELLED);
    assertThat(get(op.getName())).isEqualTo(woken);
    assertThat(tmp.resolve("cancel.webm")).doesNotExist();
    // Cancelling a finished operation is harmless, as CancelJob is.
    unary().cancelOperation(CancelOperationRequest.newBuilder().setName(op.getName()).build());
    assertThat(h.get(Harness.jobName(op)).getState()).isEqualTo(Job.State.CANCELLED);
  }

  @Test
  void deleteRefusesARunningJobAndForgetsAFinishedOne() throws Exception {
    Operation running = submitRunning("delete-running.webm");
    assertCode(() -> delete(running.getName()), Status.Code.FAILED_PRECONDITION, "running");
    assertThat(get(running.getName()).getDone()).isFalse();
    unary().cancelOperation(CancelOperationRequest.newBuilder().setName(running.getName()).build());

    Operation finished = submitSmall("delete-finished.ivf");
    waitDone(finished.getName());
    for (String name : List.of(running.getName(), finished.getName())) {
      delete(name);
      assertCode(() -> get(name), Status.Code.NOT_FOUND, name);
      assertCode(() -> h.get("jobs/" + name.substring("operations/".length())), Status.Code.NOT_FOUND, "no job");
      assertCode(() -> waitFor(name, 1000), Status.Code.NOT_FOUND, name);
      assertCode(() -> delete(name), Status.Code.NOT_FOUND, name);
      assertThat(allOperations()).extracting(Operation::getName).doesNotContain(name);
    }
    // The output is the user's: deleting the operation leaves it.
    assertThat(tmp.resolve("delete-finished.ivf")).exists();
  }

  @Test
  void listOperationsPagesLikeListJobsAndSurvivesDeletes() {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mine.add(submitSmall("list" + i + ".ivf").getName());
    }
    List<Operation> all = allOperations();
    List<String> fromJobs = new ArrayList<>();
    String token = "";
    do {
      var r = h.unary().listJobs(ListJobsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      r.getJobsList().forEach(j -> fromJobs.add("operations/" + j.getName().substring("jobs/".length())));
      token = r.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(all).extracting(Operation::getName).containsExactlyElementsOf(fromJobs).containsSubsequence(mine);

    ListOperationsResponse first = unary().listOperations(ListOperationsRequest.newBuilder().setPageSize(2).build());
    assertThat(first.getOperationsList()).hasSize(2);
    assertThat(first.getNextPageToken()).isNotEmpty();
    ListOperationsResponse second = unary().listOperations(ListOperationsRequest.newBuilder().setName("operations")
        .setPageSize(2).setPageToken(first.getNextPageToken()).build());
    assertThat(second.getOperations(0).getName()).isEqualTo(all.get(2).getName());

    // A token names the next operation, not a position: deleting earlier ones neither skips nor repeats.
    for (String name : mine) {
      waitDone(name);
    }
    String afterFirst = tokenAfter(mine.get(0));
    delete(mine.get(0));
    assertThat(page(afterFirst).getOperations(0).getName()).isEqualTo(mine.get(1));
    delete(mine.get(1));
    assertThat(page(afterFirst).getOperations(0).getName()).isEqualTo(mine.get(2));

    assertCode(() -> unary().listOperations(ListOperationsRequest.newBuilder().setFilter("done=true").build()),
        Status.Code.INVALID_ARGUMENT, "filter");
    assertCode(() -> unary().listOperations(ListOperationsRequest.newBuilder().setName("jobs").build()),
        Status.Code.INVALID_ARGUMENT, "name");
    assertCode(() -> unary().listOperations(ListOperationsRequest.newBuilder().setPageToken("garbage!").build()),
        Status.Code.INVALID_ARGUMENT, "page_token");
    assertCode(() -> unary().listOperations(ListOperationsRequest.newBuilder().setPageSize(-1).build()),
        Status.Code.INVALID_ARGUMENT, "page_size");
  }

  @Test
  void unknownAndMalformedNames() {
    String unknown = "operations/jnope";
    assertCode(() -> get(unknown), Status.Code.NOT_FOUND, unknown);
    assertCode(() -> unary().cancelOperation(CancelOperationRequest.newBuilder().setName(unknown).build()),
        Status.Code.NOT_FOUND, unknown);
    assertCode(() -> delete(unknown), Status.Code.NOT_FOUND, unknown);
    assertCode(() -> waitFor(unknown, 1000), Status.Code.NOT_FOUND, unknown);
    // Operations are named as SubmitJob names them; a job name or garbage is the caller's mistake.
    for (String bad : List.of("jobs/jnope", "", "operations/", "nope")) {
      assertCode(() -> get(bad), Status.Code.INVALID_ARGUMENT, "operations/{job_id}");
      assertCode(() -> waitFor(bad, 1000), Status.Code.INVALID_ARGUMENT, "operations/{job_id}");
      assertCode(() -> delete(bad), Status.Code.INVALID_ARGUMENT, "operations/{job_id}");
    }
  }

  @Test
  void reflectionListsTheServices() throws Exception {
    assertThat(listServices(h.channel)).contains("tinythreads.v1.Jobs", "google.longrunning.Operations",
        "tinythreads.v1.WorkerSession", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
    // The embedded rendezvous is built the same way and answers reflection too.
    ManagedChannel rdv = Grpc.newChannelBuilder(h.server.rendezvousAddress(), InsecureChannelCredentials.create())
        .build();
    try {
      assertThat(listServices(rdv)).contains("tinythreads.v1.Rendezvous", "grpc.health.v1.Health");
    } finally {
      rdv.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ helpers

  static List<String> listServices(ManagedChannel channel) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(into(answer));
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    req.onCompleted();
    ServerReflectionResponse r = answer.get(10, TimeUnit.SECONDS);
    assertThat(r.hasListServicesResponse()).as("%s", r).isTrue();
    return r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
  }

  /** Completes {@code f} with the first message (or the error). */
  static <T> StreamObserver<T> into(CompletableFuture<T> f) {
    Consumer<T> first = f::complete;
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        first.accept(value);
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        f.completeExceptionally(new AssertionError("completed without a message"));
      }
    };
  }

  static ListOperationsResponse page(String token) {
    return unary().listOperations(ListOperationsRequest.newBuilder().setPageSize(1).setPageToken(token).build());
  }

  /** The page token whose page starts right after {@code name} (paging one at a time). */
  static String tokenAfter(String name) {
    String token = "";
    do {
      ListOperationsResponse r = page(token);
      token = r.getNextPageToken();
      if (r.getOperations(0).getName().equals(name)) {
        return token;
      }
    } while (!token.isEmpty());
    throw new AssertionError(name + " is not listed");
  }

  static List<Operation> allOperations() {
    List<Operation> out = new ArrayList<>();
    String token = "";
    do {
      ListOperationsResponse r = page(token);
      out.addAll(r.getOperationsList());
      token = r.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }
}
