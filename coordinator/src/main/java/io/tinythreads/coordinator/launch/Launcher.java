package io.tinythreads.coordinator.launch;

import io.tinythreads.proto.LauncherKind;
import io.tinythreads.tls.ClientTls;

/** Starts workers somewhere (DESIGN.md "Launchers"). Implementations are thread-safe. */
public interface Launcher {
  /**
   * Starts one worker; it dials the coordinator on its own.
   *
   * @throws java.io.UncheckedIOException if the worker cannot be started at all
   */
  WorkerHandle launch(LaunchRequest request);

  LauncherKind kind();

  /**
   * The launcher for {@code kind}.
   *
   * @throws UnsupportedOperationException for kinds this build cannot launch (kubernetes, lambda)
   */
  static Launcher of(LauncherKind kind) {
    return of(kind, ClientTls.PLAINTEXT);
  }

  /**
   * The launcher for {@code kind} whose workers dial the coordinator and the rendezvous with
   * {@code tls} (thread workers get it in their config, process workers as flags).
   *
   * @throws UnsupportedOperationException for kinds this build cannot launch (kubernetes, lambda)
   */
  static Launcher of(LauncherKind kind, ClientTls tls) {
    return switch (kind) {
      case LAUNCHER_THREAD, LAUNCHER_UNSPECIFIED -> new ThreadLauncher(tls);
      case LAUNCHER_PROCESS -> new ProcessLauncher(tls);
      case LAUNCHER_KUBERNETES -> throw unavailable("kubernetes");
      case LAUNCHER_LAMBDA -> throw unavailable("lambda");
      case UNRECOGNIZED -> throw new IllegalArgumentException("unknown launcher value");
    };
  }

  private static UnsupportedOperationException unavailable(String name) {
    return new UnsupportedOperationException("launcher " + name + " is not available in this build; see deploy/README.md");
  }
}
