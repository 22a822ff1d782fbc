package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tinythreads.rendezvous.MessageAssembler.Fragment;
import io.tinythreads.rendezvous.MessageAssembler.Message;
import java.security.MessageDigest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {
  private static final int MIB = 1 << 20;

  /** Splits like the client does: 1 MiB pieces, hash on the last. */
  static List<Fragment> split(long id, String kind, byte[] payload) {
    List<Fragment> out = new ArrayList<>();
    long hash = MessageHash.of(payload);
    int off = 0;
    do {
      int n = Math.min(MIB, payload.length - off);
      boolean last = off + n == payload.length;
      out.add(new Fragment(id, kind, payload.length, off, ByteString.copyFrom(payload, off, n), last, last ? hash : 0));
      off += n;
    } while (off < payload.length);
    return out;
  }

  @Test
  void hashIsFirstEightBytesOfSha256BigEndian() throws Exception {
    byte[] data = "abc".getBytes();
    long expected = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(data)).getLong();
    assertThat(MessageHash.of(data)).isEqualTo(expected).isEqualTo(0xba7816bf8f01cfeaL); // FIPS 180-2 test vector
  }

  @Test
  void reassemblesMultiPieceMessagesInOrder() {
    byte[] payload = new byte[3 * MIB + 12345];
    new Random(7).nextBytes(payload);
    MessageAssembler a = new MessageAssembler();
    List<Fragment> pieces = split(9, "final-state", payload);
    assertThat(pieces).hasSize(4);

    Optional<Message> m = Optional.empty();
    for (Fragment f : pieces) {
      assertThat(m).isEmpty();
      m = a.accept(f);
    }

    assertThat(m).isPresent();
    assertThat(m.get().toByteArray()).isEqualTo(payload);
    assertThat(m.get().kind()).isEqualTo("final-state");
    assertThat(m.get().messageId()).isEqualTo(9);
    assertThat(a.inProgress()).isFalse();
  }

  @Test
  void emptyMessageIsOneEmptyLastPiece() {
    Optional<Message> m = new MessageAssembler().accept(split(1, "k", new byte[0]).get(0));
    assertThat(m).isPresent();
    assertThat(m.get().toByteArray()).isEmpty();
  }

  @Test
  void hashMismatchNamesBothHashes() {
    byte[] payload = "hello".getBytes();
    Fragment good = split(3, "k", payload).get(0);
    Fragment bad = new Fragment(3, "k", 5, 0, good.data(), true, 0x1122334455667788L);
    MessageAssembler a = new MessageAssembler();

    assertThatThrownBy(() -> a.accept(bad))
        .isInstanceOfSatisfying(RelayException.class, e -> assertThat(e.reason()).isEqualTo(RelayException.Reason.DATA_LOSS))
        .hasMessageContaining("1122334455667788")
        .hasMessageContaining(MessageHash.hex(MessageHash.of(payload)));
    // The failed message is forgotten; the next one starts cleanly.
    assertThat(a.inProgress()).isFalse();
    assertThat(a.accept(good)).isPresent();
  }

  @Test
  void rejectsFramingErrors() {
    ByteString four = ByteString.copyFromUtf8("abcd");
    assertInvalid("offset 0", new Fragment(1, "k", 4, 2, four, true, 0));
    assertInvalid("kind", new Fragment(1, "", 4, 0, four, true, 0));
    assertInvalid("kind", new Fragment(1, "x".repeat(129), 4, 0, four, true, 0));
    assertInvalid("total_bytes", new Fragment(1, "k", -1, 0, four, true, 0));
    assertInvalid("runs past", new Fragment(1, "k", 2, 0, four, true, 0));
    assertInvalid("last=false", new Fragment(1, "k", 4, 0, four, false, 0));
    assertInvalid("last=true", new Fragment(1, "k", 8, 0, four, true, 0));
    assertInvalid("empty piece", new Fragment(1, "k", 8, 0, ByteString.EMPTY, false, 0));
    assertInvalid("exceeds", new Fragment(1, "k", 2L * MIB, 0, ByteString.copyFrom(new byte[MIB + 1]), false, 0));

    MessageAssembler a = new MessageAssembler();
    a.accept(new Fragment(1, "k", 8, 0, four, false, 0));
    assertThatThrownBy(() -> a.accept(new Fragment(2, "k", 8, 0, four, false, 0)))
        .hasMessageContaining("message 1 is incomplete");
    MessageAssembler b = new MessageAssembler();
    b.accept(new Fragment(1, "k", 8, 0, four, false, 0));
    assertThatThrownBy(() -> b.accept(new Fragment(1, "k", 8, 5, four, true, 0)))
        .hasMessageContaining("expected offset 4, got 5");
    MessageAssembler c = new MessageAssembler();
    c.accept(new Fragment(1, "k", 8, 0, four, false, 0));
    assertThatThrownBy(() -> c.accept(new Fragment(1, "other", 8, 4, four, true, 0)))
        .hasMessageContaining("kind/total_bytes changed");
  }

  private static void assertInvalid(String expectedText, Fragment f) {
    assertThatThrownBy(() -> new MessageAssembler().accept(f))
        .isInstanceOfSatisfying(RelayException.class,
            e -> assertThat(e.reason()).isEqualTo(RelayException.Reason.INVALID_ARGUMENT))
        .hasMessageContaining(expectedText);
  }
}
