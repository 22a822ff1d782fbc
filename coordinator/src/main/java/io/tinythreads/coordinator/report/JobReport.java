package io.tinythreads.coordinator.report;

import java.util.List;
import java.util.Objects;

/**
 * A finished job's report: what was encoded how, the output's size and bitrate, its quality
 * against the source frame by frame and chunk by chunk, and the workers' timeline. Written as
 * JSON ({@link Reports#writeJson}) and as an HTML page with SVG charts ({@link Reports#writeHtml}).
 *
 * <p>Quality is measured as libvpx measures it (vp8-state's {@code Metrics}: vpx_calc_psnr and
 * vpx_calc_ssim): PSNR capped at 100 dB, SSIM {@code 0.8 Y + 0.1 (U + V)} for "all". SSIM in dB
 * is {@code -10 log10(1 - SSIM)} (ExCamera's quality axis), capped at 100 dB like PSNR so that a
 * lossless frame gives a number and not infinity. Values that do not exist (SSIM of a plane
 * smaller than 8x8, means over no frames) are NaN and are written to JSON as {@code null}.
 *
 * @param version the report format version ({@link #VERSION})
 * @param jobId the job's id ("" for a standalone measurement)
 * @param setup how the job encoded
 * @param video the source video
 * @param output the output file as the coordinator saw it
 * @param wallSeconds the job's wall-clock time (0 if unknown)
 * @param startUnixMicros the timeline's origin
 * @param summary whole-output figures
 * @param chunks per-chunk figures, in order (empty if the chunks are unknown)
 * @param frames per shown frame, in display order
 * @param timeline the workers' stages, sorted by worker row then start time
 */
public record JobReport(int version, String jobId, Setup setup, Video video, String output, double wallSeconds,
    long startUnixMicros, Summary summary, List<ChunkReport> chunks, List<FrameReport> frames,
    List<StageEvent> timeline) {
  /** Format version written to and expected from JSON. */
  public static final int VERSION = 1;

  public JobReport {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(setup, "setup");
    Objects.requireNonNull(video, "video");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(summary, "summary");
    chunks = List.copyOf(chunks);
    frames = List.copyOf(frames);
    timeline = List.copyOf(timeline);
  }

  /**
   * How the job encoded ("" / 0 where unknown, e.g. for a standalone measurement).
   *
   * @param pipeline "xc" or "independent"
   * @param framesPerChunk N
   * @param chunksPerBatch x
   * @param workers concurrent workers
   * @param launcher where workers ran ("thread", "process", ...)
   * @param encoder the libvpx settings as vpxenc flags
   * @param container "ivf" or "webm"
   */
  public record Setup(String pipeline, int framesPerChunk, int chunksPerBatch, int workers, String launcher,
      String encoder, String container) {
    public Setup {
      Objects.requireNonNull(pipeline, "pipeline");
      Objects.requireNonNull(launcher, "launcher");
      Objects.requireNonNull(encoder, "encoder");
      Objects.requireNonNull(container, "container");
    }
  }

  /** The source: size, frame rate ({@code fpsNum / fpsDen} frames per second), frames, name. */
  public record Video(int width, int height, int fpsNum, int fpsDen, long frames, String source) {
    public Video {
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Whole-output figures.
   *
   * @param frames shown frames
   * @param hiddenFrames hidden (show_frame = 0, e.g. alt-ref) frames
   * @param keyframes keyframes
   * @param fileBytes size of the output file (container included)
   * @param payloadBytes VP8 payload bytes (what the encoder produced; the rate axis of benchmarks)
   * @param durationSeconds frames * fps_den / fps_num
   * @param bitrateKbps file bytes * 8 / duration / 1000 (as JobResult.bitrate_kbps)
   * @param payloadKbps payload bytes * 8 / duration / 1000
   * @param psnrY mean over frames of the luma PSNR (dB)
   * @param psnrAll mean over frames of the frame PSNR (vpxenc --psnr "Avg")
   * @param psnrOverall PSNR of the summed squared error of all frames (vpxenc "Overall")
   * @param ssimY mean over frames of the luma SSIM
   * @param ssimAll mean over frames of the frame SSIM
   * @param ssimYDb {@code ssimY} in dB
   * @param ssimAllDb {@code ssimAll} in dB (ExCamera's quality axis)
   * @param minPsnrY the worst frame's luma PSNR
   * @param minSsimAllDb the worst frame's SSIM in dB
   */
  public record Summary(long frames, long hiddenFrames, int keyframes, long fileBytes, long payloadBytes,
      double durationSeconds, double bitrateKbps, double payloadKbps, double psnrY, double psnrAll,
      double psnrOverall, double ssimY, double ssimAll, double ssimYDb, double ssimAllDb, double minPsnrY,
      double minSsimAllDb) {}

  /**
   * One chunk's share of the output.
   *
   * @param index chunk number
   * @param batch batch number (xc: chunks of one batch share a keyframe)
   * @param firstFrame global index of the first shown frame
   * @param frames shown frames
   * @param bytes VP8 payload bytes measured in the output (hidden frames included)
   * @param keyframes keyframes
   * @param kbps the chunk's payload bitrate
   * @param psnrY mean luma PSNR
   * @param psnrAll mean frame PSNR
   * @param ssimAll mean frame SSIM
   * @param ssimAllDb {@code ssimAll} in dB
   */
  public record ChunkReport(int index, int batch, long firstFrame, int frames, long bytes, int keyframes,
      double kbps, double psnrY, double psnrAll, double ssimAll, double ssimAllDb) {}

  /**
   * One shown frame.
   *
   * @param index display index (0-based)
   * @param chunk its chunk (-1 if unknown)
   * @param keyframe whether it is a keyframe
   * @param bytes its VP8 bytes, plus those of hidden frames decoded just before it
   * @param psnrY luma PSNR (dB)
   * @param psnrAll frame PSNR (dB)
   * @param ssimY luma SSIM
   * @param ssimAll frame SSIM
   */
  public record FrameReport(long index, int chunk, boolean keyframe, int bytes, double psnrY, double psnrAll,
      double ssimY, double ssimAll) {
    /** {@link #ssimAll} in dB. */
    public double ssimAllDb() {
      return ssimDb(ssimAll);
    }
  }

  /**
   * SSIM in dB, {@code -10 log10(1 - ssim)}, capped at 100 dB (libvpx's MAX_PSNR) so that SSIM 1
   * (identical frames) gives 100 and not infinity; NaN stays NaN.
   */
  public static double ssimDb(double ssim) {
    if (Double.isNaN(ssim)) {
      return Double.NaN;
    }
    if (ssim >= 1.0) {
      return io.tinythreads.vp8.dsp.Metrics.MAX_PSNR;
    }
    return Math.min(io.tinythreads.vp8.dsp.Metrics.MAX_PSNR, -10.0 * Math.log10(1.0 - ssim));
  }
}
