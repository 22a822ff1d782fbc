package io.tinythreads.worker;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.rendezvous.RendezvousClient;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.StateCodec;
import io.tinythreads.vp8.UnsupportedFeatureException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains the predecessor's final state for the serial rebase, from whichever of two copies comes
 * first: the rendezvous message (fast path: pushed to us the moment the predecessor is done) or
 * the blob the predecessor wrote through before sending (durable path: survives a lost message, a
 * restarted relay, or a predecessor that finished before we connected). Both are polled in one
 * loop, so a rendezvous that never delivers cannot stall the chain.
 *
 * <p>Every copy is checked twice: {@link StateCodec#read} verifies the content hash it carries,
 * and when the coordinator knows the hash the predecessor reported ({@code expectedHash != 0}) the
 * state must have exactly that hash. A rendezvous copy that does not match is discarded (a stale
 * message from a superseded attempt) and the wait goes on; a blob that does not match fails the
 * command with {@link CommandFailure#STATE_HASH}, naming both hashes.
 */
final class PredecessorState {
  private static final Logger LOG = LoggerFactory.getLogger(PredecessorState.class);
  static final String KIND = "final-state";
  private static final long FIRST_POLL_MILLIS = 25;
  private static final long MAX_POLL_MILLIS = 500;

  /** The state, its serialized form, where it came from ("rendezvous" or "blob") and the time waited. */
  record Received(DecoderSnapshot snapshot, byte[] bytes, String source, long waitedMillis) {}

  private PredecessorState() {}

  /**
   * Waits until a valid copy is available.
   *
   * @param link the rendezvous link as far as it is connected: null while connecting, or if there is
   *     none or it failed (the blob store is then polled alone)
   * @param linkFailed called when the link fails while receiving
   * @param expectedHash the predecessor's final-state hash as reported to the coordinator; 0 if unknown
   * @param maxWait give up (retryable {@link CommandFailure#TIMEOUT}) after this long
   * @throws CancellationException if the thread is interrupted (the session broke)
   */
  static Received await(String who, BlobStore store, String key, Supplier<RendezvousClient> link,
      Runnable linkFailed, long expectedHash, Duration maxWait) {
    long start = System.nanoTime();
    long deadline = start + maxWait.toNanos();
    long poll = FIRST_POLL_MILLIS;
    while (true) {
      RendezvousClient live = link.get();
      if (live != null) {
        try {
          byte[] b = live.receiveFromPredecessor(KIND, Duration.ofMillis(poll));
          DecoderSnapshot s = parse(who, b, "rendezvous message");
          if (s != null && (expectedHash == 0 || s.hash64() == expectedHash)) {
            return new Received(s, b, "rendezvous", millisSince(start));
          }
          LOG.warn("{}: discarding a predecessor state from the rendezvous with hash {} (expected {}); waiting for "
              + "the blob", who, s == null ? "(corrupt)" : ChunkIvf.hex(s.hash64()), ChunkIvf.hex(expectedHash));
        } catch (TimeoutException e) {
          // Nothing yet; look at the blob store.
        } catch (InterruptedIOException e) {
          Thread.currentThread().interrupt();
          throw new CancellationException("interrupted while waiting for the predecessor's final state");
        } catch (IOException e) {
          // The relay failed or went away: the blob store is the durable path.
          LOG.warn("{}: rendezvous link failed ({}); polling the blob store only", who, e.getMessage());
          linkFailed.run();
          live = null;
        }
      }
      if (store.exists(key)) {
        byte[] b = store.get(key);
        DecoderSnapshot s = parse(who, b, key);
        if (s == null) {
          throw new CommandFailure(CommandFailure.STATE_HASH, who + ": the predecessor's final state " + key
              + " is corrupt (its content hash does not match)", false);
        }
        if (expectedHash != 0 && s.hash64() != expectedHash) {
          throw new CommandFailure(CommandFailure.STATE_HASH, who + ": the predecessor's final state " + key
              + " has hash " + ChunkIvf.hex(s.hash64()) + " but the predecessor reported "
              + ChunkIvf.hex(expectedHash), false);
        }
        return new Received(s, b, "blob", millisSince(start));
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CommandFailure(CommandFailure.TIMEOUT, who + ": no final state from the predecessor after "
            + millisSince(start) + " ms (neither on the rendezvous nor at " + key + ")", true);
      }
      if (live == null) {
        sleep(poll);
      }
      poll = Math.min(MAX_POLL_MILLIS, poll * 2);
    }
  }

  /** The snapshot, or null if the bytes are not a valid state (corrupt or truncated). */
  private static DecoderSnapshot parse(String who, byte[] bytes, String what) {
    try {
      return StateCodec.read(bytes);
    } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
      LOG.warn("{}: {} is not a valid decoder state: {}", who, what, e.getMessage());
      return null;
    }
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000L;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the predecessor's final state");
    }
  }
}
