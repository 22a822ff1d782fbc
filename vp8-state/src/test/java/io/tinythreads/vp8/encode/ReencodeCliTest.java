package io.tinythreads.vp8.encode;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.vp8.DecoderSnapshot;
import io.tinythreads.vp8.StateCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vp8 reencode} end to end on files, as ExCamera chains xc-enc: encode-given-state of
 * chunk 1 against chunk 0's state, encode-given-state of chunk 2 against chunk 1's libvpx state,
 * then a rebase of that output onto chunk 1's final state (--pred-state), joined and checked
 * with vpxdec; a wrong --pred-state is refused naming both hashes.
 */
class ReencodeCliTest {
  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ReencodeCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void chainOfThreeChunksThroughTheCommand() throws Exception {
    Path[] y4m = new Path[3];
    Path[] ivf = new Path[3];
    Path[] end = new Path[3];
    for (int k = 0; k < 3; k++) {
      y4m[k] = Clips.cut(Clips.foreman(), k * 6, 6, 176, 144);
      ivf[k] = Clips.vpxenc(y4m[k], 24);
      end[k] = tmp.resolve("c" + k + "-0.state");
      Files.write(end[k], StateCodec.toBytes(Clips.endState(null, Clips.frames(ivf[k]))));
    }
    // Parallel phase: chunk 1 and 2 given their predecessors' libvpx end states.
    Path c1 = tmp.resolve("c1-1.ivf");
    Path c1State = tmp.resolve("c1-1.state");
    Run r1 = run("--raw", y4m[1].toString(), "--pred", ivf[1].toString(), "--state", end[0].toString(), "-o",
        c1.toString(), "--out-state", c1State.toString());
    assertThat(r1.code()).as(r1.err()).isZero();
    Path c2a = tmp.resolve("c2-1.ivf");
    Run r2 = run("--raw", y4m[2].toString(), "--pred", ivf[2].toString(), "--state", end[1].toString(), "-o",
        c2a.toString(), "--kf-q-weight", "0.5");
    assertThat(r2.code()).as(r2.err()).isZero();
    assertThat(ReencodeCli.readExpectedHash(c2a)).isEqualTo((int) StateCodec.read(Files.readAllBytes(end[1])).hash64());

    // Serial phase: rebase chunk 2 onto chunk 1's final state.
    Path c2 = tmp.resolve("c2-2.ivf");
    Path c2State = tmp.resolve("c2-2.state");
    Run r3 = run("--raw", y4m[2].toString(), "--pred", c2a.toString(), "--pred-state", end[1].toString(), "--state",
        c1State.toString(), "-o", c2.toString(), "--out-state", c2State.toString());
    assertThat(r3.code()).as(r3.err()).isZero();

    List<byte[]> joined = new ArrayList<>(Clips.frames(ivf[0]));
    joined.addAll(Clips.frames(c1));
    joined.addAll(Clips.frames(c2));
    Path all = Clips.writeIvf("cli-joined.ivf", 176, 144, joined);
    List<String> vpx = Clips.vpxdecMd5(all);
    assertThat(vpx).hasSize(18);
    assertThat(Clips.md5(joined)).isEqualTo(vpx);
    DecoderSnapshot fin = StateCodec.read(Files.readAllBytes(c2State));
    assertThat(fin).isEqualTo(Clips.endState(null, joined));

    // A --pred-state other than the one the chunk records is refused, naming both hashes.
    Run bad = run("--raw", y4m[2].toString(), "--pred", c2a.toString(), "--pred-state", end[0].toString(), "--state",
        c1State.toString(), "-o", tmp.resolve("bad.ivf").toString());
    assertThat(bad.code()).isEqualTo(1);
    String recorded = String.format("%08x", ReencodeCli.readExpectedHash(c2a));
    String given = String.format("%016x", StateCodec.read(Files.readAllBytes(end[0])).hash64());
    assertThat(bad.err()).contains(recorded).contains(given);

    // The worker's chunk files carry the full 64-bit hash in a 48-byte IVF header ("TTEH").
    Path extended = tmp.resolve("c2-1-extended.ivf");
    long fullHash = StateCodec.read(Files.readAllBytes(end[1])).hash64();
    writeExtended(c2a, extended, fullHash);
    Run ok = run("--raw", y4m[2].toString(), "--pred", extended.toString(), "--pred-state", end[1].toString(),
        "--state", c1State.toString(), "-o", tmp.resolve("ext.ivf").toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("ext.ivf"))).isEqualTo(Files.readAllBytes(c2));
    writeExtended(c2a, extended, fullHash ^ (1L << 40)); // same low 32 bits, different hash
    Run badExt = run("--raw", y4m[2].toString(), "--pred", extended.toString(), "--pred-state", end[1].toString(),
        "--state", c1State.toString(), "-o", tmp.resolve("ext2.ivf").toString());
    assertThat(badExt.code()).isEqualTo(1);
    assertThat(badExt.err()).contains(String.format("%016x", fullHash ^ (1L << 40)))
        .contains(String.format("%016x", fullHash));
  }

  /** Rewrites an IVF with the worker's 48-byte header carrying {@code hash}. */
  private static void writeExtended(Path ivf, Path out, long hash) throws Exception {
    byte[] b = Files.readAllBytes(ivf);
    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(16);
    h.put("TTEH".getBytes(StandardCharsets.US_ASCII)).putLong(hash).putInt(0);
    byte[] e = new byte[b.length + 16];
    System.arraycopy(b, 0, e, 0, 32);
    e[6] = 48;
    e[7] = 0;
    e[28] = e[29] = e[30] = e[31] = 0;
    System.arraycopy(h.array(), 0, e, 32, 16);
    System.arraycopy(b, 32, e, 48, b.length - 32);
    Files.write(out, e);
  }

  @Test
  void usageAndInputErrorsHaveDistinctExitCodes() {
    assertThat(run().code()).isEqualTo(2);
    assertThat(run("--raw", "a.y4m").code()).isEqualTo(2);
    assertThat(run("--bogus").code()).isEqualTo(2);
    assertThat(run("--kf-q-weight", "2", "--raw", "a", "--pred", "b", "--state", "c", "-o", "d").code()).isEqualTo(2);
    Run missing = run("--raw", tmp.resolve("no.y4m").toString(), "--pred", tmp.resolve("no.ivf").toString(), "--state",
        tmp.resolve("no.state").toString(), "-o", tmp.resolve("o.ivf").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no.state").contains("no such file");
    assertThat(run("--help").code()).isZero();
  }
}
