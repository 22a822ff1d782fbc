package io.tinythreads.vp8;

import io.tinythreads.vp8.header.Tables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/**
 * A versioned, length-checked binary format for a {@link DecoderSnapshot} (decoder state plus all
 * three reference frames), so that a decoder can stop after one frame and another, anywhere,
 * continue with the next.
 *
 * <pre>
 *   offset  size  field (integers big-endian)
 *   0       4     magic "TTVS"
 *   4       2     version (1)
 *   6       2     flags (0; others are reserved)
 *   8       4     body length before compression
 *   12      4     body length after compression (n)
 *   16      n     body, zlib-compressed (java.util.zip.Deflater, level {@value #DEFLATE_LEVEL})
 *   16+n    8     content hash, {@link DecoderSnapshot#hash64()}
 *
 *   body = section "STAT", section "REFS"; section = tag (4 ASCII bytes), payload length (4), payload
 *
 *   STAT: width (2), height (2), horizontal scale (1), vertical scale (1),
 *         1056 token probabilities, 4 luma mode, 3 chroma mode, 38 motion vector probabilities,
 *         segment feature mode (1: 1 = absolute), 4 segment quantizer values (signed),
 *         4 segment loop filter values (signed), 4 reference-frame and 4 mode loop filter deltas
 *         (signed), segment map length (4, = macroblock count), one segment id per macroblock
 *   REFS: count (1): 0 (no key frame decoded yet) or 3; then for last, golden, altref in turn a
 *         kind (1): 0 = pixels follow, 1 = same as last, 2 = same as golden (altref only);
 *         pixels = width (2), height (2), then the Y, U and V planes over whole macroblocks
 *         (16 * cols x 16 * rows luma, half that chroma), row by row, no border
 * </pre>
 *
 * <p>Golden and altref are written as markers when they are the same frame as, or equal in
 * content to, an earlier reference (as after every key frame), so the common case costs one
 * raster. Writing is deterministic: the same snapshot gives the same bytes (with the same zlib).
 * Reading checks every tag, length, size and range and the final content hash, and reports any
 * problem as an {@link InvalidBitstreamException} naming the field; a newer version is an
 * {@link UnsupportedFeatureException}, as is a frame size beyond the pixel limit.
 */
public final class StateCodec {
  /** The format version this class writes and reads. */
  public static final int VERSION = 1;
  /** Deflate level: fixed so that output is deterministic; 1 because pixels barely compress further. */
  public static final int DEFLATE_LEVEL = 1;
  /** Default limit on the frame size a state may declare (as the decoder's). */
  public static final long DEFAULT_MAX_PIXELS = FrameParser.DEFAULT_MAX_PIXELS;

  static final int HEADER_SIZE = 16;
  private static final byte[] MAGIC = {'T', 'T', 'V', 'S'};
  private static final int TAG_STATE = tag("STAT");
  private static final int TAG_REFS = tag("REFS");
  private static final int KIND_PIXELS = 0;
  private static final int KIND_SAME_AS_LAST = 1;
  private static final int KIND_SAME_AS_GOLDEN = 2;
  private static final int NUM_MV_PROBS = 2 * Tables.MV_PROBS_PER_COMPONENT;
  /** STAT payload bytes before the segment map. */
  private static final int STATE_FIXED = 2 + 2 + 1 + 1 + Tables.NUM_COEFF_PROBS + 4 + 3 + NUM_MV_PROBS + 1 + 16 + 4;

  private StateCodec() {}

  private static int tag(String s) {
    return s.charAt(0) << 24 | s.charAt(1) << 16 | s.charAt(2) << 8 | s.charAt(3);
  }

  // ------------------------------------------------------------------ writing

  /** Writes {@code state} and {@code references} to {@code out} (see the class comment for the format). */
  public static void write(DecoderState state, References references, OutputStream out) throws IOException {
    write(new DecoderSnapshot(state, references), out);
  }

  /** Writes {@code snapshot} to {@code out}. */
  public static void write(DecoderSnapshot snapshot, OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    out.write(toBytes(snapshot));
  }

  /** The serialized form of {@code state} and {@code references}. */
  public static byte[] toBytes(DecoderState state, References references) {
    return toBytes(new DecoderSnapshot(state, references));
  }

