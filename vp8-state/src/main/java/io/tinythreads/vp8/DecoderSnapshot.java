package io.tinythreads.vp8;

import java.util.Objects;

/**
 * Everything a VP8 decoder carries between frames: the {@link DecoderState} and the three
 * {@link References}. A value: equality compares content, and {@link #hash64()} is a 64-bit
 * content hash that travels with serialized state ({@link StateCodec}) so a receiver can check
 * what it resumes from.
 *
 * @param state probability tables, segmentation, loop filter deltas and size
 * @param references last, golden and altref (empty before the first key frame)
 */
public record DecoderSnapshot(DecoderState state, References references) {
  public DecoderSnapshot {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(references, "references");
    if (state.hasKeyFrame() == references.isEmpty()) {
      throw new IllegalArgumentException("state and references disagree on whether a key frame was decoded");
    }
    if (!references.isEmpty()
        && (references.last().width() != state.width() || references.last().height() != state.height())) {
      throw new IllegalArgumentException("references are " + references.last().width() + "x"
          + references.last().height() + " but the state is " + state.width() + "x" + state.height());
    }
  }

  /** The snapshot before any frame: initial state, no references. */
  public static DecoderSnapshot initial() {
    return new DecoderSnapshot(DecoderState.initial(), References.empty());
  }

  /** The snapshot of {@code decoder} after the last frame it decoded. */
  public static DecoderSnapshot of(Decoder decoder) {
    return new DecoderSnapshot(decoder.state(), decoder.references());
  }

  /** A decoder that continues from this snapshot. */
  public Decoder newDecoder() {
    return new Decoder(state, references);
  }

  /**
   * The 64-bit content hash: {@link DecoderState#hash64()} and {@link References#hash64()} fed,
   * in that order, through one more round of the same hash (not an ad-hoc combination).
   */
  public long hash64() {
    Hash64 h = new Hash64(0x5650385353686f74L); // "VP8SShot"
    long s = state.hash64();
    long r = references.hash64();
    h.updateInt((int) s).updateInt((int) (s >>> 32)).updateInt((int) r).updateInt((int) (r >>> 32));
    return h.finish();
  }

  @Override
  public String toString() {
    return String.format("DecoderSnapshot[%s, hash=%016x]",
        state.hasKeyFrame() ? state.width() + "x" + state.height() : "no key frame", hash64());
  }
}
