package io.tinythreads.coordinator.launch;

import java.nio.file.Path;

/**
 * Everything a launcher needs to start one worker: where to dial, which chunk and attempt it works
 * on, its job token, and local folders.
 *
 * @param coordinatorAddress host:port the worker dials (loopback for local launchers)
 * @param scratchRoot folder under which the worker makes its own scratch folder
 * @param logFile where a separate process writes its stdout and stderr
 */
public record LaunchRequest(
    String coordinatorAddress,
    String jobId,
    int chunkIndex,
    int attempt,
    String token,
    String workerId,
    Path scratchRoot,
    Path logFile) {}
