package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.cli.Choices.LauncherArg;
import io.tinythreads.coordinator.cli.Choices.PipelineArg;
import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.ReportException;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.coordinator.report.TimeModel;
import io.tinythreads.media.LibvpxSettings;
import io.tinythreads.media.VideoSource;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.io.Y4mHeader;
import io.tinythreads.vp8.io.Y4mReader;
import io.tinythreads.vp8.io.Y4mWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator bench INPUT}: tinythreads (independent or xc pipeline) at 1 and 2 workers
 * against vpxenc at 1 and 2 threads, same settings, same y4m input; with {@code --model}, the
 * time model ({@link TimeModel}) from the 2-worker job's report.
 *
 * <p>Method. Each of the four encodes runs as a child process started the same way, {@code bash
 * -c '<cmd> >log 2>&1; times'}: wall time is measured around the child, CPU time is the children's
 * user+sys that bash's {@code times} prints (getrusage(RUSAGE_CHILDREN), which includes every
 * descendant that was waited for, e.g. worker JVMs of the process launcher). Our encodes are
 * {@code coordinator submit} in a fresh JVM (embedded coordinator, so JVM start-up and the
 * coordinator's start are counted, as vpxenc's start-up is); this measures both sides alike,
 * which the JVM's own CPU counters could not. Runs are interleaved across repeats to spread
 * machine noise, and the median is reported. vpxenc encodes the whole clip as one stream with
 * its default keyframe placement.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Benchmark tinythreads against vpxenc on INPUT.",
        "",
        "Encodes INPUT with tinythreads (--pipeline, default independent) at 1 and 2 workers, and with vpxenc "
            + "--threads=1 and 2, all "
            + "at the same settings, and prints wall and CPU seconds, output bytes, frames/s and ratios on stdout. "
            + "Every encode is a child process timed the same way (bash 'times' for user+sys CPU, including worker "
            + "processes); ours is 'coordinator submit' in a fresh JVM, so JVM start-up is counted. Needs vpxenc. "
            + "A non-y4m INPUT is first converted to a temporary y4m, which all four encodes read. With --model, "
            + "the 2-worker job's report (written by the coordinator next to its output) feeds the time model "
            + "of 'coordinator model' for a 15-minute 4K clip at one worker per chunk.",
        ""})
