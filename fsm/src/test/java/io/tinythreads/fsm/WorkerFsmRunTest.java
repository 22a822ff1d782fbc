package io.tinythreads.fsm;

import static io.tinythreads.proto.Artifact.ARTIFACT_END_STATE;
import static io.tinythreads.proto.Artifact.ARTIFACT_FINAL_STATE;
import static io.tinythreads.proto.Artifact.ARTIFACT_OUTPUT_CHUNK;
import static io.tinythreads.proto.Artifact.ARTIFACT_RAW_CHUNK;
import static io.tinythreads.proto.Artifact.ARTIFACT_REENCODED_CHUNK;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.fsm.WorkerEvent.Heartbeat;
import io.tinythreads.fsm.WorkerEvent.Hello;
import io.tinythreads.fsm.WorkerEvent.Ok;
import io.tinythreads.fsm.WorkerEvent.PeerStored;
import io.tinythreads.fsm.WorkerEvent.Result;
import io.tinythreads.fsm.WorkerEvent.Tick;
import io.tinythreads.fsm.WorkerState.Blocked;
import io.tinythreads.fsm.WorkerState.Failed;
import io.tinythreads.fsm.WorkerState.Running;
import io.tinythreads.fsm.WorkerState.Succeeded;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.WorkerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whole worker runs driven through the FSM: the exact command sequences, deadlines, resumption. */
class WorkerFsmRunTest {
  final WorkerFsm fsm = new WorkerFsm(FsmConfig.defaults().withAllStageDeadlines(10_000).withHeartbeatTimeout(3_000));

  /** Drives a worker that answers every command with OK; returns the commands it received. */
  List<Command> runToEnd(WorkerState s, long[] clock) {
    List<Command> sent = new ArrayList<>();
    Step st = fsm.step(s, new Hello("w", clock[0]));
    while (true) {
      Command last = null;
      for (Cmd c : st.cmds()) {
        if (c instanceof Cmd.Send send) {
          sent.add(send.command());
          last = send.command();
        }
      }
      if (st.next().terminal()) {
        assertThat(st.next()).isInstanceOf(Succeeded.class);
        return sent;
      }
      assertThat(last).as("a running worker always has a command outstanding").isNotNull();
      clock[0] += 100;
      st = fsm.step(st.next(), new Result(last.getCommandId(), new Ok(10, 6, 99, ""), clock[0]));
    }
  }

  static List<String> describe(List<Command> cmds) {
    return cmds.stream().map(c -> switch (c.getKindCase()) {
      case FETCH -> "fetch " + c.getFetch().getKey();
      case UPLOAD -> "upload " + c.getUpload().getKey();
      default -> c.getKindCase().name().toLowerCase();
    }).toList();
  }

