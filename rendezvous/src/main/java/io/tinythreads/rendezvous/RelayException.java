package io.tinythreads.rendezvous;

/**
 * Why the relay refused something, in transport-neutral terms. The service adapter maps each
 * {@link Reason} to the gRPC status code of the same name (STYLE habit 12: map only at the boundary).
 */
final class RelayException extends RuntimeException {
  enum Reason {
    /** The job token does not match the job. */
    UNAUTHENTICATED,
    /** The request is well-formed but not allowed now (e.g. a Piece before Register, sending without a successor). */
    FAILED_PRECONDITION,
    /** A malformed envelope or piece (bad offset, oversized piece, empty kind...). */
    INVALID_ARGUMENT,
    /** The job's held-bytes budget cannot take the message. */
    RESOURCE_EXHAUSTED,
    /** A message whose content does not match the hash it carries. */
    DATA_LOSS,
    /** The registration was replaced by a newer one for the same (job, chunk). */
    ABORTED,
    /** A client connected but did not register in time. */
    DEADLINE_EXCEEDED,
    /** A bug in the relay. */
    INTERNAL
  }

  private final Reason reason;

  RelayException(Reason reason, String message) {
    super(message, null, false, false); // expected refusals: no stack trace to fill
    this.reason = reason;
  }

  Reason reason() {
    return reason;
  }
}
