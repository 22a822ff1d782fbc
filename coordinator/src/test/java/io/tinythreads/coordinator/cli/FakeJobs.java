package io.tinythreads.coordinator.cli;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tinythreads.proto.CancelJobRequest;
import io.tinythreads.proto.GetJobRequest;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.ListJobsRequest;
import io.tinythreads.proto.ListJobsResponse;
import io.tinythreads.proto.SubmitJobRequest;
import io.tinythreads.proto.WatchJobRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted Jobs service on a real loopback gRPC server, to test the CLI's side of the API
 * (requests it sends, how it renders events, which exit code it picks) without a coordinator.
 */
final class FakeJobs extends JobsGrpc.JobsImplBase implements AutoCloseable {
  final List<SubmitJobRequest> submits = new CopyOnWriteArrayList<>();
  final List<String> cancels = new CopyOnWriteArrayList<>();
  final List<String> watches = new CopyOnWriteArrayList<>();
  final Map<String, Job> jobs = new ConcurrentHashMap<>();
  /** Events streamed by WatchJob, in order; the stream completes after them unless {@link #holdWatch}. */
  final List<JobEvent> script = new CopyOnWriteArrayList<>();
  volatile Status submitError;
  volatile Status watchError;
  volatile boolean holdWatch;
  volatile Operation submitAnswer;
  final BlockingQueue<String> watchStarted = new LinkedBlockingQueue<>();
  private final Server server;

  FakeJobs() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  static Job job(String name, Job.State state) {
    return Job.newBuilder().setName(name).setState(state).build();
  }

  @Override
  public void submitJob(SubmitJobRequest request, StreamObserver<Operation> response) {
    submits.add(request);
    if (submitError != null) {
      response.onError(submitError.asRuntimeException());
      return;
    }
    Operation op = submitAnswer != null ? submitAnswer
        : Operation.newBuilder().setName("operations/j1")
            .setMetadata(Any.pack(io.tinythreads.proto.JobProgress.getDefaultInstance())).build();
    response.onNext(op);
    response.onCompleted();
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<Job> response) {
    Job j = jobs.get(request.getName());
    if (j == null) {
      response.onError(Status.NOT_FOUND.withDescription("no job " + request.getName()).asRuntimeException());
      return;
    }
    response.onNext(j);
    response.onCompleted();
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
    // Two pages, to check that the client follows next_page_token.
    List<Job> all = new ArrayList<>(jobs.values());
    all.sort((a, b) -> a.getName().compareTo(b.getName()));
    int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
    int to = Math.min(all.size(), from + 1);
    ListJobsResponse.Builder page = ListJobsResponse.newBuilder().addAllJobs(all.subList(from, to));
    if (to < all.size()) {
      page.setNextPageToken(Integer.toString(to));
    }
    response.onNext(page.build());
    response.onCompleted();
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> response) {
    cancels.add(request.getName());
    Job j = jobs.getOrDefault(request.getName(), job(request.getName(), Job.State.RUNNING));
    Job cancelled = Outcomes.isTerminal(j.getState()) ? j : j.toBuilder().setState(Job.State.CANCELLED).build();
    jobs.put(request.getName(), cancelled);
    response.onNext(cancelled);
    response.onCompleted();
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> response) {
    watches.add(request.getName());
    watchStarted.add(request.getName());
    for (JobEvent e : script) {
      response.onNext(e);
    }
    if (watchError != null) {
      response.onError(watchError.asRuntimeException());
    } else if (!holdWatch) {
      response.onCompleted();
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
