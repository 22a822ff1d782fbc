package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tinythreads.proto.Delivered;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.Piece;
import io.tinythreads.proto.RendezvousGrpc;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay over real gRPC on loopback (Netty, 127.0.0.1, ephemeral port). */
class RendezvousServerTest {
  private static final int MIB = 1 << 20;
  private static final JobTokens TOKENS = JobTokens.random();
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration LONG = Duration.ofSeconds(10);

  private final AtomicLong ticker = new AtomicLong(0);
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private RendezvousServer server;

  private RendezvousServer start(long maxHeldBytesPerJob) throws Exception {
    RendezvousConfig cfg = RendezvousConfig.defaults(TOKENS).withMaxHeldBytesPerJob(maxHeldBytesPerJob);
    server = RendezvousServer.start(cfg, false, ticker::get);
    return server;
  }

  private RendezvousServer start() throws Exception {
    return start(RendezvousConfig.DEFAULT_MAX_HELD_BYTES_PER_JOB);
  }

  private RendezvousClient client(String job, int chunk, boolean hasSuccessor) throws Exception {
    RendezvousClient c = RendezvousClient.connect(server.address(), job, chunk, TOKENS.tokenFor(job), hasSuccessor);
    cleanup.add(c);
    return c;
  }

  private ManagedChannel channel() {
    ManagedChannel ch = NettyChannelBuilder.forTarget(server.address()).usePlaintext()
        .flowControlWindow(RendezvousServer.FLOW_CONTROL_WINDOW_BYTES).build();
    cleanup.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return ch;
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Status.Code codeOf(Throwable t) {
    assertThat(t).isInstanceOf(RendezvousException.class);
    return ((RendezvousException) t).code();
  }

  // ---- authentication and protocol order

  @Test
  void badTokenIsRefusedAsUnauthenticated() throws Exception {
    start();
    assertThatThrownBy(() -> RendezvousClient.connect(server.address(), "job-a", 0, "forged", true))
        .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Status.Code.UNAUTHENTICATED))
        .hasMessageContaining("invalid token for job job-a");
    // A real token for another job does not open this one.
    assertThatThrownBy(() -> RendezvousClient.connect(server.address(), "job-a", 0, TOKENS.tokenFor("job-b"), true))
        .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(server.table().jobCount()).isZero();
  }

  @Test
  void registerMustComeFirstAndOnlyOnce() throws Exception {
    start();
    RawLink early = RawLink.open(channel());
    early.sendPiece(1, "k", new byte[3], MessageHash.of(new byte[3]), 0);
    Status s = early.awaitClose();
    assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(s.getDescription()).contains("first Envelope must be Register");

    RawLink twice = RawLink.open(channel());
    twice.registerOk("j", 0, TOKENS.tokenFor("j"), true);
    twice.register("j", 1, TOKENS.tokenFor("j"), true);
    s = twice.awaitClose();
    assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(s.getDescription()).contains("only once");
  }

  @Test
  void lastChunkMayNotSend() throws Exception {
    start();
    RawLink last = RawLink.open(channel());
    last.registerOk("j", 4, TOKENS.tokenFor("j"), false);
    last.sendPiece(1, "k", new byte[3], MessageHash.of(new byte[3]), 0);
    Status s = last.awaitClose();
    assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(s.getDescription()).contains("has_successor=false");

    RendezvousClient c = client("j", 4, false);
    assertThatThrownBy(() -> c.sendToSuccessor("k", new byte[1])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void corruptMessageFromASenderIsRefusedAsDataLoss() throws Exception {
    start();
    RawLink sender = RawLink.open(channel());
    sender.registerOk("j", 0, TOKENS.tokenFor("j"), true);
    sender.sendPiece(1, "k", "abc".getBytes(), 42L, 0);
    Status s = sender.awaitClose();
    assertThat(s.getCode()).isEqualTo(Status.Code.DATA_LOSS);
    assertThat(s.getDescription()).contains(MessageHash.hex(42L)).contains(MessageHash.hex(MessageHash.of("abc".getBytes())));
    assertThat(server.table().queuedMessages("j", 1)).isZero();
  }

  // ---- routing

  @Test
  void messagesGoOnlyToTheSuccessorAndTheServerNamesTheSender() throws Exception {
    start();
    RendezvousClient c0 = client("j", 0, true);
    RendezvousClient c2 = client("j", 2, true);
    RawLink c1 = RawLink.open(channel());
    c1.registerOk("j", 1, TOKENS.tokenFor("j"), true);
    RawLink c3 = RawLink.open(channel());
    c3.registerOk("j", 3, TOKENS.tokenFor("j"), false);

    c0.sendToSuccessor("state", "for-1".getBytes());
    // A sender cannot claim to be someone else: from_chunk is overwritten by the server.
    c2.sendToSuccessor("state", "for-3".getBytes());

    Piece p1 = c1.next().getPiece();
    assertThat(p1.getData().toStringUtf8()).isEqualTo("for-1");
    assertThat(p1.getFromChunk()).isZero();
    Piece p3 = c3.next().getPiece();
    assertThat(p3.getData().toStringUtf8()).isEqualTo("for-3");
    assertThat(p3.getFromChunk()).isEqualTo(2);

    RawLink spoof = RawLink.open(channel());
    spoof.registerOk("j2", 0, TOKENS.tokenFor("j2"), true);
    RawLink victim = RawLink.open(channel());
    victim.registerOk("j2", 1, TOKENS.tokenFor("j2"), false);
    spoof.sendPiece(5, "state", "x".getBytes(), MessageHash.of("x".getBytes()), 7);
    assertThat(victim.next().getPiece().getFromChunk()).isZero();

    Thread.sleep(100);
    assertThat(c1.received).isEmpty();
    assertThat(c3.received).isEmpty();
    assertThatThrownBy(() -> c2.receiveFromPredecessor("state", SHORT)).isInstanceOf(TimeoutException.class);
  }

  @Test
  void twoJobsAreIsolated() throws Exception {
    start();
    RendezvousClient a0 = client("job-a", 0, true);
    RendezvousClient b0 = client("job-b", 0, true);
    RendezvousClient a1 = client("job-a", 1, false);
    RendezvousClient b1 = client("job-b", 1, false);

    a0.sendToSuccessor("state", "A".getBytes());
    b0.sendToSuccessor("state", "B".getBytes());

    assertThat(new String(b1.receiveFromPredecessor("state", LONG))).isEqualTo("B");
    assertThat(new String(a1.receiveFromPredecessor("state", LONG))).isEqualTo("A");
    assertThatThrownBy(() -> a1.receiveFromPredecessor("state", SHORT)).isInstanceOf(TimeoutException.class);
  }

  // ---- holding

  @Test
  void heldMessagesReachALateSuccessorAfterTheSenderLeft() throws Exception {
    start();
    byte[] big = random(3 * MIB + 17, 1);
    RendezvousClient c0 = client("j", 0, true);
    c0.sendToSuccessor("final-state", big);
    c0.sendToSuccessor("note", "after".getBytes());
    c0.sendToSuccessor("final-state", "second".getBytes());
    c0.close();

    RendezvousClient c1 = client("j", 1, false);

    assertThat(c1.pendingMessagesAtRegistration()).isEqualTo(3);
    assertThat(c1.receiveFromPredecessor("final-state", LONG)).isEqualTo(big);
    assertThat(new String(c1.receiveFromPredecessor("final-state", LONG))).isEqualTo("second");
    assertThat(new String(c1.receiveFromPredecessor("note", LONG))).isEqualTo("after");
  }

  @Test
  void senderLearnsOfDelivery() throws Exception {
    start();
    RendezvousClient c0 = client("j", 0, true);
    RendezvousClient c1 = client("j", 1, false);
    c0.sendToSuccessor("s", "x".getBytes());
    assertThatThrownBy(() -> c0.awaitDelivered(SHORT)).isInstanceOf(TimeoutException.class)
        .hasMessageContaining("not yet taken");

    c1.receiveFromPredecessor("s", LONG);

    c0.awaitDelivered(LONG);
  }

  @Test
  void ttlDropsMessagesForASuccessorThatNeverCame() throws Exception {
    start();
    Duration ttl = RendezvousConfig.DEFAULT_TTL;
    RendezvousClient a0 = client("expired", 0, true);
    RendezvousClient b0 = client("kept", 0, true);
    a0.sendToSuccessor("s", "old".getBytes());
    b0.sendToSuccessor("s", "fresh".getBytes());
    a0.finish(LONG);
    b0.finish(LONG);

    ticker.addAndGet(ttl.toNanos() - 1);
    RendezvousClient b1 = client("kept", 1, false);
    assertThat(new String(b1.receiveFromPredecessor("s", LONG))).isEqualTo("fresh");

    ticker.addAndGet(1);
    RendezvousClient a1 = client("expired", 1, false);
    assertThat(a1.pendingMessagesAtRegistration()).isZero();
    assertThatThrownBy(() -> a1.receiveFromPredecessor("s", SHORT)).isInstanceOf(TimeoutException.class);
    assertThat(server.table().heldBytes("expired")).isZero();
  }

  @Test
  void heldBytesBudgetRefusesTheSenderAndKeepsWhatItAlreadyHeld() throws Exception {
    start(3L * MIB);
    byte[] first = random(2 * MIB, 2);
    RendezvousClient c0 = client("j", 0, true);
    c0.sendToSuccessor("s", first);

    assertThatThrownBy(() -> {
      c0.sendToSuccessor("s", random(2 * MIB, 3));
      c0.finish(LONG); // the refusal may arrive after sendToSuccessor returned
    }).satisfies(t -> assertThat(codeOf(t)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
        .hasMessageContaining("maxHeldBytesPerJob=" + 3L * MIB)
        .hasMessageContaining("not connected");
    assertThatThrownBy(() -> c0.sendToSuccessor("s", new byte[1])).isInstanceOf(RendezvousException.class);

    RendezvousClient c1 = client("j", 1, false);
    assertThat(c1.pendingMessagesAtRegistration()).isEqualTo(1);
    assertThat(c1.receiveFromPredecessor("s", LONG)).isEqualTo(first);
  }

  @Test
  void flowControlHoldsAFastSenderBackWhileTheReceiverDoesNotRead() throws Exception {
    long budget = 4L * MIB;
    start(budget);
    RawLink slow = RawLink.open(channel(), 1); // reads Registered, then nothing
    slow.registerOk("j", 1, TOKENS.tokenFor("j"), false);
    RendezvousClient c0 = client("j", 0, true);
    int messages = 12;
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      sent.add(random(2 * MIB, 100 + i));
    }
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      try {
        for (byte[] m : sent) {
          c0.sendToSuccessor("s", m);
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });

    Thread.sleep(700);
    assertThat(sending).as("24 MiB cannot fit in a 4 MiB budget plus two 1 MiB windows").isNotDone();
    assertThat(server.table().heldBytes("j")).isLessThanOrEqualTo(budget);

    slow.request(Integer.MAX_VALUE);
    for (int i = 0; i < messages; i++) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      Piece p;
      do {
        p = slow.next().getPiece();
        got.writeBytes(p.getData().toByteArray());
      } while (!p.getLast());
      assertThat(got.toByteArray()).as("message %d", i).isEqualTo(sent.get(i));
      assertThat(p.getHash()).isEqualTo(MessageHash.of(sent.get(i)));
      // Take it, as RendezvousClient.receiveFromPredecessor does: without acknowledgements the relay
      // stops once the relayed-but-unacknowledged copies reach the budget.
      slow.send(Envelope.newBuilder().setDelivered(Delivered.newBuilder().setMessageId(p.getMessageId())
          .setToChunk(1)).build());
    }
    sending.get(20, TimeUnit.SECONDS);
    c0.awaitDelivered(LONG);
  }

  // ---- replacement

  @Test
  void aReplacementRegistrationTakesOverAndGetsWhatTheFirstDidNotTake() throws Exception {
    start();
    RendezvousClient c0 = client("j", 0, true);
    RendezvousClient first = client("j", 1, false);
    c0.sendToSuccessor("s", "m1".getBytes());
    c0.sendToSuccessor("s", "m2".getBytes());
    assertThat(new String(first.receiveFromPredecessor("s", LONG))).isEqualTo("m1");
    // m2 has probably reached the first client, but it never takes it

    RendezvousClient second = client("j", 1, false);

    assertThatThrownBy(() -> first.receiveFromPredecessor("other", LONG))
        .satisfies(t -> assertThat(codeOf(t)).isEqualTo(Status.Code.ABORTED))
        .hasMessageContaining("replaced by a newer registration of job j chunk 1");
    assertThat(new String(second.receiveFromPredecessor("s", LONG))).isEqualTo("m2");
    c0.awaitDelivered(LONG);
  }

  // ---- the point of it all

  @Test
  void chainOfEightWorkersPassesA16MiBPayloadAlong() throws Exception {
    start();
    int n = 8;
    byte[] seed = random(16 * MIB, 42);
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      order.add(k);
    }
    long shuffleSeed = System.nanoTime();
    java.util.Collections.shuffle(order, new Random(shuffleSeed));
    Random delays = new Random(shuffleSeed);
    List<CompletableFuture<byte[]>> results = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      results.add(new CompletableFuture<>());
    }
    List<Thread> threads = new ArrayList<>();
    for (int k : order) {
      int delay = delays.nextInt(150);
      Thread t = new Thread(() -> {
        try {
          Thread.sleep(delay);
          try (RendezvousClient c = RendezvousClient.connect(server.address(), "chain", k, TOKENS.tokenFor("chain"),
              k < n - 1)) {
            byte[] in = k == 0 ? seed : c.receiveFromPredecessor("state", Duration.ofSeconds(20));
            byte[] out = java.util.Arrays.copyOf(in, in.length + 1);
            out[in.length] = (byte) k;
            if (k < n - 1) {
              c.sendToSuccessor("state", out);
            }
            results.get(k).complete(out);
          }
        } catch (Throwable e) {
          results.get(k).completeExceptionally(e);
        }
      }, "chain-" + k);
      threads.add(t);
      t.start();
    }

    byte[] last = results.get(n - 1).get(30, TimeUnit.SECONDS);

    byte[] expected = java.util.Arrays.copyOf(seed, seed.length + n);
    for (int k = 0; k < n; k++) {
      expected[seed.length + k] = (byte) k;
    }
    assertThat(last.length).as("start order %s", order).isEqualTo(expected.length);
    assertThat(MessageHash.hex(MessageHash.of(last))).as("start order %s", order)
        .isEqualTo(MessageHash.hex(MessageHash.of(expected)));
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(server.table().heldBytes("chain")).isZero();
  }

  // ---- operations

  @Test
  void healthReportsServing() throws Exception {
    start();
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel());
    for (String service : List.of("", RendezvousGrpc.SERVICE_NAME)) {
      HealthCheckResponse r = health.withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build());
      assertThat(r.getStatus()).as(service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
  }

  @Test
  void stopEndsOpenLinksPromptly() throws Exception {
    start();
    RendezvousClient c1 = client("j", 1, false);
    CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        c1.receiveFromPredecessor("s", Duration.ofSeconds(30));
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    long t0 = System.nanoTime();

    server.stop();

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    Throwable t = waiting.get(10, TimeUnit.SECONDS);
    assertThat(codeOf(t)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(t).hasMessageContaining("shutting down");
  }

  @Test
  void aStreamThatNeverRegistersIsClosed() throws Exception {
    server = RendezvousServer.start(RendezvousConfig.defaults(TOKENS), false, ticker::get, Duration.ofMillis(200));
    RawLink idle = RawLink.open(channel());
    Status s = idle.awaitClose();
    assertThat(s.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(s.getDescription()).contains("no Register within 200 ms");
    assertThat(server.openStreams()).isZero();
  }
}
