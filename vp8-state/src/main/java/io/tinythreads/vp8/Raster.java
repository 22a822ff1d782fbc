package io.tinythreads.vp8;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An immutable decoded frame: Y, U and V planes covering whole macroblocks, with a replicated
 * border of {@link MutableRaster#BORDER} luma pixels, and the display size (which may be smaller
 * than the macroblock-aligned size; output is cropped to it).
 *
 * <p>Equality and {@link #hash64()} cover the display size and the decoded (macroblock-aligned)
 * pixels; the border is a function of those.
 */
public final class Raster {
  /**
   * A read-only view of one plane: pixel (x, y) is {@code data[origin + y * stride + x]} for
   * {@code -border <= x < alignedWidth + border} (and likewise y). The array is shared with the
   * raster and must not be written.
   */
  public record Plane(byte[] data, int origin, int stride, int width, int height, int alignedWidth,
      int alignedHeight, int border) {
    /** The pixel at (x, y) as 0..255. */
    public int get(int x, int y) {
      return data[origin + y * stride + x] & 0xFF;
    }
  }

  private final int width;
  private final int height;
  final int mbCols;
  final int mbRows;
  final int yStride;
  final int uvStride;
  final int yOrigin;
  final int uvOrigin;
  final byte[] y;
  final byte[] u;
  final byte[] v;
  private volatile long hash;
  private volatile boolean hashed;

  Raster(int width, int height, int mbCols, int mbRows, int yStride, int uvStride, int yOrigin, int uvOrigin,
      byte[] y, byte[] u, byte[] v) {
    this.width = width;
    this.height = height;
    this.mbCols = mbCols;
    this.mbRows = mbRows;
    this.yStride = yStride;
    this.uvStride = uvStride;
    this.yOrigin = yOrigin;
    this.uvOrigin = uvOrigin;
    this.y = y;
    this.u = u;
    this.v = v;
  }

  /** Display width in pixels. */
  public int width() {
    return width;
  }

  /** Display height in pixels. */
  public int height() {
    return height;
  }

  public int mbCols() {
    return mbCols;
  }

  public int mbRows() {
    return mbRows;
  }

  /** Chroma display width, (width + 1) / 2. */
  public int chromaWidth() {
    return (width + 1) >> 1;
  }

  /** Chroma display height, (height + 1) / 2. */
  public int chromaHeight() {
    return (height + 1) >> 1;
  }

  public Plane yPlane() {
    return new Plane(y, yOrigin, yStride, width, height, mbCols * 16, mbRows * 16, MutableRaster.BORDER);
  }

  public Plane uPlane() {
    return new Plane(u, uvOrigin, uvStride, chromaWidth(), chromaHeight(), mbCols * 8, mbRows * 8,
        MutableRaster.BORDER / 2);
  }

  public Plane vPlane() {
    return new Plane(v, uvOrigin, uvStride, chromaWidth(), chromaHeight(), mbCols * 8, mbRows * 8,
        MutableRaster.BORDER / 2);
  }

  /** Plane 0 = Y, 1 = U, 2 = V. */
  public Plane plane(int index) {
    return switch (index) {
      case 0 -> yPlane();
      case 1 -> uPlane();
      case 2 -> vPlane();
      default -> throw new IllegalArgumentException("plane must be 0..2: " + index);
    };
  }

  /** Bytes of the packed I420 frame at display size: Y, then U, then V, chroma (w+1)/2 x (h+1)/2. */
  public int i420Size() {
    return width * height + 2 * chromaWidth() * chromaHeight();
  }

  /** Writes the packed I420 frame at display size into {@code dst} at {@code off}. */
  public void writeI420(byte[] dst, int off) {
    if (off < 0 || dst.length - off < i420Size()) {
      throw new IllegalArgumentException("dst too small: need " + i420Size() + " bytes at " + off);
    }
    int p = off;
    for (int r = 0; r < height; r++) {
      System.arraycopy(y, yOrigin + r * yStride, dst, p, width);
      p += width;
    }
    int cw = chromaWidth();
    int ch = chromaHeight();
    for (byte[] plane : new byte[][] {u, v}) {
      for (int r = 0; r < ch; r++) {
        System.arraycopy(plane, uvOrigin + r * uvStride, dst, p, cw);
        p += cw;
      }
    }
  }

  /** The packed I420 frame at display size. */
  public byte[] toI420() {
    byte[] b = new byte[i420Size()];
    writeI420(b, 0);
    return b;
  }

  /** Writes the packed I420 frame to {@code out}, row by row. */
  public void writeI420(OutputStream out) throws IOException {
    for (int r = 0; r < height; r++) {
      out.write(y, yOrigin + r * yStride, width);
    }
    int cw = chromaWidth();
    int ch = chromaHeight();
    for (byte[] plane : new byte[][] {u, v}) {
      for (int r = 0; r < ch; r++) {
        out.write(plane, uvOrigin + r * uvStride, cw);
      }
    }
  }

  /**
   * The MD5 of the packed I420 frame at display size, as lowercase hex: the per-frame value
   * {@code vpxdec --md5 --i420} prints.
   */
  public String md5Hex() {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 missing from the JDK", e);
    }
    for (int r = 0; r < height; r++) {
      md.update(y, yOrigin + r * yStride, width);
    }
    int cw = chromaWidth();
    int ch = chromaHeight();
    for (byte[] plane : new byte[][] {u, v}) {
      for (int r = 0; r < ch; r++) {
        md.update(plane, uvOrigin + r * uvStride, cw);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** A 64-bit hash of the display size and the decoded pixels. */
  public long hash64() {
    if (!hashed) {
      Hash64 h = new Hash64(0x5650385261737472L); // "VP8Rastr"
      h.updateInt(width).updateInt(height);
      int aw = mbCols * 16;
      int ah = mbRows * 16;
      for (int r = 0; r < ah; r++) {
        h.update(y, yOrigin + r * yStride, aw);
      }
      for (byte[] plane : new byte[][] {u, v}) {
        for (int r = 0; r < ah / 2; r++) {
          h.update(plane, uvOrigin + r * uvStride, aw / 2);
        }
      }
      hash = h.finish();
      hashed = true;
    }
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Raster r) || r.width != width || r.height != height) {
      return false;
    }
    if (hashed && r.hashed && hash != r.hash) {
      return false;
    }
    int aw = mbCols * 16;
    int ah = mbRows * 16;
    for (int row = 0; row < ah; row++) {
      if (!java.util.Arrays.equals(y, yOrigin + row * yStride, yOrigin + row * yStride + aw,
          r.y, r.yOrigin + row * r.yStride, r.yOrigin + row * r.yStride + aw)) {
        return false;
      }
    }
    for (int row = 0; row < ah / 2; row++) {
      int a = uvOrigin + row * uvStride;
      int b = r.uvOrigin + row * r.uvStride;
      if (!java.util.Arrays.equals(u, a, a + aw / 2, r.u, b, b + aw / 2)
          || !java.util.Arrays.equals(v, a, a + aw / 2, r.v, b, b + aw / 2)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hash64());
  }

  @Override
  public String toString() {
    return "Raster[" + width + "x" + height + "]";
  }
}
