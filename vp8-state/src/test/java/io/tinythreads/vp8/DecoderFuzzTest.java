package io.tinythreads.vp8;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.header.FrameHeader;
import io.tinythreads.vp8.io.IvfFrame;
import io.tinythreads.vp8.io.IvfReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Robustness: frames of the conformance vectors, mutated (bit flips, truncation, random bytes,
 * changed size fields, another partition count, spliced frames), are decoded from the state the
 * original stream had at that point, followed by two original frames. Only
 * {@link InvalidBitstreamException} and {@link UnsupportedFeatureException} may escape; every
 * decode runs under a time guard (a hang fails); frames beyond the decoder's pixel limit must be
 * refused; a failed frame must leave the decoder unchanged. One mutation is valid by construction
 * (the same frame re-written with another partition count) and must decode to the identical
 * frame. {@link StateCodec#read} is fuzzed the same way.
 *
 * <p>Bounded by time so CI stays fast: {@code -Dvp8.fuzz.seconds} (default 8) and
 * {@code -Dvp8.fuzz.stateSeconds} (default 2); {@code -Dvp8.fuzz.seed} picks the seed, and
 * {@code -Dvp8.fuzz.dir} where a failing input is saved (default java.io.tmpdir).
 */
class DecoderFuzzTest {
  /** Key frames claiming more pixels than this must be refused (UnsupportedFeatureException). */
  private static final long MAX_PIXELS = 1L << 20;
  private static final long HANG_SECONDS = Long.getLong("vp8.fuzz.hangSeconds", 10);

  enum Mutation {
    BIT_FLIPS, HEADER_BIT_FLIPS, TRUNCATE, RANDOM_RUN, RANDOM_FRAME, TAG_SIZE, KEY_SIZE, PARTITION_SIZES,
    PARTITION_COUNT, SPLICE, REPARTITION_VALID
  }

  /** One vector: its frames and the decoder snapshot after each. */
  private record Stream(String name, List<byte[]> frames, List<DecoderSnapshot> after) {
    DecoderSnapshot before(int j) {
      return j == 0 ? DecoderSnapshot.initial() : after.get(j - 1);
    }
  }

  private static final List<Stream> CORPUS = new ArrayList<>();
  private static ExecutorService executor;

  @BeforeAll
  static void loadCorpus() throws IOException {
    for (Path ivf : TestData.allVectors()) {
      List<byte[]> frames = new ArrayList<>();
      List<DecoderSnapshot> after = new ArrayList<>();
      Decoder d = new Decoder();
      try (IvfReader r = IvfReader.open(ivf)) {
        for (IvfFrame f; (f = r.next()) != null; ) {
          frames.add(f.data());
          d.decode(f.data());
          after.add(d.snapshot());
        }
      }
      CORPUS.add(new Stream(ivf.getFileName().toString(), frames, after));
    }
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vp8-fuzz");
      t.setDaemon(true); // a hung decode must not keep the JVM alive
      return t;
    });
  }

  @AfterAll
  static void stop() {
    executor.shutdownNow();
  }

  @Test
  void mutatedFramesRaiseOnlyTypedErrors() throws Exception {
    long seed = Long.getLong("vp8.fuzz.seed", 20261122L);
    long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("vp8.fuzz.seconds", 8));
    Random rnd = new Random(seed);
    Map<Mutation, int[]> counts = new EnumMap<>(Mutation.class); // ok, invalid, unsupported
    for (Mutation m : Mutation.values()) {
      counts.put(m, new int[3]);
    }
    long start = System.nanoTime();
    long maxUsed = 0;
    long maxNanos = 0;
    int iterations = 0;
    while (System.nanoTime() - start < budgetNanos || iterations < Mutation.values().length * 4) {
      Mutation m = Mutation.values()[iterations % Mutation.values().length];
      Stream s = CORPUS.get(rnd.nextInt(CORPUS.size()));
      int j = rnd.nextInt(s.frames().size());
      byte[] input = mutate(m, s, j, rnd);
      String where = String.format(Locale.ROOT, "seed %d iteration %d: %s of %s frame %d", seed, iterations, m,
          s.name(), j);
      List<byte[]> rest = s.frames().subList(j + 1, Math.min(j + 3, s.frames().size()));
      long t0 = System.nanoTime();
      Future<int[]> f = executor.submit(() -> decode(s, j, input, rest, m, where));
      int[] outcome;
      try {
        outcome = f.get(HANG_SECONDS, TimeUnit.SECONDS);
        maxNanos = Math.max(maxNanos, System.nanoTime() - t0);
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new AssertionError("decode did not finish within " + HANG_SECONDS + " s: " + where + ", input saved to "
            + save(input, seed, iterations));
      } catch (ExecutionException e) {
        throw new AssertionError(where + " (input saved to " + save(input, seed, iterations) + ")", e.getCause());
      }
      for (int k = 0; k < 3; k++) {
        counts.get(m)[k] += outcome[k];
      }
      Runtime rt = Runtime.getRuntime();
      maxUsed = Math.max(maxUsed, rt.totalMemory() - rt.freeMemory());
      iterations++;
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "decoder fuzz: seed %d, %d iterations in %.1f s, slowest %.1f ms, max heap used %d MiB;"
            + " frames decoded ok/invalid/unsupported per mutation:",
        seed, iterations, (System.nanoTime() - start) / 1e9, maxNanos / 1e6, maxUsed >> 20));
    counts.forEach((m, c) -> sb.append(String.format(Locale.ROOT, " %s %d/%d/%d", m, c[0], c[1], c[2])));
    System.out.println(sb);
    int[] valid = counts.get(Mutation.REPARTITION_VALID);
    assertThat(valid[1] + valid[2]).as("re-partitioned valid frames must decode").isZero();
    assertThat(counts.get(Mutation.BIT_FLIPS)[1]).as("bit flips are detected at least sometimes").isPositive();
    assertThat(counts.get(Mutation.KEY_SIZE)[2]).as("oversized key frames are refused").isPositive();
  }

  /**
   * Decodes {@code input} from the state before frame {@code j}, then {@code rest}; returns
   * {ok, invalid, unsupported} counts. Throws AssertionError for any broken invariant.
   */
  private static int[] decode(Stream s, int j, byte[] input, List<byte[]> rest, Mutation m, String where) {
    int[] outcome = new int[3];
    DecoderSnapshot before = s.before(j);
    // The valid re-partitioned frames include key frames beyond the fuzzing limit (1432x888).
    long limit = m == Mutation.REPARTITION_VALID ? FrameParser.DEFAULT_MAX_PIXELS : MAX_PIXELS;
    Decoder d = new Decoder(before.state(), before.references(), limit);
    List<byte[]> frames = new ArrayList<>();
    frames.add(input);
    frames.addAll(rest);
    for (int i = 0; i < frames.size(); i++) {
      DecoderState st = d.state();
      References refs = d.references();
      try {
        DecodedFrame out = d.decode(frames.get(i));
        Raster r = out.raster();
        // The limit applies to key frames; interframes keep the size the stream already had.
        boolean sizeChanged = r.width() != st.width() || r.height() != st.height();
        if (sizeChanged && (long) r.width() * r.height() > limit) {
          throw new AssertionError(where + ": decoded a " + r.width() + "x" + r.height() + " frame beyond the limit");
        }
        if (m == Mutation.REPARTITION_VALID && i == 0) {
          DecoderSnapshot expected = s.after().get(j);
          if (!d.snapshot().equals(expected)) {
            throw new AssertionError(where + ": re-partitioned frame decodes differently");
          }
        }
        outcome[0]++;
      } catch (InvalidBitstreamException e) {
        outcome[1]++;
        checkUnchanged(d, st, refs, where, e);
      } catch (UnsupportedFeatureException e) {
        outcome[2]++;
        checkUnchanged(d, st, refs, where, e);
      }
    }
    return outcome;
  }

  private static void checkUnchanged(Decoder d, DecoderState st, References refs, String where, Exception e) {
    if (d.state() != st || d.references() != refs) {
      throw new AssertionError(where + ": decoder changed by a failed frame (" + e.getMessage() + ")");
    }
  }

  // ------------------------------------------------------------------ mutations

  private static byte[] mutate(Mutation m, Stream s, int j, Random rnd) {
    byte[] orig = s.frames().get(j);
    byte[] b = orig.clone();
    switch (m) {
      case BIT_FLIPS -> flip(b, 0, b.length, 1 + rnd.nextInt(16), rnd);
      case HEADER_BIT_FLIPS -> flip(b, 0, Math.min(b.length, 48), 1 + rnd.nextInt(4), rnd);
      case TRUNCATE -> b = Arrays.copyOf(orig, rnd.nextInt(orig.length));
      case RANDOM_RUN -> {
        int off = rnd.nextInt(b.length);
        int len = Math.min(b.length - off, 1 + rnd.nextInt(64));
        for (int i = 0; i < len; i++) {
          b[off + i] = (byte) rnd.nextInt(256);
        }
      }
      case RANDOM_FRAME -> {
        b = new byte[rnd.nextInt(4000)];
        rnd.nextBytes(b);
        if (rnd.nextBoolean()) {
          System.arraycopy(orig, 0, b, 0, Math.min(b.length, Math.min(orig.length, 10)));
        }
      }
      case TAG_SIZE -> {
        int raw = (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16;
        int size = raw >>> 5;
        size = rnd.nextBoolean() ? rnd.nextInt(1 << 19) : Math.max(0, Math.min((1 << 19) - 1, size + rnd.nextInt(9) - 4));
        raw = (raw & 31) | size << 5;
        b[0] = (byte) raw;
        b[1] = (byte) (raw >> 8);
        b[2] = (byte) (raw >> 16);
      }
      case KEY_SIZE -> {
        if ((b[0] & 1) == 0 && b.length >= 10) {
          int w = rnd.nextInt(4) == 0 ? rnd.nextInt(1 << 16) : rnd.nextInt(3000);
          int h = rnd.nextInt(4) == 0 ? rnd.nextInt(1 << 16) : rnd.nextInt(3000);
          b[6] = (byte) w;
          b[7] = (byte) (w >> 8);
          b[8] = (byte) h;
          b[9] = (byte) (h >> 8);
        } else {
          b[0] ^= 1; // an interframe posing as a key frame (or the reverse)
        }
      }
      case PARTITION_SIZES -> {
        FrameHeader h = FrameHeader.parse(orig);
        if (h.numPartitions() > 1) {
          int table = h.firstPartitionOffset() + h.tag().firstPartSize();
          int p = table + 3 * rnd.nextInt(h.numPartitions() - 1);
          int v = rnd.nextBoolean() ? rnd.nextInt(1 << 24) : Math.max(0, h.partitionSizes().get(0) + rnd.nextInt(9) - 4);
          b[p] = (byte) v;
          b[p + 1] = (byte) (v >> 8);
          b[p + 2] = (byte) (v >> 16);
        } else {
          b = withPartitionCount(s, j, 1 + rnd.nextInt(3), true);
        }
      }
      case PARTITION_COUNT -> b = withPartitionCount(s, j, rnd.nextInt(4), true);
      case SPLICE -> {
        Stream o = CORPUS.get(rnd.nextInt(CORPUS.size()));
        byte[] other = o.frames().get(rnd.nextInt(o.frames().size()));
        int cutA = rnd.nextInt(orig.length + 1);
        int cutB = rnd.nextInt(other.length + 1);
        b = new byte[cutA + other.length - cutB];
        System.arraycopy(orig, 0, b, 0, cutA);
        System.arraycopy(other, cutB, b, cutA, other.length - cutB);
      }
      case REPARTITION_VALID -> b = withPartitionCount(s, j, rnd.nextInt(4), false);
    }
    return b;
  }

  private static void flip(byte[] b, int from, int to, int n, Random rnd) {
    if (to <= from) {
      return;
    }
    for (int i = 0; i < n; i++) {
      int bit = from * 8 + rnd.nextInt((to - from) * 8);
      b[bit >> 3] ^= (byte) (1 << (bit & 7));
    }
  }

  /**
   * Frame {@code j} re-written with 2^{@code log2} token partitions. With {@code keepOldTokens},
   * the new tag and first partition are followed by the original partition table and token data,
   * so the partition count no longer matches the data.
   */
  private static byte[] withPartitionCount(Stream s, int j, int log2, boolean keepOldTokens) {
    byte[] orig = s.frames().get(j);
    DecoderState before = s.before(j).state();
    ParsedFrame p = Decoder.parse(orig, before);
    FrameHeader h = p.header();
    FrameHeader n = new FrameHeader(h.tag(), h.keyFrameStart(), h.colorSpace(), h.clampingType(),
        h.segmentationEnabled(), h.segmentation(), h.filterType(), h.loopFilterLevel(), h.sharpnessLevel(),
        h.loopFilterAdjEnable(), h.modeRefLfDeltaUpdate(), log2, Collections.nCopies(1 << log2, 0),
        h.quantIndices(), h.refreshGoldenFrame(), h.refreshAlternateFrame(), h.copyBufferToGolden(),
        h.copyBufferToAlternate(), h.signBiasGolden(), h.signBiasAlternate(), h.refreshEntropyProbs(),
        h.refreshLast(), h.tokenProbUpdate(), h.mbNoCoeffSkip(), h.probSkipFalse(), h.probIntra(), h.probLast(),
        h.probGf(), h.intra16x16Probs(), h.intraChromaProbs(), h.mvProbUpdate());
    byte[] rewritten = FrameWriter.write(FrameBuilder.from(p, before).header(n));
    if (!keepOldTokens) {
      return rewritten;
    }
    FrameHeader nh = FrameHeader.parse(rewritten);
    int newHead = nh.firstPartitionOffset() + nh.tag().firstPartSize();
    int oldHead = h.firstPartitionOffset() + h.tag().firstPartSize();
    byte[] b = new byte[newHead + orig.length - oldHead];
    System.arraycopy(rewritten, 0, b, 0, newHead);
    System.arraycopy(orig, oldHead, b, newHead, orig.length - oldHead);
    return b;
  }

  private static String save(byte[] input, long seed, int iteration) {
    try {
      Path dir = Path.of(System.getProperty("vp8.fuzz.dir", System.getProperty("java.io.tmpdir")));
      Path f = dir.resolve("vp8-fuzz-" + seed + "-" + iteration + ".bin");
      Files.write(f, input);
      return f.toString();
    } catch (IOException e) {
      return "(not saved: " + e + ")";
    }
  }

  // ------------------------------------------------------------------ StateCodec.read

  @Test
  void mutatedStatesRaiseOnlyTypedErrors() throws Exception {
    long seed = Long.getLong("vp8.fuzz.seed", 20261122L) + 1;
    long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("vp8.fuzz.stateSeconds", 2));
    Random rnd = new Random(seed);
    List<DecoderSnapshot> snapshots = new ArrayList<>();
    snapshots.add(DecoderSnapshot.initial());
    for (Stream s : CORPUS) {
      if (s.name().contains("1439") || s.name().contains("011") || s.name().contains("1437")) {
        snapshots.add(s.after().get(0));
        snapshots.add(s.after().get(s.after().size() / 2));
        snapshots.add(s.after().get(s.after().size() - 1));
      }
    }
    List<byte[]> encoded = snapshots.stream().map(StateCodec::toBytes).toList();
    long start = System.nanoTime();
    int iterations = 0;
    int[] outcome = new int[3];
    while (System.nanoTime() - start < budgetNanos || iterations < 100) {
      int which = rnd.nextInt(encoded.size());
      byte[] good = encoded.get(which);
      byte[] b = good.clone();
      switch (iterations % 5) {
        case 0 -> flip(b, 0, b.length, 1 + rnd.nextInt(8), rnd);
        case 1 -> b = Arrays.copyOf(good, rnd.nextInt(good.length));
        case 2 -> {
          int off = rnd.nextInt(b.length);
          for (int i = off; i < Math.min(b.length, off + 1 + rnd.nextInt(32)); i++) {
            b[i] = (byte) rnd.nextInt(256);
          }
        }
        case 3 -> {
          // Length fields of the header: random, or nudged.
          int at = 8 + 4 * rnd.nextInt(2);
          int v = rnd.nextBoolean() ? rnd.nextInt() : ((b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16
              | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF)) + rnd.nextInt(9) - 4;
          b[at] = (byte) (v >> 24);
          b[at + 1] = (byte) (v >> 16);
          b[at + 2] = (byte) (v >> 8);
          b[at + 3] = (byte) v;
        }
        default -> {
          b = new byte[rnd.nextInt(5000)];
          rnd.nextBytes(b);
          System.arraycopy(good, 0, b, 0, Math.min(b.length, 16));
        }
      }
      byte[] input = b;
      String where = "state fuzz seed " + seed + " iteration " + iterations;
      Future<Integer> f = executor.submit(() -> {
        try {
          DecoderSnapshot back = StateCodec.read(input, MAX_PIXELS);
          if (!back.equals(snapshots.get(which))) {
            throw new AssertionError(where + ": a changed input read back as a different snapshot");
          }
          return 0;
        } catch (InvalidBitstreamException e) {
          return 1;
        } catch (UnsupportedFeatureException e) {
          return 2;
        }
      });
      try {
        outcome[f.get(HANG_SECONDS, TimeUnit.SECONDS)]++;
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new AssertionError(where + ": read did not finish, input saved to " + save(input, seed, iterations));
      } catch (ExecutionException e) {
        throw new AssertionError(where + " (input saved to " + save(input, seed, iterations) + ")", e.getCause());
      }
      iterations++;
    }
    System.out.printf(Locale.ROOT, "state fuzz: seed %d, %d iterations in %.1f s, ok/invalid/unsupported %d/%d/%d%n",
        seed, iterations, (System.nanoTime() - start) / 1e9, outcome[0], outcome[1], outcome[2]);
    assertThat(outcome[1]).isPositive();
  }
}
