package io.tinythreads.coordinator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Log levels for the CLI. logback.xml keeps the console quiet (WARN and above, on stderr) so the
 * progress line stays readable; -v raises io.tinythreads to INFO and -vv to DEBUG. gRPC logs
 * through java.util.logging, which is held at SEVERE unless -vv, for the same reason.
 */
final class Logging {
  /** Strong references: java.util.logging keeps loggers weakly, and would forget the level. */
  private static final java.util.logging.Logger GRPC_JUL = java.util.logging.Logger.getLogger("io.grpc");
  private static final java.util.logging.Logger NETTY_JUL = java.util.logging.Logger.getLogger("io.grpc.netty.shaded");

  private Logging() {}

  static void configure(int verbosity) {
    Level level = verbosity >= 2 ? Level.DEBUG : verbosity == 1 ? Level.INFO : Level.WARN;
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext ctx) {
      ctx.getLogger("io.tinythreads").setLevel(level);
    }
    java.util.logging.Level jul = verbosity >= 2 ? java.util.logging.Level.FINE : java.util.logging.Level.SEVERE;
    GRPC_JUL.setLevel(jul);
    NETTY_JUL.setLevel(jul);
  }
}
