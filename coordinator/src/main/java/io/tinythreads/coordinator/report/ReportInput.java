package io.tinythreads.coordinator.report;

import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.VideoInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the coordinator knows about a finished job, for {@link Reports#build}.
 *
 * @param jobId the job's id
 * @param spec the job spec as resolved (frames per chunk, chunks per batch and workers filled in)
 * @param video the input as ingested (frame_count set)
 * @param output the joined output file
 * @param startUnixMicros the timeline's origin (microseconds since the Unix epoch)
 * @param wallSeconds the job's wall-clock time
 * @param chunks the chunks in order (may be empty when unknown: the report then has no per-chunk rows)
 * @param timeline the workers' stages, in any order (may be empty)
 */
public record ReportInput(String jobId, JobSpec spec, VideoInfo video, Path output, long startUnixMicros,
    double wallSeconds, List<ChunkOutput> chunks, List<StageEvent> timeline) {
  public ReportInput {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(video, "video");
    Objects.requireNonNull(output, "output");
    chunks = List.copyOf(chunks);
    timeline = List.copyOf(timeline);
    for (int i = 0; i < chunks.size(); i++) {
      if (chunks.get(i).index() != i) {
        throw new IllegalArgumentException("chunks must be in order: position " + i + " holds chunk "
            + chunks.get(i).index());
      }
    }
  }

  /**
   * A report input for an output file alone (no job: no chunks, no timeline), e.g. to measure any
   * VP8 file or a vpxenc encode against its source.
   */
  public static ReportInput standalone(Path output, VideoInfo video) {
    return new ReportInput("", JobSpec.getDefaultInstance(), video, output, 0, 0, List.of(), List.of());
  }
}
