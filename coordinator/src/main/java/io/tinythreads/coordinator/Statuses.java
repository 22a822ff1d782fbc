package io.tinythreads.coordinator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tinythreads.coordinator.job.InvalidSpecException;
import io.tinythreads.coordinator.job.JobNotDoneException;
import io.tinythreads.coordinator.job.JobNotFoundException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where core exceptions become gRPC statuses (STYLE habit 12). */
final class Statuses {
  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  static StatusRuntimeException toStatus(RuntimeException e) {
    return switch (e) {
      case StatusRuntimeException s -> s;
      case InvalidSpecException x -> Status.INVALID_ARGUMENT.withDescription(x.getMessage()).asRuntimeException();
      case JobNotFoundException x -> Status.NOT_FOUND.withDescription(x.getMessage()).asRuntimeException();
      case JobNotDoneException x -> Status.FAILED_PRECONDITION.withDescription(x.getMessage()).asRuntimeException();
      case UnsupportedOperationException x -> Status.UNIMPLEMENTED.withDescription(x.getMessage()).asRuntimeException();
      case IllegalArgumentException x -> Status.INVALID_ARGUMENT.withDescription(x.getMessage()).asRuntimeException();
      default -> {
        log.error("internal error", e);
        yield Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException();
      }
    };
  }

  /** Answers a unary call with {@code call}'s value, or with the status its exception maps to. */
  static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
    T value;
    try {
      value = call.get();
    } catch (RuntimeException e) {
      out.onError(toStatus(e));
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }
}
