package io.tinythreads.coordinator.job;

/** No job has this name. Maps to NOT_FOUND. */
public final class JobNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobNotFoundException(String name) {
    super("no job named " + name);
  }
}
