package io.tinythreads.worker;

import static io.tinythreads.worker.FakeCoordinator.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.proto.EncodeSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LambdaHandlerTest {
  @TempDir Path tmp;

  @Test
  void payloadMapsToConfig() {
    WorkerConfig c = LambdaHandler.toConfig(Map.of("coordinator", "coord.example:443", "job", "j1", "chunk", 7.0,
        "token", "t", "attempt", "2"), "req-1");
    assertThat(c.coordinator()).isEqualTo("coord.example:443");
    assertThat(c.jobId()).isEqualTo("j1");
    assertThat(c.chunkIndex()).isEqualTo(7);
    assertThat(c.token()).isEqualTo("t");
    assertThat(c.attempt()).isEqualTo(2);
    assertThat(c.workerId()).isEqualTo("lambda-req-1");
    assertThat(c.runtime()).isEqualTo("lambda");
    assertThat(c.scratchRoot()).isEqualTo(Path.of("/tmp"));
    assertThatThrownBy(() -> LambdaHandler.toConfig(Map.of("job", "j"), null)).hasMessageContaining("\"coordinator\"");
    assertThatThrownBy(() -> LambdaHandler.toConfig(Map.of("coordinator", "h:1", "job", "j", "chunk", 1.5, "token", "t"),
        null)).hasMessageContaining("integer");
  }

  @Test
  void invocationRunsAWorker() throws Exception {
    WorkerTest.video = io.tinythreads.media.TestChunks.info("demo:testsrc2,size=64x48,frames=1");
    try (FakeCoordinator c = new FakeCoordinator(List.of(send(WorkerTest.assign(tmp.resolve("b"),
        EncodeSettings.getDefaultInstance())), send(WorkerTest.quit())))) {
      Map<String, Object> payload = new HashMap<>(Map.of("coordinator", c.address(), "job", "jl", "chunk", 4,
          "token", "tk", "scratch", tmp.toString()));
      assertThat(new LambdaHandler().handleRequest(payload, null)).isEqualTo("exit=0");
      assertThat(c.hellos.get(0).getRuntime()).isEqualTo("lambda");
      assertThat(c.hellos.get(0).getChunkIndex()).isEqualTo(4);
      assertThat(new LambdaHandler().handleRequest(Map.of("job", "x"), null)).startsWith("exit=2 bad payload");
    }
  }
}
