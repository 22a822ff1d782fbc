package io.tinythreads.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_VP8;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_new_packet;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Writes the joined VP8 stream as IVF or WebM. Timestamps are global frame indices in units of
 * 1/fps (time base fps_den/fps_num). The file is written under a temporary name and renamed into
 * place by {@link #close()}, so a reader never sees a half-written output.
 *
 * <p><b>Hidden frames.</b> libvpx's auto-alt-ref frames have show_frame=0 (RFC 6386 9.1): they
 * update a reference and are not displayed. libvpx hands them out as separate packets stamped "right
 * after the previous frame", which with a 1/fps time base is the pts of the next shown frame.
 * <ul>
 *   <li>IVF: kept as separate IVF frames in decode order, as vpxenc writes them. vpxdec decodes
 *       them and shows only the visible ones. The header's frame-count field is written as the
 *       <em>shown</em> count: FFmpeg's IVF demuxer reads that field as the stream duration in
 *       time-base units, and vpxdec ignores it.
 *   <li>WebM: kept as separate blocks with the timestamp libvpx gave them (equal to the next shown
 *       frame's) and no duration, which is what FFmpeg's own libvpx encoder + webm muxer write
 *       (measured with FFmpeg 8.0.1: an invisible packet, then the visible one, same timestamp).
 *       Merging the hidden frame into the next packet, as is done for VP9 superframes, does not
 *       work for VP8: VP8 has no superframe index, so both libvpx and FFmpeg decode only the first
 *       frame of such a packet (tested: vpxdec reports the merged frames as corrupt and shows
 *       fewer frames). FFmpeg's VP8 decoder outputs nothing for an invisible frame, so ffprobe
 *       counts exactly the shown frames; DefaultDuration carries the exact frame rate.
 * </ul>
 */
public final class OutputWriter implements AutoCloseable {
  private final Path out;
  private final Path tmp;
  private final VideoInfo video;
  private final OutputContainer container;
  private final IvfWriter ivf;
  private final Webm webm;
  private long lastPts = Long.MIN_VALUE;
  private long lastShownPts = Long.MIN_VALUE;
  private int frames;
  private int shown;
  private boolean closed;

  private OutputWriter(Path out, Path tmp, VideoInfo video, OutputContainer container, IvfWriter ivf, Webm webm) {
    this.out = out;
    this.tmp = tmp;
    this.video = video;
    this.container = container;
    this.ivf = ivf;
    this.webm = webm;
  }

  /**
   * Opens {@code out} for writing. {@code OUTPUT_CONTAINER_UNSPECIFIED} picks the container from the
   * extension (.ivf; .webm or .mkv).
   */
  public static OutputWriter open(Path out, OutputContainer c, VideoInfo v) {
    if (v.getWidth() <= 0 || v.getHeight() <= 0 || v.getWidth() > 16383 || v.getHeight() > 16383) {
      throw new IllegalArgumentException("video size " + v.getWidth() + "x" + v.getHeight() + " is not a VP8 size");
    }
    if (v.getFpsNum() <= 0 || v.getFpsDen() <= 0) {
      throw new IllegalArgumentException("frame rate " + v.getFpsNum() + "/" + v.getFpsDen() + " must be positive");
    }
    OutputContainer container = c == OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED ? fromExtension(out) : c;
    if (container == OutputContainer.UNRECOGNIZED) {
      throw new IllegalArgumentException("unknown output container " + c);
    }
    Path tmp;
    try {
      Path dir = out.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, ".tt-tmp-", container == OutputContainer.OUTPUT_CONTAINER_WEBM ? ".webm" : ".ivf");
    } catch (IOException e) {
      throw new UncheckedIOException(out + ": cannot create output: " + e.getMessage(), e);
    }
    try {
      if (container == OutputContainer.OUTPUT_CONTAINER_IVF) {
        IvfWriter w = IvfWriter.create(tmp, IvfHeader.vp8(v.getWidth(), v.getHeight(), v.getFpsNum(), v.getFpsDen(), 0));
        return new OutputWriter(out, tmp, v, container, w, null);
      }
      return new OutputWriter(out, tmp, v, container, null, Webm.open(tmp, v, out));
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException(out + ": cannot create output: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  static OutputContainer fromExtension(Path out) {
    String n = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".ivf")) {
      return OutputContainer.OUTPUT_CONTAINER_IVF;
    }
    if (n.endsWith(".webm") || n.endsWith(".mkv")) {
      return OutputContainer.OUTPUT_CONTAINER_WEBM;
    }
    throw new IllegalArgumentException(out + ": cannot tell the container from the extension (use .ivf or .webm)");
  }

  /**
   * Appends one VP8 frame.
   *
   * @param pts global frame index (1/fps units); never decreasing, strictly increasing across
   *     shown frames
   * @param keyframe must agree with the frame's own tag
   */
  public void write(byte[] vp8Frame, long pts, boolean keyframe) {
    if (closed) {
      throw new IllegalStateException(out + ": writer is closed");
    }
    boolean isKey = Vp8Frames.isKeyframe(vp8Frame);
    boolean isShown = Vp8Frames.isShown(vp8Frame);
    if (isKey != keyframe) {
      throw new IllegalArgumentException(out + ": frame " + frames + " (pts " + pts + "): keyframe=" + keyframe
          + " but the VP8 frame tag says " + (isKey ? "keyframe" : "interframe"));
    }
    if (frames == 0 && !isKey) {
      throw new IllegalArgumentException(out + ": the first frame must be a keyframe");
    }
    if (pts < 0 || pts < lastPts) {
      throw new IllegalArgumentException(out + ": frame " + frames + ": pts " + pts + " goes backwards (previous "
          + lastPts + ")");
    }
    if (isShown && pts <= lastShownPts) {
      throw new IllegalArgumentException(out + ": frame " + frames + ": shown frame pts " + pts
          + " repeats or precedes the previous shown frame's " + lastShownPts);
    }
    if (isKey) {
      int[] wh = Vp8Frames.keyframeSize(vp8Frame);
      if (wh[0] != video.getWidth() || wh[1] != video.getHeight()) {
        throw new IllegalArgumentException(out + ": frame " + frames + ": keyframe is " + wh[0] + "x" + wh[1]
            + ", the output is " + video.getWidth() + "x" + video.getHeight());
      }
    }
    try {
      if (ivf != null) {
        ivf.write(pts, vp8Frame, 0, vp8Frame.length);
      } else {
        webm.write(vp8Frame, pts, isKey, isShown);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(out + ": cannot write frame " + frames + ": " + e.getMessage(), e);
    }
    lastPts = pts;
    if (isShown) {
      lastShownPts = pts;
      shown++;
    }
    frames++;
  }

  /** VP8 frames written, hidden ones included. */
  public int framesWritten() {
    return frames;
  }

  /** Frames that will be displayed. */
  public int shownFrames() {
    return shown;
  }

  public OutputContainer container() {
    return container;
  }

  /** Finishes the file (trailer, IVF count) and moves it into place. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (ivf != null) {
        ivf.close();
        // IvfWriter stores the number of IVF frames; store the shown count instead (class comment).
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, shown);
          ch.write(b, 24);
        }
      } else {
        webm.finish();
        webm.free(); // closes the AVIOContext: everything is on disk before the rename
      }
      OutputFiles.makeShareable(tmp);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(out + ": cannot finish output: " + e.getMessage(), e);
    } finally {
      if (webm != null) {
        webm.free();
      }
      deleteQuietly(tmp);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a stray temp file next to the output
    }
  }

  /** The avformat "webm" muxer with one VP8 stream. */
  private static final class Webm {
    private final AVFormatContext oc;
    private final AVStream st;
    private final AVRational frameTb;
    private final AVPacket pkt;
    private final Path name;
    private boolean freed;

    private Webm(AVFormatContext oc, AVStream st, AVRational frameTb, Path name) {
      this.oc = oc;
      this.st = st;
      this.frameTb = frameTb;
      this.name = name;
      this.pkt = av_packet_alloc();
    }

    static Webm open(Path file, VideoInfo v, Path name) {
      Ffmpeg.init();
      AVFormatContext oc = new AVFormatContext(null);
      int r = avformat_alloc_output_context2(oc, null, "webm", file.toString());
      if (r < 0 || oc.isNull()) {
        throw new MediaException(name + ": cannot create a webm muxer: " + Ffmpeg.err(r));
      }
      Webm w = null;
      try {
        AVStream st = avformat_new_stream(oc, null);
        if (st == null || st.isNull()) {
          throw new MediaException(name + ": cannot add a stream to the webm muxer");
        }
        AVCodecParameters par = st.codecpar();
        par.codec_type(AVMEDIA_TYPE_VIDEO);
        par.codec_id(AV_CODEC_ID_VP8);
        par.width(v.getWidth());
        par.height(v.getHeight());
        par.format(AV_PIX_FMT_YUV420P);
        AVRational tb = av_make_q(v.getFpsDen(), v.getFpsNum());
        st.time_base(tb);
        // The muxer writes DefaultDuration from the average frame rate; readers derive fps from it.
        st.avg_frame_rate(av_make_q(v.getFpsNum(), v.getFpsDen()));
        st.r_frame_rate(av_make_q(v.getFpsNum(), v.getFpsDen()));
        w = new Webm(oc, st, tb, name);
        AVIOContext pb = new AVIOContext(null);
        r = avio_open(pb, file.toString(), AVIO_FLAG_WRITE);
        if (r < 0) {
          throw new MediaException(name + ": cannot open for writing: " + Ffmpeg.err(r));
        }
        oc.pb(pb);
        r = avformat_write_header(oc, (PointerPointer<?>) null);
        if (r < 0) {
          throw new MediaException(name + ": cannot write the webm header: " + Ffmpeg.err(r));
        }
        return w;
      } catch (RuntimeException e) {
        if (w != null) {
          w.free();
        } else {
          avformat_free_context(oc);
        }
        throw e;
      }
    }

    void write(byte[] data, long pts, boolean key, boolean shown) {
      int r = av_new_packet(pkt, data.length);
      if (r < 0) {
        throw new MediaException(name + ": out of memory for a " + data.length + "-byte packet");
      }
      try {
        pkt.data().put(data, 0, data.length);
        pkt.pts(pts).dts(pts);
        // A hidden frame takes no display time; a shown frame lasts one frame period.
        pkt.duration(shown ? 1 : 0);
        pkt.stream_index(st.index());
        if (key) {
          pkt.flags(pkt.flags() | AV_PKT_FLAG_KEY);
        }
        av_packet_rescale_ts(pkt, frameTb, st.time_base());
        r = av_write_frame(oc, pkt);
        if (r < 0) {
          throw new MediaException(name + ": webm muxer rejected frame at pts " + pts + ": " + Ffmpeg.err(r));
        }
      } finally {
        av_packet_unref(pkt);
      }
    }

    void finish() {
      int r = av_write_trailer(oc);
      if (r < 0) {
        throw new MediaException(name + ": cannot finish the webm file: " + Ffmpeg.err(r));
      }
    }

    void free() {
      if (freed) {
        return;
      }
      freed = true;
      av_packet_free(pkt);
      AVIOContext pb = oc.pb();
      if (pb != null && !pb.isNull()) {
        avio_closep(pb);
        oc.pb((AVIOContext) null);
      }
      avformat_free_context(oc);
    }
  }
}
