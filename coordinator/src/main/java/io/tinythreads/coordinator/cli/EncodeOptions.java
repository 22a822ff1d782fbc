package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.cli.Choices.EndUsageArg;
import io.tinythreads.coordinator.cli.Choices.TuneArg;
import io.tinythreads.proto.Deadline;
import io.tinythreads.proto.EncodeSettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Encoder settings in vpxenc's vocabulary (flag names and ranges as in vpxenc.c of libvpx 1.12),
 * so ExCamera users can paste the flags of xcenc_server.py. A flag that is not given stays null
 * and is left unset in EncodeSettings, which means "the coordinator's default" (ExCamera's vpxenc
 * settings). The fields whose 0/false is a real choice (cq_level, min_q, max_q, auto_alt_ref,
 * tune_ssim) have presence on the wire, so e.g. --cq-level 0 and --auto-alt-ref 0 mean what they say.
 */
final class EncodeOptions {
  @Option(names = "--good", description = "Good-quality deadline (vpxenc --good).")
  boolean good;

  @Option(names = "--best", description = "Best-quality deadline (vpxenc --best).")
  boolean best;

  @Option(names = "--rt", description = "Realtime deadline (vpxenc --rt).")
  boolean rt;

  @Option(names = "--cpu-used", paramLabel = "N", description = "Speed/quality trade-off, -16..16 (vpxenc --cpu-used).")
  Integer cpuUsed;

  @Option(names = "--end-usage", paramLabel = "vbr|cbr|cq|q", converter = Choices.EndUsageConverter.class,
      description = "Rate control mode (vpxenc --end-usage).")
  EndUsageArg endUsage;

  @Option(names = "--cq-level", paramLabel = "N",
      description = "Quality level 0..63 for --end-usage cq or q, between --min-q and --max-q; lower is better.")
  Integer cqLevel;

  @Option(names = "--target-bitrate", paramLabel = "KBPS", description = "Target bitrate in kilobits per second, >= 1.")
  Long targetBitrate;

  @Option(names = "--min-q", paramLabel = "N", description = "Minimum quantizer, 0..63.")
  Integer minQ;

  @Option(names = "--max-q", paramLabel = "N", description = "Maximum quantizer, 0..63, >= --min-q.")
  Integer maxQ;

  @Option(names = {"-p", "--passes"}, paramLabel = "1|2", description = "Encoder passes per chunk.")
  Integer passes;

  @Option(names = "--auto-alt-ref", paramLabel = "0|1", description = "Allow hidden alt-ref frames (they take effect with --lag-in-frames > 0).")
  Integer autoAltRef;

  @Option(names = "--lag-in-frames", paramLabel = "N", description = "Look-ahead in frames, 0..25.")
  Integer lagInFrames;

  @Option(names = "--token-parts", paramLabel = "LOG2", description = "log2 of token partitions, 0..3 (1, 2, 4 or 8).")
  Integer tokenParts;

  @Option(names = "--tune", paramLabel = "psnr|ssim", converter = Choices.TuneConverter.class,
      description = "Metric to favour.")
  TuneArg tune;

  @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Encoder threads per worker, 1..64 (default 1).")
  Integer threads;

