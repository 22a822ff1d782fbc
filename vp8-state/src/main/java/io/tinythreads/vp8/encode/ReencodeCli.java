package io.tinythreads.vp8.encode;

import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.StateCodec;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.IvfWriter;
import io.tinythreads.vp8.io.Y4mReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vp8 reencode}: alfalfa's {@code xc-enc -r} as a command.
 *
 * <pre>
 *   vp8 reencode --raw CHUNK.y4m --pred CHUNK.ivf --state PREV.state [--pred-state S]
 *                [--kf-q-weight W] [--plain] -o OUT.ivf [--out-state FINAL.state]
 * </pre>
 *
 * <p>Without {@code --pred-state}, {@code --pred} must start with a key frame, which is re-encoded
 * as an interframe against {@code --state} (encode-given-state); the other frames are rebased.
 * With {@code --pred-state}, {@code --pred} is a chunk already re-encoded against that state, and
 * all its frames are rebased onto {@code --state}.
 *
 * <p>The output IVF carries, in header bytes 28..31 (unused by IVF; alfalfa's "expected decoder
 * minihash"), the low 32 bits of the 64-bit hash of the state it must be decoded from, so it stays
 * a plain IVF that vpxdec plays once joined; a {@code --pred-state} must match what {@code --pred}
 * records, there or in the full 64 bits of the worker's extended IVF header ("TTEH"). States are
 * {@link StateCodec} files.
 *
 * <p>Exit codes: 0 success, 1 bad input (one line naming the file and problem), 2 usage.
 */
public final class ReencodeCli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  /** Offset of the expected-state tag in the IVF header. */
  static final int HASH_OFFSET = 28;

  static final String USAGE_TEXT = """
      usage: vp8 reencode --raw CHUNK.y4m --pred CHUNK.ivf --state PREV.state [--pred-state S]
                          [--kf-q-weight W] [--plain] -o OUT.ivf [--out-state FINAL.state]
        --raw FILE        the chunk's raw pictures (y4m, one per shown frame)
        --pred FILE       the chunk as encoded on its own (starts with a key frame), or with
                          --pred-state a chunk already re-encoded against that state
        --state FILE      the decoder state to continue (the predecessor's end or final state)
        --pred-state FILE the state --pred was encoded against
        --kf-q-weight W   quantizer weight of a re-encoded key frame, 0..1 (default 0.75)
        --plain           rebase without rate-distortion refinements (ExCamera's rebase)
        -o FILE           output IVF
        --out-state FILE  write the state after the last frame
      """;

  private ReencodeCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs {@code vp8 reencode} with {@code args} (after the command word); returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String raw = null;
    String pred = null;
    String state = null;
    String predState = null;
    String output = null;
    String outState = null;
    ReencodeOptions options = ReencodeOptions.defaults();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        out.print(USAGE_TEXT);
        return OK;
      }
      if (a.equals("--plain")) {
        options = options.withRefineRebase(false);
        continue;
      }
      if (!List.of("--raw", "--pred", "--state", "--pred-state", "--kf-q-weight", "-o", "--output", "--out-state")
          .contains(a)) {
        return usage(err, a.startsWith("-") ? "unknown option " + a : "unexpected argument " + a);
      }
      if (++i >= args.length) {
        return usage(err, a + " needs a value");
      }
      String v = args[i];
      switch (a) {
        case "--raw" -> raw = v;
        case "--pred" -> pred = v;
        case "--state" -> state = v;
        case "--pred-state" -> predState = v;
        case "-o", "--output" -> output = v;
        case "--out-state" -> outState = v;
        default -> {
          double w;
          try {
            w = Double.parseDouble(v);
          } catch (NumberFormatException e) {
            return usage(err, "--kf-q-weight: not a number: " + v);
          }
          if (!(w >= 0 && w <= 1)) {
            return usage(err, "--kf-q-weight must be within 0..1: " + v);
          }
          options = options.withKfQWeight(w);
        }
      }
    }
    if (raw == null || pred == null || state == null || output == null) {
      return usage(err, "--raw, --pred, --state and -o are required");
    }
    return reencode(Path.of(raw), Path.of(pred), Path.of(state), predState == null ? null : Path.of(predState),
        Path.of(output), outState == null ? null : Path.of(outState), options, err);
  }

  private static int usage(PrintStream err, String msg) {
    err.println("vp8 reencode: " + msg);
    err.print(USAGE_TEXT);
    return USAGE;
  }

  private static int reencode(Path raw, Path pred, Path statePath, Path predStatePath, Path output, Path outState,
      ReencodeOptions options, PrintStream err) {
    Path current = null;
    try {
      current = statePath;
      DecoderSnapshot state = StateCodec.read(Files.readAllBytes(statePath));
      DecoderSnapshot predState = null;
      if (predStatePath != null) {
        current = predStatePath;
        predState = StateCodec.read(Files.readAllBytes(predStatePath));
      }
      current = pred;
      IvfHeader predHeader;
      List<IvfFrame> predIvf;
      try (IvfReader r = IvfReader.open(pred)) {
        predHeader = r.header();
        predIvf = r.readAll();
      }
      RecordedHash recorded = recordedHash(pred);
      current = raw;
      List<byte[]> pictures = new ArrayList<>();
      try (Y4mReader r = Y4mReader.open(raw)) {
        for (byte[] b; (b = r.next()) != null; ) {
          pictures.add(b);
        }
      }
      List<byte[]> predFrames = new ArrayList<>(predIvf.size());
      for (IvfFrame f : predIvf) {
        predFrames.add(f.data());
      }
      ChunkReencoder re = new ChunkReencoder(options);
      ChunkReencoder.Result result;
      current = pred;
      if (predState != null) {
        // A plain IVF keeps 32 bits of the 64-bit hash: check what it has, then hand the full
        // hash on.
        if (!recorded.matches(predState.hash64())) {
          err.printf(Locale.ROOT, "vp8 reencode: %s expects a decoder state with hash %s, but %s has hash %016x%n",
              pred, recorded, predStatePath, predState.hash64());
          return FAILED;
        }
        result = re.rebase(state, pictures, predFrames, predState, predState.hash64());
      } else {
        result = re.encodeGivenState(state, pictures, predFrames);
      }
      current = output;
      IvfHeader h = IvfHeader.vp8(state.state().width(), state.state().height(),
          predHeader.rate() > 0 ? predHeader.rate() : 30, predHeader.scale() > 0 ? predHeader.scale() : 1,
          result.frames().size());
      try (IvfWriter w = IvfWriter.create(output, h)) {
        for (int i = 0; i < result.frames().size(); i++) {
          byte[] f = result.frames().get(i);
          w.write(predIvf.get(i).pts(), f, 0, f.length);
        }
      }
      writeExpectedHash(output, (int) result.expectedEntryHash());
      if (outState != null) {
        current = outState;
        Files.write(outState, StateCodec.toBytes(result.finalState()));
      }
      return OK;
    } catch (NoSuchFileException e) {
      err.println("vp8 reencode: " + current + ": no such file");
    } catch (InvalidBitstreamException | UnsupportedFeatureException | IllegalArgumentException e) {
      err.println("vp8 reencode: " + current + ": " + e.getMessage());
    } catch (IOException e) {
      err.println("vp8 reencode: " + current + ": " + e);
    }
    return FAILED;
  }

  /**
   * The expected entry-state hash an IVF file records: the worker's extended header (length 48,
   * "TTEH" and the full 64-bit hash at bytes 32..43, big-endian), else the low 32 bits in bytes
   * 28..31 (0 if none was written).
   */
  record RecordedHash(long value, boolean full) {
    boolean matches(long hash) {
      return full ? value == hash : (int) value == (int) hash;
    }

    @Override
    public String toString() {
      return full ? String.format(Locale.ROOT, "%016x", value)
          : String.format(Locale.ROOT, "%08x (low 32 bits)", (int) value);
    }
  }

  static RecordedHash recordedHash(Path ivf) throws IOException {
    try (FileChannel ch = FileChannel.open(ivf, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
      int n = ch.read(b, 0);
      if (n < 32) {
        throw new InvalidBitstreamException("truncated IVF header");
      }
      int headerLen = b.getShort(6) & 0xFFFF;
      if (headerLen >= 44 && n >= 44 && b.get(32) == 'T' && b.get(33) == 'T' && b.get(34) == 'E' && b.get(35) == 'H') {
        return new RecordedHash(b.order(ByteOrder.BIG_ENDIAN).getLong(36), true);
      }
      return new RecordedHash(b.getInt(HASH_OFFSET) & 0xFFFFFFFFL, false);
    }
  }

  /** The low 32 bits of the expected-state hash in an IVF file's bytes 28..31. */
  static int readExpectedHash(Path ivf) throws IOException {
    return (int) recordedHash(ivf).value();
  }

  /** Stores the expected-state tag in an IVF file's header. */
  static void writeExpectedHash(Path ivf, int hash) throws IOException {
    try (FileChannel ch = FileChannel.open(ivf, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, hash);
      ch.write(b, HASH_OFFSET);
    }
  }
}
