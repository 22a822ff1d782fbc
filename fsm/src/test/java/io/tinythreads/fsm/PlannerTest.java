package io.tinythreads.fsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {
  static final List<Artifact> ARTIFACTS = List.of(
      Artifact.ARTIFACT_RAW_CHUNK, Artifact.ARTIFACT_ENCODED_CHUNK, Artifact.ARTIFACT_END_STATE,
      Artifact.ARTIFACT_REENCODED_CHUNK, Artifact.ARTIFACT_FINAL_STATE, Artifact.ARTIFACT_OUTPUT_CHUNK);

  /**
   * For every pipeline, batch position and subset of stored artifacts: the plan is consistent
   * (every local a stage needs is produced or fetched earlier), stores everything that is missing,
   * uploads nothing that is stored, and never recomputes what it can fetch.
   */
  @Test
  void everyPlanIsConsistentAndUploadsExactlyWhatIsMissing() {
    for (PipelineDef p : Pipelines.all()) {
      for (ChunkContext ctx : List.of(Fixtures.ctx(p, 0, 4, 8), Fixtures.ctx(p, 1, 4, 8), Fixtures.ctx(p, 3, 4, 8))) {
        ChunkSpec chunk = ctx.chunk();
        for (int mask = 0; mask < 1 << ARTIFACTS.size(); mask++) {
          // Ingest stores the raw chunk before any worker starts.
          Set<Artifact> stored = EnumSet.of(Artifact.ARTIFACT_RAW_CHUNK);
          for (int i = 0; i < ARTIFACTS.size(); i++) {
            if ((mask & 1 << i) != 0) {
              stored.add(ARTIFACTS.get(i));
            }
          }
          List<StageDef> plan = Planner.plan(p, chunk, stored);
          String where = p.name() + " position " + chunk.getPositionInBatch() + " stored " + stored + ": " + plan;
          Set<Artifact> have = new HashSet<>();
          List<Artifact> uploaded = new ArrayList<>();
          for (StageDef s : plan) {
            assertThat(have).as(where + " / " + s).containsAll(s.needs());
            have.addAll(s.produces());
            uploaded.addAll(s.stores());
            if (s.kind() == StageKind.FETCH) {
              assertThat(stored).as(where).contains(s.artifact());
            }
          }
          Set<Artifact> missing = p.uploads(chunk);
          missing.removeAll(stored);
          assertThat(uploaded).as(where).containsAll(missing).doesNotHaveDuplicates();
          // Nothing stored is uploaded again; a re-run REBASE (needed for its output) may write its
          // final state through once more (same bytes: it is deterministic).
          for (StageDef s : plan) {
            if (s.kind() == StageKind.UPLOAD) {
              assertThat(stored).as(where).doesNotContain(s.artifact());
            }
          }
          assertThat(plan.getFirst().kind()).isEqualTo(StageKind.ASSIGN);
          assertThat(plan.getLast().kind()).isEqualTo(StageKind.QUIT);
        }
      }
    }
  }

  @Test
  void xcHeadDoesNotReencodeAndOthersDo() {
    ChunkSpec head = Fixtures.xcHead().chunk();
    ChunkSpec middle = Fixtures.xcMiddle().chunk();
    assertThat(Planner.plan(Pipelines.XC, head, Fixtures.RAW)).extracting(StageDef::kind)
        .doesNotContain(StageKind.ENCODE_GIVEN_STATE);
    assertThat(Planner.plan(Pipelines.XC, middle, Fixtures.RAW)).extracting(StageDef::kind)
        .contains(StageKind.ENCODE_GIVEN_STATE);
  }

  @Test
  void xcStoresEveryIntermediateBeforeAnythingDerivedFromIt() {
    List<StageDef> plan = Planner.plan(Pipelines.XC, Fixtures.xcMiddle().chunk(), Fixtures.RAW);
    assertThat(plan).map(StageDef::toString).containsExactly(
        "assign", "fetch raw chunk", "encode-chunk", "upload encoded chunk", "dump-state", "upload end state",
        "encode-given-state", "upload re-encoded chunk", "rebase", "upload output chunk", "quit");
    // Parallel stages first, the serial one last (excamera-notes 3.4); only REBASE may stream.
    assertThat(plan.get(6).peer()).hasValue(new PeerNeed(Artifact.ARTIFACT_END_STATE, false));
    assertThat(plan.get(8).peer()).hasValue(new PeerNeed(Artifact.ARTIFACT_FINAL_STATE, true));
    assertThat(plan.get(8).stores()).containsExactly(Artifact.ARTIFACT_FINAL_STATE);
  }

  @Test
  void aReplacementOfAChunkThatDiedMidRebaseOnlyRebases() {
    Set<Artifact> stored = EnumSet.of(Artifact.ARTIFACT_RAW_CHUNK, Artifact.ARTIFACT_ENCODED_CHUNK,
        Artifact.ARTIFACT_END_STATE, Artifact.ARTIFACT_REENCODED_CHUNK);
    assertThat(Planner.plan(Pipelines.XC, Fixtures.xcMiddle().chunk(), stored)).map(StageDef::toString)
        .containsExactly("assign", "fetch raw chunk", "fetch re-encoded chunk", "rebase", "upload output chunk", "quit");
    assertThat(Planner.plan(Pipelines.XC, Fixtures.xcHead().chunk(), EnumSet.of(Artifact.ARTIFACT_RAW_CHUNK,
        Artifact.ARTIFACT_ENCODED_CHUNK, Artifact.ARTIFACT_END_STATE))).map(StageDef::toString)
        .containsExactly("assign", "fetch encoded chunk", "fetch end state", "rebase", "upload output chunk", "quit");
    // Final state written through but no output: the (deterministic) rebase runs again.
    stored.add(Artifact.ARTIFACT_FINAL_STATE);
    assertThat(Planner.plan(Pipelines.XC, Fixtures.xcMiddle().chunk(), stored)).map(StageDef::toString)
        .contains("rebase");
    stored.add(Artifact.ARTIFACT_OUTPUT_CHUNK);
    assertThat(Planner.plan(Pipelines.XC, Fixtures.xcMiddle().chunk(), stored)).map(StageDef::toString)
        .containsExactly("assign", "quit");
  }

  @Test
  void pipelineDefinitionsAreValidated() {
    assertThatThrownBy(() -> new PipelineDef("bad", io.tinythreads.proto.Pipeline.PIPELINE_XC, false,
        List.of(StageDef.quit(), StageDef.assign())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("starts with ASSIGN");
    assertThatThrownBy(() -> StageDef.upload(Artifact.ARTIFACT_UNSPECIFIED, When.ALWAYS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsFollowThePipeline() {
    assertThat(Pipelines.of(io.tinythreads.proto.Pipeline.PIPELINE_UNSPECIFIED)).isEqualTo(Pipelines.XC);
    assertThat(Pipelines.defaultFramesPerChunk(io.tinythreads.proto.Pipeline.PIPELINE_XC)).isEqualTo(6);
    assertThat(Pipelines.defaultFramesPerChunk(io.tinythreads.proto.Pipeline.PIPELINE_INDEPENDENT)).isEqualTo(24);
    assertThat(Pipelines.defaultChunksPerBatch(io.tinythreads.proto.Pipeline.PIPELINE_XC)).isEqualTo(16);
    assertThat(BlobKeys.key("j-1", 12, Artifact.ARTIFACT_RAW_CHUNK)).isEqualTo("jobs/j-1/chunks/000012/raw.y4m");
    assertThatThrownBy(() -> BlobKeys.jobPrefix("../x")).isInstanceOf(IllegalArgumentException.class);
  }
}
