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
import org.bytedeco.javacpp.Pointer;
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
 * <p>Deterministic: libvpx is deterministic for a given input, settings and thread count once
 * its tune=ssim out-of-bounds read is neutralised ({@link AboveContextGuard}: without it the bytes
 * depended on what the native heap held before the encode), and nothing here depends on time or
 * randomness. Instances are stateless and thread-safe.
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
      // libvpx reads 9 bytes past its above-context row with tune=ssim (see AboveContextGuard);
      // the first pass never runs that code, so only the encoding passes need the guard.
      long guard = s.tuneSsim() && pass != Pass.FIRST
          ? AboveContextGuard.install(ctx, h.width(), h.height(), raw) : 0;
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
      if (guard != 0) {
        AboveContextGuard.verifyStillInstalled(ctx, guard, raw);
      }
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

  private static void set(Pointer priv, String name, String value, Path raw) {
    int r = av_opt_set(priv, name, value, 0);
    if (r < 0) {
      throw new MediaException(raw + ": libvpx option " + name + "=" + value + " rejected: " + Ffmpeg.err(r));
    }
  }

  private static void setInt(Pointer priv, String name, long value, Path raw) {
    int r = av_opt_set_int(priv, name, value, 0);
    if (r < 0) {
      throw new MediaException(raw + ": libvpx option " + name + "=" + value + " rejected: " + Ffmpeg.err(r));
    }
  }

  /**
   * Works around an out-of-bounds read in libvpx's VP8 encoder that made {@code --tune=ssim}
   * encodes depend on the contents of unrelated heap memory.
   *
   * <p>The bug (libvpx v1.15.2, still present upstream): with tune=ssim, {@code vp8_encode_frame}
   * first calls {@code build_activity_map} (vp8/encoder/encodeframe.c), which measures every
   * macroblock with {@code vp8_encode_intra}. When coefficient optimisation is on (good/best
   * deadline at cpu-used 0, the ExCamera settings) that runs the trellis {@code vp8_optimize_mby}
   * (encodemb.c), which copies 9 bytes of entropy context from {@code xd->above_context}. Nothing
   * in build_activity_map sets that pointer: it still holds the value the previous
   * {@code encode_mb_row} left behind, one past the end of {@code cm->above_context} (an array of
   * {@code mb_cols} 9-byte ENTROPY_CONTEXT_PLANES, allocated in alloccommon.c). From the second
   * frame on, every activity measurement therefore reads the 9 bytes after that array: malloc
   * slack whose contents are whatever the heap held before (for widths where the slack is shorter
   * than 9 bytes, e.g. 1280, the last byte is the next heap block's size field). They are added
   * into the token-cost context ({@code VP8_COMBINEENTROPYCONTEXTS} is a plain sum), so nonzero
   * garbage indexes {@code token_costs} out of bounds, changes the activity map and with it the
   * per-macroblock rate-distortion weights. A fresh process usually has zeros there, a long-lived JVM does not.
   * Valgrind on vpxenc 1.15.2 (and on Bytedeco's own ffmpeg binary) shows exactly these reads and
   * nothing else; with a zeroed extra context slot it reports no errors and the bytes equal those
   * of a fresh vpxenc run.
   *
   * <p>The fix: right after the encoder is opened, replace libvpx's above-context row by one of
   * our own with a zeroed 9-byte slot after it, so the stray read always sees zeros, which is what
   * vpxenc computes in a clean process. The new row is allocated the way {@code vpx_memalign}
   * allocates (16-byte aligned, the malloc() pointer stored in the 8 bytes before it), so libvpx's
   * own {@code vpx_free} releases it when the context is freed; the old row is freed here. The
   * encoder has encoded nothing yet, so nothing else points into the old row.
   *
   * <p>This needs the private layouts of FFmpeg's VPxEncoderContext and libvpx's encoder. The
   * offsets were computed with {@code offsetof} against the libvpx v1.15.2 headers, configured as
   * Bytedeco builds it ({@code --enable-static --enable-pic --target=x86_64-linux-gcc}, the build
   * string recorded in its libavcodec). Before writing anything, {@link #install} checks the
   * encoder's version string and a set of values it knows independently (frame size in two
   * structs, macroblock counts, the mode-info pointers, the tuning, vpx_memalign's header), and
   * refuses with a {@link MediaException} if any differs: a different libvpx build must be
   * re-measured, not guessed at (compile a scratch C program printing {@code offsetof} of the
   * fields named next to each constant against that build's headers and vpx_config.h).
   * tune=psnr never runs the faulty code and needs none of this.
   */
  static final class AboveContextGuard {
    /** The only libvpx build whose layout the offsets below describe. */
    static final String KNOWN_ENCODER = "WebM Project VP8 Encoder v1.15.2";

    // FFmpeg libavcodec/libvpxenc.c: struct VPxEncoderContext { AVClass *class; struct vpx_codec_ctx encoder; ...
    private static final long FF_ENCODER = 8;
    // vpx/vpx_codec.h: struct vpx_codec_ctx (public ABI)
    private static final long CTX_NAME = 0;
    private static final long CTX_CONFIG_ENC = 40;
    private static final long CTX_PRIV = 48;
    // vp8/vp8_cx_iface.c: struct vpx_codec_alg_priv
    private static final long ALG_CFG = 216;
    private static final long ALG_VP8_CFG_TUNING = 720 + 44;
    private static final long ALG_CPI = 1272;
    // vpx/vpx_encoder.h: vpx_codec_enc_cfg_t (public ABI)
    private static final long CFG_G_W = 12;
    private static final long CFG_G_H = 16;
    // vp8/encoder/onyx_int.h: VP8_COMP
    private static final long CPI_XD_ABOVE_CONTEXT = 73728 + 4224 + 3952; // mb.e_mbd.above_context
    private static final long CPI_OXCF_TUNING = 117976 + 248;
    private static final long CPI_COMMON = 108768;
    // vp8/common/onyxc_int.h: VP8_COMMON
    private static final long CM_WIDTH = 1840;
    private static final long CM_HEIGHT = 1844;
    private static final long CM_MBS = 3056;
    private static final long CM_MB_ROWS = 3060;
    private static final long CM_MB_COLS = 3064;
    private static final long CM_MODE_INFO_STRIDE = 3068;
    private static final long CM_MIP = 3112;
    private static final long CM_MI = 3120;
    private static final long CM_ABOVE_CONTEXT = 6552;
    private static final long MODE_INFO_SIZE = 76;
    /** sizeof(ENTROPY_CONTEXT_PLANES): y[4], u[2], v[2], y2. */
    static final int CONTEXT_PLANES_SIZE = 9;
    private static final int VP8_TUNE_SSIM = 1;

    private AboveContextGuard() {}

    /**
     * Replaces the encoder's above-context row by one followed by a zeroed context slot. Call
     * after avcodec_open2 and before the first frame. Returns the new row's address.
     *
     * @throws MediaException if the encoder is not the libvpx build the layout was measured on
     */
    static long install(AVCodecContext ctx, int width, int height, Path raw) {
      String os = System.getProperty("os.name");
      String arch = System.getProperty("os.arch");
      if (!os.startsWith("Linux") || !("amd64".equals(arch) || "x86_64".equals(arch))) {
        throw refuse(raw, "layout measured on linux x86-64 only, this is " + os + " " + arch);
      }
      Pointer privData = ctx.priv_data();
      if (privData == null || privData.isNull()) {
        throw refuse(raw, "no encoder private data");
      }
      long enc = privData.address() + FF_ENCODER;
      long alg = word(enc + CTX_PRIV);
      // The public config pointer points at the copy inside the private struct (vp8e_init):
      // checked before anything is dereferenced through alg.
      if (alg == 0 || word(enc + CTX_CONFIG_ENC) != alg + ALG_CFG) {
        throw refuse(raw, "vpx_codec_ctx does not point at vp8's private config");
      }
      long name = word(enc + CTX_NAME);
      String encoder = name == 0 ? "" : at(name).getString();
      if (!KNOWN_ENCODER.equals(encoder)) {
        throw refuse(raw, "encoder is \"" + encoder + "\", layout known for \"" + KNOWN_ENCODER + "\" only");
      }
      int cols = (width + 15) / 16;
      int rows = (height + 15) / 16;
      long cpi = word(alg + ALG_CPI);
      if (i32(alg + ALG_CFG + CFG_G_W) != width || i32(alg + ALG_CFG + CFG_G_H) != height
          || i32(alg + ALG_VP8_CFG_TUNING) != VP8_TUNE_SSIM || cpi == 0) {
        throw refuse(raw, "vp8 private config does not match (size or tuning)");
      }
      long cm = cpi + CPI_COMMON;
      long above = word(cm + CM_ABOVE_CONTEXT);
      if (i32(cm + CM_WIDTH) != width || i32(cm + CM_HEIGHT) != height || i32(cm + CM_MB_ROWS) != rows
          || i32(cm + CM_MB_COLS) != cols || i32(cm + CM_MBS) != rows * cols
          || i32(cm + CM_MODE_INFO_STRIDE) != cols + 1
          || word(cm + CM_MI) - word(cm + CM_MIP) != (cols + 2) * MODE_INFO_SIZE
          || i32(cpi + CPI_OXCF_TUNING) != VP8_TUNE_SSIM) {
        throw refuse(raw, "VP8_COMP/VP8_COMMON fields do not match");
      }
      if (word(cpi + CPI_XD_ABOVE_CONTEXT) != 0) {
        throw refuse(raw, "the encoder has already used its above-context row");
      }
      // vpx_memalign stores malloc()'s pointer in the 8 bytes before the aligned block, which lies
      // 8..23 bytes after it (vpx_mem.c: align_addr(addr + ADDRESS_STORAGE_SIZE, align)).
      long oldMalloc = above == 0 || (above & 15) != 0 ? 0 : word(above - 8);
      if (oldMalloc == 0 || above - oldMalloc < 8 || above - oldMalloc > 23) {
        throw refuse(raw, "above_context is not a vpx_memalign block");
      }

      long rowBytes = (long) cols * CONTEXT_PLANES_SIZE;
      long bytes = rowBytes + CONTEXT_PLANES_SIZE; // the row plus the slot libvpx reads after it
      Pointer block = Pointer.malloc(bytes + 15 + 8);
      if (block == null || block.isNull()) {
        throw new MediaException(raw + ": out of native memory for libvpx's above-context row");
      }
      long row = (block.address() + 8 + 15) & ~15L;
      at(row - 8).putLong(0, block.address());
      Pointer.memset(at(row), 0, bytes);
      at(cm + CM_ABOVE_CONTEXT).putLong(0, row);
      Pointer.free(at(oldMalloc));
      return row;
    }

    /**
     * Checks that libvpx still uses the row from {@link #install} (it would only reallocate on an
     * internal resize, which these settings never enable). Call before the context is freed.
     */
    static void verifyStillInstalled(AVCodecContext ctx, long row, Path raw) {
      long alg = word(ctx.priv_data().address() + FF_ENCODER + CTX_PRIV);
      long cpi = word(alg + ALG_CPI);
      if (word(cpi + CPI_COMMON + CM_ABOVE_CONTEXT) != row) {
        throw new MediaException(raw + ": libvpx reallocated its above-context row during the encode;"
            + " the tune=ssim activity map may have read uninitialised memory, so the bytes are not reproducible");
      }
    }

    private static MediaException refuse(Path raw, String why) {
      return new MediaException(raw + ": cannot make libvpx's tune=ssim encode deterministic (" + why + "). libvpx's"
          + " activity map reads past its above-context row (see LibvpxEncoder.AboveContextGuard); re-measure the"
          + " layout for this build, or encode with tune=psnr, which does not run that code");
    }

    private static BytePointer at(long addr) {
      return new BytePointer() {
        {
          address = addr;
        }
      };
    }

    private static long word(long addr) {
      return at(addr).getLong(0);
    }

    private static int i32(long addr) {
      return at(addr).getInt(0);
    }
  }
}
