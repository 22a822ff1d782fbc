package io.tinythreads.coordinator;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tinythreads.coordinator.job.JobManager;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.WorkerMessage;
import io.tinythreads.proto.WorkerSessionGrpc;

/** worker_session.proto: each Session call gets its own {@link SessionStream}. */
final class WorkerSessionService extends WorkerSessionGrpc.WorkerSessionImplBase {
  private final JobManager jobs;

  WorkerSessionService(JobManager jobs) {
    this.jobs = jobs;
  }

  @Override
  public StreamObserver<WorkerMessage> session(StreamObserver<Command> out) {
    return new SessionStream((ServerCallStreamObserver<Command>) out, jobs);
  }
}
