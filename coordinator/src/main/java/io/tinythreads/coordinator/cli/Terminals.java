package io.tinythreads.coordinator.cli;

import java.io.Console;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Is stderr a terminal? Java has no isatty for stderr, so:
 * <ol>
 *   <li>On Linux, read the link {@code /proc/self/fd/2}: a terminal is {@code /dev/pts/N},
 *       {@code /dev/ttyX} or {@code /dev/console}; a pipe reads {@code pipe:[..]}, a file its path.
 *       This asks about stderr itself, which is where progress goes.</li>
 *   <li>Elsewhere, {@code System.console() != null}, refined on JDK 22+ by
 *       {@code Console.isTerminal()} (called reflectively because we compile for release 21, where
 *       it does not exist; on 22+ {@code System.console()} is non-null even when redirected). This
 *       looks at stdin/stdout rather than stderr, a documented approximation.</li>
 * </ol>
 * {@code --progress bar|plain} overrides the guess.
 */
final class Terminals {
  private static final int DEFAULT_COLUMNS = 80;

  private Terminals() {}

  static boolean stderrIsTerminal() {
    Path fd2 = Path.of("/proc/self/fd/2");
    try {
      if (Files.isSymbolicLink(fd2)) {
        return isTerminalDevice(Files.readSymbolicLink(fd2).toString());
      }
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // fall through to the Console check
    }
    return consoleIsTerminal();
  }

  /** Visible for testing: classifies the target of /proc/self/fd/N. */
  static boolean isTerminalDevice(String linkTarget) {
    return linkTarget.startsWith("/dev/pts/") || linkTarget.startsWith("/dev/tty") || linkTarget.equals("/dev/console");
  }

  private static boolean consoleIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // JDK 21: a console exists only when stdin and stdout are a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  /** Terminal width from $COLUMNS (set by most shells), else 80. */
  static int columns() {
    String env = System.getenv("COLUMNS");
    if (env != null) {
      try {
        int c = Integer.parseInt(env.strip());
        if (c >= 20 && c <= 1000) {
          return c;
        }
      } catch (NumberFormatException e) {
        // use the default
      }
    }
    return DEFAULT_COLUMNS;
  }
}
