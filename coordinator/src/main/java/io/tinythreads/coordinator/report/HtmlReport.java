package io.tinythreads.coordinator.report;

import io.tinythreads.coordinator.report.JobReport.ChunkReport;
import io.tinythreads.coordinator.report.JobReport.FrameReport;
import io.tinythreads.coordinator.report.JobReport.Summary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link JobReport} as one self-contained HTML page (no scripts, no external files):
 * a summary table; the workers' timeline as an inline SVG in the style of ExCamera's execution
 * plot (one row per worker, a coloured bar per stage, time in seconds from the job's start, bars
 * with a tooltip naming stage, chunk and duration, failed stages outlined in red); per-frame
 * quality (PSNR-Y and SSIM in dB) and per-frame bytes as SVG charts with chunk boundaries; and
 * the per-chunk table.
 */
final class HtmlReport {
  /** Stage kind to bar colour (the part of the stage name before ':'). */
  static final Map<String, String> COLOURS = new LinkedHashMap<>();

  static {
    COLOURS.put("launch", "#b0b0b0");
    COLOURS.put("assign", "#d9d9d9");
    COLOURS.put("fetch", "#4e79a7");
    COLOURS.put("encode_chunk", "#f28e2b");
    COLOURS.put("dump_state", "#b07aa1");
    COLOURS.put("encode_given_state", "#59a14f");
    COLOURS.put("rebase", "#e15759");
    COLOURS.put("upload", "#76b7b2");
    COLOURS.put("ingest", "#9c755f");
    COLOURS.put("join", "#edc948");
  }

  private static final String OTHER_COLOUR = "#555555";
  /** Above this many timeline rows or frames, bars get no tooltip (page size). */
  static final int MAX_TOOLTIP_ROWS = 500;
  static final int MAX_TOOLTIP_FRAMES = 2000;
  private static final int CHART_WIDTH = 960;
  private static final int LEFT = 90;
  private static final int RIGHT = 20;

  private HtmlReport() {}

  static String render(JobReport r) {
    StringBuilder b = new StringBuilder(64 * 1024);
    String title = "tinythreads report" + (r.jobId().isEmpty() ? "" : ": job " + r.jobId());
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc(title)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}")
        .append("table{border-collapse:collapse;margin:8px 0 24px}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}")
        .append("th{background:#f3f3f3}td.l,th.l{text-align:left}")
        .append("svg{display:block;margin:8px 0 24px}svg text{font-size:11px;font-family:system-ui,sans-serif}")
        .append("code{font-size:12px}\n</style>\n</head>\n<body>\n");
    b.append("<h1>").append(esc(title)).append("</h1>\n");
    summary(b, r);
    b.append("<h2>Timeline</h2>\n");
    timeline(b, r);
    b.append("<h2>Quality per frame</h2>\n");
    if (r.frames().isEmpty()) {
      b.append("<p>No frames.</p>\n");
    } else {
      qualityChart(b, r);
      bytesChart(b, r);
    }
    b.append("<h2>Chunks</h2>\n");
    chunkTable(b, r);
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  // ------------------------------------------------------------------ summary

