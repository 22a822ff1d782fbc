package io.tinythreads.coordinator.report;

import io.tinythreads.vp8.encode.bench.BdRate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The Bjøntegaard delta rate of one RD curve against another, with an honest "n/a" where it does
 * not exist. The arithmetic (VCEG-M33: least-squares cubic of ln(rate) in quality, integrated
 * over the overlapping quality range) is vp8-state's {@link BdRate}, shared with the re-encoder's
 * benchmark so that both benchmarks compute the same number; this class checks the
 * preconditions first and turns a missing overlap or too few points into a reason instead of an
 * exception.
 */
public final class RateDelta {
  /** Points a cubic fit needs per curve. */
  public static final int MIN_POINTS = 4;

  private RateDelta() {}

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

  /** No delta: {@code reason} says why (e.g. "no overlap: ..."). */
  public record NotAvailable(String reason) implements Result {}

  /** The delta rate of {@code test} against {@code reference}. */
  public static Result compute(List<Point> reference, List<Point> test) {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(test, "test");
    for (List<Point> c : List.of(reference, test)) {
      long distinct = c.stream().mapToDouble(Point::quality).distinct().count();
      if (distinct < MIN_POINTS) {
        return new NotAvailable("the " + (c == reference ? "reference" : "test") + " curve has " + distinct
            + " distinct quality values; a cubic fit needs " + MIN_POINTS);
      }
    }
    double refLo = min(reference);
    double refHi = max(reference);
    double testLo = min(test);
    double testHi = max(test);
    double lo = Math.max(refLo, testLo);
    double hi = Math.min(refHi, testHi);
    if (!(hi > lo)) {
      return new NotAvailable(String.format(Locale.ROOT, "no overlap: reference quality %.2f..%.2f, test %.2f..%.2f",
          refLo, refHi, testLo, testHi));
    }
    double pct = BdRate.percent(rates(reference), qualities(reference), rates(test), qualities(test));
    return new Delta(pct, lo, hi);
  }

  /** "+12.3 %" or "n/a: reason". */
  public static String format(Result r) {
    return switch (r) {
      case Delta d -> String.format(Locale.ROOT, "%+.1f %%", d.percent());
      case NotAvailable na -> "n/a: " + na.reason();
    };
  }

  private static double[] rates(List<Point> c) {
    return c.stream().mapToDouble(Point::rate).toArray();
  }

  private static double[] qualities(List<Point> c) {
    return c.stream().mapToDouble(Point::quality).toArray();
  }

  private static double min(List<Point> pts) {
    return pts.stream().mapToDouble(Point::quality).min().orElseThrow();
  }

  private static double max(List<Point> pts) {
    return pts.stream().mapToDouble(Point::quality).max().orElseThrow();
  }
}
