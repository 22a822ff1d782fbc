package io.tinythreads.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.media.ChunkQuality;
import io.tinythreads.media.LibvpxEncoder;
import io.tinythreads.media.MediaException;
import io.tinythreads.media.TestChunks;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Assign;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandOk;
import io.tinythreads.proto.EncodeChunk;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.Fetch;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.Upload;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.Raster;
import io.tinythreads.vp8.dsp.Metrics;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality sidecar a worker stores with its output chunk ({@link ChunkQuality}): real libvpx
 * chunks, a real file blob store, {@link CommandRunner} as the coordinator drives it. The xc case
 * (chunks decoded from the state they continue) is checked in {@link XcCommandsTest}.
 */
class ChunkQualityTest {
  static final String DEMO = "demo:testsrc2,size=176x144,frames=24";
  static final int FIRST = 12;
  static final int N = 12;

  @TempDir static Path dir;
  static BlobStore store;
  static VideoInfo video;
  static int scratches;

  @BeforeAll
  static void rawChunk() {
    store = BlobStore.open(dir.resolve("blobs").toString());
    video = TestChunks.info(DEMO);
    store.putFile("raw/000001/raw.y4m", TestChunks.write(dir.resolve("raw.y4m"), DEMO, FIRST, N));
  }

  /** A fresh independent-pipeline worker for chunk 1 (frames 12..23). */
  static CommandRunner runner() throws Exception {
    Path scratch = Files.createDirectories(dir.resolve("scratch-" + scratches++));
    CommandRunner r = new CommandRunner(scratch, new LibvpxEncoder(), "jq", "");
    ok(r, Command.newBuilder().setAssign(Assign.newBuilder()
        .setVideo(video)
        .setChunk(ChunkSpec.newBuilder().setIndex(1).setFirstFrame(FIRST).setFrameCount(N).setLastInBatch(true))
        .setSettings(EncodeSettings.getDefaultInstance())
        .setBlobStoreUri(store.uri())
        .setPipeline(Pipeline.PIPELINE_INDEPENDENT)));
    return r;
  }

  static CommandOk ok(CommandRunner r, Command.Builder c) {
    return r.execute(c.setCommandId(1).build(), f -> {});
  }

  static Command.Builder fetch(Artifact a, String key) {
    return Command.newBuilder().setFetch(Fetch.newBuilder().setArtifact(a).setKey(key));
  }

  static Command.Builder upload(Artifact a, String key) {
    return Command.newBuilder().setUpload(Upload.newBuilder().setArtifact(a).setKey(key));
  }

  /** Encodes chunk 1 in a fresh worker and uploads its output under {@code folder}. */
  static CommandOk encodeAndUpload(String folder) throws Exception {
    try (CommandRunner r = runner()) {
      ok(r, fetch(Artifact.ARTIFACT_RAW_CHUNK, "raw/000001/raw.y4m"));
      ok(r, Command.newBuilder().setEncodeChunk(EncodeChunk.getDefaultInstance()));
      return ok(r, upload(Artifact.ARTIFACT_OUTPUT_CHUNK, folder + "/output.ivf"));
    }
  }

  /**
   * One frame's figures computed here, independently of {@link ChunkQuality#measure}: the shown
   * frame {@code d} against the packed I420 source frame {@code src}.
   */
  static ChunkQuality.Frame measured(long index, DecodedFrame d, int bytes, byte[] src, VideoInfo v) {
    int w = v.getWidth();
    int h = v.getHeight();
    int cw = (w + 1) / 2;
    int ch = (h + 1) / 2;
    Raster r = d.raster();
    Metrics.Plane sy = new Metrics.Plane(src, 0, w, w, h);
    Metrics.Plane su = new Metrics.Plane(src, w * h, cw, cw, ch);
    Metrics.Plane sv = new Metrics.Plane(src, w * h + cw * ch, cw, cw, ch);
    Metrics.Plane dy = new Metrics.Plane(r.yPlane().data(), r.yPlane().origin(), r.yPlane().stride(), w, h);
    Metrics.Plane du = new Metrics.Plane(r.uPlane().data(), r.uPlane().origin(), r.uPlane().stride(), cw, ch);
    Metrics.Plane dv = new Metrics.Plane(r.vPlane().data(), r.vPlane().origin(), r.vPlane().stride(), cw, ch);
    Metrics.Psnr p = Metrics.psnr(sy, su, sv, dy, du, dv);
    Metrics.Ssim s = Metrics.ssim(sy, su, sv, dy, du, dv);
    return new ChunkQuality.Frame(index, d.header().tag().keyFrame(), bytes, p.sseY(), p.sseU(), p.sseV(), p.y(),
        p.all(), s.y(), s.all());
  }

