package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.proto.JobProgress;
import org.junit.jupiter.api.Test;

class ProgressFormatTest {
  private static final JobProgress MID = JobProgress.newBuilder().setStage("encode").setChunksTotal(10).setChunksDone(3)
      .setFramesTotal(80).setFramesDone(36).setFramesPerSecond(35.24).setEtaSeconds(1.56).build();

  @Test
  void keyValueBlockIsFfmpegStyle() {
    assertThat(ProgressFormat.keyValueBlock(MID, false)).isEqualTo("""
        stage=encode
        chunks_done=3
        chunks_total=10
        frames_done=36
        frames_total=80
        fps=35.24
        eta_s=1.6
        progress=continue
        """);
  }

  @Test
  void keyValueEndBlockAndUnknowns() {
    JobProgress early = JobProgress.newBuilder().setEtaSeconds(-1).build();
    assertThat(ProgressFormat.keyValueBlock(early, true)).isEqualTo("""
        stage=queued
        chunks_done=0
        chunks_total=-1
        frames_done=0
        frames_total=-1
        fps=0.00
        eta_s=-1
        progress=end
        """);
  }

  @Test
  void barLineShowsCountsRateAndEta() {
    String line = ProgressFormat.barLine(MID, 100);
    // 36/80 = 45 %: the bar is 45 % '=' then '>'.
    assertThat(line).startsWith("encode [").contains("]  45%  chunks 3/10  frames 36/80  35.2 fps  ETA 0:02");
    String bar = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
    // At 100 columns the bar is 19 wide: 99 - "encode " (7) - "[" "] " (3) - " 45%" (4) - the
    // widest tail "  chunks 10/10  frames 80/80  9999.9 fps  ETA 00:00:00  retries 99" (66).
    assertThat(bar).hasSize(19);
    assertThat(bar).isEqualTo("=".repeat(8) + ">" + " ".repeat(10));
    assertThat(line.length()).isLessThan(100);
  }

  @Test
  void barWidthDoesNotJitterWithCountsAndRates() {
    JobProgress start = MID.toBuilder().setChunksDone(0).setFramesDone(0).setFramesPerSecond(0).setEtaSeconds(-1).build();
    JobProgress end = MID.toBuilder().setChunksDone(10).setFramesDone(80).setFramesPerSecond(1234.5).setEtaSeconds(0)
        .build();
    for (int columns : new int[] {60, 80, 120}) {
      assertThat(barWidth(ProgressFormat.barLine(start, columns))).isEqualTo(barWidth(ProgressFormat.barLine(end, columns)))
          .isBetween(10, 30);
    }
  }

  private static int barWidth(String line) {
    return line.indexOf(']') - line.indexOf('[') - 1;
  }

  @Test
  void barLineFitsNarrowTerminalsAndShowsRetries() {
    JobProgress p = MID.toBuilder().setWorkerRetries(2).setEtaSeconds(3725).build();
    assertThat(ProgressFormat.barLine(p, 120)).contains("ETA 1:02:05").contains("retries 2");
    assertThat(ProgressFormat.barLine(p, 40)).hasSize(39);
  }

  @Test
  void barFractionAndEdges() {
    assertThat(ProgressFormat.bar(0, 10)).isEqualTo(" ".repeat(10));
    assertThat(ProgressFormat.bar(1, 10)).isEqualTo("=".repeat(10));
    assertThat(ProgressFormat.bar(0.5, 10)).isEqualTo("=====>    ");
    // Without a frame total, chunks give the fraction.
    JobProgress chunksOnly = JobProgress.newBuilder().setChunksTotal(4).setChunksDone(1).build();
    assertThat(ProgressFormat.fraction(chunksOnly)).isEqualTo(0.25);
    assertThat(ProgressFormat.barLine(chunksOnly, 100)).contains(" 25%").contains("frames 0/?").contains("ETA 0:00");
    assertThat(ProgressFormat.clock(-1)).isEqualTo("--:--");
    assertThat(ProgressFormat.clock(59.6)).isEqualTo("1:00");
  }
}
