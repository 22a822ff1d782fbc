package io.tinythreads.coordinator.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small JSON writer and parser (RFC 8259), enough for the job report: objects keep their key
 * order, numbers are written in the shortest form that reads back to the same double, and
 * non-finite numbers (which JSON cannot express) are written as {@code null}. A hand-written
 * codec instead of Jackson or protobuf's JsonFormat because the coordinator has neither on its
 * compile classpath and the report is a plain tree of records.
 *
 * <p>Parsed values are {@code Map<String, Object>} (insertion-ordered), {@code List<Object>},
 * {@code String}, {@code Double} (every number), {@code Boolean}, or {@code null}.
 */
final class Json {
  private Json() {}

  // ------------------------------------------------------------------ writing

  /** Builds JSON text with optional two-space indentation. Not thread-safe. */
  static final class Writer {
    private final StringBuilder out = new StringBuilder();
    private final boolean pretty;
    private int depth;
    /** Per open container: true once it holds a value (a comma is due before the next). */
    private final List<Boolean> nonEmpty = new ArrayList<>();
    /** Per open container: true for an object, false for an array. */
    private final List<Boolean> isObject = new ArrayList<>();
    private boolean afterKey;

    Writer(boolean pretty) {
      this.pretty = pretty;
    }

    Writer beginObject() {
      beforeValue();
      out.append('{');
      open(true);
      return this;
    }

    Writer endObject() {
      close(true);
      out.append('}');
      return this;
    }

    Writer beginArray() {
      beforeValue();
      out.append('[');
      open(false);
      return this;
    }

    Writer endArray() {
      close(false);
      out.append(']');
      return this;
    }

    Writer name(String key) {
      if (isObject.isEmpty() || !isObject.getLast() || afterKey) {
        throw new IllegalStateException("a name must be inside an object, before its value: " + key);
      }
      separate();
      string(key);
      out.append(pretty ? ": " : ":");
      afterKey = true;
      return this;
    }

    Writer value(String s) {
      beforeValue();
      if (s == null) {
        out.append("null");
      } else {
        string(s);
      }
      return this;
    }

    Writer value(boolean b) {
      beforeValue();
      out.append(b);
      return this;
    }

    Writer value(long n) {
      beforeValue();
      out.append(n);
      return this;
    }

    /** A double; NaN and infinities become {@code null} (JSON has no such numbers). */
    Writer value(double d) {
      beforeValue();
      out.append(number(d));
      return this;
    }

    Writer field(String key, String v) {
      return name(key).value(v);
    }

    Writer field(String key, long v) {
      return name(key).value(v);
    }

    Writer field(String key, double v) {
      return name(key).value(v);
    }

    Writer field(String key, boolean v) {
      return name(key).value(v);
    }

    String text() {
      if (!nonEmpty.isEmpty()) {
        throw new IllegalStateException("unclosed JSON container");
      }
      return pretty ? out + "\n" : out.toString();
    }

    private void open(boolean object) {
      nonEmpty.add(false);
      isObject.add(object);
      depth++;
    }

    private void close(boolean object) {
      if (isObject.isEmpty() || isObject.getLast() != object || afterKey) {
        throw new IllegalStateException("unbalanced JSON container");
      }
      boolean had = nonEmpty.removeLast();
      isObject.removeLast();
      depth--;
      if (had) {
        newline();
      }
    }

    private void beforeValue() {
      if (afterKey) {
        afterKey = false;
        return;
      }
      if (!nonEmpty.isEmpty()) {
        if (isObject.getLast()) {
          throw new IllegalStateException("a value inside an object needs a name first");
        }
        separate();
      } else if (!out.isEmpty()) {
        throw new IllegalStateException("JSON text has one top-level value");
      }
    }

    private void separate() {
      int last = nonEmpty.size() - 1;
      if (nonEmpty.get(last)) {
        out.append(',');
      }
      nonEmpty.set(last, true);
      newline();
    }

    private void newline() {
      if (pretty) {
        out.append('\n');
        out.append("  ".repeat(depth));
      }
    }

