package io.tinythreads.rendezvous;

import io.grpc.Status;
import java.io.IOException;

/**
 * The rendezvous refused or ended a link, or a relayed message failed its check. {@link #code()} says
 * why, with the gRPC vocabulary: UNAUTHENTICATED (bad token), FAILED_PRECONDITION (protocol misuse),
 * RESOURCE_EXHAUSTED (the job's held-bytes budget), DATA_LOSS (hash mismatch), ABORTED (replaced by a
 * newer registration of the same chunk), UNAVAILABLE (relay down or shutting down), CANCELLED
 * (closed locally).
 */
public final class RendezvousException extends IOException {
  private final Status.Code code;

  RendezvousException(Status.Code code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  RendezvousException(Status.Code code, String message, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }
}
