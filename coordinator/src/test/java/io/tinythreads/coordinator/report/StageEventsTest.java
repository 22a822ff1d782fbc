package io.tinythreads.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandOk;
import io.tinythreads.proto.CommandResult;
import io.tinythreads.proto.EncodeChunk;
import io.tinythreads.proto.Failure;
import io.tinythreads.proto.Fetch;
import io.tinythreads.proto.Rebase;
import io.tinythreads.proto.Upload;
import org.junit.jupiter.api.Test;

class StageEventsTest {
  @Test
  void namesStagesByKindAndArtifact() {
    assertThat(StageEvents.stageName(Command.newBuilder().setFetch(Fetch.newBuilder()
        .setArtifact(Artifact.ARTIFACT_RAW_CHUNK)).build())).isEqualTo("fetch:raw_chunk");
    assertThat(StageEvents.stageName(Command.newBuilder().setUpload(Upload.newBuilder()
        .setArtifact(Artifact.ARTIFACT_OUTPUT_CHUNK)).build())).isEqualTo("upload:output_chunk");
    assertThat(StageEvents.stageName(Command.newBuilder().setRebase(Rebase.getDefaultInstance()).build()))
        .isEqualTo("rebase");
    Command encode = Command.newBuilder().setEncodeChunk(EncodeChunk.getDefaultInstance()).build();
    assertThat(StageEvents.stageName(encode)).isEqualTo("encode_chunk");
    assertThat(HtmlReport.colour(new StageEvent(0, 0, "w", "fetch:raw_chunk", 0, 1, true, "").kind()))
        .isEqualTo(HtmlReport.COLOURS.get("fetch"));

    StageEvent ok = StageEvents.of(3, 1, "w", encode, CommandResult.newBuilder().setOk(CommandOk.getDefaultInstance())
        .setStartedUnixMicros(1_000_000).setFinishedUnixMicros(3_500_000).build());
    assertThat(ok).isEqualTo(new StageEvent(3, 1, "w", "encode_chunk", 1_000_000, 3_500_000, true, ""));
    assertThat(ok.seconds()).isEqualTo(2.5);
    StageEvent failed = StageEvents.of(3, 1, "w", encode, CommandResult.newBuilder().setFailure(Failure.newBuilder()
        .setCode("ENCODER").setMessage("libvpx said no")).setFinishedUnixMicros(7).build());
    assertThat(failed).isEqualTo(new StageEvent(3, 1, "w", "encode_chunk", 7, 7, false, "ENCODER: libvpx said no"));
  }
}
