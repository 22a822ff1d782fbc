package io.tinythreads.vp8.header;

import io.tinythreads.vp8.InvalidBitstreamException;

/**
 * The 7 uncompressed bytes that follow the tag of a key frame (RFC 6386 section 9.1): the start
 * code 0x9d 0x01 0x2a, then two little-endian 16-bit fields, each a 14-bit size and a 2-bit
 * scaling code in the top bits. Scaling is a display hint only; decoders output the coded size.
 *
 * @param width 1..16383 pixels
 * @param horizontalScale 0..3 (0 = none, 1 = 5/4, 2 = 5/3, 3 = 2)
 * @param height 1..16383 pixels
 * @param verticalScale 0..3
 */
public record KeyFrameStart(int width, int horizontalScale, int height, int verticalScale) {
  public static final int SIZE = 7;

  public KeyFrameStart {
    if (width < 0 || width > 0x3FFF || height < 0 || height > 0x3FFF) {
      throw new IllegalArgumentException("size must fit 14 bits: " + width + "x" + height);
    }
    if (horizontalScale < 0 || horizontalScale > 3 || verticalScale < 0 || verticalScale > 3) {
      throw new IllegalArgumentException("scale codes must be 0..3");
    }
  }

  /** Reads the start code and sizes at {@code off}; a zero width or height is invalid (as in libvpx). */
  public static KeyFrameStart read(byte[] frame, int off) {
    if (frame.length - off < SIZE) {
      throw new InvalidBitstreamException("truncated key frame header: " + Math.max(0, frame.length - off)
          + " bytes after the tag, 7 needed");
    }
    if ((frame[off] & 0xFF) != 0x9d || (frame[off + 1] & 0xFF) != 0x01 || (frame[off + 2] & 0xFF) != 0x2a) {
      throw new InvalidBitstreamException(String.format("invalid key frame start code %02x %02x %02x",
          frame[off] & 0xFF, frame[off + 1] & 0xFF, frame[off + 2] & 0xFF));
    }
    int h = (frame[off + 3] & 0xFF) | (frame[off + 4] & 0xFF) << 8;
    int v = (frame[off + 5] & 0xFF) | (frame[off + 6] & 0xFF) << 8;
    KeyFrameStart s = new KeyFrameStart(h & 0x3FFF, h >> 14, v & 0x3FFF, v >> 14);
    if (s.width == 0 || s.height == 0) {
      throw new InvalidBitstreamException("invalid frame size " + s.width + "x" + s.height);
    }
    return s;
  }

  /** The 7 bytes (start code and size fields). */
  public byte[] toBytes() {
    int h = width | horizontalScale << 14;
    int v = height | verticalScale << 14;
    return new byte[] {(byte) 0x9d, 0x01, 0x2a, (byte) h, (byte) (h >> 8), (byte) v, (byte) (v >> 8)};
  }
}