  @Test
  void uploadStoresTheOutputAndADeterministicSidecarThatMatchesADecode() throws Exception {
    CommandOk first = encodeAndUpload("a/000001");
    CommandOk second = encodeAndUpload("b/000001");
    assertThat(first.getDetail()).contains("quality of " + N + " frames measured").contains("a/000001/quality.bin");

    // The output itself is stored as before, and the two workers' outputs and sidecars are identical.
    byte[] out = store.get("a/000001/output.ivf");
    assertThat(first.getBytes()).isEqualTo(out.length);
    assertThat(store.get("b/000001/output.ivf")).isEqualTo(out);
    byte[] sidecar = store.get("a/000001/quality.bin");
    assertThat(store.get("b/000001/quality.bin")).isEqualTo(sidecar);
    assertThat(sidecar).hasSize(52 + 69 * N);

    // The figures are those of a decode of the stored output against the source frames 12..23.
    ChunkQuality q = ChunkQuality.parse(sidecar, "a/000001/quality.bin");
    List<byte[]> src = TestChunks.frames(DEMO, FIRST, N);
    Decoder d = new Decoder();
    List<ChunkQuality.Frame> expected = new ArrayList<>();
    List<byte[]> packets = new ArrayList<>();
    int pending = 0;
    int hidden = 0;
    try (IvfReader r = new IvfReader(new java.io.ByteArrayInputStream(out), "out")) {
      for (IvfFrame f : r.readAll()) {
        packets.add(f.data());
        DecodedFrame df = d.decode(f.data());
        pending += f.data().length;
        if (!df.shown()) {
          hidden++;
          continue;
        }
        expected.add(measured(FIRST + expected.size(), df, pending, src.get(expected.size()), video));
        pending = 0;
      }
    }
    assertThat(q.frames()).isEqualTo(expected);
    assertThat(q).isEqualTo(new ChunkQuality(1, FIRST, video.getWidth(), video.getHeight(), packets.size(), hidden,
        pending, ChunkQuality.payloadCrc(packets), expected));
    assertThat(q.frames().getFirst().keyframe()).isTrue();
    assertThat(q.frames()).allSatisfy(f -> assertThat(f.psnrY()).isBetween(25.0, 100.0));
    assertThat(q.payloadBytes()).isEqualTo(packets.stream().mapToLong(p -> p.length).sum());
    // Writer reproduces reader.
    assertThat(q.toBytes()).isEqualTo(sidecar);
  }

  @Test
  void withoutTheRawChunkTheOutputIsStillUploadedWithoutASidecar() throws Exception {
    encodeAndUpload("c/000001");
    try (CommandRunner r = runner()) {
      // A worker that only has the encoded chunk (fetched), with no raw frames stored next to the
      // output's key either, cannot measure it; the output is stored all the same.
      ok(r, fetch(Artifact.ARTIFACT_ENCODED_CHUNK, "c/000001/output.ivf"));
      CommandOk up = ok(r, upload(Artifact.ARTIFACT_OUTPUT_CHUNK, "d/000001/output.ivf"));
      assertThat(up.getDetail()).contains("no quality sidecar").contains("d/000001/raw.y4m");
    }
    assertThat(store.get("d/000001/output.ivf")).isEqualTo(store.get("c/000001/output.ivf"));
    assertThat(store.exists("d/000001/quality.bin")).isFalse();
  }

