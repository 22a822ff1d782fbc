package io.tinythreads.worker;

import io.tinythreads.proto.Failure;

/** A command failed in a way the coordinator should hear about as a typed {@link Failure}. */
final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final String UNSUPPORTED = "UNSUPPORTED";
  static final String PRECONDITION = "PRECONDITION";
  static final String BAD_COMMAND = "BAD_COMMAND";
  static final String INVALID_INPUT = "INVALID_INPUT";
  static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  static final String NOT_FOUND = "NOT_FOUND";
  static final String ENCODER = "ENCODER";
  static final String IO = "IO";
  static final String CANCELLED = "CANCELLED";
  static final String RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED";
  static final String INTERNAL = "INTERNAL";
  /** A decoder state is not the one expected (hash mismatch) or is corrupt; never joined. */
  static final String STATE_HASH = "STATE_HASH";
  /** Waited too long for something another worker produces (retryable). */
  static final String TIMEOUT = "TIMEOUT";

  private final String code;
  private final boolean retryable;

  CommandFailure(String code, String message, boolean retryable) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }

  CommandFailure(String code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  String code() {
    return code;
  }

  boolean retryable() {
    return retryable;
  }

  Failure toProto() {
    return Failure.newBuilder().setCode(code).setMessage(oneLine(getMessage())).setRetryable(retryable).build();
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replace('\n', ' ').replace('\r', ' ');
    return t.length() > 2000 ? t.substring(0, 2000) + "..." : t;
  }
}
