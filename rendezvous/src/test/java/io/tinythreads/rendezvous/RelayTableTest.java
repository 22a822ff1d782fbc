package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tinythreads.rendezvous.MessageAssembler.Message;
import io.tinythreads.rendezvous.RelayException.Reason;
import io.tinythreads.rendezvous.RelayTable.Outgoing;
import io.tinythreads.rendezvous.RelayTable.Registration;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The relay table without sockets: fake endpoints record what the table asks of them. */
class RelayTableTest {
  private static final Duration TTL = Duration.ofSeconds(600);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** Records the table's calls. */
  static final class FakeEndpoint implements RelayTable.Endpoint {
    int wakeups;
    int grants;
    final List<String> delivered = new ArrayList<>();
    final List<RelayException> evictions = new ArrayList<>();

    @Override
    public void piecesAvailable() {
      wakeups++;
    }

    @Override
    public void reservationGranted() {
      grants++;
    }

    @Override
    public void delivered(long senderMessageId, int toChunk) {
      delivered.add(senderMessageId + "->" + toChunk);
    }

    @Override
    public void evicted(RelayException reason) {
      evictions.add(reason);
    }
  }

  private RelayTable table(long maxHeld) {
    return new RelayTable(now::get, TTL, maxHeld);
  }

  private static Message message(long id, String kind, byte[] payload) {
    List<ByteString> pieces = new ArrayList<>();
    for (MessageAssembler.Fragment f : MessageAssemblerTest.split(id, kind, payload)) {
      pieces.add(f.data());
    }
    return new Message(id, kind, payload.length, MessageHash.of(payload), pieces);
  }

  private static void send(RelayTable t, Registration from, long id, String kind, byte[] payload) {
    assertThat(t.reserve(from, payload.length)).isTrue();
    t.commit(from, message(id, kind, payload));
  }

  /** Drains every queued piece for {@code to}; returns the messages' payloads with their relay ids. */
  private static List<Outgoing> drainLastPieces(RelayTable t, Registration to, ByteArrayOutputStream bytes) {
    List<Outgoing> lasts = new ArrayList<>();
    for (Outgoing o; (o = t.nextPiece(to)) != null; ) {
      bytes.writeBytes(o.data().toByteArray());
      if (o.last()) {
        lasts.add(o);
      }
    }
    return lasts;
  }

  @Test
  void routesOnlyToTheSuccessorInTheSameJobAndNotifiesTheSenderOnAcknowledgement() {
    RelayTable t = table(1 << 20);
    FakeEndpoint e0 = new FakeEndpoint();
    FakeEndpoint e1 = new FakeEndpoint();
    FakeEndpoint e2 = new FakeEndpoint();
    FakeEndpoint other1 = new FakeEndpoint();
    Registration c0 = t.register("J", 0, true, e0).registration();
    Registration c1 = t.register("J", 1, true, e1).registration();
    Registration c2 = t.register("J", 2, false, e2).registration();
    Registration k1 = t.register("K", 1, false, other1).registration();

    send(t, c0, 77, "final-state", "from-0".getBytes());

    assertThat(e1.wakeups).isEqualTo(1);
    assertThat(t.nextPiece(c2)).isNull();
    assertThat(t.nextPiece(k1)).isNull();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    List<Outgoing> lasts = drainLastPieces(t, c1, got);
    assertThat(got.toString()).isEqualTo("from-0");
    assertThat(lasts).singleElement().satisfies(o -> {
      assertThat(o.fromChunk()).isZero();
      assertThat(o.senderMessageId()).isEqualTo(77);
      assertThat(o.hash()).isEqualTo(MessageHash.of("from-0".getBytes()));
    });
    assertThat(e0.delivered).isEmpty();

    t.acknowledge(c1, lasts.get(0).relayId());

    assertThat(e0.delivered).containsExactly("77->1");
    assertThatThrownBy(() -> t.acknowledge(c1, lasts.get(0).relayId()))
        .isInstanceOfSatisfying(RelayException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
  }

  @Test
  void senderWithoutSuccessorMayNotReserve() {
    RelayTable t = table(1 << 20);
    Registration last = t.register("J", 5, false, new FakeEndpoint()).registration();
    assertThatThrownBy(() -> t.reserve(last, 10))
        .isInstanceOfSatisfying(RelayException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.FAILED_PRECONDITION))
        .hasMessageContaining("has_successor=false");
  }

