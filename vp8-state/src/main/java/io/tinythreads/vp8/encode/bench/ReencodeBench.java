package io.tinythreads.vp8.encode.bench;

import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;
import io.tinythreads.vp8.encode.ChunkReencoder;
import io.tinythreads.vp8.encode.ReencodeOptions;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mReader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark of the re-encoder against libvpx ({@code bin/vp8-reencode-bench}); not a test.
 *
 * <p><b>Quality and size.</b> For each y4m clip and cq level: the clip is cut into chunks of N
 * frames, each chunk encoded by vpxenc with ExCamera's settings; ExCamera[N,x] is built from them
 * (the first chunk of each batch of x kept, the others re-encoded given their predecessor's libvpx
 * end state, then rebased in a chain); independent chunks (ExCamera[N,1]) and one vpxenc encode
 * of the whole clip are the baselines. Per position in the chunk and per stream it prints mean
 * luma PSNR, luma SSIM and bytes, then the Bjøntegaard delta rate against the one-stream encode,
 * with quality = mean luma SSIM in dB (-10 log10(1 - SSIM)) and, second, mean luma PSNR.
 *
 * <p><b>Speed.</b> On one clip (720p by default, cut from the shared Sintel trailer stream): CPU
 * time per frame of vpxenc encoding the N-frame chunks (2 passes, as ExCamera runs it), of
 * encode-given-state (re-encoded key frames) and of rebase (the serial step), all measured in
 * this run. CPU time (user + system of vpxenc; thread CPU time of the re-encoder) rather than wall
 * time, so that other load on the machine does not distort the ratio.
 *
 * <pre>
 *   bin/vp8-reencode-bench [--clips A.y4m,B.y4m] [--cq 8,16,24,32,40] [--n 6] [--x 16]
 *       [--also-n 24] [--speed-clip C.y4m | --no-speed] [--work DIR] [--kf-q-weight W] [--plain]
 * </pre>
 */
public final class ReencodeBench {
  private final PrintStream out;
  private final Path work;
  private final ReencodeOptions options;

  private ReencodeBench(PrintStream out, Path work, ReencodeOptions options) {
    this.out = out;
    this.work = work;
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Path testdata = Path.of(System.getProperty("tinythreads.testdata", "/work/shared/testdata"));
    List<Path> clips = List.of(testdata.resolve("clips/sintel_trailer_640x272_f548-643.y4m"),
        testdata.resolve("clips/foreman_cif_352x288_f150-269.y4m"));
    int[] cqs = {8, 16, 24, 32, 40};
    int n = 6;
    int x = 16;
    int[] alsoN = {24};
    Path speedClip = null;
    boolean speed = true;
    Path work = null;
    ReencodeOptions options = ReencodeOptions.defaults();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--clips" -> clips = Arrays.stream(args[++i].split(",")).filter(c -> !c.isBlank()).map(Path::of).toList();
        case "--cq" -> cqs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--n" -> n = Integer.parseInt(args[++i]);
        case "--x" -> x = Integer.parseInt(args[++i]);
        case "--also-n" -> alsoN = args[++i].isEmpty() ? new int[0]
            : Arrays.stream(args[i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--speed-clip" -> speedClip = Path.of(args[++i]);
        case "--no-speed" -> speed = false;
        case "--work" -> work = Path.of(args[++i]);
        case "--kf-q-weight" -> options = options.withKfQWeight(Double.parseDouble(args[++i]));
        case "--plain" -> options = options.withRefineRebase(false);
        default -> {
          System.err.println("vp8-reencode-bench: unknown option " + a);
          System.exit(2);
        }
      }
    }
    if (!clips.isEmpty() && cqs.length < 4) {
      // BD-rate fits a cubic per curve: fewer points would only fail after the encodes.
      System.err.println("vp8-reencode-bench: --cq needs at least 4 levels for a BD-rate, got " + cqs.length);
      System.exit(2);
    }
    if (work == null) {
      work = Files.createTempDirectory("vp8-reencode-bench");
    }
    Files.createDirectories(work);
    ReencodeBench b = new ReencodeBench(System.out, work, options);
    b.out.printf(Locale.ROOT, "re-encoder benchmark: %s, work dir %s%n", options, work);
    if (speed) {
      if (speedClip == null) {
        speedClip = b.sintel720(testdata.resolve("clips/sintel_trailer_1280x720_vp8.ivf"), 548, 24);
      }
      b.speed(speedClip, n, 30);
    }
    for (Path clip : clips) {
      b.quality(clip, cqs, n, x);
      for (int an : alsoN) {
        b.quality(clip, cqs, an, x);
      }
    }
  }

