package io.tinythreads.vp8.io;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes YUV4MPEG2 (y4m) 8-bit 4:2:0 frames from packed I420 byte arrays. */
public final class Y4mWriter implements Closeable {
  private static final byte[] FRAME = "FRAME\n".getBytes(StandardCharsets.US_ASCII);
  private final OutputStream out;
  private final Y4mHeader header;

  public Y4mWriter(OutputStream out, Y4mHeader header) throws IOException {
    this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 20);
    this.header = header;
    this.out.write(header.headerLine().getBytes(StandardCharsets.US_ASCII));
  }

  public static Y4mWriter create(Path path, Y4mHeader header) throws IOException {
    return new Y4mWriter(Files.newOutputStream(path), header);
  }

  public Y4mHeader header() {
    return header;
  }

  /** Writes one packed I420 frame (exactly frameBytes from {@code off}). */
  public void write(byte[] i420, int off) throws IOException {
    out.write(FRAME);
    out.write(i420, off, header.frameBytes());
  }

  public void write(byte[] i420) throws IOException {
    write(i420, 0);
  }

  @Override
  public void close() throws IOException {
    out.flush();
    out.close();
  }
}
