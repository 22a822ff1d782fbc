package io.tinythreads.coordinator.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Client-side range checks; every message names the flag, as vpxenc's do. */
final class Validation {
  private Validation() {}

  static void range(CommandLine cmd, String flag, Integer value, int lo, int hi) {
    if (value != null && (value < lo || value > hi)) {
      throw new ParameterException(cmd, flag + " must be between " + lo + " and " + hi + ", but was " + value);
    }
  }

  static void range(CommandLine cmd, String flag, Long value, long lo, long hi) {
    if (value != null && (value < lo || value > hi)) {
      throw new ParameterException(cmd, flag + " must be between " + lo + " and " + hi + ", but was " + value);
    }
  }

  static void range(CommandLine cmd, String flag, Double value, double lo, double hi) {
    if (value != null && (value.isNaN() || value < lo || value > hi)) {
      throw new ParameterException(cmd, flag + " must be between " + lo + " and " + hi + ", but was " + value);
    }
  }
}
