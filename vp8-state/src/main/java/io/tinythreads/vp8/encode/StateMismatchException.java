package io.tinythreads.vp8.encode;

import java.util.Locale;

/**
 * A chunk was given a decoder state other than the one it was encoded against: the 64-bit state
 * hash the chunk records ({@link #expected()}) differs from the hash of the state supplied
 * ({@link #actual()}). Rebasing refuses such input instead of producing a stream that decodes to
 * garbage.
 */
public final class StateMismatchException extends IllegalArgumentException {
  private final long expected;
  private final long actual;

  public StateMismatchException(String what, long expected, long actual) {
    super(String.format(Locale.ROOT, "%s: the chunk expects a decoder state with hash %016x, got %016x", what,
        expected, actual));
    this.expected = expected;
    this.actual = actual;
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }
}
