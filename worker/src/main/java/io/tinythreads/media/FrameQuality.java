package io.tinythreads.media;

import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;

/**
 * PSNR and SSIM of one decoded picture against its source frame (packed I420), as libvpx
 * computes them. The one measurement behind both a chunk's quality sidecar ({@link ChunkQuality})
 * and the coordinator's whole-output report, which must agree exactly.
 */
public record FrameQuality(Metrics.Psnr psnr, Metrics.Ssim ssim) {
  public static FrameQuality of(Metrics.I420 source, Raster decoded) {
    Metrics.Plane y = view(decoded.yPlane());
    Metrics.Plane u = view(decoded.uPlane());
    Metrics.Plane v = view(decoded.vPlane());
    return new FrameQuality(Metrics.psnr(source.y(), source.u(), source.v(), y, u, v),
        Metrics.ssim(source.y(), source.u(), source.v(), y, u, v));
  }

  private static Metrics.Plane view(Raster.Plane p) {
    return new Metrics.Plane(p.data(), p.origin(), p.stride(), p.width(), p.height());
  }
}
