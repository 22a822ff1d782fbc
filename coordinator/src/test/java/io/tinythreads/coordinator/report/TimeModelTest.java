package io.tinythreads.coordinator.report;

import static io.tinythreads.coordinator.report.SyntheticReports.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TimeModelTest {
  @Test
  void serialStepsExcludeWaitingForThePredecessor() {
    List<Double> steps = TimeModel.serialSteps(xc6x4(), 4);
    assertThat(steps).hasSize(6); // positions 1..3 of two batches
    for (double s : steps) {
      assertThat(s).isCloseTo(SERIAL, within(1e-6));
    }
  }

  @Test
  void atItsOwnSizeTheModelIsTheFormula() {
    JobReport r = xc6x4();
    TimeModel.Estimate e = TimeModel.estimate(r, new TimeModel.Target(640, 360, 48, 24, 6, 4));
    assertThat(e.chunks()).isEqualTo(8);
    assertThat(e.batches()).isEqualTo(2);
    assertThat(e.medianSeconds()).isCloseTo(expectedWallAtOwnSize(), within(1e-5));
    assertThat(e.p90Seconds()).isCloseTo(expectedWallAtOwnSize(), within(1e-5));
    assertThat(e.serialShareMedian()).isCloseTo(3 * SERIAL / expectedWallAtOwnSize(), within(1e-6));
    Map<String, TimeModel.StageFigure> f = e.stages().stream()
        .collect(Collectors.toMap(TimeModel.StageFigure::stage, x -> x));
    assertThat(f.get("encode_chunk").count()).as("the failed attempt is not counted").isEqualTo(8);
    assertThat(f.get(TimeModel.HEAD_REBASE).measuredMedian()).isCloseTo(HEAD_REBASE, within(1e-6));
    assertThat(f).doesNotContainKey("rebase");
    assertThat(e.notes()).isEmpty();
    JobReport odd = new JobReport(r.version(), r.jobId(), r.setup(), r.video(), r.output(), r.wallSeconds(),
        r.startUnixMicros(), r.summary(), r.chunks(), r.frames(), java.util.stream.Stream.concat(r.timeline().stream(),
            java.util.stream.Stream.of(new StageEvent(0, 0, "j-c0-a0", "polish", 0, 1, true, ""))).toList());
    assertThat(TimeModel.estimate(odd, new TimeModel.Target(640, 360, 48, 24, 6, 4)).notes())
        .containsExactly("stages in the timeline that the model does not know (left out): polish");
    assertThat(e.joinSeconds()).isNaN();
  }

  @Test
  void scalesEachStageWithItsWork() {
    // 4x the pixels, 2x the frames per chunk, x = 16, one minute at 24 fps.
    TimeModel.Estimate e = TimeModel.estimate(xc6x4(), new TimeModel.Target(1280, 720, 1440, 24, 12, 16));
    Map<String, Double> t = e.stages().stream()
        .collect(Collectors.toMap(TimeModel.StageFigure::stage, TimeModel.StageFigure::targetMedian));
    assertThat(t.get("launch")).isCloseTo(LAUNCH, within(1e-6));
    assertThat(t.get("encode_chunk")).isCloseTo(ENCODE * 8, within(1e-5));
    assertThat(t.get("encode_given_state")).isCloseTo(EGS * 4, within(1e-5));
    assertThat(t.get(TimeModel.SERIAL)).isCloseTo(SERIAL * 8, within(1e-5));
    double headReady = LAUNCH + ASSIGN + 8 * (FETCH_RAW + ENCODE + UPLOAD_ENCODED + DUMP) + 4 * UPLOAD_END;
    double memberReady = headReady + 4 * (FETCH_END + EGS + UPLOAD_REENCODED);
    double expected = Math.max(headReady + 4 * HEAD_REBASE, memberReady) + 15 * 8 * SERIAL + 4 * UPLOAD_FINAL
        + 8 * UPLOAD_OUTPUT;
    assertThat(e.medianSeconds()).isCloseTo(expected, within(1e-4));
    assertThat(e.chunks()).isEqualTo(120);
    assertThat(e.batches()).isEqualTo(8);
    String text = TimeModel.render(xc6x4(), new TimeModel.Target(1280, 720, 1440, 24, 12, 16), e);
    assertThat(text).contains("target:   1280x720, 1440 frames (1.0 min at 24 fps), ExCamera[12,16]: 120 chunks")
        .contains(String.format(java.util.Locale.ROOT, "estimate: %.1f s", expected)).contains("assumptions:")
        .contains("ExCamera[6,16] on Sintel 4K");
  }

  @Test
  void anIndependentJobHasNoChain() {
    JobReport r = xc6x4();
    List<StageEvent> noRebase = r.timeline().stream().filter(e -> !e.stage().equals("rebase")).toList();
    JobReport ind = new JobReport(r.version(), r.jobId(), new JobReport.Setup("independent", 6, 1, 8, "thread", "", "ivf"),
        r.video(), r.output(), r.wallSeconds(), r.startUnixMicros(), r.summary(), r.chunks(), r.frames(), noRebase);
    TimeModel.Estimate e = TimeModel.estimate(ind, TimeModel.Target.excameraSintel());
    assertThat(e.notes()).anyMatch(n -> n.startsWith("no serial step in the timeline"));
    assertThat(e.serialShareMedian()).isZero();
    assertThatThrownBy(() -> TimeModel.estimate(new JobReport(r.version(), "", r.setup(), r.video(), r.output(), 0, 0,
        r.summary(), List.of(), List.of(), List.of()), TimeModel.Target.excameraSintel()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no timeline");
  }

  @Test
  void theJoinIsExtrapolatedByBytesAndKeptOutOfTheEstimate() {
    JobReport r = xc6x4();
    List<StageEvent> tl = new java.util.ArrayList<>(r.timeline());
    tl.add(new StageEvent(-1, 0, "coordinator", "join", r.startUnixMicros(), r.startUnixMicros() + 100_000, true, ""));
    JobReport withJoin = new JobReport(r.version(), r.jobId(), r.setup(), r.video(), r.output(), r.wallSeconds(),
        r.startUnixMicros(), r.summary(), r.chunks(), r.frames(), tl);
    TimeModel.Target t = new TimeModel.Target(1280, 720, 1440, 24, 12, 16);
    TimeModel.Estimate e = TimeModel.estimate(withJoin, t);
    TimeModel.Estimate without = TimeModel.estimate(r, t);
    assertThat(e.medianSeconds()).isEqualTo(without.medianSeconds());
    // 48,500 bytes for 48 frames of 640x360 joined in 0.1 s; 4x the pixels and 30x the frames.
    assertThat(e.joinBytes()).isCloseTo(48_500.0 * 4 * 30, within(1e-3));
    assertThat(e.joinSeconds()).isCloseTo(12.0, within(1e-6));
    assertThat(TimeModel.render(withJoin, t, e)).contains("join (not in the estimate; ExCamera's figure leaves the"
        + " chunks in S3): ~12 s to concatenate ~0.01 GB");
  }

  @Test
  void smallMeasurementsAreFlagged() {
    JobReport r = xc6x4();
    JobReport small = new JobReport(r.version(), r.jobId(), r.setup(), new JobReport.Video(176, 144, 24, 1, 48, "s"),
        r.output(), r.wallSeconds(), r.startUnixMicros(), r.summary(), r.chunks(), r.frames(), r.timeline());
    assertThat(TimeModel.estimate(small, TimeModel.Target.excameraSintel()).notes())
        .anyMatch(n -> n.startsWith("measured on small chunks (176x144, N=6)"));
  }
}
