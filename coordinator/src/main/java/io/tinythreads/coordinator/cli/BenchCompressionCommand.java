package io.tinythreads.coordinator.cli;

import com.google.longrunning.Operation;
import io.grpc.StatusRuntimeException;
import io.tinythreads.coordinator.cli.BenchCommand.Clip;
import io.tinythreads.coordinator.cli.Choices.LauncherArg;
import io.tinythreads.coordinator.cli.Choices.ProgressMode;
import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.RateDelta;
import io.tinythreads.coordinator.report.ReportException;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.SubmitJobRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator bench-compression INPUT}: the compression benchmark. One run encodes
 * INPUT at several cq levels with each tinythreads configuration (default xc[6,16], xc[24,16],
 * independent[6], independent[24]) and with one-stream vpxenc at ExCamera's settings, measures
 * every output against INPUT with the job report's code (VP8 payload bitrate; libvpx SSIM in dB),
 * and prints the RD points and each configuration's Bjøntegaard delta rate against vpxenc.
 *
 * <p>Our encodes run in this JVM against one embedded coordinator (loopback gRPC, as submit does),
 * one job after another, each with the given number of workers. A configuration whose job fails
 * (for example xc before the xc pipeline exists in this build) is reported as failed with the
 * coordinator's reason, and the others go on.
 */
@Command(name = "bench-compression", mixinStandardHelpOptions = true, sortOptions = false,
    usageHelpAutoWidth = true,
    description = {"Compare the compression of tinythreads' pipelines with one-stream vpxenc (BD-rate).",
        "",
        "Encodes INPUT at every --cq-levels value with each configuration of --configs (through an embedded "
            + "coordinator, in this process) and with vpxenc as one stream at ExCamera's settings (--good "
            + "--cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --buf-initial-sz=10000 --buf-optimal-sz=20000 "
            + "--buf-sz=40000 --undershoot-pct=100 --passes=2 --auto-alt-ref=1 --threads=1 --token-parts=0 "
            + "--tune=ssim --target-bitrate=4294967295); our jobs use the same settings (the coordinator's "
            + "ExCamera defaults plus --cq-level). Every output is decoded and compared with INPUT frame by frame. "
            + "Rate = VP8 payload bits per second (container overhead excluded on both sides); quality = libvpx SSIM "
            + "(0.8 Y + 0.1 (U + V)) of each frame, averaged, in dB (-10 log10(1 - SSIM)). Prints the RD points and "
            + "the Bjøntegaard delta rate of each configuration against vpxenc (cubic fit of log rate over the "
            + "overlapping quality range; 'n/a' when the curves do not overlap), and of each xc configuration "
            + "against independent chunks of the same size. Needs vpxenc.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {"  coordinator bench-compression ../shared/testdata/clips/sintel_trailer_640x272_f548-643.y4m --markdown",
        "  coordinator bench-compression clip.y4m --configs independent:6,independent:24 --cq-levels 10,20,30,40"})
