package io.tinythreads.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  @Test
  void aThousandsOfWorkersTimelineStaysAPicture() {
    JobReport base = SyntheticReports.xc6x4();
    List<StageEvent> tl = new ArrayList<>();
    long t0 = base.startUnixMicros();
    for (int k = 0; k < 3552; k++) {
      String w = "w" + k;
      tl.add(new StageEvent(k, 0, w, "launch", t0, t0 + 2_000_000, true, ""));
      tl.add(new StageEvent(k, 0, w, "encode_chunk", t0 + 2_000_000, t0 + 11_000_000, true, ""));
      tl.add(new StageEvent(k, 0, w, "rebase", t0 + 11_000_000, t0 + 11_000_000 + (k % 16) * 3_400_000L, true, ""));
    }
    JobReport big = new JobReport(base.version(), "big", base.setup(), base.video(), base.output(), 160, t0,
        base.summary(), base.chunks(), base.frames(), tl);
    String html = HtmlReport.render(big);
    String svg = html.substring(html.indexOf("<svg class=\"timeline\""), html.indexOf("</svg>"));
    assertThat(svg.split("<g class=\"worker\"", -1)).hasSize(3552 + 1);
    assertThat(svg).doesNotContain("<title>").doesNotContain("<text x=\"84\""); // no row labels either
    Matcher h = Pattern.compile("height=\"(\\d+)\"").matcher(svg);
    assertThat(h.find()).isTrue();
    assertThat(Integer.parseInt(h.group(1))).isLessThan(800);
    assertThat(html.length()).as("bytes of HTML").isLessThan(3_552 * 3 * 140);
  }

  @Test
  void ticksAreRound() {
    assertThat(HtmlReport.niceStep(157, 10)).isEqualTo(20);
    assertThat(HtmlReport.niceStep(9.7, 10)).isEqualTo(1);
    assertThat(HtmlReport.niceStep(0.03, 6)).isEqualTo(0.005);
    assertThat(HtmlReport.esc("<a href=\"x\">'&'</a>")).isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  }
}