  /** Throws a usage error naming the first flag whose value is out of range. */
  void validate(CommandLine cmd) {
    int deadlines = (good ? 1 : 0) + (best ? 1 : 0) + (rt ? 1 : 0);
    if (deadlines > 1) {
      throw new ParameterException(cmd, "--good, --best and --rt are mutually exclusive");
    }
    Validation.range(cmd, "--cpu-used", cpuUsed, -16, 16);
    Validation.range(cmd, "--cq-level", cqLevel, 0, 63);
    Validation.range(cmd, "--target-bitrate", targetBitrate, 1, 1_000_000_000L);
    Validation.range(cmd, "--min-q", minQ, 0, 63);
    Validation.range(cmd, "--max-q", maxQ, 0, 63);
    if (minQ != null && maxQ != null && minQ > maxQ) {
      throw new ParameterException(cmd, "--min-q (" + minQ + ") must not exceed --max-q (" + maxQ + ")");
    }
    Validation.range(cmd, "--passes", passes, 1, 2);
    Validation.range(cmd, "--auto-alt-ref", autoAltRef, 0, 1);
    Validation.range(cmd, "--lag-in-frames", lagInFrames, 0, 25);
    Validation.range(cmd, "--token-parts", tokenParts, 0, 3);
    Validation.range(cmd, "--threads", threads, 1, 64);
    int effectiveMinQ = minQ != null ? minQ : 0;
    int effectiveMaxQ = maxQ != null ? maxQ : 63;
    if (cqLevel != null && (endUsage == null || endUsage == EndUsageArg.CQ)
        && (cqLevel < effectiveMinQ || cqLevel > effectiveMaxQ)) {
      throw new ParameterException(cmd, "--cq-level " + cqLevel + " must lie between --min-q " + effectiveMinQ
          + " and --max-q " + effectiveMaxQ);
    }
  }

  Deadline deadline() {
    if (good) {
      return Deadline.DEADLINE_GOOD;
    }
    if (best) {
      return Deadline.DEADLINE_BEST;
    }
    if (rt) {
      return Deadline.DEADLINE_REALTIME;
    }
    return Deadline.DEADLINE_UNSPECIFIED;
  }

  /** The settings as sent to the coordinator; kfQWeight is ExCamera's, from PipelineOptions. */
  EncodeSettings.Builder toProto() {
    EncodeSettings.Builder b = EncodeSettings.newBuilder().setDeadline(deadline());
    if (cpuUsed != null) {
      b.setCpuUsed(cpuUsed);
    }
    if (endUsage != null) {
      b.setEndUsage(endUsage.proto);
    }
    if (cqLevel != null) {
      b.setCqLevel(cqLevel);
    }
    if (targetBitrate != null) {
      b.setTargetBitrateKbps(targetBitrate);
    }
    if (minQ != null) {
      b.setMinQ(minQ);
    }
    if (maxQ != null) {
      b.setMaxQ(maxQ);
    }
    if (passes != null) {
      b.setPasses(passes);
    }
    if (autoAltRef != null) {
      b.setAutoAltRef(autoAltRef == 1);
    }
    if (lagInFrames != null) {
      b.setLagInFrames(lagInFrames);
    }
    if (tokenParts != null) {
      b.setTokenPartsLog2(tokenParts);
    }
    if (tune != null) {
      b.setTuneSsim(tune == TuneArg.SSIM);
    }
    if (threads != null) {
      b.setThreads(threads);
    }
    return b;
  }

  /**
   * The flags that were given, in the order of {@code --help}, spelled {@code --flag=value} as
   * both vpxenc and this CLI accept them; bench passes them on to its child {@code submit} runs.
   * Threads are left out: bench sets them per run.
   */
  List<String> flags() {
    List<String> f = new ArrayList<>();
    if (good) {
      f.add("--good");
    }
    if (best) {
      f.add("--best");
    }
    if (rt) {
      f.add("--rt");
    }
    add(f, "--cpu-used", cpuUsed);
    add(f, "--end-usage", endUsage);
    add(f, "--cq-level", cqLevel);
    add(f, "--target-bitrate", targetBitrate);
    add(f, "--min-q", minQ);
    add(f, "--max-q", maxQ);
    add(f, "--passes", passes);
    add(f, "--auto-alt-ref", autoAltRef);
    add(f, "--lag-in-frames", lagInFrames);
    add(f, "--token-parts", tokenParts);
    add(f, "--tune", tune);
    return f;
  }

  private static void add(List<String> flags, String name, Object value) {
    if (value != null) {
      // "--flag=value": the spelling both vpxenc and picocli accept.
      flags.add(name + "=" + value);
    }
  }
}
