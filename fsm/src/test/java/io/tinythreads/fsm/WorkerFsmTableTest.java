package io.tinythreads.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.fsm.WorkerEvent.Cancel;
import io.tinythreads.fsm.WorkerEvent.Disconnected;
import io.tinythreads.fsm.WorkerEvent.Failure;
import io.tinythreads.fsm.WorkerEvent.Heartbeat;
import io.tinythreads.fsm.WorkerEvent.Hello;
import io.tinythreads.fsm.WorkerEvent.Ok;
import io.tinythreads.fsm.WorkerEvent.PeerStatus;
import io.tinythreads.fsm.WorkerEvent.PeerStored;
import io.tinythreads.fsm.WorkerEvent.Result;
import io.tinythreads.fsm.WorkerEvent.Tick;
import io.tinythreads.fsm.WorkerState.AwaitingHello;
import io.tinythreads.fsm.WorkerState.Blocked;
import io.tinythreads.fsm.WorkerState.Cancelled;
import io.tinythreads.fsm.WorkerState.Failed;
import io.tinythreads.fsm.WorkerState.Parked;
import io.tinythreads.fsm.WorkerState.Running;
import io.tinythreads.fsm.WorkerState.Succeeded;
import io.tinythreads.proto.Artifact;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (state, event) pair of the worker FSM, for both pipelines, as a table: the state, the
 * event, the expected next state (class, failure code, retryable) and the expected commands.
 */
class WorkerFsmTableTest {
  static final long T0 = 1_000;
  static final FsmConfig CONFIG = FsmConfig.defaults()
      .withAllStageDeadlines(10_000)
      .withHelloTimeout(5_000)
      .withHeartbeatTimeout(3_000)
      .withPeerWait(20_000);
  static final WorkerFsm FSM = new WorkerFsm(CONFIG);

  /** One row: {@code expectedCmds} summarises the commands, see {@link #summary}. */
  record Row(
      String pipeline,
      String stateName,
      WorkerState state,
      String eventName,
      WorkerEvent event,
      Class<? extends WorkerState> expectedClass,
      String expectedCode,
      Boolean expectedRetryable,
      List<String> expectedCmds,
      Predicate<WorkerState> extra) {
    @Override
    public String toString() {
      return pipeline + ": " + stateName + " + " + eventName + " -> " + expectedClass.getSimpleName()
          + (expectedCode == null ? "" : "(" + expectedCode + ")") + " " + expectedCmds;
    }
  }

  static Row row(String p, String sn, WorkerState s, String en, WorkerEvent e, Class<? extends WorkerState> c,
      String code, Boolean retry, List<String> cmds) {
    return new Row(p, sn, s, en, e, c, code, retry, cmds, x -> true);
  }

  static Row row(String p, String sn, WorkerState s, String en, WorkerEvent e, Class<? extends WorkerState> c,
      List<String> cmds, Predicate<WorkerState> extra) {
    return new Row(p, sn, s, en, e, c, null, null, cmds, extra);
  }

  static Stream<Row> rows() {
    List<Row> rows = new ArrayList<>();
    addPipeline(rows, "independent", Fixtures.independent(3));
    // xc: a middle chunk, so every conditional stage applies; blocked at encode-given-state, which
    // waits for the predecessor's end state.
    addPipeline(rows, "xc", Fixtures.xcMiddle());
    return rows.stream();
  }

