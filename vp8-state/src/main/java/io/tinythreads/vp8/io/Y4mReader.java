package io.tinythreads.vp8.io;

import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.UnsupportedFeatureException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads YUV4MPEG2 (y4m) 8-bit 4:2:0 frames as packed I420 byte arrays. */
public final class Y4mReader implements Closeable {
  private static final int MAX_LINE = 4096;
  private final InputStream in;
  private final String name;
  private final Y4mHeader header;
  private int frameIndex;

  public Y4mReader(InputStream in, String name) throws IOException {
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 20);
    this.name = name;
    String line = readLine(this.in);
    if (line == null || !line.startsWith("YUV4MPEG2")) {
      throw new InvalidBitstreamException(name + ": not a y4m file (no YUV4MPEG2 signature)");
    }
    this.header = parseHeader(line, name);
  }

  public static Y4mReader open(Path path) throws IOException {
    return new Y4mReader(Files.newInputStream(path), path.toString());
  }

  public Y4mHeader header() {
    return header;
  }

  /** Index of the next frame to be read. */
  public int frameIndex() {
    return frameIndex;
  }

  /** Reads the next frame into a new array, or returns null at a clean end of file. */
  public byte[] next() throws IOException {
    byte[] buf = new byte[header.frameBytes()];
    return next(buf) ? buf : null;
  }

  /** Reads the next frame into {@code buf} (at least frameBytes long); false at a clean end of file. */
  public boolean next(byte[] buf) throws IOException {
    String line = readLine(in);
    if (line == null) {
      return false;
    }
    if (!line.startsWith("FRAME")) {
      throw new InvalidBitstreamException(name + ": frame " + frameIndex + ": expected FRAME marker, got '"
          + abbreviate(line) + "'");
    }
    int need = header.frameBytes();
    int n = in.readNBytes(buf, 0, need);
    if (n < need) {
      throw new InvalidBitstreamException(
          name + ": frame " + frameIndex + ": truncated (" + n + " of " + need + " bytes)");
    }
    frameIndex++;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  static Y4mHeader parseHeader(String line, String name) {
    int w = -1;
    int h = -1;
    int fn = 0;
    int fd = 0;
    char interlace = 'p';
    String aspect = "";
    String cs = "420jpeg";
    for (String tok : line.split(" ")) {
      if (tok.isEmpty() || tok.equals("YUV4MPEG2")) {
        continue;
      }
      String v = tok.substring(1);
      try {
        switch (tok.charAt(0)) {
          case 'W' -> w = Integer.parseInt(v);
          case 'H' -> h = Integer.parseInt(v);
          case 'F' -> {
            String[] p = v.split(":");
            fn = Integer.parseInt(p[0]);
            fd = Integer.parseInt(p[1]);
          }
          case 'I' -> interlace = v.isEmpty() ? 'p' : v.charAt(0);
          case 'A' -> aspect = v;
          case 'C' -> cs = v;
          default -> { } // X (comments/extensions) and unknown tags are ignored, as the spec allows
        }
      } catch (RuntimeException e) {
        throw new InvalidBitstreamException(name + ": bad y4m header field '" + tok + "'");
      }
    }
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384) {
      throw new InvalidBitstreamException(name + ": bad y4m size W" + w + " H" + h);
    }
    if (fn <= 0 || fd <= 0) {
      throw new InvalidBitstreamException(name + ": bad or missing y4m frame rate (F" + fn + ":" + fd + ")");
    }
    if (!(cs.equals("420") || cs.equals("420jpeg") || cs.equals("420paldv") || cs.equals("420mpeg2"))) {
      throw new UnsupportedFeatureException(name + ": unsupported y4m colorspace C" + cs + " (only 8-bit 4:2:0)");
    }
    if (interlace != 'p' && interlace != '?') {
      throw new UnsupportedFeatureException(name + ": interlaced y4m (I" + interlace + ") is not supported");
    }
    return new Y4mHeader(w, h, fn, fd, 'p', aspect, cs);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (b.size() >= MAX_LINE) {
        throw new InvalidBitstreamException("y4m header line longer than " + MAX_LINE + " bytes");
      }
      b.write(c);
    }
    if (c == -1 && b.size() == 0) {
      return null;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static String abbreviate(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "..." : s;
  }
}
