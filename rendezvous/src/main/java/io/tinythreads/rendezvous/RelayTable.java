package io.tinythreads.rendezvous;

import com.google.protobuf.ByteString;
import io.tinythreads.rendezvous.RelayException.Reason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The relay's state, independent of any transport: who is connected as which (job, chunk), which
 * complete messages wait for which chunk, and how many bytes each job holds. The gRPC adapter
 * ({@link ServerLink}) drives it; unit tests drive it directly with fake {@link Endpoint}s.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Routing.</b> A message from chunk k of job J goes to chunk k+1 of job J, nowhere else. The
 *       sender names no destination.
 *   <li><b>Store and forward.</b> A message becomes deliverable only once it is complete and its hash
 *       checked. It then survives its sender: the predecessor may quit right after sending.
 *   <li><b>Order.</b> Messages for one chunk are relayed in the order they completed, each one's
 *       pieces contiguously; the receiver sees one message at a time.
 *   <li><b>Acknowledgement.</b> A relayed message stays in the table until the receiver acknowledges it
 *       (the client does so when the worker takes it with {@code receiveFromPredecessor}); the table
 *       then tells the sender, if it is still connected, with {@link Endpoint#delivered}. If the
 *       receiver goes away first, every unacknowledged message goes back to the front of its queue
 *       and is relayed again, from its first byte, to the next registration of that chunk.
 *   <li><b>Replacement.</b> A Register for a (job, chunk) that is already connected replaces the old
 *       registration: the old one is evicted (ABORTED); what it had sent completely stays queued; a
 *       message it was still sending is discarded; messages it had received but not acknowledged are
 *       relayed again to the new registration.
 *   <li><b>Budget.</b> Each job may hold at most {@code maxHeldBytesPerJob} bytes that have not yet been
 *       relayed completely: reservations for messages being received (the whole declared size,
 *       reserved at their first piece) plus queued messages. Bytes stop counting once the last piece
 *       of a message has been handed to the receiver's stream (from then on the receiver's flow
 *       control bounds them); they count again if the message is re-queued. A message that does not
 *       fit waits ("parks", and the adapter stops reading from that sender) if its receiver is
 *       connected and has queued bytes to drain, since they will free budget; otherwise it is
 *       refused with RESOURCE_EXHAUSTED. Relayed but unacknowledged copies are bounded too: the relay
 *       starts no new message for a receiver whose unacknowledged messages would then exceed
 *       {@code maxHeldBytesPerJob}, until it acknowledges some.
 *   <li><b>TTL.</b> A queued message whose chunk has had no live registration for {@code ttl} (counted
 *       from when it completed, or from when the chunk's last registration left) is dropped.
 * </ul>
 *
 * <p>Thread-safety: every method locks the table. {@link Endpoint} methods are called while the lock
 * is held, so implementations must only enqueue work (never block, never call back into the table
 * synchronously).
 */
final class RelayTable {

  /** What the table needs from a registered party. Every method must return quickly without calling back into the table. */
  interface Endpoint {
    /** Messages are queued for this party as a receiver: call {@link #nextPiece} while its stream can take more. */
    void piecesAvailable();

    /** A parked reservation ({@link #reserve} returned false) was granted: go on receiving that message. */
    void reservationGranted();

    /** The receiver acknowledged a message this party sent. */
    void delivered(long senderMessageId, int toChunk);

    /** The table has dropped this party (replaced, or its parked message can no longer fit). The adapter closes the stream and calls {@link #detach}. */
    void evicted(RelayException reason);
  }

  /** One live registration of (job, chunk). Fields other than the finals are guarded by the table. */
  static final class Registration {
    final String jobId;
    final int chunk;
    final boolean hasSuccessor;
    final Endpoint endpoint;
    private boolean live = true;
    private boolean reserved;
    private long reservedBytes;
    private boolean parked;
    private long parkedBytes;

    private Registration(String jobId, int chunk, boolean hasSuccessor, Endpoint endpoint) {
      this.jobId = jobId;
      this.chunk = chunk;
      this.hasSuccessor = hasSuccessor;
      this.endpoint = endpoint;
    }

    @Override
    public String toString() {
      return "job " + jobId + " chunk " + chunk;
    }
  }

  /** Result of {@link #register}. */
  record Registered(Registration registration, int pendingMessages, boolean replacedAnother) {}

  /** A piece on its way to a receiver. {@code relayId} identifies the message for acknowledgement. */
  record Outgoing(long relayId, int fromChunk, long senderMessageId, String kind, long totalBytes, long offset,
                  ByteString data, boolean last, long hash) {}

  private static final class HeldMessage {
    final long relayId;
    final Registration sender;
    final MessageAssembler.Message message;
    long heldSinceNanos;

    HeldMessage(long relayId, Registration sender, MessageAssembler.Message message, long heldSinceNanos) {
      this.relayId = relayId;
      this.sender = sender;
      this.message = message;
      this.heldSinceNanos = heldSinceNanos;
    }
  }

  /** Messages for one receiving chunk. */
  private static final class Mailbox {
    /** Complete messages not yet relayed completely; the head may be partly relayed. */
    final ArrayDeque<HeldMessage> queued = new ArrayDeque<>();
    /** Relayed completely, awaiting the receiver's acknowledgement; in relay order. */
    final LinkedHashMap<Long, HeldMessage> awaitingAck = new LinkedHashMap<>();
    long awaitingAckBytes;
    int nextPiece;
    long nextOffset;

    boolean isEmpty() {
      return queued.isEmpty() && awaitingAck.isEmpty();
    }
  }

  private static final class JobState {
    final Map<Integer, Registration> live = new HashMap<>();
    final Map<Integer, Mailbox> mailboxes = new HashMap<>();
    final ArrayDeque<Registration> parked = new ArrayDeque<>();
    long heldBytes;
  }

  private final LongSupplier nanoTicker;
  private final long ttlNanos;
  private final long maxHeldBytesPerJob;
  private final Map<String, JobState> jobs = new HashMap<>();
  private long nextRelayId = 1;

  /**
   * @param nanoTicker monotonic nanoseconds ({@code System::nanoTime}; tests inject a fake)
   * @param ttl how long a message may wait for a receiver that is not connected
   * @param maxHeldBytesPerJob the per-job budget described in the class comment
   */
  RelayTable(LongSupplier nanoTicker, Duration ttl, long maxHeldBytesPerJob) {
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: must be positive, got " + ttl);
    }
    if (maxHeldBytesPerJob <= 0) {
      throw new IllegalArgumentException("maxHeldBytesPerJob: must be positive, got " + maxHeldBytesPerJob);
    }
    this.ttlNanos = ttl.toNanos();
    this.maxHeldBytesPerJob = maxHeldBytesPerJob;
  }

  /**
   * Registers {@code endpoint} as (jobId, chunk). Expired messages of the job are dropped first, so
   * a late receiver never sees a message older than the TTL. If messages are queued for the chunk,
   * {@link Endpoint#piecesAvailable} is signalled.
   */
  synchronized Registered register(String jobId, int chunk, boolean hasSuccessor, Endpoint endpoint) {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(endpoint, "endpoint");
    if (chunk < 0 || chunk == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("chunk: must be 0.." + (Integer.MAX_VALUE - 1) + ", got " + chunk);
    }
    long now = nanoTicker.getAsLong();
    JobState job = jobs.get(jobId);
    if (job != null) {
      expireLocked(job, now);
    } else {
      job = new JobState();
      jobs.put(jobId, job);
    }
    Registration reg = new Registration(jobId, chunk, hasSuccessor, endpoint);
    Registration old = job.live.get(chunk);
    if (old != null) {
      detachLocked(job, old, now);
      old.endpoint.evicted(new RelayException(Reason.ABORTED,
          "replaced by a newer registration of job " + jobId + " chunk " + chunk));
    }
    job.live.put(chunk, reg);
    Mailbox box = job.mailboxes.get(chunk);
    int pending = box == null ? 0 : box.queued.size();
    if (pending > 0) {
      endpoint.piecesAvailable();
    }
    // A receiver arriving may let parked senders towards it keep waiting instead of failing; nothing to do now.
    return new Registered(reg, pending, old != null);
  }

  /**
   * Reserves budget for a message of {@code totalBytes} that {@code sender} is starting to send.
   *
   * @return true if granted; false if parked (the table calls {@link Endpoint#reservationGranted} or
   *     {@link Endpoint#evicted} later)
   * @throws RelayException ABORTED if the registration is no longer current, FAILED_PRECONDITION if it
   *     has no successor, RESOURCE_EXHAUSTED if the message cannot fit
   */
  synchronized boolean reserve(Registration sender, long totalBytes) {
    JobState job = requireLive(sender);
    if (!sender.hasSuccessor) {
      throw new RelayException(Reason.FAILED_PRECONDITION, sender
          + " registered with has_successor=false; it may not send");
    }
    if (sender.reserved || sender.parked) {
      throw new IllegalStateException(sender + " already has a message in progress");
    }
    if (totalBytes < 0) {
      throw new IllegalArgumentException("totalBytes: must be >= 0, got " + totalBytes);
    }
    if (totalBytes > maxHeldBytesPerJob) {
      throw new RelayException(Reason.RESOURCE_EXHAUSTED, "message of " + totalBytes
          + " bytes from " + sender + " exceeds maxHeldBytesPerJob=" + maxHeldBytesPerJob);
    }
    if (job.heldBytes + totalBytes <= maxHeldBytesPerJob) {
      grantLocked(job, sender, totalBytes);
      return true;
    }
    if (canWaitLocked(job, sender.chunk + 1)) {
      sender.parked = true;
      sender.parkedBytes = totalBytes;
      job.parked.addLast(sender);
      return false;
    }
    throw exhausted(job, sender, totalBytes);
  }

  /**
   * Queues a complete message from {@code sender} (whose reservation must match its size) for chunk
   * {@code sender.chunk + 1}.
   *
   * @throws RelayException ABORTED if the registration is no longer current (its reservation was released then)
   */
  synchronized void commit(Registration sender, MessageAssembler.Message message) {
    JobState job = requireLive(sender);
    if (!sender.reserved || sender.reservedBytes != message.totalBytes()) {
      throw new IllegalStateException(sender + ": commit of " + message.totalBytes()
          + " bytes without a matching reservation");
    }
    sender.reserved = false;
    sender.reservedBytes = 0;
    // The reserved bytes stay in job.heldBytes: they now belong to the queued message.
    int to = sender.chunk + 1;
    Mailbox box = job.mailboxes.computeIfAbsent(to, k -> new Mailbox());
    box.queued.addLast(new HeldMessage(nextRelayId++, sender, message, nanoTicker.getAsLong()));
    Registration receiver = job.live.get(to);
    if (receiver != null) {
      receiver.endpoint.piecesAvailable();
    }
  }

  /**
   * The next piece to relay to {@code receiver}, or null if none is queued. Taking the last piece
   * of a message moves it to "awaiting acknowledgement" and releases its budget.
   */
  synchronized Outgoing nextPiece(Registration receiver) {
    if (!receiver.live) {
      return null;
    }
    JobState job = jobs.get(receiver.jobId);
    Mailbox box = job.mailboxes.get(receiver.chunk);
    if (box == null || box.queued.isEmpty()) {
      return null;
    }
    HeldMessage held = box.queued.peekFirst();
    MessageAssembler.Message m = held.message;
    if (box.nextPiece == 0 && !box.awaitingAck.isEmpty()
        && box.awaitingAckBytes + m.totalBytes() > maxHeldBytesPerJob) {
      // A receiver that does not acknowledge cannot make the relay keep relayed copies without bound:
      // wait for acknowledgements (acknowledge() wakes the receiver) before starting another message.
      return null;
    }
    ByteString data = m.pieces().get(box.nextPiece);
    boolean last = box.nextPiece == m.pieces().size() - 1;
    Outgoing out = new Outgoing(held.relayId, held.sender.chunk, m.messageId(), m.kind(), m.totalBytes(),
        box.nextOffset, data, last, last ? m.hash() : 0L);
    if (last) {
      box.queued.pollFirst();
      box.nextPiece = 0;
      box.nextOffset = 0;
      box.awaitingAck.put(held.relayId, held);
      box.awaitingAckBytes += m.totalBytes();
      job.heldBytes -= m.totalBytes();
      retryParkedLocked(job);
    } else {
      box.nextPiece++;
      box.nextOffset += data.size();
    }
    return out;
  }

  /**
   * The receiver has the complete message {@code relayId}: forget it and tell its sender.
   *
   * @throws RelayException INVALID_ARGUMENT if no such message awaits this receiver's acknowledgement
   */
  synchronized void acknowledge(Registration receiver, long relayId) {
    if (!receiver.live) {
      return; // a stale acknowledgement racing a replacement; the message was re-queued
    }
    JobState job = jobs.get(receiver.jobId);
    Mailbox box = job.mailboxes.get(receiver.chunk);
    HeldMessage held = box == null ? null : box.awaitingAck.remove(relayId);
    if (held == null) {
      throw new RelayException(Reason.INVALID_ARGUMENT, receiver + " acknowledged message " + relayId
          + ", which is not awaiting its acknowledgement");
    }
    box.awaitingAckBytes -= held.message.totalBytes();
    if (held.sender.live) {
      held.sender.endpoint.delivered(held.message.messageId(), receiver.chunk);
    }
    if (box.isEmpty()) {
      job.mailboxes.remove(receiver.chunk);
    } else if (!box.queued.isEmpty()) {
      receiver.endpoint.piecesAvailable(); // nextPiece may have paused for acknowledgements
    }
  }

  /**
   * Removes a registration (its stream ended, failed or was evicted). Idempotent, and harmless for a
   * registration that was already replaced. A message it was sending is discarded; messages relayed
   * to it but not acknowledged are re-queued.
   */
  synchronized void detach(Registration reg) {
    JobState job = jobs.get(reg.jobId);
    if (job == null || !reg.live) {
      return;
    }
    detachLocked(job, reg, nanoTicker.getAsLong());
    removeIfIdleLocked(reg.jobId, job);
  }

  /** Drops expired messages in every job; returns how many were dropped. */
  synchronized int expire() {
    long now = nanoTicker.getAsLong();
    int dropped = 0;
    for (Iterator<Map.Entry<String, JobState>> it = jobs.entrySet().iterator(); it.hasNext(); ) {
      JobState job = it.next().getValue();
      dropped += expireLocked(job, now);
      if (isIdle(job)) {
        it.remove();
      }
    }
    return dropped;
  }

  // Visible for testing.
  synchronized long heldBytes(String jobId) {
    JobState job = jobs.get(jobId);
    return job == null ? 0 : job.heldBytes;
  }

  // Visible for testing.
  synchronized int queuedMessages(String jobId, int chunk) {
    JobState job = jobs.get(jobId);
    Mailbox box = job == null ? null : job.mailboxes.get(chunk);
    return box == null ? 0 : box.queued.size() + box.awaitingAck.size();
  }

  // Visible for testing.
  synchronized int jobCount() {
    return jobs.size();
  }

  private JobState requireLive(Registration reg) {
    JobState job = jobs.get(reg.jobId);
    if (!reg.live || job == null) {
      throw new RelayException(Reason.ABORTED, reg + ": registration is no longer current");
    }
    return job;
  }

  private void grantLocked(JobState job, Registration sender, long bytes) {
    job.heldBytes += bytes;
    sender.reserved = true;
    sender.reservedBytes = bytes;
  }

  /** A parked sender may wait only for a receiver that is connected and has queued bytes to drain. */
  private static boolean canWaitLocked(JobState job, int toChunk) {
    Mailbox box = job.mailboxes.get(toChunk);
    return job.live.containsKey(toChunk) && box != null && !box.queued.isEmpty();
  }

  private RelayException exhausted(JobState job, Registration sender, long bytes) {
    Registration receiver = job.live.get(sender.chunk + 1);
    return new RelayException(Reason.RESOURCE_EXHAUSTED, "job " + sender.jobId + " already holds "
        + job.heldBytes + " bytes (maxHeldBytesPerJob=" + maxHeldBytesPerJob + "); cannot hold a message of "
        + bytes + " bytes from chunk " + sender.chunk + " for chunk " + (sender.chunk + 1)
        + (receiver == null ? ", which is not connected" : ""));
  }

  private void retryParkedLocked(JobState job) {
    for (Iterator<Registration> it = job.parked.iterator(); it.hasNext(); ) {
      Registration r = it.next();
      if (job.heldBytes + r.parkedBytes <= maxHeldBytesPerJob) {
        it.remove();
        r.parked = false;
        grantLocked(job, r, r.parkedBytes);
        r.endpoint.reservationGranted();
      } else if (!canWaitLocked(job, r.chunk + 1)) {
        it.remove();
        r.parked = false;
        r.endpoint.evicted(exhausted(job, r, r.parkedBytes));
      }
    }
  }

  private void detachLocked(JobState job, Registration reg, long now) {
    reg.live = false;
    job.live.remove(reg.chunk, reg);
    if (reg.reserved) {
      job.heldBytes -= reg.reservedBytes;
      reg.reserved = false;
      reg.reservedBytes = 0;
    }
    if (reg.parked) {
      job.parked.remove(reg);
      reg.parked = false;
    }
    Mailbox box = job.mailboxes.get(reg.chunk);
    if (box != null) {
      // Re-queue what was relayed but not acknowledged, ahead of the rest and in relay order; a
      // partly relayed head starts again from its first byte.
      List<HeldMessage> back = new ArrayList<>(box.awaitingAck.values());
      box.awaitingAck.clear();
      box.awaitingAckBytes = 0;
      for (int i = back.size() - 1; i >= 0; i--) {
        HeldMessage h = back.get(i);
        job.heldBytes += h.message.totalBytes();
        box.queued.addFirst(h);
      }
      box.nextPiece = 0;
      box.nextOffset = 0;
      // The TTL counts from the moment the chunk is left without a receiver.
      for (HeldMessage h : box.queued) {
        h.heldSinceNanos = now;
      }
    }
    retryParkedLocked(job);
  }

  private int expireLocked(JobState job, long now) {
    int dropped = 0;
    for (Iterator<Map.Entry<Integer, Mailbox>> it = job.mailboxes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Mailbox> e = it.next();
      if (job.live.containsKey(e.getKey())) {
        continue; // a connected receiver is draining this mailbox
      }
      Mailbox box = e.getValue();
      for (Iterator<HeldMessage> m = box.queued.iterator(); m.hasNext(); ) {
        HeldMessage h = m.next();
        if (now - h.heldSinceNanos >= ttlNanos) {
          m.remove();
          job.heldBytes -= h.message.totalBytes();
          dropped++;
        }
      }
      if (box.isEmpty()) {
        it.remove();
      }
    }
    if (dropped > 0) {
      retryParkedLocked(job);
    }
    return dropped;
  }

  private void removeIfIdleLocked(String jobId, JobState job) {
    job.mailboxes.values().removeIf(Mailbox::isEmpty);
    if (isIdle(job)) {
      jobs.remove(jobId);
    }
  }

  private static boolean isIdle(JobState job) {
    return job.live.isEmpty() && job.mailboxes.isEmpty() && job.parked.isEmpty() && job.heldBytes == 0;
  }
}
