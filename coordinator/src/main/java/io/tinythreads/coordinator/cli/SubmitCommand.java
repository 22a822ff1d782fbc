package io.tinythreads.coordinator.cli;

import com.google.longrunning.Operation;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tinythreads.coordinator.cli.Choices.ProgressMode;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.SubmitJobRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator submit INPUT -o OUTPUT}: encodes one video and waits for the job, showing
 * progress on stderr. Without --coordinator it starts a coordinator in this JVM (loopback,
 * ephemeral port, embedded rendezvous) and still submits through the Jobs gRPC API.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Encode INPUT to OUTPUT (.ivf or .webm) and wait for the job.",
        "",
        "INPUT is any file FFmpeg reads (y4m, mp4, webm, mov, ...) or a demo: spec such as "
            + "demo:testsrc2,size=176x144,frames=24. Without --coordinator, a coordinator is started in this "
            + "process for the job (and stopped after it). With --coordinator, INPUT and OUTPUT are sent as "
            + "absolute paths and must be readable and writable by that coordinator (e.g. a shared file system).",
        "",
        "Progress goes to stderr: a redrawn bar on a terminal, key=value blocks otherwise (stage=, chunks_done=, "
            + "chunks_total=, frames_done=, frames_total=, fps=, eta_s=, then progress=continue, and progress=end "
            + "last). On success one summary line follows. Ctrl-C cancels the job and exits with 5.",
        "",
        "Encoder flags left out take ExCamera's vpxenc settings: --good --cpu-used=0 --end-usage=cq "
            + "--cq-level=32 --min-q=0 --max-q=63 --passes=2 --auto-alt-ref=1 --lag-in-frames=0 --token-parts=0 "
            + "--tune=ssim --threads=1 (and no bitrate limit in cq mode).",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {"  coordinator submit clip.y4m -o clip.webm --end-usage cq --cq-level 31",
        "  coordinator submit demo:testsrc2 -o demo.ivf --pipeline independent -w 4",
        "  coordinator submit /nfs/in.mp4 -o /nfs/out.webm --coordinator host:7700"})
