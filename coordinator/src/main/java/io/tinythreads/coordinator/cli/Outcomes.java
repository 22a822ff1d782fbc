package io.tinythreads.coordinator.cli;

import io.grpc.Status;
import io.tinythreads.proto.Job;

/**
 * Maps what the coordinator answered (a gRPC status on an RPC, or a job's terminal state and
 * google.rpc.Status) to {@link ExitCodes} and to the one-line message the user sees.
 */
final class Outcomes {
  private Outcomes() {}

  static boolean isTerminal(Job.State state) {
    return state == Job.State.SUCCEEDED || state == Job.State.FAILED || state == Job.State.CANCELLED;
  }

  /**
   * Exit code for a failed RPC or a job error code. The "the named thing is bad" codes
   * (AIP-193: INVALID_ARGUMENT for a bad input or output, NOT_FOUND for a missing one,
   * PERMISSION_DENIED for an unwritable one, OUT_OF_RANGE e.g. for zero frames) are input/output
   * problems; CANCELLED is a cancellation; everything else is internal (the caller turns a job's
   * other errors into {@link ExitCodes#JOB_FAILED}, see {@link #exitCode(Job)}).
   */
  static int exitCode(Status.Code code) {
    return switch (code) {
      case OK -> ExitCodes.OK;
      case INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, OUT_OF_RANGE -> ExitCodes.INPUT_OUTPUT;
      case CANCELLED -> ExitCodes.CANCELLED;
      default -> ExitCodes.INTERNAL;
    };
  }

  /** Exit code for a job as last seen: only terminal states map to 0, 3, 4 or 5. */
  static int exitCode(Job job) {
    return switch (job.getState()) {
      case SUCCEEDED -> ExitCodes.OK;
      case CANCELLED -> ExitCodes.CANCELLED;
      case FAILED -> {
        int c = exitCode(Status.fromCodeValue(job.getError().getCode()).getCode());
        yield c == ExitCodes.INPUT_OUTPUT || c == ExitCodes.CANCELLED ? c : ExitCodes.JOB_FAILED;
      }
      case QUEUED, RUNNING, STATE_UNSPECIFIED, UNRECOGNIZED -> ExitCodes.INTERNAL;
    };
  }

  /** The message for a job that did not succeed; for input problems the server's words alone. */
  static String describe(Job job) {
    String reason = job.getError().getMessage().strip();
    return switch (job.getState()) {
      case CANCELLED -> "job " + job.getName() + " was cancelled" + (reason.isEmpty() ? "" : ": " + reason);
      case FAILED -> {
        if (reason.isEmpty()) {
          reason = "no reason given (" + Status.fromCodeValue(job.getError().getCode()).getCode() + ")";
        }
        yield exitCode(job) == ExitCodes.INPUT_OUTPUT ? reason : "job " + job.getName() + " failed: " + reason;
      }
      default -> "job " + job.getName() + " ended in state " + job.getState();
    };
  }

  /**
   * Why a link failed when TLS is the likely cause: a failed handshake (no or a foreign client
   * certificate, an untrusted server certificate, TLS against plaintext), or a connection the
   * server closed without a word, which is what a TLS server does to a plaintext client.
   */
  static String tlsHint(Status status, String desc) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        // The deepest cause says most ("PKIX path building failed", "CERTIFICATE_REQUIRED").
        Throwable root = t;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        return ": TLS handshake failed (" + CoordinatorCli.oneLine(root.getMessage()) + "); check --tls-ca, and"
            + " --tls-client-cert/--tls-client-key if the coordinator requires client certificates";
      }
      if (t instanceof java.net.ConnectException) {
        return "";
      }
    }
    // The same drop seen a moment later: the client's next read or write fails on the dead
    // connection ("io exception" caused by an IOException such as "Connection reset by peer" or
    // "Broken pipe"). Nothing was refused (that is a ConnectException, above): the server
    // accepted the connection and then hung up.
    if (desc.equals("io exception")) {
      for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
        if (t instanceof java.io.IOException) {
          return ": the connection was reset without a gRPC answer; if the coordinator serves TLS, pass --tls-ca PEM"
              + " (or --tls)";
        }
      }
    }
    // What grpc-netty says when a TLS server drops a plaintext client's HTTP/2 preface.
    if (desc.startsWith("Network closed for unknown reason")) {
      return ": the connection was closed without a gRPC answer; if the coordinator serves TLS, pass --tls-ca PEM"
          + " (or --tls)";
    }
    return "";
  }

  /** The message for a failed RPC to {@code target}. */
  static String describe(Status status, String target) {
    String desc = status.getDescription() == null ? "" : status.getDescription().strip();
    return switch (status.getCode()) {
      case UNAVAILABLE -> {
        // grpc-netty appends its handler list to TLS failures: noise for a person.
        int pipeline = desc.indexOf("Channel Pipeline:");
        String d = pipeline >= 0 ? desc.substring(0, pipeline).replaceAll("[\\s;]+$", "") : desc;
        yield "cannot reach the coordinator at " + target + (d.isEmpty() ? "" : " (" + d + ")") + tlsHint(status, d);
      }
      case DEADLINE_EXCEEDED -> "the coordinator at " + target + " did not answer in time";
      // gRPC answers "Method not found" for a service the server lacks; otherwise UNIMPLEMENTED is
      // the coordinator saying a feature (pipeline, launcher) is not in this build, in its words.
      case UNIMPLEMENTED -> desc.isEmpty() || desc.startsWith("Method not found")
          ? "the server at " + target + " does not implement the tinythreads Jobs API" : desc;
      default -> desc.isEmpty() ? status.getCode().toString() : desc;
    };
  }
}
