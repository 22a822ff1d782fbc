package io.tinythreads.coordinator.job;

import io.tinythreads.fsm.Pipelines;
import io.tinythreads.proto.Deadline;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.Pipeline;

/**
 * Checks a {@link JobSpec} and fills its defaults, so that what a job shows (GetJob, WatchJob) is
 * what it runs. Every error names the field as it appears in jobs.proto.
 */
final class Specs {
  /** Chunks retried at most this often unless the spec says otherwise. */
  static final int DEFAULT_MAX_ATTEMPTS = 3;
  static final int MAX_ATTEMPTS_LIMIT = 100;
  /** ExCamera's cq-level for its quality-matched runs sits at 30–32 for [N,1] (excamera-notes 1.4). */
  static final int DEFAULT_CQ_LEVEL = 32;

  private Specs() {}

  /**
   * Returns {@code spec} with defaults filled in. Does not look at files (see {@link OutputTarget}
   * and the input check in {@link JobManager}).
   *
   * @throws InvalidSpecException for a value out of range
   * @throws UnsupportedOperationException for a launcher this build cannot use
   */
  static JobSpec normalize(JobSpec spec, LauncherKind defaultLauncher, int defaultWorkers) {
    JobSpec.Builder b = spec.toBuilder();
    if (spec.getInputUri().isBlank()) {
      throw new InvalidSpecException("spec.input_uri is required");
    }
    Pipeline pipeline = switch (spec.getPipeline()) {
      case PIPELINE_UNSPECIFIED -> Pipelines.DEFAULT;
      case PIPELINE_XC, PIPELINE_INDEPENDENT -> spec.getPipeline();
      case UNRECOGNIZED -> throw new InvalidSpecException("spec.pipeline: unknown value " + spec.getPipelineValue());
    };
    b.setPipeline(pipeline);
    int n = spec.getFramesPerChunk();
    if (n < 0) {
      throw new InvalidSpecException("spec.frames_per_chunk must be >= 1, got " + n);
    }
    b.setFramesPerChunk(n == 0 ? Pipelines.defaultFramesPerChunk(pipeline) : n);
    int x = spec.getChunksPerBatch();
    if (x < 0) {
      throw new InvalidSpecException("spec.chunks_per_batch must be >= 1, got " + x);
    }
    if (pipeline == Pipeline.PIPELINE_INDEPENDENT && x > 1) {
      throw new InvalidSpecException("spec.chunks_per_batch is " + x
          + " but the independent pipeline has one chunk per batch (ExCamera[N,1]); use the xc pipeline for batches");
    }
    b.setChunksPerBatch(x == 0 ? Pipelines.defaultChunksPerBatch(pipeline) : x);
    if (spec.getWorkers() < 0) {
      throw new InvalidSpecException("spec.workers must be >= 0 (0 = one per core), got " + spec.getWorkers());
    }
    int workers = spec.getWorkers() > 0 ? spec.getWorkers()
        : defaultWorkers > 0 ? defaultWorkers : Runtime.getRuntime().availableProcessors();
    b.setWorkers(workers);
    LauncherKind launcher = switch (spec.getLauncher()) {
      case LAUNCHER_UNSPECIFIED -> defaultLauncher == LauncherKind.LAUNCHER_UNSPECIFIED ? LauncherKind.LAUNCHER_THREAD
          : defaultLauncher;
      case LAUNCHER_THREAD, LAUNCHER_PROCESS, LAUNCHER_KUBERNETES, LAUNCHER_LAMBDA -> spec.getLauncher();
      case UNRECOGNIZED -> throw new InvalidSpecException("spec.launcher: unknown value " + spec.getLauncherValue());
    };
    b.setLauncher(launcher);
    int attempts = spec.getMaxAttemptsPerChunk();
    if (attempts < 0 || attempts > MAX_ATTEMPTS_LIMIT) {
      throw new InvalidSpecException("spec.max_attempts_per_chunk must be 0.." + MAX_ATTEMPTS_LIMIT + ", got " + attempts);
    }
    b.setMaxAttemptsPerChunk(attempts == 0 ? DEFAULT_MAX_ATTEMPTS : attempts);
    if (spec.getStageDeadlineMillis() < 0) {
      throw new InvalidSpecException("spec.stage_deadline_millis must be >= 0, got " + spec.getStageDeadlineMillis());
    }
    b.setSettings(settings(spec.getSettings(), pipeline));
    return b.build();
  }

