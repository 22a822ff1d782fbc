package io.tinythreads.coordinator.cli;

import com.google.longrunning.Operation;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tinythreads.proto.CancelJobRequest;
import io.tinythreads.proto.GetJobRequest;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.ListJobsRequest;
import io.tinythreads.proto.ListJobsResponse;
import io.tinythreads.proto.SubmitJobRequest;
import io.tinythreads.proto.WatchJobRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CLI's only way to talk to a coordinator: the tinythreads.v1.Jobs gRPC service, over a
 * plaintext channel (loopback for the embedded server) or TLS ({@code --tls-ca} and friends). Unary calls carry a deadline; the
 * WatchJob stream does not (it lives as long as the job), and falls back to polling GetJob if it
 * breaks.
 */
final class JobsClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobsClient.class);
  static final Duration UNARY_DEADLINE = Duration.ofSeconds(30);
  static final Duration POLL_INTERVAL = Duration.ofMillis(500);
  /** Consecutive UNAVAILABLE answers tolerated while polling (about 10 s). */
  static final int MAX_POLL_FAILURES = 20;
  private static final String JOBS_PREFIX = "jobs/";
  private static final String OPERATIONS_PREFIX = "operations/";

  private final String target;
  private final ManagedChannel channel;
  private final JobsGrpc.JobsBlockingStub stub;

  private JobsClient(String target, ManagedChannel channel) {
    this.target = target;
    this.channel = channel;
    this.stub = JobsGrpc.newBlockingStub(channel);
  }

  static JobsClient connect(String target) {
    return connect(target, InsecureChannelCredentials.create());
  }

  /** A client dialling with {@code credentials} (plaintext, TLS or mutual TLS: {@link ClientTlsOptions}). */
  static JobsClient connect(String target, ChannelCredentials credentials) {
    return new JobsClient(target, Grpc.newChannelBuilder(target, credentials).build());
  }

  String target() {
    return target;
  }

  private JobsGrpc.JobsBlockingStub unary() {
    return stub.withDeadlineAfter(UNARY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  Operation submit(SubmitJobRequest request) {
    return unary().submitJob(request);
  }

  Job get(String jobName) {
    return unary().getJob(GetJobRequest.newBuilder().setName(jobName).build());
  }

  Job cancel(String jobName) {
    return cancel(jobName, UNARY_DEADLINE);
  }

  Job cancel(String jobName, Duration deadline) {
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .cancelJob(CancelJobRequest.newBuilder().setName(jobName).build());
  }

  /** Every job the coordinator knows, following next_page_token. */
  List<Job> list() {
    List<Job> all = new ArrayList<>();
    String token = "";
    do {
      ListJobsResponse page = unary().listJobs(ListJobsRequest.newBuilder().setPageToken(token).build());
      all.addAll(page.getJobsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  /**
   * Streams the job's events into {@code printer} until it reaches a terminal state and returns
   * that last snapshot. If the stream ends early or breaks (UNAVAILABLE, a server without
   * WatchJob), polls GetJob instead. NOT_FOUND and other answers about the job itself propagate.
   */
  Job follow(String jobName, ProgressPrinter printer) throws InterruptedException {
    Context.CancellableContext ctx = Context.current().withCancellation();
    Context previous = ctx.attach();
    try {
      Iterator<JobEvent> events = stub.watchJob(WatchJobRequest.newBuilder().setName(jobName).build());
      while (events.hasNext()) {
        JobEvent event = events.next();
        if (!event.getMessage().isEmpty()) {
          printer.message(event.getMessage());
        }
        if (event.hasJob()) {
          Job job = event.getJob();
          printer.update(job);
          if (Outcomes.isTerminal(job.getState())) {
            return job;
          }
        }
      }
      log.debug("WatchJob for {} ended before a terminal state; polling", jobName);
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code != Status.Code.UNAVAILABLE && code != Status.Code.UNIMPLEMENTED && code != Status.Code.INTERNAL
          && code != Status.Code.UNKNOWN) {
        throw e;
      }
      log.debug("WatchJob for {} broke ({}); polling", jobName, e.getStatus());
    } finally {
      ctx.detach(previous);
      ctx.cancel(null);
    }
    return poll(jobName, printer);
  }

  private Job poll(String jobName, ProgressPrinter printer) throws InterruptedException {
    int failures = 0;
    while (true) {
      try {
        Job job = get(jobName);
        failures = 0;
        printer.update(job);
        if (Outcomes.isTerminal(job.getState())) {
          return job;
        }
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || ++failures >= MAX_POLL_FAILURES) {
          throw e;
        }
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** "jobs/{id}" for a job id typed as {@code id}, {@code jobs/id} or {@code operations/id}. */
  static String jobName(String typed) {
    String s = typed.strip();
    if (s.startsWith(JOBS_PREFIX)) {
      return s;
    }
    if (s.startsWith(OPERATIONS_PREFIX)) {
      return JOBS_PREFIX + s.substring(OPERATIONS_PREFIX.length());
    }
    return JOBS_PREFIX + s;
  }

  /**
   * Closes the channel at once: the CLI only closes when it is done with every answer, and the
   * Ctrl-C hook closes while a WatchJob stream is still open, which a graceful shutdown would wait
   * for.
   */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