  private static void summary(StringBuilder b, JobReport r) {
    Summary s = r.summary();
    JobReport.Setup u = r.setup();
    JobReport.Video v = r.video();
    b.append("<table class=\"summary\">\n");
    row(b, "output", r.output());
    row(b, "source", v.source() + " (" + v.width() + "x" + v.height() + ", " + v.fpsNum() + "/" + v.fpsDen()
        + " fps, " + v.frames() + " frames)");
    if (!u.pipeline().isEmpty()) {
      row(b, "pipeline", u.pipeline() + (u.pipeline().equals("xc") ? " (ExCamera[" + u.framesPerChunk() + ","
          + u.chunksPerBatch() + "])" : " (N=" + u.framesPerChunk() + ")") + ", " + u.workers() + " workers"
          + (u.launcher().isEmpty() ? "" : ", " + u.launcher() + " launcher"));
    }
    if (!u.encoder().isEmpty()) {
      row(b, "encoder", u.encoder());
    }
    if (r.wallSeconds() > 0) {
      row(b, "wall time", f2(r.wallSeconds()) + " s" + (r.startUnixMicros() > 0 ? ", started "
          + instant(r.startUnixMicros()) : ""));
    }
    row(b, "frames", s.frames() + " shown, " + s.hiddenFrames() + " hidden, " + s.keyframes() + " keyframes");
    row(b, "size", s.fileBytes() + " bytes (" + s.payloadBytes() + " bytes of VP8 frames)");
    row(b, "bitrate", f1(s.bitrateKbps()) + " kbit/s (" + f1(s.payloadKbps()) + " kbit/s of VP8 frames) over "
        + f2(s.durationSeconds()) + " s");
    row(b, "PSNR", "Y " + f2(s.psnrY()) + " dB, all " + f2(s.psnrAll()) + " dB (mean of frames), overall "
        + f2(s.psnrOverall()) + " dB; worst frame Y " + f2(s.minPsnrY()) + " dB");
    row(b, "SSIM", "Y " + f4(s.ssimY()) + " (" + f2(s.ssimYDb()) + " dB), all " + f4(s.ssimAll()) + " ("
        + f2(s.ssimAllDb()) + " dB); worst frame " + f2(s.minSsimAllDb()) + " dB");
    b.append("</table>\n<p>PSNR and SSIM as libvpx computes them (vpx_calc_psnr, vpx_calc_ssim; SSIM all = "
        + "0.8 Y + 0.1 (U + V)), against the source; SSIM in dB = -10 log10(1 - SSIM), both capped at 100 dB.</p>\n");
  }

  private static void row(StringBuilder b, String key, String value) {
    b.append("<tr><th class=\"l\">").append(esc(key)).append("</th><td class=\"l\">").append(esc(value))
        .append("</td></tr>\n");
  }

  // ------------------------------------------------------------------ timeline

  /** One timeline row: a worker. */
  private record Row(String workerId, int chunk, int attempt) {
    String label() {
      if (chunk < 0) {
        return workerId;
      }
      return "chunk " + chunk + (attempt > 0 ? " #" + attempt : "");
    }
  }

