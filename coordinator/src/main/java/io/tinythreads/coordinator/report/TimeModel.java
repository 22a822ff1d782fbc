package io.tinythreads.coordinator.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stated model of an xc job's wall-clock time on a large pool with one worker per chunk,
 * extrapolated from one measured job's timeline (a {@link JobReport}).
 *
 * <p><b>Model.</b> Every worker starts at once (one per chunk). A batch of x chunks is a chain:
 * <pre>
 *   head_ready   = launch + assign + fetch:raw_chunk + encode_chunk + upload:encoded_chunk + dump_state
 *                  + upload:end_state
 *   member_ready = head_ready + fetch:end_state + encode_given_state + upload:reencoded_chunk
 *   chain_done   = max(head_ready + rebase(head), member_ready) + (x - 1) * serial
 *   wall         = chain_done + upload:final_state + upload:output_chunk
 * </pre>
 * where {@code serial} is the per-chunk cost of the chain (receive the predecessor's final state,
 * rebase, pass the own final state on): measured as, for consecutive chunks k-1, k of one batch,
 * {@code end(rebase_k) - max(start(rebase_k), end(rebase_{k-1}))}, i.e. the time chunk k's rebase
 * still needed once both it had started and its predecessor had finished (this excludes waiting
 * for the predecessor and includes the relay), the median over all such pairs. It is the model's
 * critical path: with identical workers all batches finish together, so the maximum over batches
 * is one batch. Stragglers make the real maximum larger; {@link Estimate} is given once with every
 * stage at its median and once with every stage at its 90th percentile, which brackets a job
 * whose slowest batch meets slow workers at every step.
 *
 * <p><b>Scaling.</b> Each stage's measured time is divided by the work it is proportional to and
 * multiplied by the target's: stages over the chunk's frames ({@code fetch:raw_chunk},
 * {@code encode_chunk}, {@code dump_state}, {@code rebase}, {@code upload:output_chunk}, the
 * serial step) scale with pixels x frames per chunk; stages over one decoder state or one frame
 * ({@code fetch:end_state}, {@code upload:end_state}, {@code upload:final_state},
 * {@code upload:reencoded_chunk}, {@code encode_given_state}) with pixels; {@code launch} and
 * {@code assign} are constant. The coordinator's join (concatenating every chunk's output into one
 * file) is reported next to the estimate, not in it: ExCamera's 2.6 minutes left the chunks in S3,
 * and a join measured on a small job is mostly fixed cost; it is extrapolated by bytes (the
 * measured join throughput, the output size at the measured bits per pixel). Linear scaling in pixels ignores cache effects and
 * libvpx's fixed per-frame costs; it is a first-order model, nothing more.
 */
public final class TimeModel {
  /** How a stage's time grows with the job's size. */
  enum Scale {
    CONSTANT, PIXELS, CHUNK_PIXEL_FRAMES
  }

  /** Stages the model uses, in pipeline order, with their scaling. */
  static final Map<String, Scale> STAGES = new LinkedHashMap<>();

  static {
    STAGES.put("launch", Scale.CONSTANT);
    STAGES.put("assign", Scale.CONSTANT);
    STAGES.put("fetch:raw_chunk", Scale.CHUNK_PIXEL_FRAMES);
    STAGES.put("encode_chunk", Scale.CHUNK_PIXEL_FRAMES);
    STAGES.put("upload:encoded_chunk", Scale.CHUNK_PIXEL_FRAMES);
    STAGES.put("dump_state", Scale.CHUNK_PIXEL_FRAMES);
    STAGES.put("upload:end_state", Scale.PIXELS);
    STAGES.put("fetch:end_state", Scale.PIXELS);
    STAGES.put("encode_given_state", Scale.PIXELS);
    STAGES.put("upload:reencoded_chunk", Scale.PIXELS);
    STAGES.put("rebase", Scale.CHUNK_PIXEL_FRAMES);
    STAGES.put("upload:final_state", Scale.PIXELS);
    STAGES.put("upload:output_chunk", Scale.CHUNK_PIXEL_FRAMES);
  }

