package io.tinythreads.rendezvous;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tinythreads.proto.Delivered;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.Piece;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client side of one {@code Link} stream (STYLE habit 15).
 *
 * <p>Concurrency: gRPC delivers inbound events ({@code onNext}/{@code onError}/{@code onCompleted}
 * and the onReady handler) one at a time on its callback executor; the worker's threads call
 * {@link #sendMessage}, {@link #receive} and friends. Shared state is guarded by {@link #lock}, and
 * every outbound {@code onNext}/{@code onCompleted}/{@code cancel} happens under it, which
 * serializes them (acknowledgements sent from a receiving thread cannot interleave with pieces
 * mid-call). {@link #sendMutex} keeps concurrent senders' messages whole.
 *
 * <p>Flow control, outbound: a piece is written only when {@code isReady()}; otherwise the sending
 * thread waits for the onReady signal, so at most the transport's small buffer is queued locally.
 * Inbound: automatic requests are off; the next envelope is requested after each one is handled,
 * as long as fewer than {@link #INBOX_LIMIT_BYTES} of received messages wait for the worker (a
 * message being received is always finished). Past the limit the relay keeps the rest, and reading
 * resumes when the worker takes a message.
 */
final class ClientLink implements ClientResponseObserver<Envelope, Envelope> {
  static final long INBOX_LIMIT_BYTES = 64L << 20;

  /** A verified message waiting for the worker. */
  private record Received(long relayId, int fromChunk, MessageAssembler.Message message) {}

  private final String jobId;
  private final int chunk;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ReentrantLock sendMutex = new ReentrantLock();

  // Guarded by lock.
  private ClientCallStreamObserver<Envelope> requests;
  private boolean registered;
  private int pendingAtRegistration;
  private RendezvousException failure;
  private boolean serverCompleted;
  private boolean halfClosed;
  private boolean cancelled;
  private final ArrayDeque<Received> inbox = new ArrayDeque<>();
  private long inboxBytes;
  private boolean starved;
  private final Set<Long> undelivered = new HashSet<>();
  private long nextMessageId = 1;

  // Confined to gRPC's (serialized) callback thread.
  private final MessageAssembler assembler = new MessageAssembler();

  ClientLink(String jobId, int chunk) {
    this.jobId = jobId;
    this.chunk = chunk;
  }

  // ---- gRPC callbacks

  @Override
  public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
    lock.lock();
    try {
      requests = requestStream;
    } finally {
      lock.unlock();
    }
    requestStream.disableAutoRequestWithInitial(1);
    requestStream.setOnReadyHandler(this::signal);
  }

  @Override
  public void onNext(Envelope e) {
    switch (e.getKindCase()) {
      case REGISTERED -> {
        lock.lock();
        try {
          registered = true;
          pendingAtRegistration = e.getRegistered().getPendingMessages();
          changed.signalAll();
        } finally {
          lock.unlock();
        }
        requestNext();
      }
      case PIECE -> onPiece(e.getPiece());
      case DELIVERED -> {
        lock.lock();
        try {
          undelivered.remove(e.getDelivered().getMessageId());
          changed.signalAll();
        } finally {
          lock.unlock();
        }
        requestNext();
      }
      case REGISTER, KIND_NOT_SET -> failLocally(Status.Code.INTERNAL,
          "the rendezvous sent an unexpected envelope: " + e.getKindCase());
    }
  }

  private void onPiece(Piece p) {
    MessageAssembler.Fragment f = new MessageAssembler.Fragment(p.getMessageId(), p.getKind(), p.getTotalBytes(),
        p.getOffset(), p.getData(), p.getLast(), p.getHash());
    Optional<MessageAssembler.Message> complete;
    try {
      complete = assembler.accept(f);
    } catch (RelayException ex) {
      Status.Code code = ex.reason() == RelayException.Reason.DATA_LOSS ? Status.Code.DATA_LOSS : Status.Code.INTERNAL;
      failLocally(code, "job " + jobId + " chunk " + chunk + ": relayed message from chunk " + p.getFromChunk()
          + " is corrupt: " + ex.getMessage());
      return;
    }
    lock.lock();
    try {
      inboxBytes += f.data().size();
      complete.ifPresent(m -> {
        inbox.addLast(new Received(f.messageId(), p.getFromChunk(), m));
        changed.signalAll();
      });
    } finally {
      lock.unlock();
    }
    requestNext();
  }

  /** Asks for the next envelope unless the inbox is full between messages. Callback thread only. */
  private void requestNext() {
    ClientCallStreamObserver<Envelope> r;
    lock.lock();
    try {
      if (!assembler.inProgress() && inboxBytes >= INBOX_LIMIT_BYTES) {
        starved = true;
        return;
      }
      r = requests;
    } finally {
      lock.unlock();
    }
    r.request(1);
  }

  @Override
  public void onError(Throwable t) {
    Status s = Status.fromThrowable(t);
    lock.lock();
    try {
      if (failure == null) {
        String d = s.getDescription() == null ? "link failed" : s.getDescription();
        failure = new RendezvousException(s.getCode(), d, s.getCause());
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onCompleted() {
    lock.lock();
    try {
      serverCompleted = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- worker-facing operations

  void sendEnvelope(Envelope e) throws RendezvousException {
    lock.lock();
    try {
      checkOpen();
      requests.onNext(e);
    } finally {
      lock.unlock();
    }
  }

  /** Waits for Registered; false on timeout. */
  boolean awaitRegistered(Duration timeout) throws RendezvousException, InterruptedIOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!registered) {
        checkFailed();
        if (serverCompleted) {
          throw new RendezvousException(Status.Code.INTERNAL, "the rendezvous ended the link before Registered");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  int pendingAtRegistration() {
    lock.lock();
    try {
      return pendingAtRegistration;
    } finally {
      lock.unlock();
    }
  }

  /** Splits {@code payload} into pieces and writes them as flow control allows. */
  void sendMessage(String kind, byte[] payload) throws RendezvousException, InterruptedIOException {
    long hash = MessageHash.of(payload);
    long total = payload.length;
    sendMutex.lock();
    try {
      long id;
      lock.lock();
      try {
        checkOpen();
        id = nextMessageId++;
        undelivered.add(id);
      } finally {
        lock.unlock();
      }
      int offset = 0;
      do {
        int n = (int) Math.min(MessageAssembler.MAX_PIECE_BYTES, total - offset);
        boolean last = offset + n == total;
        Piece.Builder piece = Piece.newBuilder()
            .setMessageId(id)
            .setKind(kind)
            .setTotalBytes(total)
            .setOffset(offset)
            .setData(ByteString.copyFrom(payload, offset, n))
            .setLast(last);
        if (last) {
          piece.setHash(hash);
        }
        Envelope env = Envelope.newBuilder().setPiece(piece).build();
        lock.lock();
        try {
          while (true) {
            checkOpen();
            if (requests.isReady()) {
              break;
            }
            awaitNanos(Long.MAX_VALUE); // the onReady handler (or a failure) signals
          }
          requests.onNext(env);
        } finally {
          lock.unlock();
        }
        offset += n;
      } while (offset < total);
    } finally {
      sendMutex.unlock();
    }
  }

  /** Takes the oldest received message of {@code kind} and acknowledges it to the relay. */
  byte[] receive(String kind, Duration timeout)
      throws RendezvousException, InterruptedIOException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Received r = null;
    boolean resume = false;
    ClientCallStreamObserver<Envelope> req;
    lock.lock();
    try {
      while (r == null) {
        for (Iterator<Received> it = inbox.iterator(); it.hasNext(); ) {
          Received c = it.next();
          if (c.message().kind().equals(kind)) {
            it.remove();
            r = c;
            break;
          }
        }
        if (r != null) {
          break;
        }
        checkFailed();
        if (serverCompleted || halfClosed || cancelled) {
          throw new RendezvousException(Status.Code.CANCELLED,
              "link closed before a '" + kind + "' message arrived for job " + jobId + " chunk " + chunk);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("no '" + kind + "' message from chunk " + (chunk - 1) + " of job " + jobId
              + " within " + timeout.toMillis() + " ms");
        }
        awaitNanos(left);
      }
      inboxBytes -= r.message().totalBytes();
      if (starved && inboxBytes < INBOX_LIMIT_BYTES) {
        starved = false;
        resume = true;
      }
      req = requests;
      if (failure == null && !halfClosed && !cancelled && !serverCompleted) {
        requests.onNext(Envelope.newBuilder()
            .setDelivered(Delivered.newBuilder().setMessageId(r.relayId()).setToChunk(chunk))
            .build());
      }
    } finally {
      lock.unlock();
    }
    if (resume) {
      req.request(1);
    }
    return r.message().toByteArray();
  }

  /** Waits until the successor has taken every message sent so far. */
  void awaitDelivered(Duration timeout) throws RendezvousException, InterruptedIOException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!undelivered.isEmpty()) {
        checkFailed();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(undelivered.size() + " message(s) from job " + jobId + " chunk " + chunk
              + " not yet taken by chunk " + (chunk + 1) + " within " + timeout.toMillis() + " ms");
        }
        awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Half-closes and waits for the relay to end the stream: once this returns, every message sent
   * before it is held by the relay (or this throws the relay's reason why not).
   */
  void finish(Duration timeout) throws RendezvousException, InterruptedIOException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      if (!halfClosed && !cancelled && failure == null && !serverCompleted) {
        halfClosed = true;
        requests.onCompleted();
      }
      while (!serverCompleted) {
        checkFailed();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("the rendezvous did not close the link of job " + jobId + " chunk " + chunk
              + " within " + timeout.toMillis() + " ms");
        }
        awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Cancels the stream (if still open); later calls fail with CANCELLED. */
  void cancel(String why) {
    lock.lock();
    try {
      if (!cancelled) {
        // Even after the server ended the call: cancelling resets a stream whose outbound side
        // still has unsent bytes, so the channel can terminate at once. A no-op otherwise.
        cancelled = true;
        if (failure == null && !serverCompleted) {
          failure = new RendezvousException(Status.Code.CANCELLED, why);
        }
        requests.cancel(why, null);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void failLocally(Status.Code code, String message) {
    lock.lock();
    try {
      if (failure == null) {
        failure = new RendezvousException(code, message);
      }
      if (!cancelled) {
        cancelled = true;
        requests.cancel(message, null);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Throws (a fresh copy of) the failure, if any. Lock held. */
  private void checkFailed() throws RendezvousException {
    if (failure != null) {
      throw new RendezvousException(failure.code(), messageOf(failure), failure);
    }
  }

  /** Throws unless the stream can still carry outbound envelopes. Lock held. */
  private void checkOpen() throws RendezvousException {
    checkFailed();
    if (halfClosed || cancelled || serverCompleted) {
      throw new RendezvousException(Status.Code.CANCELLED,
          "the link of job " + jobId + " chunk " + chunk + " is closed");
    }
  }

  private static String messageOf(RendezvousException e) {
    String m = e.getMessage();
    String prefix = e.code() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  private void awaitNanos(long nanos) throws InterruptedIOException {
    try {
      changed.awaitNanos(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while waiting on the rendezvous link");
      io.initCause(e);
      throw io;
    }
  }
}