  @Test
  void heldMessagesSurviveTheSenderAndAreDeliveredInOrderToALateReceiver() {
    RelayTable t = table(1 << 20);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", "first".getBytes());
    send(t, c0, 2, "b", "second".getBytes());
    t.detach(c0);

    RelayTable.Registered late = t.register("J", 1, false, new FakeEndpoint());

    assertThat(late.pendingMessages()).isEqualTo(2);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    List<Outgoing> lasts = drainLastPieces(t, late.registration(), got);
    assertThat(got.toString()).isEqualTo("firstsecond");
    assertThat(lasts).extracting(Outgoing::kind).containsExactly("a", "b");
  }

  @Test
  void ttlDropsMessagesThatWaitedTooLongForAnAbsentReceiver() {
    RelayTable t = table(1 << 20);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", "old".getBytes());
    now.addAndGet(Duration.ofSeconds(300).toNanos());
    send(t, c0, 2, "a", "young".getBytes());
    t.detach(c0);

    now.addAndGet(Duration.ofSeconds(301).toNanos()); // first is 601 s old, second 301 s

    assertThat(t.expire()).isEqualTo(1);
    assertThat(t.heldBytes("J")).isEqualTo("young".length());
    RelayTable.Registered r = t.register("J", 1, false, new FakeEndpoint());
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    drainLastPieces(t, r.registration(), got);
    assertThat(got.toString()).isEqualTo("young");
  }

  @Test
  void registerExpiresFirstSoALateReceiverNeverSeesAnExpiredMessage() {
    RelayTable t = table(1 << 20);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", "x".getBytes());
    t.detach(c0);
    now.addAndGet(TTL.toNanos());

    assertThat(t.register("J", 1, false, new FakeEndpoint()).pendingMessages()).isZero();
    assertThat(t.heldBytes("J")).isZero();
  }

