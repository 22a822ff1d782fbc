package io.tinythreads.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_BITSTREAM;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_FLOAT;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_FLAG_HWACCEL;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_image_copy_to_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get;
import static org.bytedeco.ffmpeg.global.avutil.av_reduce;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import io.tinythreads.proto.VideoInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avfilter.AVFilter;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVPixFmtDescriptor;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avfilter;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes the video stream of anything FFmpeg can read (y4m, mp4, webm, mov, avi, ...) or a
 * {@code demo:} lavfi source into packed 8-bit I420 frames: Y (w x h), then U and V
 * ((w+1)/2 x (h+1)/2 each), no padding.
 *
 * <p>Every decoded frame is delivered exactly once, in decode-output order: there is no frame-rate
 * filter, so nothing is dropped or duplicated and the cadence of the source is kept. yuv420p and
 * yuvj420p are copied bit-exactly; other 8-bit formats are converted with swscale; formats deeper
 * than 8 bits are refused (VP8 is 8-bit only, and silently truncating would lose quality).
 *
 * <p>The first frame is decoded in {@link #open}, so empty or unsupported inputs fail there. Not
 * thread-safe.
 */
public final class VideoSource implements AutoCloseable {
  /** swscale flags for non-4:2:0 inputs: high-quality, and reproducible (no CPU-dependent paths). */
  static final int SWS_FLAGS = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT;

  /**
   * FFmpeg demuxers that render text as pictures (ANSI art, BIN, XBIN...): a text file must be
   * reported as "not a video", not decoded into images of its characters.
   */
  private static final Set<String> TEXT_DEMUXERS = Set.of("tty", "bin", "xbin", "adf", "idf");

  private final String input;
  private final VideoInfo info;
  private final long frameLimit;
  private final AVFormatContext fmt;
  private final AVCodecContext dec;
  private final int streamIndex;
  private final AVPacket pkt;
  private final AVFrame frame;
  private AVFrame scaled;
  /** Native staging buffer for one packed frame (one JNI copy per frame into the caller's array). */
  private BytePointer packed;
  private SwsContext sws;
  private int swsFormat = -1;
  private boolean flushSent;
  private boolean eof;
  private boolean havePending;
  private long framesRead;
  private boolean closed;

  private VideoSource(String input, AVFormatContext fmt, AVCodecContext dec, int streamIndex,
      int fpsNum, int fpsDen, long knownFrames, long frameLimit) {
    this.input = input;
    this.fmt = fmt;
    this.dec = dec;
    this.streamIndex = streamIndex;
    this.frameLimit = frameLimit;
    this.pkt = av_packet_alloc();
    this.frame = av_frame_alloc();
    // Decode the first frame now: its size is the authoritative picture size, and an empty or
    // unsupported stream should fail at open, not halfway through a job. On failure only what this
    // constructor allocated is freed here; openWith frees the demuxer and decoder.
    VideoInfo vi;
    try {
      if (!decodeNext()) {
        throw new MediaException(input + ": no frames (the video stream is empty)");
      }
      int w = frame.width();
      int h = frame.height();
      if (w <= 0 || h <= 0) {
        throw new MediaException(input + ": frame 0 has no picture size (" + w + "x" + h + ")");
      }
      vi = VideoInfo.newBuilder().setWidth(w).setHeight(h).setFpsNum(fpsNum).setFpsDen(fpsDen)
          .setFrameCount(knownFrames).setSource(input).build();
      checkPixelFormat(frame.format(), 0);
    } catch (RuntimeException e) {
      av_frame_free(frame);
      av_packet_free(pkt);
      throw e;
    }
    this.info = vi;
    havePending = true;
  }

  /**
   * Opens a file path or a {@code demo:} spec ({@code demo:<lavfi source>[,size=WxH][,rate=N[/D]][,frames=N]},
   * defaults testsrc2, 640x360, 30/1, 96 frames).
   */
  public static VideoSource open(String input) throws MediaException {
    if (input == null || input.isBlank()) {
      throw new MediaException("input is empty");
    }
    Ffmpeg.init();
    if (DemoSpec.isDemo(input)) {
      return openDemo(input, DemoSpec.parse(input));
    }
    Path p = Path.of(input);
    if (!Files.exists(p)) {
      throw new MediaException(input + ": no such file");
    }
    if (Files.isDirectory(p)) {
      throw new MediaException(input + ": is a directory, not a video file");
    }
    if (!Files.isReadable(p)) {
      throw new MediaException(input + ": not readable (permission denied)");
    }
    try {
      if (Files.size(p) == 0) {
        throw new MediaException(input + ": not a video (the file is empty)");
      }
    } catch (java.io.IOException e) {
      throw new MediaException(input + ": cannot read (" + e.getMessage() + ")", e);
    }
    return openWith(input, input, null, -1, -1);
  }

  private static VideoSource openDemo(String input, DemoSpec spec) {
    AVFilter f = avfilter.avfilter_get_by_name(spec.source());
    if (f == null || f.isNull()) {
      throw new MediaException(input + ": unknown lavfi source '" + spec.source() + "'");
    }
    if (avfilter.avfilter_filter_pad_count(f, 0) != 0 || avfilter.avfilter_filter_pad_count(f, 1) != 1
        || avfilter.avfilter_pad_get_type(f.outputs(), 0) != AVMEDIA_TYPE_VIDEO) {
      throw new MediaException(input + ": lavfi filter '" + spec.source() + "' is not a video source");
    }
    AVInputFormat lavfi = av_find_input_format("lavfi");
    if (lavfi == null || lavfi.isNull()) {
      throw new MediaException(input + ": this FFmpeg build has no lavfi input device");
    }
    VideoSource s = openWith(input, spec.lavfiGraph(), lavfi, spec.frames(), spec.frames());
    if (s.info.getFpsNum() != spec.fpsNum() || s.info.getFpsDen() != spec.fpsDen()) {
      // Reduced fractions: 60/2 becomes 30/1, so compare by value.
      if ((long) s.info.getFpsNum() * spec.fpsDen() != (long) spec.fpsNum() * s.info.getFpsDen()) {
        s.close();
        throw new MediaException(input + ": lavfi reported " + s.info.getFpsNum() + "/" + s.info.getFpsDen()
            + " fps, expected " + spec.fpsNum() + "/" + spec.fpsDen());
      }
    }
    if (s.info.getWidth() != spec.width() || s.info.getHeight() != spec.height()) {
      int w = s.info.getWidth();
      int h = s.info.getHeight();
      s.close();
      throw new MediaException(input + ": lavfi source produced " + w + "x" + h + ", expected "
          + spec.width() + "x" + spec.height());
    }
    return s;
  }

  private static VideoSource openWith(String input, String url, AVInputFormat ifmt, long knownFrames, long limit) {
    AVFormatContext fmt = new AVFormatContext(null);
    int r = avformat_open_input(fmt, url, ifmt, null);
    if (r < 0) {
      throw new MediaException(input + (ifmt != null ? ": cannot start lavfi source (" : ": not a video (FFmpeg cannot read it: ")
          + Ffmpeg.err(r) + ")");
    }
    AVCodecContext dec = null;
    try {
      String demuxer = fmt.iformat() == null ? "" : fmt.iformat().name().getString();
      if (TEXT_DEMUXERS.contains(demuxer)) {
        throw new MediaException(input + ": not a video (FFmpeg reads it as text art, format '" + demuxer + "')");
      }
      r = avformat_find_stream_info(fmt, (PointerPointer<?>) null);
      if (r < 0) {
        throw new MediaException(input + ": not a video (cannot read stream info: " + Ffmpeg.err(r) + ")");
      }
      int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
      if (idx < 0) {
        throw new MediaException(input + ": no video stream (" + fmt.nb_streams() + " stream(s) of other kinds)");
      }
      AVStream st = fmt.streams(idx);
      if ((st.disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0) {
        throw new MediaException(input + ": no video stream (only an attached cover picture)");
      }
      AVCodecParameters par = st.codecpar();
      AVCodec codec = avcodec_find_decoder(par.codec_id());
      if (codec == null || codec.isNull()) {
        throw new MediaException(input + ": no decoder for video codec '" + avcodec_get_name(par.codec_id()).getString() + "'");
      }
      dec = avcodec_alloc_context3(codec);
      r = avcodec_parameters_to_context(dec, par);
      if (r < 0) {
        throw new MediaException(input + ": cannot set up the decoder: " + Ffmpeg.err(r));
      }
      // Decoding is bit-exact whatever the thread count; threads only make ingest faster.
      dec.thread_count(0);
      r = avcodec_open2(dec, codec, (PointerPointer<?>) null);
      if (r < 0) {
        throw new MediaException(input + ": cannot open the " + codec.name().getString() + " decoder: " + Ffmpeg.err(r));
      }
      int[] fps = frameRate(st);
      if (fps == null) {
        throw new MediaException(input + ": the video stream has no usable frame rate or time base");
      }
      return new VideoSource(input, fmt, dec, idx, fps[0], fps[1], knownFrames, limit);
    } catch (RuntimeException e) {
      if (dec != null) {
        avcodec_free_context(dec);
      }
      avformat_close_input(fmt);
      throw e;
    }
  }

  /** avg_frame_rate, else r_frame_rate, else 1/time_base; reduced to fit 32-bit ints. */
  static int[] frameRate(AVStream st) {
    for (AVRational q : new AVRational[] {st.avg_frame_rate(), st.r_frame_rate()}) {
      if (q.num() > 0 && q.den() > 0) {
        return reduce(q.num(), q.den());
      }
    }
    AVRational tb = st.time_base();
    if (tb.num() > 0 && tb.den() > 0) {
      return reduce(tb.den(), tb.num());
    }
    return null;
  }

  private static int[] reduce(long num, long den) {
    int[] n = new int[1];
    int[] d = new int[1];
    av_reduce(n, d, num, den, Integer.MAX_VALUE);
    return new int[] {n[0], d[0]};
  }

  public VideoInfo info() {
    return info;
  }

  /** Bytes of one packed I420 frame for this source. */
  public int frameBytes() {
    return frameBytes(info.getWidth(), info.getHeight());
  }

  public static int frameBytes(int width, int height) {
    return width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2);
  }

  /** Frames delivered by {@link #read} so far. */
  public long framesRead() {
    return framesRead;
  }

  /**
   * Fills {@code i420} (at least {@link #frameBytes()} long) with the next frame; false at the end.
   *
   * @throws MediaException for corrupt data, a size or format change mid-stream
   */
  public boolean read(byte[] i420) {
    if (closed) {
      throw new IllegalStateException(input + ": source is closed");
    }
    int need = frameBytes();
    if (i420.length < need) {
      throw new IllegalArgumentException("i420 buffer has " + i420.length + " bytes, a frame needs " + need);
    }
    if (!havePending) {
      if (frameLimit >= 0 && framesRead >= frameLimit) {
        return false;
      }
      if (!decodeNext()) {
        return false;
      }
    }
    havePending = false;
    try {
      convert(i420, need);
    } finally {
      av_frame_unref(frame);
    }
    framesRead++;
    return true;
  }

  /** Pulls decoded frames, feeding packets as needed; false at end of stream. */
  private boolean decodeNext() {
    while (true) {
      int r = avcodec_receive_frame(dec, frame);
      if (r == 0) {
        return true;
      }
      if (r == AVERROR_EOF) {
        eof = true;
        return false;
      }
      if (r != AVERROR_EAGAIN()) {
        throw new MediaException(input + ": frame " + framesRead + ": decode error: " + Ffmpeg.err(r));
      }
      if (flushSent) {
        return false; // decoder drained
      }
      r = av_read_frame(fmt, pkt);
      if (r == AVERROR_EOF) {
        flushSent = true;
        avcodec_send_packet(dec, null);
        continue;
      }
      if (r < 0) {
        throw new MediaException(input + ": frame " + framesRead + ": read error: " + Ffmpeg.err(r));
      }
      try {
        if (pkt.stream_index() == streamIndex) {
          r = avcodec_send_packet(dec, pkt);
          if (r < 0 && r != AVERROR_EAGAIN()) {
            throw new MediaException(input + ": frame " + framesRead + ": corrupt video data: " + Ffmpeg.err(r));
          }
        }
      } finally {
        av_packet_unref(pkt);
      }
    }
  }

  private void checkPixelFormat(int pixFmt, long index) {
    if (pixFmt == AV_PIX_FMT_YUV420P || pixFmt == AV_PIX_FMT_YUVJ420P) {
      return;
    }
    AVPixFmtDescriptor d = av_pix_fmt_desc_get(pixFmt);
    if (d == null || d.isNull()) {
      throw new MediaException(input + ": frame " + index + ": unsupported pixel format #" + pixFmt);
    }
    long flags = d.flags();
    String name = Ffmpeg.pixFmtName(pixFmt);
    int maxDepth = 0;
    for (int c = 0; c < d.nb_components(); c++) {
      maxDepth = Math.max(maxDepth, d.comp(c).depth());
    }
    if ((flags & AV_PIX_FMT_FLAG_HWACCEL) != 0) {
      throw new MediaException(input + ": unsupported pixel format " + name + " (hardware surface)");
    }
    if (maxDepth > 8 || (flags & AV_PIX_FMT_FLAG_FLOAT) != 0) {
      throw new MediaException(input + ": unsupported pixel format " + name + " (" + maxDepth
          + "-bit; VP8 encodes 8-bit 4:2:0 only, convert the input to 8 bits first)");
    }
    if ((flags & AV_PIX_FMT_FLAG_BITSTREAM) != 0 && maxDepth < 1) {
      throw new MediaException(input + ": unsupported pixel format " + name);
    }
  }

  private void convert(byte[] out, int need) {
    int w = info.getWidth();
    int h = info.getHeight();
    if (frame.width() != w || frame.height() != h) {
      throw new MediaException(input + ": frame " + framesRead + ": picture size changed from " + w + "x" + h
          + " to " + frame.width() + "x" + frame.height() + " (not supported)");
    }
    int pixFmt = frame.format();
    AVFrame src = frame;
    if (pixFmt != AV_PIX_FMT_YUV420P && pixFmt != AV_PIX_FMT_YUVJ420P) {
      checkPixelFormat(pixFmt, framesRead);
      src = scale(pixFmt, w, h);
    }
    // Same plane layout for yuv420p and yuvj420p (only the range flag differs): copy bit-exactly.
    if (packed == null) {
      packed = new BytePointer(need);
    }
    int n = av_image_copy_to_buffer(packed, need, src.data(), src.linesize(), AV_PIX_FMT_YUV420P, w, h, 1);
    if (n != need) {
      throw new IllegalStateException(input + ": frame " + framesRead + ": copied " + n + " bytes, expected " + need);
    }
    packed.position(0).get(out, 0, need);
  }

  private AVFrame scale(int pixFmt, int w, int h) {
    if (sws == null || swsFormat != pixFmt) {
      if (sws != null) {
        sws_freeContext(sws);
      }
      sws = sws_getContext(w, h, pixFmt, w, h, AV_PIX_FMT_YUV420P, SWS_FLAGS, null, null, (DoublePointer) null);
      swsFormat = pixFmt;
      if (sws == null || sws.isNull()) {
        sws = null;
        throw new MediaException(input + ": unsupported pixel format " + Ffmpeg.pixFmtName(pixFmt)
            + " (swscale cannot convert it to yuv420p)");
      }
    }
    if (scaled == null) {
      scaled = av_frame_alloc();
      scaled.format(AV_PIX_FMT_YUV420P).width(w).height(h);
      int r = av_frame_get_buffer(scaled, 0);
      if (r < 0) {
        throw new MediaException(input + ": cannot allocate a conversion frame: " + Ffmpeg.err(r));
      }
    }
    int r = sws_scale(sws, frame.data(), frame.linesize(), 0, h, scaled.data(), scaled.linesize());
    if (r < 0) {
      throw new MediaException(input + ": frame " + framesRead + ": pixel format conversion failed: " + Ffmpeg.err(r));
    }
    return scaled;
  }

  /** True once the decoder reported end of stream (for diagnostics). */
  boolean atEnd() {
    return eof;
  }

  @Override
  public void close() {
    if (!closed) {
      release();
    }
  }

  private void release() {
    closed = true;
    if (sws != null) {
      sws_freeContext(sws);
      sws = null;
    }
    if (scaled != null) {
      av_frame_free(scaled);
      scaled = null;
    }
    if (packed != null) {
      packed.close();
      packed = null;
    }
    av_frame_free(frame);
    av_packet_free(pkt);
    avcodec_free_context(dec);
    avformat_close_input(fmt);
  }

  @Override
  public String toString() {
    return "VideoSource[" + input + " " + info.getWidth() + "x" + info.getHeight() + " @ " + info.getFpsNum() + "/"
        + info.getFpsDen() + "]";
  }
}
