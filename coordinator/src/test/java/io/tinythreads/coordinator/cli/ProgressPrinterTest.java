package io.tinythreads.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stateful printers: throttling by a fake clock, stage changes, the final block or line. */
class ProgressPrinterTest {
  private final StringWriter text = new StringWriter();
  private final PrintWriter err = new PrintWriter(text);
  private final AtomicLong now = new AtomicLong();

  private static Job job(Job.State state, String stage, int chunksDone, long framesDone) {
    return Job.newBuilder().setName("jobs/j").setState(state).setProgress(JobProgress.newBuilder().setStage(stage)
        .setChunksTotal(4).setChunksDone(chunksDone).setFramesTotal(32).setFramesDone(framesDone).setEtaSeconds(-1))
        .build();
  }

  private void advanceMillis(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void keyValueAtMostEveryHalfSecondExceptOnStageChange() {
    ProgressPrinter p = new ProgressPrinter.KeyValue(err, now::get, false);
    p.update(job(Job.State.RUNNING, "ingest", 0, 0)); // first: printed
    advanceMillis(100);
    p.update(job(Job.State.RUNNING, "encode", 0, 0)); // stage change: printed at once
    advanceMillis(100);
    p.update(job(Job.State.RUNNING, "encode", 1, 8)); // too soon: skipped
    advanceMillis(450);
    p.update(job(Job.State.RUNNING, "encode", 2, 16)); // 550 ms after the last print: printed
    advanceMillis(600);
    p.update(job(Job.State.RUNNING, "encode", 2, 16)); // unchanged: skipped
    p.finish(job(Job.State.SUCCEEDED, "done", 4, 32));
    String s = text.toString();
    assertThat(s.split("progress=", -1)).hasSize(5);
    assertThat(s).containsSubsequence("stage=ingest", "stage=encode\nchunks_done=0", "chunks_done=2", "stage=done",
        "progress=end\n");
    assertThat(s).doesNotContain("chunks_done=1");
    assertThat(s.indexOf("progress=end")).isEqualTo(s.lastIndexOf("progress="));
  }

  @Test
  void barRedrawsOneLineAndEndsWithNewline() {
    ProgressPrinter p = new ProgressPrinter.Bar(err, now::get, 80, true);
    p.update(job(Job.State.RUNNING, "encode", 1, 8));
    advanceMillis(10);
    p.update(job(Job.State.RUNNING, "encode", 2, 16)); // within 100 ms: skipped
    advanceMillis(200);
    p.message("chunk 2 retried: worker lost");
    p.update(job(Job.State.RUNNING, "encode", 3, 24));
    p.finish(job(Job.State.SUCCEEDED, "done", 4, 32));
    String s = text.toString();
    assertThat(s).startsWith("\rencode [");
    assertThat(s).doesNotContain("frames 16/32");
    assertThat(s).contains("\rcoordinator: chunk 2 retried: worker lost\n");
    assertThat(s).containsSubsequence("frames 8/32", "retried", "frames 24/32", "\rdone", "frames 32/32");
    assertThat(s).endsWith("\n");
    assertThat(s.chars().filter(c -> c == '\n').count()).as("message line + final newline").isEqualTo(2);
  }

  @Test
  void silentPrintsNothingUnlessVerbose() {
    new ProgressPrinter.Silent(err, false).message("hello");
    ProgressPrinter quiet = new ProgressPrinter.Silent(err, false);
    quiet.update(job(Job.State.RUNNING, "encode", 1, 8));
    quiet.finish(job(Job.State.SUCCEEDED, "done", 4, 32));
    assertThat(text.toString()).isEmpty();
    new ProgressPrinter.Silent(err, true).message("hello");
    assertThat(text.toString()).isEqualTo("coordinator: hello\n");
  }

  @Test
  void terminalDeviceNames() {
    assertThat(Terminals.isTerminalDevice("/dev/pts/3")).isTrue();
    assertThat(Terminals.isTerminalDevice("/dev/tty1")).isTrue();
    assertThat(Terminals.isTerminalDevice("pipe:[12345]")).isFalse();
    assertThat(Terminals.isTerminalDevice("/dev/null")).isFalse();
    assertThat(Terminals.isTerminalDevice("/tmp/log.txt")).isFalse();
  }
}