  private static void timeline(StringBuilder b, JobReport r) {
    List<StageEvent> events = r.timeline();
    if (events.isEmpty()) {
      b.append("<p>No timeline (the report was made without the job's stage times).</p>\n");
      return;
    }
    Map<String, Row> rows = new LinkedHashMap<>();
    for (StageEvent e : events) { // sorted by chunk, attempt, worker (Reports.build)
      rows.putIfAbsent(e.workerId(), new Row(e.workerId(), e.chunk(), e.attempt()));
    }
    long origin = r.startUnixMicros();
    long minStart = events.stream().mapToLong(StageEvent::startUnixMicros).min().orElse(origin);
    if (origin <= 0 || origin > minStart) {
      origin = minStart;
    }
    long maxEnd = events.stream().mapToLong(StageEvent::endUnixMicros).max().orElse(origin);
    double span = Math.max((maxEnd - origin) / 1e6, 1e-3);
    int n = rows.size();
    // Rows shrink for big jobs (thousands of workers, as in ExCamera's plot) so the picture keeps
    // a readable height; tooltips are left out there to keep the page small.
    double rowH = n <= 40 ? 14 : Math.max(0.15, 700.0 / n);
    boolean tooltips = n <= MAX_TOOLTIP_ROWS;
    boolean labels = rowH >= 9;
    int top = 10;
    int plotW = CHART_WIDTH - LEFT - RIGHT;
    double plotH = rowH * n;
    int height = (int) Math.ceil(top + plotH + 50);
    b.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(CHART_WIDTH)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ')
        .append(height).append("\">\n");
    double step = niceStep(span, 10);
    for (double t = 0; t <= span + 1e-9; t += step) {
      double x = LEFT + t / span * plotW;
      b.append("<line x1=\"").append(f1(x)).append("\" y1=\"").append(top).append("\" x2=\"").append(f1(x))
          .append("\" y2=\"").append(f1(top + plotH)).append("\" stroke=\"#e6e6e6\"/>");
      b.append("<text x=\"").append(f1(x)).append("\" y=\"").append(f1(top + plotH + 14))
          .append("\" text-anchor=\"middle\">").append(tick(t, step)).append("</text>\n");
    }
    b.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(f1(top + plotH + 30))
        .append("\" text-anchor=\"middle\">seconds since the job started</text>\n");
    int i = 0;
    Map<String, Integer> rowIndex = new LinkedHashMap<>();
    for (Row row : rows.values()) {
      rowIndex.put(row.workerId(), i);
      double y = top + i * rowH;
      b.append("<g class=\"worker\" data-worker=\"").append(esc(row.workerId())).append("\">");
      if (labels) {
        b.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f1(y + rowH * 0.75))
            .append("\" text-anchor=\"end\">").append(esc(row.label())).append("</text>");
      }
      for (StageEvent e : events) {
        if (!e.workerId().equals(row.workerId())) {
          continue;
        }
        double x0 = LEFT + (e.startUnixMicros() - origin) / 1e6 / span * plotW;
        double w = Math.max(0.5, e.seconds() / span * plotW);
        b.append("<rect x=\"").append(f2(x0)).append("\" y=\"").append(f2(y + rowH * 0.1)).append("\" width=\"")
            .append(f2(w)).append("\" height=\"").append(f2(rowH * 0.8)).append("\" fill=\"")
            .append(colour(e.kind())).append('"');
        if (!e.ok()) {
          b.append(" stroke=\"#d00000\" stroke-width=\"1.5\"");
        }
        if (tooltips) {
          b.append("><title>").append(esc(e.stage() + ", " + row.label() + ", " + f3(e.seconds()) + " s (from "
              + f3((e.startUnixMicros() - origin) / 1e6) + " s)" + (e.ok() ? "" : ", FAILED: " + e.message())))
              .append("</title></rect>");
        } else {
          b.append("/>");
        }
      }
      b.append("</g>\n");
      i++;
    }
    b.append("</svg>\n");
    legend(b, events);
  }

  private static void legend(StringBuilder b, List<StageEvent> events) {
    LinkedHashSet<String> kinds = new LinkedHashSet<>();
    for (String k : COLOURS.keySet()) {
      if (events.stream().anyMatch(e -> e.kind().equals(k))) {
        kinds.add(k);
      }
    }
    for (StageEvent e : events) {
      kinds.add(e.kind());
    }
    b.append("<p class=\"legend\">");
    for (String k : kinds) {
      b.append("<span style=\"display:inline-block;width:12px;height:12px;background:").append(colour(k))
          .append(";margin:0 4px 0 12px;vertical-align:middle\"></span>").append(esc(k));
    }
    if (events.stream().anyMatch(e -> !e.ok())) {
      b.append("<span style=\"display:inline-block;width:10px;height:10px;border:2px solid #d00000;"
          + "margin:0 4px 0 12px;vertical-align:middle\"></span>failed");
    }
    b.append("</p>\n");
    b.append(stageTable(events));
  }

  /** Per stage: count and median/max duration, so the picture's proportions are also in numbers. */
  private static String stageTable(List<StageEvent> events) {
    Map<String, List<Double>> byStage = new LinkedHashMap<>();
    for (StageEvent e : events) {
      if (e.ok()) {
        byStage.computeIfAbsent(e.stage(), k -> new ArrayList<>()).add(e.seconds());
      }
    }
    StringBuilder b = new StringBuilder("<table><tr><th class=\"l\">stage</th><th>count</th><th>median s</th>"
        + "<th>max s</th><th>total s</th></tr>\n");
    for (Map.Entry<String, List<Double>> en : byStage.entrySet()) {
      double[] v = en.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double total = 0;
      for (double d : v) {
        total += d;
      }
      b.append("<tr><td class=\"l\">").append(esc(en.getKey())).append("</td><td>").append(v.length)
          .append("</td><td>").append(f3(Stats.median(v))).append("</td><td>").append(f3(v[v.length - 1]))
          .append("</td><td>").append(f3(total)).append("</td></tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  static String colour(String kind) {
    return COLOURS.getOrDefault(kind, OTHER_COLOUR);
  }

  // ------------------------------------------------------------------ per-frame charts

  private static void qualityChart(StringBuilder b, JobReport r) {
    List<FrameReport> fs = r.frames();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (FrameReport f : fs) {
      for (double d : new double[] {f.psnrY(), f.ssimAllDb()}) {
        if (Double.isFinite(d)) {
          lo = Math.min(lo, d);
          hi = Math.max(hi, d);
        }
      }
    }
    if (!Double.isFinite(lo)) {
      b.append("<p>No finite quality values.</p>\n");
      return;
    }
    lo = Math.floor(lo / 5) * 5;
    hi = Math.max(lo + 5, Math.ceil(hi / 5) * 5);
    int top = 10;
    int plotH = 220;
    int plotW = CHART_WIDTH - LEFT - RIGHT;
    b.append("<svg class=\"quality\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(CHART_WIDTH)
        .append("\" height=\"").append(top + plotH + 40).append("\">\n");
    frameAxis(b, r, top, plotH, plotW);
    double step = niceStep(hi - lo, 6);
    for (double v = lo; v <= hi + 1e-9; v += step) {
      double y = top + plotH - (v - lo) / (hi - lo) * plotH;
      b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f1(y)).append("\" x2=\"").append(LEFT + plotW)
          .append("\" y2=\"").append(f1(y)).append("\" stroke=\"#eeeeee\"/><text x=\"").append(LEFT - 6)
          .append("\" y=\"").append(f1(y + 4)).append("\" text-anchor=\"end\">").append(tick(v, step))
          .append("</text>\n");
    }
    b.append("<text x=\"12\" y=\"").append(top + plotH / 2).append("\" transform=\"rotate(-90 12 ")
        .append(top + plotH / 2).append(")\" text-anchor=\"middle\">dB</text>\n");
    polyline(b, fs, true, lo, hi, top, plotH, plotW, "#4e79a7");
    polyline(b, fs, false, lo, hi, top, plotH, plotW, "#e15759");
    b.append("</svg>\n<p class=\"legend\"><span style=\"color:#4e79a7\">&#9632;</span> PSNR-Y (dB) "
        + "<span style=\"color:#e15759\">&#9632;</span> SSIM (dB) &nbsp; grey lines: chunk starts</p>\n");
  }

  private static void polyline(StringBuilder b, List<FrameReport> fs, boolean psnr, double lo, double hi, int top,
      int plotH, int plotW, String colour) {
    b.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.2\" points=\"");
    int n = fs.size();
    for (FrameReport f : fs) {
      double v = psnr ? f.psnrY() : f.ssimAllDb();
      if (!Double.isFinite(v)) {
        continue;
      }
      double x = LEFT + (n == 1 ? 0.5 : f.index() / (double) (n - 1)) * plotW;
      double y = top + plotH - (v - lo) / (hi - lo) * plotH;
      b.append(f1(x)).append(',').append(f1(y)).append(' ');
    }
    b.append("\"/>\n");
  }

  /** Chunk boundaries and frame-number ticks shared by the per-frame charts. */
  private static void frameAxis(StringBuilder b, JobReport r, int top, int plotH, int plotW) {
    int n = r.frames().size();
    for (ChunkReport c : r.chunks()) {
      if (c.index() == 0) {
        continue;
      }
      double x = LEFT + (n == 1 ? 0 : c.firstFrame() / (double) (n - 1)) * plotW;
      b.append("<line x1=\"").append(f1(x)).append("\" y1=\"").append(top).append("\" x2=\"").append(f1(x))
          .append("\" y2=\"").append(top + plotH).append("\" stroke=\"#cccccc\" stroke-dasharray=\"2,2\"/>");
    }
    double step = niceStep(Math.max(1, n - 1), 10);
    for (double t = 0; t <= n - 1 + 1e-9; t += step) {
      double x = LEFT + (n == 1 ? 0 : t / (n - 1)) * plotW;
      b.append("<text x=\"").append(f1(x)).append("\" y=\"").append(top + plotH + 14)
          .append("\" text-anchor=\"middle\">").append((long) t).append("</text>");
    }
    b.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(top + plotH + 30)
        .append("\" text-anchor=\"middle\">frame</text>\n");
    b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(top).append("\" width=\"").append(plotW)
        .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#999999\"/>\n");
  }

  private static void bytesChart(StringBuilder b, JobReport r) {
    List<FrameReport> fs = r.frames();
    long max = 1;
    for (FrameReport f : fs) {
      max = Math.max(max, f.bytes());
    }
    int top = 10;
    int plotH = 160;
    int plotW = CHART_WIDTH - LEFT - RIGHT;
    b.append("<svg class=\"bytes\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(CHART_WIDTH)
        .append("\" height=\"").append(top + plotH + 40).append("\">\n");
    frameAxis(b, r, top, plotH, plotW);
    double step = niceStep(max, 5);
    for (double v = 0; v <= max + 1e-9; v += step) {
      double y = top + plotH - v / max * plotH;
      b.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f1(y + 4)).append("\" text-anchor=\"end\">")
          .append((long) v).append("</text>");
    }
    int n = fs.size();
    double w = Math.max(0.5, plotW / (double) n * 0.8);
    for (FrameReport f : fs) {
      double x = LEFT + (n == 1 ? 0.5 : f.index() / (double) (n - 1)) * plotW - w / 2;
      double h = f.bytes() / (double) max * plotH;
      b.append("<rect x=\"").append(f2(x)).append("\" y=\"").append(f2(top + plotH - h)).append("\" width=\"")
          .append(f2(w)).append("\" height=\"").append(f2(h)).append("\" fill=\"")
          .append(f.keyframe() ? "#e15759" : "#4e79a7").append('"');
      if (n <= MAX_TOOLTIP_FRAMES) {
        b.append("><title>frame ").append(f.index()).append(": ").append(f.bytes()).append(" bytes")
            .append(f.keyframe() ? " (keyframe)" : "").append("</title></rect>");
      } else {
        b.append("/>");
      }
    }
    b.append("\n</svg>\n<p class=\"legend\">bytes per frame: <span style=\"color:#4e79a7\">&#9632;</span> "
        + "interframe <span style=\"color:#e15759\">&#9632;</span> keyframe</p>\n");
  }

  // ------------------------------------------------------------------ chunks

  private static void chunkTable(StringBuilder b, JobReport r) {
    if (r.chunks().isEmpty()) {
      b.append("<p>No chunks (the report was made without the job's chunk list).</p>\n");
      return;
    }
    b.append("<table><tr><th>chunk</th><th>batch</th><th>first frame</th><th>frames</th><th>bytes</th>"
        + "<th>keyframes</th><th>kbit/s</th><th>PSNR-Y dB</th><th>PSNR dB</th><th>SSIM</th><th>SSIM dB</th></tr>\n");
    for (ChunkReport c : r.chunks()) {
      b.append("<tr><td>").append(c.index()).append("</td><td>").append(c.batch()).append("</td><td>")
          .append(c.firstFrame()).append("</td><td>").append(c.frames()).append("</td><td>").append(c.bytes())
          .append("</td><td>").append(c.keyframes()).append("</td><td>").append(f1(c.kbps())).append("</td><td>")
          .append(f2(c.psnrY())).append("</td><td>").append(f2(c.psnrAll())).append("</td><td>")
          .append(f4(c.ssimAll())).append("</td><td>").append(f2(c.ssimAllDb())).append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  // ------------------------------------------------------------------ helpers

  /** A 1, 2 or 5 times a power of ten step giving about {@code target} ticks over {@code span}. */
  static double niceStep(double span, int target) {
    double raw = span / target;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double m = raw / p;
    double nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
    return nice * p;
  }

  private static String tick(double v, double step) {
    if (step >= 1) {
      return Long.toString(Math.round(v));
    }
    int decimals = (int) Math.ceil(-Math.log10(step));
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Escapes text for HTML content and attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String f1(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.1f", d) : "n/a";
  }

  static String f2(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.2f", d) : "n/a";
  }

  static String f3(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "n/a";
  }

  static String f4(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : "n/a";
  }

  /** For a human-readable job start time in the page, if one is known. */
  static String instant(long unixMicros) {
    return Instant.ofEpochSecond(unixMicros / 1_000_000, (unixMicros % 1_000_000) * 1000).toString();
  }
}
