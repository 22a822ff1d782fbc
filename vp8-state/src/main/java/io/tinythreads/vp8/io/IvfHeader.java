package io.tinythreads.vp8.io;

/**
 * The 32-byte IVF file header: "DKIF", version 0, header length 32, fourcc, width, height,
 * frame rate as rate/scale, frame count.
 */
public record IvfHeader(String fourcc, int width, int height, int rate, int scale, int frameCount) {
  public static final int SIZE = 32;

  public IvfHeader {
    if (fourcc == null || fourcc.length() != 4) {
      throw new IllegalArgumentException("fourcc must be 4 characters: " + fourcc);
    }
    if (width < 0 || width > 0xFFFF || height < 0 || height > 0xFFFF) {
      throw new IllegalArgumentException("size out of range: " + width + "x" + height);
    }
  }

  public static IvfHeader vp8(int width, int height, int rate, int scale, int frameCount) {
    return new IvfHeader("VP80", width, height, rate, scale, frameCount);
  }

  public IvfHeader withFrameCount(int n) {
    return new IvfHeader(fourcc, width, height, rate, scale, n);
  }
}