  /**
   * The Blocked sample waits at the first stage with a predecessor need (for independent no stage
   * has one, so the Blocked state is unreachable; it is still checked that it behaves, at stage 1).
   */
  static void addPipeline(List<Row> rows, String p, ChunkContext ctx) {
    Peers live = new Peers(java.util.Map.of(), PeerActivity.ACTIVE);
    AwaitingHello hello = WorkerFsm.initial(ctx, Fixtures.RAW, live, T0);
    Plan plan = hello.plan();
    int blockedStage = 1;
    int rebaseStage = -1;
    for (int i = 0; i < plan.stages().size(); i++) {
      if (plan.stage(i).peer().isPresent() && blockedStage == 1) {
        blockedStage = i;
      }
      if (plan.stage(i).kind() == StageKind.REBASE) {
        rebaseStage = i;
      }
    }
    Running fetchRaw = new Running(plan, live, "w1", 1, T0, T0);
    assertThat(fetchRaw.current().kind()).isEqualTo(StageKind.FETCH);
    int lastUpload = plan.stages().size() - 2;
    Running uploadOutput = new Running(plan, live, "w1", lastUpload, T0, T0);
    Blocked blocked = new Blocked(plan, live, "w1", blockedStage, T0, T0);
    Succeeded succeeded = new Succeeded("w1");
    Failed failed = new Failed("IO", "fetch raw chunk: disk full", true);
    Cancelled cancelled = new Cancelled("user");
    Parked parked = new Parked("w1", "waits for the predecessor", false);

    WorkerEvent helloEv = new Hello("w2", T0 + 10);
    WorkerEvent ok2 = new Result(2, Ok.empty(), T0 + 500);
    WorkerEvent okWrong = new Result(7, Ok.empty(), T0 + 500);
    WorkerEvent failIo = new Result(2, new Failure("IO", "disk full", true), T0 + 500);
    WorkerEvent failUnsupported = new Result(2, new Failure("UNSUPPORTED", "no re-encoder", true), T0 + 500);
    WorkerEvent failInput = new Result(2, new Failure("INVALID_INPUT", "raw chunk: bad y4m header", false), T0 + 500);
    WorkerEvent beat = new Heartbeat(2, "fetch", 0.5, T0 + 2_500);
    WorkerEvent gone = new Disconnected("stream reset", T0 + 100);
    WorkerEvent tickEarly = new Tick(T0 + 2_000);
    WorkerEvent tickSilent = new Tick(T0 + 4_500);
    WorkerEvent tickHelloLate = new Tick(T0 + 5_001);
    WorkerEvent tickDeadline = new Tick(T0 + 10_001);
    WorkerEvent cancel = new Cancel("cancelled by user", T0 + 100);
    WorkerEvent peerEnd = new PeerStored(Artifact.ARTIFACT_END_STATE, 42, T0 + 100);
    WorkerEvent peerFinal = new PeerStored(Artifact.ARTIFACT_FINAL_STATE, 43, T0 + 100);
    WorkerEvent peerGone = new PeerStatus(PeerActivity.IDLE, T0 + 100);
    WorkerEvent peerRebasing = new PeerStatus(PeerActivity.REBASING, T0 + 100);

    String ah = "AwaitingHello";
    rows.add(row(p, ah, hello, "Hello", helloEv, Running.class, List.of("send ASSIGN"),
        s -> ((Running) s).stage() == 0 && ((Running) s).stageStartMillis() == T0 + 10 && ((Running) s).workerId().equals("w2")));
    rows.add(row(p, ah, hello, "Result", ok2, Failed.class, "PROTOCOL", true, List.of("hangup err")));
    rows.add(row(p, ah, hello, "Heartbeat", beat, Failed.class, "PROTOCOL", true, List.of("hangup err")));
    rows.add(row(p, ah, hello, "Disconnected", gone, Failed.class, "DISCONNECTED", true, List.of()));
    rows.add(row(p, ah, hello, "Tick before hello timeout", tickEarly, AwaitingHello.class, List.of(), s -> s.equals(hello)));
    rows.add(row(p, ah, hello, "Tick after hello timeout", tickHelloLate, Failed.class, "NO_HELLO", true, List.of()));
    rows.add(row(p, ah, hello, "Cancel", cancel, Cancelled.class, null, null, List.of()));
    rows.add(row(p, ah, hello, "PeerStored", peerEnd, AwaitingHello.class, List.of(),
        s -> ((AwaitingHello) s).peers().hash(Artifact.ARTIFACT_END_STATE) == 42));
    rows.add(row(p, ah, hello, "PeerStatus", peerGone, AwaitingHello.class, List.of(),
        s -> ((AwaitingHello) s).peers().activity() == PeerActivity.IDLE));

    String rn = "Running(fetch raw)";
    rows.add(row(p, rn, fetchRaw, "Hello", helloEv, Failed.class, "PROTOCOL", true, List.of("hangup err")));
    rows.add(row(p, rn, fetchRaw, "Result ok", ok2, Running.class, List.of("done FETCH", "send ENCODE_CHUNK"),
        s -> ((Running) s).stage() == 2 && ((Running) s).stageStartMillis() == T0 + 500));
    rows.add(row(p, rn, fetchRaw, "Result ok after the deadline", new Result(2, Ok.empty(), T0 + 10_001), Failed.class,
        "DEADLINE", true, List.of("send QUIT", "hangup err")));
    rows.add(row(p, rn, fetchRaw, "Result failure after the deadline keeps its reason",
        new Result(2, new Failure("IO", "disk full", true), T0 + 10_001), Failed.class, "IO", true,
        List.of("send QUIT", "hangup err")));
    rows.add(row(p, rn, fetchRaw, "Result for another command", okWrong, Failed.class, "PROTOCOL", true, List.of("hangup err")));
    rows.add(row(p, rn, fetchRaw, "Result retryable failure", failIo, Failed.class, "IO", true, List.of("send QUIT", "hangup err")));
    rows.add(row(p, rn, fetchRaw, "Result UNSUPPORTED", failUnsupported, Failed.class, "UNSUPPORTED", false,
        List.of("send QUIT", "hangup err")));
    rows.add(row(p, rn, fetchRaw, "Result permanent failure", failInput, Failed.class, "INVALID_INPUT", false,
        List.of("send QUIT", "hangup err")));
    rows.add(row(p, rn, fetchRaw, "Heartbeat", beat, Running.class, List.of(),
        s -> ((Running) s).lastHeardMillis() == T0 + 2_500 && ((Running) s).stageStartMillis() == T0));
    rows.add(row(p, rn, fetchRaw, "Disconnected", gone, Failed.class, "DISCONNECTED", true, List.of()));
    rows.add(row(p, rn, fetchRaw, "Tick within deadline", tickEarly, Running.class, List.of(), s -> s.equals(fetchRaw)));
    rows.add(row(p, rn, fetchRaw, "Tick after silence", tickSilent, Failed.class, "UNRESPONSIVE", true, List.of("hangup err")));
    rows.add(row(p, rn, fetchRaw, "Tick after deadline", tickDeadline, Failed.class, "DEADLINE", true, List.of("hangup err")));
    rows.add(row(p, rn, fetchRaw, "Cancel", cancel, Cancelled.class, null, null, List.of("send QUIT", "hangup err")));
    rows.add(row(p, rn, fetchRaw, "PeerStored", peerFinal, Running.class, List.of(),
        s -> ((Running) s).peers().hash(Artifact.ARTIFACT_FINAL_STATE) == 43 && ((Running) s).stage() == 1));
    rows.add(row(p, rn, fetchRaw, "PeerStatus(IDLE) with no predecessor need", peerGone, Running.class, List.of(),
        s -> ((Running) s).peers().activity() == PeerActivity.IDLE && ((Running) s).stage() == 1));
    if (rebaseStage >= 0 && plan.stage(rebaseStage).peer().isPresent()) {
      Running rebasing = new Running(plan, live.with(PeerActivity.REBASING), "w1", rebaseStage, T0, T0);
      String rr = "Running(rebase)";
      rows.add(row(p, rr, rebasing, "PeerStatus(IDLE): predecessor gone", peerGone, Parked.class,
          List.of("hangup err"), s -> ((Parked) s).aborted()));
      int rs = rebaseStage;
      Running storedFinal = new Running(plan, live.with(PeerActivity.REBASING).with(Artifact.ARTIFACT_FINAL_STATE, 43),
          "w1", rebaseStage, T0, T0);
      rows.add(row(p, rr, storedFinal, "PeerStatus(IDLE) after it stored its final state", peerGone, Running.class,
          List.of(), s -> ((Running) s).stage() == rs && ((Running) s).peers().activity() == PeerActivity.IDLE));
      rows.add(row(p, rr, rebasing, "PeerStatus(ACTIVE): predecessor replaced", new PeerStatus(PeerActivity.ACTIVE, T0),
          Running.class, List.of(), s -> ((Running) s).peers().activity() == PeerActivity.ACTIVE));
    }

    String last = "Running(upload output)";
    WorkerEvent okLast = new Result(Plan.commandId(lastUpload), new Ok(1234, 0, 0, ""), T0 + 500);
    rows.add(row(p, last, uploadOutput, "Result ok", okLast, Succeeded.class, List.of("done UPLOAD", "send QUIT", "hangup ok"),
        s -> ((Succeeded) s).workerId().equals("w1")));

    String bl = "Blocked(" + plan.stage(blockedStage) + ")";
    rows.add(row(p, bl, blocked, "Hello", helloEv, Failed.class, "PROTOCOL", true, List.of("hangup err")));
    rows.add(row(p, bl, blocked, "Result", ok2, Failed.class, "PROTOCOL", true, List.of("hangup err")));
    rows.add(row(p, bl, blocked, "Heartbeat", beat, Blocked.class, List.of(), s -> ((Blocked) s).lastHeardMillis() == T0 + 2_500));
    rows.add(row(p, bl, blocked, "Disconnected", gone, Failed.class, "DISCONNECTED", true, List.of()));
    rows.add(row(p, bl, blocked, "Tick", tickEarly, Blocked.class, List.of(), s -> s.equals(blocked)));
    rows.add(row(p, bl, blocked, "Tick after silence: idle workers send no heartbeats", tickSilent, Blocked.class,
        List.of(), s -> s.equals(blocked)));
    rows.add(row(p, bl, blocked, "Tick after the peer wait: parks", new Tick(T0 + 20_001), Parked.class,
        List.of("send QUIT", "hangup ok"), s -> !((Parked) s).aborted() && ((Parked) s).reason().contains("20000 ms")));
    rows.add(row(p, bl, blocked, "Cancel", cancel, Cancelled.class, null, null, List.of("send QUIT", "hangup err")));
    int bs = blockedStage;
    if (plan.stage(blockedStage).peer().isPresent()) {
      rows.add(row(p, bl, blocked, "PeerStored(other)", peerFinal, Blocked.class, List.of(),
          s -> ((Blocked) s).peers().has(Artifact.ARTIFACT_FINAL_STATE)));
      rows.add(row(p, bl, blocked, "PeerStored(awaited)", peerEnd, Running.class, List.of("send ENCODE_GIVEN_STATE"),
          s -> ((Running) s).stage() == bs && ((Running) s).stageStartMillis() == T0 + 100));
      rows.add(row(p, bl, blocked, "PeerStatus(REBASING): end state is not streamed", peerRebasing, Blocked.class,
          List.of(), s -> ((Blocked) s).peers().activity() == PeerActivity.REBASING));
      rows.add(row(p, bl, blocked, "PeerStatus(IDLE): parks", peerGone, Parked.class, List.of("send QUIT", "hangup ok"),
          s -> !((Parked) s).aborted() && ((Parked) s).reason().contains("predecessor end state")));
    } else {
      rows.add(row(p, bl, blocked, "PeerStored", peerEnd, Running.class, List.of("send FETCH"),
          s -> ((Running) s).stage() == bs));
      rows.add(row(p, bl, blocked, "PeerStatus", peerGone, Running.class, List.of("send FETCH"),
          s -> ((Running) s).stage() == bs));
    }

    for (WorkerState terminal : List.of(succeeded, failed, cancelled, parked)) {
      String tn = terminal.getClass().getSimpleName();
      List<WorkerEvent> all = List.of(helloEv, ok2, beat, gone, tickDeadline, cancel, peerEnd, peerGone);
      for (WorkerEvent e : all) {
        rows.add(row(p, tn, terminal, e.getClass().getSimpleName(), e, terminal.getClass(), List.of(), s -> s.equals(terminal)));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void step(Row r) {
    Step step = FSM.step(r.state(), r.event());
    assertThat(step.next()).isInstanceOf(r.expectedClass());
    if (r.expectedCode() != null) {
      Failed f = (Failed) step.next();
      assertThat(f.code()).isEqualTo(r.expectedCode());
      assertThat(f.retryable()).isEqualTo(r.expectedRetryable());
      assertThat(f.reason()).isNotBlank();
    }
    assertThat(step.cmds().stream().map(WorkerFsmTableTest::summary).toList()).isEqualTo(r.expectedCmds());
    assertThat(r.extra().test(step.next())).as("extra check on %s", step.next()).isTrue();
  }

  @Test
  void tableCoversEveryStateEventPairForBothPipelines() {
    Set<String> expected = new HashSet<>();
    for (String p : List.of("independent", "xc")) {
      for (Class<?> s : WorkerState.class.getPermittedSubclasses()) {
        for (Class<?> e : WorkerEvent.class.getPermittedSubclasses()) {
          expected.add(p + "/" + s.getSimpleName() + "/" + e.getSimpleName());
        }
      }
    }
    Set<String> covered = new HashSet<>();
    rows().forEach(r -> covered.add(
        r.pipeline() + "/" + r.state().getClass().getSimpleName() + "/" + r.event().getClass().getSimpleName()));
    assertThat(covered).containsAll(expected);
    assertThat(expected).hasSize(2 * 7 * 8);
  }

  static String summary(Cmd c) {
    return switch (c) {
      case Cmd.Send s -> "send " + s.command().getKindCase().name();
      case Cmd.StageDone d -> "done " + d.stage().kind().name();
      case Cmd.Hangup h -> h.ok() ? "hangup ok" : "hangup err";
    };
  }

  /** Keeps the summary vocabulary honest: every Cmd kind has a summary. */
  @Test
  void everyCmdKindIsSummarised() {
    assertThat(Arrays.stream(Cmd.class.getPermittedSubclasses()).map(Class::getSimpleName))
        .containsExactlyInAnyOrder("Send", "StageDone", "Hangup");
  }
}
