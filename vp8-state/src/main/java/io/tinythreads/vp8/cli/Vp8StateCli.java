package io.tinythreads.vp8.cli;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.DecoderState;
import io.tinythreads.vp8.FrameWriter;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.ParsedFrame;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.StateCodec;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The explicit-state commands of {@code bin/vp8} (the plain decoder is {@link Vp8Cli}):
 *
 * <pre>
 *   vp8 dump-state IN.ivf [--frame K] -o STATE
 *       write the decoder state (StateCodec format) after IVF frame K (0-based, every frame
 *       counts, hidden ones too); default: the last frame
 *   vp8 decode IN.ivf --state STATE --from K (--md5 | -o OUT.y4m | --null) [--limit N] [--threads N]
 *       continue decoding at IVF frame K from a state dumped after frame K-1; --md5 lines are
 *       numbered as in a decode from the start
 *   vp8 roundtrip IN.ivf
 *       parse and re-write every frame; report any frame whose bytes differ
 *   vp8 bench IN.ivf [--passes N] [--threads N]
 *       decode the (preloaded) file N times in one JVM, one line per pass, then the warm speed
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 bad input (one line naming the file and frame), 2 usage error.
 */
public final class Vp8StateCli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  static final String USAGE_TEXT = """
      usage: vp8 dump-state IN.ivf [--frame K] -o STATE
             vp8 decode IN.ivf --state STATE --from K (--md5 | -o OUT.y4m | --null) [--limit N] [--threads N]
             vp8 roundtrip IN.ivf
             vp8 bench IN.ivf [--passes N] [--threads N]
        dump-state   write the decoder state after IVF frame K (0-based; default the last frame)
        decode       continue decoding at IVF frame K from a state dumped after frame K-1
        roundtrip    parse and re-write every frame; report frames whose bytes differ
        bench        decode the file N times (default 5) in one JVM; the last passes are warm
      """;

  private Vp8StateCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Whether {@code args} is one of this class's commands (so {@link Vp8Cli} hands it over). */
  static boolean handles(String[] args) {
    if (args.length == 0) {
      return false;
    }
    return switch (args[0]) {
      case "dump-state", "roundtrip", "bench" -> true;
      case "decode" -> Arrays.asList(args).contains("--state");
      default -> false;
    };
  }

  /** Runs the command; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE_TEXT);
      return USAGE;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.print(USAGE_TEXT);
      return OK;
    }
    try {
      return switch (args[0]) {
        case "dump-state" -> dumpState(new Args(args), out, err);
        case "decode" -> decodeFromState(new Args(args), out, err);
        case "roundtrip" -> roundtrip(new Args(args), out, err);
        case "bench" -> bench(new Args(args), out, err);
        default -> throw new UsageException("unknown command '" + args[0] + "'");
      };
    } catch (UsageException e) {
      err.println("vp8: " + e.getMessage());
      err.print(USAGE_TEXT);
      return USAGE;
    }
  }

  // ------------------------------------------------------------------ dump-state

  private static int dumpState(Args a, PrintStream out, PrintStream err) {
    Path in = a.input();
    Path output = a.path("-o");
    long frame = a.number("--frame", -1, 0);
    a.done();
    if (output == null) {
      throw new UsageException("dump-state needs -o STATE");
    }
    Decoder decoder = new Decoder();
    long index = 0;
    try (IvfReader reader = IvfReader.open(in)) {
      for (IvfFrame f; (frame < 0 || index <= frame) && (f = reader.next()) != null; index++) {
        try {
          decoder.decode(f.data());
        } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
          return fail(err, in + ": frame " + index + ": " + e.getMessage());
        }
      }
      if (index == 0) {
        return fail(err, in + ": no frames");
      }
      if (frame >= 0 && index <= frame) {
        return fail(err, in + ": frame " + frame + " requested but the file has " + index + " frames");
      }
      DecoderSnapshot s = decoder.snapshot();
      byte[] bytes = StateCodec.toBytes(s);
      writeAtomically(output, bytes);
      err.printf(Locale.ROOT, "vp8: %s: state after frame %d (%dx%d, %d bytes, hash %016x) written to %s%n", in,
          index - 1, s.state().width(), s.state().height(), bytes.length, s.hash64(), output);
      return OK;
    } catch (InvalidBitstreamException e) {
      return fail(err, in + ": frame " + index + ": " + e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(err, e.getFile() + ": no such file");
    } catch (IOException e) {
      return fail(err, in + ": " + e);
    }
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  // ------------------------------------------------------------------ decode --state --from K

  private static int decodeFromState(Args a, PrintStream out, PrintStream err) {
    Path in = a.input();
    Path statePath = a.path("--state");
    long from = a.number("--from", -1, 0);
    boolean md5 = a.flag("--md5");
    boolean nul = a.flag("--null");
    Path output = a.path("-o");
    long limit = a.number("--limit", Long.MAX_VALUE, 0);
    int threads = (int) a.number("--threads", 1, 1);
    a.done();
    if (statePath == null || from < 0) {
      throw new UsageException("decode from a state needs --state STATE and --from K");
    }
    if ((md5 ? 1 : 0) + (nul ? 1 : 0) + (output != null ? 1 : 0) != 1) {
      throw new UsageException("choose exactly one of --md5, -o FILE, --null");
    }
    if (threads > 2) {
      throw new UsageException("--threads must be 1 or 2");
    }
    if (from == 0) {
      throw new UsageException("--from 0 starts at the first frame: decode without --state");
    }
    DecoderSnapshot snapshot;
    try {
      snapshot = StateCodec.read(Files.readAllBytes(statePath));
    } catch (NoSuchFileException e) {
      return fail(err, statePath + ": no such file");
    } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
      return fail(err, statePath + ": " + e.getMessage());
    } catch (IOException e) {
      return fail(err, statePath + ": " + e);
    }
    if (!snapshot.state().hasKeyFrame()) {
      return fail(err, statePath + ": the state has no key frame yet; decode from the start instead");
    }
    String name = in.getFileName().toString();
    String stem = name.endsWith(".ivf") ? name.substring(0, name.length() - 4) : name;
    boolean raw = output != null && (output.toString().endsWith(".i420") || output.toString().endsWith(".yuv"));
    Decoder decoder = new Decoder(snapshot);
    decoder.setThreads(threads);
    long index = 0;
    long decoded = 0;
    long shown = 0;
    long start = System.nanoTime();
    Y4mWriter y4m = null;
    OutputStream rawOut = null;
    try (IvfReader reader = IvfReader.open(in)) {
      IvfHeader ih = reader.header();
      IvfFrame f;
      for (; index < from; index++) {
        if (reader.next() == null) {
          return fail(err, in + ": --from " + from + " but the file has " + index + " frames");
        }
      }
      for (; decoded < limit && (f = reader.next()) != null; index++, decoded++) {
        DecodedFrame d;
        try {
          d = decoder.decode(f.data());
        } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
          return fail(err, in + ": frame " + index + ": " + e.getMessage());
        }
        if (!d.shown()) {
          continue;
        }
        shown++;
        Raster r = d.raster();
        if (md5) {
          out.printf(Locale.ROOT, "%s  %s-%dx%d-%04d.i420%n", r.md5Hex(), stem, r.width(), r.height(), index + 1);
        } else if (raw) {
          if (rawOut == null) {
            rawOut = new BufferedOutputStream(Files.newOutputStream(output), 1 << 20);
          }
          r.writeI420(rawOut);
        } else if (output != null) {
          if (y4m == null) {
            boolean rateKnown = ih.rate() > 0 && ih.scale() > 0;
            y4m = Y4mWriter.create(output, Y4mHeader.of(r.width(), r.height(), rateKnown ? ih.rate() : 30,
                rateKnown ? ih.scale() : 1));
          } else if (y4m.header().width() != r.width() || y4m.header().height() != r.height()) {
            return fail(err, in + ": frame " + index + ": size changes to " + r.width() + "x" + r.height()
                + ", which y4m cannot hold");
          }
          y4m.write(r.toI420());
        }
      }
      if (output != null && y4m == null && rawOut == null) {
        Files.write(output, new byte[0]);
      }
    } catch (InvalidBitstreamException e) {
      return fail(err, in + ": frame " + index + ": " + e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(err, e.getFile() + ": no such file");
    } catch (IOException e) {
      return fail(err, in + ": " + e);
    } finally {
      closeQuietly(y4m, err);
      closeQuietly(rawOut, err);
    }
    if (nul) {
      double secs = (System.nanoTime() - start) / 1e9;
      err.printf(Locale.ROOT, "vp8: %s: %d frames from frame %d (%d shown) in %.3f s, %.1f fps%n", in, decoded, from,
          shown, secs, decoded / Math.max(secs, 1e-9));
    }
    return OK;
  }

  private static void closeQuietly(AutoCloseable c, PrintStream err) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        err.println("vp8: closing output: " + e);
      }
    }
  }

  // ------------------------------------------------------------------ roundtrip

  private static int roundtrip(Args a, PrintStream out, PrintStream err) {
    Path in = a.input();
    a.done();
    DecoderState state = DecoderState.initial();
    long index = 0;
    long differ = 0;
    long bytes = 0;
    try (IvfReader reader = IvfReader.open(in)) {
      for (IvfFrame f; (f = reader.next()) != null; index++) {
        byte[] original = f.data();
        ParsedFrame parsed;
        try {
          parsed = Decoder.parse(original, state);
        } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
          return fail(err, in + ": frame " + index + ": " + e.getMessage());
        }
        byte[] written;
        try {
          written = FrameWriter.write(parsed);
        } catch (IllegalArgumentException e) {
          // A parsed frame the writer cannot express (for example tokens of a truncated partition).
          err.println("vp8: " + in + ": frame " + index + ": cannot be re-written: " + e.getMessage());
          differ++;
          state = parsed.nextState();
          continue;
        }
        if (!Arrays.equals(original, written)) {
          differ++;
          err.printf(Locale.ROOT, "vp8: %s: frame %d: re-written frame differs at byte %d (%d bytes, original %d)%n",
              in, index, Arrays.mismatch(original, written), written.length, original.length);
        }
        bytes += original.length;
        state = parsed.nextState();
      }
    } catch (InvalidBitstreamException e) {
      return fail(err, in + ": frame " + index + ": " + e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(err, e.getFile() + ": no such file");
    } catch (IOException e) {
      return fail(err, in + ": " + e);
    }
    out.printf(Locale.ROOT, "%s: %d frames, %d bytes: %s%n", in, index, bytes,
        differ == 0 ? "every frame re-written byte for byte" : differ + " frames differ");
    return differ == 0 ? OK : FAILED;
  }

  // ------------------------------------------------------------------ bench

  private static int bench(Args a, PrintStream out, PrintStream err) {
    Path in = a.input();
    int passes = (int) a.number("--passes", 5, 1);
    int threads = (int) a.number("--threads", 1, 1);
    a.done();
    if (threads > 2) {
      throw new UsageException("--threads must be 1 or 2");
    }
    List<byte[]> frames = new ArrayList<>();
    try (IvfReader reader = IvfReader.open(in)) {
      for (IvfFrame f; (f = reader.next()) != null; ) {
        frames.add(f.data());
      }
    } catch (InvalidBitstreamException e) {
      return fail(err, in + ": " + e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(err, e.getFile() + ": no such file");
    } catch (IOException e) {
      return fail(err, in + ": " + e);
    }
    // CPU time of the decoding thread as well as wall time: on a shared machine the wall time
    // also counts waiting for a core, so the CPU-time speed is the one to compare across runs.
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    boolean cpuTime = threads == 1 && mx.isCurrentThreadCpuTimeSupported();
    double[] fps = new double[passes];
    double[] cpuFps = new double[passes];
    for (int p = 0; p < passes; p++) {
      Decoder decoder = new Decoder();
      decoder.setThreads(threads);
      decoder.setReuseRasters(true); // frames are dropped at once, as with vpxdec --noblit
      long start = System.nanoTime();
      long cpuStart = cpuTime ? mx.getCurrentThreadCpuTime() : 0;
      int i = 0;
      try {
        for (; i < frames.size(); i++) {
          decoder.decode(frames.get(i));
        }
      } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
        return fail(err, in + ": frame " + i + ": " + e.getMessage());
      }
      double secs = (System.nanoTime() - start) / 1e9;
      fps[p] = frames.size() / secs;
      if (cpuTime) {
        double cpu = (mx.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        cpuFps[p] = frames.size() / Math.max(cpu, 1e-9);
        out.printf(Locale.ROOT, "pass %d: %d frames in %.3f s, %.1f fps (CPU %.3f s, %.1f fps)%n", p + 1,
            frames.size(), secs, fps[p], cpu, cpuFps[p]);
      } else {
        out.printf(Locale.ROOT, "pass %d: %d frames in %.3f s, %.1f fps%n", p + 1, frames.size(), secs, fps[p]);
      }
    }
    // Warm: the median of the second half of the passes (JIT compilation settles in the first).
    int firstWarm = passes / 2;
    out.printf(Locale.ROOT, "warm: %.1f fps (median of passes %d..%d)%n", median(fps, firstWarm), firstWarm + 1,
        passes);
    if (cpuTime) {
      out.printf(Locale.ROOT, "warm-cpu: %.1f fps (decoding thread's CPU time, median of passes %d..%d)%n",
          median(cpuFps, firstWarm), firstWarm + 1, passes);
    }
    return OK;
  }

  // ------------------------------------------------------------------ helpers

  /** The median of {@code values[from..]}. */
  private static double median(double[] values, int from) {
    double[] v = Arrays.copyOfRange(values, from, values.length);
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static int fail(PrintStream err, String message) {
    err.println("vp8: " + message);
    return FAILED;
  }

  /** A usage error: exit code 2 with the usage text. */
  private static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** The options after the command word: one positional input, then named options in any order. */
  private static final class Args {
    private final List<String> rest;
    private final String command;

    Args(String[] args) {
      this.command = args[0];
      this.rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    }

    private String value(String name) {
      int i = rest.indexOf(name);
      if (i < 0) {
        return null;
      }
      if (i + 1 >= rest.size()) {
        throw new UsageException(name + " needs a value");
      }
      String v = rest.get(i + 1);
      rest.remove(i + 1);
      rest.remove(i);
      if (rest.contains(name)) {
        throw new UsageException(name + " given twice");
      }
      return v;
    }

    Path path(String name) {
      String v = value(name);
      return v == null ? null : Path.of(v);
    }

    boolean flag(String name) {
      boolean present = rest.remove(name);
      if (rest.contains(name)) {
        throw new UsageException(name + " given twice");
      }
      return present;
    }

    long number(String name, long absent, long min) {
      String v = value(name);
      if (v == null) {
        return absent;
      }
      long n;
      try {
        n = Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new UsageException(name + ": not a number: " + v);
      }
      if (n < min) {
        throw new UsageException(name + " must be at least " + min + ": " + v);
      }
      return n;
    }

    /** The single positional argument (the input file); options may come before or after it. */
    Path input() {
      for (int i = 0; i < rest.size(); i++) {
        String s = rest.get(i);
        if (!s.startsWith("-") || s.equals("-")) {
          // Skip values of options that take one.
          if (i > 0 && TAKES_VALUE.contains(rest.get(i - 1))) {
            continue;
          }
          rest.remove(i);
          return Path.of(s);
        }
      }
      throw new UsageException(command + ": no input file");
    }

    /** Fails on anything not consumed. */
    void done() {
      if (!rest.isEmpty()) {
        String first = rest.get(0);
        throw new UsageException(first.startsWith("-") ? "unknown option " + first : "unexpected argument " + first);
      }
    }

    private static final List<String> TAKES_VALUE =
        List.of("-o", "--frame", "--state", "--from", "--limit", "--threads", "--passes");
  }
}
