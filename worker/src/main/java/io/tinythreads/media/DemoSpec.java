package io.tinythreads.media;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A synthetic input: {@code demo:<lavfi source>[,size=WxH][,rate=N[/D]][,frames=N]}. Defaults:
 * testsrc2, 640x360, 30/1, 96 frames. The source is any FFmpeg lavfi video source that takes
 * {@code size} and {@code rate} options (testsrc, testsrc2, smptebars, mandelbrot, ...), rendered
 * by FFmpeg itself, so the bytes are deterministic.
 */
record DemoSpec(String source, int width, int height, int fpsNum, int fpsDen, long frames) {
  static final String PREFIX = "demo:";
  static final String DEFAULT_SOURCE = "testsrc2";
  static final long MAX_FRAMES = 10_000_000L;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
  private static final Pattern RATE = Pattern.compile("(\\d{1,9})(?:/(\\d{1,9}))?");

  static boolean isDemo(String input) {
    return input != null && input.startsWith(PREFIX);
  }

  static DemoSpec parse(String input) {
    String body = input.substring(PREFIX.length()).trim();
    String[] parts = body.isEmpty() ? new String[0] : body.split(",", -1);
    String source = DEFAULT_SOURCE;
    int first = 0;
    if (parts.length > 0 && !parts[0].contains("=")) {
      source = parts[0].trim();
      first = 1;
    }
    if (source.isEmpty()) {
      source = DEFAULT_SOURCE;
    }
    if (!NAME.matcher(source).matches()) {
      throw new MediaException(input + ": bad demo source name '" + source + "' (expected a lavfi source such as testsrc2)");
    }
    // movie/amovie read files: a demo spec must never become a way to read the server's disk.
    if (source.equals("movie") || source.equals("amovie")) {
      throw new MediaException(input + ": lavfi source '" + source + "' is not allowed in demo inputs");
    }
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = first; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new MediaException(input + ": bad demo option '" + p + "' (expected size=WxH, rate=N[/D] or frames=N)");
      }
      String k = p.substring(0, eq).trim();
      if (opts.put(k, p.substring(eq + 1).trim()) != null) {
        throw new MediaException(input + ": demo option '" + k + "' given twice");
      }
    }
    int w = 640;
    int h = 360;
    int fn = 30;
    int fd = 1;
    long frames = 96;
    for (Map.Entry<String, String> e : opts.entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "size" -> {
          var m = SIZE.matcher(v);
          if (!m.matches()) {
            throw new MediaException(input + ": bad demo size '" + v + "' (expected WxH, e.g. 640x360)");
          }
          w = Integer.parseInt(m.group(1));
          h = Integer.parseInt(m.group(2));
          if (w < 2 || h < 2 || w > 16384 || h > 16384) {
            throw new MediaException(input + ": demo size " + v + " out of range (2..16384)");
          }
        }
        case "rate" -> {
          var m = RATE.matcher(v);
          if (!m.matches()) {
            throw new MediaException(input + ": bad demo rate '" + v + "' (expected N or N/D, e.g. 30000/1001)");
          }
          fn = Integer.parseInt(m.group(1));
          fd = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
          if (fn <= 0 || fd <= 0) {
            throw new MediaException(input + ": demo rate " + v + " must be positive");
          }
        }
        case "frames" -> {
          try {
            frames = Long.parseLong(v);
          } catch (NumberFormatException ex) {
            throw new MediaException(input + ": bad demo frame count '" + v + "'");
          }
          if (frames < 1 || frames > MAX_FRAMES) {
            throw new MediaException(input + ": demo frame count " + v + " out of range (1.." + MAX_FRAMES + ")");
          }
        }
        default -> throw new MediaException(input + ": unknown demo option '" + e.getKey()
            + "' (known: size, rate, frames)");
      }
    }
    return new DemoSpec(source, w, h, fn, fd, frames);
  }

  /** The lavfi graph description handed to FFmpeg's lavfi input device. */
  String lavfiGraph() {
    String g = source + "=size=" + width + "x" + height + ":rate=" + fpsNum + "/" + fpsDen;
    // Sources such as testsrc2 round their size down to the chroma subsampling of the negotiated
    // pixel format (175x143 becomes 174x142 in yuv420p). For odd sizes ask for 4:4:4, which has no
    // subsampling, and let VideoSource convert to 4:2:0 with chroma (w+1)/2 x (h+1)/2.
    if ((width & 1) != 0 || (height & 1) != 0) {
      g += ",format=yuv444p";
    }
    return g;
  }
}