  /** The serialized form of {@code snapshot}. */
  public static byte[] toBytes(DecoderSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    try {
      ByteArrayOutputStream compressed = new ByteArrayOutputStream(1 << 16);
      Deflater deflater = new Deflater(DEFLATE_LEVEL);
      int bodyLength;
      try {
        DataOutputStream body = new DataOutputStream(new DeflaterOutputStream(compressed, deflater, 1 << 16));
        writeState(snapshot.state(), body);
        writeReferences(snapshot.references(), body);
        body.close();
        bodyLength = body.size();
      } finally {
        deflater.end();
      }
      ByteArrayOutputStream all = new ByteArrayOutputStream(HEADER_SIZE + compressed.size() + 8);
      DataOutputStream d = new DataOutputStream(all);
      d.write(MAGIC);
      d.writeShort(VERSION);
      d.writeShort(0);
      d.writeInt(bodyLength);
      d.writeInt(compressed.size());
      compressed.writeTo(d);
      d.writeLong(snapshot.hash64());
      d.flush();
      return all.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory stream failed", e);
    }
  }

  private static void writeState(DecoderState s, DataOutputStream out) throws IOException {
    out.writeInt(TAG_STATE);
    out.writeInt(STATE_FIXED + s.segmentMap.length);
    out.writeShort(s.width());
    out.writeShort(s.height());
    out.writeByte(s.horizontalScale());
    out.writeByte(s.verticalScale());
    out.write(s.coeffProbs);
    out.write(s.yModeProbs);
    out.write(s.uvModeProbs);
    out.write(s.mvProbs);
    out.writeByte(s.segmentAbsolute ? 1 : 0);
    out.write(s.segmentQuant);
    out.write(s.segmentLf);
    out.write(s.refLfDeltas);
    out.write(s.modeLfDeltas);
    out.writeInt(s.segmentMap.length);
    out.write(s.segmentMap);
  }

  private static void writeReferences(References r, DataOutputStream out) throws IOException {
    out.writeInt(TAG_REFS);
    if (r.isEmpty()) {
      out.writeInt(1);
      out.writeByte(0);
      return;
    }
    Raster last = r.last();
    int goldenKind = same(r.golden(), last) ? KIND_SAME_AS_LAST : KIND_PIXELS;
    int altKind = same(r.altref(), last) ? KIND_SAME_AS_LAST
        : same(r.altref(), r.golden()) ? KIND_SAME_AS_GOLDEN : KIND_PIXELS;
    int rasters = 1 + (goldenKind == KIND_PIXELS ? 1 : 0) + (altKind == KIND_PIXELS ? 1 : 0);
    long length = 1 + 3 + (long) rasters * rasterLength(last.mbCols, last.mbRows);
    out.writeInt(Math.toIntExact(length));
    out.writeByte(3);
    out.writeByte(KIND_PIXELS);
    writeRaster(last, out);
    out.writeByte(goldenKind);
    if (goldenKind == KIND_PIXELS) {
      writeRaster(r.golden(), out);
    }
    out.writeByte(altKind);
    if (altKind == KIND_PIXELS) {
      writeRaster(r.altref(), out);
    }
  }

  private static boolean same(Raster a, Raster b) {
    return a == b || a.equals(b);
  }

  /** Bytes of one raster record: size fields and the macroblock-aligned planes. */
  private static long rasterLength(int mbCols, int mbRows) {
    return 4 + (long) mbCols * mbRows * 384;
  }

  private static void writeRaster(Raster r, DataOutputStream out) throws IOException {
    out.writeShort(r.width());
    out.writeShort(r.height());
    int aw = r.mbCols * 16;
    int ah = r.mbRows * 16;
    for (int row = 0; row < ah; row++) {
      out.write(r.y, r.yOrigin + row * r.yStride, aw);
    }
    for (byte[] plane : new byte[][] {r.u, r.v}) {
      for (int row = 0; row < ah / 2; row++) {
        out.write(plane, r.uvOrigin + row * r.uvStride, aw / 2);
      }
    }
  }

  // ------------------------------------------------------------------ reading

  /** Reads a snapshot from {@code data}, which must hold exactly one serialized snapshot. */
  public static DecoderSnapshot read(byte[] data) {
    return read(data, DEFAULT_MAX_PIXELS);
  }

  /** As {@link #read(byte[])}, refusing states of more than {@code maxPixels} pixels. */
  public static DecoderSnapshot read(byte[] data, long maxPixels) {
    Objects.requireNonNull(data, "data");
    ByteArrayInputStream in = new ByteArrayInputStream(data);
    DecoderSnapshot s;
    try {
      s = read(in, maxPixels);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream failed", e);
    }
    if (in.available() > 0) {
      throw new InvalidBitstreamException("state: " + in.available() + " trailing bytes after the content hash");
    }
    return s;
  }

