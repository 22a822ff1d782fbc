package io.tinythreads.rendezvous;

import com.google.protobuf.ByteString;
import io.tinythreads.rendezvous.RelayException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reassembles one sender's messages from their pieces and checks the framing rules of
 * {@code rendezvous.proto}: a message is the ordered concatenation of its pieces; a sender sends one
 * message at a time; every piece of a message repeats its id, kind and total size; offsets are
 * contiguous from 0; each piece carries at most {@link #MAX_PIECE_BYTES}; the last piece (and only
 * it) has {@code last = true} and the message hash ({@link MessageHash}).
 *
 * <p>Used on both ends: the server checks what a sender sends before holding it, and the client
 * checks what the server relays before handing it to the worker. Not thread-safe: one instance per
 * stream, driven by that stream's serialized callbacks.
 */
final class MessageAssembler {
  /** Upper bound on one piece's data: 1 MiB, well under gRPC's default 4 MiB message limit. */
  static final int MAX_PIECE_BYTES = 1 << 20;
  /** Receivers assemble a message into one {@code byte[]}; keep clear of the JVM's array size limit. */
  static final long MAX_MESSAGE_BYTES = Integer.MAX_VALUE - 64;
  static final int MAX_KIND_LENGTH = 128;

  /** One piece, as a domain value (the adapter converts from and to {@code io.tinythreads.proto.Piece}). */
  record Fragment(long messageId, String kind, long totalBytes, long offset, ByteString data, boolean last, long hash) {}

  /** A complete message whose hash has been checked. {@code pieces} are the received pieces, in order. */
  record Message(long messageId, String kind, long totalBytes, long hash, List<ByteString> pieces) {
    byte[] toByteArray() {
      byte[] out = new byte[Math.toIntExact(totalBytes)];
      int at = 0;
      for (ByteString p : pieces) {
        p.copyTo(out, at);
        at += p.size();
      }
      return out;
    }
  }

  private Fragment first;
  private long received;
  private List<ByteString> pieces;
  private final MessageHash.Hasher hasher = new MessageHash.Hasher();

  boolean inProgress() {
    return first != null;
  }

  /** Checks a piece that would start a new message, without consuming it (the server reserves budget in between). */
  static void checkFirst(Fragment f) {
    if (f.kind().isEmpty() || f.kind().length() > MAX_KIND_LENGTH) {
      throw invalid(f, "kind must be 1.." + MAX_KIND_LENGTH + " characters, got " + f.kind().length());
    }
    if (f.totalBytes() < 0 || f.totalBytes() > MAX_MESSAGE_BYTES) {
      throw invalid(f, "total_bytes must be 0.." + MAX_MESSAGE_BYTES + ", got " + f.totalBytes());
    }
    if (f.offset() != 0) {
      throw invalid(f, "the first piece of a message must have offset 0, got " + f.offset());
    }
  }

  /**
   * Consumes the next piece.
   *
   * @return the message, once its last piece has arrived and its hash matched
   * @throws RelayException INVALID_ARGUMENT for a framing error, DATA_LOSS for a hash mismatch;
   *     either way the partial message is discarded
   */
  Optional<Message> accept(Fragment f) {
    try {
      return Optional.ofNullable(acceptOrNull(f));
    } catch (RelayException e) {
      reset();
      throw e;
    }
  }

  private Message acceptOrNull(Fragment f) {
    if (first == null) {
      checkFirst(f);
      first = f;
      received = 0;
      pieces = new ArrayList<>();
    } else if (f.messageId() != first.messageId()) {
      throw invalid(f, "message " + first.messageId() + " is incomplete (" + received + " of "
          + first.totalBytes() + " bytes); a sender must finish one message before starting the next");
    } else if (!f.kind().equals(first.kind()) || f.totalBytes() != first.totalBytes()) {
      throw invalid(f, "kind/total_bytes changed within the message (was '" + first.kind() + "'/"
          + first.totalBytes() + ")");
    }
    int size = f.data().size();
    if (f.offset() != received) {
      throw invalid(f, "expected offset " + received + ", got " + f.offset());
    }
    if (size > MAX_PIECE_BYTES) {
      throw invalid(f, "piece of " + size + " bytes exceeds the " + MAX_PIECE_BYTES + "-byte limit");
    }
    if (received + size > first.totalBytes()) {
      throw invalid(f, "piece runs past total_bytes " + first.totalBytes());
    }
    if (size == 0 && !f.last()) {
      throw invalid(f, "empty piece that is not the last");
    }
    received += size;
    boolean complete = received == first.totalBytes();
    if (f.last() != complete) {
      throw invalid(f, "last=" + f.last() + " but " + received + " of " + first.totalBytes() + " bytes received");
    }
    hasher.update(f.data());
    pieces.add(f.data());
    if (!complete) {
      return null;
    }
    long computed = hasher.value();
    Fragment head = first;
    List<ByteString> all = List.copyOf(pieces);
    reset();
    if (computed != f.hash()) {
      throw new RelayException(Reason.DATA_LOSS, "hash mismatch for message " + head.messageId()
          + " (kind '" + head.kind() + "', " + head.totalBytes() + " bytes): carried "
          + MessageHash.hex(f.hash()) + ", computed " + MessageHash.hex(computed));
    }
    return new Message(head.messageId(), head.kind(), head.totalBytes(), computed, all);
  }

  private void reset() {
    first = null;
    pieces = null;
    received = 0;
    hasher.reset();
  }

  private static RelayException invalid(Fragment f, String what) {
    return new RelayException(Reason.INVALID_ARGUMENT,
        "bad piece (message " + f.messageId() + ", offset " + f.offset() + "): " + what);
  }
}
