package io.tinythreads.coordinator;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tinythreads.coordinator.job.JobManager;
import io.tinythreads.proto.CancelJobRequest;
import io.tinythreads.proto.GetJobRequest;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobsGrpc;
import io.tinythreads.proto.ListJobsRequest;
import io.tinythreads.proto.ListJobsResponse;
import io.tinythreads.proto.SubmitJobRequest;
import io.tinythreads.proto.WatchJobRequest;

/** jobs.proto over the {@link JobManager} core: proto in, core call, proto out. No job logic here. */
final class JobsService extends JobsGrpc.JobsImplBase {
  private final JobManager jobs;

  JobsService(JobManager jobs) {
    this.jobs = jobs;
  }

  @Override
  public void submitJob(SubmitJobRequest req, StreamObserver<Operation> out) {
    Statuses.answer(out, () -> operation(jobs.submit(req.getRequestId(), req.getSpec())));
  }

  @Override
  public void getJob(GetJobRequest req, StreamObserver<Job> out) {
    Statuses.answer(out, () -> jobs.get(req.getName()));
  }

  @Override
  public void listJobs(ListJobsRequest req, StreamObserver<ListJobsResponse> out) {
    Statuses.answer(out, () -> {
      JobManager.Page page = jobs.list(req.getPageSize(), req.getPageToken());
      return ListJobsResponse.newBuilder().addAllJobs(page.jobs()).setNextPageToken(page.nextPageToken()).build();
    });
  }

  @Override
  public void cancelJob(CancelJobRequest req, StreamObserver<Job> out) {
    Statuses.answer(out, () -> jobs.cancel(req.getName()));
  }

  @Override
  public void watchJob(WatchJobRequest req, StreamObserver<JobEvent> out) {
    WatchStream stream = new WatchStream((ServerCallStreamObserver<JobEvent>) out);
    try {
      stream.subscribed(jobs.watch(req.getName(), stream::offer));
    } catch (RuntimeException e) {
      stream.fail(Statuses.toStatus(e));
    }
  }

  /**
   * The AIP-151 view of a job: "operations/{id}", metadata = progress, and when done either the
   * Job as response or its error.
   */
  static Operation operation(Job job) {
    String id = job.getName().substring(JobManager.JOBS_PREFIX.length());
    Operation.Builder b = Operation.newBuilder()
        .setName(JobManager.OPERATIONS_PREFIX + id)
        .setMetadata(Any.pack(job.getProgress()));
    switch (job.getState()) {
      case SUCCEEDED -> b.setDone(true).setResponse(Any.pack(job));
      case FAILED -> b.setDone(true).setError(job.getError());
      case CANCELLED -> b.setDone(true).setError(com.google.rpc.Status.newBuilder()
          .setCode(com.google.rpc.Code.CANCELLED_VALUE).setMessage("job " + id + " was cancelled").build());
      case STATE_UNSPECIFIED, QUEUED, RUNNING, UNRECOGNIZED -> b.setDone(false);
    }
    return b.build();
  }
}
