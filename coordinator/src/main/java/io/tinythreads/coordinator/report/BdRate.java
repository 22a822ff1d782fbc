package io.tinythreads.coordinator.report;

import java.util.List;
import java.util.Objects;

/**
 * Bjøntegaard delta rate (G. Bjøntegaard, "Calculation of average PSNR differences between
 * RD-curves", ITU-T VCEG-M33, 2001): the average bitrate difference of a test encoder against a
 * reference at equal quality.
 *
 * <p>Method, as in VCEG-M33 and its common implementations: for each curve, fit the natural log
 * of the rate as a cubic polynomial of the quality (least squares; exact with four points);
 * integrate both polynomials over the quality interval where the curves overlap; the mean
 * difference of the logs over that interval, {@code d}, gives the delta rate {@code exp(d) - 1}
 * (positive: the test needs more bits for the same quality). The quality axis is whatever the
 * caller measures; the benchmarks use SSIM in dB (ExCamera's axis). Where the quality ranges do
 * not overlap there is nothing to compare, and the result says so instead of extrapolating.
 */
public final class BdRate {
  /** Points a cubic fit needs per curve. */
  public static final int MIN_POINTS = 4;

  private BdRate() {}

  /** One rate-distortion point: a rate (any positive unit, the same for both curves) and a quality. */
  public record Point(double rate, double quality) {
    public Point {
      if (!(rate > 0) || !Double.isFinite(rate)) {
        throw new IllegalArgumentException("rate must be positive and finite: " + rate);
      }
      if (!Double.isFinite(quality)) {
        throw new IllegalArgumentException("quality must be finite: " + quality);
      }
    }
  }

  /** The outcome: a delta or the reason there is none. */
  public sealed interface Result permits Delta, NotAvailable {}

  /**
   * @param percent the delta rate in percent ({@code +10} = the test needs 10 % more bits)
   * @param qualityLow the lower end of the overlap the delta is averaged over
   * @param qualityHigh its upper end
   */
  public record Delta(double percent, double qualityLow, double qualityHigh) implements Result {}

  /** No delta: {@code reason} says why (e.g. "no overlap"). */
  public record NotAvailable(String reason) implements Result {}

  /**
   * The delta rate of {@code test} against {@code reference}.
   *
   * @return a {@link Delta}, or {@link NotAvailable} when a curve has fewer than {@link
   *     #MIN_POINTS} distinct qualities or the quality ranges do not overlap
   */
  public static Result compute(List<Point> reference, List<Point> test) {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(test, "test");
    String why = usable("reference", reference);
    if (why == null) {
      why = usable("test", test);
    }
    if (why != null) {
      return new NotAvailable(why);
    }
    double refLo = min(reference);
    double refHi = max(reference);
    double testLo = min(test);
    double testHi = max(test);
    double lo = Math.max(refLo, testLo);
    double hi = Math.min(refHi, testHi);
    if (!(hi > lo)) {
      return new NotAvailable(String.format(java.util.Locale.ROOT,
          "no overlap: reference quality %.3f..%.3f, test %.3f..%.3f", refLo, refHi, testLo, testHi));
    }
    Fit pr = fitLogRate(reference);
    Fit pt = fitLogRate(test);
    double avg = (pt.integral(lo, hi) - pr.integral(lo, hi)) / (hi - lo);
    return new Delta((Math.exp(avg) - 1) * 100, lo, hi);
  }

  private static String usable(String name, List<Point> pts) {
    long distinct = pts.stream().mapToDouble(Point::quality).distinct().count();
    if (distinct < MIN_POINTS) {
      return "n/a: the " + name + " curve has " + distinct + " distinct quality values, a cubic fit needs "
          + MIN_POINTS;
    }
    return null;
  }

  private static double min(List<Point> pts) {
    return pts.stream().mapToDouble(Point::quality).min().orElseThrow();
  }

  private static double max(List<Point> pts) {
    return pts.stream().mapToDouble(Point::quality).max().orElseThrow();
  }

  /**
   * A least-squares cubic {@code ln(rate) = a0 + a1 t + a2 t^2 + a3 t^3} in the centred and
   * scaled quality {@code t = (q - mid) / half}, which maps the curve's quality range onto
   * [-1, 1]: a Vandermonde matrix of raw dB values near 40 would be badly conditioned.
   */
  // Visible for testing.
  record Fit(double mid, double half, double[] a) {
    /** ln(rate) at quality {@code q}. */
    double value(double q) {
      double t = (q - mid) / half;
      return a[0] + t * (a[1] + t * (a[2] + t * a[3]));
    }

    /** The integral of ln(rate) over quality from {@code lo} to {@code hi} (dq = half dt). */
    double integral(double lo, double hi) {
      return half * (antiderivative((hi - mid) / half) - antiderivative((lo - mid) / half));
    }

    private double antiderivative(double t) {
      return t * (a[0] + t * (a[1] / 2 + t * (a[2] / 3 + t * a[3] / 4)));
    }
  }

  // Visible for testing.
  static Fit fitLogRate(List<Point> pts) {
    if (pts.size() < MIN_POINTS) {
      throw new IllegalArgumentException("a cubic fit needs " + MIN_POINTS + " points, got " + pts.size());
    }
    double lo = min(pts);
    double hi = max(pts);
    double mid = (lo + hi) / 2;
    double half = (hi - lo) / 2;
    double[][] ata = new double[4][4];
    double[] atb = new double[4];
    for (Point p : pts) {
      double t = (p.quality() - mid) / half;
      double[] row = {1, t, t * t, t * t * t};
      double y = Math.log(p.rate());
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
          ata[i][j] += row[i] * row[j];
        }
        atb[i] += row[i] * y;
      }
    }
    return new Fit(mid, half, solve(ata, atb));
  }

  /** Gaussian elimination with partial pivoting on a small dense system. */
  private static double[] solve(double[][] m, double[] b) {
    int n = b.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = m[i].clone();
    }
    double[] x = b.clone();
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
          piv = r;
        }
      }
      if (Math.abs(a[piv][col]) < 1e-12) {
        throw new IllegalArgumentException("singular fit (qualities too close together)");
      }
      double[] tr = a[col];
      a[col] = a[piv];
      a[piv] = tr;
      double tx = x[col];
      x[col] = x[piv];
      x[piv] = tx;
      for (int r = col + 1; r < n; r++) {
        double f = a[r][col] / a[col][col];
        for (int k = col; k < n; k++) {
          a[r][k] -= f * a[col][k];
        }
        x[r] -= f * x[col];
      }
    }
    for (int r = n - 1; r >= 0; r--) {
      double sum = x[r];
      for (int k = r + 1; k < n; k++) {
        sum -= a[r][k] * x[k];
      }
      x[r] = sum / a[r][r];
    }
    return x;
  }

  /** "+12.3 %" or the reason there is no number. */
  public static String format(Result r) {
    return switch (r) {
      case Delta d -> String.format(java.util.Locale.ROOT, "%+.1f %%", d.percent());
      case NotAvailable na -> na.reason().startsWith("n/a") ? na.reason() : "n/a: " + na.reason();
    };
  }
}
