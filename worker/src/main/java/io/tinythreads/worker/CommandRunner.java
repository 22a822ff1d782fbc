package io.tinythreads.worker;

import io.tinythreads.blob.BlobStore;
import io.tinythreads.blob.NoSuchBlobException;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.DoubleConsumer;

/**
 * Executes one worker's commands against its private scratch directory. Transport-agnostic: it
 * takes proto commands and returns {@link CommandOk} or throws {@link CommandFailure}; the gRPC
 * session lives in {@link Worker}. One method per command kind, so adding DumpState,
 * EncodeGivenState and Rebase later means replacing one method each.
 *
 * <p>Not thread-safe: commands run one at a time, in order.
 */
final class CommandRunner {
  private final Path scratch;
  private final Vp8ChunkEncoder encoder;
  private final Map<Artifact, Path> local = new EnumMap<>(Artifact.class);
  private Assign assign;
  private BlobStore store;

  CommandRunner(Path scratch, Vp8ChunkEncoder encoder) {
    this.scratch = scratch;
    this.encoder = encoder;
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
        case DUMP_STATE -> dumpState(c.getDumpState());
        case ENCODE_GIVEN_STATE -> encodeGivenState(c.getEncodeGivenState());
        case REBASE -> rebase(c.getRebase());
        case UPLOAD -> upload(c.getUpload());
        case QUIT -> CommandOk.newBuilder().setDetail("bye").build();
        case KIND_NOT_SET -> throw new CommandFailure(CommandFailure.BAD_COMMAND,
            "command " + c.getCommandId() + " has no kind (newer coordinator?)", false);
      };
    } catch (CommandFailure e) {
      throw e;
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

  private CommandOk dumpState(DumpState d) {
    throw unsupported("DumpState");
  }

  private CommandOk encodeGivenState(EncodeGivenState e) {
    throw unsupported("EncodeGivenState");
  }

  private CommandOk rebase(Rebase r) {
    throw unsupported("Rebase");
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
    store.putFile(key, p);
    return CommandOk.newBuilder().setBytes(size(p)).setDetail(what + " -> " + key).build();
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

  private static CommandFailure unsupported(String command) {
    return new CommandFailure(CommandFailure.UNSUPPORTED,
        command + " needs the vp8-state re-encoder, not available in this build", false);
  }
}