    /** A JSON string literal (RFC 8259 section 7): quote, backslash and control characters escaped. */
    private void string(String s) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          default -> {
            // Control characters must be escaped; U+2028/2029 are too, so the text is also valid
            // JavaScript when embedded in the HTML report.
            if (c < 0x20 || c == '\u2028' || c == '\u2029') {
              out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }

  /** A double as JSON: integers without a fraction, others in Java's shortest round-trip form. */
  static String number(double d) {
    if (!Double.isFinite(d)) {
      return "null";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    // Double.toString gives the shortest digits that read back to d (JDK 19+), in a form that is
    // valid JSON except for the exponent marker, which JSON also accepts as 'E'.
    return Double.toString(d);
  }

  // ------------------------------------------------------------------ parsing

  /** Malformed JSON, with the offset of the problem. */
  static final class ParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ParseException(String message, int offset) {
      super(message + " at offset " + offset);
    }
  }

  /** Parses one JSON text (surrounding whitespace allowed, nothing else). */
  static Object parse(String text) {
    Parser p = new Parser(text);
    p.skipWs();
    Object v = p.value(0);
    p.skipWs();
    if (p.pos != text.length()) {
      throw new ParseException("trailing characters", p.pos);
    }
    return v;
  }

  private static final class Parser {
    /** Deeper nesting than any report has; bounds the recursion on hostile input. */
    private static final int MAX_DEPTH = 64;
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
      }
      if (pos >= s.length()) {
        throw new ParseException("unexpected end of input", pos);
      }
      char c = s.charAt(pos);
      return switch (c) {
        case '{' -> object(depth);
        case '[' -> array(depth);
        case '"' -> string();
        case 't' -> literal("true", Boolean.TRUE);
        case 'f' -> literal("false", Boolean.FALSE);
        case 'n' -> literal("null", null);
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            yield number();
          }
          throw new ParseException("unexpected character '" + c + "'", pos);
        }
      };
    }

    private Map<String, Object> object(int depth) {
      Map<String, Object> m = new LinkedHashMap<>();
      pos++;
      skipWs();
      if (peek() == '}') {
        pos++;
        return m;
      }
      while (true) {
        skipWs();
        if (peek() != '"') {
          throw new ParseException("expected a string key", pos);
        }
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        if (m.containsKey(key)) {
          throw new ParseException("duplicate key \"" + key + "\"", pos);
        }
        m.put(key, value(depth + 1));
        skipWs();
        char c = next();
        if (c == '}') {
          return m;
        }
        if (c != ',') {
          throw new ParseException("expected ',' or '}'", pos - 1);
        }
      }
    }

    private List<Object> array(int depth) {
      List<Object> l = new ArrayList<>();
      pos++;
      skipWs();
      if (peek() == ']') {
        pos++;
        return l;
      }
      while (true) {
        skipWs();
        l.add(value(depth + 1));
        skipWs();
        char c = next();
        if (c == ']') {
          return l;
        }
        if (c != ',') {
          throw new ParseException("expected ',' or ']'", pos - 1);
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c < 0x20) {
          throw new ParseException("unescaped control character in a string", pos - 1);
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"' -> b.append('"');
          case '\\' -> b.append('\\');
          case '/' -> b.append('/');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw new ParseException("truncated \\u escape", pos);
            }
            try {
              b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw new ParseException("bad \\u escape", pos);
            }
            pos += 4;
          }
          default -> throw new ParseException("bad escape '\\" + e + "'", pos - 1);
        }
      }
    }

    private Double number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      if (peek() == '0') {
        pos++;
      } else if (isDigit(peek())) {
        while (isDigit(peek())) {
          pos++;
        }
      } else {
        throw new ParseException("bad number", start);
      }
      if (peek() == '.') {
        pos++;
        if (!isDigit(peek())) {
          throw new ParseException("bad number: digits must follow '.'", pos);
        }
        while (isDigit(peek())) {
          pos++;
        }
      }
      if (peek() == 'e' || peek() == 'E') {
        pos++;
        if (peek() == '+' || peek() == '-') {
          pos++;
        }
        if (!isDigit(peek())) {
          throw new ParseException("bad number: digits must follow the exponent", pos);
        }
        while (isDigit(peek())) {
          pos++;
        }
      }
      return Double.parseDouble(s.substring(start, pos));
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) {
        throw new ParseException("unexpected token", pos);
      }
      pos += word.length();
      return v;
    }

    void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
      if (pos >= s.length()) {
        throw new ParseException("unexpected end of input", pos);
      }
      return s.charAt(pos++);
    }

    private void expect(char c) {
      if (next() != c) {
        throw new ParseException("expected '" + c + "'", pos - 1);
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }
}
