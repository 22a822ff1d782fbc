package io.tinythreads.coordinator.job;

import io.tinythreads.proto.Job;

/** The job must have ended for this call (delete); it has not. Maps to FAILED_PRECONDITION. */
public final class JobNotDoneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobNotDoneException(String name, Job.State state) {
    super(name + " is " + state.name().toLowerCase(java.util.Locale.ROOT)
        + "; only a finished job can be deleted (cancel it first)");
  }
}
