package io.tinythreads.vp8;

import io.tinythreads.vp8.header.FrameHeader;
import java.util.Objects;

/**
 * The three reference frames of RFC 6386 section 9.7 / 9.8: last, golden and altref. Immutable;
 * frames are shared by reference, so updating copies pointers, never pixels. All three are null
 * before the first key frame.
 *
 * <p>Equality compares frame content; {@link #hash64()} hashes the three frames in order.
 */
public final class References {
  private static final References EMPTY = new References(null, null, null);

  private final Raster last;
  private final Raster golden;
  private final Raster altref;

  private References(Raster last, Raster golden, Raster altref) {
    this.last = last;
    this.golden = golden;
    this.altref = altref;
  }

  /** No references (before the first key frame). */
  public static References empty() {
    return EMPTY;
  }

  /** All three set (non-null) and of one size. */
  public static References of(Raster last, Raster golden, Raster altref) {
    Objects.requireNonNull(last, "last");
    Objects.requireNonNull(golden, "golden");
    Objects.requireNonNull(altref, "altref");
    if (last.width() != golden.width() || last.width() != altref.width()
        || last.height() != golden.height() || last.height() != altref.height()) {
      throw new IllegalArgumentException("reference frames differ in size");
    }
    return new References(last, golden, altref);
  }

  /** All three references set to {@code frame} (what a key frame does). */
  public static References allOf(Raster frame) {
    Objects.requireNonNull(frame, "frame");
    return new References(frame, frame, frame);
  }

  public boolean isEmpty() {
    return last == null;
  }

  public Raster last() {
    return last;
  }

  public Raster golden() {
    return golden;
  }

  public Raster altref() {
    return altref;
  }

  /** Reference by libvpx number: 1 = last, 2 = golden, 3 = altref. */
  public Raster get(int refFrame) {
    return switch (refFrame) {
      case 1 -> last;
      case 2 -> golden;
      case 3 -> altref;
      default -> throw new IllegalArgumentException("reference frame must be 1..3: " + refFrame);
    };
  }

  /**
   * The references after decoding {@code decoded} with header {@code h}, in libvpx's order
   * (swap_frame_buffers): copy to altref (1 = last, 2 = golden), then copy to golden (1 = last,
   * 2 = altref, which is the altref after its copy), then refresh golden, altref, last with the
   * new frame. Key frames refresh all three.
   *
   * @throws InvalidBitstreamException for a copy code of 3
   */
  public References update(FrameHeader h, Raster decoded) {
    Objects.requireNonNull(decoded, "decoded");
    if (h.keyFrame()) {
      return allOf(decoded);
    }
    Raster l = last;
    Raster g = golden;
    Raster a = altref;
    switch (h.copyBufferToAlternate()) {
      case 0 -> { }
      case 1 -> a = l;
      case 2 -> a = g;
      default -> throw new InvalidBitstreamException("copy_buffer_to_alternate = 3 is not allowed");
    }
    switch (h.copyBufferToGolden()) {
      case 0 -> { }
      case 1 -> g = l;
      case 2 -> g = a;
      default -> throw new InvalidBitstreamException("copy_buffer_to_golden = 3 is not allowed");
    }
    if (h.refreshGoldenFrame()) {
      g = decoded;
    }
    if (h.refreshAlternateFrame()) {
      a = decoded;
    }
    if (h.refreshLast()) {
      l = decoded;
    }
    return new References(l, g, a);
  }

  /** A 64-bit content hash of the three frames (0 for the empty set's frames). */
  public long hash64() {
    Hash64 h = new Hash64(0x5650385265667321L); // "VP8Refs!"
    for (Raster r : new Raster[] {last, golden, altref}) {
      long x = r == null ? 0 : r.hash64();
      h.updateInt((int) x).updateInt((int) (x >>> 32));
    }
    return h.finish();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof References r
        && Objects.equals(last, r.last)
        && Objects.equals(golden, r.golden)
        && Objects.equals(altref, r.altref);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hash64());
  }

  @Override
  public String toString() {
    return String.format("References[%s, hash=%016x]", last == null ? "empty" : last.width() + "x" + last.height(),
        hash64());
  }
}
