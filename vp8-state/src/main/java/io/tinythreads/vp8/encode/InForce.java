package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.DecoderState;
import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.header.ModeRefLfDeltaUpdate;
import io.tinythreads.vp8.header.SegmentationUpdate;
import io.tinythreads.vp8.header.Tables;
import java.util.Optional;

/**
 * The segment and loop filter parameters in force for an interframe with header {@code h}
 * decoded against {@code before} (RFC 6386 sections 9.3 and 9.6, the rules the decoder's frame
 * parser applies): segment feature data and loop filter deltas persist until a header updates
 * them. Also the per-macroblock loop filter level of section 15.1 / libvpx
 * vp8_loop_filter_frame_init, which the encoder needs to search the filter level.
 */
final class InForce {
  final boolean segmentation;
  final boolean segmentAbsolute;
  final int[] segmentQuant = new int[4];
  final int[] segmentLf = new int[4];
  final boolean lfDeltas;
  final int[] refLfDeltas = new int[4];
  final int[] modeLfDeltas = new int[4];

  InForce(DecoderState before, FrameHeader h) {
    segmentation = h.segmentationEnabled();
    byte[] sq = before.segmentQuant();
    byte[] sl = before.segmentLf();
    boolean abs = before.segmentAbsolute();
    for (int i = 0; i < 4; i++) {
      segmentQuant[i] = sq[i];
      segmentLf[i] = sl[i];
    }
    Optional<SegmentationUpdate.SegmentFeatureData> fd = h.segmentation().flatMap(SegmentationUpdate::featureData);
    if (fd.isPresent()) {
      abs = fd.get().absolute();
      for (int i = 0; i < 4; i++) {
        segmentQuant[i] = fd.get().quantizerValue(i);
        segmentLf[i] = fd.get().loopFilterValue(i);
      }
    }
    segmentAbsolute = abs;
    lfDeltas = h.loopFilterAdjEnable();
    byte[] rd = before.refLfDeltas();
    byte[] md = before.modeLfDeltas();
    for (int i = 0; i < 4; i++) {
      refLfDeltas[i] = rd[i];
      modeLfDeltas[i] = md[i];
    }
    if (h.modeRefLfDeltaUpdate().isPresent()) {
      ModeRefLfDeltaUpdate u = h.modeRefLfDeltaUpdate().get();
      for (int i = 0; i < 4; i++) {
        int k = i;
        u.refFrameDeltas().get(i).ifPresent(d -> refLfDeltas[k] = d.value());
        u.mbModeDeltas().get(i).ifPresent(d -> modeLfDeltas[k] = d.value());
      }
    }
  }

  /** The quantizer index of segment {@code seg} for base index {@code base}. */
  int qIndex(int base, int seg) {
    if (!segmentation) {
      return base;
    }
    int q = segmentAbsolute ? segmentQuant[seg] : base + segmentQuant[seg];
    return Math.max(0, Math.min(127, q));
  }

  /**
   * The filter level of a macroblock (libvpx vp8_loop_filter_frame_init): the frame level, the
   * segment's adjustment, then the reference frame and mode deltas.
   */
  int filterLevel(int frameLevel, int seg, int ref, int ymode) {
    int lvlSeg = frameLevel;
    if (segmentation) {
      lvlSeg = segmentAbsolute ? segmentLf[seg] : frameLevel + segmentLf[seg];
      lvlSeg = Math.max(0, Math.min(63, lvlSeg));
    }
    if (!lfDeltas) {
      return lvlSeg;
    }
    int l;
    if (ref == Tables.INTRA_FRAME) {
      l = lvlSeg + refLfDeltas[0];
      if (ymode == Tables.B_PRED) {
        l += modeLfDeltas[0];
      }
    } else {
      int modeIndex = switch (ymode) {
        case Tables.ZEROMV -> 1;
        case Tables.SPLITMV -> 3;
        default -> 2;
      };
      l = lvlSeg + refLfDeltas[ref] + modeLfDeltas[modeIndex];
    }
    return Math.max(0, Math.min(63, l));
  }
}