  /**
   * Validates the encoder settings (vpxenc's ranges) and fills what is unset with ExCamera's
   * vpxenc settings (excamera-notes 2.6: --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63
   * --passes=2 --auto-alt-ref=1 --threads=1 --token-parts=0 --tune=ssim) and cq-level 32, the same
   * defaults the worker's LibvpxSettings applies, so a job shows the settings it runs with.
   */
  static EncodeSettings settings(EncodeSettings s, Pipeline pipeline) {
    range("cq_level", s.getCqLevel(), 0, 63);
    range("min_q", s.getMinQ(), 0, 63);
    range("max_q", s.getMaxQ(), 0, 63);
    range("passes", s.getPasses(), 0, 2);
    range("cpu_used", s.getCpuUsed(), -16, 16);
    range("lag_in_frames", s.getLagInFrames(), 0, 25);
    range("token_parts_log2", s.getTokenPartsLog2(), 0, 3);
    range("threads", s.getThreads(), 0, 64);
    if (s.getTargetBitrateKbps() < 0 || s.getTargetBitrateKbps() > 4294967295L) {
      throw new InvalidSpecException("spec.settings.target_bitrate_kbps must be 0..4294967295, got " + s.getTargetBitrateKbps());
    }
    if (!(s.getKfQWeight() >= 0 && s.getKfQWeight() <= 1)) {
      throw new InvalidSpecException("spec.settings.kf_q_weight must be 0..1, got " + s.getKfQWeight());
    }
    if (s.getEndUsage() == EndUsage.UNRECOGNIZED || s.getDeadline() == Deadline.UNRECOGNIZED) {
      throw new InvalidSpecException("spec.settings: unknown end_usage or deadline value");
    }
    EncodeSettings.Builder b = s.toBuilder();
    if (s.getEndUsage() == EndUsage.END_USAGE_UNSPECIFIED) {
      b.setEndUsage(EndUsage.END_USAGE_CQ);
    }
    if (!s.hasCqLevel()) {
      b.setCqLevel(DEFAULT_CQ_LEVEL);
    }
    if (!s.hasMinQ()) {
      b.setMinQ(0);
    }
    if (!s.hasMaxQ()) {
      b.setMaxQ(63);
    }
    if (b.getMinQ() > b.getMaxQ()) {
      throw new InvalidSpecException("spec.settings.min_q (" + b.getMinQ() + ") is above spec.settings.max_q ("
          + b.getMaxQ() + ")");
    }
    if (b.getEndUsage() == EndUsage.END_USAGE_CQ && (b.getCqLevel() < b.getMinQ() || b.getCqLevel() > b.getMaxQ())) {
      throw new InvalidSpecException("spec.settings.cq_level " + b.getCqLevel() + " must lie between min_q " + b.getMinQ()
          + " and max_q " + b.getMaxQ());
    }
    if (s.getPasses() == 0) {
      b.setPasses(2);
    }
    if (s.getDeadline() == Deadline.DEADLINE_UNSPECIFIED) {
      b.setDeadline(Deadline.DEADLINE_GOOD);
    }
    if (s.getThreads() == 0) {
      b.setThreads(1);
    }
    if (!s.hasAutoAltRef()) {
      b.setAutoAltRef(true);
    }
    if (!s.hasTuneSsim()) {
      b.setTuneSsim(true);
    }
    if (pipeline == Pipeline.PIPELINE_XC && !s.hasKfQWeight()) {
      b.setKfQWeight(0.75); // xc-enc -w 0.75 (excamera-notes 2.6)
    }
    return b.build();
  }

  private static void range(String field, int v, int lo, int hi) {
    if (v < lo || v > hi) {
      throw new InvalidSpecException("spec.settings." + field + " must be " + lo + ".." + hi + ", got " + v);
    }
  }
}
