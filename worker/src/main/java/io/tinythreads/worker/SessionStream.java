package io.tinythreads.worker;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.WorkerMessage;
import io.tinythreads.proto.WorkerSessionGrpc;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of one WorkerSession.Session call (STYLE habit 15).
 *
 * <p>Inbound commands are queued for the worker thread, which executes them strictly in order.
 * Outbound messages (Hello, results, heartbeats from the scheduler thread) are serialized by
 * {@code synchronized}: a {@code StreamObserver} is not thread-safe. If the coordinator's side fails
 * or ends before a Quit, the stream is "broken": the end is queued, and a command that is running
 * is interrupted so the worker stops promptly instead of finishing work nobody will collect.
 * Commands are small, so no manual flow control is used; the call has no deadline (it lives as
 * long as the worker), the idle timeout and the coordinator's stage deadlines watch it instead.
 */
final class SessionStream implements ClientResponseObserver<WorkerMessage, Command> {
  private static final Logger LOG = LoggerFactory.getLogger(SessionStream.class);

  /** What the worker thread can receive. */
  sealed interface Inbound permits Received, Ended, Timeout {}

  record Received(Command command) implements Inbound {}

  record Ended(String reason) implements Inbound {}

  record Timeout() implements Inbound {}

  private final BlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final Thread worker;
  private final Object lock = new Object();
  private ClientCallStreamObserver<WorkerMessage> requests;
  private boolean outboundClosed;
  private volatile boolean quitReceived;
  private volatile boolean broken;
  private volatile boolean brokeUs;
  private volatile String endReason;
  private boolean running;

  private SessionStream(Thread worker) {
    this.worker = worker;
  }

  /** Starts the call; {@code worker} is the thread executing commands (interrupted if the stream breaks). */
  static SessionStream open(WorkerSessionGrpc.WorkerSessionStub stub, Thread worker) {
    SessionStream s = new SessionStream(worker);
    stub.session(s); // calls beforeStart synchronously
    if (s.requests == null) {
      throw new IllegalStateException("gRPC did not call beforeStart");
    }
    return s;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<WorkerMessage> requestStream) {
    this.requests = requestStream;
  }

  @Override
  public void onNext(Command c) {
    if (c.hasQuit()) {
      quitReceived = true;
    }
    queue.add(new Received(c));
  }

  @Override
  public void onError(Throwable t) {
    Status s = Status.fromThrowable(t);
    end(s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()));
  }

  @Override
  public void onCompleted() {
    end("the coordinator closed the stream");
  }

  private void end(String reason) {
    synchronized (lock) {
      endReason = reason;
      if (!quitReceived) {
        broken = true;
        if (running) {
          brokeUs = true;
          worker.interrupt();
        }
      }
      outboundClosed = true;
    }
    queue.add(new Ended(reason));
    ended.countDown();
  }

  /** Next inbound event; {@link Timeout} if nothing arrives within {@code idle}. */
  Inbound next(Duration idle) throws InterruptedException {
    Inbound in = queue.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
    return in == null ? new Timeout() : in;
  }

  /** Marks the start of a command (the stream may interrupt the worker thread until {@link #endCommand}). */
  void beginCommand() {
    synchronized (lock) {
      running = true;
    }
  }

  void endCommand() {
    synchronized (lock) {
      running = false;
    }
  }

  void send(WorkerMessage m) {
    synchronized (lock) {
      if (outboundClosed) {
        return;
      }
      try {
        requests.onNext(m);
      } catch (RuntimeException e) {
        // The call is already cancelled or closed; the end event reports why.
        LOG.debug("send failed: {}", e.toString());
      }
    }
  }

  /** Half-closes our side (after the Quit result). */
  void complete() {
    synchronized (lock) {
      if (outboundClosed) {
        return;
      }
      outboundClosed = true;
      try {
        requests.onCompleted();
      } catch (RuntimeException e) {
        LOG.debug("complete failed: {}", e.toString());
      }
    }
  }

  /** Aborts the call (the coordinator sees CANCELLED). */
  void cancel(String reason) {
    synchronized (lock) {
      outboundClosed = true;
    }
    try {
      requests.cancel(reason, null);
    } catch (RuntimeException e) {
      LOG.debug("cancel failed: {}", e.toString());
    }
  }

  /** Waits (bounded) for the coordinator to finish its side. */
  void awaitEnd(Duration grace) throws InterruptedException {
    if (!ended.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      cancel("worker done");
    }
  }

  /** The stream failed or ended before Quit. */
  boolean isBroken() {
    return broken;
  }

  /** This stream (not the thread's owner) interrupted the worker thread. */
  boolean brokeUs() {
    return brokeUs;
  }

  String endReason() {
    return endReason;
  }
}
