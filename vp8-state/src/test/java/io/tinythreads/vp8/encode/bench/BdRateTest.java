package io.tinythreads.vp8.encode.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The BD-rate against reference values computed with the usual numpy implementation
 * (np.polyfit(q, np.log(r), 3), np.polyint, integration over the overlap, exp(avg) - 1).
 */
class BdRateTest {
  @Test
  void matchesTheNumpyReferenceOnFourPoints() {
    double[] r1 = {686.76, 309.58, 157.11, 85.95};
    double[] q1 = {40.28, 37.18, 34.24, 31.42};
    double[] r2 = {893.34, 407.8, 204.93, 112.75};
    double[] q2 = {40.39, 37.21, 34.17, 31.24};
    assertThat(BdRate.percent(r1, q1, r2, q2)).isCloseTo(31.39737405490792, within(1e-9));
  }

  @Test
  void matchesTheNumpyReferenceOnFivePoints() {
    // A least-squares fit (more points than coefficients).
    double[] r3 = {1000, 700, 420, 300, 180};
    double[] q3 = {20.1, 18.7, 17.0, 15.9, 14.2};
    double[] r4 = {1300, 820, 560, 350, 240};
    double[] q4 = {20.4, 18.5, 17.3, 15.6, 14.6};
    assertThat(BdRate.percent(r3, q3, r4, q4)).isCloseTo(23.322150334090686, within(1e-9));
  }

  @Test
  void aConstantRateRatioIsItsBdRate() {
    double[] q = {14, 16.5, 18, 21, 23};
    double[] r = {100, 180, 260, 500, 800};
    double[] r2 = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      r2[i] = r[i] * 1.35;
    }
    assertThat(BdRate.percent(r, q, r2, q)).isCloseTo(35.0, within(1e-9));
    assertThat(BdRate.percent(r2, q, r, q)).isCloseTo((1 / 1.35 - 1) * 100, within(1e-9));
    assertThat(BdRate.percent(r, q, r, q)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void refusesCurvesItCannotCompare() {
    double[] q = {1, 2, 3, 4};
    double[] r = {1, 2, 3, 4};
    assertThatThrownBy(() -> BdRate.percent(new double[] {1, 2, 3}, new double[] {1, 2, 3}, r, q))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 4 points");
    assertThatThrownBy(() -> BdRate.percent(r, q, r, new double[] {5, 6, 7, 8}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not overlap");
    assertThatThrownBy(() -> BdRate.percent(new double[] {1, 0, 3, 4}, q, r, q))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anchorRate[1]");
  }
}
