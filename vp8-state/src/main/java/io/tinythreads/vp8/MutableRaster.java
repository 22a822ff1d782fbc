package io.tinythreads.vp8;

/**
 * A frame being written: three flat planes (Y, U, V) sized to whole macroblocks plus a border of
 * {@link #BORDER} luma / {@link #BORDER}/2 chroma pixels (libvpx VP8BORDERINPIXELS) that motion
 * vectors may point into. Written once, then {@link #freeze() frozen} into an immutable
 * {@link Raster} that shares the arrays (no copy).
 */
public final class MutableRaster {
  /** Luma border in pixels (chroma has half). */
  public static final int BORDER = 32;

  final int width;
  final int height;
  final int mbCols;
  final int mbRows;
  final int yStride;
  final int uvStride;
  final int yOrigin;
  final int uvOrigin;
  byte[] y;
  byte[] u;
  byte[] v;

  /**
   * Allocates a frame for a display size of {@code width} x {@code height} (1..16383 each).
   *
   * @throws IllegalArgumentException for sizes outside 1..16383
   */
  public MutableRaster(int width, int height) {
    if (width < 1 || width > 0x3FFF || height < 1 || height > 0x3FFF) {
      throw new IllegalArgumentException("size must be 1..16383: " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.mbCols = (width + 15) >> 4;
    this.mbRows = (height + 15) >> 4;
    int aw = mbCols * 16;
    int ah = mbRows * 16;
    this.yStride = aw + 2 * BORDER;
    this.uvStride = aw / 2 + BORDER;
    this.yOrigin = BORDER * yStride + BORDER;
    this.uvOrigin = (BORDER / 2) * uvStride + BORDER / 2;
    this.y = new byte[yStride * (ah + 2 * BORDER)];
    this.u = new byte[uvStride * (ah / 2 + BORDER)];
    this.v = new byte[uvStride * (ah / 2 + BORDER)];
  }

  /**
   * A frame written over the planes of {@code recycled}, a raster nobody reads any more (same
   * size); its stale pixels do not matter because decoding writes every pixel, border included,
   * before anything reads it.
   */
  MutableRaster(Raster recycled) {
    this.width = recycled.width();
    this.height = recycled.height();
    this.mbCols = recycled.mbCols;
    this.mbRows = recycled.mbRows;
    this.yStride = recycled.yStride;
    this.uvStride = recycled.uvStride;
    this.yOrigin = recycled.yOrigin;
    this.uvOrigin = recycled.uvOrigin;
    this.y = recycled.y;
    this.u = recycled.u;
    this.v = recycled.v;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int yStride() {
    return yStride;
  }

  public int uvStride() {
    return uvStride;
  }

  /** Index of luma pixel (0, 0) in {@link #yPlane()}. */
  public int yOrigin() {
    return yOrigin;
  }

  /** Index of chroma pixel (0, 0) in {@link #uPlane()} and {@link #vPlane()}. */
  public int uvOrigin() {
    return uvOrigin;
  }

  public byte[] yPlane() {
    return checked(y);
  }

  public byte[] uPlane() {
    return checked(u);
  }

  public byte[] vPlane() {
    return checked(v);
  }

  private static byte[] checked(byte[] p) {
    if (p == null) {
      throw new IllegalStateException("raster already frozen");
    }
    return p;
  }

  /**
   * Replicates the outermost decoded pixels (of the macroblock-aligned area) into the border, as
   * libvpx's vp8_extend_frame_borders does, so that prediction may read past the edges.
   */
  public void extendBorders() {
    int aw = mbCols * 16;
    int ah = mbRows * 16;
    extendPlane(checked(y), yOrigin, yStride, aw, ah, BORDER);
    extendPlane(checked(u), uvOrigin, uvStride, aw / 2, ah / 2, BORDER / 2);
    extendPlane(checked(v), uvOrigin, uvStride, aw / 2, ah / 2, BORDER / 2);
  }

  private static void extendPlane(byte[] p, int origin, int stride, int w, int h, int border) {
    for (int r = 0; r < h; r++) {
      int row = origin + r * stride;
      byte left = p[row];
      byte right = p[row + w - 1];
      java.util.Arrays.fill(p, row - border, row, left);
      java.util.Arrays.fill(p, row + w, row + w + border, right);
    }
    int first = origin - border;
    int last = origin + (h - 1) * stride - border;
    for (int r = 1; r <= border; r++) {
      System.arraycopy(p, first, p, first - r * stride, stride);
      System.arraycopy(p, last, p, last + r * stride, stride);
    }
  }

  /** Hands the planes to an immutable raster; this object cannot be used afterwards. */
  public Raster freeze() {
    Raster r = new Raster(width, height, mbCols, mbRows, yStride, uvStride, yOrigin, uvOrigin, checked(y), u, v);
    y = null;
    u = null;
    v = null;
    return r;
  }
}
