package io.tinythreads.rendezvous;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 64-bit message hash carried on the last piece of every relayed message: the first 8 bytes of
 * SHA-256 (FIPS 180-4) of the whole message, read as a big-endian {@code long}.
 *
 * <p>Why SHA-256 and not a faster non-cryptographic hash (XXH64): it is in every JDK (no dependency),
 * it is hardware-accelerated on current x86 and ARM JVMs (well over 1 GB/s, so a 12 MB decoder state
 * costs about 10 ms), and a truncated cryptographic hash cannot be steered by the content. The hash
 * guards against corruption and truncation between two workers; authenticity comes from the job
 * token and (in deployments) TLS.
 */
final class MessageHash {
  private MessageHash() {}

  static long of(byte[] data) {
    Hasher h = new Hasher();
    h.update(data, 0, data.length);
    return h.value();
  }

  static String hex(long hash) {
    return String.format("%016x", hash);
  }

  /** Incremental form, for messages that arrive in pieces. Not thread-safe. */
  static final class Hasher {
    private final MessageDigest sha256;

    Hasher() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every Java platform", e);
      }
    }

    void update(byte[] data, int offset, int length) {
      sha256.update(data, offset, length);
    }

    void update(ByteString data) {
      for (ByteBuffer b : data.asReadOnlyByteBufferList()) {
        sha256.update(b);
      }
    }

    void reset() {
      sha256.reset();
    }

    /** The hash of everything given so far; the hasher is reset afterwards. */
    long value() {
      return ByteBuffer.wrap(sha256.digest()).getLong();
    }
  }
}