final class SubmitCommand extends BaseCommand {
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  @Parameters(index = "0", paramLabel = "INPUT", description = "Video file or demo: spec.")
  String input;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTPUT",
      description = "Output file, .ivf or .webm (the extension picks the container).")
  String output;

  @Option(names = {"-y", "--overwrite"}, description = "Replace OUTPUT if it exists (without -y, an existing OUTPUT is a usage error).")
  boolean overwrite;

  @Option(names = "--coordinator", paramLabel = "HOST:PORT", converter = HostPort.Converter.class,
      description = "Submit to this coordinator instead of starting one in this process.")
  HostPort coordinator;

  @Mixin
  ClientTlsOptions tls = new ClientTlsOptions();

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Embedded only: parent of the job's scratch dir (default: the system temp dir).")
  Path workDir;

  @Option(names = {"-k", "--keep"}, description = "Embedded only: keep the scratch dir (chunks, states) and print its path.")
  boolean keep;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Idempotency key: resubmitting with the same ID returns the same job (AIP-155). Default: random.")
  String requestId;

  @Option(names = "--progress", paramLabel = "auto|bar|plain|none", converter = Choices.ProgressModeConverter.class,
      description = "Progress on stderr: bar on a terminal and plain otherwise (auto, the default), or forced.")
  ProgressMode progress = ProgressMode.AUTO;

  @ArgGroup(validate = false, heading = "%nEncoder settings (vpxenc flags):%n")
  EncodeOptions encode = new EncodeOptions();

  @ArgGroup(validate = false, heading = "%nExCamera settings:%n")
  PipelineOptions pipeline = new PipelineOptions();

  @Override
  int run() throws Exception {
    CommandLine cmd = spec.commandLine();
    EncodeOptions enc = encode != null ? encode : new EncodeOptions();
    PipelineOptions pipe = pipeline != null ? pipeline : new PipelineOptions();
    enc.validate(cmd);
    pipe.validate(cmd);
    if (coordinator != null && (workDir != null || keep)) {
      throw new ParameterException(cmd, (workDir != null ? "--work-dir" : "--keep")
          + " applies only to an embedded coordinator (drop --coordinator, or set it on 'coordinator serve')");
    }
    if (coordinator == null && tls.given()) {
      throw new ParameterException(cmd, "--tls flags apply only with --coordinator (an embedded coordinator is"
          + " plaintext on loopback)");
    }
    io.grpc.ChannelCredentials credentials = coordinator == null ? null : tls.credentials();
    if (requestId != null && requestId.isBlank()) {
      throw new ParameterException(cmd, "--request-id must not be empty");
    }
    OutputContainer container = containerFor(cmd, output);
    String inputUri = resolve(input);
    String outputUri = resolve(output);
    Path outPath = localPath(outputUri);
    Path inPath = localPath(inputUri);
    if (outPath != null && inPath != null && outPath.equals(inPath)) {
      throw new ParameterException(cmd, "OUTPUT must differ from INPUT (" + outPath + ")");
    }
    if (outPath != null && Files.exists(outPath) && !overwrite) {
      throw new ParameterException(cmd, "OUTPUT " + outPath + " exists; use -y/--overwrite to replace it");
    }
    boolean embeddedRun = coordinator == null;
    if (embeddedRun) {
      checkLocalFiles(inPath, outPath);
    }

    JobSpec.Builder jobSpec = JobSpec.newBuilder().setInputUri(inputUri).setOutputUri(outputUri).setContainer(container);
    jobSpec.setSettings(enc.toProto());
    pipe.applyTo(jobSpec);
    SubmitJobRequest request = SubmitJobRequest.newBuilder()
        .setRequestId(requestId != null ? requestId : UUID.randomUUID().toString())
        .setSpec(jobSpec)
        .build();

    ProgressPrinter printer = ProgressPrinter.create(progress, quiet, verbosity(), err());
    boolean outputExisted = outPath != null && Files.exists(outPath);
    long started = System.nanoTime();
    Session session = embeddedRun ? Session.embedded(workDir, keep) : Session.remote(coordinator, credentials);
    Runnable removePartialOutput = () -> {
      if (session.embedded() && outPath != null && !outputExisted) {
        try {
          Files.deleteIfExists(outPath);
        } catch (IOException e) {
          // best effort: the error line already says what failed
        }
      }
    };
    try (session; CancelOnInterrupt guard = new CancelOnInterrupt(session, printer, err(), removePartialOutput)) {
      String target = session.embedded() ? "the embedded coordinator" : coordinator.toString();
      Job job;
      try {
        Operation op = session.client().submit(request);
        String jobName = JobsClient.jobName(op.getName());
        guard.jobStarted(jobName);
        if (verbosity() > 0 && !quiet) {
          err().println("coordinator: submitted " + jobName + " to " + target);
          err().flush();
        }
        job = op.getDone() ? finishedJob(op, jobName) : session.client().follow(jobName, printer);
      } catch (StatusRuntimeException e) {
        printer.abort();
        if (guard.fired()) {
          return ExitCodes.CANCELLED;
        }
        removePartialOutput.run();
        throw new CliException(Outcomes.exitCode(e.getStatus().getCode()), Outcomes.describe(e.getStatus(), target), e);
      }
      if (guard.fired()) {
        return ExitCodes.CANCELLED;
      }
      printer.finish(job);
      int code = Outcomes.exitCode(job);
      if (code != ExitCodes.OK) {
        removePartialOutput.run();
        throw new CliException(code, Outcomes.describe(job));
      }
      if (!quiet) {
        double wall = (System.nanoTime() - started) / 1e9;
        err().println("coordinator: " + Formats.summary(job.getResult(), outputUri, wall));
      }
      if (keep && session.workDir() != null && !quiet) {
        err().println("coordinator: kept work dir " + session.workDir());
      }
      err().flush();
      return ExitCodes.OK;
    }
  }

  /** A request id seen before may return an operation that is already done. */
  private static Job finishedJob(Operation op, String jobName) throws InvalidProtocolBufferException {
    if (op.hasResponse()) {
      return op.getResponse().unpack(Job.class);
    }
    com.google.rpc.Status error = op.getError();
    Job.State state = error.getCode() == Status.Code.CANCELLED.value() ? Job.State.CANCELLED : Job.State.FAILED;
    return Job.newBuilder().setName(jobName).setState(state).setError(error).build();
  }

  /** The container named by OUTPUT's extension; anything else is a usage error naming it. */
  static OutputContainer containerFor(CommandLine cmd, String output) {
    String name = output;
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    name = name.substring(slash + 1);
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      throw new ParameterException(cmd, "OUTPUT '" + output + "' has no extension; it must end in .ivf or .webm");
    }
    String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return switch (ext) {
      case "ivf" -> OutputContainer.OUTPUT_CONTAINER_IVF;
      case "webm" -> OutputContainer.OUTPUT_CONTAINER_WEBM;
      default -> throw new ParameterException(cmd,
          "unsupported output extension '." + name.substring(dot + 1) + "': OUTPUT must end in .ivf or .webm");
    };
  }

  /**
   * What the coordinator is sent: demo: specs and non-file URIs as typed; paths and file:// URIs
   * as absolute normalized paths (the coordinator may run in another working directory).
   */
  static String resolve(String typed) {
    if (typed.startsWith("demo:")) {
      return typed;
    }
    if (typed.startsWith("file:")) {
      return Path.of(URI.create(typed)).toAbsolutePath().normalize().toString();
    }
    if (URI_SCHEME.matcher(typed).matches()) {
      return typed;
    }
    return Path.of(typed).toAbsolutePath().normalize().toString();
  }

  /** The local path behind a resolved URI, or null for demo: specs and remote URIs. */
  static Path localPath(String resolved) {
    if (resolved.startsWith("demo:") || URI_SCHEME.matcher(resolved).matches()) {
      return null;
    }
    return Path.of(resolved);
  }

  /**
   * Embedded runs share our file system, so obvious input/output problems are reported before
   * a server starts; everything else (not a video, zero frames, pixel format) the coordinator
   * finds and answers with INVALID_ARGUMENT.
   */
  private static void checkLocalFiles(Path in, Path out) {
    if (in != null) {
      if (!Files.exists(in)) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "input " + in + ": no such file");
      }
      if (Files.isDirectory(in)) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "input " + in + ": is a directory, not a video");
      }
      if (!Files.isReadable(in)) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "input " + in + ": permission denied");
      }
    }
    if (out != null) {
      if (Files.isDirectory(out)) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "output " + out + ": is a directory");
      }
      Path dir = out.getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "output " + out + ": directory " + dir + " does not exist");
      }
      if (dir != null && !Files.isWritable(dir)) {
        throw new CliException(ExitCodes.INPUT_OUTPUT, "output " + out + ": directory " + dir + " is not writable");
      }
    }
  }
}
