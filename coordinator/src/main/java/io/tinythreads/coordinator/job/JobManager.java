package io.tinythreads.coordinator.job;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.coordinator.launch.Launcher;
import io.tinythreads.fsm.FsmConfig;
import io.tinythreads.fsm.WorkerFsm;
import io.tinythreads.media.MediaException;
import io.tinythreads.media.VideoSource;
import io.tinythreads.proto.Hello;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobEvent;
import io.tinythreads.proto.JobSpec;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.rendezvous.JobTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-agnostic job core: submit, get, list, cancel, watch, and the attachment of worker
 * sessions. The gRPC services are thin adapters over this class; it throws
 * {@link InvalidSpecException}, {@link JobNotFoundException} and
 * {@link UnsupportedOperationException}, which they map to status codes.
 */
public final class JobManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobManager.class);
  public static final String JOBS_PREFIX = "jobs/";
  public static final String OPERATIONS_PREFIX = "operations/";
  static final int DEFAULT_PAGE_SIZE = 50;
  static final int MAX_PAGE_SIZE = 1000;

  /**
   * What the core needs from the server.
   *
   * @param rendezvousAddress host:port workers use for the state relay
   * @param coordinatorAddress host:port local workers dial (known once the server is bound)
   * @param clock monotonic milliseconds (FSM time)
   * @param launchers the launcher for each kind (throws UnsupportedOperationException if unavailable)
   */
  public record Settings(
      BlobStore blobs,
      Path workDir,
      JobTokens tokens,
      String rendezvousAddress,
      Supplier<String> coordinatorAddress,
      LauncherKind defaultLauncher,
      int defaultWorkers,
      FsmConfig fsm,
      Function<LauncherKind, Launcher> launchers,
      JobHooks hooks,
      LongSupplier clock,
      Clock wallClock) {

    public static LongSupplier monotonicMillis() {
      long base = System.nanoTime();
      return () -> (System.nanoTime() - base) / 1_000_000L;
    }
  }

  private final Settings settings;
  private final SecureRandom random = new SecureRandom();
  private final Object lock = new Object();
  /** All jobs in submission order. Guarded by {@link #lock}. */
  private final LinkedHashMap<String, JobRun> jobs = new LinkedHashMap<>();
  private final Map<String, String> byRequestId = new HashMap<>();
  /**
   * Submission sequence number to job id, for paging. Page tokens carry the sequence number of the
   * next job to list rather than an index, so a deleted job does not shift later pages (a client
   * paging while jobs are deleted neither skips nor repeats a job). Guarded by {@link #lock}.
   */
  private final TreeMap<Long, String> order = new TreeMap<>();
  private final Map<String, Long> sequenceOf = new HashMap<>();
  private long nextSequence;
  /** Where jobs are recorded to survive a restart; null when they live only in memory (embedded). */
  private final JobJournal journal;
  /** Interrupted jobs re-created from the journal, started by {@link #startResumed} once workers can dial in. */
  private final List<JobRun> resumed = new ArrayList<>();

  /** Jobs in memory only: they end with this process (the embedded coordinator). */
  public JobManager(Settings settings) {
    this.settings = settings;
    this.journal = null;
  }

  /**
   * Jobs recorded in {@code journal}: the ones it holds come back, ended jobs as they ended, and
   * interrupted ones re-created under their id to be run again by {@link #startResumed} (their
   * workers skip every stage whose output an earlier run stored). An interrupted job whose input
   * cannot be opened any more ends FAILED, naming the input.
   */
  public JobManager(Settings settings, JobJournal journal) throws java.io.IOException {
    this.settings = settings;
    this.journal = journal;
    for (JobJournal.Entry e : journal.readAll()) {
      Job job = e.job();
      String id = job.getName().substring(JOBS_PREFIX.length());
      JobRun run;
      if (JobRun.terminal(job.getState())) {
        run = JobRun.ended(settings, job);
      } else {
        run = resume(e);
      }
      jobs.put(id, run);
      order.put(e.sequence(), id);
      sequenceOf.put(id, e.sequence());
      nextSequence = Math.max(nextSequence, e.sequence() + 1);
      if (!e.requestId().isEmpty()) {
        byRequestId.put(e.requestId(), id);
      }
    }
    if (!jobs.isEmpty()) {
      log.info("job journal {}: {} jobs, {} to resume", journal.dir(), jobs.size(), resumed.size());
    }
  }

  /** Re-creates an interrupted job, or ends it FAILED if it cannot run again. */
  private JobRun resume(JobJournal.Entry e) {
    Job job = e.job();
    String id = job.getName().substring(JOBS_PREFIX.length());
    try {
      JobRun run = newRun(id, job.getSpec(), job.getCreateTime(), e.sequence(), e.requestId());
      resumed.add(run);
      log.info("job {}: interrupted by a coordinator restart; resuming ({} -> {})", id, job.getSpec().getInputUri(),
          job.getSpec().getOutputUri());
      return run;
    } catch (RuntimeException x) {
      com.google.rpc.Code code = x instanceof InvalidSpecException ? com.google.rpc.Code.INVALID_ARGUMENT
          : x instanceof UnsupportedOperationException ? com.google.rpc.Code.UNIMPLEMENTED : com.google.rpc.Code.INTERNAL;
      String why = "coordinator restarted while the job ran and cannot resume it: input "
          + job.getSpec().getInputUri() + ": " + x.getMessage();
      java.time.Instant now = settings.wallClock().instant();
      Job failed = job.toBuilder()
          .setState(Job.State.FAILED)
          .setError(JobRun.status(code, why))
          .setEndTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
          .setProgress(job.getProgress().toBuilder().setStage("failed").setWorkersRunning(0))
          .build();
      log.warn("job {} failed: {}", id, why);
      try {
        journal.write(new JobJournal.Entry(e.sequence(), e.requestId(), failed));
      } catch (RuntimeException w) {
        log.error("job {}: {}", id, w.getMessage());
      }
      return JobRun.ended(settings, failed);
    }
  }

  /**
   * Starts the jobs resumed from the journal. Called once the server is bound: their workers dial
   * the coordinator's address, which is known only then.
   */
  public void startResumed() {
    List<JobRun> start;
    synchronized (lock) {
      start = new ArrayList<>(resumed);
      resumed.clear();
    }
    for (JobRun r : start) {
      r.start();
    }
  }

  /**
   * Checks the (normalized) spec's launcher and output, opens the input and builds the job; the
   * journal, if any, hears of its end.
   */
  private JobRun newRun(String id, JobSpec spec, com.google.protobuf.Timestamp createTime, long sequence,
      String requestId) {
    Launcher launcher = settings.launchers().apply(spec.getLauncher());
    OutputTarget out = OutputTarget.resolve(spec.getOutputUri(), spec.getContainer());
    spec = spec.toBuilder().setOutputUri(out.path().toString()).setContainer(out.container()).build();
    VideoSource source = openInput(spec.getInputUri());
    FsmConfig fsm = spec.getStageDeadlineMillis() > 0
        ? settings.fsm().withAllStageDeadlines(spec.getStageDeadlineMillis()) : settings.fsm();
    Consumer<Job> onEnd = journal == null ? null
        : ended -> journal.write(new JobJournal.Entry(sequence, requestId, ended));
    try {
      return new JobRun(settings, id, spec, source, out, launcher, new WorkerFsm(fsm), createTime, onEnd);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /**
   * Starts a job, or returns the job an earlier submission with the same {@code requestId}
   * started (AIP-155). The spec is checked and the input opened before anything starts, so a bad
   * spec or input fails here with a message naming the field or file.
   *
   * @throws InvalidSpecException for a bad spec, output location or input
   * @throws UnsupportedOperationException for a launcher not available in this build
   */
  public Job submit(String requestId, JobSpec requested) {
    synchronized (lock) {
      if (!requestId.isEmpty()) {
        String existing = byRequestId.get(requestId);
        if (existing != null) {
          return jobs.get(existing).snapshot();
        }
      }
      JobSpec spec = Specs.normalize(requested, settings.defaultLauncher(), settings.defaultWorkers());
      String id = newId();
      long sequence = nextSequence;
      JobRun run = newRun(id, spec, null, sequence, requestId);
      spec = run.snapshot().getSpec();
      if (journal != null) {
        // Recorded before it starts: a job the client was told about is never lost by a restart.
        try {
          journal.write(new JobJournal.Entry(sequence, requestId, run.snapshot()));
        } catch (RuntimeException e) {
          run.shutdownNow(true);  // never started: closes its input, journals nothing
          throw e;
        }
      }
      jobs.put(id, run);
      order.put(nextSequence, id);
      sequenceOf.put(id, nextSequence);
      nextSequence++;
      if (!requestId.isEmpty()) {
        byRequestId.put(requestId, id);
      }
      log.info("job {} submitted: {} -> {}", id, spec.getInputUri(), spec.getOutputUri());
      run.start();
      return run.snapshot();
    }
  }

  /** Opens the input now, so that a missing file or a non-video is reported by the submit itself. */
  private static VideoSource openInput(String uri) {
    String input = uri;
    if (uri.startsWith("file:")) {
      try {
        input = Path.of(java.net.URI.create(uri)).toString();
      } catch (IllegalArgumentException e) {
        throw new InvalidSpecException("spec.input_uri " + uri + ": not a valid file:// URI");
      }
    }
    try {
      return VideoSource.open(input);
    } catch (MediaException e) {
      throw new InvalidSpecException("spec.input_uri: " + e.getMessage(), e);
    }
  }

  private String newId() {
    byte[] b = new byte[6];
    random.nextBytes(b);
    String id;
    do {
      id = "j" + Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('_', 'x').replace('-', 'y');
      random.nextBytes(b);
    } while (jobs.containsKey(id));
    return id;
  }

  /** @throws JobNotFoundException if there is no such job; InvalidSpecException for a malformed name */
  public Job get(String name) {
    return find(name).snapshot();
  }

  /** A page of jobs in submission order. */
  public record Page(List<Job> jobs, String nextPageToken) {}

  public Page list(int pageSize, String pageToken) {
    if (pageSize < 0) {
      throw new InvalidSpecException("page_size must be >= 0, got " + pageSize);
    }
    int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
    long start = 0;
    if (!pageToken.isEmpty()) {
      try {
        start = Long.parseLong(new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new InvalidSpecException("page_token is not a token this server issued");
      }
    }
    synchronized (lock) {
      if (start < 0 || start > nextSequence) {
        throw new InvalidSpecException("page_token is not a token this server issued");
      }
      List<Job> page = new ArrayList<>();
      String next = "";
      for (Map.Entry<Long, String> e : order.tailMap(start, true).entrySet()) {
        if (page.size() == size) {
          next = Base64.getUrlEncoder().withoutPadding()
              .encodeToString(Long.toString(e.getKey()).getBytes(StandardCharsets.UTF_8));
          break;
        }
        page.add(jobs.get(e.getValue()).snapshot());
      }
      return new Page(page, next);
    }
  }

  /**
   * Forgets a finished job (google.longrunning DeleteOperation): it no longer appears in get, list
   * or watch, and a repeated request_id that named it starts a new job. The output and report
   * files stay where they are; they belong to the user.
   *
   * @throws JobNotFoundException if there is no such job
   * @throws JobNotDoneException if the job is still queued or running (cancel it first)
   */
  public void delete(String name) {
    JobRun run = find(name);
    synchronized (lock) {
      // A terminal state is final, so checking it under the lock cannot race with the job ending.
      Job.State state = run.snapshot().getState();
      if (!JobRun.terminal(state)) {
        throw new JobNotDoneException(name, state);
      }
      if (jobs.remove(run.id) == null) {
        throw new JobNotFoundException(name);  // deleted concurrently
      }
      order.remove(sequenceOf.remove(run.id));
      byRequestId.values().removeIf(run.id::equals);
      if (journal != null) {
        journal.delete(run.id);
      }
    }
    log.info("job {} deleted", run.id);
  }

  /** Cancels a job (no-op for a finished one) and returns it as it is afterwards. */
  public Job cancel(String name) {
    JobRun run = find(name);
    try {
      return run.cancel().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return run.snapshot();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("job {}: cancel did not complete: {}", run.id, e.toString());
      return run.snapshot();
    }
  }

  /**
   * Streams the job's events to {@code watcher}: the current state first, then each change; the
   * last event carries a terminal state. Returns an action that unsubscribes.
   */
  public Runnable watch(String name, Consumer<JobEvent> watcher) {
    return find(name).watch(watcher);
  }

  /**
   * Connects a worker's session (its token already verified) to its job.
   *
   * @throws JobNotFoundException if the job is unknown
   */
  public SessionSink attach(Hello hello, WorkerLink link) {
    JobRun run;
    synchronized (lock) {
      run = jobs.get(hello.getJobId());
    }
    if (run == null) {
      throw new JobNotFoundException(JOBS_PREFIX + hello.getJobId());
    }
    return run.attach(hello, link);
  }

  public JobTokens tokens() {
    return settings.tokens();
  }

  private JobRun find(String name) {
    String id;
    if (name.startsWith(JOBS_PREFIX)) {
      id = name.substring(JOBS_PREFIX.length());
    } else if (name.startsWith(OPERATIONS_PREFIX)) {
      id = name.substring(OPERATIONS_PREFIX.length());
    } else {
      throw new InvalidSpecException("name must be jobs/{job_id}, got '" + name + "'");
    }
    synchronized (lock) {
      JobRun run = jobs.get(id);
      if (run == null) {
        throw new JobNotFoundException(name);
      }
      return run;
    }
  }

  /** Cancels every running job (server shutdown). */
  @Override
  public void close() {
    List<JobRun> all;
    synchronized (lock) {
      all = new ArrayList<>(jobs.values());
    }
    for (JobRun r : all) {
      if (!JobRun.terminal(r.snapshot().getState())) {
        // A journaling coordinator leaves the job to its successor, which resumes it.
        r.shutdownNow(journal != null);
      }
    }
  }
}