  // ------------------------------------------------------------------ inputs

  /** 24 frames of the 720p Sintel trailer stream, decoded with our decoder, as y4m. */
  private Path sintel720(Path ivf, int first, int count) throws IOException {
    Path y4m = work.resolve("sintel720-" + first + "-" + count + ".y4m");
    if (Files.exists(y4m)) {
      return y4m;
    }
    Decoder d = new Decoder();
    int i = 0;
    try (IvfReader r = IvfReader.open(ivf); Y4mWriter w = Y4mWriter.create(y4m, Y4mHeader.of(1280, 720, 24, 1))) {
      for (IvfFrame f; (f = r.next()) != null && i < first + count; i++) {
        DecodedFrame df = d.decode(f.data());
        if (i >= first) {
          w.write(df.raster().toI420());
        }
      }
    }
    return y4m;
  }

  private static List<byte[]> readY4m(Path p) {
    List<byte[]> l = new ArrayList<>();
    try (Y4mReader r = Y4mReader.open(p)) {
      for (byte[] b; (b = r.next()) != null; ) {
        l.add(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return l;
  }

  private static Y4mHeader y4mHeader(Path p) throws IOException {
    try (Y4mReader r = Y4mReader.open(p)) {
      return r.header();
    }
  }

  private static List<byte[]> readIvf(Path p) {
    try {
      return IvfReader.readAll(p).stream().map(IvfFrame::data).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A chunk: raw pictures, vpxenc's encode of them and its end state. */
  record Chunk(List<byte[]> raw, List<byte[]> lib, DecoderSnapshot libEnd, double vpxencCpuSeconds) {}

  private List<Chunk> chunks(Path clip, List<byte[]> raw, Y4mHeader h, int n, int cq) throws IOException {
    List<Chunk> chunks = new ArrayList<>();
    String stem = clip.getFileName().toString().replace(".y4m", "");
    for (int k = 0; k * n < raw.size(); k++) {
      Path y4m = work.resolve(stem + "-n" + n + "-c" + k + ".y4m");
      List<byte[]> pics = raw.subList(k * n, Math.min(raw.size(), (k + 1) * n));
      if (!Files.exists(y4m)) {
        try (Y4mWriter w = Y4mWriter.create(y4m, h)) {
          for (byte[] p : pics) {
            w.write(p);
          }
        }
      }
      Path ivf = work.resolve(stem + "-n" + n + "-c" + k + "-cq" + cq + ".ivf");
      double cpu = vpxenc(y4m, ivf, cq);
      List<byte[]> lib = readIvf(ivf);
      Decoder d = new Decoder();
      for (byte[] f : lib) {
        d.decode(f);
      }
      chunks.add(new Chunk(pics, lib, d.snapshot(), cpu));
    }
    return chunks;
  }

  /** Runs vpxenc with ExCamera's settings; returns its CPU time (user + system) in seconds. */
  static double vpxenc(Path y4m, Path ivf, int cq) {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "CPU %U %S", "vpxenc", "--ivf", "--codec=vp8",
        "--good", "--cpu-used=0", "--end-usage=cq", "--min-q=0", "--max-q=63", "--cq-level=" + cq,
        "--buf-initial-sz=10000", "--buf-optimal-sz=20000", "--buf-sz=40000", "--undershoot-pct=100", "--passes=2",
        "--auto-alt-ref=1", "--threads=1", "--token-parts=0", "--tune=ssim", "--target-bitrate=4294967295", "-q",
        "-o", ivf.toString(), y4m.toString()));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String o = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("vpxenc failed: " + o);
      }
      for (String line : o.split("\n")) {
        if (line.startsWith("CPU ")) {
          String[] f = line.split(" ");
          return Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
        }
      }
      throw new IllegalStateException("no CPU time from /usr/bin/time: " + o);
    } catch (IOException e) {
      throw new UncheckedIOException("running vpxenc (vpx-tools) and /usr/bin/time (time)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ pipelines

  /** Timings of the re-encoder in one pipeline run (CPU nanoseconds and frame counts). */
  static final class Timing {
    long encodedCpu;
    int encoded;
    long rebasedCpu;
    int rebased;
    long rebasedPassCpu;
    int rebasedPassFrames;

    void add(ChunkReencoder.Result r, boolean serialPass) {
      for (ChunkReencoder.FrameInfo f : r.frameInfo()) {
        if (f.kind() == ChunkReencoder.Kind.ENCODED) {
          encodedCpu += f.cpuNanos();
          encoded++;
        } else {
          rebasedCpu += f.cpuNanos();
          rebased++;
        }
        if (serialPass) {
          rebasedPassCpu += f.cpuNanos();
          rebasedPassFrames++;
        }
      }
    }
  }

  /** ExCamera[N,x]: the joined stream. */
  List<byte[]> xc(List<Chunk> chunks, int x, Timing t) {
    ChunkReencoder re = new ChunkReencoder(options);
    List<byte[]> joined = new ArrayList<>();
    for (int start = 0; start < chunks.size(); start += x) {
      int end = Math.min(chunks.size(), start + x);
      joined.addAll(chunks.get(start).lib());
      // Parallel phase: encode-given-state of every other chunk of the batch.
      List<ChunkReencoder.Result> egs = new ArrayList<>();
      for (int k = start + 1; k < end; k++) {
        ChunkReencoder.Result r = re.encodeGivenState(chunks.get(k - 1).libEnd(), chunks.get(k).raw(),
            chunks.get(k).lib());
        t.add(r, false);
        egs.add(r);
      }
      // Serial phase: the second chunk's output is final; the rest are rebased in turn.
      DecoderSnapshot state = null;
      for (int k = start + 1; k < end; k++) {
        ChunkReencoder.Result r = egs.get(k - start - 1);
        if (k > start + 1) {
          r = re.rebase(state, chunks.get(k).raw(), r.frames(), chunks.get(k - 1).libEnd(), r.expectedEntryHash());
          t.add(r, true);
        }
        joined.addAll(r.frames());
        state = r.finalState();
      }
    }
    return joined;
  }

  // ------------------------------------------------------------------ measurement

  /** Per shown frame: luma PSNR, luma SSIM, bytes (hidden frames' bytes go to the next shown frame). */
  record Measured(double[] psnr, double[] ssim, long[] bytes) {
    long total() {
      return Arrays.stream(bytes).sum();
    }

    double meanSsimDb() {
      double m = Arrays.stream(ssim).average().orElseThrow();
      return -10 * Math.log10(1 - m);
    }

    double meanPsnr() {
      return Arrays.stream(psnr).average().orElseThrow();
    }
  }

  static Measured measure(List<byte[]> stream, List<byte[]> raw, int w, int h) {
    Decoder d = new Decoder();
    double[] psnr = new double[raw.size()];
    double[] ssim = new double[raw.size()];
    long[] bytes = new long[raw.size()];
    int shown = 0;
    long pending = 0;
    for (byte[] f : stream) {
      DecodedFrame df = d.decode(f);
      pending += f.length;
      if (!df.shown()) {
        continue;
      }
      Raster.Plane y = df.raster().yPlane();
      Metrics.Plane a = new Metrics.Plane(raw.get(shown), 0, w, w, h);
      Metrics.Plane b = new Metrics.Plane(y.data(), y.origin(), y.stride(), w, h);
      psnr[shown] = Metrics.psnr(a, b);
      ssim[shown] = Metrics.ssim(a, b);
      bytes[shown] = pending;
      pending = 0;
      shown++;
    }
    if (shown != raw.size()) {
      throw new IllegalStateException("stream shows " + shown + " frames, the clip has " + raw.size());
    }
    return new Measured(psnr, ssim, bytes);
  }

  // ------------------------------------------------------------------ reports

  private void quality(Path clip, int[] cqs, int n, int x) throws IOException {
    Y4mHeader h = y4mHeader(clip);
    List<byte[]> raw = readY4m(clip);
    out.printf(Locale.ROOT, "%n== %s (%dx%d, %d frames): ExCamera[%d,%d] ==%n", clip.getFileName(), h.width(),
        h.height(), raw.size(), n, x);
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (String s : List.of("one-stream", "independent", "xc")) {
      curves.put(s, new double[3][cqs.length]);
    }
    for (int qi = 0; qi < cqs.length; qi++) {
      int cq = cqs[qi];
      List<Chunk> chunks = chunks(clip, raw, h, n, cq);
      String stem = clip.getFileName().toString().replace(".y4m", "");
      Path oneIvf = work.resolve(stem + "-one-cq" + cq + ".ivf");
      vpxenc(clip, oneIvf, cq);
      Measured one = measure(readIvf(oneIvf), raw, h.width(), h.height());
      List<byte[]> indepStream = new ArrayList<>();
      chunks.forEach(c -> indepStream.addAll(c.lib()));
      Measured ind = measure(indepStream, raw, h.width(), h.height());
      Timing t = new Timing();
      Measured xc = measure(xc(chunks, x, t), raw, h.width(), h.height());
      out.printf(Locale.ROOT, "%n-- cq %d --%n", cq);
      out.printf(Locale.ROOT, "%-4s | %-24s | %-24s | %-24s%n", "pos", "xc: PSNR-Y SSIM-Y bytes",
          "independent", "one-stream");
      int np = Math.min(n, 8);
      for (int p = 0; p < np; p++) {
        out.printf(Locale.ROOT, "%-4d | %s | %s | %s%n", p, pos(xc, n, p), pos(ind, n, p), pos(one, n, p));
      }
      for (var e : Map.of("xc", xc, "independent", ind, "one-stream", one).entrySet()) {
        curves.get(e.getKey())[0][qi] = e.getValue().total();
        curves.get(e.getKey())[1][qi] = e.getValue().meanSsimDb();
        curves.get(e.getKey())[2][qi] = e.getValue().meanPsnr();
      }
      out.printf(Locale.ROOT, "total bytes / SSIM-Y dB / PSNR-Y: xc %d / %.3f / %.2f, independent %d / %.3f / %.2f, "
          + "one-stream %d / %.3f / %.2f%n", xc.total(), xc.meanSsimDb(), xc.meanPsnr(), ind.total(),
          ind.meanSsimDb(), ind.meanPsnr(), one.total(), one.meanSsimDb(), one.meanPsnr());
      if (t.encoded > 0 || t.rebased > 0) {
        out.printf(Locale.ROOT, "re-encoder CPU: encode-given-state %.1f ms/frame, rebase %.1f ms/frame%n",
            t.encodedCpu / 1e6 / Math.max(1, t.encoded), t.rebasedCpu / 1e6 / Math.max(1, t.rebased));
      }
    }
    double[][] a = curves.get("one-stream");
    for (String s : List.of("xc", "independent")) {
      double[][] c = curves.get(s);
      out.printf(Locale.ROOT, "BD-rate vs one-stream vpxenc, %s[%d,%s]: %+.1f %% (SSIM-Y dB), %+.1f %% (PSNR-Y)%n",
          s.equals("xc") ? "ExCamera" : "independent", n, s.equals("xc") ? String.valueOf(x) : "1",
          BdRate.percent(a[0], a[1], c[0], c[1]), BdRate.percent(a[0], a[2], c[0], c[2]));
    }
  }

  private static String pos(Measured m, int n, int p) {
    double ps = 0;
    double ss = 0;
    long by = 0;
    int c = 0;
    for (int i = p; i < m.psnr().length; i += n) {
      ps += m.psnr()[i];
      ss += m.ssim()[i];
      by += m.bytes()[i];
      c++;
    }
    return String.format(Locale.ROOT, "%6.2f %7.4f %9d", ps / c, ss / c, by / c);
  }

  private void speed(Path clip, int n, int cq) throws IOException {
    Y4mHeader h = y4mHeader(clip);
    List<byte[]> raw = readY4m(clip);
    out.printf(Locale.ROOT, "%n== speed: %s (%dx%d, %d frames), chunks of %d, cq %d ==%n", clip.getFileName(),
        h.width(), h.height(), raw.size(), n, cq);
    List<Chunk> chunks = chunks(clip, raw, h, n, cq);
    double vpxCpu = chunks.stream().mapToDouble(Chunk::vpxencCpuSeconds).sum();
    double vpxPerFrame = vpxCpu * 1000 / raw.size();
    // Twice: the first run warms the JIT up.
    Timing t = null;
    for (int run = 0; run < 2; run++) {
      t = new Timing();
      xc(chunks, chunks.size(), t);
    }
    double egs = t.encodedCpu / 1e6 / Math.max(1, t.encoded);
    double reb = t.rebasedCpu / 1e6 / Math.max(1, t.rebased);
    double serial = t.rebasedPassCpu / 1e6 / Math.max(1, t.rebasedPassFrames);
    out.printf(Locale.ROOT, "vpxenc (2 passes, per %d-frame chunk): %.1f ms CPU/frame%n", n, vpxPerFrame);
    out.printf(Locale.ROOT, "encode-given-state (re-encoded key frames): %.1f ms CPU/frame (%.2f x vpxenc)%n", egs,
        egs / vpxPerFrame);
    out.printf(Locale.ROOT, "rebase (any frame): %.1f ms CPU/frame (%.2f x vpxenc)%n", reb, reb / vpxPerFrame);
    out.printf(Locale.ROOT, "serial rebase pass (all frames of a chunk): %.1f ms CPU/frame (%.2f x vpxenc)%n",
        serial, serial / vpxPerFrame);
  }
}
