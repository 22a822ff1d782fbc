package io.tinythreads.vp8.header;

import io.tinythreads.vp8.InvalidBitstreamException;

/**
 * The 3-byte uncompressed frame tag of RFC 6386 section 9.1:
 *
 * <pre>
 *   bit  0      key_frame (0 = key frame)
 *   bits 1-3    version
 *   bit  4      show_frame
 *   bits 5-23   first_part_size (little endian)
 * </pre>
 *
 * @param keyFrame true for a key frame (the bit is 0 in the stream)
 * @param version 0..7; 0 = 6-tap/normal filter, 1-2 bilinear, 3 bilinear full-pixel, 4-7 decode as 0 (libvpx)
 * @param showFrame whether the frame is displayed
 * @param firstPartSize size in bytes of the first partition (after the tag and key frame start)
 */
public record FrameTag(boolean keyFrame, int version, boolean showFrame, int firstPartSize) {
  public static final int SIZE = 3;

  public FrameTag {
    if (version < 0 || version > 7) {
      throw new IllegalArgumentException("version must be 0..7: " + version);
    }
    if (firstPartSize < 0 || firstPartSize >= 1 << 19) {
      throw new IllegalArgumentException("firstPartSize must fit 19 bits: " + firstPartSize);
    }
  }

  /** Reads the tag at the start of {@code frame}. */
  public static FrameTag read(byte[] frame) {
    if (frame.length < SIZE) {
      throw new InvalidBitstreamException("truncated frame: " + frame.length + " bytes, the frame tag needs 3");
    }
    int raw = (frame[0] & 0xFF) | (frame[1] & 0xFF) << 8 | (frame[2] & 0xFF) << 16;
    return new FrameTag((raw & 1) == 0, (raw >> 1) & 7, ((raw >> 4) & 1) != 0, raw >>> 5);
  }

  /** The 3 tag bytes. */
  public byte[] toBytes() {
    int raw = (keyFrame ? 0 : 1) | version << 1 | (showFrame ? 1 : 0) << 4 | firstPartSize << 5;
    return new byte[] {(byte) raw, (byte) (raw >> 8), (byte) (raw >> 16)};
  }

  /** Bilinear motion compensation (versions 1, 2, 3; RFC 6386 section 9.1). */
  public boolean bilinear() {
    return version >= 1 && version <= 3;
  }

  /** Full-pixel chroma motion vectors (version 3). */
  public boolean fullPixel() {
    return version == 3;
  }
}
