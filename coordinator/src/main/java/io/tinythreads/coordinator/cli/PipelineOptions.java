package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.cli.Choices.LauncherArg;
import io.tinythreads.coordinator.cli.Choices.PipelineArg;
import io.tinythreads.proto.JobSpec;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** ExCamera's knobs (N, x, workers, launcher, pipeline) and per-job limits. */
final class PipelineOptions {
  static final int MAX_FRAMES_PER_CHUNK = 100_000;
  static final int MAX_CHUNKS_PER_BATCH = 100_000;
  static final int MAX_WORKERS = 10_000;
  static final int MAX_ATTEMPTS = 100;

  @Option(names = "--pipeline", paramLabel = "independent|xc", converter = Choices.PipelineConverter.class,
      description = "independent = ExCamera[N,1], a keyframe per chunk; xc = ExCamera[N,x]. Default: xc.")
  PipelineArg pipeline;

  @Option(names = {"-N", "--frames-per-chunk"}, paramLabel = "N",
      description = "Frames per chunk (one worker each), >= 1. Default: 6 (xc), 24 (independent).")
  Integer framesPerChunk;

  @Option(names = {"-x", "--chunks-per-batch"}, paramLabel = "X",
      description = "Chunks chained by rebasing, one keyframe per batch (xc), >= 1. Default: 16 (xc), 1 (independent).")
  Integer chunksPerBatch;

  @Option(names = {"-w", "--workers"}, paramLabel = "W", description = "Concurrent workers; 0 = one per core (the default).")
  Integer workers;

  @Option(names = "--launcher", paramLabel = "thread|process", converter = Choices.LauncherConverter.class,
      description = "Where workers run: threads of the coordinator's JVM, or one JVM per worker. Default: the coordinator's.")
  LauncherArg launcher;

  @Option(names = "--kf-q-weight", paramLabel = "W",
      description = "xc: quantizer blend for the re-encoded first frame of a chunk, 0..1.")
  Double kfQWeight;

  @Option(names = "--max-attempts", paramLabel = "N", description = "Tries per chunk before the job fails, 1..100. Default: 3.")
  Integer maxAttempts;

  void validate(CommandLine cmd) {
    Validation.range(cmd, "--frames-per-chunk", framesPerChunk, 1, MAX_FRAMES_PER_CHUNK);
    Validation.range(cmd, "--chunks-per-batch", chunksPerBatch, 1, MAX_CHUNKS_PER_BATCH);
    Validation.range(cmd, "--workers", workers, 0, MAX_WORKERS);
    Validation.range(cmd, "--kf-q-weight", kfQWeight, 0.0, 1.0);
    Validation.range(cmd, "--max-attempts", maxAttempts, 1, MAX_ATTEMPTS);
    if (pipeline == PipelineArg.INDEPENDENT && chunksPerBatch != null && chunksPerBatch != 1) {
      throw new ParameterException(cmd,
          "--chunks-per-batch must be 1 with --pipeline independent (every chunk starts with a keyframe), but was "
              + chunksPerBatch);
    }
  }

  /** Copies the given flags into the spec; absent flags stay zero (= the coordinator's default). */
  void applyTo(JobSpec.Builder spec) {
    if (pipeline != null) {
      spec.setPipeline(pipeline.proto);
    }
    if (framesPerChunk != null) {
      spec.setFramesPerChunk(framesPerChunk);
    }
    if (chunksPerBatch != null) {
      spec.setChunksPerBatch(chunksPerBatch);
    }
    if (workers != null) {
      spec.setWorkers(workers);
    }
    if (launcher != null) {
      spec.setLauncher(launcher.proto);
    }
    if (maxAttempts != null) {
      spec.setMaxAttemptsPerChunk(maxAttempts);
    }
    if (kfQWeight != null) {
      spec.getSettingsBuilder().setKfQWeight(kfQWeight);
    }
  }
}
