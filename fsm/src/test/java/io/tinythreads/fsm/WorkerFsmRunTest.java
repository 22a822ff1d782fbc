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
import io.tinythreads.fsm.WorkerEvent.PeerStatus;
import io.tinythreads.fsm.WorkerEvent.PeerStored;
import io.tinythreads.fsm.WorkerEvent.Result;
import io.tinythreads.fsm.WorkerEvent.Tick;
import io.tinythreads.fsm.WorkerState.Blocked;
import io.tinythreads.fsm.WorkerState.Failed;
import io.tinythreads.fsm.WorkerState.Parked;
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
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, Fixtures.RAW, Peers.none(), 0), new long[] {0});
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
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, Fixtures.RAW, Peers.none(), 0), new long[] {0});
    assertThat(describe(cmds)).containsExactly(
        "assign",
        "fetch jobs/job1/chunks/000004/raw.y4m",
        "encode_chunk",
        "upload jobs/job1/chunks/000004/encoded.ivf",
        "dump_state",
        "upload jobs/job1/chunks/000004/end.state",
        "rebase",
        "upload jobs/job1/chunks/000004/output.ivf",
        "quit");
    assertThat(cmds.getFirst().getAssign().getRendezvousAddress()).isEqualTo("127.0.0.1:7000");
    var rebase = cmds.get(6).getRebase();
    assertThat(rebase.getReceiveFromRendezvous()).isFalse();
    assertThat(rebase.getSendToSuccessor()).isTrue();
    assertThat(rebase.getPredecessorFinalStateKey()).isEmpty();
    assertThat(rebase.getPredecessorEndStateKey()).isEmpty();
    assertThat(rebase.getFinalStateKey()).isEqualTo("jobs/job1/chunks/000004/final.state");
  }

  /** Answers OK until the worker stops running; returns the commands sent meanwhile. */
  Step answerWhileRunning(Step st, long[] clock, List<Command> sent) {
    for (Cmd c : st.cmds()) {
      if (c instanceof Cmd.Send s) {
        sent.add(s.command());
      }
    }
    while (st.next() instanceof Running r) {
      clock[0] += 100;
      st = fsm.step(r, new Result(r.commandId(), Ok.empty(), clock[0]));
      for (Cmd c : st.cmds()) {
        if (c instanceof Cmd.Send s) {
          sent.add(s.command());
        }
      }
    }
    return st;
  }

  @Test
  void xcMiddleChunkWaitsForItsPredecessorsEndStateThenReencodesAndRebases() {
    ChunkContext ctx = Fixtures.xcMiddle();
    long[] clock = {0};
    Peers live = Peers.of(Set.of(), PeerActivity.ACTIVE);
    List<Command> sent = new ArrayList<>();
    Step st = answerWhileRunning(fsm.step(WorkerFsm.initial(ctx, Fixtures.RAW, live, 0), new Hello("w", 0)), clock, sent);
    assertThat(st.next()).isInstanceOf(Blocked.class);
    assertThat(describe(sent)).containsExactly(
        "assign", "fetch jobs/job1/chunks/000005/raw.y4m", "encode_chunk", "upload jobs/job1/chunks/000005/encoded.ivf",
        "dump_state", "upload jobs/job1/chunks/000005/end.state");
    // Blocked workers wait quietly; heartbeats keep them alive.
    st = fsm.step(st.next(), new Heartbeat(0, "", 0, clock[0] + 2_000));
    st = fsm.step(st.next(), new Tick(clock[0] + 4_000));
    assertThat(st.next()).isInstanceOf(Blocked.class);
    st = fsm.step(st.next(), new PeerStored(ARTIFACT_FINAL_STATE, 7, clock[0] + 4_100));
    assertThat(st.next()).isInstanceOf(Blocked.class);
    clock[0] += 4_200;
    sent.clear();
    st = answerWhileRunning(fsm.step(st.next(), new PeerStored(ARTIFACT_END_STATE, 5, clock[0])), clock, sent);
    assertThat(st.next()).isInstanceOf(Succeeded.class);
    assertThat(describe(sent)).containsExactly(
        "encode_given_state",
        "upload jobs/job1/chunks/000005/reencoded.ivf",
        "rebase",
        "upload jobs/job1/chunks/000005/output.ivf",
        "quit");
    assertThat(sent.get(0).getEncodeGivenState().getPredecessorEndStateKey()).isEqualTo("jobs/job1/chunks/000004/end.state");
    assertThat(sent.get(0).getEncodeGivenState().getKfQWeight()).isEqualTo(0.75);
    var rebase = sent.get(2).getRebase();
    assertThat(rebase.getReceiveFromRendezvous()).isTrue();
    assertThat(rebase.getSendToSuccessor()).isTrue();
    assertThat(rebase.getPredecessorFinalStateKey()).isEqualTo("jobs/job1/chunks/000004/final.state");
    assertThat(rebase.getPredecessorEndStateKey()).isEqualTo("jobs/job1/chunks/000004/end.state");
    assertThat(rebase.getExpectedPredecessorHash()).as("hash reported when the predecessor stored it").isEqualTo(7);
  }

  @Test
  void rebaseIsSentOnceThePredecessorIsRebasingNotBefore() {
    ChunkContext ctx = Fixtures.xcMiddle();
    long[] clock = {0};
    Peers live = Peers.of(Set.of(ARTIFACT_END_STATE), PeerActivity.ACTIVE);
    List<Command> sent = new ArrayList<>();
    Step st = answerWhileRunning(fsm.step(WorkerFsm.initial(ctx, Fixtures.RAW, live, 0), new Hello("w", 0)), clock, sent);
    assertThat(st.next()).isInstanceOf(Blocked.class);
    assertThat(((Blocked) st.next()).next().kind()).isEqualTo(StageKind.REBASE);
    assertThat(describe(sent)).endsWith("upload jobs/job1/chunks/000005/reencoded.ivf");
    st = fsm.step(st.next(), new PeerStatus(PeerActivity.REBASING, clock[0] + 50));
    assertThat(st.next()).isInstanceOf(Running.class);
    Command rebase = ((Cmd.Send) st.cmds().getLast()).command();
    assertThat(rebase.hasRebase()).isTrue();
    assertThat(rebase.getRebase().getExpectedPredecessorHash()).as("not known until it is stored").isZero();
  }

  @Test
  void aWaitingWorkerWhosePredecessorLostItsWorkerParksAndQuits() {
    long[] clock = {0};
    List<Command> sent = new ArrayList<>();
    Step st = answerWhileRunning(fsm.step(WorkerFsm.initial(Fixtures.xcMiddle(), Fixtures.RAW,
        Peers.of(Set.of(), PeerActivity.ACTIVE), 0), new Hello("w", 0)), clock, sent);
    assertThat(st.next()).isInstanceOf(Blocked.class);
    st = fsm.step(st.next(), new PeerStatus(PeerActivity.IDLE, clock[0] + 1));
    assertThat(st.next()).isInstanceOf(Parked.class);
    assertThat(((Parked) st.next()).aborted()).isFalse();
    Cmd.Send quit = (Cmd.Send) st.cmds().getFirst();
    assertThat(quit.command().hasQuit()).isTrue();
    assertThat(quit.command().getCommandId()).as("ids stay unique").isGreaterThan(sent.getLast().getCommandId());
    assertThat(st.cmds().getLast()).isEqualTo(new Cmd.Hangup(true, "parked"));
  }

  @Test
  void aLongWaitParksTheWorkerInsteadOfHoldingItsSlot() {
    WorkerFsm f = new WorkerFsm(FsmConfig.defaults().withHeartbeatTimeout(3_000).withPeerWait(20_000));
    long[] clock = {0};
    Step st = f.step(WorkerFsm.initial(Fixtures.xcMiddle(), Fixtures.RAW, Peers.of(Set.of(), PeerActivity.ACTIVE), 0),
        new Hello("w", 0));
    while (st.next() instanceof Running r) {
      clock[0] += 100;
      st = f.step(r, new Result(r.commandId(), Ok.empty(), clock[0]));
    }
    long blockedAt = clock[0];
    // Idle: no heartbeats, far beyond the heartbeat timeout, and still waiting.
    st = f.step(st.next(), new Tick(blockedAt + 19_000));
    assertThat(st.next()).isInstanceOf(Blocked.class);
    st = f.step(st.next(), new Tick(blockedAt + 20_001));
    assertThat(st.next()).isInstanceOf(Parked.class);
    assertThat(((Parked) st.next()).reason()).contains("encode-given-state waited more than 20000 ms");
    assertThat(st.cmds()).extracting(c -> c instanceof Cmd.Send s ? s.command().getKindCase().name() : c.toString())
        .containsExactly("QUIT", new Cmd.Hangup(true, "parked").toString());
  }

  @Test
  void aWorkerWhosePredecessorHasNoWorkerQuitsAfterItsParallelStages() {
    long[] clock = {0};
    List<Command> sent = new ArrayList<>();
    Step st = answerWhileRunning(fsm.step(WorkerFsm.initial(Fixtures.xcMiddle(), Fixtures.RAW,
        Peers.of(Set.of(ARTIFACT_END_STATE), PeerActivity.IDLE), 0), new Hello("w", 0)), clock, sent);
    assertThat(st.next()).isInstanceOf(Parked.class);
    assertThat(describe(sent)).endsWith("encode_given_state", "upload jobs/job1/chunks/000005/reencoded.ivf", "quit");
    assertThat(((Parked) st.next()).reason()).contains("rebase waits for the predecessor final state");
  }

  @Test
  void launchingIsWorthwhileOnlyIfWorkComesBeforeTheFirstUnmetWait() {
    ChunkContext middle = Fixtures.xcMiddle();
    Set<Artifact> fresh = Fixtures.RAW;
    Set<Artifact> parallelDone = Set.of(ARTIFACT_RAW_CHUNK, Artifact.ARTIFACT_ENCODED_CHUNK, ARTIFACT_END_STATE,
        ARTIFACT_REENCODED_CHUNK);
    Peers nobody = Peers.none();
    // A fresh chunk has its libvpx encode to do whatever its predecessor does.
    assertThat(WorkerFsm.worthLaunching(middle, fresh, nobody)).isTrue();
    // Only the serial stage left: launch once the predecessor's final state exists or is coming.
    assertThat(WorkerFsm.worthLaunching(middle, parallelDone, nobody)).isFalse();
    assertThat(WorkerFsm.worthLaunching(middle, parallelDone, Peers.of(Set.of(), PeerActivity.ACTIVE))).isFalse();
    assertThat(WorkerFsm.worthLaunching(middle, parallelDone, Peers.of(Set.of(), PeerActivity.REBASING))).isTrue();
    assertThat(WorkerFsm.worthLaunching(middle, parallelDone, Peers.of(Set.of(ARTIFACT_FINAL_STATE), PeerActivity.IDLE)))
        .isTrue();
    // Encoded but not re-encoded: encode-given-state needs the predecessor's end state stored.
    Set<Artifact> encoded = Set.of(ARTIFACT_RAW_CHUNK, Artifact.ARTIFACT_ENCODED_CHUNK, ARTIFACT_END_STATE);
    assertThat(WorkerFsm.worthLaunching(middle, encoded, Peers.of(Set.of(), PeerActivity.ACTIVE))).isFalse();
    assertThat(WorkerFsm.worthLaunching(middle, encoded, Peers.of(Set.of(ARTIFACT_END_STATE), PeerActivity.IDLE)))
        .isTrue();
    // A batch head never waits.
    assertThat(WorkerFsm.worthLaunching(Fixtures.xcHead(), parallelDone, nobody)).isTrue();
  }

  @Test
  void lastChunkOfABatchSendsNothingOn() {
    ChunkContext ctx = Fixtures.xcLast();
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, Fixtures.RAW,
        Peers.of(Set.of(ARTIFACT_END_STATE, ARTIFACT_FINAL_STATE), PeerActivity.IDLE), 0), new long[] {0});
    var rebase = cmds.stream().filter(Command::hasRebase).findFirst().orElseThrow().getRebase();
    assertThat(rebase.getSendToSuccessor()).isFalse();
    assertThat(rebase.getReceiveFromRendezvous()).isTrue();
  }

  @Test
  void replacementWorkerResumesFromStoredArtifacts() {
    ChunkContext ctx = Fixtures.xcMiddle();
    // The previous worker stored its parallel-phase artifacts, then died during rebase.
    var stored = Set.of(ARTIFACT_RAW_CHUNK, Artifact.ARTIFACT_ENCODED_CHUNK, ARTIFACT_END_STATE, ARTIFACT_REENCODED_CHUNK);
    List<Command> cmds = runToEnd(WorkerFsm.initial(ctx, stored,
        Peers.of(Set.of(ARTIFACT_END_STATE, ARTIFACT_FINAL_STATE), PeerActivity.IDLE), 0), new long[] {0});
    assertThat(describe(cmds)).containsExactly(
        "assign",
        "fetch jobs/job1/chunks/000005/raw.y4m",
        "fetch jobs/job1/chunks/000005/reencoded.ivf",
        "rebase",
        "upload jobs/job1/chunks/000005/output.ivf",
        "quit");
  }

  @Test
  void replacementOfAFinishedChunkOnlyQuits() {
    List<Command> cmds = runToEnd(
        WorkerFsm.initial(Fixtures.independent(0), Set.of(ARTIFACT_RAW_CHUNK, ARTIFACT_OUTPUT_CHUNK), Peers.none(), 0),
        new long[] {0});
    assertThat(describe(cmds)).containsExactly("assign", "quit");
  }

  @Test
  void heartbeatsDoNotExtendTheStageDeadline() {
    Step st = fsm.step(WorkerFsm.initial(Fixtures.independent(1), Fixtures.RAW, Peers.none(), 0), new Hello("w", 0));
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
    Step st = f.step(WorkerFsm.initial(Fixtures.independent(1), Fixtures.RAW, Peers.none(), 0), new Hello("w", 0));
    st = f.step(st.next(), new Result(1, Ok.empty(), 0));
    st = f.step(st.next(), new Result(2, Ok.empty(), 900)); // fetch done within 1 s
    assertThat(((Running) st.next()).current().kind()).isEqualTo(StageKind.ENCODE_CHUNK);
    assertThat(f.step(st.next(), new Tick(40_000)).next()).isInstanceOf(Running.class);
    assertThat(f.step(st.next(), new Tick(50_901)).next()).isInstanceOf(Failed.class);
  }

  @Test
  void aOneMillisecondDeadlineFailsTheFirstStage() {
    WorkerFsm f = new WorkerFsm(FsmConfig.defaults().withAllStageDeadlines(1));
    Step st = f.step(WorkerFsm.initial(Fixtures.independent(2), Fixtures.RAW, Peers.none(), 0), new Hello("w", 10));
    st = f.step(st.next(), new Tick(12));
    assertThat(st.next()).isEqualTo(new Failed(WorkerFsm.DEADLINE, "assign exceeded its deadline of 1 ms", true));
  }

  @Test
  void unsupportedStageIsAPermanentFailureNamingTheStage() {
    Step st = fsm.step(WorkerFsm.initial(Fixtures.xcHead(), Fixtures.RAW, Peers.none(), 0), new Hello("w", 0));
    for (long id = 1; id <= 4; id++) {
      st = fsm.step(st.next(), new Result(id, Ok.empty(), id));
    }
    assertThat(((Running) st.next()).current().kind()).isEqualTo(StageKind.DUMP_STATE);
    WorkerMessage m = WorkerMessage.newBuilder().setResult(io.tinythreads.proto.CommandResult.newBuilder()
        .setCommandId(5)
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
    Step st = fsm.step(WorkerFsm.initial(ctx, Fixtures.RAW, Peers.of(Set.of(), PeerActivity.ACTIVE), 0),
        new PeerStored(Artifact.ARTIFACT_END_STATE, 1, 1));
    st = fsm.step(st.next(), new Hello("w", 2));
    for (long id = 1; id <= 6; id++) {
      st = fsm.step(st.next(), new Result(id, Ok.empty(), 2 + id));
    }
    assertThat(st.next()).as("no wait: the end state was already stored").isInstanceOf(Running.class);
    assertThat(((Running) st.next()).current().kind()).isEqualTo(StageKind.ENCODE_GIVEN_STATE);
  }
}
