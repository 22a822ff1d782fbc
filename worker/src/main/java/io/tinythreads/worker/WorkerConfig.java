package io.tinythreads.worker;

import io.tinythreads.tls.ClientTls;
import java.nio.file.Path;
import java.util.UUID;

/**
 * What one worker needs to find its coordinator and prove who it is.
 *
 * @param coordinator the coordinator's WorkerSession endpoint, {@code host:port}
 * @param jobId the job this worker belongs to
 * @param chunkIndex the chunk it works on (0-based)
 * @param token the per-job token the coordinator issued (checked against the Hello)
 * @param attempt 0 for the first worker of this chunk, then 1, 2, ...
 * @param workerId unique per worker incarnation; null or blank generates one
 * @param runtime "thread", "process", "lambda" or "kubernetes" (reported in Hello); null means "process"
 * @param scratchRoot where the private scratch directory is created; null means java.io.tmpdir
 * @param tls how to dial the coordinator and the rendezvous (one CA bundle and one client
 *     certificate for both links); null means plaintext
 */
public record WorkerConfig(String coordinator, String jobId, int chunkIndex, String token, int attempt,
    String workerId, String runtime, Path scratchRoot, ClientTls tls) {

  /** Plaintext links. */
  public WorkerConfig(String coordinator, String jobId, int chunkIndex, String token, int attempt,
      String workerId, String runtime, Path scratchRoot) {
    this(coordinator, jobId, chunkIndex, token, attempt, workerId, runtime, scratchRoot, ClientTls.PLAINTEXT);
  }

  public WorkerConfig {
    if (coordinator == null || coordinator.isBlank()) {
      throw new IllegalArgumentException("coordinator address is empty (expected host:port)");
    }
    HostPort.parse(coordinator);
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException("job id is empty");
    }
    if (chunkIndex < 0) {
      throw new IllegalArgumentException("chunk index must be >= 0, got " + chunkIndex);
    }
    if (token == null) {
      throw new IllegalArgumentException("token is null");
    }
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0, got " + attempt);
    }
    if (workerId == null || workerId.isBlank()) {
      workerId = "w-" + jobId + "-" + chunkIndex + "-" + attempt + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
    if (runtime == null || runtime.isBlank()) {
      runtime = "process";
    }
    if (scratchRoot == null) {
      scratchRoot = Path.of(System.getProperty("java.io.tmpdir"));
    }
    if (tls == null) {
      tls = ClientTls.PLAINTEXT;
    }
  }

  /** The same worker dialling with {@code tls}. */
  public WorkerConfig withTls(ClientTls tls) {
    return new WorkerConfig(coordinator, jobId, chunkIndex, token, attempt, workerId, runtime, scratchRoot, tls);
  }

  /** A config with generated worker id, runtime "process" and the default scratch root. */
  public static WorkerConfig of(String coordinator, String jobId, int chunkIndex, String token) {
    return new WorkerConfig(coordinator, jobId, chunkIndex, token, 0, null, null, null);
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "WorkerConfig[coordinator=" + coordinator + ", job=" + jobId + ", chunk=" + chunkIndex + ", attempt="
        + attempt + ", workerId=" + workerId + ", runtime=" + runtime + ", scratchRoot=" + scratchRoot + ", tls=" + tls.describe() + "]";
  }
}
