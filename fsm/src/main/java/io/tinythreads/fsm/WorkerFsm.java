package io.tinythreads.fsm;

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
import io.tinythreads.proto.Command;
import io.tinythreads.proto.Quit;
import java.util.Set;

/**
 * The per-worker state machine: a pure function from (state, event) to (next state, commands).
 * No I/O and no clock; time arrives in events. One instance serves every worker of every job; the
 * per-worker facts live in the state values (mu's machine_state.py inverted: no shared dict, no
 * string matching, no changing an object's class).
 */
public final class WorkerFsm {
  /** Failure codes the FSM itself produces. */
  public static final String DEADLINE = "DEADLINE";
  public static final String DISCONNECTED = "DISCONNECTED";
  public static final String NO_HELLO = "NO_HELLO";
  public static final String UNRESPONSIVE = "UNRESPONSIVE";
  public static final String PROTOCOL = "PROTOCOL";
  /** The worker cannot run this command in this build (e.g. an older worker image than the coordinator). */
  public static final String UNSUPPORTED = "UNSUPPORTED";

  private final FsmConfig config;

  public WorkerFsm(FsmConfig config) {
    this.config = config;
  }

  public FsmConfig config() {
    return config;
  }

  /**
   * The state of a freshly launched worker for {@code ctx}. {@code storedForChunk} lists the
   * chunk's artifacts already in the blob store (stages producing them are skipped);
   * {@code predecessor} is what the chunk before it in the batch has stored and is doing.
   */
  public static AwaitingHello initial(ChunkContext ctx, Set<Artifact> storedForChunk, Peers predecessor, long nowMillis) {
    Plan plan = new Plan(ctx, Planner.plan(ctx.pipeline(), ctx.chunk(), storedForChunk));
    return new AwaitingHello(plan, predecessor, nowMillis);
  }

  /**
   * Whether a worker launched now for {@code ctx} would get something done before it has to wait
   * for its predecessor: some computation or upload comes before the first stage whose
   * predecessor need is not satisfied yet (or every need is satisfied). A worker that could only
   * fetch and then wait would hold a worker slot for nothing, so the coordinator launches it once
   * the predecessor has stored what it needs, or is rebasing (its final state is then on its way).
   */
  public static boolean worthLaunching(ChunkContext ctx, Set<Artifact> storedForChunk, Peers predecessor) {
    boolean work = false;
    for (StageDef s : Planner.plan(ctx.pipeline(), ctx.chunk(), storedForChunk)) {
      if (s.peer().isPresent() && predecessor.readiness(s.peer().get()) != Peers.Readiness.READY) {
        return work;
      }
      work |= s.kind() != StageKind.ASSIGN && s.kind() != StageKind.FETCH && s.kind() != StageKind.QUIT;
    }
    return true;
  }

  public Step step(WorkerState state, WorkerEvent event) {
    return switch (state) {
      case AwaitingHello a -> awaitingHello(a, event);
      case Running r -> running(r, event);
      case Blocked b -> blocked(b, event);
      // Terminal: the worker's fate is decided; late results, heartbeats and disconnects change nothing.
      case Succeeded s -> Step.of(s);
      case Failed f -> Step.of(f);
      case Cancelled c -> Step.of(c);
      case Parked p -> Step.of(p);
    };
  }

  private Step awaitingHello(AwaitingHello a, WorkerEvent event) {
    return switch (event) {
      case Hello h -> enter(a.plan(), a.peers(), h.workerId(), 0, h.atMillis());
      case Result r -> fail(protocol("result for command " + r.commandId() + " before hello"));
      case Heartbeat h -> fail(protocol("heartbeat before hello"));
      case Disconnected d -> Step.of(new Failed(DISCONNECTED, "worker exited before saying hello: " + d.reason(), true));
      case Tick t -> t.atMillis() - a.sinceMillis() > config.helloTimeoutMillis()
          ? Step.of(new Failed(NO_HELLO, "worker did not connect within " + config.helloTimeoutMillis() + " ms", true))
          : Step.of(a);
      case Cancel c -> Step.of(new Cancelled(c.reason()));
      case PeerStored p -> Step.of(new AwaitingHello(a.plan(), a.peers().with(p.artifact(), p.stateHash()), a.sinceMillis()));
      case PeerStatus p -> Step.of(new AwaitingHello(a.plan(), a.peers().with(p.activity()), a.sinceMillis()));
    };
  }

