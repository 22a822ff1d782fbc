package io.tinythreads.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.media.ChunkQuality;
import io.tinythreads.media.ExternalTools;
import io.tinythreads.media.LibvpxEncoder;
import io.tinythreads.media.TestChunks;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Assign;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandOk;
import io.tinythreads.proto.DumpState;
import io.tinythreads.proto.EncodeChunk;
import io.tinythreads.proto.EncodeGivenState;
import io.tinythreads.proto.EncodeSettings;
import io.tinythreads.proto.Fetch;
import io.tinythreads.proto.Pipeline;
import io.tinythreads.proto.Quit;
import io.tinythreads.proto.Rebase;
import io.tinythreads.proto.Upload;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.rendezvous.JobTokens;
import io.tinythreads.rendezvous.RendezvousConfig;
import io.tinythreads.rendezvous.RendezvousServer;
import io.tinythreads.vp8.DecodedFrame;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.StateCodec;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfHeader;
import io.tinythreads.vp8.io.IvfReader;
import io.tinythreads.vp8.io.IvfWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xc commands (DumpState, EncodeGivenState, Rebase) on {@link CommandRunner} with real libvpx,
 * the real vp8-state re-encoder and a real rendezvous relay on loopback. One batch of three
 * 6-frame chunks: the parallel phase runs once for the class; each test runs the serial phase with
 * fresh runners (as replacement workers would: fetch, then rebase) under its own blob keys and
 * rendezvous job id, so tests do not see each other's states or messages.
 */
class XcCommandsTest {
  static final String DEMO = "demo:testsrc2,size=176x144,frames=18";
  static final String JOB = "jx";
  static final int N = 6;
  static final int CHUNKS = 3;

  @TempDir static Path shared;
  static BlobStore store;
  static JobTokens tokens;
  static RendezvousServer relay;
  static VideoInfo video;
  static final CommandOk[] dumped = new CommandOk[CHUNKS];
  static final CommandOk[] reencoded = new CommandOk[CHUNKS];
  static int scratches;

  static String key(int chunk, String name) {
    return String.format(Locale.ROOT, "jobs/%s/chunks/%06d/%s", JOB, chunk, name);
  }

  @BeforeAll
  static void parallelPhase() throws Exception {
    store = BlobStore.open(shared.resolve("blobs").toString());
    tokens = JobTokens.random();
    relay = RendezvousServer.start(RendezvousConfig.defaults(tokens), false);
    video = TestChunks.info(DEMO);
    for (int k = 0; k < CHUNKS; k++) {
      store.putFile(key(k, "raw.y4m"), TestChunks.write(shared.resolve("raw" + k + ".y4m"), DEMO, k * N, N));
    }
    // Step 2 and 3 of ExCamera's algorithm for every chunk, then encode-given-state (step 4).
    for (int k = 0; k < CHUNKS; k++) {
      try (CommandRunner r = runner(k, JOB, relay.address())) {
        ok(r, fetch(Artifact.ARTIFACT_RAW_CHUNK, key(k, "raw.y4m")));
        ok(r, Command.newBuilder().setEncodeChunk(EncodeChunk.getDefaultInstance()));
        ok(r, upload(Artifact.ARTIFACT_ENCODED_CHUNK, key(k, "encoded.ivf")));
        dumped[k] = ok(r, Command.newBuilder().setDumpState(DumpState.getDefaultInstance()));
        ok(r, upload(Artifact.ARTIFACT_END_STATE, key(k, "end.state")));
      }
    }
    for (int k = 1; k < CHUNKS; k++) {
      try (CommandRunner r = runner(k, JOB, relay.address())) {
        ok(r, fetch(Artifact.ARTIFACT_RAW_CHUNK, key(k, "raw.y4m")));
        ok(r, fetch(Artifact.ARTIFACT_ENCODED_CHUNK, key(k, "encoded.ivf")));
        reencoded[k] = ok(r, Command.newBuilder().setEncodeGivenState(EncodeGivenState.newBuilder()
            .setPredecessorEndStateKey(key(k - 1, "end.state")).setKfQWeight(0.75)));
        ok(r, upload(Artifact.ARTIFACT_REENCODED_CHUNK, key(k, "reencoded.ivf")));
      }
    }
  }