  @Test
  void independentWorkerRunsFetchEncodeUploadQuit() {
    ChunkContext ctx = Fixtures.independent(3);
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, Fixtures.RAW, Set.of(), 0), new long[] {0});
    assertThat(describe(cmds)).containsExactly(
        "assign",
        "fetch jobs/job1/chunks/000003/raw.y4m",
        "encode_chunk",
        "upload jobs/job1/chunks/000003/output.ivf",
        "quit");
    assertThat(cmds.getFirst().getAssign().getChunk()).isEqualTo(ctx.chunk());
    assertThat(cmds.getFirst().getAssign().getRendezvousAddress()).as("independent needs no relay").isEmpty();
    assertThat(cmds.stream().map(Command::getCommandId).toList()).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(cmds.get(2).getDeadlineMillis()).isEqualTo(10_000);
  }

  @Test
  void xcBatchHeadKeepsItsKeyframeAndPassesItsStateOn() {
    ChunkContext ctx = Fixtures.xcHead();
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, Fixtures.RAW, Set.of(), 0), new long[] {0});
    assertThat(describe(cmds)).containsExactly(
        "assign",
        "fetch jobs/job1/chunks/000004/raw.y4m",
        "encode_chunk",
        "dump_state",
        "upload jobs/job1/chunks/000004/end.state",
        "rebase",
        "upload jobs/job1/chunks/000004/final.state",
        "upload jobs/job1/chunks/000004/output.ivf",
        "quit");
    assertThat(cmds.getFirst().getAssign().getRendezvousAddress()).isEqualTo("127.0.0.1:7000");
    var rebase = cmds.get(5).getRebase();
    assertThat(rebase.getReceiveFromRendezvous()).isFalse();
    assertThat(rebase.getSendToSuccessor()).isTrue();
    assertThat(rebase.getPredecessorFinalStateKey()).isEmpty();
    assertThat(rebase.getFinalStateKey()).isEqualTo("jobs/job1/chunks/000004/final.state");
  }

  @Test
  void xcMiddleChunkWaitsForItsPredecessorsEndStateThenReencodesAndRebases() {
    ChunkContext ctx = Fixtures.xcMiddle();
    long[] clock = {0};
    Step st = fsm.step(WorkerFsm.initial(ctx, Fixtures.RAW, Set.of(), 0), new Hello("w", 0));
    List<Command> sent = new ArrayList<>();
    // Answer until the worker blocks on the predecessor's end state.
    while (st.next() instanceof Running r) {
      sent.add(((Cmd.Send) st.cmds().getLast()).command());
      clock[0] += 100;
      st = fsm.step(r, new Result(r.commandId(), Ok.empty(), clock[0]));
    }
    assertThat(st.next()).isInstanceOf(Blocked.class);
    assertThat(describe(sent)).containsExactly(
        "assign", "fetch jobs/job1/chunks/000005/raw.y4m", "encode_chunk", "dump_state",
        "upload jobs/job1/chunks/000005/end.state");
    // Blocked workers wait quietly; heartbeats keep them alive.
    st = fsm.step(st.next(), new Heartbeat(0, "", 0, clock[0] + 2_000));
    st = fsm.step(st.next(), new Tick(clock[0] + 4_000));
    assertThat(st.next()).isInstanceOf(Blocked.class);
    st = fsm.step(st.next(), new PeerStored(ARTIFACT_FINAL_STATE, 7, clock[0] + 4_100));
    assertThat(st.next()).isInstanceOf(Blocked.class);
    st = fsm.step(st.next(), new PeerStored(ARTIFACT_END_STATE, 5, clock[0] + 4_200));
    assertThat(st.next()).isInstanceOf(Running.class);
    Running r = (Running) st.next();
    List<Command> rest = new ArrayList<>();
    rest.add(((Cmd.Send) st.cmds().getLast()).command());
    long now = clock[0] + 4_300;
    while (!(st.next() instanceof Succeeded)) {
      r = (Running) st.next();
      st = fsm.step(r, new Result(r.commandId(), Ok.empty(), now += 100));
      st.cmds().stream().filter(c -> c instanceof Cmd.Send).forEach(c -> rest.add(((Cmd.Send) c).command()));
    }
    assertThat(describe(rest)).containsExactly(
        "fetch jobs/job1/chunks/000004/end.state",
        "encode_given_state",
        "upload jobs/job1/chunks/000005/reencoded.ivf",
        "rebase",
        "upload jobs/job1/chunks/000005/final.state",
        "upload jobs/job1/chunks/000005/output.ivf",
        "quit");
    assertThat(rest.get(1).getEncodeGivenState().getPredecessorEndStateKey()).isEqualTo("jobs/job1/chunks/000004/end.state");
    assertThat(rest.get(1).getEncodeGivenState().getKfQWeight()).isEqualTo(0.75);
    var rebase = rest.get(3).getRebase();
    assertThat(rebase.getReceiveFromRendezvous()).isTrue();
    assertThat(rebase.getSendToSuccessor()).isTrue();
    assertThat(rebase.getPredecessorFinalStateKey()).isEqualTo("jobs/job1/chunks/000004/final.state");
    assertThat(rebase.getExpectedPredecessorHash()).as("hash reported when the predecessor uploaded").isEqualTo(7);
  }

  @Test
  void lastChunkOfABatchSendsNothingOn() {
    ChunkContext ctx = Fixtures.xcLast();
    List<Command> cmds = runToEnd(
        WorkerFsm.initial(ctx, Fixtures.RAW, Set.of(ARTIFACT_END_STATE, ARTIFACT_FINAL_STATE), 0), new long[] {0});
    var rebase = cmds.stream().filter(Command::hasRebase).findFirst().orElseThrow().getRebase();
    assertThat(rebase.getSendToSuccessor()).isFalse();
    assertThat(rebase.getReceiveFromRendezvous()).isTrue();
  }

  @Test
  void replacementWorkerResumesFromStoredArtifacts() {
    ChunkContext ctx = Fixtures.xcMiddle();
    // The previous worker stored its end state and re-encoded chunk, then died during rebase.
    var stored = Set.of(ARTIFACT_RAW_CHUNK, ARTIFACT_END_STATE, ARTIFACT_REENCODED_CHUNK);
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, stored, Set.of(ARTIFACT_END_STATE), 0), new long[] {0});
    assertThat(describe(cmds)).containsExactly(
        "assign",
        "fetch jobs/job1/chunks/000005/raw.y4m",
        "encode_chunk",
        "fetch jobs/job1/chunks/000005/reencoded.ivf",
        "rebase",
        "upload jobs/job1/chunks/000005/final.state",
        "upload jobs/job1/chunks/000005/output.ivf",
        "quit");
  }

  @Test
  void replacementOfAFinishedChunkOnlyQuits() {
    List<Command> cmds = runToEnd(
        WorkerFsm.initial(Fixtures.independent(0), Set.of(ARTIFACT_RAW_CHUNK, ARTIFACT_OUTPUT_CHUNK), Set.of(), 0),
        new long[] {0});
    assertThat(describe(cmds)).containsExactly("assign", "quit");
  }

  @Test
  void heartbeatsDoNotExtendTheStageDeadline() {
    Step st = fsm.step(WorkerFsm.initial(Fixtures.independent(1), Fixtures.RAW, Set.of(), 0), new Hello("w", 0));
    st = fsm.step(st.next(), new Result(1, Ok.empty(), 0)); // assign done at t=0 -> fetch starts at 0
    long t = 0;
    for (int i = 0; i < 5; i++) {
      t += 2_000;
      st = fsm.step(st.next(), new Heartbeat(2, "fetch", 0.1 * i, t));
      st = fsm.step(st.next(), new Tick(t));
      assertThat(st.next()).as("alive at %d", t).isInstanceOf(Running.class);
    }
    st = fsm.step(st.next(), new Heartbeat(2, "fetch", 0.9, 10_000));
    st = fsm.step(st.next(), new Tick(10_001));
    assertThat(st.next()).isInstanceOf(Failed.class);
    Failed f = (Failed) st.next();
    assertThat(f.code()).isEqualTo(WorkerFsm.DEADLINE);
    assertThat(f.retryable()).isTrue();
    assertThat(f.reason()).contains("fetch raw chunk").contains("10000 ms");
  }

  @Test
  void eachStageHasItsOwnDeadline() {
    var deadlines = new java.util.EnumMap<StageKind, Long>(FsmConfig.defaults().stageDeadlineMillis());
    deadlines.put(StageKind.ENCODE_CHUNK, 50_000L);
    deadlines.put(StageKind.FETCH, 1_000L);
    WorkerFsm f = new WorkerFsm(new FsmConfig(5_000, 0, 60_000, deadlines));
    Step st = f.step(WorkerFsm.initial(Fixtures.independent(1), Fixtures.RAW, Set.of(), 0), new Hello("w", 0));
    st = f.step(st.next(), new Result(1, Ok.empty(), 0));
    st = f.step(st.next(), new Result(2, Ok.empty(), 900)); // fetch done within 1 s
    assertThat(((Running) st.next()).current().kind()).isEqualTo(StageKind.ENCODE_CHUNK);
    assertThat(f.step(st.next(), new Tick(40_000)).next()).isInstanceOf(Running.class);
    assertThat(f.step(st.next(), new Tick(50_901)).next()).isInstanceOf(Failed.class);
  }

  @Test
  void aOneMillisecondDeadlineFailsTheFirstStage() {
    WorkerFsm f = new WorkerFsm(FsmConfig.defaults().withAllStageDeadlines(1));
    Step st = f.step(WorkerFsm.initial(Fixtures.independent(2), Fixtures.RAW, Set.of(), 0), new Hello("w", 10));
    st = f.step(st.next(), new Tick(12));
    assertThat(st.next()).isEqualTo(new Failed(WorkerFsm.DEADLINE, "assign exceeded its deadline of 1 ms", true));
  }

  @Test
  void unsupportedStageIsAPermanentFailureNamingTheStage() {
    Step st = fsm.step(WorkerFsm.initial(Fixtures.xcHead(), Fixtures.RAW, Set.of(), 0), new Hello("w", 0));
    for (long id = 1; id <= 3; id++) {
      st = fsm.step(st.next(), new Result(id, Ok.empty(), id));
    }
    assertThat(((Running) st.next()).current().kind()).isEqualTo(StageKind.DUMP_STATE);
    WorkerMessage m = WorkerMessage.newBuilder().setResult(io.tinythreads.proto.CommandResult.newBuilder()
        .setCommandId(4)
        .setFailure(io.tinythreads.proto.Failure.newBuilder()
            .setCode("UNSUPPORTED").setMessage("dump-state needs the vp8-state decoder").setRetryable(false)))
        .build();
    st = fsm.step(st.next(), ProtoEvents.fromProto(m, 5));
    Failed f = (Failed) st.next();
    assertThat(f.retryable()).isFalse();
    assertThat(f.reason()).isEqualTo("dump-state: dump-state needs the vp8-state decoder");
  }

  @Test
  void protoHeartbeatAndOkMapToEvents() {
    WorkerMessage hb = WorkerMessage.newBuilder()
        .setHeartbeat(io.tinythreads.proto.Heartbeat.newBuilder().setCommandId(3).setStage("encode").setFractionDone(0.5))
        .build();
    assertThat(ProtoEvents.fromProto(hb, 77)).isEqualTo(new Heartbeat(3, "encode", 0.5, 77));
    WorkerMessage ok = WorkerMessage.newBuilder().setResult(io.tinythreads.proto.CommandResult.newBuilder()
        .setCommandId(3).setOk(io.tinythreads.proto.CommandOk.newBuilder().setBytes(5).setFrames(6).setStateHash(7)))
        .build();
    assertThat(ProtoEvents.fromProto(ok, 1)).isEqualTo(new Result(3, new Ok(5, 6, 7, ""), 1));
    WorkerMessage empty = WorkerMessage.newBuilder().setResult(io.tinythreads.proto.CommandResult.newBuilder().setCommandId(3))
        .build();
    assertThat(((Result) ProtoEvents.fromProto(empty, 1)).outcome()).isInstanceOf(WorkerEvent.Failure.class);
  }

  @Test
  void peerStoredBeforeTheWorkerConnectsIsRemembered() {
    ChunkContext ctx = Fixtures.xcMiddle();
    Step st = fsm.step(WorkerFsm.initial(ctx, Fixtures.RAW, Set.of(), 0), new PeerStored(Artifact.ARTIFACT_END_STATE, 1, 1));
    st = fsm.step(st.next(), new Hello("w", 2));
    for (long id = 1; id <= 5; id++) {
      st = fsm.step(st.next(), new Result(id, Ok.empty(), 2 + id));
    }
    assertThat(st.next()).as("no wait: the end state was already stored").isInstanceOf(Running.class);
    assertThat(((Running) st.next()).current().needsPeerBlob()).isTrue();
  }
}
