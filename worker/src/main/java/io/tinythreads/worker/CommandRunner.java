package io.tinythreads.worker;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.tinythreads.blob.BlobStore;
import io.tinythreads.blob.NoSuchBlobException;
import io.tinythreads.media.ChunkQuality;
import io.tinythreads.media.EncodedChunk;
import io.tinythreads.media.LibvpxSettings;
import io.tinythreads.media.MediaException;
import io.tinythreads.media.RawChunks;
import io.tinythreads.media.Vp8ChunkEncoder;
import io.tinythreads.proto.Artifact;
import io.tinythreads.proto.Assign;
import io.tinythreads.proto.ChunkSpec;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandOk;
import io.tinythreads.proto.DumpState;
import io.tinythreads.proto.EncodeChunk;
import io.tinythreads.proto.EncodeGivenState;
import io.tinythreads.proto.Fetch;
import io.tinythreads.proto.Rebase;
import io.tinythreads.proto.Upload;
import io.tinythreads.proto.VideoInfo;
import io.tinythreads.rendezvous.RendezvousClient;
import io.tinythreads.vp8.Decoder;
import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.InvalidBitstreamException;
import io.tinythreads.vp8.StateCodec;
import io.tinythreads.vp8.UnsupportedFeatureException;
import io.tinythreads.vp8.encode.ChunkReencoder;
import io.tinythreads.vp8.encode.ReencodeOptions;
import io.tinythreads.vp8.encode.StateMismatchException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one worker's commands against its private scratch directory. Transport-agnostic: it
 * takes proto commands and returns {@link CommandOk} or throws {@link CommandFailure}; the gRPC
 * session lives in {@link Worker}. One method per command kind.
 *
 * <p>The xc commands (excamera-notes 1.2 and 2.6): {@code DumpState} decodes the libvpx chunk with
 * vp8-state and keeps its end state; {@code EncodeGivenState} re-encodes the chunk's key frame as
 * an interframe against the predecessor's end state (fetched by key) and rebases the rest onto it;
 * {@code Rebase} waits for the predecessor's final state (rendezvous or blob store), rebases onto
 * it if the re-encoded chunk was made against a different state, writes its own final state
 * through to the blob store and only then sends it to the successor. States are StateCodec bytes
 * (compressed, content-hashed); a re-encoded chunk carries the hash of the state it expects
 * ({@link ChunkIvf}), so a mismatch is refused before anything is decoded or joined.
 *
 * <p>The rendezvous link is opened lazily, by the first Rebase, and finished cleanly by Quit (or
 * {@link #close}). Not thread-safe: commands run one at a time, in order.
 */
final class CommandRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);
  /** Longest wait for the predecessor's final state when the command carries no deadline. */
  static final Duration DEFAULT_PEER_WAIT = Duration.ofMinutes(30);
  /**
   * How long sending the final state waits for the rendezvous link to connect: the state is already
   * in the blob store, so an unreachable relay must not hold the chain up for the client's own 30 s.
   */
  static final Duration SEND_CONNECT_WAIT = Duration.ofSeconds(5);
  /** How long Quit waits for the relay to take what this worker sent. */
  static final Duration LINK_FINISH_TIMEOUT = Duration.ofSeconds(30);

  private final Path scratch;
  private final Vp8ChunkEncoder encoder;
  private final String jobId;
  private final String token;
  /** How to dial the rendezvous: the same credentials as the coordinator link (plaintext or TLS). */
  private final ChannelCredentials credentials;
  private final Map<Artifact, Path> local = new EnumMap<>(Artifact.class);
  private Assign assign;
  private BlobStore store;
  /** The rendezvous link: connecting in the background from the first Rebase on; null before. */
  private CompletableFuture<RendezvousClient> link;
  /**
   * The state the output chunk continues (the predecessor's final state Rebase received), kept to
   * measure the chunk's quality at Upload; null when the output starts with a key frame.
   */
  private DecoderSnapshot outputEntry;

  CommandRunner(Path scratch, Vp8ChunkEncoder encoder, String jobId, String token) {
    this(scratch, encoder, jobId, token, InsecureChannelCredentials.create());
  }

  CommandRunner(Path scratch, Vp8ChunkEncoder encoder, String jobId, String token, ChannelCredentials credentials) {
    this.scratch = scratch;
    this.encoder = encoder;
    this.jobId = jobId;
    this.token = token;
    this.credentials = credentials;
  }

  /** The human name of a command kind ("EncodeChunk"), used in heartbeats, logs and failures. */
  static String name(Command c) {
    return switch (c.getKindCase()) {
      case ASSIGN -> "Assign";
      case FETCH -> "Fetch";
      case ENCODE_CHUNK -> "EncodeChunk";
      case DUMP_STATE -> "DumpState";
      case ENCODE_GIVEN_STATE -> "EncodeGivenState";
      case REBASE -> "Rebase";
      case UPLOAD -> "Upload";
      case QUIT -> "Quit";
      case KIND_NOT_SET -> "(empty command)";
    };
  }

  /**
   * Runs one command. {@code progress} receives 0..1 while long commands run (for heartbeats).
   *
   * @throws CommandFailure with a code, a one-line message and whether a fresh worker may succeed
   */
  CommandOk execute(Command c, DoubleConsumer progress) {
    try {
      return switch (c.getKindCase()) {
        case ASSIGN -> assign(c.getAssign());
        case FETCH -> fetch(c.getFetch());
        case ENCODE_CHUNK -> encodeChunk(c.getEncodeChunk(), progress);
        case DUMP_STATE -> dumpState(c.getDumpState(), progress);
        case ENCODE_GIVEN_STATE -> encodeGivenState(c.getEncodeGivenState(), progress);
        case REBASE -> rebase(c.getRebase(), c.getDeadlineMillis(), progress);
        case UPLOAD -> upload(c.getUpload());
        case QUIT -> quit();
        case KIND_NOT_SET -> throw new CommandFailure(CommandFailure.BAD_COMMAND,
            "command " + c.getCommandId() + " has no kind (newer coordinator?)", false);
      };
    } catch (CommandFailure e) {
      throw e;
    } catch (StateMismatchException e) {
      throw new CommandFailure(CommandFailure.STATE_HASH, prefix() + name(c) + ": " + e.getMessage(), false, e);
    } catch (InvalidBitstreamException | UnsupportedFeatureException e) {
      throw new CommandFailure(CommandFailure.INVALID_INPUT, prefix() + name(c) + ": " + e.getMessage(), false, e);
    } catch (NoSuchBlobException e) {
      throw new CommandFailure(CommandFailure.NOT_FOUND, prefix() + e.getMessage(), false, e);
    } catch (CancellationException e) {
      throw new CommandFailure(CommandFailure.CANCELLED, prefix() + name(c) + " cancelled: " + e.getMessage(), true, e);
    } catch (UncheckedIOException e) {
      throw new CommandFailure(CommandFailure.IO, prefix() + e.getMessage(), true, e);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(CommandFailure.INVALID_ARGUMENT, prefix() + name(c) + ": " + e.getMessage(), false, e);
    } catch (OutOfMemoryError e) {
      throw new CommandFailure(CommandFailure.RESOURCE_EXHAUSTED, prefix() + name(c) + ": out of memory", true, e);
    } catch (RuntimeException e) {
      throw new CommandFailure(CommandFailure.INTERNAL, prefix() + name(c) + " failed: " + e, true, e);
    }
  }

  private String prefix() {
    return assign == null ? "" : "chunk " + assign.getChunk().getIndex() + ": ";
  }

  // ---- commands ------------------------------------------------------------------------------

  private CommandOk assign(Assign a) {
    if (assign != null) {
      throw new CommandFailure(CommandFailure.PRECONDITION, "Assign received twice", false);
    }
    VideoInfo v = a.getVideo();
    ChunkSpec ch = a.getChunk();
    if (v.getWidth() <= 0 || v.getHeight() <= 0 || v.getFpsNum() <= 0 || v.getFpsDen() <= 0) {
      throw new CommandFailure(CommandFailure.INVALID_ARGUMENT, "Assign: bad video " + v.getWidth() + "x"
          + v.getHeight() + " @ " + v.getFpsNum() + "/" + v.getFpsDen(), false);
    }
    if (ch.getIndex() < 0 || ch.getFirstFrame() < 0 || ch.getFrameCount() <= 0) {
      throw new CommandFailure(CommandFailure.INVALID_ARGUMENT, "Assign: bad chunk index " + ch.getIndex()
          + " first_frame " + ch.getFirstFrame() + " frame_count " + ch.getFrameCount(), false);
    }
    if (a.getBlobStoreUri().isBlank()) {
      throw new CommandFailure(CommandFailure.INVALID_ARGUMENT, "Assign: blob_store_uri is empty", false);
    }
    // Fail now, not after fetching, if the settings are out of range.
    LibvpxSettings s = LibvpxSettings.resolve(a.getSettings());
    BlobStore bs = BlobStore.open(a.getBlobStoreUri());
    this.store = bs;
    this.assign = a;
    return CommandOk.newBuilder().setDetail("chunk " + ch.getIndex() + " frames " + ch.getFirstFrame() + ".."
        + (ch.getFirstFrame() + ch.getFrameCount() - 1) + " of " + v.getWidth() + "x" + v.getHeight() + "; "
        + s.vpxencFlags() + "; blobs " + bs.uri()).build();
  }

  private CommandOk fetch(Fetch f) {
    requireAssigned("Fetch");
    Path p = pathFor(f.getArtifact(), "Fetch");
    store.getToFile(checkKey(f.getKey(), "Fetch"), p);
    local.put(f.getArtifact(), p);
    return CommandOk.newBuilder().setBytes(size(p)).setDetail(f.getKey() + " -> " + p.getFileName()).build();
  }

  private CommandOk encodeChunk(EncodeChunk e, DoubleConsumer progress) {
    requireAssigned("EncodeChunk");
    Path raw = local.get(Artifact.ARTIFACT_RAW_CHUNK);
    if (raw == null) {
      throw new CommandFailure(CommandFailure.PRECONDITION, "chunk " + assign.getChunk().getIndex()
          + ": EncodeChunk before the raw chunk was fetched", false);
    }
    validateRawChunk(raw);
    Path out = pathFor(Artifact.ARTIFACT_ENCODED_CHUNK, "EncodeChunk");
    EncodedChunk r;
    try {
      r = encoder.encode(raw, assign.getSettings(), out, progress::accept);
    } catch (MediaException ex) {
      throw new CommandFailure(CommandFailure.ENCODER, "chunk " + assign.getChunk().getIndex() + ": " + ex.getMessage(),
          false, ex);
    }
    local.put(Artifact.ARTIFACT_ENCODED_CHUNK, out);
    return CommandOk.newBuilder().setBytes(r.bytes()).setFrames(r.shownFrames())
        .setDetail(String.format(Locale.ROOT, "%d frames (%d hidden, %d keyframe), %d bytes, %.3f s wall, %.3f s cpu",
            r.shownFrames(), r.hiddenFrames(), r.keyframes(), r.bytes(), r.wallTime().toNanos() / 1e9,
            r.cpuTime().toNanos() / 1e9))
        .build();
  }

  /** Decodes the libvpx chunk with a fresh vp8-state decoder and keeps the state after its last frame. */
  private CommandOk dumpState(DumpState d, DoubleConsumer progress) {
    requireAssigned("DumpState");
    Path enc = requireLocal(Artifact.ARTIFACT_ENCODED_CHUNK, "DumpState");
    ChunkIvf chunk = ChunkIvf.read(enc);
    if (chunk.frames().isEmpty()) {
      throw new CommandFailure(CommandFailure.INVALID_INPUT, who() + ": DumpState: " + enc.getFileName()
          + " holds no frames", false);
    }
    Decoder decoder = new Decoder();
    decodeAll(decoder, chunk.data(), enc, progress);
    DecoderSnapshot end = decoder.snapshot();
    byte[] bytes = StateCodec.toBytes(end);
    Path out = pathFor(Artifact.ARTIFACT_END_STATE, "DumpState");
    writeFile(out, bytes);
    local.put(Artifact.ARTIFACT_END_STATE, out);
    return CommandOk.newBuilder().setBytes(bytes.length).setFrames(chunk.shownFrames()).setStateHash(end.hash64())
        .setDetail("end state after " + chunk.frames().size() + " frames: " + bytes.length + " bytes, hash "
            + ChunkIvf.hex(end.hash64()))
        .build();
  }

  /**
   * Encode-given-state: the chunk's key frame becomes an interframe against the predecessor's
   * libvpx end state, the other frames are rebased onto the state it leaves. The output records
   * the hash of that end state (the state it must be decoded from).
   */
  private CommandOk encodeGivenState(EncodeGivenState e, DoubleConsumer progress) {
    requireAssigned("EncodeGivenState");
    Path raw = requireLocal(Artifact.ARTIFACT_RAW_CHUNK, "EncodeGivenState");
    Path enc = requireLocal(Artifact.ARTIFACT_ENCODED_CHUNK, "EncodeGivenState");
    DecoderSnapshot prevEnd = readState(fetchByKey(checkKey(e.getPredecessorEndStateKey(), "EncodeGivenState"),
        "pred-end-state.bin"), e.getPredecessorEndStateKey());
    List<byte[]> rawFrames = rawFrames(raw);
    ChunkIvf chunk = ChunkIvf.read(enc);
    progress.accept(0.1);
    double w = kfQWeight(e.getKfQWeight());
    long t0 = System.nanoTime();
    ChunkReencoder.Result r = new ChunkReencoder(ReencodeOptions.defaults().withKfQWeight(w))
        .encodeGivenState(prevEnd, rawFrames, chunk.data());
    long nanos = System.nanoTime() - t0;
    ChunkIvf out = chunk.withData(r.frames(), OptionalLong.of(r.expectedEntryHash()));
    Path file = pathFor(Artifact.ARTIFACT_REENCODED_CHUNK, "EncodeGivenState");
    out.write(file);
    local.put(Artifact.ARTIFACT_REENCODED_CHUNK, file);
    return CommandOk.newBuilder().setBytes(size(file)).setFrames(out.shownFrames()).setStateHash(r.expectedEntryHash())
        .setDetail(String.format(Locale.ROOT, "%d frames re-encoded against state %s (kf-q-weight %.2f) in %.3f s; "
            + "first frame %d bytes (libvpx key frame %d bytes)", r.frames().size(), ChunkIvf.hex(r.expectedEntryHash()),
            w, nanos / 1e9, r.frames().getFirst().length, chunk.frames().getFirst().data().length))
        .build();
  }

  /**
   * The serial step. A batch head keeps its libvpx chunk (final state = end state). Any other
   * chunk waits for its predecessor's final state; if that is the state its re-encoded chunk was
   * made against (position 1: the head's final state is its end state) the re-encoded chunk is
   * already valid, else it is rebased onto it. The final state is written to the blob store before
   * it is sent, so a successor never depends on the rendezvous alone.
   */
  private CommandOk rebase(Rebase r, long deadlineMillis, DoubleConsumer progress) {
    requireAssigned("Rebase");
    String who = who();
    String finalKey = checkKey(r.getFinalStateKey(), "Rebase final_state_key");
    boolean head = assign.getChunk().getPositionInBatch() == 0;
    ChunkIvf output;
    DecoderSnapshot finalState;
    byte[] finalBytes;
    String how;
    if (head) {
      Path enc = requireLocal(Artifact.ARTIFACT_ENCODED_CHUNK, "Rebase");
      Path end = requireLocal(Artifact.ARTIFACT_END_STATE, "Rebase");
      output = ChunkIvf.read(enc);
      finalBytes = readFile(end);
      finalState = readState(finalBytes, end.getFileName().toString());
      how = "batch head: keeps its key frame; final state = end state";
    } else {
      Path raw = requireLocal(Artifact.ARTIFACT_RAW_CHUNK, "Rebase");
      Path reenc = requireLocal(Artifact.ARTIFACT_REENCODED_CHUNK, "Rebase");
      ChunkIvf chunk = ChunkIvf.read(reenc);
      if (chunk.entryHash().isEmpty()) {
        throw new CommandFailure(CommandFailure.INVALID_INPUT, who + ": Rebase: " + reenc.getFileName()
            + " carries no entry-state hash (not written by EncodeGivenState)", false);
      }
      long expectedEntry = chunk.entryHash().getAsLong();
      String predKey = checkKey(r.getPredecessorFinalStateKey(), "Rebase predecessor_final_state_key");
      if (r.getReceiveFromRendezvous() || r.getSendToSuccessor()) {
        startLink(r.getSendToSuccessor());
      }
      Duration wait = deadlineMillis > 0 ? Duration.ofMillis(deadlineMillis) : DEFAULT_PEER_WAIT;
      PredecessorState.Received got = PredecessorState.await(who, store, predKey,
          r.getReceiveFromRendezvous() ? this::linkIfConnected : () -> null, this::dropLink,
          r.getExpectedPredecessorHash(), wait);
      progress.accept(0.2);
      DecoderSnapshot entry = got.snapshot();
      outputEntry = entry;
      if (entry.hash64() == expectedEntry) {
        // The re-encoded chunk was made against exactly this state: it is already valid.
        Decoder d = entry.newDecoder();
        decodeAll(d, chunk.data(), reenc, f -> { });
        finalState = d.snapshot();
        output = new ChunkIvf(chunk.header(), chunk.frames(), OptionalLong.empty());
        how = "re-encoded chunk already continues the predecessor's final state " + ChunkIvf.hex(entry.hash64())
            + " (from the " + got.source() + " after " + got.waitedMillis() + " ms); not rebased";
      } else {
        String endKey = checkKey(r.getPredecessorEndStateKey(), "Rebase predecessor_end_state_key");
        DecoderSnapshot predEnd = readState(fetchByKey(endKey, "pred-end-state.bin"), endKey);
        List<byte[]> rawFrames = rawFrames(raw);
        long t0 = System.nanoTime();
        ChunkReencoder.Result res = new ChunkReencoder(ReencodeOptions.defaults().withKfQWeight(
            kfQWeight(0))).rebase(entry, rawFrames, chunk.data(), predEnd, expectedEntry);
        finalState = res.finalState();
        output = chunk.withData(res.frames(), OptionalLong.empty());
        how = String.format(Locale.ROOT, "rebased %d frames from state %s onto %s (from the %s after %d ms) in %.3f s",
            res.frames().size(), ChunkIvf.hex(expectedEntry), ChunkIvf.hex(entry.hash64()), got.source(),
            got.waitedMillis(), (System.nanoTime() - t0) / 1e9);
      }
      finalBytes = StateCodec.toBytes(finalState);
    }
    progress.accept(0.8);
    Path outFile = pathFor(Artifact.ARTIFACT_OUTPUT_CHUNK, "Rebase");
    output.write(outFile);
    Path finalFile = pathFor(Artifact.ARTIFACT_FINAL_STATE, "Rebase");
    writeFile(finalFile, finalBytes);
    local.put(Artifact.ARTIFACT_OUTPUT_CHUNK, outFile);
    local.put(Artifact.ARTIFACT_FINAL_STATE, finalFile);
    // Write through first: a successor (or its replacement) can always find the state here, even if
    // the message below is lost.
    store.put(finalKey, finalBytes);
    String sent = "";
    if (r.getSendToSuccessor()) {
      sent = send(finalBytes);
    }
    return CommandOk.newBuilder().setBytes(size(outFile)).setFrames(output.shownFrames())
        .setStateHash(finalState.hash64())
        .setDetail(how + "; final state " + ChunkIvf.hex(finalState.hash64()) + " (" + finalBytes.length
            + " bytes) -> " + finalKey + sent)
        .build();
  }

  /** Decodes {@code frames} of {@code file} in order; a bad frame's error names the file and the frame. */
  private static void decodeAll(Decoder d, List<byte[]> frames, Path file, DoubleConsumer progress) {
    for (int i = 0; i < frames.size(); i++) {
      try {
        d.decode(frames.get(i));
      } catch (InvalidBitstreamException e) {
        throw new InvalidBitstreamException(file.getFileName() + " frame " + i + ": " + e.getMessage(), e);
      }
      progress.accept((i + 1.0) / frames.size());
    }
  }

  /** Sends the final state on; the rendezvous is the fast path only, so a failure is not fatal. */
  private String send(byte[] finalBytes) {
    startLink(true);
    RendezvousClient l = linkWithin(SEND_CONNECT_WAIT);
    if (l == null) {
      return "; not sent (no rendezvous link), the successor reads the blob";
    }
    try {
      l.sendToSuccessor(PredecessorState.KIND, finalBytes);
      return "; sent to the successor";
    } catch (java.io.InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while sending the final state");
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: could not send the final state over the rendezvous ({}); the successor reads the blob", who(),
          e.getMessage());
      dropLink();
      return "; rendezvous send failed (" + e.getMessage() + "), the successor reads the blob";
    }
  }

  /**
   * Starts connecting to the rendezvous in the background (once): {@link RendezvousClient#connect}
   * waits up to 30 s for an unreachable relay, and the blob store must be polled meanwhile.
   */
  private void startLink(boolean hasSuccessor) {
    if (link != null) {
      return;
    }
    String address = assign.getRendezvousAddress();
    if (address.isBlank()) {
      link = CompletableFuture.completedFuture(null);
      return;
    }
    CompletableFuture<RendezvousClient> f = new CompletableFuture<>();
    link = f;
    int chunk = assign.getChunk().getIndex();
    String who = who();
    Thread t = new Thread(() -> {
      try {
        f.complete(RendezvousClient.connect(address, credentials, jobId, chunk, token, hasSuccessor));
      } catch (IOException | RuntimeException e) {
        LOG.warn("{}: cannot reach the rendezvous at {} ({}); using the blob store only", who, address,
            e.getMessage());
        f.complete(null);
      }
    }, "rendezvous-connect-" + chunk);
    t.setDaemon(true);
    t.start();
  }

  /** The link if it has connected by now, else null (never blocks). */
  private RendezvousClient linkIfConnected() {
    return link == null ? null : link.getNow(null);
  }

  /** Waits up to {@code max} for the link to connect; null if it does not (or there is none). */
  private RendezvousClient linkWithin(Duration max) {
    try {
      return link.get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while connecting to the rendezvous");
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  /** Forgets a failed link (closing it, now or when its connect completes); later uses see none. */
  private void dropLink() {
    if (link != null) {
      link.thenAccept(c -> {
        if (c != null) {
          c.close();
        }
      });
      link = CompletableFuture.completedFuture(null);
    }
  }

  private CommandOk quit() {
    String detail = "bye";
    RendezvousClient l = linkIfConnected();
    if (l != null) {
      try {
        l.finish(LINK_FINISH_TIMEOUT);
        detail = "bye (rendezvous link finished)";
      } catch (java.io.InterruptedIOException e) {
        Thread.currentThread().interrupt();
        detail = "bye (interrupted while finishing the rendezvous link)";
      } catch (IOException | TimeoutException e) {
        // The state is in the blob store too; a successor does not depend on this message.
        LOG.warn("{}: rendezvous link did not finish cleanly: {}", who(), e.getMessage());
        detail = "bye (rendezvous link: " + e.getMessage() + ")";
      }
    }
    dropLink();
    return CommandOk.newBuilder().setDetail(detail).build();
  }

  /** Releases the rendezvous link if Quit did not (the session ended early). */
  @Override
  public void close() {
    dropLink();
  }

  private CommandOk upload(Upload u) {
    requireAssigned("Upload");
    Artifact a = u.getArtifact();
    pathFor(a, "Upload"); // validates the artifact kind
    Path p = local.get(a);
    String what = a.name();
    if (p == null && a == Artifact.ARTIFACT_OUTPUT_CHUNK) {
      // Independent pipeline: no rebase step, so the libvpx chunk is the output chunk.
      p = local.get(Artifact.ARTIFACT_ENCODED_CHUNK);
      what = "ARTIFACT_OUTPUT_CHUNK (the encoded chunk; nothing was rebased)";
    }
    if (p == null || !Files.isRegularFile(p)) {
      throw new CommandFailure(CommandFailure.PRECONDITION, "chunk " + assign.getChunk().getIndex() + ": Upload of "
          + a.name() + " but this worker has no such local artifact", false);
    }
    String key = checkKey(u.getKey(), "Upload");
    String quality = "";
    if (a == Artifact.ARTIFACT_OUTPUT_CHUNK) {
      // The sidecar first: a stored output then always has its sidecar next to it (a worker killed
      // in between leaves a sidecar that the retry rewrites with the same bytes).
      quality = storeQuality(key, p);
    }
    store.putFile(key, p);
    return CommandOk.newBuilder().setBytes(size(p)).setDetail(what + " -> " + key + quality).build();
  }

  /**
   * Measures the output chunk against the local raw chunk ({@link ChunkQuality}) and stores the
   * sidecar next to the output's key, so that the job report needs no serial decode of the whole
   * output. A chunk that cannot be measured is not a failed chunk: the sidecar is left out (the
   * coordinator then measures the whole output itself) and the reason is logged and returned.
   */
  private String storeQuality(String outputKey, Path output) {
    String sidecarKey = ChunkQuality.keyFor(outputKey);
    ChunkQuality q;
    long t0 = System.nanoTime();
    try {
      q = measureQuality(output, outputKey);
    } catch (CommandFailure | IllegalArgumentException | InvalidBitstreamException | UnsupportedFeatureException
        | MediaException | UncheckedIOException e) {
      LOG.warn("{}: no quality sidecar ({}); the coordinator will measure the whole output", who(), e.getMessage());
      return "; no quality sidecar: " + e.getMessage();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    store.put(sidecarKey, q.toBytes());
    return String.format(Locale.ROOT, "; quality of %d frames measured in %d ms -> %s", q.frames().size(), ms,
        sidecarKey);
  }

  /** The quality of {@code output}, decoded from scratch or from the state Rebase continued. */
  private ChunkQuality measureQuality(Path output, String outputKey) {
    Path raw = local.get(Artifact.ARTIFACT_RAW_CHUNK);
    if (raw == null || !Files.isRegularFile(raw)) {
      // A replacement batch head resumes from the stored libvpx chunk and end state and never needs
      // the raw frames for itself; they stay stored until the chunk is done, next to its output.
      String rawKey = ChunkQuality.rawKeyFor(outputKey);
      raw = pathFor(Artifact.ARTIFACT_RAW_CHUNK, "Upload (quality)");
      try {
        store.getToFile(rawKey, raw);
      } catch (NoSuchBlobException e) {
        throw new MediaException("the raw chunk is neither local nor stored at " + rawKey);
      }
      local.put(Artifact.ARTIFACT_RAW_CHUNK, raw);
    }
    ChunkIvf chunk = ChunkIvf.read(output);
    List<byte[]> frames = chunk.data();
    if (frames.isEmpty() || frames.getFirst().length == 0) {
      throw new MediaException(output.getFileName() + " holds no frames");
    }
    boolean startsWithKey = (frames.getFirst()[0] & 1) == 0; // RFC 6386 9.1: frame type 0 = key frame
    Decoder decoder;
    if (startsWithKey) {
      decoder = new Decoder();
    } else if (outputEntry != null) {
      decoder = outputEntry.newDecoder();
    } else {
      throw new MediaException(output.getFileName() + " starts with an interframe and this worker did not rebase it"
          + " (no entry state)");
    }
    try (RawChunks.Reader r = RawChunks.open(raw)) {
      if (r.header().firstFrame() != assign.getChunk().getFirstFrame()) {
        throw new MediaException(raw.getFileName() + " starts at frame " + r.header().firstFrame() + ", the chunk at "
            + assign.getChunk().getFirstFrame());
      }
      return ChunkQuality.measure(assign.getChunk().getIndex(), decoder, frames, r, output.getFileName().toString());
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The raw chunk must be exactly the chunk the coordinator assigned. */
  private void validateRawChunk(Path raw) {
    ChunkSpec ch = assign.getChunk();
    VideoInfo v = assign.getVideo();
    String who = "chunk " + ch.getIndex() + " (" + raw.getFileName() + ")";
    RawChunks.Header h;
    int frames = 0;
    try (RawChunks.Reader r = RawChunks.open(raw)) {
      h = r.header();
      if (h.width() != v.getWidth() || h.height() != v.getHeight()) {
        throw new CommandFailure(CommandFailure.INVALID_INPUT, who + ": raw chunk is " + h.width() + "x" + h.height()
            + ", the video is " + v.getWidth() + "x" + v.getHeight(), false);
      }
      if ((long) h.fpsNum() * v.getFpsDen() != (long) v.getFpsNum() * h.fpsDen()) {
        throw new CommandFailure(CommandFailure.INVALID_INPUT, who + ": raw chunk frame rate " + h.fpsNum() + "/"
            + h.fpsDen() + " differs from the video's " + v.getFpsNum() + "/" + v.getFpsDen(), false);
      }
      if (h.firstFrame() != ch.getFirstFrame()) {
        throw new CommandFailure(CommandFailure.INVALID_INPUT, who + ": raw chunk starts at global frame "
            + h.firstFrame() + ", expected " + ch.getFirstFrame(), false);
      }
      byte[] buf = new byte[h.frameBytes()];
      while (r.next(buf)) {
        frames++;
      }
    } catch (MediaException e) {
      throw new CommandFailure(CommandFailure.INVALID_INPUT, who + ": corrupt raw chunk: " + e.getMessage(), false, e);
    }
    if (frames != ch.getFrameCount()) {
      throw new CommandFailure(CommandFailure.INVALID_INPUT, who + ": raw chunk has " + frames + " frames, expected "
          + ch.getFrameCount() + " (frames " + ch.getFirstFrame() + ".." + (ch.getFirstFrame() + ch.getFrameCount() - 1)
          + ")", false);
    }
  }

  private List<byte[]> rawFrames(Path raw) {
    validateRawChunk(raw);
    try {
      return RawChunks.readAll(raw);
    } catch (MediaException e) {
      throw new CommandFailure(CommandFailure.INVALID_INPUT, who() + ": corrupt raw chunk: " + e.getMessage(), false, e);
    }
  }

  /**
   * The kf-q-weight: the command's value when set, else the job's setting, else ExCamera's 0.75
   * (proto3 cannot tell an explicit 0 on the command from "unset"; the job's optional field can).
   */
  private double kfQWeight(double fromCommand) {
    if (fromCommand != 0) {
      return fromCommand;
    }
    return assign.getSettings().hasKfQWeight() ? assign.getSettings().getKfQWeight() : 0.75;
  }

  /** Reads a state, checking its content hash; a bad one names {@code what}. */
  private DecoderSnapshot readState(byte[] bytes, String what) {
    try {
      return StateCodec.read(bytes);
    } catch (InvalidBitstreamException e) {
      throw new CommandFailure(CommandFailure.STATE_HASH, who() + ": decoder state " + what + " is corrupt: "
          + e.getMessage(), false, e);
    }
  }

  private DecoderSnapshot readState(Path file, String what) {
    return readState(readFile(file), what);
  }

  /** Downloads {@code key} into scratch as {@code fileName} (once per key). */
  private Path fetchByKey(String key, String fileName) {
    Path p = scratch.resolve(fileName);
    Path marker = scratch.resolve(fileName + ".key");
    try {
      if (Files.isRegularFile(p) && Files.isRegularFile(marker) && Files.readString(marker).equals(key)) {
        return p;
      }
      store.getToFile(key, p);
      Files.writeString(marker, key);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
  }

  private Path requireLocal(Artifact a, String cmd) {
    Path p = local.get(a);
    if (p == null || !Files.isRegularFile(p)) {
      throw new CommandFailure(CommandFailure.PRECONDITION, who() + ": " + cmd + " needs the local "
          + a.name() + ", which this worker neither fetched nor produced", false);
    }
    return p;
  }

  private String who() {
    return "chunk " + assign.getChunk().getIndex();
  }

  private static byte[] readFile(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
  }

  private static void writeFile(Path p, byte[] data) {
    try {
      Files.write(p, data);
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
  }

  private void requireAssigned(String cmd) {
    if (assign == null) {
      throw new CommandFailure(CommandFailure.PRECONDITION, cmd + " before Assign", false);
    }
  }

  private static String checkKey(String key, String cmd) {
    if (key == null || key.isEmpty()) {
      throw new CommandFailure(CommandFailure.INVALID_ARGUMENT, cmd + ": blob key is empty", false);
    }
    return key;
  }

  private Path pathFor(Artifact a, String cmd) {
    String file = switch (a) {
      case ARTIFACT_RAW_CHUNK -> "raw-chunk.y4m";
      case ARTIFACT_ENCODED_CHUNK -> "encoded-chunk.ivf";
      case ARTIFACT_END_STATE -> "end-state.bin";
      case ARTIFACT_REENCODED_CHUNK -> "reencoded-chunk.ivf";
      case ARTIFACT_FINAL_STATE -> "final-state.bin";
      case ARTIFACT_OUTPUT_CHUNK -> "output-chunk.ivf";
      case ARTIFACT_UNSPECIFIED, UNRECOGNIZED -> throw new CommandFailure(CommandFailure.INVALID_ARGUMENT,
          cmd + ": artifact is " + a + " (unspecified or unknown)", false);
    };
    return scratch.resolve(file);
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
  }
}
