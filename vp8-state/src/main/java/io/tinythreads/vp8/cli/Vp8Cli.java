package io.tinythreads.vp8.cli;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line front end of the pure-Java VP8 decoder ({@code bin/vp8}).
 *
 * <pre>
 *   vp8 decode IN.ivf --md5          one line per shown frame: "&lt;md5&gt;  &lt;name&gt;-&lt;W&gt;x&lt;H&gt;-&lt;NNNN&gt;.i420" (as vpxdec)
 *   vp8 decode IN.ivf -o OUT.y4m     write the shown frames as y4m
 *   vp8 decode IN.ivf --null         decode only; frame count and speed on stderr
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 bad input (one line naming the file and frame), 2 usage error.
 */
public final class Vp8Cli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String USAGE_TEXT = """
      usage: vp8 decode IN.ivf (--md5 | -o OUT.y4m | --null) [--limit N] [--threads 1|2]
        --md5        print the MD5 of every shown frame, as vpxdec --md5 -o NAME-%wx%h-%4.i420
        -o FILE      write the shown frames to FILE as y4m (raw I420 if FILE ends in .i420 or .yuv)
        --null       decode only; print the frame count and speed to stderr
        --limit N    stop after N input frames
        --threads N  1 (default) or 2: run the loop filter on a second thread (same output)
      more: vp8 dump-state IN.ivf [--frame K] -o STATE | vp8 decode IN.ivf --state STATE --from K ...
            | vp8 roundtrip IN.ivf | vp8 bench IN.ivf [--passes N]   (details: vp8 dump-state --help)
            | vp8 reencode --raw CHUNK.y4m --pred CHUNK.ivf --state PREV.state ... (vp8 reencode --help)
      """;

  private Vp8Cli() {}

  /**
   * {@code vp8 train [--frames N]}: the training run of {@code bin/vp8}'s AOT cache (JDK 25,
   * JEP 483/515). Writes a synthetic stream ({@link TrainingStream}) to a temporary file and
   * decodes it as {@code decode --null} and {@code decode --md5} would, so the JVM records the
   * classes and method profiles of those paths. Prints nothing on success.
   */
  private static int train(String[] args, PrintStream out, PrintStream err) {
    int frames = 90;
    if (args.length == 3 && args[1].equals("--frames")) {
      try {
        frames = Integer.parseInt(args[2]);
      } catch (NumberFormatException e) {
        frames = 0;
      }
      if (frames < 1) {
        return usage(err, "--frames needs a positive number");
      }
    } else if (args.length != 1) {
      return usage(err, "usage: vp8 train [--frames N]");
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile("vp8-train", ".ivf");
      TrainingStream.write(tmp, 640, 360, frames);
      PrintStream sink = new PrintStream(java.io.OutputStream.nullOutputStream(), false,
          java.nio.charset.StandardCharsets.UTF_8);
      int status = OK;
      for (int pass = 0; pass < 4 && status == OK; pass++) {
        status = run(new String[] {"decode", tmp.toString(), "--null"}, sink, sink);
      }
      if (status == OK) {
        status = run(new String[] {"decode", tmp.toString(), "--md5"}, sink, sink);
      }
      if (status != OK) {
        err.println("vp8: train: the synthetic stream did not decode");
      }
      return status;
    } catch (IOException e) {
      err.println("vp8: train: " + e);
      return FAILED;
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // a temporary file left behind is harmless
        }
      }
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    // dump-state, decode --state, roundtrip and bench live in Vp8StateCli.
    if (Vp8StateCli.handles(args)) {
      return Vp8StateCli.run(args, out, err);
    }
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      (args.length == 0 ? err : out).print(USAGE_TEXT);
      return args.length == 0 ? USAGE : OK;
    }
    if (args[0].equals("train")) {
      return train(args, out, err);
    }
    if (args[0].equals("reencode")) {
      // The re-encoder's command lives with it, in io.tinythreads.vp8.encode.
      return io.tinythreads.vp8.encode.ReencodeCli.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (!args[0].equals("decode")) {
      err.println("vp8: unknown command '" + args[0] + "'");
      err.print(USAGE_TEXT);
      return USAGE;
    }
    String input = null;
    String output = null;
    boolean md5 = false;
    boolean nul = false;
    long limit = Long.MAX_VALUE;
    int threads = 1;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--md5" -> md5 = true;
        case "--null" -> nul = true;
        case "-o", "--output" -> {
          if (++i >= args.length) {
            return usage(err, a + " needs a file name");
          }
          output = args[i];
        }
        case "--threads", "-t" -> {
          if (++i >= args.length) {
            return usage(err, a + " needs a number");
          }
          try {
            threads = Integer.parseInt(args[i]);
          } catch (NumberFormatException e) {
            return usage(err, a + ": not a number: " + args[i]);
          }
          if (threads < 1 || threads > 2) {
            return usage(err, a + " must be 1 or 2");
          }
        }
        case "--limit" -> {
          if (++i >= args.length) {
            return usage(err, "--limit needs a number");
          }
          try {
            limit = Long.parseLong(args[i]);
          } catch (NumberFormatException e) {
            return usage(err, "--limit: not a number: " + args[i]);
          }
          if (limit < 0) {
            return usage(err, "--limit must not be negative");
          }
        }
        default -> {
          if (a.startsWith("-") && a.length() > 1) {
            return usage(err, "unknown option " + a);
          }
          if (input != null) {
            return usage(err, "more than one input file");
          }
          input = a;
        }
      }
    }
    if (input == null) {
      return usage(err, "no input file");
    }
    int modes = (md5 ? 1 : 0) + (nul ? 1 : 0) + (output != null ? 1 : 0);
    if (modes != 1) {
      return usage(err, "choose exactly one of --md5, -o FILE, --null");
    }
    return decode(Path.of(input), md5, output == null ? null : Path.of(output), limit, threads, out, err);
  }

  /** Prints the lines of frames already decoded (also before reporting an error, as vpxdec does). */
  private static void drain(java.util.ArrayDeque<java.util.concurrent.Future<String>> pending, PrintStream out) {
    while (!pending.isEmpty()) {
      out.println(await(pending.removeFirst()));
    }
  }

  private static String await(java.util.concurrent.Future<String> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hashing a frame", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("hashing a frame failed", e.getCause());
    }
  }

  private static int usage(PrintStream err, String msg) {
    err.println("vp8: " + msg);
    err.print(USAGE_TEXT);
    return USAGE;
  }

  private static int decode(Path in, boolean md5, Path y4m, long limit, int threads, PrintStream out,
      PrintStream err) {
    String name = in.getFileName().toString();
    String stem = name.endsWith(".ivf") ? name.substring(0, name.length() - 4) : name;
    long frameIndex = 0;
    long shown = 0;
    Y4mWriter writer = null;
    boolean raw = y4m != null && (y4m.toString().endsWith(".i420") || y4m.toString().endsWith(".yuv"));
    java.io.OutputStream rawOut = null;
    java.util.ArrayDeque<java.util.concurrent.Future<String>> pending = new java.util.ArrayDeque<>();
    java.util.concurrent.ExecutorService hasher = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(runnable, "vp8-md5");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    try (IvfReader reader = IvfReader.open(in)) {
      IvfHeader ih = reader.header();
      Decoder decoder = new Decoder();
      decoder.setThreads(threads);
      // Each frame is written out (or dropped) before the next decode, so the decoder may reuse
      // the planes of frames it no longer references; --md5 hashes on another thread, so not there.
      decoder.setReuseRasters(!md5);
      for (IvfFrame f; frameIndex < limit && (f = reader.next()) != null; frameIndex++) {
        DecodedFrame d;
        try {
          d = decoder.decode(f.data());
        } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
          drain(pending, out);
          err.println("vp8: " + in + ": frame " + frameIndex + ": " + e.getMessage());
          return FAILED;
        }
        if (!d.shown()) {
          continue;
        }
        shown++;
        var r = d.raster();
        if (md5) {
          // Hash on another thread (frames are immutable), print in order, at most 8 pending.
          long number = frameIndex + 1;
          pending.add(hasher.submit(() -> String.format(Locale.ROOT, "%s  %s-%dx%d-%04d.i420", r.md5Hex(), stem,
              r.width(), r.height(), number)));
          while (pending.size() > 8 || (!pending.isEmpty() && pending.peekFirst().isDone())) {
            out.println(await(pending.removeFirst()));
          }
        } else if (y4m != null && raw) {
          if (rawOut == null) {
            rawOut = new java.io.BufferedOutputStream(Files.newOutputStream(y4m), 1 << 20);
          }
          r.writeI420(rawOut);
        } else if (y4m != null) {
          if (writer == null) {
            int rate = ih.rate() > 0 && ih.scale() > 0 ? ih.rate() : 30;
            int scale = ih.rate() > 0 && ih.scale() > 0 ? ih.scale() : 1;
            writer = Y4mWriter.create(y4m, Y4mHeader.of(r.width(), r.height(), rate, scale));
          } else if (writer.header().width() != r.width() || writer.header().height() != r.height()) {
            err.println("vp8: " + in + ": frame " + frameIndex + ": size changes from " + writer.header().width()
                + "x" + writer.header().height() + " to " + r.width() + "x" + r.height()
                + ", which y4m cannot hold");
            return FAILED;
          }
          writer.write(r.toI420());
        }
      }
      drain(pending, out);
      if (writer != null) {
        writer.close();
        writer = null;
      } else if (rawOut != null) {
        rawOut.close();
        rawOut = null;
      } else if (y4m != null) {
        Files.write(y4m, new byte[0]);
      }
    } catch (InvalidBitstreamException e) {
      drain(pending, out);
      err.println("vp8: " + in + ": frame " + frameIndex + ": " + e.getMessage());
      return FAILED;
    } catch (NoSuchFileException e) {
      err.println("vp8: " + in + ": no such file");
      return FAILED;
    } catch (IOException e) {
      err.println("vp8: " + in + ": " + e);
      return FAILED;
    } finally {
      hasher.shutdownNow();
      if (rawOut != null) {
        try {
          rawOut.close();
        } catch (IOException e) {
          err.println("vp8: " + y4m + ": " + e);
        }
      }
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException e) {
          err.println("vp8: " + y4m + ": " + e);
        }
      }
    }
    if (y4m == null && !md5) {
      double secs = (System.nanoTime() - start) / 1e9;
      err.printf(Locale.ROOT, "vp8: %s: %d frames (%d shown) in %.3f s, %.1f fps%n", in, frameIndex, shown, secs,
          frameIndex / Math.max(secs, 1e-9));
    }
    return OK;
  }
}
