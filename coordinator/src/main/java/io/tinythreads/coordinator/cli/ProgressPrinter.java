package io.tinythreads.coordinator.cli;

import io.tinythreads.coordinator.cli.Choices.ProgressMode;
import io.tinythreads.proto.Job;
import io.tinythreads.proto.JobProgress;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Shows a job's progress on stderr while the CLI follows it. Implementations are not thread-safe
 * except {@link #abort()}, which the Ctrl-C hook may call while the main thread is updating.
 */
interface ProgressPrinter {
  /** A new snapshot of the job (from WatchJob or GetJob). */
  void update(Job job);

  /** A human-readable event message, e.g. "chunk 7 retried: worker lost". */
  void message(String text);

  /** The job reached a terminal state: draw the final state and end the line/block. */
  void finish(Job job);

  /** Make sure the cursor is at the start of a fresh line, e.g. before an error line. */
  void abort();

  static ProgressPrinter create(ProgressMode mode, boolean quiet, int verbosity, PrintWriter err) {
    ProgressMode m = quiet ? ProgressMode.NONE : mode;
    if (m == ProgressMode.AUTO) {
      m = Terminals.stderrIsTerminal() ? ProgressMode.BAR : ProgressMode.PLAIN;
    }
    boolean messages = verbosity > 0 && !quiet;
    return switch (m) {
      case BAR -> new Bar(err, System::nanoTime, Terminals.columns(), messages);
      case PLAIN -> new KeyValue(err, System::nanoTime, messages);
      case NONE, AUTO -> new Silent(err, messages);
    };
  }

  /** Nothing but (with -v) event messages. */
  final class Silent implements ProgressPrinter {
    private final PrintWriter err;
    private final boolean messages;

    Silent(PrintWriter err, boolean messages) {
      this.err = err;
      this.messages = messages;
    }

    @Override
    public void update(Job job) {}

    @Override
    public void message(String text) {
      if (messages) {
        err.println("coordinator: " + text);
        err.flush();
      }
    }

    @Override
    public void finish(Job job) {}

    @Override
    public void abort() {}
  }

  /**
   * ffmpeg -progress style blocks, at most one per {@link #MIN_INTERVAL_NANOS} unless the stage
   * changed, and only when something changed; the terminal block ends with progress=end.
   */
  final class KeyValue implements ProgressPrinter {
    static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private final PrintWriter err;
    private final LongSupplier clock;
    private final boolean messages;
    private JobProgress lastPrinted;
    private long lastPrintNanos;
    private boolean ended;

    KeyValue(PrintWriter err, LongSupplier clock, boolean messages) {
      this.err = err;
      this.clock = clock;
      this.messages = messages;
    }

    @Override
    public void update(Job job) {
      if (ended || Outcomes.isTerminal(job.getState())) {
        return; // finish() prints the terminal block
      }
      JobProgress p = job.getProgress();
      long now = clock.getAsLong();
      boolean stageChanged = lastPrinted == null || !lastPrinted.getStage().equals(p.getStage());
      if (stageChanged || (now - lastPrintNanos >= MIN_INTERVAL_NANOS && !p.equals(lastPrinted))) {
        err.print(ProgressFormat.keyValueBlock(p, false));
        err.flush();
        lastPrinted = p;
        lastPrintNanos = now;
      }
    }

    @Override
    public void message(String text) {
      if (messages) {
        err.println("message=" + text.replace('\n', ' '));
        err.flush();
      }
    }

    @Override
    public void finish(Job job) {
      if (!ended) {
        ended = true;
        err.print(ProgressFormat.keyValueBlock(job.getProgress(), true));
        err.flush();
      }
    }

    @Override
    public void abort() {}
  }

  /** One line redrawn with '\r' (vpxenc style), at most every {@link #MIN_INTERVAL_NANOS}. */
  final class Bar implements ProgressPrinter {
    static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final PrintWriter err;
    private final LongSupplier clock;
    private final int columns;
    private final boolean messages;
    private String lastLine = "";
    private String lastStage;
    private long lastDrawNanos;
    private boolean onLine;

    Bar(PrintWriter err, LongSupplier clock, int columns, boolean messages) {
      this.err = err;
      this.clock = clock;
      this.columns = columns;
      this.messages = messages;
    }

    @Override
    public synchronized void update(Job job) {
      JobProgress p = job.getProgress();
      long now = clock.getAsLong();
      boolean stageChanged = !p.getStage().equals(lastStage);
      if (stageChanged || now - lastDrawNanos >= MIN_INTERVAL_NANOS) {
        draw(ProgressFormat.barLine(p, columns));
        lastStage = p.getStage();
        lastDrawNanos = now;
      }
    }

    @Override
    public synchronized void message(String text) {
      if (!messages) {
        return;
      }
      clear();
      err.println("coordinator: " + text);
      if (!lastLine.isEmpty()) {
        String line = lastLine;
        lastLine = "";
        draw(line);
      }
      err.flush();
    }

    @Override
    public synchronized void finish(Job job) {
      draw(ProgressFormat.barLine(job.getProgress(), columns));
      abort();
    }

    @Override
    public synchronized void abort() {
      if (onLine) {
        err.println();
        err.flush();
        onLine = false;
        lastLine = "";
      }
    }

    /** '\r', the new line, and spaces over whatever the old line had beyond it. */
    private void draw(String line) {
      StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
      for (int i = line.length(); i < lastLine.length(); i++) {
        sb.append(' ');
      }
      err.print(sb);
      err.flush();
      lastLine = line;
      onLine = true;
    }

    private void clear() {
      if (onLine) {
        err.print('\r' + " ".repeat(lastLine.length()) + '\r');
        onLine = false;
      }
    }
  }
}
