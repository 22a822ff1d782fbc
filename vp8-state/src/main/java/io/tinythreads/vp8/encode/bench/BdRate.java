package io.tinythreads.vp8.encode.bench;

/**
 * The Bjøntegaard delta rate (G. Bjøntegaard, "Calculation of average PSNR differences between
 * RD-curves", VCEG-M33, 2001): the average bitrate difference of a test encoder against an
 * anchor at equal quality. Each curve's log-rate is fitted by a least-squares cubic in quality,
 * both fits are integrated over the quality range the curves share, and the mean difference of
 * the log-rates is turned back into a ratio. Positive means the test needs more bits.
 */
public final class BdRate {
  private BdRate() {}

  /**
   * The BD-rate in percent of {@code (testRate, testQuality)} against {@code (anchorRate,
   * anchorQuality)}; rates in any common unit (for example bytes), quality in dB.
   *
   * @throws IllegalArgumentException for fewer than 4 points a curve, non-positive rates,
   *     mismatched array lengths or quality ranges that do not overlap
   */
  public static double percent(double[] anchorRate, double[] anchorQuality, double[] testRate, double[] testQuality) {
    double[] a = fit(anchorQuality, logs(anchorRate, "anchorRate"), "anchor");
    double[] t = fit(testQuality, logs(testRate, "testRate"), "test");
    double lo = Math.max(min(anchorQuality), min(testQuality));
    double hi = Math.min(max(anchorQuality), max(testQuality));
    if (!(hi > lo)) {
      throw new IllegalArgumentException("quality ranges do not overlap: anchor " + min(anchorQuality) + ".."
          + max(anchorQuality) + ", test " + min(testQuality) + ".." + max(testQuality));
    }
    double avg = (integral(t, lo, hi) - integral(a, lo, hi)) / (hi - lo);
    return (Math.exp(avg) - 1) * 100;
  }

  private static double[] logs(double[] r, String name) {
    double[] l = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      if (!(r[i] > 0)) {
        throw new IllegalArgumentException(name + "[" + i + "] must be positive: " + r[i]);
      }
      l[i] = Math.log(r[i]);
    }
    return l;
  }

  /**
   * Least-squares cubic {@code y = c0 + c1 t + c2 t^2 + c3 t^3} in {@code t = x - mean(x)}
   * (centred for conditioning); returns {c0, c1, c2, c3, mean}.
   */
  static double[] fit(double[] x, double[] y, String name) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(name + ": " + x.length + " qualities but " + y.length + " rates");
    }
    if (x.length < 4) {
      throw new IllegalArgumentException(name + ": a cubic fit needs at least 4 points, got " + x.length);
    }
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    // Normal equations A^T A c = A^T y with A[i][k] = t_i^k.
    double[][] m = new double[4][5];
    for (int i = 0; i < x.length; i++) {
      double t = x[i] - mean;
      double[] p = {1, t, t * t, t * t * t};
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 4; c++) {
          m[r][c] += p[r] * p[c];
        }
        m[r][4] += p[r] * y[i];
      }
    }
    for (int col = 0; col < 4; col++) {
      int piv = col;
      for (int r = col + 1; r < 4; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
          piv = r;
        }
      }
      double[] tmp = m[col];
      m[col] = m[piv];
      m[piv] = tmp;
      if (Math.abs(m[col][col]) < 1e-300) {
        throw new IllegalArgumentException(name + ": qualities are not distinct enough for a cubic fit");
      }
      for (int r = 0; r < 4; r++) {
        if (r != col) {
          double f = m[r][col] / m[col][col];
          for (int c = col; c < 5; c++) {
            m[r][c] -= f * m[col][c];
          }
        }
      }
    }
    return new double[] {m[0][4] / m[0][0], m[1][4] / m[1][1], m[2][4] / m[2][2], m[3][4] / m[3][3], mean};
  }

  /** The integral of a fitted cubic over {@code [lo, hi]} (in x). */
  static double integral(double[] c, double lo, double hi) {
    return antiderivative(c, hi - c[4]) - antiderivative(c, lo - c[4]);
  }

  private static double antiderivative(double[] c, double t) {
    return t * (c[0] + t * (c[1] / 2 + t * (c[2] / 3 + t * c[3] / 4)));
  }

  private static double min(double[] v) {
    double m = Double.POSITIVE_INFINITY;
    for (double x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }
}
