package io.tinythreads.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tinythreads.coordinator.report.BdRate.Delta;
import io.tinythreads.coordinator.report.BdRate.NotAvailable;
import io.tinythreads.coordinator.report.BdRate.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BdRateTest {
  private static List<Point> curve(double[] rates, double[] qualities) {
    List<Point> pts = new ArrayList<>();
    for (int i = 0; i < rates.length; i++) {
      pts.add(new Point(rates[i], qualities[i]));
    }
    return pts;
  }

  /**
   * Expected values from an independent implementation of VCEG-M33 in numpy (np.polyfit(Q,
   * log(R), 3), np.polyint, overlap integral, exp(avg) - 1), run here:
   * bd_rate([1000,1800,3200,6000],[12.1,14.3,16.8,19.5],[1500,2600,4700,8600],[11.6,13.9,16.5,19.0])
   * = 59.69669101825188 over 12.1..19.0, and so on for the other two cases.
   */
  @Test
  void matchesAnIndependentImplementation() {
    BdRate.Result r = BdRate.compute(curve(new double[] {1000, 1800, 3200, 6000}, new double[] {12.1, 14.3, 16.8, 19.5}),
        curve(new double[] {1500, 2600, 4700, 8600}, new double[] {11.6, 13.9, 16.5, 19.0}));
    assertThat(r).isInstanceOf(Delta.class);
    Delta d = (Delta) r;
    assertThat(d.percent()).isCloseTo(59.69669101825188, within(1e-8));
    assertThat(d.qualityLow()).isEqualTo(12.1);
    assertThat(d.qualityHigh()).isEqualTo(19.0);

    // Five points: a least-squares cubic, not an interpolating one.
    Delta five = (Delta) BdRate.compute(
        curve(new double[] {1000, 1800, 3200, 6000, 9000}, new double[] {12.1, 14.3, 16.8, 19.5, 21.0}),
        curve(new double[] {1500, 2600, 4700, 8600, 13000}, new double[] {11.6, 13.9, 16.5, 19.0, 20.2}));
    assertThat(five.percent()).isCloseTo(61.17786946168546, within(1e-8));

    // PSNR-like axis near 35 dB, test better than reference.
    Delta better = (Delta) BdRate.compute(curve(new double[] {100, 200, 400, 800}, new double[] {30.0, 33.1, 36.0, 38.7}),
        curve(new double[] {90, 170, 330, 700}, new double[] {30.2, 33.0, 36.3, 39.1}));
    assertThat(better.percent()).isCloseTo(-18.038412848537188, within(1e-8));
    assertThat(BdRate.format(better)).isEqualTo("-18.0 %");
  }

  @Test
  void aConstantRateFactorIsExact() {
    double[] q = {10, 13, 15, 19, 22};
    double[] ref = {500, 900, 1500, 3000, 6100};
    double[] test = new double[ref.length];
    for (int i = 0; i < ref.length; i++) {
      test[i] = ref[i] * 1.1;
    }
    Delta d = (Delta) BdRate.compute(curve(ref, q), curve(test, q));
    assertThat(d.percent()).isCloseTo(10.0, within(1e-9));
    Delta same = (Delta) BdRate.compute(curve(ref, q), curve(ref, q));
    assertThat(same.percent()).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void fitReproducesACubicExactly() {
    // ln R = 0.5 + 0.2 q - 0.01 q^2 + 0.0003 q^3 sampled at six qualities: the fit must return it.
    List<Point> pts = new ArrayList<>();
    for (double q : new double[] {30, 32.5, 35, 37, 40, 44}) {
      pts.add(new Point(Math.exp(0.5 + 0.2 * q - 0.01 * q * q + 0.0003 * q * q * q), q));
    }
    BdRate.Fit f = BdRate.fitLogRate(pts);
    for (double q = 30; q <= 44; q += 0.5) {
      assertThat(f.value(q)).isCloseTo(0.5 + 0.2 * q - 0.01 * q * q + 0.0003 * q * q * q, within(1e-9));
    }
  }

  @Test
  void saysWhenThereIsNothingToCompare() {
    List<Point> low = curve(new double[] {100, 200, 300, 400}, new double[] {10, 11, 12, 13});
    List<Point> high = curve(new double[] {100, 200, 300, 400}, new double[] {14, 15, 16, 17});
    BdRate.Result r = BdRate.compute(low, high);
    assertThat(r).isInstanceOf(NotAvailable.class);
    assertThat(BdRate.format(r)).startsWith("n/a: no overlap: reference quality 10.000..13.000, test 14.000..17.000");
    BdRate.Result few = BdRate.compute(low, curve(new double[] {100, 200, 300}, new double[] {10, 11, 12}));
    assertThat(BdRate.format(few)).contains("test curve has 3 distinct quality values");
  }
}
