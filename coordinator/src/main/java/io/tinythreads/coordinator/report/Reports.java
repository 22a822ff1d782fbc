package io.tinythreads.coordinator.report;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.report.JobReport.ChunkReport;
import io.tinythreads.coordinator.report.JobReport.FrameReport;
import io.tinythreads.coordinator.report.JobReport.Setup;
import io.tinythreads.coordinator.report.JobReport.Summary;
import io.tinythreads.coordinator.report.JobReport.Video;
import io.tinythreads.media.FrameQuality;
import io.tinythreads.media.LibvpxSettings;
import io.tinythreads.media.OutputFiles;
import io.tinythreads.media.VideoSource;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.dsp.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds, writes and reads job reports (see {@link JobReport}).
 *
 * <p>Quality is measured on the output file itself, not on the chunks: its VP8 frames are read
 * as stored ({@link Vp8Packets}: IVF directly, WebM through FFmpeg's demuxer), decoded with
 * vp8-state's pure-Java decoder (bit-exact with libvpx), and every shown frame is compared with
 * the next frame of the source, re-read with {@link VideoSource} exactly as ingest read it. So
 * the figures describe what a player shows, joins and containers included.
 *
 * <p>That pass is serial and costs about one Java decode plus SSIM per frame (some 25 frames/s at
 * 720p, far more than a job's own wall time at 4K). A job's report therefore comes from its
 * workers ({@link #buildFromChunks}): each measured its own output chunk against its raw frames in
 * parallel, with the same decoder and the same metrics, and the sums come out identical. The
 * serial pass remains for standalone outputs ({@link #measure}) and as the fallback.
 */
public final class Reports {
  private static final Logger log = LoggerFactory.getLogger(Reports.class);

  private Reports() {}

  /** The report JSON next to an output: {@code <output>.report.json}. */
  public static Path jsonPathFor(Path output) {
    return output.resolveSibling(output.getFileName() + ".report.json");
  }

  /** The report page next to an output: {@code <output>.report.html}. */
  public static Path htmlPathFor(Path output) {
    return output.resolveSibling(output.getFileName() + ".report.html");
  }

  /** The two files {@link #write} wrote. */
  public record Written(Path json, Path html) {}

  /** Writes {@code <output>.report.json} and {@code <output>.report.html}. */
  public static Written write(JobReport report, Path output) throws IOException {
    Path json = jsonPathFor(output);
    Path html = htmlPathFor(output);
    writeJson(report, json);
    writeHtml(report, html);
    return new Written(json, html);
  }

  /** Writes the report as JSON (UTF-8), atomically (temporary file, then rename). */
  public static Path writeJson(JobReport report, Path file) throws IOException {
    writeAtomically(file, ReportJson.write(report));
    return file;
  }

  /** Writes the report as a self-contained HTML page with inline SVG charts, atomically. */
  public static Path writeHtml(JobReport report, Path file) throws IOException {
    writeAtomically(file, HtmlReport.render(report));
    return file;
  }

  /**
   * Reads a report written by {@link #writeJson}.
   *
   * @throws ReportException if the file is not a report of a version this code reads
   */
  public static JobReport readJson(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return ReportJson.read(text);
    } catch (Json.ParseException | IllegalArgumentException | ClassCastException | NullPointerException e) {
      throw new ReportException(file + ": not a job report: " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      OutputFiles.makeShareable(tmp);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Measures an output file alone against a source (no job: no chunks, no timeline). The video
   * info (size, frame rate) comes from the source.
   */
  public static JobReport measure(Path output, String sourceInput) throws IOException {
    VideoInfo info;
    try (VideoSource s = VideoSource.open(sourceInput)) {
      info = s.info();
    }
    return build(ReportInput.standalone(output, info), sourceInput);
  }

  /**
   * Builds the report of a finished job: decodes the output, compares each shown frame with the
   * source, and adds the chunks and the timeline.
   *
   * @param sourceInput what {@link VideoSource#open} reads the source from (the job's input_uri)
   * @throws ReportException if the output cannot be read or decoded, or does not match the source
   *     in size or frame count (the message names the file and the frame)
   * @throws io.tinythreads.media.MediaException if the source cannot be read
   */
  public static JobReport build(ReportInput in, String sourceInput) throws IOException {
    long t0 = System.nanoTime();
    Measured m = measureFrames(in, sourceInput);
    return assemble(in, sourceInput, m, t0, "decoded");
  }

  /**
   * Builds the report of a finished job from the quality its workers measured, chunk by chunk, in
   * parallel ({@code ChunkQuality} sidecars under {@code BlobKeys.quality(jobId, chunk)} in
   * {@code blobs}): no decode, only a read of the output's frame sizes and tags to check that each
   * sidecar describes the bytes that were joined. The figures are exactly those of {@link #build}.
   * If any sidecar is missing, unreadable or does not match its chunk, the reason is logged and the
   * whole output is measured as {@link #build} does.
   *
   * @param in the job (its id and chunks name the sidecars)
   * @param sourceInput what {@link VideoSource#open} reads the source from, for the fallback
   * @param blobs the job's blob store, before the job's intermediates are deleted
   * @throws ReportException as {@link #build} (only when it falls back)
   */
  public static JobReport buildFromChunks(ReportInput in, String sourceInput, BlobStore blobs) throws IOException {
    long t0 = System.nanoTime();
    Measured m;
    try {
      m = ChunkSidecars.combine(in, blobs);
    } catch (ChunkSidecars.Unusable e) {
      log.warn("report for {}: cannot use the workers' quality sidecars ({}); measuring the whole output",
          in.output(), e.getMessage());
      return build(in, sourceInput);
    }
    return assemble(in, sourceInput, m, t0, "from " + in.chunks().size() + " chunk sidecars");
  }

  private static JobReport assemble(ReportInput in, String sourceInput, Measured m, long t0, String how)
      throws IOException {
    VideoInfo v = in.video();
    int fpsNum = v.getFpsNum() > 0 ? v.getFpsNum() : m.fpsNum;
    int fpsDen = v.getFpsDen() > 0 ? v.getFpsDen() : m.fpsDen;
    long fileBytes = Files.size(in.output());
    Summary summary = summarize(m.frames, m.hidden, fileBytes, fpsNum, fpsDen, m.sseY, m.sseAll, m.samplesY,
        m.samplesAll);
    List<ChunkReport> chunks = chunkReports(in, m.frames, fpsNum, fpsDen);
    List<StageEvent> timeline = new ArrayList<>(in.timeline());
    timeline.sort(Comparator.comparingInt(StageEvent::chunk).thenComparingInt(StageEvent::attempt)
        .thenComparing(StageEvent::workerId).thenComparingLong(StageEvent::startUnixMicros));
    JobReport r = new JobReport(JobReport.VERSION, in.jobId(), setup(in), new Video(m.width, m.height, fpsNum, fpsDen,
        summary.frames(), v.getSource().isEmpty() ? sourceInput : v.getSource()), in.output().toString(),
        in.wallSeconds(), in.startUnixMicros(), summary, chunks, m.frames, timeline);
    log.info("report for {} ({}): {} frames, {} kbit/s, PSNR-Y {} dB, SSIM {} dB ({} ms)", in.output(), how,
        summary.frames(), fmt(summary.bitrateKbps()), fmt(summary.psnrY()), fmt(summary.ssimAllDb()),
        (System.nanoTime() - t0) / 1_000_000);
    return r;
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  /** Per-frame measurements plus the sums behind the overall PSNR. */
  static final class Measured {
    final List<FrameReport> frames = new ArrayList<>();
    long hidden;
    int width;
    int height;
    int fpsNum;
    int fpsDen;
    long sseY;
    long sseAll;
    double samplesY;
    double samplesAll;
  }

  private static Measured measureFrames(ReportInput in, String sourceInput) throws IOException {
    Measured m = new Measured();
    Path out = in.output();
    // The source first: VideoSource.open also initialises FFmpeg (logging) for the demuxer.
    try (VideoSource src = VideoSource.open(sourceInput); Vp8Packets packets = Vp8Packets.open(out)) {
      VideoInfo si = src.info();
      m.width = si.getWidth();
      m.height = si.getHeight();
      m.fpsNum = si.getFpsNum();
      m.fpsDen = si.getFpsDen();
      int w = si.getWidth();
      int h = si.getHeight();
      byte[] frame = new byte[src.frameBytes()];
      Metrics.I420 planes = Metrics.I420.packed(frame, w, h);
      Decoder decoder = new Decoder();
      ChunkMap chunkOf = ChunkMap.of(in);
      long packet = 0;
      long shown = 0;
      int pendingBytes = 0;
      for (byte[] data; (data = packets.next()) != null; packet++) {
        DecodedFrame d;
        try {
          d = decoder.decode(data);
        } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
          throw new ReportException(out + ": frame " + packet + " (decode order): " + e.getMessage(), e);
        }
        pendingBytes += data.length;
        if (!d.shown()) {
          m.hidden++;
          continue;
        }
        Raster r = d.raster();
        if (r.width() != w || r.height() != h) {
          throw new ReportException(out + ": frame " + shown + " is " + r.width() + "x" + r.height()
              + " but the source " + sourceInput + " is " + w + "x" + h);
        }
        if (!src.read(frame)) {
          throw new ReportException(out + ": shows more frames than the source " + sourceInput + " has ("
              + shown + ")");
        }
        FrameQuality q = FrameQuality.of(planes, r);
        Metrics.Psnr p = q.psnr();
        Metrics.Ssim s = q.ssim();
        m.sseY += p.sseY();
        m.sseAll += p.sseY() + p.sseU() + p.sseV();
        m.samplesY += (double) w * h;
        m.samplesAll += (double) w * h + 2.0 * planes.u().width() * planes.u().height();
        m.frames.add(new FrameReport(shown, chunkOf.chunk(shown), d.header().tag().keyFrame(), pendingBytes, p.y(),
            p.all(), s.y(), s.all()));
        pendingBytes = 0;
        shown++;
      }
      if (shown == 0) {
        throw new ReportException(out + ": no shown frames");
      }
      if (pendingBytes > 0) {
        // Hidden frames after the last shown one: count their bytes with the last frame.
        FrameReport last = m.frames.removeLast();
        m.frames.add(new FrameReport(last.index(), last.chunk(), last.keyframe(), last.bytes() + pendingBytes,
            last.psnrY(), last.psnrAll(), last.ssimY(), last.ssimAll()));
      }
      if (src.read(frame)) {
        throw new ReportException(out + ": shows " + shown + " frames but the source " + sourceInput + " has more");
      }
    }
    return m;
  }

  /** Which chunk a display index belongs to: from the job's chunks, else from N, else none. */
  record ChunkMap(long[] firsts, int framesPerChunk) {
    static ChunkMap of(ReportInput in) {
      long[] f = in.chunks().stream().mapToLong(ChunkOutput::firstFrame).toArray();
      return new ChunkMap(f, in.spec().getFramesPerChunk());
    }

    int chunk(long frame) {
      if (firsts.length > 0) {
        int i = java.util.Arrays.binarySearch(firsts, frame);
        return i >= 0 ? i : -i - 2;
      }
      return framesPerChunk > 0 ? (int) (frame / framesPerChunk) : -1;
    }
  }

  static Summary summarize(List<FrameReport> frames, long hidden, long fileBytes, int fpsNum, int fpsDen, long sseY,
      long sseAll, double samplesY, double samplesAll) {
    long n = frames.size();
    long payload = 0;
    int keyframes = 0;
    double psnrY = 0;
    double psnrAll = 0;
    double ssimY = 0;
    double ssimAll = 0;
    double minPsnrY = Double.POSITIVE_INFINITY;
    double minSsimDb = Double.POSITIVE_INFINITY;
    for (FrameReport f : frames) {
      payload += f.bytes();
      keyframes += f.keyframe() ? 1 : 0;
      psnrY += f.psnrY();
      psnrAll += f.psnrAll();
      ssimY += f.ssimY();
      ssimAll += f.ssimAll();
      minPsnrY = Math.min(minPsnrY, f.psnrY());
      minSsimDb = Math.min(minSsimDb, f.ssimAllDb());
    }
    double seconds = fpsNum > 0 ? n * (double) fpsDen / fpsNum : Double.NaN;
    double meanSsimY = n > 0 ? ssimY / n : Double.NaN;
    double meanSsimAll = n > 0 ? ssimAll / n : Double.NaN;
    return new Summary(n, hidden, keyframes, fileBytes, payload, seconds, kbps(fileBytes, seconds),
        kbps(payload, seconds), n > 0 ? psnrY / n : Double.NaN, n > 0 ? psnrAll / n : Double.NaN,
        samplesAll > 0 ? Metrics.sseToPsnr(samplesAll, sseAll) : Double.NaN, meanSsimY, meanSsimAll,
        JobReport.ssimDb(meanSsimY), JobReport.ssimDb(meanSsimAll), n > 0 ? minPsnrY : Double.NaN,
        n > 0 ? minSsimDb : Double.NaN);
  }

  static double kbps(long bytes, double seconds) {
    return seconds > 0 ? bytes * 8.0 / seconds / 1000.0 : Double.NaN;
  }

  private static List<ChunkReport> chunkReports(ReportInput in, List<FrameReport> frames, int fpsNum, int fpsDen) {
    int x = Math.max(1, in.spec().getChunksPerBatch());
    int count = 0;
    for (FrameReport f : frames) {
      count = Math.max(count, f.chunk() + 1);
    }
    if (!in.chunks().isEmpty() && in.chunks().size() != count) {
      throw new ReportException(in.output() + ": the job has " + in.chunks().size() + " chunks but the output's "
          + frames.size() + " frames cover " + count);
    }
    List<List<FrameReport>> byChunk = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byChunk.add(new ArrayList<>());
    }
    for (FrameReport f : frames) {
      if (f.chunk() >= 0) {
        byChunk.get(f.chunk()).add(f);
      }
    }
    List<ChunkReport> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<FrameReport> fs = byChunk.get(i);
      long bytes = 0;
      int keys = 0;
      double py = 0;
      double pa = 0;
      double sa = 0;
      for (FrameReport f : fs) {
        bytes += f.bytes();
        keys += f.keyframe() ? 1 : 0;
        py += f.psnrY();
        pa += f.psnrAll();
        sa += f.ssimAll();
      }
      int n = fs.size();
      long first = fs.isEmpty() ? 0 : fs.getFirst().index();
      if (!in.chunks().isEmpty()) {
        ChunkOutput c = in.chunks().get(i);
        if (c.frames() != n || c.bytes() != bytes || c.keyframes() != keys) {
          // The join and this measurement read the same bytes; a difference means one of them is wrong.
          log.warn("report for {}: chunk {}: the job recorded {} frames, {} bytes, {} keyframes; the output holds {},"
              + " {}, {}", in.output(), i, c.frames(), c.bytes(), c.keyframes(), n, bytes, keys);
        }
      }
      double seconds = fpsNum > 0 ? n * (double) fpsDen / fpsNum : Double.NaN;
      double meanSsim = n > 0 ? sa / n : Double.NaN;
      out.add(new ChunkReport(i, i / x, first, n, bytes, keys, kbps(bytes, seconds), n > 0 ? py / n : Double.NaN,
          n > 0 ? pa / n : Double.NaN, meanSsim, JobReport.ssimDb(meanSsim)));
    }
    return out;
  }

  private static Setup setup(ReportInput in) {
    JobSpec s = in.spec();
    boolean job = !in.jobId().isEmpty();
    String pipeline = s.getPipeline() == Pipeline.PIPELINE_XC ? "xc"
        : s.getPipeline() == Pipeline.PIPELINE_INDEPENDENT ? "independent" : "";
    String launcher = s.getLauncher() == LauncherKind.LAUNCHER_UNSPECIFIED || s.getLauncher() == LauncherKind.UNRECOGNIZED
        ? "" : s.getLauncher().name().substring("LAUNCHER_".length()).toLowerCase(Locale.ROOT);
    String encoder = "";
    if (job) {
      try {
        encoder = LibvpxSettings.resolve(s.getSettings()).vpxencFlags();
      } catch (IllegalArgumentException e) {
        encoder = "(invalid settings: " + e.getMessage() + ")";
      }
    }
    String name = in.output().getFileName().toString().toLowerCase(Locale.ROOT);
    String container = s.getContainer() == OutputContainer.OUTPUT_CONTAINER_IVF ? "ivf"
        : s.getContainer() == OutputContainer.OUTPUT_CONTAINER_WEBM ? "webm"
        : name.endsWith(".ivf") ? "ivf" : name.endsWith(".webm") ? "webm" : "";
    return new Setup(pipeline, s.getFramesPerChunk(), s.getChunksPerBatch(), s.getWorkers(), launcher, encoder,
        container);
  }
}
