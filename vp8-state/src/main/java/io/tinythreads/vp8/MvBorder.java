package io.tinythreads.vp8;

/**
 * libvpx's clamp_mv_to_umv_border and clamp_uvmv_to_umv_border, one component at a time: a motion
 * vector (1/8 pel here, as the reconstruction uses it) that points more than 19 (luma) pixels past
 * the frame's border is pulled back to 16 pixels past it, so prediction reads stay inside the
 * extended border. The decoder and the encoder must clamp identically or their reconstructions part.
 */
public final class MvBorder {
  private MvBorder() {}

  /** Luma component {@code v}; {@code toLow}/{@code toHigh} are the distances to the borders. */
  public static int clamp(int v, int toLow, int toHigh) {
    if (v < toLow - (19 << 3)) {
      return (short) (toLow - (16 << 3));
    }
    if (v > toHigh + (18 << 3)) {
      return (short) (toHigh + (16 << 3));
    }
    return v;
  }

  /** Chroma component {@code v} (half the luma distances). */
  public static int clampUv(int v, int toLow, int toHigh) {
    if (2 * v < toLow - (19 << 3)) {
      v = (short) ((toLow - (16 << 3)) >> 1);
    }
    if (2 * v > toHigh + (18 << 3)) {
      v = (short) ((toHigh + (16 << 3)) >> 1);
    }
    return v;
  }
}
