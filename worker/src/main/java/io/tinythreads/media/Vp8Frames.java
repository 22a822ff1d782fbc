package io.tinythreads.media;

/**
 * The VP8 frame tag (RFC 6386 section 9.1): 3 bytes, little-endian; bit 0 = !key_frame, bits 1-3
 * version, bit 4 show_frame, bits 5-23 first_part_size. Keyframes carry a start code and the size.
 */
public final class Vp8Frames {
  private Vp8Frames() {}

  public static boolean isKeyframe(byte[] frame) {
    requireTag(frame);
    return (frame[0] & 0x01) == 0;
  }

  /** show_frame: false for hidden (alt-ref) frames that update references but are not displayed. */
  public static boolean isShown(byte[] frame) {
    requireTag(frame);
    return (frame[0] & 0x10) != 0;
  }

  /** {width, height} from a keyframe header (14-bit fields, scaling bits dropped). */
  public static int[] keyframeSize(byte[] frame) {
    if (!isKeyframe(frame) || frame.length < 10) {
      throw new IllegalArgumentException("not a VP8 keyframe");
    }
    if ((frame[3] & 0xFF) != 0x9d || (frame[4] & 0xFF) != 0x01 || (frame[5] & 0xFF) != 0x2a) {
      throw new IllegalArgumentException("VP8 keyframe without start code 9d 01 2a");
    }
    int w = ((frame[6] & 0xFF) | (frame[7] & 0xFF) << 8) & 0x3FFF;
    int h = ((frame[8] & 0xFF) | (frame[9] & 0xFF) << 8) & 0x3FFF;
    return new int[] {w, h};
  }

  private static void requireTag(byte[] frame) {
    if (frame == null || frame.length < 3) {
      throw new IllegalArgumentException("VP8 frame shorter than its 3-byte tag");
    }
  }
}
