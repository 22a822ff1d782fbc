package io.tinythreads.media;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * One output chunk's quality, measured by the worker that made it: every shown frame of the chunk
 * decoded with vp8-state and compared with the raw frame of the same global index, with exactly the
 * {@link Metrics} calls of the coordinator's whole-output report (libvpx's vpx_calc_psnr and
 * vpx_calc_ssim). ExCamera does everything per chunk in parallel; a serial decode of the whole
 * output on the coordinator would take longer than the job itself at 4K. The coordinator adds the
 * chunks' figures up in order and gets the very numbers a whole-output pass gives, because a chunk
 * decoded from the state it was made against (a fresh decoder for a chunk that starts with a key
 * frame, the predecessor's final state otherwise) reconstructs the same pixels as the joined stream.
 *
 * <p>Bytes follow the report's rule: a hidden frame's bytes (show_frame = 0, RFC 6386 section 9.1,
 * e.g. an alt-ref) count with the next shown frame. Hidden frames after the chunk's last shown
 * frame are kept apart in {@link #trailingHiddenBytes}: in the joined stream they belong to the
 * next chunk's first frame (or to the last frame of the output).
 *
 * <p>Sidecar format, version 1 ({@link #toBytes}; big-endian, no padding, deterministic: the same
 * chunk and raw frames give the same bytes):
 *
 * <pre>
 *   0..3    "TTQS" (tinythreads quality sidecar)
 *   4..5    version (1)
 *   6..7    0 (reserved)
 *   8..11   chunk index
 *   12..19  global display index of the chunk's first shown frame
 *   20..23  width, 24..27 height (the raw frames')
 *   28..31  VP8 frames in the chunk, hidden ones included
 *   32..35  hidden frames
 *   36..39  bytes of the hidden frames after the last shown frame
 *   40..43  CRC-32C of the VP8 frames' data, in decode order (ties the figures to one chunk's bytes)
 *   44..47  n = shown frames
 *   48..    n records of 69 bytes: global index (8), flags (1; bit 0 = key frame), bytes (4),
 *           SSE Y, U, V (8 each), PSNR Y, PSNR all, SSIM Y, SSIM all (8 each, IEEE 754 bits)
 *   last 4  CRC-32 of all bytes before it
 * </pre>
 *
 * The length must be exactly {@code 52 + 69 n}; anything else is refused with a
 * {@link MediaException} naming the sidecar and the field.
 *
 * @param chunk the chunk index
 * @param firstFrame global display index of the chunk's first shown frame
 * @param width frame width
 * @param height frame height
 * @param packets VP8 frames in the chunk (decode order, hidden included)
 * @param hiddenFrames hidden frames among them
 * @param trailingHiddenBytes bytes of the hidden frames after the last shown frame
 * @param payloadCrc CRC-32C of all the frames' data in decode order ({@link #payloadCrc(List)})
 * @param frames the shown frames in display order
 */
public record ChunkQuality(int chunk, long firstFrame, int width, int height, int packets, int hiddenFrames,
    int trailingHiddenBytes, int payloadCrc, List<Frame> frames) {
  /** Format version written by {@link #toBytes} and read by {@link #parse}. */
  public static final int VERSION = 1;
  /** The sidecar's file name, next to the output chunk's ({@code .../chunks/000003/quality.bin}). */
  public static final String FILE_NAME = "quality.bin";
  private static final byte[] MAGIC = "TTQS".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_BYTES = 48;
  private static final int FRAME_BYTES = 69;
  private static final int TRAILER_BYTES = 4;

  public ChunkQuality {
    Objects.requireNonNull(frames, "frames");
    frames = List.copyOf(frames);
  }

  /**
   * One shown frame, with the figures of {@code Metrics.psnr} and {@code Metrics.ssim} as they came.
   *
   * @param index global display index
   * @param keyframe whether it is a key frame
   * @param bytes its VP8 bytes plus those of the hidden frames of this chunk decoded just before it
   * @param sseY luma sum of squared errors
   * @param sseU U sum of squared errors
   * @param sseV V sum of squared errors
   * @param psnrY luma PSNR (dB)
   * @param psnrAll frame PSNR (dB)
   * @param ssimY luma SSIM
   * @param ssimAll frame SSIM
   */
  public record Frame(long index, boolean keyframe, int bytes, long sseY, long sseU, long sseV, double psnrY,
      double psnrAll, double ssimY, double ssimAll) {}

  /** The sidecar's blob key: {@value #FILE_NAME} in the folder of the output chunk's key. */
  public static String keyFor(String outputChunkKey) {
    int slash = outputChunkKey.lastIndexOf('/');
    return outputChunkKey.substring(0, slash + 1) + FILE_NAME;
  }

  /**
   * The raw chunk's blob key for an output chunk's key: {@code raw.y4m} in the same folder (the
   * coordinator's layout, fsm {@code BlobKeys}), for a worker that has not fetched it.
   */
  public static String rawKeyFor(String outputChunkKey) {
    int slash = outputChunkKey.lastIndexOf('/');
    return outputChunkKey.substring(0, slash + 1) + "raw.y4m";
  }

  /** VP8 payload bytes of the chunk (hidden frames included). */
  public long payloadBytes() {
    long n = trailingHiddenBytes;
    for (Frame f : frames) {
      n += f.bytes();
    }
    return n;
  }

  /** Key frames among the shown frames. */
  public int keyframes() {
    int n = 0;
    for (Frame f : frames) {
      n += f.keyframe() ? 1 : 0;
    }
    return n;
  }

  /** CRC-32C of {@code frames}' data in order, as {@link #payloadCrc} records it. */
  public static int payloadCrc(List<byte[]> frames) {
    CRC32C crc = new CRC32C();
    for (byte[] f : frames) {
      crc.update(f);
    }
    return (int) crc.getValue();
  }

  /**
   * Decodes {@code packets} with {@code decoder} and compares every shown frame with the next
   * frame of {@code raw}.
   *
   * @param chunk the chunk index (recorded)
   * @param decoder a fresh decoder for a chunk that starts with a key frame, else one made from the
   *     state the chunk continues; it is advanced through the chunk
   * @param packets the chunk's VP8 frames in decode order
   * @param raw the chunk's raw frames, positioned at its first frame
   * @param name the output chunk's name for messages
   * @throws InvalidBitstreamException if a frame does not decode (the message names it)
   * @throws MediaException if the chunk and the raw frames differ in size or count
   */
  public static ChunkQuality measure(int chunk, Decoder decoder, List<byte[]> packets, RawChunks.Reader raw,
      String name) {
    RawChunks.Header h = raw.header();
    int w = h.width();
    int ht = h.height();
    byte[] frame = new byte[h.frameBytes()];
    // The same plane layout as the report's source frames (packed I420).
    Metrics.I420 src = Metrics.I420.packed(frame, w, ht);
    List<Frame> out = new ArrayList<>(packets.size());
    int hidden = 0;
    int pending = 0;
    long index = h.firstFrame();
    for (int i = 0; i < packets.size(); i++) {
      byte[] data = packets.get(i);
      DecodedFrame d;
      try {
        d = decoder.decode(data);
      } catch (InvalidBitstreamException e) {
        throw new InvalidBitstreamException(name + " frame " + i + " (decode order): " + e.getMessage(), e);
      }
      pending += data.length;
      if (!d.shown()) {
        hidden++;
        continue;
      }
      Raster r = d.raster();
      if (r.width() != w || r.height() != ht) {
        throw new MediaException(name + ": frame " + index + " is " + r.width() + "x" + r.height()
            + " but the raw chunk is " + w + "x" + ht);
      }
      if (!raw.next(frame)) {
        throw new MediaException(name + ": shows more frames than its raw chunk has (" + (index - h.firstFrame())
            + ")");
      }
      FrameQuality q = FrameQuality.of(src, r);
      Metrics.Psnr p = q.psnr();
      Metrics.Ssim s = q.ssim();
      out.add(new Frame(index, d.header().tag().keyFrame(), pending, p.sseY(), p.sseU(), p.sseV(), p.y(), p.all(),
          s.y(), s.all()));
      pending = 0;
      index++;
    }
    if (raw.next(frame)) {
      throw new MediaException(name + ": shows " + out.size() + " frames but its raw chunk has more");
    }
    return new ChunkQuality(chunk, h.firstFrame(), w, ht, packets.size(), hidden, pending, payloadCrc(packets), out);
  }

  /** The sidecar bytes (format in the class comment). */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + FRAME_BYTES * frames.size() + TRAILER_BYTES)
        .order(ByteOrder.BIG_ENDIAN);
    b.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(chunk).putLong(firstFrame).putInt(width)
        .putInt(height).putInt(packets).putInt(hiddenFrames).putInt(trailingHiddenBytes).putInt(payloadCrc)
        .putInt(frames.size());
    for (Frame f : frames) {
      b.putLong(f.index()).put((byte) (f.keyframe() ? 1 : 0)).putInt(f.bytes()).putLong(f.sseY()).putLong(f.sseU())
          .putLong(f.sseV()).putDouble(f.psnrY()).putDouble(f.psnrAll()).putDouble(f.ssimY()).putDouble(f.ssimAll());
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Reads a sidecar written by {@link #toBytes}.
   *
   * @param name the sidecar's name (blob key) for messages
   * @throws MediaException naming {@code name} and the field if the bytes are not a complete,
   *     intact version-1 sidecar
   */
  public static ChunkQuality parse(byte[] data, String name) {
    if (data.length < HEADER_BYTES + TRAILER_BYTES) {
      throw new MediaException(name + ": quality sidecar is " + data.length + " bytes, shorter than its "
          + (HEADER_BYTES + TRAILER_BYTES) + "-byte header and trailer");
    }
    if (!Arrays.equals(data, 0, 4, MAGIC, 0, 4)) {
      throw new MediaException(name + ": not a quality sidecar (magic is not \"TTQS\")");
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
    int version = b.getShort(4) & 0xFFFF;
    if (version != VERSION) {
      throw new MediaException(name + ": quality sidecar version " + version + ", this build reads " + VERSION);
    }
    int n = b.getInt(44);
    long expected = HEADER_BYTES + (long) FRAME_BYTES * n + TRAILER_BYTES;
    if (n < 0 || data.length != expected) {
      throw new MediaException(name + ": quality sidecar is " + data.length + " bytes, but its frame count " + n
          + " needs " + expected);
    }
    CRC32 crc = new CRC32();
    crc.update(data, 0, data.length - TRAILER_BYTES);
    int stored = b.getInt(data.length - TRAILER_BYTES);
    if ((int) crc.getValue() != stored) {
      throw new MediaException(name + ": quality sidecar checksum mismatch (corrupt or truncated)");
    }
    try {
      b.position(8);
      int chunk = b.getInt();
      long firstFrame = b.getLong();
      int width = b.getInt();
      int height = b.getInt();
      int packets = b.getInt();
      int hidden = b.getInt();
      int trailing = b.getInt();
      int payloadCrc = b.getInt();
      b.getInt(); // n, read above
      if (chunk < 0 || firstFrame < 0 || width <= 0 || height <= 0 || hidden < 0 || trailing < 0
          || packets != hidden + n) {
        throw new MediaException(name + ": quality sidecar header is inconsistent (chunk " + chunk + ", first frame "
            + firstFrame + ", " + width + "x" + height + ", " + packets + " frames of which " + hidden + " hidden, "
            + n + " shown, " + trailing + " trailing hidden bytes)");
      }
      List<Frame> frames = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long index = b.getLong();
        int flags = b.get();
        if ((flags & ~1) != 0) {
          throw new MediaException(name + ": quality sidecar frame " + i + " has unknown flags " + flags);
        }
        frames.add(new Frame(index, (flags & 1) != 0, b.getInt(), b.getLong(), b.getLong(), b.getLong(),
            b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble()));
      }
      return new ChunkQuality(chunk, firstFrame, width, height, packets, hidden, trailing, payloadCrc, frames);
    } catch (BufferUnderflowException e) {
      throw new MediaException(name + ": quality sidecar is truncated", e);
    }
  }
}
