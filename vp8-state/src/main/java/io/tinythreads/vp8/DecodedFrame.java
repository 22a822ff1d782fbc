package io.tinythreads.vp8;

import io.tinythreads.vp8.header.FrameHeader;
import java.util.Objects;

/**
 * The result of decoding one frame.
 *
 * @param header the frame's header
 * @param shown whether the frame is displayed (show_frame); hidden frames produce no output
 * @param raster the reconstructed frame (also for hidden frames)
 * @param state the decoder state after the frame
 * @param references the references after the frame
 */
public record DecodedFrame(FrameHeader header, boolean shown, Raster raster, DecoderState state,
    References references) {
  public DecodedFrame {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(raster, "raster");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(references, "references");
  }
}
