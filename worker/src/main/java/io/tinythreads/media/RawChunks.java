package io.tinythreads.media;

import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mReader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw chunk files: YUV4MPEG2 (8-bit 4:2:0, packed I420 frames) with one extra stream-header tag,
 * {@code XTT_FIRST_FRAME=<global index of the chunk's first frame>}. The YUV4MPEG2 format allows
 * application tags starting with 'X' in the stream header and readers must ignore unknown ones, so
 * ffmpeg, vpxenc and vp8-state's Y4mReader still read these files as plain y4m.
 *
 * <p>Frames and the plain y4m header go through vp8-state's {@link Y4mWriter}/{@link Y4mReader};
 * this class only adds the tag (inserted into the header line as it is written) and reads it back.
 */
public final class RawChunks {
  public static final String FIRST_FRAME_TAG = "XTT_FIRST_FRAME";
  private static final int MAX_HEADER_LINE = 4096;

  private RawChunks() {}

  /** The stream header of a raw chunk. */
  public record Header(int width, int height, int fpsNum, int fpsDen, long firstFrame) {
    public int frameBytes() {
      return VideoSource.frameBytes(width, height);
    }
  }

  /**
   * Writes a whole chunk atomically (temp file + rename in the same directory).
   *
   * @param frames packed I420 frames, each exactly w*h + 2*((w+1)/2)*((h+1)/2) bytes
   */
  public static void write(Path file, VideoInfo v, long firstFrame, List<byte[]> frames) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("frames is empty: a raw chunk needs at least one frame (" + file + ")");
    }
    try (Writer w = create(file, v, firstFrame)) {
      for (byte[] f : frames) {
        w.write(f);
      }
      w.commit();
    }
  }

  /** Starts writing a chunk frame by frame; nothing appears at {@code file} until {@link Writer#commit()}. */
  public static Writer create(Path file, VideoInfo v, long firstFrame) {
    if (v.getWidth() <= 0 || v.getHeight() <= 0) {
      throw new IllegalArgumentException("video size must be positive: " + v.getWidth() + "x" + v.getHeight());
    }
    if (v.getFpsNum() <= 0 || v.getFpsDen() <= 0) {
      throw new IllegalArgumentException("frame rate must be positive: " + v.getFpsNum() + "/" + v.getFpsDen());
    }
    if (firstFrame < 0) {
      throw new IllegalArgumentException("firstFrame must be >= 0: " + firstFrame);
    }
    return new Writer(file, Y4mHeader.of(v.getWidth(), v.getHeight(), v.getFpsNum(), v.getFpsDen()), firstFrame);
  }

  /** Reads a whole chunk into memory (for small chunks and tests). */
  public static List<byte[]> readAll(Path file) {
    try (Reader r = open(file)) {
      List<byte[]> out = new ArrayList<>();
      for (byte[] f; (f = r.next()) != null; ) {
        out.add(f);
      }
      return out;
    }
  }

  /** Reads only the header, including the first-frame tag. */
  public static Header readHeader(Path file) {
    try (Reader r = open(file)) {
      return r.header();
    }
  }

  /** Opens a raw chunk for reading. */
  public static Reader open(Path file) {
    String name = file.toString();
    try {
      String line;
      try (InputStream in = Files.newInputStream(file)) {
        line = firstLine(in, name);
      }
      long first = parseFirstFrame(line, name);
      Y4mReader y4m = Y4mReader.open(file);
      Y4mHeader h = y4m.header();
      return new Reader(name, y4m, new Header(h.width(), h.height(), h.fpsNum(), h.fpsDen(), first));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new MediaException(name + ": raw chunk file does not exist", e);
    } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
      throw new MediaException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MediaException(name + ": cannot read raw chunk: " + e.getMessage(), e);
    }
  }

  private static String firstLine(InputStream in, String name) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(128);
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new MediaException(name + ": not a raw chunk (no complete y4m header line)");
      }
      if (b.size() >= MAX_HEADER_LINE) {
        throw new MediaException(name + ": not a raw chunk (y4m header longer than " + MAX_HEADER_LINE + " bytes)");
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Finds {@code XTT_FIRST_FRAME=N} among the space-separated header tokens. */
  static long parseFirstFrame(String headerLine, String name) {
    if (!headerLine.startsWith("YUV4MPEG2")) {
      throw new MediaException(name + ": not a raw chunk (no YUV4MPEG2 signature)");
    }
    String prefix = FIRST_FRAME_TAG + "=";
    Long found = null;
    for (String tok : headerLine.split(" ")) {
      if (tok.startsWith(prefix)) {
        if (found != null) {
          throw new MediaException(name + ": raw chunk header has " + FIRST_FRAME_TAG + " twice");
        }
        String v = tok.substring(prefix.length());
        try {
          found = Long.parseLong(v);
        } catch (NumberFormatException e) {
          throw new MediaException(name + ": raw chunk header has a bad " + FIRST_FRAME_TAG + " value '" + v + "'");
        }
        if (found < 0) {
          throw new MediaException(name + ": raw chunk header has a negative " + FIRST_FRAME_TAG + " " + found);
        }
      }
    }
    if (found == null) {
      throw new MediaException(name + ": y4m header has no " + FIRST_FRAME_TAG + " tag (not a tinythreads raw chunk)");
    }
    return found;
  }

  /** Streams frames into a temp file next to the target; {@link #commit()} renames it into place. */
  public static final class Writer implements AutoCloseable {
    private final Path file;
    private final Path tmp;
    private final Y4mWriter y4m;
    private final int frameBytes;
    private long frames;
    private boolean done;

    private Writer(Path file, Y4mHeader header, long firstFrame) {
      this.file = file;
      this.frameBytes = header.frameBytes();
      try {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        this.tmp = Files.createTempFile(dir, ".tt-tmp-", ".y4m.part");
        OutputStream out = new TagInserter(Files.newOutputStream(tmp),
            (" " + FIRST_FRAME_TAG + "=" + firstFrame).getBytes(StandardCharsets.US_ASCII));
        this.y4m = new Y4mWriter(out, header);
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot create raw chunk: " + e.getMessage(), e);
      }
    }

    public void write(byte[] i420) {
      if (i420.length != frameBytes) {
        throw new IllegalArgumentException(file + ": frame " + frames + " has " + i420.length
            + " bytes, expected " + frameBytes);
      }
      try {
        y4m.write(i420);
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot write frame " + frames + ": " + e.getMessage(), e);
      }
      frames++;
    }

    /** Writes a frame from a larger buffer (e.g. a reused VideoSource buffer). */
    public void write(byte[] buf, int off) {
      if (buf.length - off < frameBytes) {
        throw new IllegalArgumentException(file + ": frame " + frames + " buffer too short");
      }
      try {
        y4m.write(buf, off);
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot write frame " + frames + ": " + e.getMessage(), e);
      }
      frames++;
    }

    public long frames() {
      return frames;
    }

    /** Finishes the file and atomically moves it to its final name. */
    public void commit() {
      if (done) {
        return;
      }
      if (frames == 0) {
        throw new IllegalStateException(file + ": a raw chunk needs at least one frame");
      }
      try {
        y4m.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        done = true;
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot finish raw chunk: " + e.getMessage(), e);
      }
    }

    /** Abandons the chunk unless it was committed. */
    @Override
    public void close() {
      if (!done) {
        done = true;
        try {
          y4m.close();
        } catch (IOException ignored) {
          // the temp file is deleted below anyway
        }
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a stray .part file in scratch is harmless
        }
      }
    }
  }

  /** Reads a raw chunk frame by frame. */
  public static final class Reader implements AutoCloseable {
    private final String name;
    private final Y4mReader y4m;
    private final Header header;

    private Reader(String name, Y4mReader y4m, Header header) {
      this.name = name;
      this.y4m = y4m;
      this.header = header;
    }

    public Header header() {
      return header;
    }

    /** Index (within the chunk) of the next frame. */
    public int frameIndex() {
      return y4m.frameIndex();
    }

    /** Next frame in a new array, or null at a clean end. */
    public byte[] next() {
      byte[] b = new byte[header.frameBytes()];
      return next(b) ? b : null;
    }

    /** Next frame into {@code buf}; false at a clean end. Corrupt or truncated data raises MediaException naming the frame. */
    public boolean next(byte[] buf) {
      try {
        return y4m.next(buf);
      } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
        throw new MediaException(e.getMessage(), e);
      } catch (IOException e) {
        throw new MediaException(name + ": frame " + y4m.frameIndex() + ": read error: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        y4m.close();
      } catch (IOException ignored) {
        // read-only: nothing to lose
      }
    }
  }

  /** Inserts {@code tag} before the first '\n' written (the end of the y4m stream header). */
  private static final class TagInserter extends FilterOutputStream {
    private final byte[] tag;
    private boolean inserted;

    TagInserter(OutputStream out, byte[] tag) {
      super(out);
      this.tag = tag;
    }

    @Override
    public void write(int b) throws IOException {
      if (!inserted && b == '\n') {
        out.write(tag);
        inserted = true;
      }
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (inserted) {
        out.write(b, off, len);
        return;
      }
      for (int i = off; i < off + len; i++) {
        if (b[i] == '\n') {
          out.write(b, off, i - off);
          out.write(tag);
          inserted = true;
          out.write(b, i, off + len - i);
          return;
        }
      }
      out.write(b, off, len);
    }
  }
}