  /** The pseudo-stage of the chain's per-chunk cost. */
  static final String SERIAL = "serial (per chunk)";

  private TimeModel() {}

  /**
   * The job to extrapolate to.
   *
   * @param width pixels
   * @param height pixels
   * @param frames frames in the video
   * @param fps frames per second (only to state the duration)
   * @param framesPerChunk N
   * @param chunksPerBatch x
   */
  public record Target(int width, int height, long frames, double fps, int framesPerChunk, int chunksPerBatch) {
    public Target {
      if (width < 1 || height < 1 || frames < 1 || !(fps > 0) || framesPerChunk < 1 || chunksPerBatch < 1) {
        throw new IllegalArgumentException("target: width, height, frames, N, x must be >= 1 and fps > 0");
      }
    }

    /** ExCamera's Sintel run: 3840x2160, 15 minutes at 24 fps, ExCamera[6,16]. */
    public static Target excameraSintel() {
      return new Target(3840, 2160, 15L * 60 * 24, 24, 6, 16);
    }

    long chunks() {
      return (frames + framesPerChunk - 1) / framesPerChunk;
    }
  }

  /**
   * One stage as measured and as extrapolated.
   *
   * @param stage the stage name
   * @param count measured events
   * @param measuredMedian seconds
   * @param measuredP90 seconds
   * @param scale how it scales
   * @param factor target work / measured work
   * @param targetMedian seconds at the target
   * @param targetP90 seconds at the target
   */
  public record StageFigure(String stage, int count, double measuredMedian, double measuredP90, String scale,
      double factor, double targetMedian, double targetP90) {}

  /**
   * The model's result.
   *
   * @param stages per-stage figures (stages absent from the timeline are missing here and count as 0)
   * @param chunks chunks at the target (one worker each)
   * @param batches batches at the target
   * @param medianSeconds the wall-clock estimate with every stage at its median
   * @param p90Seconds with every stage at its 90th percentile
   * @param serialShareMedian the serial chain's share of {@code medianSeconds}
   * @param joinSeconds the coordinator's join at the target, extrapolated by bytes (NaN if not measured)
   * @param joinBytes the target's output size assumed for it
   * @param notes assumptions and gaps found in the measurement, one line each
   */
  public record Estimate(List<StageFigure> stages, long chunks, long batches, double medianSeconds, double p90Seconds,
      double serialShareMedian, double joinSeconds, double joinBytes, List<String> notes) {}

