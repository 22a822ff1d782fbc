package io.tinythreads.worker;

import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.IvfWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A chunk as the worker keeps it: the IVF frames (hidden alt-ref frames included, in decode
 * order, pts = global frame index) and, for a chunk that does not start with a key frame, the
 * 64-bit hash of the decoder state it must be decoded from.
 *
 * <p>The hash travels inside the file so that any worker that fetches the blob can check it
 * (DESIGN.md "Carry state hashes with chunks"; alfalfa puts a 32-bit "minihash" into the IVF
 * header's unused bytes 28..31, which is too short for our 64-bit state hash). The file is then an
 * IVF whose header is 48 bytes long instead of 32, as its header-length field (bytes 6..7) says:
 *
 * <pre>
 *   0..31   the IVF header: "DKIF", version 0, header length 48, fourcc, width, height, rate,
 *           scale, frame count, 4 unused bytes (0)
 *   32..35  "TTEH" (tinythreads entry hash)
 *   36..43  DecoderSnapshot.hash64() of the entry state, big-endian
 *   44..47  0 (reserved)
 * </pre>
 *
 * Readers that honour the header length (vp8-state's {@link IvfReader}) read such a file as a
 * plain IVF; vpxdec and FFmpeg assume 32 bytes and cannot, which does not matter for an
 * intermediate that is not decodable on its own anyway. Chunks without an entry hash (libvpx
 * output, output chunks) are written as plain 32-byte-header IVF.
 */
record ChunkIvf(IvfHeader header, List<IvfFrame> frames, OptionalLong entryHash) {
  static final int EXTENDED_HEADER_SIZE = 48;
  private static final byte[] EXTENSION_MAGIC = "TTEH".getBytes(StandardCharsets.US_ASCII);

  ChunkIvf {
    frames = List.copyOf(frames);
  }

  /** The compressed frames, without pts. */
  List<byte[]> data() {
    List<byte[]> out = new ArrayList<>(frames.size());
    for (IvfFrame f : frames) {
      out.add(f.data());
    }
    return out;
  }

  /** Frames with show_frame = 1 (RFC 6386 section 9.1). */
  int shownFrames() {
    int n = 0;
    for (IvfFrame f : frames) {
      byte[] d = f.data();
      if (d.length >= 3 && (d[0] & 0x10) != 0) {
        n++;
      }
    }
    return n;
  }

  /** The same pts and header, new frame data (a re-encode keeps the frame structure). */
  ChunkIvf withData(List<byte[]> data, OptionalLong hash) {
    if (data.size() != frames.size()) {
      throw new IllegalArgumentException("re-encoded chunk has " + data.size() + " frames, the original "
          + frames.size());
    }
    List<IvfFrame> out = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      out.add(new IvfFrame(frames.get(i).pts(), data.get(i)));
    }
    return new ChunkIvf(header, out, hash);
  }

  /**
   * Reads a chunk file.
   *
   * @throws InvalidBitstreamException naming the file for anything that is not a readable IVF
   */
  static ChunkIvf read(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    String name = file.getFileName().toString();
    OptionalLong hash = OptionalLong.empty();
    if (all.length >= EXTENDED_HEADER_SIZE && headerLength(all) >= EXTENDED_HEADER_SIZE
        && java.util.Arrays.equals(all, 32, 36, EXTENSION_MAGIC, 0, 4)) {
      hash = OptionalLong.of(ByteBuffer.wrap(all, 36, 8).order(ByteOrder.BIG_ENDIAN).getLong());
    }
    try (IvfReader r = new IvfReader(new ByteArrayInputStream(all), name)) {
      return new ChunkIvf(r.header(), r.readAll(), hash);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Writes this chunk to {@code file} (replacing it). */
  void write(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
    byte[] h = IvfWriter.headerBytes(header.withFrameCount(frames.size()));
    if (entryHash.isPresent()) {
      ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
      b.putShort(6, (short) EXTENDED_HEADER_SIZE);
      out.writeBytes(h);
      ByteBuffer ext = ByteBuffer.allocate(EXTENDED_HEADER_SIZE - IvfHeader.SIZE).order(ByteOrder.BIG_ENDIAN);
      ext.put(EXTENSION_MAGIC).putLong(entryHash.getAsLong()).putInt(0);
      out.writeBytes(ext.array());
    } else {
      out.writeBytes(h);
    }
    ByteBuffer fh = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    for (IvfFrame f : frames) {
      fh.clear();
      fh.putInt(f.data().length).putLong(f.pts());
      out.writeBytes(fh.array());
      out.writeBytes(f.data());
    }
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, out.toByteArray());
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static int headerLength(byte[] b) {
    return (b[6] & 0xFF) | (b[7] & 0xFF) << 8;
  }

  static String hex(long hash) {
    return String.format(Locale.ROOT, "%016x", hash);
  }
}
