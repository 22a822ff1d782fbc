package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.Raster;

/**
 * The picture a frame is encoded towards, as three macroblock-aligned planes without border
 * (luma {@code mbCols*16} wide, chroma half that). A raw I420 frame smaller than the aligned size
 * is extended by repeating its last column and row, as libvpx extends its source frames
 * (vp8_copy_and_extend_frame); a decoded {@link Raster} (the target of a hidden frame) already
 * covers the aligned size.
 */
final class Source {
  final int width;
  final int height;
  final int mbCols;
  final int mbRows;
  /** Luma stride ({@code mbCols * 16}); chroma stride is half. */
  final int yStride;
  final int uvStride;
  final byte[] y;
  final byte[] u;
  final byte[] v;

  private Source(int width, int height) {
    this.width = width;
    this.height = height;
    this.mbCols = (width + 15) >> 4;
    this.mbRows = (height + 15) >> 4;
    this.yStride = mbCols * 16;
    this.uvStride = mbCols * 8;
    this.y = new byte[yStride * mbRows * 16];
    this.u = new byte[uvStride * mbRows * 8];
    this.v = new byte[uvStride * mbRows * 8];
  }

  /**
   * A packed I420 frame ({@code w*h} luma bytes, then U and V of {@code ((w+1)/2) * ((h+1)/2)}
   * bytes each).
   *
   * @throws IllegalArgumentException naming the expected size if {@code i420} has another length
   */
  static Source fromI420(byte[] i420, int width, int height) {
    int cw = (width + 1) >> 1;
    int ch = (height + 1) >> 1;
    int expected = width * height + 2 * cw * ch;
    if (i420.length != expected) {
      throw new IllegalArgumentException("raw frame has " + i420.length + " bytes, a " + width + "x" + height
          + " I420 frame has " + expected);
    }
    Source s = new Source(width, height);
    copyExtend(i420, 0, width, width, height, s.y, s.yStride, s.mbRows * 16);
    copyExtend(i420, width * height, cw, cw, ch, s.u, s.uvStride, s.mbRows * 8);
    copyExtend(i420, width * height + cw * ch, cw, cw, ch, s.v, s.uvStride, s.mbRows * 8);
    return s;
  }

  /** The aligned pixels of a decoded frame. */
  static Source fromRaster(Raster r) {
    Source s = new Source(r.width(), r.height());
    copyPlane(r.yPlane(), s.y, s.yStride, s.mbRows * 16);
    copyPlane(r.uPlane(), s.u, s.uvStride, s.mbRows * 8);
    copyPlane(r.vPlane(), s.v, s.uvStride, s.mbRows * 8);
    return s;
  }

  private static void copyPlane(Raster.Plane p, byte[] dst, int stride, int rows) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(p.data(), p.origin() + r * p.stride(), dst, r * stride, stride);
    }
  }

  private static void copyExtend(byte[] src, int off, int srcStride, int w, int h, byte[] dst, int stride,
      int rows) {
    for (int r = 0; r < rows; r++) {
      int sr = Math.min(r, h - 1);
      int d = r * stride;
      System.arraycopy(src, off + sr * srcStride, dst, d, w);
      byte last = src[off + sr * srcStride + w - 1];
      for (int c = w; c < stride; c++) {
        dst[d + c] = last;
      }
    }
  }
}
