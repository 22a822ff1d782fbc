package io.tinythreads.vp8;

import java.util.Objects;

/**
 * A VP8 decoder (RFC 6386), bit-exact with libvpx. It holds exactly two values, the
 * {@link DecoderState} and the {@link References}, and replaces both after every frame; nothing
 * else carries over between frames (the rest is reusable scratch).
 *
 * <p>Decoding is a pure chain: {@link #parse(byte[], DecoderState)} turns a compressed frame and
 * a state into a {@link ParsedFrame} (which includes the next state), and
 * {@link #reconstruct(ParsedFrame, References)} turns that and the references into the new frame
 * and references. {@link #decode(byte[])} does both and advances this decoder.
 *
 * <p>Errors: {@link InvalidBitstreamException} for corrupt or truncated frames,
 * {@link UnsupportedFeatureException} for frames larger than the size limit. A failed frame leaves
 * the decoder unchanged. Not thread-safe.
 */
public final class Decoder {
  private DecoderState state;
  private References references;
  private final long maxPixels;
  private final ParsedFrame scratchFrame = new ParsedFrame();
  private final Reconstructor reconstructor = new Reconstructor();
  private boolean reuseRasters;
  /** With reuse on: rasters this decoder made that may still be read (last output, references). */
  private final java.util.List<Raster> issued = new java.util.ArrayList<>(4);

  /** A decoder that expects a key frame first. */
  public Decoder() {
    this(DecoderState.initial(), References.empty());
  }

  /** A decoder that continues from a known state and references (for example, received from a peer). */
  public Decoder(DecoderState state, References references) {
    this(state, references, FrameParser.DEFAULT_MAX_PIXELS);
  }

  /** A decoder that continues from a snapshot (for example, read with {@link StateCodec}). */
  public Decoder(DecoderSnapshot snapshot) {
    this(snapshot.state(), snapshot.references());
  }

  /**
   * As {@link #Decoder(DecoderState, References)}, refusing key frames of more than {@code maxPixels}
   * pixels with {@link UnsupportedFeatureException} (default 8192 x 8192).
   */
  public Decoder(DecoderState state, References references, long maxPixels) {
    this.state = Objects.requireNonNull(state, "state");
    this.references = Objects.requireNonNull(references, "references");
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
    }
    if (state.hasKeyFrame() != !references.isEmpty()) {
      throw new IllegalArgumentException("state and references disagree on whether a key frame was decoded");
    }
    if (!references.isEmpty()
        && (references.last().width() != state.width() || references.last().height() != state.height())) {
      throw new IllegalArgumentException("references are " + references.last().width() + "x"
          + references.last().height() + " but the state is " + state.width() + "x" + state.height());
    }
    this.maxPixels = maxPixels;
  }

  /**
   * Decodes each frame with {@code threads} threads (1 or 2; default 1). With 2, the loop filter
   * runs one macroblock row behind the rest of the decode on a second thread; the output is
   * identical.
   */
  public void setThreads(int threads) {
    reconstructor.setThreads(threads);
  }

  /**
   * Lets {@link #decode} write new frames over the planes of rasters it made earlier, once they
   * are neither the frame it last returned nor one of the current {@link #references()}, as
   * libvpx recycles its frame buffers. Off by default. Turn it on only if no raster from this
   * decoder (from a {@link DecodedFrame}, {@link #references()} or {@link #snapshot()}) is read
   * after a later {@code decode} call dropped it from the references: its pixels then change.
   * Saves allocating (and the JVM zeroing) a frame per decoded frame.
   */
  public void setReuseRasters(boolean reuse) {
    this.reuseRasters = reuse;
    issued.clear();
    reconstructor.clearPool();
  }

  /** The state after the last decoded frame. */
  public DecoderState state() {
    return state;
  }

  /** The references after the last decoded frame. */
  public References references() {
    return references;
  }

  /** The state and references after the last decoded frame, as one value. */
  public DecoderSnapshot snapshot() {
    return new DecoderSnapshot(state, references);
  }

  /**
   * Decodes one compressed frame and advances the decoder.
   *
   * @return the decoded frame; {@link DecodedFrame#shown()} is false for hidden frames (for
   *     example altref updates), which produce no output
   * @throws InvalidBitstreamException if the frame is corrupt or truncated (the decoder is unchanged)
   */
  public DecodedFrame decode(byte[] frame) {
    Objects.requireNonNull(frame, "frame");
    ParsedFrame parsed = FrameParser.parse(frame, state, scratchFrame, maxPixels);
    DecodedFrame d = reconstruct(parsed, references);
    state = d.state();
    references = d.references();
    if (reuseRasters) {
      release(d.raster());
    }
    return d;
  }

  /** Recycles the rasters this decoder made that are neither {@code current} nor a reference. */
  private void release(Raster current) {
    issued.add(current);
    for (int i = issued.size() - 1; i >= 0; i--) {
      Raster r = issued.get(i);
      if (r != current && r != references.last() && r != references.golden() && r != references.altref()) {
        reconstructor.recycle(r);
        issued.remove(i);
      }
    }
  }

  /**
   * Parses a compressed frame against {@code state} without reconstructing it. Pure: returns a new
   * {@link ParsedFrame} each call.
   *
   * @throws InvalidBitstreamException if the frame is corrupt or truncated
   */
  public static ParsedFrame parse(byte[] frame, DecoderState state) {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(state, "state");
    return FrameParser.parse(frame, state, new ParsedFrame(), FrameParser.DEFAULT_MAX_PIXELS);
  }

  /**
   * Reconstructs a parsed frame against {@code refs} (which must be the references that go with
   * the state it was parsed against). Does not change this decoder's state; uses its scratch.
   *
   * @throws InvalidBitstreamException if the frame needs references that {@code refs} lacks, or
   *     codes an invalid buffer copy
   */
  public DecodedFrame reconstruct(ParsedFrame parsed, References refs) {
    Objects.requireNonNull(parsed, "parsed");
    Objects.requireNonNull(refs, "refs");
    Raster raster = reconstructor.reconstruct(parsed, refs);
    References next = refs.update(parsed.header(), raster);
    return new DecodedFrame(parsed.header(), parsed.header().tag().showFrame(), raster, parsed.nextState(), next);
  }
}