  /**
   * Extrapolates {@code measured} to {@code target}.
   *
   * @throws IllegalArgumentException if the report has no timeline
   */
  public static Estimate estimate(JobReport measured, Target target) {
    if (measured.timeline().isEmpty()) {
      throw new IllegalArgumentException("the report has no timeline to model from");
    }
    List<String> notes = new ArrayList<>();
    double mPixels = (double) measured.video().width() * measured.video().height();
    double tPixels = (double) target.width() * target.height();
    Map<Integer, Integer> chunkFrames = new HashMap<>();
    for (JobReport.ChunkReport c : measured.chunks()) {
      chunkFrames.put(c.index(), c.frames());
    }
    int n = Math.max(1, measured.setup().framesPerChunk());
    int xm = Math.max(1, measured.setup().chunksPerBatch());
    // Per stage: each event's time divided by the work it did (see the class comment).
    Map<String, List<Double>> perUnit = new LinkedHashMap<>();
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    for (StageEvent e : measured.timeline()) {
      String key = e.stage();
      if ("rebase".equals(key) && e.chunk() % xm == 0) {
        key = HEAD_REBASE; // a head only passes its state on; members' rebases are the serial step
      }
      Scale s = scaleOf(key);
      if (s == null || !e.ok()) {
        continue;
      }
      int frames = chunkFrames.getOrDefault(e.chunk(), n);
      perUnit.computeIfAbsent(key, k -> new ArrayList<>()).add(e.seconds() / units(s, mPixels, frames));
      seconds.computeIfAbsent(key, k -> new ArrayList<>()).add(e.seconds());
    }
    List<Double> serial = serialSteps(measured, xm);
    if (!serial.isEmpty()) {
      List<Double> u = new ArrayList<>();
      for (double d : serial) {
        u.add(d / units(Scale.CHUNK_PIXEL_FRAMES, mPixels, n));
      }
      perUnit.put(SERIAL, u);
      seconds.put(SERIAL, serial);
    }
    Map<String, double[]> at = new HashMap<>();
    List<StageFigure> figures = new ArrayList<>();
    for (String key : modelKeys()) {
      List<Double> u = perUnit.get(key);
      if (u == null) {
        continue;
      }
      Scale s = scaleOf(key);
      double tUnit = units(s, tPixels, target.framesPerChunk());
      double[] uv = toArray(u);
      double[] sv = toArray(seconds.get(key));
      double med = Stats.median(uv) * tUnit;
      double p90 = Stats.quantile(uv, 0.9) * tUnit;
      at.put(key, new double[] {med, p90});
      double mMed = Stats.median(sv);
      figures.add(new StageFigure(key, sv.length, mMed, Stats.quantile(sv, 0.9), s.name().toLowerCase(Locale.ROOT),
          mMed > 0 ? med / mMed : Double.NaN, med, p90));
    }
    if (serial.isEmpty()) {
      notes.add("no serial step in the timeline (no two consecutive rebases in one batch: independent pipeline or"
          + " x = 1); the estimate has no rebase chain");
    }
    for (String key : modelKeys()) {
      if (!at.containsKey(key) && !SERIAL.equals(key)) {
        notes.add(key + ": not in the timeline, counted as 0 s");
      }
    }
    java.util.Set<String> unknown = new java.util.TreeSet<>();
    for (StageEvent e : measured.timeline()) {
      if (!STAGES.containsKey(e.stage()) && !e.stage().equals("ingest") && !e.stage().equals("join")
          && !e.stage().equals("quit")) {
        unknown.add(e.stage());
      }
    }
    if (!unknown.isEmpty()) {
      notes.add("stages in the timeline that the model does not know (left out): " + String.join(", ", unknown));
    }
    long chunks = target.chunks();
    long batches = (chunks + target.chunksPerBatch() - 1) / target.chunksPerBatch();
    int x = (int) Math.min(target.chunksPerBatch(), chunks);
    double medianWall = wall(at, 0, x, !serial.isEmpty());
    double p90Wall = wall(at, 1, x, !serial.isEmpty());
    double serialShare = serial.isEmpty() ? 0 : get(at, SERIAL, 0) * (x - 1) / medianWall;
    // The join, by bytes: measured throughput, and the output at the measured bits per pixel.
    double[] joins = measured.timeline().stream().filter(ev -> ev.ok() && "join".equals(ev.stage()))
        .mapToDouble(StageEvent::seconds).toArray();
    double joinSeconds = Double.NaN;
    double joinBytes = Double.NaN;
    long outBytes = measured.summary().fileBytes();
    if (joins.length > 0 && outBytes > 0 && measured.summary().frames() > 0) {
      double throughput = outBytes / Math.max(1e-6, Stats.median(joins));
      joinBytes = outBytes / (mPixels * measured.summary().frames()) * tPixels * target.frames();
      joinSeconds = joinBytes / throughput;
    }
    if (mPixels * n < 640.0 * 360 * 6) {
      notes.add("measured on small chunks (" + measured.video().width() + "x" + measured.video().height() + ", N=" + n
          + "): fixed per-stage costs (JIT warm-up, connections) are scaled up as if they were per-pixel work;"
          + " measure on a clip of realistic size");
    }
    return new Estimate(figures, chunks, batches, medianWall, p90Wall, serialShare, joinSeconds, joinBytes, notes);
  }

