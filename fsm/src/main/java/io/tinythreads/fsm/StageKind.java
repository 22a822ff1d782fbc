package io.tinythreads.fsm;

/** One kind of worker command (worker_session.proto {@code Command.kind}). */
public enum StageKind {
  ASSIGN,
  FETCH,
  ENCODE_CHUNK,
  DUMP_STATE,
  ENCODE_GIVEN_STATE,
  REBASE,
  UPLOAD,
  QUIT
}
