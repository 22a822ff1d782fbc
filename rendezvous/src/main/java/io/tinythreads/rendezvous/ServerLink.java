package io.tinythreads.rendezvous;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tinythreads.proto.Delivered;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.Piece;
import io.tinythreads.proto.Register;
import io.tinythreads.proto.Registered;
import io.tinythreads.rendezvous.RelayException.Reason;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one {@code Link} stream (STYLE habit 15): converts envelopes to calls on the
 * {@link RelayTable} and relayed pieces back to envelopes.
 *
 * <p>Concurrency: every event (gRPC callbacks, and the table's wake-ups through {@link
 * RelayTable.Endpoint}) runs on this stream's {@link SerialExecutor}, so the fields below need no
 * locks and outbound {@code onNext} calls are serialized. {@link #closed} makes closing idempotent
 * whichever side closes first.
 *
 * <p>Flow control, inbound: automatic requests are off; the stream asks gRPC for the next envelope
 * only after the previous one has been handled, and not at all while a message's reservation is
 * parked, so a sender cannot push more than one HTTP/2 window past what the table accepted.
 * Outbound: pieces are taken from the table only while {@code isReady()}, and the onReady handler
 * resumes the drain, so the server never queues more than the transport's small buffer for a slow
 * reader; the rest stays in the table (and counts against the job's budget).
 */
final class ServerLink implements StreamObserver<Envelope>, RelayTable.Endpoint {
  private static final Logger log = LoggerFactory.getLogger(ServerLink.class);
  static final int MAX_JOB_ID_LENGTH = 256;

  private final RelayTable table;
  private final JobTokens tokens;
  private final ServerCallStreamObserver<Envelope> out;
  private final Executor serial;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Confined to the serial executor.
  private RelayTable.Registration registration;
  private final MessageAssembler assembler = new MessageAssembler();
  private MessageAssembler.Fragment parked;
  private ScheduledFuture<?> registerTimer;

  private ServerLink(RelayTable table, JobTokens tokens, ServerCallStreamObserver<Envelope> out, Executor serial,
                     Runnable onClose) {
    this.table = table;
    this.tokens = tokens;
    this.out = out;
    this.serial = serial;
    this.onClose = onClose;
  }

  /**
   * Sets up flow control and handlers on {@code out}; must run inside the service method, before it
   * returns the inbound observer.
   *
   * @param onClose run once when the stream ends, whichever way
   */
  static ServerLink open(RelayTable table, JobTokens tokens, ServerCallStreamObserver<Envelope> out, Executor pool,
                         ScheduledExecutorService timer, Duration registerTimeout, Runnable onClose) {
    ServerLink link = new ServerLink(table, tokens, out, new SerialExecutor(pool), onClose);
    out.disableAutoRequest();
    out.setOnReadyHandler(() -> link.serial.execute(link::drain));
    out.setOnCancelHandler(() -> link.serial.execute(() -> link.peerGone(Status.CANCELLED)));
    link.registerTimer = timer.schedule(() -> link.serial.execute(() -> link.registerTimedOut(registerTimeout)),
        registerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    out.request(1);
    return link;
  }

  // ---- inbound gRPC events

  @Override
  public void onNext(Envelope envelope) {
    serial.execute(() -> handle(envelope));
  }

  @Override
  public void onError(Throwable t) {
    serial.execute(() -> peerGone(Status.fromThrowable(t)));
  }

  @Override
  public void onCompleted() {
    serial.execute(this::peerHalfClosed);
  }

  // ---- RelayTable.Endpoint: called under the table's lock, so only enqueue

  @Override
  public void piecesAvailable() {
    serial.execute(this::drain);
  }

  @Override
  public void reservationGranted() {
    serial.execute(this::resumeParked);
  }

  @Override
  public void delivered(long senderMessageId, int toChunk) {
    serial.execute(() -> send(Envelope.newBuilder()
        .setDelivered(Delivered.newBuilder().setMessageId(senderMessageId).setToChunk(toChunk))
        .build()));
  }

  @Override
  public void evicted(RelayException reason) {
    serial.execute(() -> fail(reason));
  }

  /** Ends the stream from the server side (e.g. shutdown). Safe from any thread. */
  void shutdown(String why) {
    serial.execute(() -> fail(new RelayException(Reason.ABORTED, why), Status.UNAVAILABLE));
  }

  // ---- handlers (serial executor)

  private void handle(Envelope e) {
    if (closed.get()) {
      return;
    }
    try {
      switch (e.getKindCase()) {
        case REGISTER -> onRegister(e.getRegister());
        case PIECE -> onPiece(e.getPiece());
        case DELIVERED -> onAcknowledge(e.getDelivered());
        case REGISTERED -> throw new RelayException(Reason.INVALID_ARGUMENT, "clients must not send Registered");
        case KIND_NOT_SET -> throw new RelayException(Reason.INVALID_ARGUMENT, "empty Envelope (no kind set)");
      }
    } catch (RelayException ex) {
      fail(ex);
    } catch (RuntimeException bug) {
      log.error("internal error handling {}", e.getKindCase(), bug);
      fail(new RelayException(Reason.INTERNAL, "internal error: " + bug));
    }
  }

  private void onRegister(Register r) {
    if (registration != null) {
      throw new RelayException(Reason.FAILED_PRECONDITION,
          "Register may be sent only once per stream (already " + registration + ")");
    }
    String job = r.getJobId();
    if (job.isEmpty() || job.length() > MAX_JOB_ID_LENGTH) {
      throw new RelayException(Reason.INVALID_ARGUMENT,
          "job_id must be 1.." + MAX_JOB_ID_LENGTH + " characters, got " + job.length());
    }
    if (r.getChunkIndex() < 0 || r.getChunkIndex() == Integer.MAX_VALUE) {
      throw new RelayException(Reason.INVALID_ARGUMENT, "chunk_index must be >= 0, got " + r.getChunkIndex());
    }
    if (!tokens.verify(job, r.getToken())) {
      throw new RelayException(Reason.UNAUTHENTICATED, "invalid token for job " + job);
    }
    if (registerTimer != null) {
      registerTimer.cancel(false);
    }
    RelayTable.Registered result = table.register(job, r.getChunkIndex(), r.getHasSuccessor(), this);
    registration = result.registration();
    log.info("registered job={} chunk={} hasSuccessor={} pending={}{}", job, r.getChunkIndex(),
        r.getHasSuccessor(), result.pendingMessages(), result.replacedAnother() ? " (replaced an older registration)" : "");
    send(Envelope.newBuilder()
        .setRegistered(Registered.newBuilder().setPendingMessages(result.pendingMessages()))
        .build());
    out.request(1);
    drain();
  }

  private void onPiece(Piece p) {
    RelayTable.Registration reg = requireRegistered("Piece");
    if (!reg.hasSuccessor) {
      throw new RelayException(Reason.FAILED_PRECONDITION,
          reg + " registered with has_successor=false; it may not send pieces");
    }
    // from_chunk is the server's to set; whatever the client put there is ignored.
    MessageAssembler.Fragment f = new MessageAssembler.Fragment(p.getMessageId(), p.getKind(), p.getTotalBytes(),
        p.getOffset(), p.getData(), p.getLast(), p.getHash());
    if (!assembler.inProgress()) {
      MessageAssembler.checkFirst(f);
      if (!table.reserve(reg, f.totalBytes())) {
        parked = f; // no request(1): the sender waits until the table grants or refuses
        log.debug("{}: message {} of {} bytes parked until budget frees", reg, f.messageId(), f.totalBytes());
        return;
      }
    }
    acceptPiece(f);
    out.request(1);
  }

  private void acceptPiece(MessageAssembler.Fragment f) {
    assembler.accept(f).ifPresent(m -> {
      table.commit(registration, m);
      log.debug("{}: held message {} '{}' of {} bytes for chunk {}", registration, m.messageId(), m.kind(),
          m.totalBytes(), registration.chunk + 1);
    });
  }

  private void resumeParked() {
    if (closed.get() || parked == null) {
      return;
    }
    MessageAssembler.Fragment f = parked;
    parked = null;
    try {
      acceptPiece(f);
      out.request(1);
    } catch (RelayException ex) {
      fail(ex);
    }
  }

  private void onAcknowledge(Delivered d) {
    RelayTable.Registration reg = requireRegistered("Delivered");
    table.acknowledge(reg, d.getMessageId());
    out.request(1);
  }

  private RelayTable.Registration requireRegistered(String what) {
    if (registration == null) {
      throw new RelayException(Reason.FAILED_PRECONDITION, "the first Envelope must be Register, got " + what);
    }
    return registration;
  }

  private void drain() {
    if (closed.get() || registration == null) {
      return;
    }
    while (out.isReady()) {
      RelayTable.Outgoing o = table.nextPiece(registration);
      if (o == null) {
        return;
      }
      Piece.Builder p = Piece.newBuilder()
          .setMessageId(o.relayId())
          .setKind(o.kind())
          .setTotalBytes(o.totalBytes())
          .setOffset(o.offset())
          .setData(o.data())
          .setLast(o.last())
          .setFromChunk(o.fromChunk());
      if (o.last()) {
        p.setHash(o.hash());
      }
      out.onNext(Envelope.newBuilder().setPiece(p).build());
    }
    // Not ready: the onReady handler calls drain() again.
  }

  private void send(Envelope e) {
    if (!closed.get()) {
      out.onNext(e);
    }
  }

  private void registerTimedOut(Duration timeout) {
    if (registration == null && !closed.get()) {
      fail(new RelayException(Reason.DEADLINE_EXCEEDED, "no Register within " + timeout.toMillis() + " ms"));
    }
  }

  // ---- closing (serial executor)

  private void fail(RelayException ex) {
    fail(ex, toStatus(ex.reason()));
  }

  private void fail(RelayException ex, Status status) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    String who = registration == null ? "unregistered stream" : registration.toString();
    if (ex.reason() == Reason.ABORTED) {
      log.info("{}: closing: {}", who, ex.getMessage());
    } else {
      log.warn("{}: closing with {}: {}", who, status.getCode(), ex.getMessage());
    }
    release();
    out.onError(status.withDescription(ex.getMessage()).asRuntimeException());
  }

  private void peerGone(Status status) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    String who = registration == null ? "unregistered stream" : registration.toString();
    if (status.getCode() == Status.Code.CANCELLED) {
      log.debug("{}: cancelled by the client", who); // a normal way for a worker to leave
    } else {
      log.info("{}: stream failed: {}", who, status);
    }
    release();
  }

  private void peerHalfClosed() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (assembler.inProgress()) {
      log.warn("{}: half-closed in the middle of a message; discarding it", registration);
    }
    log.debug("{}: closed by the client", registration);
    release();
    out.onCompleted();
  }

  private void release() {
    parked = null;
    if (registerTimer != null) {
      registerTimer.cancel(false);
    }
    if (registration != null) {
      table.detach(registration);
    }
    onClose.run();
  }

  static Status toStatus(Reason reason) {
    return switch (reason) {
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case DATA_LOSS -> Status.DATA_LOSS;
      case ABORTED -> Status.ABORTED;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case INTERNAL -> Status.INTERNAL;
    };
  }
}
