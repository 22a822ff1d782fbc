package io.tinythreads.coordinator.report;

import io.tinythreads.coordinator.report.JobReport.ChunkReport;
import io.tinythreads.coordinator.report.JobReport.FrameReport;
import io.tinythreads.coordinator.report.JobReport.Setup;
import io.tinythreads.coordinator.report.JobReport.Summary;
import io.tinythreads.coordinator.report.JobReport.Video;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link JobReport} to and from JSON. Field names are snake_case like the proto fields; units are
 * in the names where they are not obvious ({@code _bytes}, {@code _kbps}, {@code _seconds},
 * {@code _unix_micros}, {@code _db}). NaN values are written as {@code null} and read back as NaN.
 * {@link #read} reproduces exactly what {@link #write} was given (doubles round-trip).
 */
final class ReportJson {
  private ReportJson() {}

  static String write(JobReport r) {
    Json.Writer w = new Json.Writer(true);
    w.beginObject();
    w.field("version", r.version());
    w.field("job_id", r.jobId());
    Setup s = r.setup();
    w.name("setup").beginObject()
        .field("pipeline", s.pipeline())
        .field("frames_per_chunk", s.framesPerChunk())
        .field("chunks_per_batch", s.chunksPerBatch())
        .field("workers", s.workers())
        .field("launcher", s.launcher())
        .field("encoder", s.encoder())
        .field("container", s.container())
        .endObject();
    Video v = r.video();
    w.name("video").beginObject()
        .field("width", v.width())
        .field("height", v.height())
        .field("fps_num", v.fpsNum())
        .field("fps_den", v.fpsDen())
        .field("frames", v.frames())
        .field("source", v.source())
        .endObject();
    w.field("output", r.output());
    w.field("wall_seconds", r.wallSeconds());
    w.field("start_unix_micros", r.startUnixMicros());
    Summary m = r.summary();
    w.name("summary").beginObject()
        .field("frames", m.frames())
        .field("hidden_frames", m.hiddenFrames())
        .field("keyframes", m.keyframes())
        .field("file_bytes", m.fileBytes())
        .field("payload_bytes", m.payloadBytes())
        .field("duration_seconds", m.durationSeconds())
        .field("bitrate_kbps", m.bitrateKbps())
        .field("payload_kbps", m.payloadKbps())
        .field("psnr_y_db", m.psnrY())
        .field("psnr_all_db", m.psnrAll())
        .field("psnr_overall_db", m.psnrOverall())
        .field("ssim_y", m.ssimY())
        .field("ssim_all", m.ssimAll())
        .field("ssim_y_db", m.ssimYDb())
        .field("ssim_all_db", m.ssimAllDb())
        .field("min_psnr_y_db", m.minPsnrY())
        .field("min_ssim_all_db", m.minSsimAllDb())
        .endObject();
    w.name("chunks").beginArray();
    for (ChunkReport c : r.chunks()) {
      w.beginObject()
          .field("index", c.index())
          .field("batch", c.batch())
          .field("first_frame", c.firstFrame())
          .field("frames", c.frames())
          .field("bytes", c.bytes())
          .field("keyframes", c.keyframes())
          .field("kbps", c.kbps())
          .field("psnr_y_db", c.psnrY())
          .field("psnr_all_db", c.psnrAll())
          .field("ssim_all", c.ssimAll())
          .field("ssim_all_db", c.ssimAllDb())
          .endObject();
    }
    w.endArray();
    w.name("frames").beginArray();
    for (FrameReport f : r.frames()) {
      w.beginObject()
          .field("index", f.index())
          .field("chunk", f.chunk())
          .field("keyframe", f.keyframe())
          .field("bytes", f.bytes())
          .field("psnr_y_db", f.psnrY())
          .field("psnr_all_db", f.psnrAll())
          .field("ssim_y", f.ssimY())
          .field("ssim_all", f.ssimAll())
          .endObject();
    }
    w.endArray();
    w.name("timeline").beginArray();
    for (StageEvent e : r.timeline()) {
      w.beginObject()
          .field("chunk", e.chunk())
          .field("attempt", e.attempt())
          .field("worker_id", e.workerId())
          .field("stage", e.stage())
          .field("start_unix_micros", e.startUnixMicros())
          .field("end_unix_micros", e.endUnixMicros())
          .field("ok", e.ok())
          .field("message", e.message())
          .endObject();
    }
    w.endArray();
    w.endObject();
    return w.text();
  }

  @SuppressWarnings("unchecked")
  static JobReport read(String text) {
    Object root = Json.parse(text);
    if (!(root instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("the top level is not an object");
    }
    Obj o = new Obj((Map<String, Object>) root, "");
    int version = o.integer("version");
    if (version != JobReport.VERSION) {
      throw new IllegalArgumentException("report version " + version + ", this code reads " + JobReport.VERSION);
    }
    Obj s = o.obj("setup");
    Setup setup = new Setup(s.string("pipeline"), s.integer("frames_per_chunk"), s.integer("chunks_per_batch"),
        s.integer("workers"), s.string("launcher"), s.string("encoder"), s.string("container"));
    Obj v = o.obj("video");
    Video video = new Video(v.integer("width"), v.integer("height"), v.integer("fps_num"), v.integer("fps_den"),
        v.lng("frames"), v.string("source"));
    Obj m = o.obj("summary");
    Summary summary = new Summary(m.lng("frames"), m.lng("hidden_frames"), m.integer("keyframes"),
        m.lng("file_bytes"), m.lng("payload_bytes"), m.dbl("duration_seconds"), m.dbl("bitrate_kbps"),
        m.dbl("payload_kbps"), m.dbl("psnr_y_db"), m.dbl("psnr_all_db"), m.dbl("psnr_overall_db"), m.dbl("ssim_y"),
        m.dbl("ssim_all"), m.dbl("ssim_y_db"), m.dbl("ssim_all_db"), m.dbl("min_psnr_y_db"),
        m.dbl("min_ssim_all_db"));
    List<ChunkReport> chunks = new ArrayList<>();
    for (Obj c : o.objs("chunks")) {
      chunks.add(new ChunkReport(c.integer("index"), c.integer("batch"), c.lng("first_frame"), c.integer("frames"),
          c.lng("bytes"), c.integer("keyframes"), c.dbl("kbps"), c.dbl("psnr_y_db"), c.dbl("psnr_all_db"),
          c.dbl("ssim_all"), c.dbl("ssim_all_db")));
    }
    List<FrameReport> frames = new ArrayList<>();
    for (Obj f : o.objs("frames")) {
      frames.add(new FrameReport(f.lng("index"), f.integer("chunk"), f.bool("keyframe"), f.integer("bytes"),
          f.dbl("psnr_y_db"), f.dbl("psnr_all_db"), f.dbl("ssim_y"), f.dbl("ssim_all")));
    }
    List<StageEvent> timeline = new ArrayList<>();
    for (Obj e : o.objs("timeline")) {
      timeline.add(new StageEvent(e.integer("chunk"), e.integer("attempt"), e.string("worker_id"), e.string("stage"),
          e.lng("start_unix_micros"), e.lng("end_unix_micros"), e.bool("ok"), e.string("message")));
    }
    return new JobReport(version, o.string("job_id"), setup, video, o.string("output"), o.dbl("wall_seconds"),
        o.lng("start_unix_micros"), summary, chunks, frames, timeline);
  }

  /** Typed access to a parsed object; every missing or mistyped field is named in the error. */
  private record Obj(Map<String, Object> map, String path) {
    private Object get(String key) {
      if (!map.containsKey(key)) {
        throw new IllegalArgumentException("missing field " + path + key);
      }
      return map.get(key);
    }

    String string(String key) {
      if (get(key) instanceof String s) {
        return s;
      }
      throw new IllegalArgumentException(path + key + " is not a string");
    }

    boolean bool(String key) {
      if (get(key) instanceof Boolean b) {
        return b;
      }
      throw new IllegalArgumentException(path + key + " is not true/false");
    }

    /** A number; {@code null} stands for NaN (see Json.number). */
    double dbl(String key) {
      Object x = get(key);
      if (x == null) {
        return Double.NaN;
      }
      if (x instanceof Double d) {
        return d;
      }
      throw new IllegalArgumentException(path + key + " is not a number");
    }

    long lng(String key) {
      double d = dbl(key);
      if (d != Math.rint(d) || Math.abs(d) > (1L << 53)) {
        throw new IllegalArgumentException(path + key + " is not an integer: " + d);
      }
      return (long) d;
    }

    int integer(String key) {
      long l = lng(key);
      if (l != (int) l) {
        throw new IllegalArgumentException(path + key + " is out of int range: " + l);
      }
      return (int) l;
    }

    @SuppressWarnings("unchecked")
    Obj obj(String key) {
      if (get(key) instanceof Map<?, ?> m) {
        return new Obj((Map<String, Object>) m, path + key + ".");
      }
      throw new IllegalArgumentException(path + key + " is not an object");
    }

    @SuppressWarnings("unchecked")
    List<Obj> objs(String key) {
      if (!(get(key) instanceof List<?> l)) {
        throw new IllegalArgumentException(path + key + " is not an array");
      }
      List<Obj> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        if (!(l.get(i) instanceof Map<?, ?> m)) {
          throw new IllegalArgumentException(path + key + "[" + i + "] is not an object");
        }
        out.add(new Obj((Map<String, Object>) m, path + key + "[" + i + "]."));
      }
      return out;
    }
  }
}
