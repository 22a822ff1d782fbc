package io.tinythreads.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.EndUsage;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.OutputContainer;
import io.tinythreads.proto.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecsTest {
  static final JobSpec BASE = JobSpec.newBuilder().setInputUri("demo:testsrc2").setOutputUri("/tmp/x.ivf").build();

  @Test
  void fillsDefaults() {
    // The default pipeline is ExCamera[6,16].
    JobSpec s = Specs.normalize(BASE, LauncherKind.LAUNCHER_UNSPECIFIED, 3);
    assertThat(s.getPipeline()).isEqualTo(Pipeline.PIPELINE_XC);
    assertThat(s.getFramesPerChunk()).isEqualTo(6);
    assertThat(s.getChunksPerBatch()).isEqualTo(16);
    assertThat(s.getWorkers()).isEqualTo(3);
    assertThat(s.getLauncher()).isEqualTo(LauncherKind.LAUNCHER_THREAD);
    assertThat(s.getMaxAttemptsPerChunk()).isEqualTo(3);
    EncodeSettings e = s.getSettings();
    assertThat(e.getEndUsage()).isEqualTo(EndUsage.END_USAGE_CQ);
    assertThat(e.getCqLevel()).isEqualTo(32);
    assertThat(e.getMaxQ()).isEqualTo(63);
    assertThat(e.getPasses()).isEqualTo(2);
    assertThat(e.getThreads()).isEqualTo(1);
    assertThat(e.getKfQWeight()).isEqualTo(0.75);
    assertThat(e.getMinQ()).isZero();
    assertThat(e.getAutoAltRef()).isTrue();
    assertThat(e.getTuneSsim()).isTrue();

    JobSpec ind = Specs.normalize(BASE.toBuilder().setPipeline(Pipeline.PIPELINE_INDEPENDENT).build(),
        LauncherKind.LAUNCHER_PROCESS, 0);
    assertThat(ind.getFramesPerChunk()).isEqualTo(24);
    assertThat(ind.getChunksPerBatch()).isEqualTo(1);
    assertThat(ind.getLauncher()).isEqualTo(LauncherKind.LAUNCHER_PROCESS);
    assertThat(ind.getWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(ind.getSettings().hasKfQWeight()).as("only xc re-encodes").isFalse();
  }

  @Test
  void keepsWhatTheUserSet() {
    JobSpec in = BASE.toBuilder().setFramesPerChunk(7).setWorkers(5).setMaxAttemptsPerChunk(9)
        .setSettings(EncodeSettings.newBuilder().setCqLevel(10).setPasses(1).setCpuUsed(-4)).build();
    JobSpec s = Specs.normalize(in, LauncherKind.LAUNCHER_THREAD, 0);
    assertThat(s.getFramesPerChunk()).isEqualTo(7);
    assertThat(s.getWorkers()).isEqualTo(5);
    assertThat(s.getMaxAttemptsPerChunk()).isEqualTo(9);
    assertThat(s.getSettings().getCqLevel()).isEqualTo(10);
    assertThat(s.getSettings().getPasses()).isEqualTo(1);
    assertThat(s.getSettings().getCpuUsed()).isEqualTo(-4);
    // 0 and false are real choices for the optional fields.
    JobSpec zeros = BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setCqLevel(0).setMaxQ(0)
        .setAutoAltRef(false).setTuneSsim(false)).build();
    EncodeSettings z = Specs.normalize(zeros, LauncherKind.LAUNCHER_THREAD, 0).getSettings();
    assertThat(z.getCqLevel()).isZero();
    assertThat(z.getMaxQ()).isZero();
    assertThat(z.getAutoAltRef()).isFalse();
    assertThat(z.getTuneSsim()).isFalse();
  }

  @Test
  void rejectsOutOfRangeValuesNamingTheField() {
    record Case(JobSpec spec, String message) {}
    var cases = java.util.List.of(
        new Case(BASE.toBuilder().setInputUri("").build(), "spec.input_uri is required"),
        new Case(BASE.toBuilder().setFramesPerChunk(-1).build(), "spec.frames_per_chunk"),
        new Case(BASE.toBuilder().setPipeline(Pipeline.PIPELINE_INDEPENDENT).setChunksPerBatch(4).build(),
            "spec.chunks_per_batch is 4"),
        new Case(BASE.toBuilder().setMaxAttemptsPerChunk(101).build(), "spec.max_attempts_per_chunk"),
        new Case(BASE.toBuilder().setStageDeadlineMillis(-5).build(), "spec.stage_deadline_millis"),
        new Case(BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setMinQ(64)).build(), "spec.settings.min_q"),
        new Case(BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setMinQ(40).setMaxQ(30)).build(),
            "spec.settings.min_q (40) is above spec.settings.max_q (30)"),
        new Case(BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setCqLevel(10).setMinQ(20)).build(),
            "spec.settings.cq_level 10 must lie between"),
        new Case(BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setTokenPartsLog2(4)).build(),
            "spec.settings.token_parts_log2"),
        new Case(BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setKfQWeight(1.5)).build(),
            "spec.settings.kf_q_weight"),
        new Case(BASE.toBuilder().setSettings(EncodeSettings.newBuilder().setLagInFrames(26)).build(),
            "spec.settings.lag_in_frames"));
    for (Case c : cases) {
      assertThatThrownBy(() -> Specs.normalize(c.spec(), LauncherKind.LAUNCHER_THREAD, 0))
          .isInstanceOf(InvalidSpecException.class).hasMessageContaining(c.message());
    }
  }

  @Test
  void outputTargets(@TempDir Path dir) throws Exception {
    OutputTarget ivf = OutputTarget.resolve(dir.resolve("a.IVF").toString(), OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED);
    assertThat(ivf.container()).isEqualTo(OutputContainer.OUTPUT_CONTAINER_IVF);
    OutputTarget webm = OutputTarget.resolve(dir.resolve("b.webm").toUri().toString(),
        OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED);
    assertThat(webm.container()).isEqualTo(OutputContainer.OUTPUT_CONTAINER_WEBM);
    assertThat(webm.path()).isEqualTo(dir.resolve("b.webm"));
    assertThat(webm.tempFor("j1")).isEqualTo(dir.resolve(".b.tmp-j1.webm"));
    OutputTarget forced = OutputTarget.resolve(dir.resolve("c.vp8").toString(), OutputContainer.OUTPUT_CONTAINER_IVF);
    assertThat(forced.container()).isEqualTo(OutputContainer.OUTPUT_CONTAINER_IVF);
    assertThatThrownBy(() -> OutputTarget.resolve(dir.resolve("c.mp4").toString(), OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("use .ivf or .webm");
    assertThatThrownBy(() -> OutputTarget.resolve("s3://bucket/x.webm", OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("only local paths");
    Path sub = Files.createDirectory(dir.resolve("sub.webm"));
    assertThatThrownBy(() -> OutputTarget.resolve(sub.toString(), OutputContainer.OUTPUT_CONTAINER_UNSPECIFIED))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("is a directory");
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("probe files are removed").containsExactly("sub.webm");
    }
  }
}