  /** A replacement batch head has no raw frames of its own: it reads them next to the output. */
  @Test
  void aWorkerWithoutTheRawChunkReadsItNextToTheOutput() throws Exception {
    encodeAndUpload("h/000001");
    store.putFile("i/000001/raw.y4m", dir.resolve("raw.y4m"));
    try (CommandRunner r = runner()) {
      ok(r, fetch(Artifact.ARTIFACT_ENCODED_CHUNK, "h/000001/output.ivf"));
      CommandOk up = ok(r, upload(Artifact.ARTIFACT_OUTPUT_CHUNK, "i/000001/output.ivf"));
      assertThat(up.getDetail()).contains("quality of " + N + " frames measured");
    }
    assertThat(store.get("i/000001/quality.bin")).isEqualTo(store.get("h/000001/quality.bin"));
  }

  @Test
  void otherUploadsWriteNoSidecar() throws Exception {
    try (CommandRunner r = runner()) {
      ok(r, fetch(Artifact.ARTIFACT_RAW_CHUNK, "raw/000001/raw.y4m"));
      ok(r, Command.newBuilder().setEncodeChunk(EncodeChunk.getDefaultInstance()));
      ok(r, upload(Artifact.ARTIFACT_ENCODED_CHUNK, "e/000001/encoded.ivf"));
    }
    assertThat(store.exists("e/000001/encoded.ivf")).isTrue();
    assertThat(store.exists("e/000001/quality.bin")).isFalse();
  }

  @Test
  void keysAreNextToTheOutput() {
    assertThat(ChunkQuality.keyFor("jobs/j1/chunks/000003/output.ivf")).isEqualTo("jobs/j1/chunks/000003/quality.bin");
    assertThat(ChunkQuality.rawKeyFor("jobs/j1/chunks/000003/output.ivf")).isEqualTo("jobs/j1/chunks/000003/raw.y4m");
  }

  @Test
  void damagedSidecarsAreRefusedNamingTheProblem() throws Exception {
    encodeAndUpload("f/000001");
    byte[] good = store.get("f/000001/quality.bin");
    assertThat(ChunkQuality.parse(good, "k").frames()).hasSize(N);

    assertThatThrownBy(() -> ChunkQuality.parse(java.util.Arrays.copyOf(good, good.length - 1), "k"))
        .isInstanceOf(MediaException.class).hasMessageContaining("k: quality sidecar is " + (good.length - 1)
            + " bytes");
    assertThatThrownBy(() -> ChunkQuality.parse(new byte[10], "k")).isInstanceOf(MediaException.class)
        .hasMessageContaining("shorter than");
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> ChunkQuality.parse(magic, "k")).hasMessageContaining("magic");
    byte[] version = good.clone();
    version[5] = 2;
    assertThatThrownBy(() -> ChunkQuality.parse(version, "k")).hasMessageContaining("version 2");
    byte[] flipped = good.clone();
    flipped[100] ^= 1; // inside the first frame's figures
    assertThatThrownBy(() -> ChunkQuality.parse(flipped, "k")).hasMessageContaining("checksum");
  }

  /** The measurement refuses raw frames that do not belong to the chunk. */
  @Test
  void measureRefusesAShortRawChunk() throws Exception {
    encodeAndUpload("g/000001");
    List<byte[]> packets = new ArrayList<>();
    try (IvfReader r = new IvfReader(new java.io.ByteArrayInputStream(store.get("g/000001/output.ivf")), "out")) {
      for (IvfFrame f : r.readAll()) {
        packets.add(f.data());
      }
    }
    Path shortRaw = TestChunks.write(dir.resolve("short.y4m"), DEMO, FIRST, N - 1);
    try (var raw = io.tinythreads.media.RawChunks.open(shortRaw)) {
      assertThatThrownBy(() -> ChunkQuality.measure(1, new Decoder(), packets, raw, "out.ivf"))
          .isInstanceOf(MediaException.class).hasMessageContaining("out.ivf: shows more frames than its raw chunk");
    }
  }
}