  private Step running(Running r, WorkerEvent event) {
    return switch (event) {
      case Hello h -> fail(protocol("second hello while " + r.current() + " is running"));
      case Result res when res.commandId() != r.commandId() -> fail(protocol(
          "result for command " + res.commandId() + " while command " + r.commandId() + " (" + r.current() + ") is running"));
      // A result that arrives after the stage's deadline is a missed deadline too, whatever the
      // tick granularity: the deadline is a contract, not a sampling of it.
      case Result res when res.outcome() instanceof Ok
          && res.atMillis() - r.stageStartMillis() > config.deadline(r.current().kind()) ->
          fail(new Failed(DEADLINE, r.current() + " exceeded its deadline of " + config.deadline(r.current().kind())
              + " ms (finished after " + (res.atMillis() - r.stageStartMillis()) + " ms)", true), quit(r.plan(), r.stage()));
      case Result res -> switch (res.outcome()) {
        case Ok ok -> {
          Cmd done = new Cmd.StageDone(r.plan().context(), r.current(), ok, res.atMillis() - r.stageStartMillis());
          Step next = enter(r.plan(), r.peers(), r.workerId(), r.stage() + 1, res.atMillis());
          yield new Step(next.next(), prepend(done, next));
        }
        // UNSUPPORTED is never retryable: no replacement worker of this build can do better.
        case Failure f -> fail(new Failed(f.code(), r.current() + ": " + f.message(), f.retryable() && !UNSUPPORTED.equals(f.code())),
            quit(r.plan(), r.stage()));
      };
      case Heartbeat h -> Step.of(new Running(r.plan(), r.peers(), r.workerId(), r.stage(), r.stageStartMillis(), h.atMillis()));
      case Disconnected d -> Step.of(new Failed(DISCONNECTED, "worker lost during " + r.current() + ": " + d.reason(), true));
      case Tick t -> {
        long deadline = config.deadline(r.current().kind());
        long silent = t.atMillis() - r.lastHeardMillis();
        if (t.atMillis() - r.stageStartMillis() > deadline) {
          // A stuck worker may not read a Quit; the driver stops its process or thread.
          yield fail(new Failed(DEADLINE, r.current() + " exceeded its deadline of " + deadline + " ms", true));
        }
        if (config.heartbeatTimeoutMillis() > 0 && silent > config.heartbeatTimeoutMillis()) {
          yield fail(new Failed(UNRESPONSIVE, "no word from the worker for " + silent + " ms during " + r.current(), true));
        }
        yield Step.of(r);
      }
      case Cancel c -> Step.of(new Cancelled(c.reason()), quit(r.plan(), r.stage()), new Cmd.Hangup(false, c.reason()));
      case PeerStored p -> Step.of(new Running(r.plan(), r.peers().with(p.artifact(), p.stateHash()), r.workerId(), r.stage(),
          r.stageStartMillis(), r.lastHeardMillis()));
      case PeerStatus p -> {
        Peers peers = r.peers().with(p.activity());
        Running next = new Running(r.plan(), peers, r.workerId(), r.stage(), r.stageStartMillis(), r.lastHeardMillis());
        // A worker waiting inside its stage (REBASE polls for the predecessor's final state) whose
        // predecessor no longer has a worker would wait for nothing and hold a slot: stop it.
        yield r.current().peer().filter(n -> peers.readiness(n) == Peers.Readiness.PARK).isPresent()
            ? Step.of(new Parked(r.workerId(), r.current() + " waits for the " + r.current().peer().get()
                + ", whose worker is gone", true), new Cmd.Hangup(false, "parked: the predecessor has no worker"))
            : Step.of(next);
      }
    };
  }