final class BenchCompressionCommand extends BaseCommand {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BenchCompressionCommand.class);

  /** vpxenc exactly as ExCamera ran it (excamera-notes 2.6), without --cq-level (added per run). */
  static final List<String> EXCAMERA_VPXENC = List.of("--codec=vp8", "--good", "--cpu-used=0", "--end-usage=cq",
      "--min-q=0", "--max-q=63", "--buf-initial-sz=10000", "--buf-optimal-sz=20000", "--buf-sz=40000",
      "--undershoot-pct=100", "--passes=2", "--auto-alt-ref=1", "--threads=1", "--token-parts=0", "--tune=ssim",
      "--target-bitrate=4294967295");

  /** The targets: BD-rate against one-stream vpxenc at most this many percent. */
  static final Map<String, Double> TARGETS = Map.of("xc[6,16]", 35.0, "xc[24,16]", 10.0);

  @Parameters(index = "0", paramLabel = "INPUT", description = "Video file or demo: spec.")
  String input;

  @Option(names = "--cq-levels", paramLabel = "Q,Q,...", split = ",",
      description = "cq levels, at least 4 (default: 8,20,32,44). Wide enough that the curves' SSIM ranges overlap.")
  List<Integer> cqLevels = List.of(8, 20, 32, 44);

  @Option(names = "--configs", paramLabel = "P:N[:X],...", split = ",",
      description = "tinythreads configurations as pipeline:N[:x] (default: xc:6:16,xc:24:16,independent:6,"
          + "independent:24).")
  List<String> configs = List.of("xc:6:16", "xc:24:16", "independent:6", "independent:24");

  @Option(names = {"-w", "--workers"}, paramLabel = "W", description = "Workers per job; 0 = one per core (default).")
  int workers;

  @Option(names = "--launcher", paramLabel = "thread|process", converter = Choices.LauncherConverter.class,
      description = "Where our workers run (default: thread).")
  LauncherArg launcher = LauncherArg.THREAD;

  @Option(names = "--limit", paramLabel = "FRAMES", description = "Use only the first FRAMES frames of INPUT.")
  long limit;

  @Option(names = "--cpu-used", paramLabel = "N",
      description = "Override ExCamera's --cpu-used=0 on both sides (faster, e.g. for tests).")
  Integer cpuUsed;

  @Option(names = {"-p", "--passes"}, paramLabel = "1|2", description = "Override ExCamera's --passes=2 on both sides.")
  Integer passes;

  @Option(names = "--vpxenc", paramLabel = "PATH", description = "vpxenc to compare with (default: vpxenc on PATH).")
  String vpxenc = "vpxenc";

  @Option(names = "--markdown", description = "Print the tables as Markdown (for a README).")
  boolean markdown;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Parent of the scratch dir (default: the system temp dir).")
  Path workDir;

  @Option(names = {"-k", "--keep"}, description = "Keep the scratch dir (y4m, outputs, reports) and print its path.")
  boolean keep;

  /** A tinythreads configuration, or the vpxenc reference (pipeline null). */
  record Config(String label, Pipeline pipeline, int framesPerChunk, int chunksPerBatch) {
    boolean vpxenc() {
      return pipeline == null;
    }
  }

  /** One encode: its figures, or why it failed. */
  record Point(Config config, int cq, long bytes, double kbps, double ssimDb, double psnrY, double wallSeconds,
      String failure) {
    boolean ok() {
      return failure == null;
    }
  }

  @Override
  int run() throws Exception {
    CommandLine cmd = spec.commandLine();
    List<Config> ours = parseConfigs(cmd, configs);
    if (cqLevels.size() < RateDelta.MIN_POINTS || cqLevels.stream().distinct().count() != cqLevels.size()) {
      throw new ParameterException(cmd, "--cq-levels needs at least " + RateDelta.MIN_POINTS
          + " different levels for a cubic fit, but was " + cqLevels);
    }
    for (int q : cqLevels) {
      Validation.range(cmd, "--cq-levels", q, 0, 63);
    }
    Validation.range(cmd, "--workers", workers, 0, PipelineOptions.MAX_WORKERS);
    Validation.range(cmd, "--cpu-used", cpuUsed, -16, 16);
    Validation.range(cmd, "--passes", passes, 1, 2);
    if (limit < 0) {
      throw new ParameterException(cmd, "--limit must be positive, but was " + limit);
    }
    BenchCommand.checkTool(vpxenc);

    Path parent = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(parent);
    Path scratch = Files.createTempDirectory(parent.toAbsolutePath(), "tinythreads-bench-compression-");
    try {
      Clip clip = BenchCommand.prepare(input, scratch, limit);
      Config reference = new Config("vpxenc", null, 0, 0);
      List<Point> points = new ArrayList<>();
      try (Session session = Session.embedded(scratch, false)) {
        for (int q : cqLevels) {
          points.add(runVpxenc(reference, q, clip, scratch));
          for (Config c : ours) {
            points.add(runOurs(session, c, q, clip, scratch));
          }
        }
      }
      print(out(), clip, reference, ours, points);
      if (keep) {
        err().println("bench-compression: kept " + scratch);
      }
      return ExitCodes.OK;
    } finally {
      if (!keep) {
        Session.deleteRecursively(scratch);
      }
    }
  }

  static List<Config> parseConfigs(CommandLine cmd, List<String> specs) {
    List<Config> out = new ArrayList<>();
    for (String s : specs) {
      String[] p = s.strip().split(":");
      try {
        if (p.length < 2 || p.length > 3) {
          throw new IllegalArgumentException("expected pipeline:N[:x]");
        }
        int n = Integer.parseInt(p[1]);
        int x = p.length == 3 ? Integer.parseInt(p[2]) : 1;
        if (n < 1 || n > PipelineOptions.MAX_FRAMES_PER_CHUNK || x < 1 || x > PipelineOptions.MAX_CHUNKS_PER_BATCH) {
          throw new IllegalArgumentException("N and x must be positive");
        }
        Config c = switch (p[0].toLowerCase(Locale.ROOT)) {
          case "xc" -> {
            if (p.length != 3) {
              throw new IllegalArgumentException("xc needs x: xc:N:x");
            }
            yield new Config("xc[" + n + "," + x + "]", Pipeline.PIPELINE_XC, n, x);
          }
          case "independent" -> {
            if (x != 1) {
              throw new IllegalArgumentException("independent chunks have x = 1");
            }
            yield new Config("independent[" + n + "]", Pipeline.PIPELINE_INDEPENDENT, n, 1);
          }
          default -> throw new IllegalArgumentException("unknown pipeline '" + p[0] + "' (xc or independent)");
        };
        if (out.stream().anyMatch(o -> o.label().equals(c.label()))) {
          throw new IllegalArgumentException("listed twice");
        }
        out.add(c);
      } catch (IllegalArgumentException e) {
        String why = e instanceof NumberFormatException ? "N and x must be numbers" : e.getMessage();
        throw new ParameterException(cmd, "--configs: '" + s + "': " + why);
      }
    }
    if (out.isEmpty()) {
      throw new ParameterException(cmd, "--configs is empty");
    }
    return out;
  }

  private Point runVpxenc(Config c, int q, Clip clip, Path scratch) throws IOException, InterruptedException {
    Path out = scratch.resolve("vpxenc-q" + q + ".ivf");
    List<String> command = new ArrayList<>(List.of(vpxenc));
    for (String f : EXCAMERA_VPXENC) {
      if (cpuUsed != null && f.startsWith("--cpu-used=")) {
        f = "--cpu-used=" + cpuUsed;
      } else if (passes != null && f.startsWith("--passes=")) {
        f = "--passes=" + passes;
      }
      command.add(f);
    }
    command.addAll(List.of("--cq-level=" + q, "--ivf", "-q", "-o", out.toString(), clip.y4m().toString()));
    progress(c, q);
    Path log = scratch.resolve("vpxenc-q" + q + ".log");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int rc = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) {
      throw new CliException(ExitCodes.JOB_FAILED, "vpxenc --cq-level=" + q + " failed (exit " + rc + "): "
          + Files.readString(log, StandardCharsets.UTF_8).strip());
    }
    return measure(c, q, out, clip, wall);
  }

  private Point runOurs(Session session, Config c, int q, Clip clip, Path scratch) throws Exception {
    Path out = scratch.resolve(c.label().replaceAll("[^A-Za-z0-9]+", "_") + "q" + q + ".ivf");
    EncodeSettings.Builder settings = EncodeSettings.newBuilder().setEndUsage(EndUsage.END_USAGE_CQ).setCqLevel(q);
    if (cpuUsed != null) {
      settings.setCpuUsed(cpuUsed);
    }
    if (passes != null) {
      settings.setPasses(passes);
    }
    JobSpec spec = JobSpec.newBuilder()
        .setInputUri(clip.y4m().toString())
        .setOutputUri(out.toString())
        .setContainer(OutputContainer.OUTPUT_CONTAINER_IVF)
        .setPipeline(c.pipeline())
        .setFramesPerChunk(c.framesPerChunk())
        .setChunksPerBatch(c.chunksPerBatch())
        .setWorkers(workers)
        .setLauncher(launcher.proto)
        .setSettings(settings)
        .build();
    progress(c, q);
    long t0 = System.nanoTime();
    Job job;
    try {
      Operation op = session.client().submit(SubmitJobRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
          .setSpec(spec).build());
      job = session.client().follow(JobsClient.jobName(op.getName()),
          ProgressPrinter.create(ProgressMode.NONE, true, 0, err()));
    } catch (StatusRuntimeException e) {
      return failed(c, q, Outcomes.describe(e.getStatus(), "the embedded coordinator"));
    }
    if (job.getState() != Job.State.SUCCEEDED) {
      return failed(c, q, Outcomes.describe(job));
    }
    // Job start to output committed: without the report the coordinator makes afterwards.
    double wall = job.getResult().getWallSeconds() > 0 ? job.getResult().getWallSeconds()
        : (System.nanoTime() - t0) / 1e9;
    // The coordinator measured its output against the same y4m for the job report; use that
    // instead of decoding the output a second time.
    String reportUri = job.getResult().getReportUri();
    if (!reportUri.isEmpty() && Files.isRegularFile(Path.of(reportUri))) {
      try {
        JobReport r = Reports.readJson(Path.of(reportUri));
        if (r.summary().frames() == clip.frames()) {
          return point(c, q, r, wall);
        }
      } catch (ReportException | IOException e) {
        log.debug("job report {} unusable ({}); measuring the output", reportUri, e.toString());
      }
    }
    return measure(c, q, out, clip, wall);
  }

  private Point failed(Config c, int q, String why) {
    if (!quiet) {
      err().printf(Locale.ROOT, "bench-compression: %s at cq %d failed: %s%n", c.label(), q, why);
      err().flush();
    }
    return new Point(c, q, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, CoordinatorCli.oneLine(why));
  }

  private Point measure(Config c, int q, Path out, Clip clip, double wall) throws IOException {
    JobReport r;
    try {
      r = Reports.measure(out, clip.y4m().toString());
    } catch (ReportException e) {
      return failed(c, q, "measuring the output: " + e.getMessage());
    }
    return point(c, q, r, wall);
  }

  private static Point point(Config c, int q, JobReport r, double wall) {
    JobReport.Summary s = r.summary();
    return new Point(c, q, s.payloadBytes(), s.payloadKbps(), s.ssimAllDb(), s.psnrY(), wall, null);
  }

  private void progress(Config c, int q) {
    if (!quiet) {
      err().printf(Locale.ROOT, "bench-compression: cq %d: %s%n", q, c.label());
      err().flush();
    }
  }

  /** A configuration's RD curve (its successful points), rate in kbit/s and quality in SSIM dB. */
  static List<RateDelta.Point> curve(List<Point> points, Config c) {
    List<RateDelta.Point> out = new ArrayList<>();
    for (Point p : points) {
      if (p.config().equals(c) && p.ok()) {
        out.add(new RateDelta.Point(p.kbps(), p.ssimDb()));
      }
    }
    return out;
  }

  /** The BD-rate of {@code test} against {@code ref}, or why there is none. */
  static String bd(List<Point> points, Config ref, Config test) {
    String failure = points.stream().filter(p -> p.config().equals(test) && !p.ok()).map(Point::failure).findFirst()
        .orElse(null);
    if (failure != null) {
      return "n/a: " + test.label() + " failed: " + failure;
    }
    return RateDelta.format(RateDelta.compute(curve(points, ref), curve(points, test)));
  }

  private void print(PrintWriter out, Clip clip, Config ref, List<Config> ours, List<Point> points) {
    var h = clip.header();
    List<Config> all = new ArrayList<>();
    all.add(ref);
    all.addAll(ours);
    String vpxencLine = "vpxenc " + String.join(" ", EXCAMERA_VPXENC) + " --cq-level=Q"
        + (cpuUsed != null ? " (--cpu-used=" + cpuUsed + ")" : "") + (passes != null ? " (--passes=" + passes + ")" : "");
    out.printf(Locale.ROOT, "input: %s (%dx%d, %d/%d fps, %d frames)%n", clip.source(), h.width(), h.height(),
        h.fpsNum(), h.fpsDen(), clip.frames());
    out.printf(Locale.ROOT, "reference: one-stream %s%n", vpxencLine);
    out.printf(Locale.ROOT, "tinythreads: embedded coordinator, %s launcher, %s workers, ExCamera's settings + "
        + "--cq-level=Q%s%n", launcher, workers == 0 ? "one per core" : Integer.toString(workers),
        (cpuUsed != null ? " --cpu-used=" + cpuUsed : "") + (passes != null ? " --passes=" + passes : ""));
    out.println("rate: VP8 payload kbit/s; quality: mean libvpx SSIM (0.8 Y + 0.1 (U + V)) in dB; PSNR-Y: mean of frames;"
        + " wall: vpxenc's process, our job until its output was committed (not a timing benchmark: see 'bench')");
    out.println();
    // RD points.
    if (markdown) {
      out.println("| config | cq | kbit/s | SSIM dB | PSNR-Y dB | bytes | wall s |");
      out.println("|---|---:|---:|---:|---:|---:|---:|");
    } else {
      out.printf(Locale.ROOT, "%-18s %4s %11s %9s %9s %10s %8s%n", "config", "cq", "kbit/s", "ssim_db", "psnr_y",
          "bytes", "wall_s");
    }
    for (Config c : all) {
      for (Point p : points) {
        if (!p.config().equals(c)) {
          continue;
        }
        if (!p.ok()) {
          out.printf(Locale.ROOT, markdown ? "| %s | %d | failed: %s | | | | |%n" : "%-18s %4d failed: %s%n", c.label(),
              p.cq(), p.failure());
        } else if (markdown) {
          out.printf(Locale.ROOT, "| %s | %d | %.1f | %.3f | %.3f | %d | %.1f |%n", c.label(), p.cq(), p.kbps(),
              p.ssimDb(), p.psnrY(), p.bytes(), p.wallSeconds());
        } else {
          out.printf(Locale.ROOT, "%-18s %4d %11.1f %9.3f %9.3f %10d %8.1f%n", c.label(), p.cq(), p.kbps(), p.ssimDb(),
              p.psnrY(), p.bytes(), p.wallSeconds());
        }
      }
    }
    out.println();
    // BD-rates against vpxenc.
    out.println(markdown ? "BD-rate against one-stream vpxenc (SSIM dB axis; + = more bits for the same quality):"
        : "BD-rate against one-stream vpxenc (SSIM dB axis; + = more bits for the same quality):");
    if (markdown) {
      out.println();
      out.println("| config | BD-rate vs vpxenc | target |");
      out.println("|---|---:|---|");
    }
    for (Config c : ours) {
      RateDelta.Result r = points.stream().anyMatch(p -> p.config().equals(c) && !p.ok()) ? null
          : RateDelta.compute(curve(points, ref), curve(points, c));
      String bd = bd(points, ref, c);
      Double target = TARGETS.get(c.label());
      String verdict = "";
      if (target != null) {
        verdict = String.format(Locale.ROOT, "<= %+.0f %%", target);
        if (r instanceof RateDelta.Delta d) {
          verdict += d.percent() <= target ? ": met" : ": missed";
        }
      }
      if (markdown) {
        out.printf(Locale.ROOT, "| %s | %s | %s |%n", c.label(), bd, verdict);
      } else {
        out.printf(Locale.ROOT, "  %-18s %s%s%n", c.label(), bd, verdict.isEmpty() ? "" : "   (target " + verdict + ")");
      }
    }
    // xc against independent chunks of the same size.
    Map<Integer, Config> independent = new LinkedHashMap<>();
    for (Config c : ours) {
      if (c.pipeline() == Pipeline.PIPELINE_INDEPENDENT) {
        independent.put(c.framesPerChunk(), c);
      }
    }
    boolean header = false;
    for (Config c : ours) {
      Config ind = c.pipeline() == Pipeline.PIPELINE_XC ? independent.get(c.framesPerChunk()) : null;
      if (ind == null) {
        continue;
      }
      if (!header) {
        out.println();
        out.println("xc against independent chunks of the same size (- = xc needs fewer bits):");
        header = true;
      }
      String bd = bd(points, ind, c);
      RateDelta.Result r = RateDelta.compute(curve(points, ind), curve(points, c));
      String verdict = bd.startsWith("n/a") ? "" : r instanceof RateDelta.Delta d && d.percent() < 0
          ? "xc beats independent" : "xc does NOT beat independent";
      out.printf(Locale.ROOT, markdown ? "- %s vs %s: %s%s%n" : "  %s vs %s: %s%s%n", c.label(), ind.label(), bd,
          verdict.isEmpty() ? "" : " (" + verdict + ")");
    }
    out.flush();
  }
}
