package io.tinythreads.vp8.io;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes IVF. When writing to a file the frame count in the header is patched on close; when
 * writing to a stream the caller's header frame count is kept.
 */
public final class IvfWriter implements Closeable {
  private final OutputStream out;
  private final FileChannel channel;
  private IvfHeader header;
  private int frames;

  private IvfWriter(OutputStream out, FileChannel channel, IvfHeader header) throws IOException {
    this.out = out;
    this.channel = channel;
    this.header = header;
    out.write(headerBytes(header));
  }

  public static IvfWriter toStream(OutputStream out, IvfHeader header) throws IOException {
    return new IvfWriter(out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16), null, header);
  }

  public static IvfWriter create(Path path, IvfHeader header) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    return new IvfWriter(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16), ch, header);
  }

  public void write(IvfFrame frame) throws IOException {
    write(frame.pts(), frame.data(), 0, frame.data().length);
  }

  public void write(long pts, byte[] data, int off, int len) throws IOException {
    byte[] fh = new byte[12];
    ByteBuffer.wrap(fh).order(ByteOrder.LITTLE_ENDIAN).putInt(len).putLong(pts);
    out.write(fh);
    out.write(data, off, len);
    frames++;
  }

  public int framesWritten() {
    return frames;
  }

  @Override
  public void close() throws IOException {
    out.flush();
    if (channel != null) {
      header = header.withFrameCount(frames);
      channel.write(ByteBuffer.wrap(headerBytes(header)), 0);
      channel.force(true);
    }
    out.close();
  }

  public static byte[] headerBytes(IvfHeader h) {
    ByteBuffer b = ByteBuffer.allocate(IvfHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'D').put((byte) 'K').put((byte) 'I').put((byte) 'F');
    b.putShort((short) 0).putShort((short) IvfHeader.SIZE);
    b.put(h.fourcc().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    b.putShort((short) h.width()).putShort((short) h.height());
    b.putInt(h.rate()).putInt(h.scale()).putInt(h.frameCount()).putInt(0);
    return b.array();
  }
}
