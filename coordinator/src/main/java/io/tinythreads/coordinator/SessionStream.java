package io.tinythreads.coordinator;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tinythreads.coordinator.job.JobManager;
import io.tinythreads.coordinator.job.SessionSink;
import io.tinythreads.coordinator.job.WorkerLink;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.Hello;
import io.tinythreads.proto.WorkerMessage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's bidi stream (STYLE habit 15). The first message must be a Hello with a valid job
 * token; after that every message goes to the job core's {@link SessionSink}, and the core sends
 * commands through this object as a {@link WorkerLink}.
 *
 * <p>Threads: gRPC delivers inbound messages serially; {@link #send} and {@link #close} come from the
 * job's actor thread. Outbound calls are serialized by {@code synchronized}, and {@link #closed}
 * makes closing idempotent. A cancelled call (the worker went away) is a normal close. Commands
 * are a few hundred bytes, so no manual flow control is needed for them; the stream has no
 * deadline, the FSM's stage deadlines and heartbeats watch it instead.
 */
final class SessionStream implements StreamObserver<WorkerMessage>, WorkerLink {
  private static final Logger log = LoggerFactory.getLogger(SessionStream.class);

  private final ServerCallStreamObserver<Command> out;
  private final JobManager jobs;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile SessionSink sink;
  private volatile String who = "unidentified worker";

  SessionStream(ServerCallStreamObserver<Command> out, JobManager jobs) {
    this.out = out;
    this.jobs = jobs;
    out.setOnCancelHandler(() -> {
      closed.set(true);
      SessionSink s = sink;
      if (s != null) {
        s.closed("stream cancelled (worker gone)");
      }
    });
  }

  @Override
  public void onNext(WorkerMessage m) {
    SessionSink s = sink;
    if (s != null) {
      s.message(m);
      return;
    }
    if (!m.hasHello()) {
      reject(Status.FAILED_PRECONDITION, "the first message must be a Hello, got " + m.getKindCase());
      return;
    }
    Hello h = m.getHello();
    who = "worker " + h.getWorkerId() + " (job " + h.getJobId() + " chunk " + h.getChunkIndex() + " attempt "
        + h.getAttempt() + ")";
    if (!jobs.tokens().verify(h.getJobId(), h.getToken())) {
      reject(Status.UNAUTHENTICATED, "bad token for job " + h.getJobId());
      return;
    }
    try {
      sink = jobs.attach(h, this);
    } catch (RuntimeException e) {
      io.grpc.StatusRuntimeException st = Statuses.toStatus(e);
      reject(st.getStatus().getCode().toStatus(), st.getStatus().getDescription());
    }
  }

  @Override
  public void onError(Throwable t) {
    Status s = Status.fromThrowable(t);
    closed.set(true);
    SessionSink k = sink;
    if (k != null) {
      k.closed(s.getCode() == Status.Code.CANCELLED ? "stream cancelled (worker gone)"
          : "stream broke: " + s.getCode() + " " + (s.getDescription() == null ? "" : s.getDescription()));
    }
  }

  @Override
  public void onCompleted() {
    SessionSink k = sink;
    if (k != null) {
      k.closed("worker closed its stream");
    }
    close(true, "worker closed its stream");
  }

  @Override
  public synchronized void send(Command command) {
    if (closed.get()) {
      return;
    }
    try {
      out.onNext(command);
    } catch (RuntimeException e) {
      // The call was cancelled under us; the cancel handler reports it.
      log.debug("{}: send failed: {}", who, e.toString());
    }
  }

  @Override
  public synchronized void close(boolean ok, String reason) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (ok) {
        out.onCompleted();
      } else {
        out.onError(Status.ABORTED.withDescription(reason).asRuntimeException());
      }
    } catch (RuntimeException e) {
      log.debug("{}: close failed: {}", who, e.toString());
    }
  }

  private void reject(Status status, String why) {
    log.warn("rejecting {}: {}", who, why);
    if (closed.compareAndSet(false, true)) {
      synchronized (this) {
        out.onError(status.withDescription(why).asRuntimeException());
      }
    }
  }
}
