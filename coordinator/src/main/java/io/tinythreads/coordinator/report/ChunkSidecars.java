package io.tinythreads.coordinator.report;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.blob.NoSuchBlobException;
import io.tinythreads.coordinator.report.JobReport.FrameReport;
import io.tinythreads.fsm.BlobKeys;
import io.tinythreads.media.ChunkQuality;
import io.tinythreads.media.MediaException;
import io.tinythreads.proto.VideoInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A job's per-frame quality from its workers' sidecars ({@link ChunkQuality}, one per chunk under
 * {@link BlobKeys#quality}) instead of a serial decode of the whole output: ExCamera does
 * everything per chunk in parallel, and at 4K a decode + SSIM of the whole output on the
 * coordinator would take longer than the job.
 *
 * <p>Nothing is decoded here. The output's VP8 frames are read as stored (sizes and frame tags
 * only) to tie every sidecar to the bytes that were joined: each chunk's frame count, CRC-32C of
 * its frames, shown/hidden split and key frames must match its sidecar, so a sidecar of another
 * attempt or another encode is refused. Bytes per frame are attributed over the whole output
 * exactly as {@link Reports} does (hidden frames with the next shown frame, trailing ones with the
 * last), and the sidecars' own attribution must agree with it. Any mismatch or missing sidecar
 * raises {@link Unusable} naming the chunk and the field; the caller then measures the whole output.
 */
final class ChunkSidecars {
  private ChunkSidecars() {}

  /** Why the sidecars cannot stand for a whole-output measurement. */
  static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String message) {
      super(message);
    }

    Unusable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Reads each chunk's sidecar from {@code blobs}; the measurement a whole-output pass would give. */
  static Reports.Measured combine(ReportInput in, BlobStore blobs) throws Unusable, IOException {
    List<ChunkOutput> chunks = in.chunks();
    if (in.jobId().isEmpty() || chunks.isEmpty()) {
      throw new Unusable("no job chunks to read sidecars of");
    }
    VideoInfo v = in.video();
    int w = v.getWidth();
    int h = v.getHeight();
    if (w <= 0 || h <= 0 || v.getFpsNum() <= 0 || v.getFpsDen() <= 0) {
      throw new Unusable("video size or frame rate unknown (" + w + "x" + h + " @ " + v.getFpsNum() + "/"
          + v.getFpsDen() + ")");
    }
    List<ChunkQuality> qs = new ArrayList<>(chunks.size());
    long next = 0;
    for (ChunkOutput c : chunks) {
      ChunkQuality q = read(in.jobId(), c.index(), blobs);
      check(c, q, w, h, next);
      next = c.firstFrame() + c.frames();
      qs.add(q);
    }
    if (v.getFrameCount() > 0 && next != v.getFrameCount()) {
      throw new Unusable("the chunks show " + next + " frames, the video has " + v.getFrameCount());
    }

    Reports.Measured m = new Reports.Measured();
    m.width = w;
    m.height = h;
    m.fpsNum = v.getFpsNum();
    m.fpsDen = v.getFpsDen();
    int cw = (w + 1) / 2;
    int ch = (h + 1) / 2;
    Reports.ChunkMap chunkOf = Reports.ChunkMap.of(in);
    Path out = in.output();
    // FFmpeg (for a WebM output) was initialised by the job's ingest, in this process.
    try (Vp8Packets packets = Vp8Packets.open(out)) {
      long packet = 0;
      int pending = 0;
      int carried = 0; // the previous chunk's trailing hidden bytes, per its sidecar
      for (ChunkQuality q : qs) {
        CRC32C crc = new CRC32C();
        int shownInChunk = 0;
        for (int k = 0; k < q.packets(); k++, packet++) {
          byte[] data = packets.next();
          if (data == null) {
            throw new Unusable(out + " ends at frame " + packet + " (decode order), inside chunk " + q.chunk());
          }
          if (data.length < 3) {
            throw new Unusable(out + ": frame " + packet + " (decode order) is " + data.length + " bytes");
          }
          crc.update(data);
          pending += data.length;
          // RFC 6386 section 9.1: frame tag bit 0 is the frame type (0 = key frame), bit 4 show_frame.
          boolean shown = (data[0] & 0x10) != 0;
          if (!shown) {
            m.hidden++;
            continue;
          }
          if (shownInChunk >= q.frames().size()) {
            throw new Unusable("chunk " + q.chunk() + ": the output shows more frames than its sidecar");
          }
          ChunkQuality.Frame f = q.frames().get(shownInChunk);
          boolean key = (data[0] & 1) == 0;
          int sidecarBytes = f.bytes() + (shownInChunk == 0 ? carried : 0);
          if (key != f.keyframe() || pending != sidecarBytes) {
            throw new Unusable("chunk " + q.chunk() + ": frame " + f.index() + " is " + (key ? "a" : "not a")
                + " key frame of " + pending + " bytes in the output, the sidecar says " + f.keyframe() + ", "
                + sidecarBytes + " bytes");
          }
          m.sseY += f.sseY();
          m.sseAll += f.sseY() + f.sseU() + f.sseV();
          m.samplesY += (double) w * h;
          m.samplesAll += (double) w * h + 2.0 * cw * ch;
          m.frames.add(new FrameReport(f.index(), chunkOf.chunk(f.index()), key, pending, f.psnrY(), f.psnrAll(),
              f.ssimY(), f.ssimAll()));
          pending = 0;
          shownInChunk++;
        }
        if (shownInChunk != q.frames().size()) {
          throw new Unusable("chunk " + q.chunk() + ": the output shows " + shownInChunk + " frames, its sidecar "
              + q.frames().size());
        }
        if ((int) crc.getValue() != q.payloadCrc()) {
          throw new Unusable("chunk " + q.chunk() + ": the output's frames differ from those its sidecar measured"
              + " (CRC-32C)");
        }
        if (pending != q.trailingHiddenBytes()) {
          throw new Unusable("chunk " + q.chunk() + ": " + pending + " hidden bytes after its last shown frame, the"
              + " sidecar says " + q.trailingHiddenBytes());
        }
        carried = pending;
      }
      if (packets.next() != null) {
        throw new Unusable(out + " has more frames than its " + qs.size() + " chunks (" + packet + ")");
      }
      if (pending > 0) {
        // Hidden frames after the last shown one: count their bytes with the last frame (as Reports).
        FrameReport last = m.frames.removeLast();
        m.frames.add(new FrameReport(last.index(), last.chunk(), last.keyframe(), last.bytes() + pending,
            last.psnrY(), last.psnrAll(), last.ssimY(), last.ssimAll()));
      }
    } catch (ReportException e) {
      throw new Unusable(e.getMessage(), e);
    }
    return m;
  }

  private static ChunkQuality read(String jobId, int chunk, BlobStore blobs) throws Unusable {
    String key = BlobKeys.quality(jobId, chunk);
    byte[] bytes;
    try {
      bytes = blobs.get(key);
    } catch (NoSuchBlobException e) {
      throw new Unusable("chunk " + chunk + ": no quality sidecar " + key, e);
    } catch (UncheckedIOException e) {
      throw new Unusable("chunk " + chunk + ": cannot read " + key + ": " + e.getMessage(), e);
    }
    try {
      return ChunkQuality.parse(bytes, key);
    } catch (MediaException e) {
      throw new Unusable(e.getMessage(), e);
    }
  }

  /** The sidecar must describe exactly the chunk the job joined. */
  private static void check(ChunkOutput c, ChunkQuality q, int w, int h, long expectedFirst) throws Unusable {
    String who = "chunk " + c.index() + ": sidecar ";
    if (q.chunk() != c.index()) {
      throw new Unusable(who + "is of chunk " + q.chunk());
    }
    if (c.firstFrame() != expectedFirst || q.firstFrame() != c.firstFrame()) {
      throw new Unusable(who + "starts at frame " + q.firstFrame() + ", the chunk at " + c.firstFrame()
          + " (expected " + expectedFirst + ")");
    }
    if (q.width() != w || q.height() != h) {
      throw new Unusable(who + "measured " + q.width() + "x" + q.height() + ", the video is " + w + "x" + h);
    }
    if (q.frames().size() != c.frames() || q.payloadBytes() != c.bytes() || q.keyframes() != c.keyframes()) {
      throw new Unusable(who + "has " + q.frames().size() + " frames, " + q.payloadBytes() + " bytes, "
          + q.keyframes() + " key frames; the join " + c.frames() + ", " + c.bytes() + ", " + c.keyframes());
    }
    for (int i = 0; i < q.frames().size(); i++) {
      if (q.frames().get(i).index() != c.firstFrame() + i) {
        throw new Unusable(who + "frame " + i + " has index " + q.frames().get(i).index() + ", expected "
            + (c.firstFrame() + i));
      }
    }
  }
}
