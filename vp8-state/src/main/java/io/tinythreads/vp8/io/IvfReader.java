package io.tinythreads.vp8.io;

import io.tinythreads.vp8.InvalidBitstreamException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads IVF files (a 32-byte header, then 12-byte frame headers each followed by a payload). */
public final class IvfReader implements Closeable {
  /** Frames larger than this are treated as corruption rather than allocated. */
  public static final int MAX_FRAME_BYTES = 64 << 20;

  private final InputStream in;
  private final String name;
  private final IvfHeader header;
  private int frameIndex;

  public IvfReader(InputStream in, String name) throws IOException {
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
    this.name = name;
    byte[] h = new byte[IvfHeader.SIZE];
    int n = this.in.readNBytes(h, 0, h.length);
    if (n < h.length) {
      throw new InvalidBitstreamException(name + ": not an IVF file (" + n + " bytes, header needs 32)");
    }
    if (h[0] != 'D' || h[1] != 'K' || h[2] != 'I' || h[3] != 'F') {
      throw new InvalidBitstreamException(name + ": not an IVF file (signature is not DKIF)");
    }
    int version = le16(h, 4);
    int headerLen = le16(h, 6);
    if (version != 0) {
      throw new InvalidBitstreamException(name + ": unsupported IVF version " + version);
    }
    if (headerLen < IvfHeader.SIZE) {
      throw new InvalidBitstreamException(name + ": bad IVF header length " + headerLen);
    }
    String fourcc = new String(h, 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    this.header = new IvfHeader(fourcc, le16(h, 12), le16(h, 14), le32(h, 16), le32(h, 20), le32(h, 24));
    long skip = headerLen - IvfHeader.SIZE;
    if (skip > 0 && this.in.skip(skip) != skip) {
      throw new InvalidBitstreamException(name + ": truncated IVF header");
    }
  }

  public static IvfReader open(Path path) throws IOException {
    return new IvfReader(Files.newInputStream(path), path.toString());
  }

  /** Reads a whole file. */
  public static List<IvfFrame> readAll(Path path) throws IOException {
    try (IvfReader r = open(path)) {
      return r.readAll();
    }
  }

  public IvfHeader header() {
    return header;
  }

  /** Returns the next frame, or null at a clean end of file. */
  public IvfFrame next() throws IOException {
    byte[] fh = new byte[12];
    int n = in.readNBytes(fh, 0, 12);
    if (n == 0) {
      return null;
    }
    if (n < 12) {
      throw new InvalidBitstreamException(name + ": frame " + frameIndex + ": truncated frame header");
    }
    long size = le32(fh, 0) & 0xFFFFFFFFL;
    if (size > MAX_FRAME_BYTES) {
      throw new InvalidBitstreamException(name + ": frame " + frameIndex + ": size " + size + " is implausible");
    }
    long pts = (le32(fh, 4) & 0xFFFFFFFFL) | ((long) le32(fh, 8) << 32);
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw new InvalidBitstreamException(
          name + ": frame " + frameIndex + ": truncated (" + data.length + " of " + size + " bytes)");
    }
    frameIndex++;
    return new IvfFrame(pts, data);
  }

  public List<IvfFrame> readAll() throws IOException {
    List<IvfFrame> out = new ArrayList<>();
    for (IvfFrame f; (f = next()) != null; ) {
      out.add(f);
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  static int le16(byte[] b, int o) {
    return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8;
  }

  static int le32(byte[] b, int o) {
    return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
  }

}
