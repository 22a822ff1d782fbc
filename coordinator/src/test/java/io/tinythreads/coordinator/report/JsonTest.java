package io.tinythreads.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesStringsAndReadsThemBack() {
    String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 sep \u2028 é 😀 </script>";
    String text = new Json.Writer(false).beginObject().field("k\"ey", nasty).endObject().text();
    assertThat(text).doesNotContain("\n").doesNotContain("\u0007").doesNotContain("\u0000").doesNotContain("\u2028")
        .contains("\\u0007").contains("\\u0000").contains("\\u2028").contains("\\\"").contains("\\\\");
    @SuppressWarnings("unchecked")
    Map<String, Object> back = (Map<String, Object>) Json.parse(text);
    assertThat(back).containsExactly(Map.entry("k\"ey", nasty));
  }

  @Test
  void numbersRoundTripAndNonFiniteBecomesNull() {
    double[] values = {0, -0.5, 1e-300, 123456789.125, 0.1 + 0.2, 42, -7, 1e20, Math.PI, Double.MIN_VALUE};
    Json.Writer w = new Json.Writer(true).beginArray();
    for (double d : values) {
      w.value(d);
    }
    w.value(Double.NaN).value(Double.POSITIVE_INFINITY).value(Double.NEGATIVE_INFINITY).value(Long.MAX_VALUE);
    String text = w.endArray().text();
    assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
    List<?> back = (List<?>) Json.parse(text);
    for (int i = 0; i < values.length; i++) {
      assertThat((Double) back.get(i)).as("value %d", i).isEqualTo(values[i] == 0 ? 0.0 : values[i]);
    }
    assertThat(back.subList(values.length, values.length + 3)).containsOnlyNulls();
    assertThat(Json.number(42.0)).isEqualTo("42");
    assertThat(Json.number(1e-7)).isEqualTo("1.0E-7");
  }

  @Test
  void parsesNestedValuesInOrder() {
    Object v = Json.parse(" {\"b\": [1, 2.5e1, true, false, null, {\"x\": \"\\u00e9\\/\"}], \"a\": {}} ");
    assertThat(v).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    assertThat(new ArrayList<>(m.keySet())).isEqualTo(List.of("b", "a"));
    assertThat((List<?>) m.get("b")).isEqualTo(Arrays.asList(1.0, 25.0, true, false, null, Map.of("x", "é/")));
  }

  @Test
  void rejectsMalformedText() {
    for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "01", "1.", "-", "\"\u0001\"",
        "tru", "[1] 2", "\"\\x\"", "{1:2}", "[" .repeat(100) + "]".repeat(100)}) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(Json.ParseException.class)
          .hasMessageContaining("offset");
    }
  }

  @Test
  void writerRejectsMisuse() {
    assertThatThrownBy(() -> new Json.Writer(false).beginObject().text()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new Json.Writer(false).value(1).value(2)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new Json.Writer(false).beginArray().name("x")).isInstanceOf(IllegalStateException.class);
  }
}
