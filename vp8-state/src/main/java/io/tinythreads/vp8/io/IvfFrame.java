package io.tinythreads.vp8.io;

/** One IVF frame: its presentation timestamp (in rate/scale units) and payload bytes. */
public record IvfFrame(long pts, byte[] data) {
  public IvfFrame {
    if (data == null) {
      throw new IllegalArgumentException("data is null");
    }
  }
}
