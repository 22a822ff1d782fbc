package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.DecoderState;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.ParsedFrame;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.References;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.QuantIndices;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * ExCamera's re-encoder (NSDI'17 section 4, alfalfa {@code xc-enc -r}): turns a chunk encoded on
 * its own (a libvpx chunk starting with a key frame, or a chunk this class already re-encoded)
 * into a chunk that continues a given decoder state, so chunks encoded in parallel join into one
 * stream with a single key frame.
 *
 * <ul>
 *   <li><b>Encode-given-state</b> ({@link #encodeGivenState}): the chunk's key frame is encoded
 *       from its raw picture as an interframe against the predecessor's state, with a full mode
 *       decision and motion search; the remaining frames are rebased onto the state it leaves.
 *   <li><b>Rebase</b> ({@link #rebase}): every frame keeps its modes, references and motion
 *       vectors, gets a new residual against its raw picture from the prediction on the new
 *       references, and is quantized at its original quantizer.
 * </ul>
 *
 * <p>Every frame is written with this encoder's own probabilities and then decoded with the
 * decoder of this module, so the state after each frame, and the {@link Result#finalState()},
 * are exactly what any VP8 decoder computes from the bytes. The chunk's last frame refreshes
 * last, golden and altref, so the final state is complete even when only the last reference is
 * shipped. Hidden frames (libvpx's alternate reference frames, which show no picture) are
 * re-encoded towards their original reconstruction. Output is deterministic: the same inputs
 * give the same bytes.
 *
 * <p>Not thread-safe; use one instance per thread.
 */
public final class ChunkReencoder {
  /** How a frame of the output was made. */
  public enum Kind {
    /** Full encode against the state (a key frame of the input). */
    ENCODED,
    /** Modes and vectors kept, residual recomputed. */
    REBASED
  }

  /**
   * One output frame.
   *
   * @param index position in the chunk (stream order, hidden frames included)
   * @param kind how it was made
   * @param shown whether the frame is displayed
   * @param bytes its compressed size
   * @param nanos wall time spent on it (including decoding it to advance the state)
   * @param cpuNanos CPU time of the calling thread spent on it
   */
  public record FrameInfo(int index, Kind kind, boolean shown, int bytes, long nanos, long cpuNanos) {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private static long cpuNow() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  /**
   * A re-encoded chunk.
   *
   * @param frames the compressed frames in stream order (as many as the input chunk)
   * @param finalState the decoder state after the last frame
   * @param expectedEntryHash {@link DecoderSnapshot#hash64()} of the state the frames must be
   *     decoded from; record it with the chunk and check it before rebasing or decoding
   * @param frameInfo per frame: kind, size and time
   */
  public record Result(List<byte[]> frames, DecoderSnapshot finalState, long expectedEntryHash,
      List<FrameInfo> frameInfo) {
    public Result {
      frames = List.copyOf(frames);
      frameInfo = List.copyOf(frameInfo);
      Objects.requireNonNull(finalState, "finalState");
    }
  }

  private final ReencodeOptions options;
  private FrameEncoder encoder;

  public ChunkReencoder(ReencodeOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public ChunkReencoder() {
    this(ReencodeOptions.defaults());
  }

  /**
   * Encode-given-state: re-encodes the key frame that starts {@code predFrames} as an interframe
   * against {@code prevEndState} and rebases the rest of the chunk onto the result.
   *
   * @param prevEndState the state the output continues (the predecessor chunk's end state)
   * @param rawI420Frames the chunk's raw pictures, one per shown frame, packed I420 at the
   *     stream's size
   * @param predFrames the chunk as encoded on its own; must start with a key frame
   * @throws IllegalArgumentException naming the problem for inconsistent input (no key frame
   *     first, frame counts or sizes that do not match)
   * @throws InvalidBitstreamException if a frame of {@code predFrames} is corrupt (names it)
   * @throws UnsupportedFeatureException for a key frame that changes the frame size (it cannot
   *     become an interframe)
   */
  public Result encodeGivenState(DecoderSnapshot prevEndState, List<byte[]> rawI420Frames, List<byte[]> predFrames) {
    return reencode(prevEndState, rawI420Frames, predFrames, null);
  }

  /**
   * Rebase: re-encodes a chunk that was encoded against {@code predEntryState} so that it
   * continues {@code entryState} instead.
   *
   * @param entryState the state the output continues (the predecessor's final state)
   * @param rawI420Frames the chunk's raw pictures, one per shown frame
   * @param predFrames the chunk to rebase (for example an {@link #encodeGivenState} result)
   * @param predEntryState the state {@code predFrames} were encoded against, or null if they
   *     start with a key frame (then this is {@link #encodeGivenState})
   * @param predExpectedEntryHash the hash recorded with {@code predFrames} (its
   *     {@link Result#expectedEntryHash()}); ignored when {@code predEntryState} is null
   * @throws StateMismatchException if {@code predEntryState} is not the state the chunk expects
   */
  public Result rebase(DecoderSnapshot entryState, List<byte[]> rawI420Frames, List<byte[]> predFrames,
      DecoderSnapshot predEntryState, long predExpectedEntryHash) {
    if (predEntryState != null && predEntryState.hash64() != predExpectedEntryHash) {
      throw new StateMismatchException("predEntryState", predExpectedEntryHash, predEntryState.hash64());
    }
    return reencode(entryState, rawI420Frames, predFrames, predEntryState);
  }

  private Result reencode(DecoderSnapshot entry, List<byte[]> raw, List<byte[]> pred, DecoderSnapshot predEntry) {
    Objects.requireNonNull(entry, "entryState");
    Objects.requireNonNull(raw, "rawI420Frames");
    Objects.requireNonNull(pred, "predFrames");
    if (!entry.state().hasKeyFrame()) {
      throw new IllegalArgumentException("entryState: no key frame has been decoded (nothing to continue)");
    }
    if (pred.isEmpty()) {
      throw new IllegalArgumentException("predFrames: the chunk is empty");
    }
    // Headers first: they say which frames are key frames and which are shown.
    List<FrameHeader> headers = new ArrayList<>(pred.size());
    for (int i = 0; i < pred.size(); i++) {
      try {
        headers.add(FrameHeader.parse(pred.get(i)));
      } catch (InvalidBitstreamException e) {
        throw new InvalidBitstreamException("predFrames[" + i + "]: " + e.getMessage(), e);
      }
    }
    if (predEntry == null && !headers.get(0).keyFrame()) {
      throw new IllegalArgumentException("predFrames[0] is not a key frame, so predEntryState is needed");
    }
    int shown = 0;
    boolean hidden = false;
    for (FrameHeader h : headers) {
      if (h.tag().showFrame()) {
        shown++;
      } else {
        hidden = true;
      }
    }
    if (shown != raw.size()) {
      throw new IllegalArgumentException("rawI420Frames: " + raw.size() + " pictures for a chunk of " + pred.size()
          + " frames of which " + shown + " are shown");
    }
    int width = entry.state().width();
    int height = entry.state().height();
    if (encoder == null || encoder.coder().width != width || encoder.coder().height != height) {
      encoder = new FrameEncoder(width, height, options);
    }
    DecoderState predState = predEntry != null ? predEntry.state() : DecoderState.initial();
    References predRefs = predEntry != null ? predEntry.references() : References.empty();
    Decoder predDecoder = new Decoder();
    DecoderSnapshot state = entry;
    List<byte[]> out = new ArrayList<>(pred.size());
    List<FrameInfo> info = new ArrayList<>(pred.size());
    int rawIndex = 0;
    for (int i = 0; i < pred.size(); i++) {
      long t0 = System.nanoTime();
      long c0 = cpuNow();
      FrameHeader h = headers.get(i);
      ParsedFrame p;
      try {
        p = Decoder.parse(pred.get(i), predState);
      } catch (InvalidBitstreamException e) {
        throw new InvalidBitstreamException("predFrames[" + i + "]: " + e.getMessage(), e);
      }
      if (p.width() != width || p.height() != height) {
        if (h.keyFrame()) {
          // An interframe has the size of its state: no VP8 interframe can change the size.
          throw new UnsupportedFeatureException("predFrames[" + i + "]: a key frame of " + p.width() + "x"
              + p.height() + " cannot be re-encoded as an interframe continuing a " + width + "x" + height
              + " state (VP8 changes the frame size only at key frames)");
        }
        throw new IllegalArgumentException("predFrames[" + i + "] is " + p.width() + "x" + p.height()
            + " but the entry state is " + width + "x" + height);
      }
      // The original reconstruction is needed only as the target of hidden frames; skip the
      // work when the chunk has none.
      Raster predRecon = null;
      if (hidden) {
        DecodedFrame d;
        try {
          d = predDecoder.reconstruct(p, predRefs);
        } catch (InvalidBitstreamException e) {
          throw new InvalidBitstreamException("predFrames[" + i + "]: " + e.getMessage(), e);
        }
        predRecon = d.raster();
        predRefs = d.references();
      }
      predState = p.nextState();
      Source target;
      if (h.tag().showFrame()) {
        try {
          target = Source.fromI420(raw.get(rawIndex), width, height);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("rawI420Frames[" + rawIndex + "]: " + e.getMessage(), e);
        }
        rawIndex++;
      } else {
        target = Source.fromRaster(predRecon);
      }
      boolean last = i == pred.size() - 1;
      FrameEncoder.Encoded e;
      Kind kind;
      if (h.keyFrame()) {
        Optional<FrameHeader> next = i + 1 < headers.size() ? Optional.of(headers.get(i + 1)) : Optional.empty();
        QuantIndices q = FrameEncoder.blendedQuant(h, next, options.kfQWeight());
        e = encoder.encode(state, target, h, q, h.tag().showFrame());
        kind = Kind.ENCODED;
      } else {
        e = encoder.rebase(state, p, target, last);
        kind = Kind.REBASED;
      }
      state = e.after();
      out.add(e.bytes());
      info.add(new FrameInfo(i, kind, h.tag().showFrame(), e.bytes().length, System.nanoTime() - t0,
          cpuNow() - c0));
    }
    return new Result(out, state, entry.hash64(), info);
  }
}
