package io.tinythreads.coordinator.job;

import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.launch.LaunchRequest;
import io.tinythreads.coordinator.launch.Launcher;
import io.tinythreads.coordinator.launch.WorkerHandle;
import io.tinythreads.coordinator.report.JobReport;
import io.tinythreads.coordinator.report.ReportInput;
import io.tinythreads.coordinator.report.Reports;
import io.tinythreads.coordinator.report.StageEvent;
import io.tinythreads.coordinator.report.StageEvents;
import io.tinythreads.fsm.BlobKeys;
import io.tinythreads.fsm.ChunkContext;
import io.tinythreads.fsm.Cmd;
import io.tinythreads.fsm.PeerActivity;
import io.tinythreads.fsm.Peers;
import io.tinythreads.fsm.PipelineDef;
import io.tinythreads.fsm.Pipelines;
import io.tinythreads.fsm.ProtoEvents;
import io.tinythreads.fsm.StageKind;
import io.tinythreads.fsm.Step;
import io.tinythreads.fsm.WorkerEvent;
import io.tinythreads.fsm.WorkerFsm;
import io.tinythreads.fsm.WorkerState;
import io.tinythreads.media.MediaException;
import io.tinythreads.media.RawChunks;
import io.tinythreads.media.VideoSource;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.Hello;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobProgress;
import io.tinythreads.proto.JobResult;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.proto.WorkerMessage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job from submission to its end: ingest, worker launches, the worker FSMs, retries, the join.
 *
 * <p>Concurrency: all mutable state below is confined to the job's actor thread ({@link #actor}).
 * Session streams, launcher exit callbacks, the ingest thread and the join thread only
 * {@link #post} tasks to it, so the FSM steps of one job run one at a time, in arrival order, with
 * no locks. Readers on other threads see the immutable {@link #snapshot}.
 */
final class JobRun {
  private static final Logger log = LoggerFactory.getLogger(JobRun.class);
  static final long TICK_MILLIS = 100;
  /** Without a progress change, watchers still get an update this often (frames/s and ETA move). */
  static final long REFRESH_MILLIS = 1_000;

  private final JobManager.Settings settings;
  final String id;
  private final JobSpec spec;
  private final PipelineDef pipeline;
  private final OutputTarget output;
  private final Launcher launcher;
  private final WorkerFsm fsm;
  private final String token;
  private final Timestamp createTime;
  private final ScheduledExecutorService actor;
  private final CopyOnWriteArrayList<Consumer<JobEvent>> watchers = new CopyOnWriteArrayList<>();
  /** Ingest may run this many chunks ahead of the finished ones (bounds raw data in the blob store). */
  private final Semaphore ingestWindow;
  private volatile boolean stopping;
  /**
   * The coordinator is stopping and journals its jobs: this one ends here but resumes in the next
   * coordinator, so its intermediates stay in the blob store and its journal record stays unfinished.
   */
  private volatile boolean interrupted;
  /** Told the job's terminal state before watchers see it (the journal); null for none. */
  private final Consumer<Job> onEnd;
  /** The terminal state once decided (read by the ingest thread's clean-up). */
  private volatile Job.State finalState;
  private volatile Job snapshot;

  // --- confined to the actor thread ---
  private VideoSource source;
  private VideoInfo video;
  private Job.State state = Job.State.QUEUED;
  private String stage = "ingest";
  private Status error;
  private JobResult result;
  private Timestamp endTime;
  private final List<ChunkRun> chunks = new ArrayList<>();
  private boolean ingestDone;
  private long framesIngested;
  private int running;
  private int retries;
  private int chunksDone;
  private long framesDone;
  private long startMillis;
  private long firstLaunchMillis = -1;
  private long lastPublishMillis;
  private JobProgress lastPublishedProgress;
  private boolean joining;
  private ScheduledFuture<?> ticker;
  /** The job's time origin for the report's timeline (wall clock, set by begin()). */
  private long startUnixMicros;
  /** Every stage of every worker, for the job report (REPORT_API.md stage names). */
  private final List<StageEvent> timeline = new ArrayList<>();
  /** The joined output once it is in place (deleted again if the job ends any other way than SUCCEEDED). */
  private Path committedOutput;

  /** One chunk and its attempts. */
  private static final class ChunkRun {
    ChunkSpec spec;
    /** Workers launched for this chunk (the next one's attempt number). */
    int attempts;
    /** Attempts that failed; parked workers do not count (they stopped through no fault of theirs). */
    int failures;
    Attempt current;
    boolean done;
    /** Whether the chunk may be launched: it is stored, and it is known whether it ends its batch. */
    boolean known;
    /** This chunk's artifacts in the blob store, as far as the coordinator knows (refreshed at launch). */
    final Set<Artifact> stored = EnumSet.noneOf(Artifact.class);
    /** State hashes its workers reported (END_STATE from DumpState, FINAL_STATE from Rebase). */
    final Map<Artifact, Long> hashes = new EnumMap<>(Artifact.class);
    /** The activity this chunk's successor was last told about. */
    PeerActivity told = PeerActivity.IDLE;
    WorkerState.Failed lastFailure;
    /** A worker of this chunk was sent its Rebase: its parallel stages are behind it. */
    boolean rebasing;

    ChunkRun(ChunkSpec spec) {
      this.spec = spec;
    }

    int index() {
      return spec.getIndex();
    }
  }

  /**
   * Which launchable chunk gets the next free worker slot. Chunks that ran before (a retry, or a
   * parked chunk whose predecessor has moved on) go first, in chunk order: they are the serial
   * chain, and everything after them waits on them. Fresh chunks then start by position in batch,
   * batch heads of every batch first (excamera-notes 3.4, "assign the earliest workers to the
   * chain heads"), so a chunk's predecessor is always launched before it and the chain is never
   * starved by the parallel work behind it.
   */
  private static final Comparator<ChunkRun> LAUNCH_ORDER = Comparator
      .comparing((ChunkRun c) -> c.attempts == 0)
      .thenComparingInt(c -> c.attempts > 0 ? c.index() : c.spec.getPositionInBatch())
      .thenComparingInt(c -> c.spec.getBatch())
      .thenComparingInt(ChunkRun::index);

  /** One worker working on a chunk. */
  private static final class Attempt {
    final int number;
    final String workerId;
    WorkerState state;
    WorkerHandle handle;
    WorkerLink link;
    /** When it was launched, and when each command went out (wall clock), for the timeline. */
    long launchUnixMicros;
    final Map<Long, Command> sent = new HashMap<>();
    final Map<Long, Long> sentUnixMicros = new HashMap<>();

    Attempt(int number, String workerId, WorkerState state) {
      this.number = number;
      this.workerId = workerId;
      this.state = state;
    }
  }

  /**
   * A job to run. {@code createTime} is null for a new job, or the original creation time of a job
   * resumed after a coordinator restart.
   */
  JobRun(JobManager.Settings settings, String id, JobSpec spec, VideoSource source, OutputTarget output,
      Launcher launcher, WorkerFsm fsm, Timestamp createTime, Consumer<Job> onEnd) {
    this.settings = settings;
    this.onEnd = onEnd;
    this.id = id;
    this.spec = spec;
    this.pipeline = Pipelines.of(spec.getPipeline());
    this.source = source;
    this.video = source.info();
    this.output = output;
    this.launcher = launcher;
    this.fsm = fsm;
    this.token = settings.tokens().tokenFor(id);
    Instant now = settings.wallClock().instant();
    this.createTime = createTime != null ? createTime
        : Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    this.ingestWindow = new Semaphore(Math.max(8, 3 * spec.getWorkers()));
    this.actor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "job-" + id);
      t.setDaemon(true);
      return t;
    });
    this.snapshot = buildSnapshot(progress());
  }

  /** A job that ended under an earlier coordinator, as its journal recorded it: nothing runs. */
  private JobRun(JobManager.Settings settings, Job ended) {
    this.settings = settings;
    this.onEnd = null;
    this.id = ended.getName().substring(JobManager.JOBS_PREFIX.length());
    this.spec = ended.getSpec();
    this.pipeline = Pipelines.of(spec.getPipeline());
    this.output = null;
    this.launcher = null;
    this.fsm = null;
    this.token = "";
    this.createTime = ended.getCreateTime();
    this.ingestWindow = new Semaphore(0);
    // Shut down from the start: watch() answers with the snapshot at once, cancel() is a no-op and
    // a worker claiming this job is turned away.
    this.actor = Executors.newSingleThreadScheduledExecutor();
    this.actor.shutdown();
    this.state = ended.getState();
    this.finalState = ended.getState();
    this.stopping = true;
    this.video = ended.getVideo();
    this.error = ended.hasError() ? ended.getError() : null;
    this.result = ended.hasResult() ? ended.getResult() : null;
    this.endTime = ended.hasEndTime() ? ended.getEndTime() : null;
    this.stage = ended.getProgress().getStage();
    this.snapshot = ended;
  }

  static JobRun ended(JobManager.Settings settings, Job job) {
    if (!terminal(job.getState())) {
      throw new IllegalArgumentException(job.getName() + " is " + job.getState() + ", not ended");
    }
    return new JobRun(settings, job);
  }

  // ------------------------------------------------------------------ called from any thread

  Job snapshot() {
    return snapshot;
  }

  void start() {
    post(this::begin);
  }

  /** Cancels the job; completes with the job as it is afterwards. */
  CompletableFuture<Job> cancel() {
    CompletableFuture<Job> f = new CompletableFuture<>();
    if (!post(() -> {
      finish(Job.State.CANCELLED, null, null, "cancelled");
      f.complete(snapshot);
    })) {
      f.complete(snapshot);
    }
    return f;
  }

  /**
   * Subscribes to events: the current state at once, then every change. The last event has a
   * terminal state; nothing follows it. Returns the unsubscribe action.
   */
  Runnable watch(Consumer<JobEvent> watcher) {
    Runnable unsubscribe = () -> watchers.remove(watcher);
    boolean posted = post(() -> {
      watcher.accept(event(snapshot, ""));
      if (!terminal(state)) {
        watchers.add(watcher);
      }
    });
    if (!posted) {
      watcher.accept(event(snapshot, ""));
    }
    return unsubscribe;
  }

  /** A worker said Hello (its token already verified). */
  SessionSink attach(Hello hello, WorkerLink link) {
    int chunk = hello.getChunkIndex();
    int attempt = hello.getAttempt();
    if (!post(() -> onHello(hello, link))) {
      link.close(false, "job " + id + " is over");
    }
    return new SessionSink() {
      @Override
      public void message(WorkerMessage m) {
        post(() -> onMessage(chunk, attempt, link, m));
      }

      @Override
      public void closed(String reason) {
        post(() -> onLinkClosed(chunk, attempt, link, reason));
      }
    };
  }

  /**
   * Ends the job because the coordinator stops. With {@code resumable} (a journaling coordinator)
   * its intermediates stay in the blob store and its journal record unfinished, so the next
   * coordinator on the same work dir resumes it; otherwise it is cancelled and cleaned up.
   */
  void shutdownNow(boolean resumable) {
    interrupted = resumable;
    post(() -> finish(Job.State.CANCELLED, null, null, resumable
        ? "coordinator shutting down; the job resumes when it restarts" : "coordinator shutting down"));
    actor.shutdown();
    try {
      actor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean post(Runnable task) {
    try {
      actor.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("job {}: internal error", id, e);
          finish(Job.State.FAILED, status(Code.INTERNAL, "internal error: " + e), null, "internal error");
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ actor thread

  private long now() {
    return settings.clock().getAsLong();
  }

  private void begin() {
    if (terminal(state)) {
      return;
    }
    state = Job.State.RUNNING;
    startMillis = now();
    startUnixMicros = wallMicros();
    lastPublishMillis = startMillis;
    VideoSource src = source;
    source = null;
    Thread ingest = new Thread(() -> ingest(src), "ingest-" + id);
    ingest.setDaemon(true);
    ingest.start();
    ticker = actor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    publish("job started: " + video.getWidth() + "x" + video.getHeight() + ", " + pipeline.name() + " pipeline, "
        + spec.getFramesPerChunk() + " frames per chunk, " + spec.getWorkers() + " workers (" + launcher.kind() + ")");
  }

  private void tick() {
    if (terminal(state)) {
      return;
    }
    long now = now();
    for (ChunkRun c : chunks) {
      if (c.current != null && !c.current.state.terminal()) {
        step(c, c.current, new WorkerEvent.Tick(now));
      }
    }
    if (!terminal(state) && now - lastPublishMillis >= REFRESH_MILLIS) {
      publish("");
    }
  }

  private void onChunkStored(int index, long firstFrame, int frames) {
    framesIngested = firstFrame + frames;
    if (terminal(state)) {
      return;
    }
    int x = spec.getChunksPerBatch();
    ChunkSpec cs = ChunkSpec.newBuilder()
        .setIndex(index)
        .setFirstFrame(firstFrame)
        .setFrameCount(frames)
        .setBatch(index / x)
        .setPositionInBatch(index % x)
        .setLastInBatch(index % x == x - 1)
        .build();
    ChunkRun c = new ChunkRun(cs);
    c.stored.add(Artifact.ARTIFACT_RAW_CHUNK);
    chunks.add(c);
    enqueueLaunchable();
    publish("");
  }

  private void onIngestDone(long frames, int count) {
    ingestDone = true;
    timeline.add(new StageEvent(-1, 0, "coordinator", "ingest", startUnixMicros,
        Math.max(startUnixMicros, wallMicros()), true, ""));
    framesIngested = frames;
    if (terminal(state)) {
      return;
    }
    noteSerialPhase();
    if (count == 0) {
      fail(Code.INVALID_ARGUMENT, "spec.input_uri " + spec.getInputUri() + ": no frames");
      return;
    }
    ChunkRun last = chunks.getLast();
    if (!last.spec.getLastInBatch()) {
      last.spec = last.spec.toBuilder().setLastInBatch(true).build();
    }
    video = video.toBuilder().setFrameCount(frames).build();
    log.info("job {}: ingest done, {} frames in {} chunks", id, frames, count);
    enqueueLaunchable();
    maybeJoin();
    publish("ingest done: " + frames + " frames in " + count + " chunks");
  }

  private void onIngestFailed(RuntimeException e) {
    if (terminal(state)) {
      return;
    }
    if (e instanceof MediaException) {
      fail(Code.INVALID_ARGUMENT, "spec.input_uri " + spec.getInputUri() + ": " + e.getMessage());
    } else {
      fail(Code.INTERNAL, "ingest: " + e.getMessage());
    }
  }

  /**
   * Marks every stored chunk that may start. An xc chunk must know whether it is the last of its
   * batch (it then sends no state on), so it waits until its successor is stored or ingest ended.
   */
  private void enqueueLaunchable() {
    for (ChunkRun c : chunks) {
      if (!c.known) {
        c.known = !pipeline.needsRendezvous() || ingestDone || c.index() + 1 < chunks.size()
            || c.spec.getLastInBatch();
      }
    }
    maybeLaunch();
  }

  /**
   * Fills free worker slots with the launchable chunks in {@link #LAUNCH_ORDER}. A chunk is
   * launchable if a worker would get something done before it has to wait for its predecessor
   * ({@link WorkerFsm#worthLaunching}); workers wait only on live predecessors (the FSM parks
   * them otherwise), and every predecessor is launched before its successor, so the workers that
   * hold slots while waiting always wait on a chain that ends in a worker making progress: the job
   * cannot deadlock, even with one worker.
   */
  private void maybeLaunch() {
    while (!terminal(state) && running < spec.getWorkers()) {
      ChunkRun next = null;
      for (ChunkRun c : chunks) {
        if (c.done || c.current != null || !c.known || next != null && LAUNCH_ORDER.compare(c, next) >= 0) {
          continue;
        }
        if (WorkerFsm.worthLaunching(context(c), c.stored, peersOf(c))) {
          next = c;
        }
      }
      if (next == null) {
        return;
      }
      launch(next);
    }
  }

  private ChunkContext context(ChunkRun c) {
    return new ChunkContext(id, pipeline, video, c.spec, spec.getSettings(), settings.blobs().uri(),
        settings.rendezvousAddress());
  }

  /** The chunk before {@code c} in its batch, or null for a batch head. */
  private ChunkRun predecessor(ChunkRun c) {
    return c.spec.getPositionInBatch() > 0 && c.index() > 0 ? chunks.get(c.index() - 1) : null;
  }

  /** The chunk after {@code c} in its batch, or null. */
  private ChunkRun successor(ChunkRun c) {
    if (c.index() + 1 >= chunks.size()) {
      return null;
    }
    ChunkRun next = chunks.get(c.index() + 1);
    return next.spec.getPositionInBatch() > 0 ? next : null;
  }

  /** What {@code c}'s predecessor has stored (with the hashes it reported) and is doing. */
  private Peers peersOf(ChunkRun c) {
    ChunkRun p = predecessor(c);
    if (p == null) {
      return Peers.none();
    }
    Map<Artifact, Long> m = new EnumMap<>(Artifact.class);
    for (Artifact a : p.stored) {
      m.put(a, p.hashes.getOrDefault(a, 0L));
    }
    return new Peers(m, activity(p));
  }

  private static PeerActivity activity(ChunkRun c) {
    Attempt a = c.current;
    if (a == null || a.state.terminal()) {
      return PeerActivity.IDLE;
    }
    return a.state instanceof WorkerState.Running r && r.current().kind() == StageKind.REBASE
        ? PeerActivity.REBASING : PeerActivity.ACTIVE;
  }

  /** Tells {@code c}'s successor (if it has a worker) that {@code c}'s activity changed. */
  private void propagate(ChunkRun c) {
    ChunkRun next = successor(c);
    if (next == null) {
      return;
    }
    PeerActivity now = activity(c);
    if (now == c.told) {
      return;
    }
    c.told = now;
    if (next.current != null && !next.current.state.terminal()) {
      step(next, next.current, new WorkerEvent.PeerStatus(now, now()));
    }
    // A parked successor may be launchable now (its predecessor is rebasing).
    maybeLaunch();
  }

  /** Records that {@code c} stored {@code art} and tells its successor's worker, if any. */
  private void noteStored(ChunkRun c, Artifact art) {
    c.stored.add(art);
    ChunkRun next = successor(c);
    if (next != null && next.current != null && !next.current.state.terminal()) {
      step(next, next.current, new WorkerEvent.PeerStored(art, c.hashes.getOrDefault(art, 0L), now()));
    }
  }

  /** Brings {@code c.stored} in line with the blob store; tells the successor about anything new. */
  private void refreshStored(ChunkRun c) {
    Set<Artifact> found = stored(c.index());
    c.stored.retainAll(found);
    for (Artifact a : found) {
      if (!c.stored.contains(a)) {
        // Stored by a worker whose result never arrived (it died right after the upload).
        noteStored(c, a);
      }
    }
  }

  private void launch(ChunkRun c) {
    int attempt = c.attempts++;
    String workerId = id + "-c" + c.index() + "-a" + attempt;
    refreshStored(c);
    ChunkRun pred = predecessor(c);
    if (pred != null) {
      refreshStored(pred);
    }
    Peers peers = peersOf(c);
    if (pred != null) {
      pred.told = peers.activity();
    }
    Attempt a = new Attempt(attempt, workerId, WorkerFsm.initial(context(c), c.stored, peers, now()));
    a.launchUnixMicros = wallMicros();
    c.current = a;
    running++;
    if (firstLaunchMillis < 0) {
      firstLaunchMillis = now();
      stage = "encode";
    }
    Path work = settings.workDir();
    LaunchRequest req = new LaunchRequest(settings.coordinatorAddress().get(), id, c.index(), attempt, token, workerId,
        work.resolve("scratch"), work.resolve("logs").resolve(id).resolve(String.format("chunk-%06d-attempt-%d.log", c.index(), attempt)));
    try {
      a.handle = launcher.launch(req);
    } catch (RuntimeException e) {
      log.warn("job {}: cannot launch worker for chunk {}: {}", id, c.index(), e.toString());
      step(c, a, new WorkerEvent.Disconnected("launch failed: " + e.getMessage(), now()));
      return;
    }
    log.debug("job {}: launched {} for chunk {} attempt {}: {}", id, workerId, c.index(), attempt, a.handle.describe());
    settings.hooks().workerLaunched(id, c.index(), attempt, a.handle);
    a.handle.exit().thenAccept(code -> post(() -> {
      if (c.current == a && !a.state.terminal()) {
        step(c, a, new WorkerEvent.Disconnected("worker exited with code " + code, now()));
      }
    }));
    propagate(c);
  }

  /** Which of chunk {@code index}'s artifacts are already in the blob store. */
  private Set<Artifact> stored(int index) {
    Set<Artifact> out = EnumSet.noneOf(Artifact.class);
    for (Artifact a : Artifact.values()) {
      if (a == Artifact.ARTIFACT_UNSPECIFIED || a == Artifact.UNRECOGNIZED) {
        continue;
      }
      if (settings.blobs().exists(BlobKeys.key(id, index, a))) {
        out.add(a);
      }
    }
    return out;
  }

  private void onHello(Hello hello, WorkerLink link) {
    int index = hello.getChunkIndex();
    ChunkRun c = index >= 0 && index < chunks.size() ? chunks.get(index) : null;
    Attempt a = c == null ? null : c.current;
    if (terminal(state)) {
      link.close(false, "job " + id + " is " + state);
      return;
    }
    if (a == null || a.number != hello.getAttempt() || a.link != null || a.state.terminal()) {
      link.close(false, "chunk " + index + " attempt " + hello.getAttempt() + " is not expected (superseded or unknown)");
      return;
    }
    a.link = link;
    timeline.add(new StageEvent(c.index(), a.number, a.workerId, "launch", a.launchUnixMicros,
        Math.max(a.launchUnixMicros, wallMicros()), true, ""));
    step(c, a, new WorkerEvent.Hello(hello.getWorkerId().isEmpty() ? a.workerId : hello.getWorkerId(), now()));
  }

  private void onMessage(int index, int attempt, WorkerLink link, WorkerMessage m) {
    Attempt a = attemptFor(index, attempt, link);
    if (a == null) {
      return;
    }
    WorkerEvent e = switch (m.getKindCase()) {
      case HELLO -> new WorkerEvent.Hello(m.getHello().getWorkerId(), now());
      case RESULT, HEARTBEAT -> ProtoEvents.fromProto(m, now());
      case KIND_NOT_SET -> new WorkerEvent.Result(0, new WorkerEvent.Failure(WorkerFsm.PROTOCOL,
          "empty worker message", true), now());
    };
    if (m.hasResult()) {
      Command sent = a.sent.get(m.getResult().getCommandId());
      if (sent != null && !sent.hasQuit()) {
        timeline.add(StageEvents.of(index, a.number, a.workerId, sent, m.getResult()));
      }
    }
    step(chunks.get(index), a, e);
  }

  private void onLinkClosed(int index, int attempt, WorkerLink link, String reason) {
    Attempt a = attemptFor(index, attempt, link);
    if (a != null) {
      step(chunks.get(index), a, new WorkerEvent.Disconnected(reason, now()));
    }
  }

  private Attempt attemptFor(int index, int attempt, WorkerLink link) {
    if (index < 0 || index >= chunks.size()) {
      return null;
    }
    Attempt a = chunks.get(index).current;
    return a != null && a.number == attempt && a.link == link ? a : null;
  }

  /** Runs one FSM step for an attempt and carries out its commands. */
  private void step(ChunkRun c, Attempt a, WorkerEvent e) {
    if (c.current != a) {
      return;
    }
    WorkerState before = a.state;
    Step st = fsm.step(before, e);
    a.state = st.next();
    for (Cmd cmd : st.cmds()) {
      execute(c, a, cmd);
    }
    if (!before.terminal() && a.state.terminal()) {
      recordFailure(c, a, before, e);
      attemptEnded(c, a);
    }
    propagate(c);
  }

  /**
   * A failure the coordinator decided (deadline, lost worker, no hello) goes into the timeline as
   * a failed bar for the stage it interrupted; a worker's own failure result is already there.
   */
  private void recordFailure(ChunkRun c, Attempt a, WorkerState before, WorkerEvent e) {
    if (!(a.state instanceof WorkerState.Failed f)) {
      return;
    }
    long now = wallMicros();
    String why = f.code() + ": " + f.reason();
    switch (before) {
      case WorkerState.AwaitingHello h -> timeline.add(new StageEvent(c.index(), a.number, a.workerId, "launch",
          a.launchUnixMicros, Math.max(a.launchUnixMicros, now), false, why));
      case WorkerState.Running r -> {
        Command cmd = a.sent.get(r.commandId());
        if (cmd != null && !(e instanceof WorkerEvent.Result res && res.commandId() == r.commandId())) {
          long start = a.sentUnixMicros.getOrDefault(r.commandId(), now);
          timeline.add(new StageEvent(c.index(), a.number, a.workerId, StageEvents.stageName(cmd), start,
              Math.max(start, now), false, why));
        }
      }
      default -> {
        // Blocked: no command was running.
      }
    }
  }

  private void execute(ChunkRun c, Attempt a, Cmd cmd) {
    switch (cmd) {
      case Cmd.Send s -> {
        a.sent.put(s.command().getCommandId(), s.command());
        a.sentUnixMicros.put(s.command().getCommandId(), wallMicros());
        if (a.link != null) {
          a.link.send(s.command());
        }
        if (s.stage().kind() != StageKind.QUIT) {
          settings.hooks().stageStarted(id, c.index(), a.number, s.stage().kind(), a.handle);
        }
        if (s.stage().kind() == StageKind.REBASE) {
          c.rebasing = true;
          noteSerialPhase();
        }
      }
      case Cmd.StageDone d -> {
        log.debug("job {}: chunk {} {} done in {} ms", id, c.index(), d.stage(), d.elapsedMillis());
        long hash = d.ok().stateHash();
        if (hash != 0) {
          // DumpState reports the end state's hash, Rebase the final state's.
          for (Artifact art : d.stage().produces()) {
            if (art == Artifact.ARTIFACT_END_STATE || art == Artifact.ARTIFACT_FINAL_STATE) {
              c.hashes.put(art, hash);
            }
          }
        }
        // Tell the successor in the batch that a blob it may wait for is stored (xc).
        for (Artifact art : d.stage().stores()) {
          noteStored(c, art);
        }
        if (!d.stage().stores().isEmpty()) {
          maybeLaunch();
        }
      }
      case Cmd.Hangup h -> {
        if (a.link != null) {
          a.link.close(h.ok(), h.reason());
        }
      }
    }
  }

  /**
   * The progress stage turns from "encode" to "rebase" when only the serial chain is left: the
   * input is ingested and every chunk is done or has reached its Rebase (xc only; independent
   * chunks have no rebase).
   */
  private void noteSerialPhase() {
    if (!stage.equals("encode") || !ingestDone) {
      return;
    }
    for (ChunkRun c : chunks) {
      if (!c.done && !c.rebasing) {
        return;
      }
    }
    stage = "rebase";
    publish("only the serial rebase chain is left");
  }

  private void attemptEnded(ChunkRun c, Attempt a) {
    running--;
    switch (a.state) {
      case WorkerState.Succeeded s -> {
        c.done = true;
        chunksDone++;
        framesDone += c.spec.getFrameCount();
        ingestWindow.release();
        // The raw frames are no longer needed by anyone (a done chunk is never re-run).
        settings.blobs().deletePrefix(BlobKeys.key(id, c.index(), Artifact.ARTIFACT_RAW_CHUNK));
        publish("chunk " + c.index() + " done");
        maybeLaunch();
        maybeJoin();
      }
      case WorkerState.Failed f -> {
        kill(a);
        c.lastFailure = f;
        c.failures++;
        log.info("job {}: chunk {} attempt {} failed: {} ({})", id, c.index(), a.number, f.reason(), f.code());
        if (terminal(state)) {
          return;
        }
        if (f.retryable() && c.failures < spec.getMaxAttemptsPerChunk()) {
          retries++;
          c.current = null; // launched again first: everything after this chunk may depend on it
          publish("chunk " + c.index() + " retried (attempt " + (c.failures + 1) + " of " + spec.getMaxAttemptsPerChunk()
              + "): " + f.reason());
          maybeLaunch();
        } else if (f.retryable()) {
          fail(codeFor(f), "chunk " + c.index() + " failed after " + c.failures + " attempts: " + f.reason());
        } else {
          fail(codeFor(f), "chunk " + c.index() + " failed: " + f.reason());
        }
      }
      case WorkerState.Cancelled x -> kill(a);
      case WorkerState.Parked p -> {
        if (p.aborted()) {
          kill(a);
        }
        log.info("job {}: chunk {} attempt {} parked: {}", id, c.index(), a.number, p.reason());
        c.current = null; // relaunched once its predecessor has moved on (maybeLaunch)
        if (!terminal(state)) {
          publish("chunk " + c.index() + " parked: " + p.reason());
          maybeLaunch();
        }
      }
      case WorkerState.AwaitingHello x -> throw new IllegalStateException("not terminal");
      case WorkerState.Running x -> throw new IllegalStateException("not terminal");
      case WorkerState.Blocked x -> throw new IllegalStateException("not terminal");
    }
  }

  private static Code codeFor(WorkerState.Failed f) {
    return switch (f.code()) {
      case WorkerFsm.UNSUPPORTED -> Code.UNIMPLEMENTED;
      case WorkerFsm.DEADLINE, WorkerFsm.NO_HELLO, WorkerFsm.UNRESPONSIVE, "TIMEOUT" -> Code.DEADLINE_EXCEEDED;
      case "INVALID_INPUT" -> Code.INVALID_ARGUMENT;
      case "STATE_HASH" -> Code.DATA_LOSS;
      default -> Code.ABORTED;
    };
  }

  private void kill(Attempt a) {
    if (a.handle != null) {
      a.handle.kill();
    }
  }

  private void maybeJoin() {
    if (joining || terminal(state) || !ingestDone || chunksDone < chunks.size()) {
      return;
    }
    joining = true;
    stage = "join";
    publish("all " + chunks.size() + " chunks encoded; joining");
    List<ChunkSpec> specs = chunks.stream().map(c -> c.spec).toList();
    VideoInfo v = video;
    Path temp = output.tempFor(id);
    long joinStart = wallMicros();
    Thread t = new Thread(() -> {
      try {
        Joiner.Joined j = Joiner.join(settings.blobs(), id, specs, v, output, temp, () -> stopping);
        post(() -> commit(j, joinStart));
      } catch (RuntimeException e) {
        Joiner.deleteQuietly(temp);
        log.warn("job {}: join failed", id, e);
        post(() -> fail(Code.INTERNAL, "join: " + e.getMessage()));
      }
    }, "join-" + id);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Renames the joined file into place, on the actor so that a cancel cannot slip in between, then
   * builds the job report on its own thread: from the workers' per-chunk quality sidecars, or, if
   * one is unusable, from a Java decode of the output compared with the source.
   */
  private void commit(Joiner.Joined j, long joinStartUnixMicros) {
    if (terminal(state)) {
      Joiner.deleteQuietly(j.temp());
      return;
    }
    try {
      try {
        Files.move(j.temp(), output.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(j.temp(), output.path(), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      Joiner.deleteQuietly(j.temp());
      fail(Code.INTERNAL, "cannot move the output into place at " + output.path() + ": " + e.getMessage());
      return;
    }
    committedOutput = output.path();
    timeline.add(new StageEvent(-1, 0, "coordinator", "join", joinStartUnixMicros,
        Math.max(joinStartUnixMicros, wallMicros()), true, ""));
    double wall = (now() - startMillis) / 1000.0;
    double seconds = j.frames() * (double) video.getFpsDen() / Math.max(1, video.getFpsNum());
    JobResult r = JobResult.newBuilder()
        .setOutputUri(output.path().toString())
        .setOutputBytes(j.bytes())
        .setFrames(j.frames())
        .setKeyframes(j.keyframes())
        .setBitrateKbps(seconds > 0 ? j.bytes() * 8 / seconds / 1000 : 0)
        .setWallSeconds(wall)
        .build();
    stage = "report";
    publish("joined " + output.path() + " (" + j.bytes() + " bytes, " + j.frames() + " frames, " + j.keyframes()
        + " keyframes); measuring quality");
    ReportInput in = new ReportInput(id, spec, video, output.path(), startUnixMicros, wall, j.chunks(),
        List.copyOf(timeline));
    String source = sourceForReport(spec.getInputUri());
    Thread t = new Thread(() -> {
      String uri = "";
      String note = "";
      try {
        // The workers measured their chunks (quality sidecars in the blob store, which finish()
        // deletes only after this thread posts); the whole output is decoded only if one is unusable.
        settings.hooks().reportStarting(id, settings.blobs());
        JobReport report = Reports.buildFromChunks(in, source, settings.blobs());
        if (!stopping) {
          uri = Reports.write(report, output.path()).json().toString();
        }
      } catch (IOException | RuntimeException e) {
        // The output is complete and valid; a report that cannot be made is not a failed job.
        log.warn("job {}: no report: {}", id, e.toString());
        note = "; no report: " + e.getMessage();
      }
      String reportUri = uri;
      String reportNote = note;
      post(() -> finish(Job.State.SUCCEEDED, null, r.toBuilder().setReportUri(reportUri).build(),
          "done: " + output.path() + " (" + j.bytes() + " bytes, " + j.frames() + " frames, " + j.keyframes()
              + " keyframes)" + (reportUri.isEmpty() ? "" : ", report " + reportUri) + reportNote));
    }, "report-" + id);
    t.setDaemon(true);
    t.start();
  }

  /** The input as VideoSource opens it (file:// URIs as paths, like the submit check). */
  private static String sourceForReport(String uri) {
    if (uri.startsWith("file:")) {
      try {
        return Path.of(java.net.URI.create(uri)).toString();
      } catch (IllegalArgumentException e) {
        return uri;
      }
    }
    return uri;
  }

  private long wallMicros() {
    Instant t = settings.wallClock().instant();
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private void fail(Code code, String message) {
    finish(Job.State.FAILED, status(code, message), null, "failed: " + message);
  }

  private void finish(Job.State to, Status err, JobResult res, String message) {
    if (terminal(state)) {
      return;
    }
    state = to;
    finalState = to;
    error = err;
    result = res;
    stage = to == Job.State.SUCCEEDED ? "done" : to.name().toLowerCase(java.util.Locale.ROOT);
    Instant now = settings.wallClock().instant();
    endTime = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    stopping = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    if (to != Job.State.SUCCEEDED && committedOutput != null) {
      // Cancelled while the report was being made: a cancelled job leaves no output.
      Joiner.deleteQuietly(committedOutput);
      Joiner.deleteQuietly(Reports.jsonPathFor(committedOutput));
      Joiner.deleteQuietly(Reports.htmlPathFor(committedOutput));
    }
    if (source != null) { // never started
      source.close();
      source = null;
    }
    String why = to == Job.State.CANCELLED ? "job cancelled" : "job " + to.name().toLowerCase(java.util.Locale.ROOT);
    for (ChunkRun c : chunks) {
      if (c.current != null && !c.current.state.terminal()) {
        step(c, c.current, new WorkerEvent.Cancel(why, now()));
      }
    }
    // If ingest is still running it stops at its next frame and cleans up again after its last write.
    cleanupBlobs();
    if (to == Job.State.FAILED) {
      log.warn("job {} failed: {}", id, err.getMessage());
    } else {
      log.info("job {}: {}", id, message);
    }
    JobProgress last = progress();
    if (onEnd != null && !interrupted) {
      // Journaled before anyone can see the terminal state, so a DeleteOperation that follows
      // what it saw always comes after this write. The same progress is published below, so the
      // journaled job equals the one clients saw.
      try {
        onEnd.accept(buildSnapshot(last));
      } catch (RuntimeException e) {
        log.error("job {}: its end was not journaled; a restarted coordinator will run it again", id, e);
      }
    }
    publish(message, last);
    watchers.clear();
    actor.shutdown();
  }

  /**
   * Intermediates are deleted when the job succeeds or is cancelled, and kept after a failure so
   * that the failed chunk can be examined (the log names the prefix).
   */
  private void cleanupBlobs() {
    String prefix = BlobKeys.jobPrefix(id);
    if (interrupted) {
      log.info("job {}: intermediates kept under {} in {} for the restarted coordinator", id, prefix,
          settings.blobs().uri());
      return;
    }
    if (finalState == Job.State.FAILED) {
      log.info("job {}: intermediates kept under {} in {}", id, prefix, settings.blobs().uri());
      return;
    }
    try {
      settings.blobs().deletePrefix(prefix);
    } catch (RuntimeException e) {
      log.warn("job {}: could not delete {}: {}", id, prefix, e.toString());
    }
  }

  private JobProgress progress() {
    long now = settings.clock().getAsLong();
    long total = ingestDone ? framesIngested : Math.max(video.getFrameCount(), framesIngested);
    int chunksTotal = ingestDone ? chunks.size()
        : total > 0 ? (int) ((total + spec.getFramesPerChunk() - 1) / spec.getFramesPerChunk()) : chunks.size();
    double fps = 0;
    if (firstLaunchMillis >= 0 && now > firstLaunchMillis && framesDone > 0) {
      fps = framesDone * 1000.0 / (now - firstLaunchMillis);
    }
    double eta = fps > 0 && total > 0 ? Math.max(0, total - framesDone) / fps : -1;
    if (state == Job.State.SUCCEEDED) {
      eta = 0;
    }
    return JobProgress.newBuilder()
        .setStage(stage)
        .setChunksTotal(chunksTotal)
        .setChunksDone(chunksDone)
        .setFramesTotal(Math.max(total, 0))
        .setFramesDone(framesDone)
        .setFramesPerSecond(fps)
        .setEtaSeconds(eta)
        .setWorkersRunning(running)
        .setWorkerRetries(retries)
        .build();
  }

  private Job buildSnapshot(JobProgress p) {
    Job.Builder b = Job.newBuilder()
        .setName(JobManager.JOBS_PREFIX + id)
        .setSpec(spec)
        .setState(state)
        .setProgress(p)
        .setCreateTime(createTime)
        .setVideo(video);
    if (error != null) {
      b.setError(error);
    }
    if (result != null) {
      b.setResult(result);
    }
    if (endTime != null) {
      b.setEndTime(endTime);
    }
    return b.build();
  }

  /**
   * Refreshes the snapshot and tells watchers, if anything they can see changed (frames/s and
   * ETA alone change every tick; those go out once per {@link #REFRESH_MILLIS}).
   */
  private void publish(String message) {
    publish(message, progress());
  }

  private void publish(String message, JobProgress p) {
    Job job = buildSnapshot(p);
    snapshot = job;
    long now = now();
    boolean changed = !message.isEmpty() || lastPublishedProgress == null || terminal(state)
        || !p.toBuilder().clearFramesPerSecond().clearEtaSeconds().build()
            .equals(lastPublishedProgress.toBuilder().clearFramesPerSecond().clearEtaSeconds().build())
        || now - lastPublishMillis >= REFRESH_MILLIS;
    if (!changed) {
      return;
    }
    lastPublishedProgress = p;
    lastPublishMillis = now;
    JobEvent e = event(job, message);
    for (Consumer<JobEvent> w : watchers) {
      try {
        w.accept(e);
      } catch (RuntimeException ex) {
        log.warn("job {}: watcher failed: {}", id, ex.toString());
        watchers.remove(w);
      }
    }
  }

  private JobEvent event(Job job, String message) {
    Instant now = settings.wallClock().instant();
    return JobEvent.newBuilder()
        .setJob(job)
        .setMessage(message)
        .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .build();
  }

  static boolean terminal(Job.State s) {
    return s == Job.State.SUCCEEDED || s == Job.State.FAILED || s == Job.State.CANCELLED;
  }

  static Status status(Code code, String message) {
    return Status.newBuilder().setCode(code.getNumber()).setMessage(message).build();
  }

  // ------------------------------------------------------------------ ingest thread

  /**
   * Reads the input and stores raw chunks of N frames; each chunk is announced to the actor as
   * soon as it is stored, so its worker starts while later chunks are still being read.
   */
  private void ingest(VideoSource src) {
    int n = spec.getFramesPerChunk();
    Path dir = settings.workDir().resolve("ingest").resolve(id);
    long frame = 0;
    int index = 0;
    try (VideoSource s = src) {
      Files.createDirectories(dir);
      byte[] buf = new byte[s.frameBytes()];
      VideoInfo info = s.info();
      boolean more = true;
      while (more && !stopping) {
        while (!ingestWindow.tryAcquire(200, TimeUnit.MILLISECONDS)) {
          if (stopping) {
            return;
          }
        }
        Path file = dir.resolve(String.format("%06d.y4m", index));
        int count = 0;
        try (RawChunks.Writer w = RawChunks.create(file, info, frame)) {
          while (count < n && (more = s.read(buf))) {
            w.write(buf);
            count++;
          }
          if (count == 0) {
            ingestWindow.release();
            break;
          }
          w.commit();
        }
        if (stopping) {
          Files.deleteIfExists(file);
          return;
        }
        String key = BlobKeys.key(id, index, Artifact.ARTIFACT_RAW_CHUNK);
        settings.blobs().putFile(key, file);
        Files.deleteIfExists(file);
        settings.hooks().rawChunkStored(id, index, key, settings.blobs());
        final int i = index;
        final long first = frame;
        final int c = count;
        post(() -> onChunkStored(i, first, c));
        frame += count;
        index++;
      }
      final long frames = frame;
      final int count = index;
      if (!stopping) {
        post(() -> onIngestDone(frames, count));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      post(() -> onIngestFailed(new java.io.UncheckedIOException(e.getMessage(), e)));
    } catch (RuntimeException e) {
      post(() -> onIngestFailed(e));
    } finally {
      deleteDir(dir);
      if (stopping && finalState != null) {
        // The job ended while ingest ran: remove whatever was stored after the job's own clean-up.
        cleanupBlobs();
      }
    }
  }

  private static void deleteDir(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Nothing was written, or a leftover temp file; neither matters for the job.
      log.debug("could not clean {}: {}", dir, e.toString());
    }
  }
}
