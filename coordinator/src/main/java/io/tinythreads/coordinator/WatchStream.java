package io.tinythreads.coordinator;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One WatchJob stream. Events come from the job's actor thread and must never block it, so they
 * are queued and drained while the client is ready. Progress events coalesce (only the newest
 * waiting one is kept) but events with a message, and the terminal event, are always delivered;
 * after the terminal event the stream completes.
 */
final class WatchStream {
  private final ServerCallStreamObserver<JobEvent> out;
  private final Deque<JobEvent> queue = new ArrayDeque<>();
  private boolean closed;
  private boolean ended;
  private volatile Runnable unsubscribe = () -> {};

  WatchStream(ServerCallStreamObserver<JobEvent> out) {
    this.out = out;
    out.setOnCancelHandler(() -> {
      synchronized (this) {
        closed = true;
        queue.clear();
      }
      unsubscribe.run();
    });
    out.setOnReadyHandler(this::drain);
  }

  void subscribed(Runnable unsubscribe) {
    this.unsubscribe = unsubscribe;
    boolean isClosed;
    synchronized (this) {
      isClosed = closed;
    }
    if (isClosed) {
      unsubscribe.run();
    }
  }

  void offer(JobEvent e) {
    synchronized (this) {
      if (closed || ended) {
        return;
      }
      JobEvent last = queue.peekLast();
      if (last != null && last.getMessage().isEmpty() && !terminal(last)) {
        queue.pollLast();
      }
      queue.addLast(e);
      if (terminal(e)) {
        ended = true;
      }
    }
    drain();
  }

  void fail(StatusRuntimeException e) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
    }
    out.onError(e);
  }

  private synchronized void drain() {
    while (!closed && out.isReady() && !queue.isEmpty()) {
      JobEvent e = queue.pollFirst();
      out.onNext(e);
      if (terminal(e)) {
        closed = true;
        out.onCompleted();
        unsubscribe.run();
      }
    }
  }

  private static boolean terminal(JobEvent e) {
    Job.State s = e.getJob().getState();
    return s == Job.State.SUCCEEDED || s == Job.State.FAILED || s == Job.State.CANCELLED;
  }
}
