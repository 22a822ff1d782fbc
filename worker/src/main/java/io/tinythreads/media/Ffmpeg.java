package io.tinythreads.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avdevice;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Process-wide FFmpeg setup (logging, device registration) and error-code helpers. */
final class Ffmpeg {
  private static final Logger FFMPEG_LOG = LoggerFactory.getLogger("ffmpeg");

  /**
   * FFmpeg prints to stderr by default. Route its messages (errors only) to SLF4J at DEBUG: every
   * failure we care about reaches the caller as a MediaException with its own one-line message, and
   * FFmpeg's per-packet warnings would otherwise spam the worker's stderr. Held in a static field so
   * the native callback is never freed.
   */
  private static final LogCallback LOG_CALLBACK = new LogCallback() {
    @Override
    public void call(int level, BytePointer msg) {
      if (level <= AV_LOG_ERROR && FFMPEG_LOG.isDebugEnabled()) {
        FFMPEG_LOG.debug(msg.getString().strip());
      }
    }
  };

  static {
    av_log_set_level(AV_LOG_ERROR);
    avutil.setLogCallback(LOG_CALLBACK);
    // Registers the "lavfi" input device used by demo: inputs.
    avdevice.avdevice_register_all();
  }

  private Ffmpeg() {}

  /** Runs the static initializer once; cheap afterwards. */
  static void init() {
    // intentionally empty: loading the class does the work
  }

  /** FFmpeg's text for an error code, e.g. "No such file or directory". */
  static String err(int code) {
    byte[] buf = new byte[256];
    if (av_strerror(code, buf, buf.length) < 0) {
      return "error " + code;
    }
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The name of a pixel format, e.g. "yuv420p10le", or "#N" if unknown. */
  static String pixFmtName(int fmt) {
    BytePointer p = avutil.av_get_pix_fmt_name(fmt);
    return p == null || p.isNull() ? "#" + fmt : p.getString();
  }
}