  /** A batch head's REBASE (it only passes its final state on). */
  static final String HEAD_REBASE = "rebase (batch head)";

  private static List<String> modelKeys() {
    List<String> keys = new ArrayList<>();
    for (String k : STAGES.keySet()) {
      keys.add("rebase".equals(k) ? HEAD_REBASE : k);
    }
    keys.add(SERIAL);
    return keys;
  }

  private static Scale scaleOf(String key) {
    if (HEAD_REBASE.equals(key)) {
      return Scale.PIXELS; // compresses and sends one state
    }
    if (SERIAL.equals(key)) {
      return Scale.CHUNK_PIXEL_FRAMES;
    }
    if ("rebase".equals(key)) {
      return null; // members' rebases include waiting for the predecessor; the serial step replaces them
    }
    return STAGES.get(key);
  }

  private static double units(Scale s, double pixels, long framesPerChunk) {
    return switch (s) {
      case CONSTANT -> 1;
      case PIXELS -> pixels;
      case CHUNK_PIXEL_FRAMES -> pixels * Math.max(1, framesPerChunk);
    };
  }

  private static double get(Map<String, double[]> at, String key, int which) {
    double[] v = at.get(key);
    return v == null ? 0 : v[which];
  }

  /** The model's formula (class comment) with every stage at its median (0) or p90 (1). */
  private static double wall(Map<String, double[]> at, int w, int x, boolean chain) {
    double headReady = get(at, "launch", w) + get(at, "assign", w) + get(at, "fetch:raw_chunk", w)
        + get(at, "encode_chunk", w) + get(at, "upload:encoded_chunk", w) + get(at, "dump_state", w)
        + get(at, "upload:end_state", w);
    double done;
    if (chain && x > 1) {
      double memberReady = headReady + get(at, "fetch:end_state", w) + get(at, "encode_given_state", w)
          + get(at, "upload:reencoded_chunk", w);
      done = Math.max(headReady + get(at, HEAD_REBASE, w), memberReady) + (x - 1) * get(at, SERIAL, w);
    } else {
      done = headReady + get(at, HEAD_REBASE, w);
    }
    return done + get(at, "upload:final_state", w) + get(at, "upload:output_chunk", w);
  }

  /**
   * The chain's per-chunk cost: for consecutive chunks k-1, k of one batch with successful
   * rebases, {@code end_k - max(start_k, end_{k-1})}. With retries, the last successful rebase of
   * a chunk counts.
   */
  static List<Double> serialSteps(JobReport r, int chunksPerBatch) {
    Map<Integer, StageEvent> rebase = new TreeMap<>();
    for (StageEvent e : r.timeline()) {
      if ("rebase".equals(e.stage()) && e.ok() && e.chunk() >= 0) {
        StageEvent prev = rebase.get(e.chunk());
        if (prev == null || e.endUnixMicros() > prev.endUnixMicros()) {
          rebase.put(e.chunk(), e);
        }
      }
    }
    List<Double> out = new ArrayList<>();
    for (Map.Entry<Integer, StageEvent> en : rebase.entrySet()) {
      int k = en.getKey();
      if (k % chunksPerBatch == 0) {
        continue; // a batch head has no predecessor in its chain
      }
      StageEvent prev = rebase.get(k - 1);
      if (prev == null) {
        continue;
      }
      StageEvent cur = en.getValue();
      long from = Math.max(cur.startUnixMicros(), prev.endUnixMicros());
      out.add(Math.max(0, cur.endUnixMicros() - from) / 1e6);
    }
    return out;
  }