  /**
   * Reads one snapshot from {@code in}, consuming exactly its bytes.
   *
   * @throws InvalidBitstreamException if the data is truncated, corrupt or inconsistent (the
   *     message names the field)
   * @throws UnsupportedFeatureException for an unknown version or a state beyond the pixel limit
   * @throws IOException if {@code in} fails
   */
  public static DecoderSnapshot read(InputStream in) throws IOException {
    return read(in, DEFAULT_MAX_PIXELS);
  }

  /** As {@link #read(InputStream)}, refusing states of more than {@code maxPixels} pixels. */
  public static DecoderSnapshot read(InputStream in, long maxPixels) throws IOException {
    Objects.requireNonNull(in, "in");
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
    }
    byte[] head = readFully(in, HEADER_SIZE, "header");
    for (int i = 0; i < 4; i++) {
      if (head[i] != MAGIC[i]) {
        throw new InvalidBitstreamException(String.format("state: bad magic %02x %02x %02x %02x (expected \"TTVS\")",
            head[0], head[1], head[2], head[3]));
      }
    }
    int version = u16(head, 4);
    if (version != VERSION) {
      throw new UnsupportedFeatureException("state: format version " + version + " (this reader knows "
          + VERSION + ")");
    }
    int flags = u16(head, 6);
    if (flags != 0) {
      throw new InvalidBitstreamException("state: reserved flags " + flags + " are set");
    }
    long bodyLength = u32(head, 8);
    long compressedLength = u32(head, 12);
    if (bodyLength < 8 + STATE_FIXED + 8 + 1) {
      throw new InvalidBitstreamException("state: body length " + bodyLength + " is too small");
    }
    Body body = new Body(in, compressedLength, bodyLength);
    DecoderState state;
    References refs;
    try {
      state = readState(body, maxPixels);
      refs = readReferences(body, state);
      body.finish();
    } finally {
      body.close();
    }
    long stored = u64(readFully(in, 8, "content hash"));
    DecoderSnapshot snapshot;
    try {
      snapshot = new DecoderSnapshot(state, refs);
    } catch (IllegalArgumentException e) {
      throw new InvalidBitstreamException("state: " + e.getMessage());
    }
    long actual = snapshot.hash64();
    if (actual != stored) {
      throw new InvalidBitstreamException(String.format("state: content hash mismatch: stored %016x, content %016x",
          stored, actual));
    }
    return snapshot;
  }

  private static DecoderState readState(Body b, long maxPixels) throws IOException {
    b.expectTag(TAG_STATE, "STAT");
    long length = b.u32("STAT length");
    int width = b.u16("width");
    int height = b.u16("height");
    if (width > 0x3FFF || height > 0x3FFF || (width == 0) != (height == 0)) {
      throw new InvalidBitstreamException("state: invalid frame size " + width + "x" + height);
    }
    if ((long) width * height > maxPixels) {
      throw new UnsupportedFeatureException("state: frame size " + width + "x" + height + " exceeds the limit of "
          + maxPixels + " pixels");
    }
    int mbs = ((width + 15) >> 4) * ((height + 15) >> 4);
    if (length != STATE_FIXED + (long) mbs) {
      throw new InvalidBitstreamException("state: STAT length " + length + ", expected " + (STATE_FIXED + mbs)
          + " for " + width + "x" + height);
    }
    int hScale = b.u8("horizontal scale");
    int vScale = b.u8("vertical scale");
    if (hScale > 3 || vScale > 3) {
      throw new InvalidBitstreamException("state: scaling codes must be 0..3: " + hScale + ", " + vScale);
    }
    byte[] coeff = b.bytes(Tables.NUM_COEFF_PROBS, "token probabilities");
    byte[] ymode = b.bytes(4, "luma mode probabilities");
    byte[] uvmode = b.bytes(3, "chroma mode probabilities");
    byte[] mv = b.bytes(NUM_MV_PROBS, "motion vector probabilities");
    for (int i = 0; i < mv.length; i++) {
      if (mv[i] == 0) {
        throw new InvalidBitstreamException("state: motion vector probability " + i + " is 0");
      }
    }
    int abs = b.u8("segment feature mode");
    if (abs > 1) {
      throw new InvalidBitstreamException("state: segment feature mode must be 0 or 1: " + abs);
    }
    byte[] segQuant = b.bytes(4, "segment quantizer values");
    byte[] segLf = b.bytes(4, "segment loop filter values");
    byte[] refDeltas = b.bytes(4, "reference frame loop filter deltas");
    byte[] modeDeltas = b.bytes(4, "mode loop filter deltas");
    for (int i = 0; i < 4; i++) {
      if (segQuant[i] == -128) {
        throw new InvalidBitstreamException("state: segment " + i + " quantizer value out of range: -128");
      }
      checkLf(segLf[i], "segment " + i + " loop filter value");
      checkLf(refDeltas[i], "reference frame loop filter delta " + i);
      checkLf(modeDeltas[i], "mode loop filter delta " + i);
    }
    long mapLength = b.u32("segment map length");
    if (mapLength != mbs) {
      throw new InvalidBitstreamException("state: segment map length " + mapLength + ", expected " + mbs);
    }
    byte[] map = b.bytes(mbs, "segment map");
    for (int i = 0; i < mbs; i++) {
      if (map[i] < 0 || map[i] > 3) {
        throw new InvalidBitstreamException("state: segment id of macroblock " + i + " out of range: " + map[i]);
      }
    }
    return new DecoderState(width, height, hScale, vScale, coeff, ymode, uvmode, mv, abs == 1, segQuant, segLf, map,
        refDeltas, modeDeltas);
  }

  private static void checkLf(byte v, String field) {
    if (v < -63 || v > 63) {
      throw new InvalidBitstreamException("state: " + field + " out of range: " + v);
    }
  }

  private static References readReferences(Body b, DecoderState state) throws IOException {
    b.expectTag(TAG_REFS, "REFS");
    long length = b.u32("REFS length");
    int count = b.u8("reference count");
    if (!state.hasKeyFrame()) {
      if (count != 0 || length != 1) {
        throw new InvalidBitstreamException("state: references present (count " + count + ", length " + length
            + ") but no key frame was decoded");
      }
      return References.empty();
    }
    if (count != 3) {
      throw new InvalidBitstreamException("state: reference count " + count + ", expected 3 after a key frame");
    }
    int mbCols = state.mbCols();
    int mbRows = state.mbRows();
    long oneRaster = rasterLength(mbCols, mbRows);
    long remaining = length - 1;
    Raster last = null;
    Raster golden = null;
    Raster altref = null;
    String[] names = {"last", "golden", "altref"};
    for (int i = 0; i < 3; i++) {
      if (remaining < 1) {
        throw new InvalidBitstreamException("state: REFS length " + length + " ends before the " + names[i]
            + " reference");
      }
      int kind = b.u8(names[i] + " reference kind");
      remaining--;
      Raster r;
      if (kind == KIND_PIXELS) {
        if (remaining < oneRaster) {
          throw new InvalidBitstreamException("state: REFS length " + length + " too short for the " + names[i]
              + " reference");
        }
        r = readRaster(b, state, names[i]);
        remaining -= oneRaster;
      } else if (kind == KIND_SAME_AS_LAST && i > 0) {
        r = last;
      } else if (kind == KIND_SAME_AS_GOLDEN && i == 2) {
        r = golden;
      } else {
        throw new InvalidBitstreamException("state: invalid " + names[i] + " reference kind " + kind);
      }
      switch (i) {
        case 0 -> last = r;
        case 1 -> golden = r;
        default -> altref = r;
      }
    }
    if (remaining != 0) {
      throw new InvalidBitstreamException("state: REFS length " + length + " leaves " + remaining + " bytes unread");
    }
    return References.of(last, golden, altref);
  }

  private static Raster readRaster(Body b, DecoderState state, String name) throws IOException {
    int w = b.u16(name + " width");
    int h = b.u16(name + " height");
    if (w != state.width() || h != state.height()) {
      throw new InvalidBitstreamException("state: " + name + " reference is " + w + "x" + h + " but the state is "
          + state.width() + "x" + state.height());
    }
    // Allocate only what the (uncompressed) header's body length can actually hold.
    b.require(rasterLength(state.mbCols(), state.mbRows()) - 4, name + " reference planes");
    MutableRaster m = new MutableRaster(w, h);
    int aw = m.mbCols * 16;
    int ah = m.mbRows * 16;
    for (int row = 0; row < ah; row++) {
      b.readInto(m.y, m.yOrigin + row * m.yStride, aw, name + " Y plane");
    }
    for (byte[] plane : new byte[][] {m.u, m.v}) {
      for (int row = 0; row < ah / 2; row++) {
        b.readInto(plane, m.uvOrigin + row * m.uvStride, aw / 2, name + " chroma planes");
      }
    }
    m.extendBorders();
    return m.freeze();
  }

  private static byte[] readFully(InputStream in, int n, String field) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new InvalidBitstreamException("state: truncated " + field + " (" + b.length + " of " + n + " bytes)");
    }
    return b;
  }

  private static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  private static long u32(byte[] b, int off) {
    return (long) (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
  }

  private static long u64(byte[] b) {
    return u32(b, 0) << 32 | u32(b, 4);
  }

  /**
   * The compressed body: inflates exactly {@code compressedLength} bytes of the input, never
   * reading beyond them, and checks that they hold exactly {@code bodyLength} bytes of body.
   * Nothing is allocated from a declared length before the data proving it has been inflated.
   */
  private static final class Body implements AutoCloseable {
    private final long bodyLength;
    private long produced;
    private final Inflater inflater = new Inflater();
    private final byte[] scratch = new byte[8];

    Body(InputStream in, long compressedLength, long bodyLength) throws IOException {
      this.bodyLength = bodyLength;
      // The whole compressed body is read before inflating: readNBytes grows its buffer only as
      // data arrives, so a lying length allocates nothing the input does not back. Feeding zlib in
      // fixed-size slices instead failed on a valid state whose stream ended one byte past a slice
      // boundary (zlib had not reached its end when the last slice was used up).
      if (compressedLength > Integer.MAX_VALUE - 16) {
        throw new UnsupportedFeatureException("state: compressed body of " + compressedLength + " bytes is too large");
      }
      byte[] all = in.readNBytes((int) compressedLength);
      if (all.length < compressedLength) {
        throw new InvalidBitstreamException("state: truncated compressed body (" + all.length + " of "
            + compressedLength + " bytes)");
      }
      inflater.setInput(all);
    }

    /** Inflates exactly {@code len} bytes into {@code dst}. */
    void readInto(byte[] dst, int off, int len, String field) throws IOException {
      if (produced + len > bodyLength) {
        throw new InvalidBitstreamException("state: body length " + bodyLength + " ends inside the " + field);
      }
      int done = 0;
      while (done < len) {
        int n;
        try {
          n = inflater.inflate(dst, off + done, len - done);
        } catch (DataFormatException e) {
          throw new InvalidBitstreamException("state: corrupt compressed data in the " + field + ": " + e.getMessage());
        }
        done += n;
        if (n == 0) {
          if (inflater.finished()) {
            throw new InvalidBitstreamException("state: compressed body ends inside the " + field);
          } else if (inflater.needsDictionary()) {
            throw new InvalidBitstreamException("state: compressed body needs a preset dictionary");
          } else if (inflater.needsInput()) {
            throw new InvalidBitstreamException("state: compressed body length exhausted inside the " + field);
          } else {
            throw new IllegalStateException("inflater made no progress");
          }
        }
      }
      produced += len;
    }

    /** Checks that the declared body length leaves at least {@code n} more bytes. */
    void require(long n, String field) {
      if (bodyLength - produced < n) {
        throw new InvalidBitstreamException("state: body length " + bodyLength + " ends inside the " + field);
      }
    }

    byte[] bytes(int n, String field) throws IOException {
      byte[] b = new byte[n];
      readInto(b, 0, n, field);
      return b;
    }

    int u8(String field) throws IOException {
      readInto(scratch, 0, 1, field);
      return scratch[0] & 0xFF;
    }

    int u16(String field) throws IOException {
      readInto(scratch, 0, 2, field);
      return StateCodec.u16(scratch, 0);
    }

    long u32(String field) throws IOException {
      readInto(scratch, 0, 4, field);
      return StateCodec.u32(scratch, 0);
    }

    void expectTag(int tag, String name) throws IOException {
      long t = u32(name + " section tag");
      if (t != (tag & 0xFFFFFFFFL)) {
        throw new InvalidBitstreamException(String.format("state: expected section %s, found tag %08x", name, t));
      }
    }

    /** Checks that the body and the compressed data both end here. */
    void finish() throws IOException {
      if (produced != bodyLength) {
        throw new InvalidBitstreamException("state: body length " + bodyLength + " but the sections end at "
            + produced);
      }
      // The zlib stream must end exactly here (its checksum verified) and use every compressed byte.
      byte[] one = new byte[1];
      while (!inflater.finished()) {
        int n;
        try {
          n = inflater.inflate(one);
        } catch (DataFormatException e) {
          throw new InvalidBitstreamException("state: corrupt compressed data at the end of the body: "
              + e.getMessage());
        }
        if (n > 0) {
          throw new InvalidBitstreamException("state: compressed body holds more than " + bodyLength + " bytes");
        }
        if (inflater.needsInput()) {
          throw new InvalidBitstreamException("state: compressed body length exhausted inside the end of the body");
        } else if (inflater.needsDictionary()) {
          throw new InvalidBitstreamException("state: compressed body needs a preset dictionary");
        }
      }
      if (inflater.getRemaining() != 0) {
        throw new InvalidBitstreamException("state: " + inflater.getRemaining()
            + " compressed bytes after the end of the zlib stream");
      }
    }

    @Override
    public void close() {
      inflater.end();
    }
  }
}
