package io.tinythreads.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinythreads.coordinator.report.RateDelta.Delta;
import io.tinythreads.coordinator.report.RateDelta.NotAvailable;
import io.tinythreads.coordinator.report.RateDelta.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The n/a handling around vp8-state's BdRate, and the number on data checked independently. */
class RateDeltaTest {
  private static List<Point> curve(double[] rates, double[] qualities) {
    List<Point> pts = new ArrayList<>();
    for (int i = 0; i < rates.length; i++) {
      pts.add(new Point(rates[i], qualities[i]));
    }
    return pts;
  }

  /**
   * Expected values from numpy, run here (np.polyfit(Q, np.log(R), 3), np.polyint, integral over
   * the overlap, exp(avg) - 1): 59.69669101825188 over 12.1..19.0, and 61.17786946168546 with a
   * fifth point each (least squares).
   */
  @Test
  void matchesAnIndependentImplementation() {
    RateDelta.Result r = RateDelta.compute(
        curve(new double[] {1000, 1800, 3200, 6000}, new double[] {12.1, 14.3, 16.8, 19.5}),
        curve(new double[] {1500, 2600, 4700, 8600}, new double[] {11.6, 13.9, 16.5, 19.0}));
    Delta d = (Delta) r;
    assertThat(d.percent()).isCloseTo(59.69669101825188, within(1e-8));
    assertThat(d.qualityLow()).isEqualTo(12.1);
    assertThat(d.qualityHigh()).isEqualTo(19.0);
    assertThat(RateDelta.format(d)).isEqualTo("+59.7 %");
    Delta five = (Delta) RateDelta.compute(
        curve(new double[] {1000, 1800, 3200, 6000, 9000}, new double[] {12.1, 14.3, 16.8, 19.5, 21.0}),
        curve(new double[] {1500, 2600, 4700, 8600, 13000}, new double[] {11.6, 13.9, 16.5, 19.0, 20.2}));
    assertThat(five.percent()).isCloseTo(61.17786946168546, within(1e-8));
  }

  @Test
  void saysWhenThereIsNothingToCompare() {
    List<Point> low = curve(new double[] {100, 200, 300, 400}, new double[] {10, 11, 12, 13});
    List<Point> high = curve(new double[] {100, 200, 300, 400}, new double[] {14, 15, 16, 17});
    RateDelta.Result r = RateDelta.compute(low, high);
    assertThat(r).isInstanceOf(NotAvailable.class);
    assertThat(RateDelta.format(r)).isEqualTo("n/a: no overlap: reference quality 10.00..13.00, test 14.00..17.00");
    RateDelta.Result few = RateDelta.compute(low, curve(new double[] {100, 200, 300, 300}, new double[] {10, 11, 12, 12}));
    assertThat(RateDelta.format(few)).isEqualTo("n/a: the test curve has 3 distinct quality values; a cubic fit needs 4");
  }
}
