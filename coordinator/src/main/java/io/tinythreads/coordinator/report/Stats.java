package io.tinythreads.coordinator.report;

import java.util.Arrays;

/** Order statistics over small arrays. */
final class Stats {
  private Stats() {}

  /** The median (mean of the middle two for an even count); NaN for none. */
  static double median(double[] v) {
    return quantile(v, 0.5);
  }

  /**
   * The {@code q} quantile by linear interpolation between order statistics (numpy's default,
   * "type 7"); NaN for none.
   */
  static double quantile(double[] v, double q) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(s.length - 1, lo + 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }
}
