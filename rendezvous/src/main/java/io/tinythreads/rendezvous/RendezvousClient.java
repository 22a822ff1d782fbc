package io.tinythreads.rendezvous;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.Register;
import io.tinythreads.proto.RendezvousGrpc;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's link to the rendezvous: registered as one (job, chunk), it sends messages to chunk + 1
 * and receives messages from chunk - 1 of the same job.
 *
 * <p>Messages: a {@code kind} (1..128 characters, e.g. "final-state") and a payload of up to ~2 GiB,
 * sent in pieces of at most 1 MiB with a 64-bit hash of the whole payload (first 8 bytes of SHA-256)
 * on the last piece. The relay checks the hash before holding a message and this client checks it
 * again before handing the payload over.
 *
 * <p>Guarantees: messages to the successor arrive whole, in the order sent, and once only per
 * successor registration. A message the relay holds survives this client closing or crashing
 * (until the relay's TTL, 600 s by default, if the successor never connects). A message received
 * here is acknowledged to the relay when {@link #receiveFromPredecessor} returns it; one that was
 * relayed but not yet taken when this client goes away is relayed again to the next registration
 * of this chunk (a replacement worker).
 *
 * <p>Thread-safe. Connecting by address is plaintext unless channel credentials are given
 * ({@link #connect(String, ChannelCredentials, String, int, String, boolean)}: TLS or mutual TLS);
 * {@link #connect(Channel, String, int, String, boolean)} takes any caller-built channel.
 */
public final class RendezvousClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RendezvousClient.class);
  /** How long {@code connect} waits for the relay to answer the registration (it waits for the channel to become ready meanwhile). */
  static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(30);
  /** How long {@link #close} waits for the relay to take everything that was sent. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final ManagedChannel ownedChannel;
  private final ClientLink link;
  private final String jobId;
  private final int chunkIndex;
  private final boolean hasSuccessor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RendezvousClient(ManagedChannel ownedChannel, ClientLink link, String jobId, int chunkIndex,
                           boolean hasSuccessor) {
    this.ownedChannel = ownedChannel;
    this.link = link;
    this.jobId = jobId;
    this.chunkIndex = chunkIndex;
    this.hasSuccessor = hasSuccessor;
  }

  /**
   * Connects (plaintext) to the relay at {@code hostPort} and registers.
   *
   * @param hasSuccessor false for the last chunk of a batch or job (it may not send)
   * @throws RendezvousException UNAUTHENTICATED for a bad token, DEADLINE_EXCEEDED if the relay did
   *     not answer within 30 s, or the relay's reason otherwise
   */
  public static RendezvousClient connect(String hostPort, String jobId, int chunkIndex, String token,
                                         boolean hasSuccessor) throws IOException {
    return connect(hostPort, InsecureChannelCredentials.create(), jobId, chunkIndex, token, hasSuccessor);
  }

  /**
   * Connects to the relay at {@code hostPort} with {@code credentials} (e.g. from
   * {@link io.tinythreads.tls.ClientTls#credentials()}: TLS, with a client certificate for a relay
   * that requires mutual TLS) and registers.
   */
  public static RendezvousClient connect(String hostPort, ChannelCredentials credentials, String jobId,
                                         int chunkIndex, String token, boolean hasSuccessor) throws IOException {
    if (hostPort == null || hostPort.isBlank()) {
      throw new IllegalArgumentException("hostPort: must be host:port, got '" + hostPort + "'");
    }
    Objects.requireNonNull(credentials, "credentials");
    ManagedChannel channel = NettyChannelBuilder.forTarget(hostPort, credentials)
        .maxInboundMessageSize(RendezvousServer.MAX_ENVELOPE_BYTES)
        .flowControlWindow(RendezvousServer.FLOW_CONTROL_WINDOW_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .build();
    try {
      return open(channel, channel, hostPort, jobId, chunkIndex, token, hasSuccessor);
    } catch (IOException | RuntimeException e) {
      channel.shutdownNow();
      throw e;
    }
  }

  /**
   * Registers over a caller-owned channel (e.g. one with TLS credentials, or an in-process channel);
   * {@link #close} leaves the channel open.
   */
  public static RendezvousClient connect(Channel channel, String jobId, int chunkIndex, String token,
                                         boolean hasSuccessor) throws IOException {
    return open(Objects.requireNonNull(channel, "channel"), null, channel.authority(), jobId, chunkIndex, token,
        hasSuccessor);
  }

  private static RendezvousClient open(Channel channel, ManagedChannel owned, String target, String jobId,
                                       int chunkIndex, String token, boolean hasSuccessor) throws IOException {
    if (jobId == null || jobId.isEmpty()) {
      throw new IllegalArgumentException("jobId: must not be empty");
    }
    if (chunkIndex < 0) {
      throw new IllegalArgumentException("chunkIndex: must be >= 0, got " + chunkIndex);
    }
    Objects.requireNonNull(token, "token");
    ClientLink link = new ClientLink(jobId, chunkIndex);
    // waitForReady: a worker may start before the relay's pod is up; REGISTER_TIMEOUT bounds the wait.
    RendezvousGrpc.newStub(channel).withWaitForReady().link(link);
    link.sendEnvelope(Envelope.newBuilder()
        .setRegister(Register.newBuilder()
            .setJobId(jobId)
            .setChunkIndex(chunkIndex)
            .setToken(token)
            .setHasSuccessor(hasSuccessor))
        .build());
    boolean ok;
    try {
      ok = link.awaitRegistered(REGISTER_TIMEOUT);
    } catch (IOException e) {
      link.cancel("registration failed");
      throw e;
    }
    if (!ok) {
      link.cancel("registration timed out");
      throw new RendezvousException(Status.Code.DEADLINE_EXCEEDED, "no answer to the registration of job " + jobId
          + " chunk " + chunkIndex + " from the rendezvous at " + target + " within "
          + REGISTER_TIMEOUT.toSeconds() + " s");
    }
    log.debug("registered with the rendezvous at {} as job {} chunk {} ({} message(s) waiting)", target, jobId,
        chunkIndex, link.pendingAtRegistration());
    return new RendezvousClient(owned, link, jobId, chunkIndex, hasSuccessor);
  }

  /**
   * Sends {@code payload} to chunk {@code chunkIndex() + 1}. Blocks while flow control holds it back
   * and returns once every piece has been written to the stream; the relay has then taken all but
   * at most one HTTP/2 window of it (call {@link #finish} or {@link #awaitDelivered} for more).
   * A refusal the relay sends after that (e.g. RESOURCE_EXHAUSTED) is thrown by the next call.
   *
   * @param kind what the message is, e.g. "final-state"; the receiver asks for it by this name
   * @throws IllegalStateException if this client registered with {@code hasSuccessor = false}
   * @throws RendezvousException if the link has failed or is closed
   */
  public void sendToSuccessor(String kind, byte[] payload) throws IOException {
    Objects.requireNonNull(payload, "payload");
    checkKind(kind);
    if (!hasSuccessor) {
      throw new IllegalStateException("job " + jobId + " chunk " + chunkIndex
          + " registered with hasSuccessor=false; it has no successor to send to");
    }
    link.sendMessage(kind, payload);
  }

  /**
   * Waits for the next message of {@code kind} from chunk {@code chunkIndex() - 1} and returns its
   * payload (hash checked). Messages of other kinds stay queued for their own calls.
   *
   * @throws TimeoutException if none arrives within {@code timeout}
   * @throws RendezvousException DATA_LOSS (naming both hashes) if a relayed message does not match
   *     its hash (the link is then closed), or the reason the link failed
   */
  public byte[] receiveFromPredecessor(String kind, Duration timeout) throws IOException, TimeoutException {
    checkKind(kind);
    Objects.requireNonNull(timeout, "timeout");
    return link.receive(kind, timeout);
  }

  /** Waits until chunk {@code chunkIndex() + 1} has taken every message this client sent. */
  public void awaitDelivered(Duration timeout) throws IOException, TimeoutException {
    link.awaitDelivered(timeout);
  }

  /**
   * Ends this client's side of the link and waits until the relay has processed everything sent;
   * throws the relay's refusal if it refused a message. After this only {@link #close} is useful.
   */
  public void finish(Duration timeout) throws IOException, TimeoutException {
    link.finish(timeout);
  }

  /** How many messages the relay held for this chunk when it registered. */
  public int pendingMessagesAtRegistration() {
    return link.pendingAtRegistration();
  }

  public String jobId() {
    return jobId;
  }

  public int chunkIndex() {
    return chunkIndex;
  }

  /**
   * Gracefully ends the link (as {@link #finish} with a 30 s limit, so messages already sent are not
   * lost), then cancels it if needed and shuts down the channel if this client created it.
   * Errors are logged, not thrown; call {@link #finish} first to see them.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      link.finish(CLOSE_TIMEOUT);
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
    } catch (RendezvousException e) {
      if (e.code() != Status.Code.CANCELLED) {
        log.info("rendezvous link of job {} chunk {} ended: {}", jobId, chunkIndex, e.getMessage());
      }
    } catch (TimeoutException e) {
      log.warn("{}", e.getMessage());
    } finally {
      link.cancel("client closed");
      if (ownedChannel != null) {
        // The link (the channel's only call) is over by now. shutdownNow, not shutdown: after the
        // relay refused a message mid-send, the HTTP/2 stream can stay half-open with unsent
        // flow-controlled bytes, and a graceful shutdown would wait for it.
        ownedChannel.shutdownNow();
        try {
          ownedChannel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void checkKind(String kind) {
    if (kind == null || kind.isEmpty() || kind.length() > MessageAssembler.MAX_KIND_LENGTH) {
      throw new IllegalArgumentException("kind: must be 1.." + MessageAssembler.MAX_KIND_LENGTH
          + " characters, got " + (kind == null ? "null" : "'" + kind + "'"));
    }
  }
}