  private static double[] toArray(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The estimate as text: assumptions, the per-stage table, the formula with numbers, the result. */
  public static String render(JobReport measured, Target target, Estimate e) {
    StringBuilder b = new StringBuilder();
    JobReport.Video v = measured.video();
    JobReport.Setup s = measured.setup();
    b.append(String.format(Locale.ROOT, "measured: %s, %dx%d, %d frames, pipeline %s N=%d x=%d, %d workers (%s"
        + " launcher), wall %.2f s%n", measured.output(), v.width(), v.height(), measured.summary().frames(),
        s.pipeline().isEmpty() ? "?" : s.pipeline(), s.framesPerChunk(), s.chunksPerBatch(), s.workers(),
        s.launcher().isEmpty() ? "?" : s.launcher(), measured.wallSeconds()));
    b.append(String.format(Locale.ROOT, "target:   %dx%d, %d frames (%.1f min at %s fps), ExCamera[%d,%d]: %d chunks,"
        + " one worker each, %d batches%n", target.width(), target.height(), target.frames(),
        target.frames() / target.fps() / 60.0, Json.number(target.fps()), target.framesPerChunk(),
        target.chunksPerBatch(), e.chunks(), e.batches()));
    b.append(String.format(Locale.ROOT, "%n%-26s %5s %11s %11s %-18s %9s %11s %11s%n", "stage", "count", "median_s",
        "p90_s", "scales_with", "factor", "target_med", "target_p90"));
    for (StageFigure f : e.stages()) {
      b.append(String.format(Locale.ROOT, "%-26s %5d %11.4f %11.4f %-18s %9.1f %11.2f %11.2f%n", f.stage(), f.count(),
          f.measuredMedian(), f.measuredP90(), f.scale(), f.factor(), f.targetMedian(), f.targetP90()));
    }
    b.append(String.format(Locale.ROOT, "%nmodel: wall = max(head_ready + rebase(head), member_ready) + (x-1)*serial"
        + " + uploads%n"));
    b.append("       head_ready = launch + assign + fetch:raw_chunk + encode_chunk + upload:encoded_chunk + dump_state"
        + " + upload:end_state\n");
    b.append("       member_ready = head_ready + fetch:end_state + encode_given_state + upload:reencoded_chunk\n");
    b.append(String.format(Locale.ROOT, "estimate: %.1f s (%.2f min) with median stages, %.1f s (%.2f min) with p90"
        + " stages; the serial chain is %.0f %% of the median estimate%n", e.medianSeconds(), e.medianSeconds() / 60,
        e.p90Seconds(), e.p90Seconds() / 60, e.serialShareMedian() * 100));
    if (Double.isFinite(e.joinSeconds())) {
      b.append(String.format(Locale.ROOT, "join (not in the estimate; ExCamera's figure leaves the chunks in S3): ~%.0f s"
          + " to concatenate ~%.2f GB (the measured join throughput; the output at the measured bits per pixel)%n",
          e.joinSeconds(), e.joinBytes() / 1e9));
    }
    b.append("ExCamera[6,16] on Sintel 4K (NSDI'17, 3,552 Lambdas): 2.6 min (156.6 s) wall; per 6-frame 4K chunk"
        + " vpxenc ~9.3 s, xc-dump ~2.9 s, encode-given-state+rebase ~16.9 s, serial step ~3.4 s/chunk, median batch"
        + " ~85 s (excamera-notes 1.4)\n");
    b.append("assumptions: one worker per chunk, all launched at once, each as fast as one worker here (measure with"
        + " workers <= cores, or contention inflates every stage); stage times linear in the work named in"
        + " scales_with; identical batches (stragglers only through the p90 variant); launch as measured with this"
        + " launcher (a Lambda cold start differs); ingest is not counted (ExCamera's chunks are in S3"
        + " beforehand); the report's quality measurement is, in upload:output_chunk (each worker measures its own"
        + " chunk)\n");
    for (String note : e.notes()) {
      b.append("note: ").append(note).append('\n');
    }
    return b.toString();
  }
}