  private Step blocked(Blocked b, WorkerEvent event) {
    return switch (event) {
      case Hello h -> fail(protocol("second hello while waiting to " + b.next()));
      case Result r -> fail(protocol("result for command " + r.commandId() + " while no command is outstanding"));
      case Heartbeat h -> Step.of(new Blocked(b.plan(), b.peers(), b.workerId(), b.stage(), b.sinceMillis(), h.atMillis()));
      case Disconnected d -> Step.of(new Failed(DISCONNECTED, "worker lost while waiting to " + b.next() + ": " + d.reason(), true));
      // An idle worker sends no heartbeats (it has no command); a dead one shows as Disconnected.
      case Tick t -> t.atMillis() - b.sinceMillis() > config.peerWaitMillis()
          ? Step.of(new Parked(b.workerId(), b.next() + " waited more than " + config.peerWaitMillis() + " ms for the "
              + b.next().peer().map(PeerNeed::toString).orElse("predecessor"), false),
              quit(b.plan(), b.stage() - 1), new Cmd.Hangup(true, "parked"))
          : Step.of(b);
      case Cancel c -> Step.of(new Cancelled(c.reason()), quit(b.plan(), b.stage()), new Cmd.Hangup(false, c.reason()));
      case PeerStored p -> reconsider(b, b.peers().with(p.artifact(), p.stateHash()), p.atMillis());
      case PeerStatus p -> reconsider(b, b.peers().with(p.activity()), p.atMillis());
    };
  }

  /** A blocked worker learnt something about its predecessor: go on, keep waiting, or park. */
  private Step reconsider(Blocked b, Peers peers, long now) {
    return switch (readiness(b.next(), peers)) {
      case READY, PARK -> enter(b.plan(), peers, b.workerId(), b.stage(), now);
      case WAIT -> Step.of(new Blocked(b.plan(), peers, b.workerId(), b.stage(), b.sinceMillis(), b.lastHeardMillis()));
    };
  }

  /**
   * Moves to stage {@code i}: sends its command, waits for the predecessor (only while the
   * predecessor has a live worker), parks (Quit; a fresh worker resumes later), or finishes with
   * Quit.
   */
  private Step enter(Plan plan, Peers peers, String workerId, int i, long now) {
    StageDef s = plan.stage(i);
    if (s.kind() == StageKind.QUIT) {
      return Step.of(new Succeeded(workerId), send(plan, peers, i), new Cmd.Hangup(true, "done"));
    }
    return switch (readiness(s, peers)) {
      case READY -> Step.of(new Running(plan, peers, workerId, i, now, now), send(plan, peers, i));
      case WAIT -> Step.of(new Blocked(plan, peers, workerId, i, now, now));
      case PARK -> Step.of(new Parked(workerId, s + " waits for the " + s.peer().orElseThrow()
          + ", which has no worker now", false), quit(plan, i - 1), new Cmd.Hangup(true, "parked"));
    };
  }

  private static Peers.Readiness readiness(StageDef s, Peers peers) {
    return s.peer().map(peers::readiness).orElse(Peers.Readiness.READY);
  }

  private Cmd send(Plan plan, Peers peers, int i) {
    StageDef s = plan.stage(i);
    Command c = Commands.build(s, plan.context(), peers, Plan.commandId(i), config.deadline(s.kind()));
    return new Cmd.Send(s, c);
  }

  /** A Quit for a worker that is still connected but must stop (its id follows the current stage's). */
  private Cmd quit(Plan plan, int stage) {
    Command c = Command.newBuilder()
        .setCommandId(Plan.commandId(stage) + 1)
        .setDeadlineMillis(config.deadline(StageKind.QUIT))
        .setQuit(Quit.getDefaultInstance())
        .build();
    return new Cmd.Send(StageDef.quit(), c);
  }

  private static Failed protocol(String what) {
    return new Failed(PROTOCOL, "protocol error: " + what, true);
  }

  /** Fails the worker and closes its stream; {@code before} (e.g. a Quit) goes out first. */
  private static Step fail(Failed f, Cmd... before) {
    Cmd[] cmds = java.util.Arrays.copyOf(before, before.length + 1);
    cmds[before.length] = new Cmd.Hangup(false, f.reason());
    return Step.of(f, cmds);
  }

  private static java.util.List<Cmd> prepend(Cmd first, Step rest) {
    java.util.List<Cmd> out = new java.util.ArrayList<>(rest.cmds().size() + 1);
    out.add(first);
    out.addAll(rest.cmds());
    return out;
  }
}
