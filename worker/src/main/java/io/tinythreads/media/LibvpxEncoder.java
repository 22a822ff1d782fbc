package io.tinythreads.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_PASS1;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_PASS2;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_int;

import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VP8 through FFmpeg's "libvpx" encoder (Bytedeco; libvpx is linked into its libavcodec).
 *
 * <p>Settings map onto avcodec the way vpxenc's flags mean them (see {@link #configure}); what
 * avcodec cannot express is listed there. The chunk gets exactly one keyframe, on its first frame:
 * the keyframe interval is set to more than the chunk length with kf_min_dist == kf_max_dist, which
 * switches libvpx's automatic (scene-cut) keyframes off (vp8_cx_iface.c: {@code auto_key = kf_mode
 * == VPX_KF_AUTO && kf_min_dist != kf_max_dist}), and frame 0 is forced to be a keyframe.
 *
 * <p>Hidden frames: with {@code lag_in_frames > 0} and auto-alt-ref, libvpx emits alt-ref frames
 * with show_frame=0 as packets of their own, with pts = previous pts + 1 (libvpx gives invisible
 * frames the timestamp "right after the last frame"). They are written to the IVF as separate
 * frames in decode order, exactly as vpxenc does; the number of shown frames always equals the
 * number of input frames.
 *
 * <p>Two passes are real two-pass: the first pass runs with AV_CODEC_FLAG_PASS1 and its
 * {@code stats_out} (base64 first-pass stats) feeds the second pass's {@code stats_in}.
 *
 * <p>Deterministic: libvpx is deterministic for a given input, settings and thread count, and
 * nothing here depends on time or randomness. Instances are stateless and thread-safe.
 */
