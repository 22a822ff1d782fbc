package io.tinythreads.coordinator;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Empty;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tinythreads.coordinator.job.InvalidSpecException;
import io.tinythreads.coordinator.job.JobManager;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The standard {@code google.longrunning.Operations} service over the job table, which AIP-151
 * requires of an API whose methods return Operations (SubmitJob). An operation is a job seen as
 * {@link JobsService#operation}: the same name SubmitJob returned ("operations/{job_id}"), metadata
 * = JobProgress, response = the finished Job, or error = the job's error (CANCELLED for a
 * cancelled job).
 *
 * <ul>
 *   <li>ListOperations lists every job in submission order with ListJobs' paging; {@code name}
 *       may be empty or "operations"; a non-empty {@code filter} is rejected (INVALID_ARGUMENT).
 *   <li>CancelOperation is CancelJob (a no-op for a finished job).
 *   <li>DeleteOperation forgets a finished job; FAILED_PRECONDITION while it runs. Output files stay.
 *   <li>WaitOperation never holds a gRPC thread: it subscribes to the job's events (the WatchJob
 *       mechanism) and answers from the job's actor thread when the job ends, or from the
 *       {@code waits} scheduler when the wait runs out. The wait is the request's timeout, or
 *       {@link #MAX_WAIT_MILLIS} if unset, capped at that, and ends {@link #DEADLINE_MARGIN_MILLIS}
 *       or a tenth of the time left, whichever is more, before the call's deadline so the client gets the latest Operation rather than
 *       DEADLINE_EXCEEDED (the behaviour operations.proto asks for).
 * </ul>
 */
final class OperationsService extends OperationsGrpc.OperationsImplBase {
  /** Default and cap of WaitOperation's wait: long enough to matter, short of proxies' idle limits. */
  static final long MAX_WAIT_MILLIS = 60_000;
  /** How long before the call's deadline a wait gives up, so the answer can still reach the client. */
  static final long DEADLINE_MARGIN_MILLIS = 200;
  static final String COLLECTION = "operations";

  private final JobManager jobs;
  private final ScheduledExecutorService waits;

  OperationsService(JobManager jobs, ScheduledExecutorService waits) {
    this.jobs = jobs;
    this.waits = waits;
  }

  @Override
  public void getOperation(GetOperationRequest req, StreamObserver<Operation> out) {
    Statuses.answer(out, () -> JobsService.operation(jobs.get(operationName(req.getName()))));
  }

  @Override
  public void listOperations(ListOperationsRequest req, StreamObserver<ListOperationsResponse> out) {
    Statuses.answer(out, () -> {
      if (!req.getName().isEmpty() && !req.getName().equals(COLLECTION)) {
        throw new InvalidSpecException("name must be empty or '" + COLLECTION + "', got '" + req.getName() + "'");
      }
      if (!req.getFilter().isEmpty()) {
        throw new InvalidSpecException("filter is not supported (got '" + req.getFilter()
            + "'); leave it empty and filter the listed operations on the client");
      }
      JobManager.Page page = jobs.list(req.getPageSize(), req.getPageToken());
      ListOperationsResponse.Builder b = ListOperationsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      for (Job j : page.jobs()) {
        b.addOperations(JobsService.operation(j));
      }
      return b.build();
    });
  }

  @Override
  public void cancelOperation(CancelOperationRequest req, StreamObserver<Empty> out) {
    Statuses.answer(out, () -> {
      jobs.cancel(operationName(req.getName()));
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void deleteOperation(DeleteOperationRequest req, StreamObserver<Empty> out) {
    Statuses.answer(out, () -> {
      jobs.delete(operationName(req.getName()));
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void waitOperation(WaitOperationRequest req, StreamObserver<Operation> out) {
    String name;
    long waitMillis;
    try {
      name = operationName(req.getName());
      waitMillis = waitMillis(req, Context.current().getDeadline());
    } catch (RuntimeException e) {
      out.onError(Statuses.toStatus(e));
      return;
    }
    Waiter w = new Waiter((ServerCallStreamObserver<Operation>) out, name);
    try {
      w.subscribed(jobs.watch(name, w::event));
    } catch (RuntimeException e) {
      w.fail(e);
      return;
    }
    w.timeoutAfter(waitMillis);
  }

  /** The wait asked for, capped by {@link #MAX_WAIT_MILLIS} and by the call's deadline. */
  static long waitMillis(WaitOperationRequest req, Deadline deadline) {
    long wait = MAX_WAIT_MILLIS;
    if (req.hasTimeout()) {
      var t = req.getTimeout();
      if (t.getSeconds() < 0 || t.getNanos() < 0) {
        throw new InvalidSpecException("timeout must not be negative, got " + t.getSeconds() + "s " + t.getNanos()
            + "ns");
      }
      // Seconds clamped first so a huge timeout cannot overflow; the cap applies anyway.
      long seconds = Math.min(t.getSeconds(), MAX_WAIT_MILLIS / 1000 + 1);
      wait = Math.min(wait, seconds * 1000 + t.getNanos() / 1_000_000L);
    }
    if (deadline != null) {
      // A tenth of the time left, at least 200 ms: a busy machine still answers in time.
      long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
      wait = Math.min(wait, left - Math.max(DEADLINE_MARGIN_MILLIS, left / 10));
    }
    return Math.max(0, wait);
  }

  /** Operations are named as SubmitJob names them; "jobs/{id}" belongs to the Jobs service. */
  private static String operationName(String name) {
    if (!name.startsWith(JobManager.OPERATIONS_PREFIX) || name.length() == JobManager.OPERATIONS_PREFIX.length()) {
      throw new InvalidSpecException("name must be operations/{job_id}, got '" + name + "'");
    }
    return name;
  }

  /**
   * One WaitOperation call. Exactly one of: the terminal job event (actor thread), the timer
   * (waits thread), the client cancelling, or a failure to subscribe answers it; the others find
   * {@code answered} set and do nothing.
   */
  private final class Waiter {
    private final ServerCallStreamObserver<Operation> out;
    private final String name;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile Runnable unsubscribe;
    private volatile ScheduledFuture<?> timer;

    Waiter(ServerCallStreamObserver<Operation> out, String name) {
      this.out = out;
      this.name = name;
      out.setOnCancelHandler(() -> {
        if (answered.compareAndSet(false, true)) {
          release();
        }
      });
    }

    /** Called on the actor thread, or on this thread while subscribing to a finished job. */
    void event(JobEvent e) {
      Job.State s = e.getJob().getState();
      if (s == Job.State.SUCCEEDED || s == Job.State.FAILED || s == Job.State.CANCELLED) {
        answer(JobsService.operation(e.getJob()));
      }
    }

    void subscribed(Runnable unsubscribe) {
      this.unsubscribe = unsubscribe;
      if (answered.get()) {
        unsubscribe.run();  // answered while subscribing (the job had already ended)
      }
    }

    void timeoutAfter(long millis) {
      if (answered.get()) {
        return;
      }
      try {
        timer = waits.schedule(this::timedOut, millis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        timedOut();  // the server is stopping: answer with what we have
        return;
      }
      if (answered.get()) {
        timer.cancel(false);
      }
    }

    private void timedOut() {
      Operation op;
      try {
        op = JobsService.operation(jobs.get(name));
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      answer(op);
    }

    private void answer(Operation op) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      release();
      try {
        out.onNext(op);
        out.onCompleted();
      } catch (IllegalStateException e) {
        // The call was cancelled between our check and the send; nobody is listening.
      }
    }

    void fail(RuntimeException e) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      release();
      out.onError(Statuses.toStatus(e));
    }

    private void release() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
      Runnable u = unsubscribe;
      if (u != null) {
        u.run();
      }
    }
  }
}
