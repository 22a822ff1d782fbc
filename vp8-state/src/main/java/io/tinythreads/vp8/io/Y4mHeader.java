package io.tinythreads.vp8.io;

/**
 * A YUV4MPEG2 stream header. Only 8-bit 4:2:0 ("C420", "C420jpeg", "C420paldv", "C420mpeg2", or no
 * C tag) is supported; planes are tightly packed, chroma (w+1)/2 by (h+1)/2.
 */
public record Y4mHeader(int width, int height, int fpsNum, int fpsDen, char interlace, String aspect, String colorspace) {
  public Y4mHeader {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
    }
    if (fpsNum <= 0 || fpsDen <= 0) {
      throw new IllegalArgumentException("frame rate must be positive: " + fpsNum + ":" + fpsDen);
    }
  }

  public static Y4mHeader of(int width, int height, int fpsNum, int fpsDen) {
    return new Y4mHeader(width, height, fpsNum, fpsDen, 'p', "1:1", "420jpeg");
  }

  public int chromaWidth() {
    return (width + 1) / 2;
  }

  public int chromaHeight() {
    return (height + 1) / 2;
  }

  /** Bytes of one I420 frame: Y, then U, then V. */
  public int frameBytes() {
    return width * height + 2 * chromaWidth() * chromaHeight();
  }

  public String headerLine() {
    StringBuilder sb = new StringBuilder("YUV4MPEG2 W").append(width).append(" H").append(height)
        .append(" F").append(fpsNum).append(':').append(fpsDen).append(" I").append(interlace);
    if (aspect != null && !aspect.isEmpty()) {
      sb.append(" A").append(aspect);
    }
    if (colorspace != null && !colorspace.isEmpty()) {
      sb.append(" C").append(colorspace);
    }
    return sb.append('\n').toString();
  }
}