public final class LibvpxEncoder implements Vp8ChunkEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(LibvpxEncoder.class);

  @Override
  public EncodedChunk encode(Path rawChunkY4m, EncodeSettings s, Path outIvf) {
    return encode(rawChunkY4m, s, outIvf, Progress.NONE);
  }

  @Override
  public EncodedChunk encode(Path raw, EncodeSettings settings, Path outIvf, Progress progress) {
    LibvpxSettings s = LibvpxSettings.resolve(settings);
    Ffmpeg.init();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long cpu0 = mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : 0;
    long t0 = System.nanoTime();

    RawChunks.Header h = RawChunks.readHeader(raw);
    int frames = countFrames(raw, h);
    String statsIn = null;
    int passCount = s.passes();
    if (passCount == 2) {
      statsIn = runPass(raw, h, frames, s, Pass.FIRST, null, null, progress, 0, passCount);
    }
    Path tmp;
    try {
      Path dir = outIvf.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, ".tt-tmp-", ".ivf.part");
    } catch (IOException e) {
      throw new UncheckedIOException(outIvf + ": cannot create: " + e.getMessage(), e);
    }
    try {
      Counts c = new Counts();
      try (IvfWriter ivf = IvfWriter.create(tmp, IvfHeader.vp8(h.width(), h.height(), h.fpsNum(), h.fpsDen(), 0))) {
        runPass(raw, h, frames, s, passCount == 2 ? Pass.SECOND : Pass.ONLY, statsIn, new Sink(ivf, h.firstFrame(), c, raw),
            progress, passCount - 1, passCount);
      }
      if (c.shown != frames) {
        throw new MediaException(raw + ": libvpx showed " + c.shown + " frames for " + frames + " input frames");
      }
      if (c.keyframes != 1) {
        throw new MediaException(raw + ": libvpx produced " + c.keyframes + " keyframes, expected exactly 1");
      }
      Files.move(tmp, outIvf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      long bytes = Files.size(outIvf);
      Duration wall = Duration.ofNanos(System.nanoTime() - t0);
      Duration cpu = Duration.ofNanos(mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() - cpu0 : 0);
      LOG.debug("{}: {} frames ({} hidden) -> {} bytes in {} ms [{}]", raw.getFileName(), c.written,
          c.written - c.shown, bytes, wall.toMillis(), s.vpxencFlags());
      return new EncodedChunk(outIvf, h.firstFrame(), c.written, c.shown, c.keyframes, bytes, wall, cpu);
    } catch (IOException e) {
      throw new UncheckedIOException(outIvf + ": cannot write: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // only a leftover temp file in scratch
      }
    }
  }

  /** Frame count from the file size; a size that is not a whole number of frames means truncation. */
  static int countFrames(Path raw, RawChunks.Header h) {
    long size;
    int headerLen;
    try {
      size = Files.size(raw);
      try (var in = Files.newInputStream(raw)) {
        byte[] head = in.readNBytes(4096);
        int nl = -1;
        for (int i = 0; i < head.length; i++) {
          if (head[i] == '\n') {
            nl = i;
            break;
          }
        }
        headerLen = nl + 1;
      }
    } catch (IOException e) {
      throw new MediaException(raw + ": cannot read raw chunk: " + e.getMessage(), e);
    }
    long per = 6L + h.frameBytes(); // "FRAME\n" + planes; tinythreads never writes frame parameters
    long body = size - headerLen;
    if (body <= 0) {
      throw new MediaException(raw + ": raw chunk has no frames");
    }
    if (body % per != 0) {
      throw new MediaException(raw + ": frame " + (body / per) + ": truncated (" + (body % per) + " of " + per
          + " bytes of the last frame present)");
    }
    long n = body / per;
    if (n > Integer.MAX_VALUE / 2) {
      throw new MediaException(raw + ": implausible frame count " + n);
    }
    return (int) n;
  }

  private enum Pass { ONLY, FIRST, SECOND }

  private static final class Counts {
    int written;
    int shown;
    int keyframes;
  }

  /** Writes packets of the final pass to the IVF. */
  private record Sink(IvfWriter ivf, long firstFrame, Counts counts, Path raw) {
    void write(byte[] data, long localPts, long lastPts) throws IOException {
      boolean shown = Vp8Frames.isShown(data);
      boolean key = Vp8Frames.isKeyframe(data);
      long pts = localPts == AV_NOPTS_VALUE ? lastPts + 1 : localPts;
      if (key && counts.written > 0) {
        throw new MediaException(raw + ": libvpx produced a keyframe at output frame " + counts.written
            + " (only the first frame may be one)");
      }
      ivf.write(firstFrame + pts, data, 0, data.length);
      counts.written++;
      if (shown) {
        counts.shown++;
      }
      if (key) {
        counts.keyframes++;
      }
    }
  }

  /**
   * One libvpx pass over the raw chunk. Returns the first-pass stats (base64, as avcodec keeps
   * them) for {@link Pass#FIRST}, else null.
   */
  private static String runPass(Path raw, RawChunks.Header h, int frames, LibvpxSettings s, Pass pass,
      String statsIn, Sink sink, Progress progress, int passIndex, int passCount) {
    AVCodec codec = avcodec_find_encoder_by_name("libvpx");
    if (codec == null || codec.isNull()) {
      throw new MediaException("this FFmpeg build has no libvpx VP8 encoder");
    }
    AVCodecContext ctx = avcodec_alloc_context3(codec);
    AVFrame frame = av_frame_alloc();
    AVPacket pkt = av_packet_alloc();
    BytePointer stats = statsIn == null ? null : new BytePointer(statsIn);
    BytePointer pixels = new BytePointer(h.frameBytes());
    try (RawChunks.Reader reader = RawChunks.open(raw)) {
      configure(ctx, h, frames, s, pass, stats, raw);
      int r = avcodec_open2(ctx, codec, (PointerPointer<?>) null);
      if (r < 0) {
        throw new MediaException(raw + ": cannot open libvpx (" + s.vpxencFlags() + "): " + Ffmpeg.err(r));
      }
      int w = h.width();
      int hh = h.height();
      int cw = (w + 1) / 2;
      int ch = (hh + 1) / 2;
      // The frame points into our own native buffer (not refcounted), so avcodec copies it on send;
      // the buffer can be refilled for the next frame right away.
      frame.format(AV_PIX_FMT_YUV420P).width(w).height(hh);
      frame.data(0, pixels.getPointer(0)).linesize(0, w);
      frame.data(1, pixels.getPointer((long) w * hh)).linesize(1, cw);
      frame.data(2, pixels.getPointer((long) w * hh + (long) cw * ch)).linesize(2, cw);
      byte[] buf = new byte[h.frameBytes()];
      long[] lastPts = {-1};
      for (int i = 0; i < frames; i++) {
        if (!reader.next(buf)) {
          throw new MediaException(raw + ": frame " + i + ": missing (chunk ended after " + i + " frames)");
        }
        pixels.position(0).put(buf, 0, buf.length);
        frame.pts(i);
        frame.pict_type(i == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        r = avcodec_send_frame(ctx, frame);
        if (r < 0) {
          throw new MediaException(raw + ": frame " + i + ": libvpx rejected the frame: " + Ffmpeg.err(r));
        }
        drain(ctx, pkt, sink, lastPts, raw, i);
        progress.update(Math.min(1.0, (passIndex + (i + 1.0) / frames) / passCount));
        if (Thread.currentThread().isInterrupted()) {
          throw new CancellationException(raw + ": encode interrupted at frame " + i);
        }
      }
      r = avcodec_send_frame(ctx, null);
      if (r < 0) {
        throw new MediaException(raw + ": cannot flush libvpx: " + Ffmpeg.err(r));
      }
      drain(ctx, pkt, sink, lastPts, raw, frames);
      if (pass == Pass.FIRST) {
        BytePointer out = ctx.stats_out();
        if (out == null || out.isNull()) {
          throw new MediaException(raw + ": libvpx first pass produced no statistics");
        }
        return out.getString();
      }
      return null;
    } finally {
      av_packet_free(pkt);
      // frame data points into `pixels`, which we free ourselves; av_frame_free only unrefs buffers
      av_frame_free(frame);
      avcodec_free_context(ctx);
      pixels.close();
      if (stats != null) {
        stats.close(); // stats_in is owned by the caller (avcodec.h), freed after the context
      }
    }
  }

  private static void drain(AVCodecContext ctx, AVPacket pkt, Sink sink, long[] lastPts, Path raw, int frameIndex) {
    while (true) {
      int r = avcodec_receive_packet(ctx, pkt);
      if (r == AVERROR_EAGAIN() || r == AVERROR_EOF) {
        return;
      }
      if (r < 0) {
        throw new MediaException(raw + ": frame " + frameIndex + ": libvpx failed: " + Ffmpeg.err(r));
      }
      try {
        if (sink != null && pkt.size() > 0) {
          byte[] data = new byte[pkt.size()];
          pkt.data().get(data);
          long pts = pkt.pts();
          sink.write(data, pts, lastPts[0]);
          lastPts[0] = pts == AV_NOPTS_VALUE ? lastPts[0] + 1 : pts;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(raw + ": cannot write encoded frame: " + e.getMessage(), e);
      } finally {
        av_packet_unref(pkt);
      }
    }
  }

  /**
   * Maps vpxenc semantics onto avcodec's libvpx wrapper (libavcodec/libvpxenc.c):
   * <ul>
   *   <li>--end-usage: cq = {@code crf} (VPX_CQ) with a bitrate; vbr = bitrate without crf (libvpx's
   *       default VPX_VBR); cbr = bit_rate == rc_min_rate == rc_max_rate (avcodec's VPX_CBR rule);
   *       q: avcodec only selects VPX_Q for VP9, so q is approximated as a fixed quantizer
   *       (min-q = max-q = cq-level).
   *   <li>--target-bitrate: {@code bit_rate} in bits/s. Always set explicitly: with bit_rate 0,
   *       avcodec would substitute libvpx's 256 kbit/s in cq mode, and switch vbr to cq.
   *   <li>--min-q/--max-q: qmin/qmax; --cq-level: crf; --cpu-used, --auto-alt-ref, --lag-in-frames,
   *       --undershoot-pct, --tune: private options of the same names; --good/--best/--rt: deadline;
   *       --token-parts=n: slices = 2^n (avcodec passes log2(slices)); --threads: thread_count.
   *   <li>--passes=2: AV_CODEC_FLAG_PASS1 then AV_CODEC_FLAG_PASS2 with stats_in.
   * </ul>
   * Not expressible through avcodec: ExCamera's --buf-sz/--buf-initial-sz/--buf-optimal-sz
   * (40000/10000/20000 ms). avcodec derives them from rc_buffer_size in bits relative to the
   * bitrate, which overflows an int at the unlimited cq bitrate, and always sets optimal = 5/6 of
   * the buffer; libvpx's defaults (6000/4000/5000 ms) stay in force. With an unlimited target the
   * buffer model never constrains cq mode, so this does not change what cq encodes.
   */
  private static void configure(AVCodecContext ctx, RawChunks.Header h, int frames, LibvpxSettings s, Pass pass,
      BytePointer stats, Path raw) {
    ctx.width(h.width()).height(h.height()).pix_fmt(AV_PIX_FMT_YUV420P);
    ctx.time_base(av_make_q(h.fpsDen(), h.fpsNum()));
    ctx.framerate(av_make_q(h.fpsNum(), h.fpsDen()));
    ctx.thread_count(s.threads());
    // One keyframe: interval longer than the chunk, and min == max disables libvpx's auto keyframes.
    int gop = frames + 1;
    ctx.gop_size(gop).keyint_min(gop);
    long bps = s.effectiveTargetKbps() * 1000L;
    int qmin = s.minQ();
    int qmax = s.maxQ();
    int crf = -1;
    switch (s.endUsage()) {
      case END_USAGE_CQ -> crf = s.cqLevel();
      case END_USAGE_Q -> {
        qmin = s.cqLevel();
        qmax = s.cqLevel();
        crf = s.cqLevel();
      }
      case END_USAGE_CBR -> ctx.rc_min_rate(bps).rc_max_rate(bps);
      case END_USAGE_VBR -> { }
      default -> throw new IllegalStateException("unresolved end usage " + s.endUsage());
    }
    ctx.bit_rate(bps);
    ctx.qmin(qmin).qmax(qmax);
    ctx.slices(1 << s.tokenPartsLog2());
    switch (pass) {
      case FIRST -> ctx.flags(ctx.flags() | AV_CODEC_FLAG_PASS1);
      case SECOND -> {
        ctx.flags(ctx.flags() | AV_CODEC_FLAG_PASS2);
        ctx.stats_in(stats);
      }
      case ONLY -> { }
    }
    var priv = ctx.priv_data();
    set(priv, "deadline", switch (s.deadline()) {
      case DEADLINE_BEST -> "best";
      case DEADLINE_REALTIME -> "realtime";
      default -> "good";
    }, raw);
    setInt(priv, "cpu-used", s.cpuUsed(), raw);
    setInt(priv, "auto-alt-ref", s.autoAltRef() ? 1 : 0, raw);
    setInt(priv, "lag-in-frames", s.lagInFrames(), raw);
    setInt(priv, "crf", crf, raw);
    setInt(priv, "undershoot-pct", 100, raw);
    set(priv, "tune", s.tuneSsim() ? "ssim" : "psnr", raw);
    if (s.endUsage() == EndUsage.END_USAGE_CBR || s.endUsage() == EndUsage.END_USAGE_VBR) {
      // ExCamera's decoder buffer model (40 s buffer, 10 s initial), when it fits avcodec's int field.
      long bufBits = bps * 40;
      long initBits = bps * 10;
      if (bufBits <= Integer.MAX_VALUE) {
        ctx.rc_buffer_size((int) bufBits).rc_initial_buffer_occupancy((int) initBits);
      }
    }
  }

  private static void set(org.bytedeco.javacpp.Pointer priv, String name, String value, Path raw) {
    int r = av_opt_set(priv, name, value, 0);
    if (r < 0) {
      throw new MediaException(raw + ": libvpx option " + name + "=" + value + " rejected: " + Ffmpeg.err(r));
    }
  }

  private static void setInt(org.bytedeco.javacpp.Pointer priv, String name, long value, Path raw) {
    int r = av_opt_set_int(priv, name, value, 0);
    if (r < 0) {
      throw new MediaException(raw + ": libvpx option " + name + "=" + value + " rejected: " + Ffmpeg.err(r));
    }
  }
}