  @Test
  void messagesForAConnectedReceiverDoNotExpireAndTheTtlRestartsWhenItLeaves() {
    RelayTable t = table(1 << 20);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    Registration c1 = t.register("J", 1, false, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", "x".getBytes());
    now.addAndGet(TTL.toNanos() * 2);
    assertThat(t.expire()).isZero();

    t.detach(c1);
    now.addAndGet(TTL.toNanos() - 1);
    assertThat(t.expire()).isZero();
    now.addAndGet(1);
    assertThat(t.expire()).isEqualTo(1);
  }

  @Test
  void unacknowledgedMessagesAreRelayedAgainToAReplacementReceiver() {
    RelayTable t = table(1 << 20);
    FakeEndpoint e0 = new FakeEndpoint();
    Registration c0 = t.register("J", 0, true, e0).registration();
    send(t, c0, 1, "a", "one".getBytes());
    send(t, c0, 2, "a", "two".getBytes());
    FakeEndpoint first = new FakeEndpoint();
    Registration r1 = t.register("J", 1, false, first).registration();
    List<Outgoing> lasts = drainLastPieces(t, r1, new ByteArrayOutputStream());
    t.acknowledge(r1, lasts.get(0).relayId()); // "one" taken, "two" relayed but not taken

    FakeEndpoint second = new FakeEndpoint();
    RelayTable.Registered r2 = t.register("J", 1, false, second);

    assertThat(r2.replacedAnother()).isTrue();
    assertThat(first.evictions).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.ABORTED);
      assertThat(e.getMessage()).contains("replaced");
    });
    assertThat(r2.pendingMessages()).isEqualTo(1);
    assertThat(t.nextPiece(r1)).isNull(); // the old registration gets nothing more
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    List<Outgoing> again = drainLastPieces(t, r2.registration(), got);
    assertThat(got.toString()).isEqualTo("two");
    t.acknowledge(r2.registration(), again.get(0).relayId());
    assertThat(e0.delivered).containsExactly("1->1", "2->1");
  }

  @Test
  void replacedSenderLosesItsMessageInProgressButKeepsCompletedOnes() {
    RelayTable t = table(100);
    FakeEndpoint old = new FakeEndpoint();
    Registration s1 = t.register("J", 0, true, old).registration();
    send(t, s1, 1, "a", new byte[10]);
    assertThat(t.reserve(s1, 50)).isTrue();
    assertThat(t.heldBytes("J")).isEqualTo(60);

    Registration s2 = t.register("J", 0, true, new FakeEndpoint()).registration();

    assertThat(old.evictions).hasSize(1);
    assertThat(t.heldBytes("J")).isEqualTo(10);
    assertThatThrownBy(() -> t.commit(s1, message(2, "a", new byte[50])))
        .isInstanceOfSatisfying(RelayException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABORTED));
    assertThat(t.queuedMessages("J", 1)).isEqualTo(1);
    send(t, s2, 1, "a", new byte[5]);
    assertThat(t.queuedMessages("J", 1)).isEqualTo(2);
  }

  @Test
  void budgetRefusesWhenTheReceiverIsAbsent() {
    RelayTable t = table(100);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", new byte[60]);

    assertThatThrownBy(() -> t.reserve(c0, 41))
        .isInstanceOfSatisfying(RelayException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.RESOURCE_EXHAUSTED))
        .hasMessageContaining("job J already holds 60 bytes")
        .hasMessageContaining("maxHeldBytesPerJob=100")
        .hasMessageContaining("not connected");
    assertThatThrownBy(() -> t.reserve(c0, 101)).hasMessageContaining("exceeds maxHeldBytesPerJob=100");
    assertThat(t.reserve(c0, 40)).isTrue(); // exactly at the limit is fine
  }

  @Test
  void budgetParksASenderWhileItsConnectedReceiverDrains() {
    RelayTable t = table(100);
    FakeEndpoint sender = new FakeEndpoint();
    Registration c0 = t.register("J", 0, true, sender).registration();
    Registration c1 = t.register("J", 1, false, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", new byte[70]);

    assertThat(t.reserve(c0, 50)).isFalse(); // parked: 70 + 50 > 100, but chunk 1 is draining
    assertThat(sender.grants).isZero();

    List<Outgoing> lasts = drainLastPieces(t, c1, new ByteArrayOutputStream());

    assertThat(sender.grants).isEqualTo(1);
    assertThat(t.heldBytes("J")).isEqualTo(50);
    t.commit(c0, message(2, "a", new byte[50]));
    assertThat(lasts).hasSize(1);
  }

  @Test
  void parkedSenderIsRefusedWhenItsReceiverLeaves() {
    RelayTable t = table(100);
    FakeEndpoint sender = new FakeEndpoint();
    Registration c0 = t.register("J", 0, true, sender).registration();
    Registration c1 = t.register("J", 1, false, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", new byte[70]);
    assertThat(t.reserve(c0, 50)).isFalse();

    t.detach(c1);

    assertThat(sender.evictions).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.RESOURCE_EXHAUSTED));
  }

  @Test
  void jobsHaveSeparateBudgetsAndMailboxesAndIdleJobsAreForgotten() {
    RelayTable t = table(100);
    Registration a0 = t.register("A", 0, true, new FakeEndpoint()).registration();
    Registration b0 = t.register("B", 0, true, new FakeEndpoint()).registration();
    send(t, a0, 1, "x", new byte[100]);
    send(t, b0, 1, "x", new byte[100]); // B's budget is untouched by A's
    assertThat(t.heldBytes("A")).isEqualTo(100);
    assertThat(t.heldBytes("B")).isEqualTo(100);

    Registration b1 = t.register("B", 1, false, new FakeEndpoint()).registration();
    List<Outgoing> lasts = drainLastPieces(t, b1, new ByteArrayOutputStream());
    t.acknowledge(b1, lasts.get(0).relayId());
    t.detach(b0);
    t.detach(b1);

    assertThat(t.jobCount()).isEqualTo(1); // only A remains
    assertThat(t.queuedMessages("A", 1)).isEqualTo(1);
  }

  @Test
  void releasedBudgetAfterRelayAllowsTheNextMessage() {
    RelayTable t = table(100);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    Registration c1 = t.register("J", 1, false, new FakeEndpoint()).registration();
    send(t, c0, 1, "a", new byte[100]);
    drainLastPieces(t, c1, new ByteArrayOutputStream());

    assertThat(t.heldBytes("J")).isZero(); // relayed, awaiting acknowledgement: no longer counted
    send(t, c0, 2, "a", new byte[100]);
    assertThat(t.heldBytes("J")).isEqualTo(100);
  }

  @Test
  void aReceiverThatDoesNotAcknowledgeStallsInsteadOfPilingUpRelayedCopies() {
    RelayTable t = table(100);
    Registration c0 = t.register("J", 0, true, new FakeEndpoint()).registration();
    FakeEndpoint e1 = new FakeEndpoint();
    Registration c1 = t.register("J", 1, false, e1).registration();
    send(t, c0, 1, "a", new byte[60]);
    List<Outgoing> first = drainLastPieces(t, c1, new ByteArrayOutputStream());
    send(t, c0, 2, "a", new byte[60]); // fits the budget: the first no longer counts once relayed

    assertThat(t.nextPiece(c1)).as("60 relayed-unacknowledged + 60 would exceed 100").isNull();
    int wakeups = e1.wakeups;

    t.acknowledge(c1, first.get(0).relayId());

    assertThat(e1.wakeups).isEqualTo(wakeups + 1);
    assertThat(drainLastPieces(t, c1, new ByteArrayOutputStream())).hasSize(1);
  }
}