  @AfterAll
  static void stopRelay() {
    relay.stop();
  }

  // ------------------------------------------------------------------ helpers

  /** A fresh worker's runner for chunk {@code k} (position k in one batch of CHUNKS), assigned. */
  static CommandRunner runner(int k, String job, String rendezvous) {
    Path scratch = shared.resolve("scratch-" + scratches++);
    try {
      Files.createDirectories(scratch);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    CommandRunner r = new CommandRunner(scratch, new LibvpxEncoder(), job, tokens.tokenFor(job));
    ok(r, Command.newBuilder().setAssign(Assign.newBuilder()
        .setVideo(video)
        .setChunk(ChunkSpec.newBuilder().setIndex(k).setFirstFrame((long) k * N).setFrameCount(N).setBatch(0)
            .setPositionInBatch(k).setLastInBatch(k == CHUNKS - 1))
        .setSettings(EncodeSettings.newBuilder().setKfQWeight(0.75))
        .setBlobStoreUri(store.uri())
        .setRendezvousAddress(rendezvous)
        .setPipeline(Pipeline.PIPELINE_XC)));
    return r;
  }

  static CommandOk ok(CommandRunner r, Command.Builder c) {
    return r.execute(c.setCommandId(1).build(), f -> {});
  }

  static CommandFailure failure(CommandRunner r, Command.Builder c) {
    try {
      CommandOk ok = ok(r, c);
      throw new AssertionError("expected a failure, got " + ok);
    } catch (CommandFailure f) {
      return f;
    }
  }

  static Command.Builder fetch(Artifact a, String key) {
    return Command.newBuilder().setFetch(Fetch.newBuilder().setArtifact(a).setKey(key));
  }

  static Command.Builder upload(Artifact a, String key) {
    return Command.newBuilder().setUpload(Upload.newBuilder().setArtifact(a).setKey(key));
  }

  /** The Rebase command the coordinator sends chunk {@code k}, with final states under {@code prefix}. */
  static Command.Builder rebase(int k, String prefix, long expectedHash) {
    Rebase.Builder b = Rebase.newBuilder()
        .setFinalStateKey(prefix + "/final-" + k)
        .setSendToSuccessor(k < CHUNKS - 1);
    if (k > 0) {
      b.setPredecessorFinalStateKey(prefix + "/final-" + (k - 1))
          .setPredecessorEndStateKey(key(k - 1, "end.state"))
          .setExpectedPredecessorHash(expectedHash)
          .setReceiveFromRendezvous(true);
    }
    return Command.newBuilder().setDeadlineMillis(60_000).setRebase(b);
  }

  /** What a replacement worker fetches before its Rebase. */
  static void fetchSerialInputs(CommandRunner r, int k) {
    ok(r, fetch(Artifact.ARTIFACT_RAW_CHUNK, key(k, "raw.y4m")));
    if (k == 0) {
      ok(r, fetch(Artifact.ARTIFACT_ENCODED_CHUNK, key(k, "encoded.ivf")));
      ok(r, fetch(Artifact.ARTIFACT_END_STATE, key(k, "end.state")));
    } else {
      ok(r, fetch(Artifact.ARTIFACT_REENCODED_CHUNK, key(k, "reencoded.ivf")));
    }
  }

  /** Runs chunk k's serial phase: fetch, Rebase, upload the output under {@code prefix}, Quit. */
  static CommandOk serial(int k, String job, String rendezvous, String prefix, List<String> quitDetails) {
    try (CommandRunner r = runner(k, job, rendezvous)) {
      fetchSerialInputs(r, k);
      CommandOk ok = ok(r, rebase(k, prefix, 0));
      ok(r, upload(Artifact.ARTIFACT_OUTPUT_CHUNK, prefix + "/" + k + "/output.ivf"));
      quitDetails.add(ok(r, Command.newBuilder().setQuit(Quit.getDefaultInstance())).getDetail());
      return ok;
    }
  }

  static List<byte[]> frames(byte[] ivf) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (IvfReader r = new IvfReader(new java.io.ByteArrayInputStream(ivf), "ivf")) {
      for (IvfFrame f : r.readAll()) {
        out.add(f.data());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ tests

  @Test
  void dumpStateIsTheDecoderStateAfterTheLibvpxChunk() throws Exception {
    for (int k = 0; k < CHUNKS; k++) {
      Decoder d = new Decoder();
      int shown = 0;
      for (byte[] f : frames(store.get(key(k, "encoded.ivf")))) {
        shown += d.decode(f).shown() ? 1 : 0;
      }
      DecoderSnapshot stored = StateCodec.read(store.get(key(k, "end.state")));
      assertThat(stored).isEqualTo(d.snapshot());
      assertThat(dumped[k].getStateHash()).isEqualTo(d.snapshot().hash64());
      assertThat(dumped[k].getFrames()).isEqualTo(N).isEqualTo(shown);
      assertThat(dumped[k].getBytes()).isEqualTo(store.size(key(k, "end.state")));
    }
  }

  @Test
  void encodeGivenStateContinuesThePredecessorsEndState() throws Exception {
    for (int k = 1; k < CHUNKS; k++) {
      ChunkIvf re = ChunkIvf.read(writeTemp(store.get(key(k, "reencoded.ivf"))));
      ChunkIvf enc = ChunkIvf.read(writeTemp(store.get(key(k, "encoded.ivf"))));
      // The blob carries the full 64-bit hash of the state it continues: the predecessor's end state.
      assertThat(re.entryHash()).hasValue(dumped[k - 1].getStateHash());
      assertThat(reencoded[k].getStateHash()).isEqualTo(dumped[k - 1].getStateHash());
      assertThat(enc.entryHash()).isEmpty();
      // Same frame structure and timestamps as the libvpx chunk, but no key frame.
      assertThat(re.frames()).hasSameSizeAs(enc.frames());
      for (int i = 0; i < re.frames().size(); i++) {
        assertThat(re.frames().get(i).pts()).isEqualTo(enc.frames().get(i).pts());
        assertThat(re.frames().get(i).data()[0] & 1).as("frame %d is an interframe", i).isEqualTo(1);
      }
      // It decodes from that state, close to the raw pictures.
      Decoder d = StateCodec.read(store.get(key(k - 1, "end.state"))).newDecoder();
      List<byte[]> raw = TestChunks.frames(DEMO, k * N, N);
      int shown = 0;
      for (byte[] f : re.data()) {
        DecodedFrame df = d.decode(f);
        if (df.shown()) {
          assertThat(psnrY(df.raster().toI420(), raw.get(shown))).as("chunk %d frame %d PSNR-Y", k, shown)
              .isGreaterThan(28.0);
          shown++;
        }
      }
      assertThat(shown).isEqualTo(N);
    }
  }

  @Test
  void serialChainOverTheRendezvousGivesOneDecodableStream() throws Exception {
    String job = "chain";
    String prefix = "t/chain";
    List<String> quits = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(CHUNKS);
    try {
      // Successors start first and wait; the head starts last.
      List<Future<CommandOk>> results = new ArrayList<>();
      for (int k = CHUNKS - 1; k >= 0; k--) {
        int kk = k;
        results.addFirst(pool.submit(() -> serial(kk, job, relay.address(), prefix, quits)));
        Thread.sleep(150);
      }
      CommandOk head = results.get(0).get(60, TimeUnit.SECONDS);
      CommandOk second = results.get(1).get(60, TimeUnit.SECONDS);
      CommandOk third = results.get(2).get(60, TimeUnit.SECONDS);
      // The head keeps its libvpx chunk: its final state is its end state.
      assertThat(head.getStateHash()).isEqualTo(dumped[0].getStateHash());
      assertThat(head.getDetail()).contains("batch head").contains("sent to the successor");
      assertThat(store.get(prefix + "/0/output.ivf")).isEqualTo(store.get(key(0, "encoded.ivf")));
      // Position 1 was re-encoded against the head's end state, which is the head's final state.
      assertThat(second.getDetail()).contains("not rebased");
      assertThat(frames(store.get(prefix + "/1/output.ivf"))).usingRecursiveComparison()
          .isEqualTo(frames(store.get(key(1, "reencoded.ivf"))));
      // Position 2 was re-encoded against chunk 1's end state, not its final state: rebased.
      assertThat(third.getDetail()).contains("rebased 6 frames").doesNotContain("not rebased");
      assertThat(quits).contains("bye (rendezvous link finished)");
      // Every final state was written through and matches what the worker reported.
      for (int k = 0; k < CHUNKS; k++) {
        CommandOk r = List.of(head, second, third).get(k);
        assertThat(StateCodec.read(store.get(prefix + "/final-" + k)).hash64()).isEqualTo(r.getStateHash());
      }
      // The three outputs are one stream: one key frame, 18 frames, and the decoder state at its end
      // is the last chunk's final state. vpxdec agrees with vp8-state frame by frame.
      Path joined = join(prefix, shared.resolve("chain.ivf"));
      Decoder d = new Decoder();
      List<String> md5 = new ArrayList<>();
      // Each worker's quality sidecar (chunks 1 and 2 decoded from the state they continue) holds the
      // figures of a decode of the whole joined stream, frame for frame.
      List<ChunkQuality.Frame> whole = new ArrayList<>();
      List<byte[]> raw = TestChunks.frames(DEMO, 0, CHUNKS * N);
      int keyframes = 0;
      int pending = 0;
      for (IvfFrame f : IvfReader.readAll(joined)) {
        keyframes += (f.data()[0] & 1) == 0 ? 1 : 0;
        DecodedFrame df = d.decode(f.data());
        pending += f.data().length;
        if (df.shown()) {
          md5.add(df.raster().md5Hex());
          whole.add(ChunkQualityTest.measured(whole.size(), df, pending, raw.get(whole.size()), video));
          pending = 0;
        }
      }
      List<ChunkQuality.Frame> sidecars = new ArrayList<>();
      for (int k = 0; k < CHUNKS; k++) {
        ChunkQuality q = ChunkQuality.parse(store.get(prefix + "/" + k + "/quality.bin"), "quality " + k);
        assertThat(q.chunk()).isEqualTo(k);
        assertThat(q.firstFrame()).isEqualTo((long) k * N);
        sidecars.addAll(q.frames());
      }
      assertThat(sidecars).isEqualTo(whole);
      assertThat(keyframes).isEqualTo(1);
      assertThat(md5).hasSize(CHUNKS * N);
      assertThat(d.snapshot().hash64()).isEqualTo(third.getStateHash());
      assertThat(vpxdecFrameMd5s(joined)).isEqualTo(md5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMessageHeldByTheRelayIsReceivedWhenTheBlobIsGone() {
    String prefix = "t/held";
    List<String> quits = new ArrayList<>();
    serial(0, "held", relay.address(), prefix, quits);
    // The head sent its final state and quit; the relay holds it. Lose the durable copy.
    store.deletePrefix(prefix + "/final-0");
    assertThat(store.exists(prefix + "/final-0")).isFalse();
    CommandOk second = serial(1, "held", relay.address(), prefix, quits);
    assertThat(second.getDetail()).contains("from the rendezvous");
  }

  @Test
  void withoutARendezvousMessageTheStateComesFromTheBlob() throws Exception {
    String prefix = "t/blob";
    List<String> quits = java.util.Collections.synchronizedList(new ArrayList<>());
    // The successor waits on a live relay that never delivers anything (the head has none).
    CompletableFuture<CommandOk> second = CompletableFuture.supplyAsync(
        () -> serial(1, "blob", relay.address(), prefix, quits));
    Thread.sleep(300);
    assertThat(second).isNotDone();
    CommandOk head = serial(0, "blob", "", prefix, quits);
    assertThat(head.getDetail()).contains("not sent (no rendezvous link)");
    assertThat(second.get(30, TimeUnit.SECONDS).getDetail()).contains("from the blob");
    // A relay that is down costs no chain time beyond polling: the blob path does not wait for it.
    long t0 = System.nanoTime();
    CommandOk third = serial(2, "blob", "127.0.0.1:1", prefix, quits);
    assertThat(third.getDetail()).contains("from the blob");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
  }

  @Test
  void aStateWithAnotherHashThanThePredecessorReportedIsRefused() {
    String prefix = "t/hash";
    serial(0, "hash", "", prefix, new ArrayList<>());
    try (CommandRunner r = runner(1, "hash", "")) {
      fetchSerialInputs(r, 1);
      CommandFailure f = failure(r, rebase(1, prefix, 0x1234L));
      assertThat(f.code()).isEqualTo("STATE_HASH");
      assertThat(f.retryable()).isFalse();
      assertThat(f.getMessage()).contains("0000000000001234").contains(ChunkIvf.hex(dumped[0].getStateHash()));
      assertThat(store.exists(prefix + "/final-1")).isFalse();
    }
  }

  @Test
  void aReencodedChunkRebasedFromTheWrongStateIsRefused() {
    String prefix = "t/wrong";
    serial(0, "wrong", "", prefix, new ArrayList<>());
    serial(1, "wrong", "", prefix, new ArrayList<>());
    try (CommandRunner r = runner(2, "wrong", "")) {
      fetchSerialInputs(r, 2);
      // Claim that chunk 2's re-encode was made against chunk 0's end state.
      Command.Builder c = rebase(2, prefix, 0);
      c.getRebaseBuilder().setPredecessorEndStateKey(key(0, "end.state"));
      CommandFailure f = failure(r, c);
      assertThat(f.code()).isEqualTo("STATE_HASH");
      assertThat(f.getMessage()).contains(ChunkIvf.hex(dumped[1].getStateHash()))
          .contains(ChunkIvf.hex(dumped[0].getStateHash()));
    }
  }

  @Test
  void noPredecessorStateBeforeTheDeadlineIsARetryableTimeout() {
    try (CommandRunner r = runner(1, "late", relay.address())) {
      fetchSerialInputs(r, 1);
      long t0 = System.nanoTime();
      CommandFailure f = failure(r, rebase(1, "t/late", 0).setDeadlineMillis(400));
      assertThat(f.code()).isEqualTo("TIMEOUT");
      assertThat(f.retryable()).isTrue();
      assertThat(f.getMessage()).contains("t/late/final-0");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
    }
  }

  @Test
  void commandsWithoutTheirInputsArePreconditionFailures() {
    try (CommandRunner r = runner(1, "pre", "")) {
      assertThat(failure(r, Command.newBuilder().setDumpState(DumpState.getDefaultInstance())).getMessage())
          .contains("ARTIFACT_ENCODED_CHUNK");
      CommandFailure egs = failure(r, Command.newBuilder().setEncodeGivenState(
          EncodeGivenState.newBuilder().setPredecessorEndStateKey(key(0, "end.state"))));
      assertThat(egs.code()).isEqualTo("PRECONDITION");
      assertThat(egs.getMessage()).contains("ARTIFACT_RAW_CHUNK");
      assertThat(failure(r, rebase(1, "t/pre", 0)).code()).isEqualTo("PRECONDITION");
      // A libvpx chunk given as the re-encoded chunk has no entry hash: refused, not guessed.
      ok(r, fetch(Artifact.ARTIFACT_RAW_CHUNK, key(1, "raw.y4m")));
      ok(r, fetch(Artifact.ARTIFACT_REENCODED_CHUNK, key(1, "encoded.ivf")));
      CommandFailure noHash = failure(r, rebase(1, "t/pre", 0));
      assertThat(noHash.code()).isEqualTo("INVALID_INPUT");
      assertThat(noHash.getMessage()).contains("carries no entry-state hash");
    }
  }

  @Test
  void chunkIvfKeepsTheEntryHashAndStaysReadableAsIvf() throws Exception {
    List<IvfFrame> frames = List.of(new IvfFrame(7, new byte[] {1, 2, 3, 4}), new IvfFrame(8, new byte[] {5, 6, 7}));
    ChunkIvf c = new ChunkIvf(IvfHeader.vp8(176, 144, 30, 1, 0), frames, java.util.OptionalLong.of(0x8000_0000_0000_0001L));
    Path p = shared.resolve("ext.ivf");
    c.write(p);
    ChunkIvf back = ChunkIvf.read(p);
    assertThat(back.entryHash()).hasValue(0x8000_0000_0000_0001L);
    assertThat(back.frames()).usingRecursiveComparison().isEqualTo(frames);
    assertThat(back.header().frameCount()).isEqualTo(2);
    // vp8-state's IvfReader honours the header length and reads the same frames.
    assertThat(IvfReader.readAll(p)).usingRecursiveComparison().isEqualTo(frames);
    // Without a hash the file is a plain 32-byte-header IVF, byte for byte what IvfWriter writes.
    Path plain = shared.resolve("plain.ivf");
    new ChunkIvf(c.header(), frames, java.util.OptionalLong.empty()).write(plain);
    Path viaWriter = shared.resolve("writer.ivf");
    try (IvfWriter w = IvfWriter.create(viaWriter, c.header())) {
      for (IvfFrame f : frames) {
        w.write(f);
      }
    }
    assertThat(Files.readAllBytes(plain)).isEqualTo(Files.readAllBytes(viaWriter));
    assertThat(ChunkIvf.read(plain).entryHash()).isEmpty();
    assertThatThrownBy(() -> ChunkIvf.read(shared.resolve("raw0.y4m")))
        .isInstanceOf(io.tinythreads.vp8.InvalidBitstreamException.class).hasMessageContaining("raw0.y4m");
  }

  // ------------------------------------------------------------------ tools

  static Path writeTemp(byte[] data) throws Exception {
    Path p = Files.createTempFile(shared, "blob-", ".ivf");
    Files.write(p, data);
    return p;
  }

  /** Concatenates the output chunks in order into one IVF (what the coordinator's join does). */
  static Path join(String prefix, Path out) throws Exception {
    try (IvfWriter w = IvfWriter.create(out, IvfHeader.vp8(video.getWidth(), video.getHeight(), 30, 1, 0))) {
      for (int k = 0; k < CHUNKS; k++) {
        try (IvfReader r = new IvfReader(new java.io.ByteArrayInputStream(store.get(prefix + "/" + k + "/output.ivf")),
            "out")) {
          for (IvfFrame f : r.readAll()) {
            w.write(f);
          }
        }
      }
    }
    return out;
  }

  /** vpxdec's MD5 of every shown frame (one file per frame, --md5 prints one line each). */
  static List<String> vpxdecFrameMd5s(Path ivf) {
    Path dir = shared.resolve("frames-" + ivf.getFileName());
    ExternalTools.Result r = ExternalTools.runOk("vpxdec", "--md5", "--i420", "-o",
        dir + "-%wx%h-%4.i420", ivf.toString());
    List<String> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        out.add(line.trim().split("\\s+")[0]);
      }
    }
    return out;
  }

  static double psnrY(byte[] a, byte[] b) {
    int n = video.getWidth() * video.getHeight();
    double sse = 0;
    for (int i = 0; i < n; i++) {
      int d = (a[i] & 0xFF) - (b[i] & 0xFF);
      sse += d * d;
    }
    return sse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 * n / sse);
  }
}
