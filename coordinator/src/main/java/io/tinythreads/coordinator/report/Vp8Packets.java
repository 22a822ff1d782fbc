package io.tinythreads.coordinator.report;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_VP8;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;

import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The VP8 frames of an output file, in decode order, exactly as stored (hidden frames included):
 * IVF through vp8-state's {@link IvfReader}; any other container (WebM) through FFmpeg's demuxer,
 * whose packets are the VP8 frames (Matroska stores one VP8 frame per block, RFC 9559 / WebM
 * codec mapping "V_VP8"). Nothing is decoded here. Not thread-safe.
 */
abstract sealed class Vp8Packets implements AutoCloseable {
  /** The next frame, or null at the end. */
  abstract byte[] next() throws IOException;

  @Override
  public abstract void close() throws IOException;

  /**
   * Opens {@code file}, by content: an IVF signature ("DKIF") selects the IVF reader, anything else
   * the FFmpeg demuxer. FFmpeg must already be initialised by the caller (VideoSource.open does it),
   * so its logging goes where the rest of tinythreads sends it.
   *
   * @throws ReportException if the file is missing, not a container FFmpeg reads, or has no VP8 stream
   */
  static Vp8Packets open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ReportException(file + ": no such file");
    }
    byte[] magic;
    try (InputStream in = Files.newInputStream(file)) {
      magic = in.readNBytes(4);
    }
    if (magic.length == 4 && magic[0] == 'D' && magic[1] == 'K' && magic[2] == 'I' && magic[3] == 'F') {
      return new Ivf(file);
    }
    return new Demuxed(file);
  }

  private static final class Ivf extends Vp8Packets {
    private final IvfReader reader;

    Ivf(Path file) throws IOException {
      IvfReader r = IvfReader.open(file);
      if (!"VP80".equals(r.header().fourcc())) {
        r.close();
        throw new ReportException(file + ": IVF with codec " + r.header().fourcc() + ", not VP8");
      }
      this.reader = r;
    }

    @Override
    byte[] next() throws IOException {
      try {
        IvfFrame f = reader.next();
        return f == null ? null : f.data();
      } catch (InvalidBitstreamException e) {
        throw new ReportException(e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  private static final class Demuxed extends Vp8Packets {
    private final Path file;
    private final AVFormatContext fmt;
    private final AVPacket pkt;
    private final int stream;
    private long packets;
    private boolean closed;

    Demuxed(Path file) {
      this.file = file;
      AVFormatContext f = new AVFormatContext(null);
      int r = avformat_open_input(f, file.toString(), null, null);
      if (r < 0) {
        throw new ReportException(file + ": neither IVF nor a container FFmpeg reads (error " + r + ")");
      }
      try {
        r = avformat_find_stream_info(f, (PointerPointer<?>) null);
        if (r < 0) {
          throw new ReportException(file + ": cannot read stream info (error " + r + ")");
        }
        int idx = av_find_best_stream(f, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
        if (idx < 0) {
          throw new ReportException(file + ": no video stream");
        }
        if (f.streams(idx).codecpar().codec_id() != AV_CODEC_ID_VP8) {
          throw new ReportException(file + ": the video stream is not VP8");
        }
        this.stream = idx;
      } catch (RuntimeException e) {
        avformat_close_input(f);
        throw e;
      }
      this.fmt = f;
      this.pkt = av_packet_alloc();
    }

    @Override
    byte[] next() {
      while (true) {
        int r = av_read_frame(fmt, pkt);
        if (r == AVERROR_EOF) {
          return null;
        }
        if (r < 0) {
          throw new ReportException(file + ": packet " + packets + ": read error " + r);
        }
        try {
          if (pkt.stream_index() == stream) {
            byte[] data = new byte[pkt.size()];
            pkt.data().get(data);
            packets++;
            return data;
          }
        } finally {
          av_packet_unref(pkt);
        }
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      av_packet_free(pkt);
      avformat_close_input(fmt);
    }
  }
}