final class BenchCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "INPUT", description = "Video file or demo: spec.")
  String input;

  @Option(names = "--repeat", paramLabel = "N", description = "Runs per configuration; the median is shown (default: 1).")
  int repeat = 1;

  @Option(names = {"-N", "--frames-per-chunk"}, paramLabel = "N",
      description = "Frames per chunk for tinythreads (default: the coordinator's for independent).")
  Integer framesPerChunk;

  @Option(names = "--launcher", paramLabel = "thread|process", converter = Choices.LauncherConverter.class,
      description = "Where our workers run (default: thread).")
  LauncherArg launcher = LauncherArg.THREAD;

  @Option(names = "--pipeline", paramLabel = "independent|xc", converter = Choices.PipelineConverter.class,
      description = "Our pipeline (default: independent).")
  PipelineArg pipeline = PipelineArg.INDEPENDENT;

  @Option(names = {"-x", "--chunks-per-batch"}, paramLabel = "X",
      description = "xc: chunks per batch (default: the coordinator's).")
  Integer chunksPerBatch;

  @Option(names = "--model", description = "After the runs, model a 15-minute 4K job at one worker per chunk from the "
      + "2-worker run's job report (see 'coordinator model').")
  boolean model;

  @Option(names = "--vpxenc", paramLabel = "PATH", description = "vpxenc to compare with (default: vpxenc on PATH).")
  String vpxenc = "vpxenc";

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Parent of the bench's scratch dir (default: the system temp dir).")
  Path workDir;

  @Option(names = {"-k", "--keep"}, description = "Keep the scratch dir (y4m, outputs, logs) and print its path.")
  boolean keep;

  @ArgGroup(validate = false, heading = "%nEncoder settings (vpxenc flags; defaults as for submit):%n")
  EncodeOptions encode = new EncodeOptions();

  /** One configuration of the table. */
  record Config(String label, int threads, boolean ours) {}

  /** One timed run. */
  record Measurement(double wallSeconds, double cpuSeconds, long bytes) {}

  /** A configuration's median over the repeats. */
  record Row(Config config, double wallSeconds, double cpuSeconds, long bytes, boolean sameBytes, double jobSeconds) {}

  @Override
  int run() throws Exception {
    CommandLine cmd = spec.commandLine();
    EncodeOptions given = encode != null ? encode : new EncodeOptions();
    given.validate(cmd);
    if (given.threads != null) {
      throw new picocli.CommandLine.ParameterException(cmd, "--threads is set by bench itself (1 and 2)");
    }
    Validation.range(cmd, "--repeat", repeat, 1, 100);
    Validation.range(cmd, "--frames-per-chunk", framesPerChunk, 1, PipelineOptions.MAX_FRAMES_PER_CHUNK);
    Validation.range(cmd, "--chunks-per-batch", chunksPerBatch, 1, PipelineOptions.MAX_CHUNKS_PER_BATCH);
    if (pipeline == PipelineArg.INDEPENDENT && chunksPerBatch != null && chunksPerBatch != 1) {
      throw new picocli.CommandLine.ParameterException(cmd, "--chunks-per-batch must be 1 with --pipeline independent");
    }
    // vpxenc gets exactly the flags our workers encode with: the worker's own resolution of the
    // settings (ExCamera's defaults for what is left out), rendered as vpxenc flags.
    List<String> vpxencSettings = vpxencSettings(LibvpxSettings.resolve(given.toProto().build()));
    checkTool(vpxenc);

    Path parent = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(parent);
    Path scratch = Files.createTempDirectory(parent.toAbsolutePath(), "tinythreads-bench-");
    try {
      Clip clip = prepare(input, scratch, 0);
      List<Config> configs = List.of(new Config("tinythreads " + pipeline + ", 1 worker", 1, true),
          new Config("tinythreads " + pipeline + ", 2 workers", 2, true), new Config("vpxenc --threads=1", 1, false),
          new Config("vpxenc --threads=2", 2, false));
      List<List<Measurement>> results = new ArrayList<>();
      configs.forEach(c -> results.add(new ArrayList<>()));
      List<List<Double>> jobSeconds = new ArrayList<>();
      configs.forEach(c -> jobSeconds.add(new ArrayList<>()));
      for (int r = 0; r < repeat; r++) {
        for (int i = 0; i < configs.size(); i++) {
          Config c = configs.get(i);
          Path out = scratch.resolve("out-" + i + "-" + r + ".ivf");
          Path log = scratch.resolve("log-" + i + "-" + r + ".txt");
          List<String> command = c.ours() ? oursCommand(clip.y4m(), out, scratch, c.threads(), given)
              : vpxencCommand(clip.y4m(), out, c.threads(), vpxencSettings);
          if (!quiet) {
            err().printf(Locale.ROOT, "bench: run %d/%d: %s%n", r + 1, repeat, c.label());
            err().flush();
          }
          results.get(i).add(measure(c.label(), command, out, log));
          if (c.ours()) {
            jobSeconds.get(i).add(jobWallSeconds(out));
          }
        }
      }
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < configs.size(); i++) {
        Row row = summarize(configs.get(i), results.get(i));
        double[] js = jobSeconds.get(i).stream().mapToDouble(Double::doubleValue).toArray();
        boolean allKnown = js.length > 0 && java.util.Arrays.stream(js).allMatch(Double::isFinite);
        rows.add(new Row(row.config(), row.wallSeconds(), row.cpuSeconds(), row.bytes(), row.sameBytes(),
            allKnown ? median(js) : Double.NaN));
      }
      print(out(), clip, vpxencSettings, rows);
      if (model) {
        printModel(out(), scratch.resolve("out-1-" + (repeat - 1) + ".ivf"));
      }
      if (keep) {
        err().println("bench: kept " + scratch);
      }
      return ExitCodes.OK;
    } finally {
      if (!keep) {
        Session.deleteRecursively(scratch);
      }
    }
  }

  /** The y4m all four encodes read, and its frame count. */
  record Clip(Path y4m, Y4mHeader header, long frames, String source) {}

  /**
   * The y4m every encode reads: INPUT itself if it is a y4m file and no limit is set, otherwise
   * INPUT (any video or demo: spec) decoded once into {@code scratch/input.y4m}, its first
   * {@code limit} frames when {@code limit > 0}.
   */
  static Clip prepare(String input, Path scratch, long limit) throws IOException {
    Path asFile = input.startsWith("demo:") ? null : Path.of(input);
    if (asFile != null && !Files.isRegularFile(asFile)) {
      throw new CliException(ExitCodes.INPUT_OUTPUT, "input " + asFile.toAbsolutePath() + ": no such file");
    }
    if (asFile != null && limit <= 0 && input.toLowerCase(Locale.ROOT).endsWith(".y4m")) {
      try (Y4mReader r = Y4mReader.open(asFile)) {
        long n = 0;
        byte[] buf = new byte[r.header().frameBytes()];
        while (r.next(buf)) {
          n++;
        }
        if (n == 0) {
          throw new CliException(ExitCodes.INPUT_OUTPUT, "input " + asFile.toAbsolutePath() + ": no frames");
        }
        return new Clip(asFile.toAbsolutePath(), r.header(), n, input);
      }
    }
    Path y4m = scratch.resolve("input.y4m");
    try (VideoSource src = VideoSource.open(asFile != null ? asFile.toAbsolutePath().toString() : input)) {
      VideoInfo v = src.info();
      Y4mHeader h = Y4mHeader.of(v.getWidth(), v.getHeight(), v.getFpsNum(), v.getFpsDen());
      long n = 0;
      try (Y4mWriter w = Y4mWriter.create(y4m, h)) {
        byte[] frame = new byte[h.frameBytes()];
        while ((limit <= 0 || n < limit) && src.read(frame)) {
          w.write(frame);
          n++;
        }
      }
      return new Clip(y4m, h, n, input + (limit > 0 && n == limit ? " (first " + n + " frames)" : ""));
    }
  }

  private List<String> oursCommand(Path y4m, Path out, Path scratch, int workers, EncodeOptions settings) {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.add("--enable-native-access=ALL-UNNAMED");
    c.add("-cp");
    c.add(System.getProperty("java.class.path"));
    c.add(CoordinatorCli.class.getName());
    c.add("submit");
    c.add(y4m.toString());
    c.add("-o");
    c.add(out.toString());
    c.add("-y");
    c.add("--progress=none");
    c.add("--work-dir=" + scratch);
    c.add("--pipeline=" + pipeline);
    if (chunksPerBatch != null) {
      c.add("--chunks-per-batch=" + chunksPerBatch);
    }
    c.add("--workers=" + workers);
    c.add("--launcher=" + launcher);
    if (framesPerChunk != null) {
      c.add("--frames-per-chunk=" + framesPerChunk);
    }
    c.addAll(settings.flags());
    c.add("--threads=1");
    return c;
  }

  /** The worker's effective settings as vpxenc flags, without --codec and --threads (set per run). */
  static List<String> vpxencSettings(LibvpxSettings s) {
    List<String> flags = new ArrayList<>();
    for (String f : s.vpxencFlags().strip().split("\\s+")) {
      if (!f.startsWith("--codec=") && !f.startsWith("--threads=")) {
        flags.add(f);
      }
    }
    return flags;
  }

  private List<String> vpxencCommand(Path y4m, Path out, int threads, List<String> settings) {
    List<String> c = new ArrayList<>();
    c.add(vpxenc);
    c.add("--codec=vp8");
    c.add("--threads=" + threads);
    c.addAll(settings);
    c.add("--ivf");
    c.add("-q");
    c.add("-o");
    c.add(out.toString());
    c.add(y4m.toString());
    return c;
  }

  /** Runs {@code command} under bash, timing wall clock here and CPU with bash's {@code times}. */
  static Measurement measure(String label, List<String> command, Path out, Path log) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("bash", "-c",
        "log=$1; shift; \"$@\" >\"$log\" 2>&1; rc=$?; times; exit $rc", "bench", log.toString()));
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String times = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) {
      throw new CliException(ExitCodes.JOB_FAILED, label + " failed (exit " + rc + "): " + lastLine(log));
    }
    if (!Files.isRegularFile(out)) {
      throw new CliException(ExitCodes.JOB_FAILED, label + " wrote no output " + out);
    }
    return new Measurement(wall, childCpuSeconds(times), Files.size(out));
  }

  /**
   * Parses bash's {@code times}: two lines "XmY.YYYs XmY.YYYs", the shell's user/sys, then its
   * children's; returns the children's user+sys.
   */
  static double childCpuSeconds(String timesOutput) {
    String[] lines = timesOutput.strip().split("\\R");
    String[] parts = lines[lines.length - 1].strip().split("\\s+");
    if (lines.length < 2 || parts.length != 2) {
      throw new IllegalStateException("unexpected output of bash 'times': " + timesOutput);
    }
    return clockToSeconds(parts[0]) + clockToSeconds(parts[1]);
  }

  private static double clockToSeconds(String t) {
    int m = t.indexOf('m');
    if (m < 0 || !t.endsWith("s")) {
      throw new IllegalStateException("unexpected time '" + t + "' from bash 'times'");
    }
    return Long.parseLong(t.substring(0, m)) * 60 + Double.parseDouble(t.substring(m + 1, t.length() - 1));
  }

  static Row summarize(Config c, List<Measurement> ms) {
    boolean same = ms.stream().allMatch(m -> m.bytes() == ms.get(0).bytes());
    return new Row(c, median(ms.stream().mapToDouble(Measurement::wallSeconds).toArray()),
        median(ms.stream().mapToDouble(Measurement::cpuSeconds).toArray()), ms.get(0).bytes(), same, Double.NaN);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private void print(PrintWriter out, Clip clip, List<String> settings, List<Row> rows) {
    Y4mHeader h = clip.header();
    out.printf(Locale.ROOT, "input: %s (%dx%d, %d/%d fps, %d frames)%n", clip.source(), h.width(), h.height(),
        h.fpsNum(), h.fpsDen(), clip.frames());
    out.printf(Locale.ROOT, "settings: %s%n", String.join(" ", settings));
    out.printf(Locale.ROOT, "tinythreads: --pipeline=%s --launcher=%s%s%s --threads=1; %s%n", pipeline, launcher,
        framesPerChunk != null ? " --frames-per-chunk=" + framesPerChunk : "",
        chunksPerBatch != null ? " --chunks-per-batch=" + chunksPerBatch : "",
        repeat == 1 ? "1 run each" : "median of " + repeat + " runs each");
    out.printf(Locale.ROOT, "%n%-36s %8s %8s %10s %8s %8s%n", "encoder", "wall_s", "cpu_s", "bytes", "fps", "job_s");
    for (Row r : rows) {
      out.printf(Locale.ROOT, "%-36s %8.2f %8.2f %10d %8.1f %8s%s%n", r.config().label(), r.wallSeconds(),
          r.cpuSeconds(), r.bytes(), clip.frames() / r.wallSeconds(),
          Double.isFinite(r.jobSeconds()) ? String.format(Locale.ROOT, "%.2f", r.jobSeconds()) : "-",
          r.sameBytes() ? "" : "  (sizes differ between runs)");
    }
    out.println("(wall_s, cpu_s: the whole process; job_s: our job from its start to the output committed, from the"
        + " job report: without JVM start-up, input checks and the report's quality measurement)");
    Row o1 = rows.get(0);
    Row o2 = rows.get(1);
    Row v1 = rows.get(2);
    Row v2 = rows.get(3);
    out.printf(Locale.ROOT, "%nratios, tinythreads / vpxenc at equal threads:%n");
    out.printf(Locale.ROOT, "  1 thread:  wall %.2fx  cpu %.2fx  bytes %.3fx%n", o1.wallSeconds() / v1.wallSeconds(),
        o1.cpuSeconds() / v1.cpuSeconds(), (double) o1.bytes() / v1.bytes());
    out.printf(Locale.ROOT, "  2 threads: wall %.2fx  cpu %.2fx  bytes %.3fx%n", o2.wallSeconds() / v2.wallSeconds(),
        o2.cpuSeconds() / v2.cpuSeconds(), (double) o2.bytes() / v2.bytes());
    out.printf(Locale.ROOT, "speedup from 1 to 2: tinythreads %.2fx, vpxenc %.2fx (wall)%n",
        o1.wallSeconds() / o2.wallSeconds(), v1.wallSeconds() / v2.wallSeconds());
    if (Double.isFinite(o1.jobSeconds()) && Double.isFinite(o2.jobSeconds())) {
      out.printf(Locale.ROOT, "job only (job_s / vpxenc wall): 1 thread %.2fx, 2 threads %.2fx; speedup from 1 to 2:"
          + " %.2fx%n", o1.jobSeconds() / v1.wallSeconds(), o2.jobSeconds() / v2.wallSeconds(),
          o1.jobSeconds() / o2.jobSeconds());
    }
    out.flush();
  }

  /** wall_seconds of the job report next to {@code output}, or NaN without one. */
  private static double jobWallSeconds(Path output) {
    Path json = Reports.jsonPathFor(output);
    if (!Files.isRegularFile(json)) {
      return Double.NaN;
    }
    try {
      double w = Reports.readJson(json).wallSeconds();
      return w > 0 ? w : Double.NaN;
    } catch (IOException | ReportException e) {
      return Double.NaN;
    }
  }

  /**
   * The time model from the job report the coordinator wrote next to {@code output} (the last
   * 2-worker run), or a line saying why there is none.
   */
  private static void printModel(PrintWriter out, Path output) throws IOException {
    Path json = Reports.jsonPathFor(output);
    out.println();
    if (!Files.isRegularFile(json)) {
      out.println("model: no job report at " + json + " (the coordinator writes one when a job succeeds; this build's"
          + " coordinator did not)");
      out.flush();
      return;
    }
    JobReport r;
    try {
      r = Reports.readJson(json);
    } catch (ReportException e) {
      out.println("model: " + e.getMessage());
      out.flush();
      return;
    }
    if (r.timeline().isEmpty()) {
      out.println("model: the job report " + json + " has no timeline");
      out.flush();
      return;
    }
    TimeModel.Target t = TimeModel.Target.excameraSintel();
    out.println("model (from the 2-worker run's report; 'coordinator model REPORT' for other targets):");
    out.print(TimeModel.render(r, t, TimeModel.estimate(r, t)));
    out.flush();
  }

  static void checkTool(String tool) {
    if (tool.contains("/")) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "--vpxenc " + tool + ": not an executable file");
      }
      return;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
          return;
        }
      }
    }
    throw new CliException(ExitCodes.INPUT_OUTPUT, tool + " not found on PATH (install vpx-tools, or pass --vpxenc PATH)");
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).strip();
        }
      }
      return "(no output)";
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
