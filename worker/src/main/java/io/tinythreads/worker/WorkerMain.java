package io.tinythreads.worker;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point for worker processes and containers:
 *
 * <pre>
 * WorkerMain --coordinator HOST:PORT --job JOB --chunk K --token T [--attempt A] [--worker-id W]
 *            [--scratch DIR] [--runtime NAME]
 * </pre>
 *
 * Each flag may also come from the environment: TT_COORDINATOR, TT_JOB, TT_CHUNK (or
 * JOB_COMPLETION_INDEX, set by a Kubernetes Indexed Job), TT_TOKEN, TT_ATTEMPT, TT_WORKER_ID,
 * TT_SCRATCH, TT_RUNTIME. Flags win over the environment. Exit codes: 0 after Quit, 1 when the
 * worker failed, 2 for a usage error.
 */
public final class WorkerMain {
  static final String USAGE = "usage: WorkerMain --coordinator HOST:PORT --job JOB --chunk K --token TOKEN"
      + " [--attempt A] [--worker-id ID] [--scratch DIR] [--runtime NAME]\n"
      + "  (or env TT_COORDINATOR, TT_JOB, TT_CHUNK or JOB_COMPLETION_INDEX, TT_TOKEN, TT_ATTEMPT,"
      + " TT_WORKER_ID, TT_SCRATCH, TT_RUNTIME)";

  private WorkerMain() {}

  public static void main(String[] args) {
    configureLogging();
    System.exit(run(args, System.getenv(), System.err));
  }

  /** Parses, runs the worker, and returns the exit code (no System.exit, for tests and embedding). */
  static int run(String[] args, Map<String, String> env, PrintStream err) {
    WorkerConfig cfg;
    try {
      cfg = parse(args, env);
    } catch (UsageException e) {
      err.println("worker: " + e.getMessage());
      err.println(USAGE);
      return Worker.EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("worker: " + e.getMessage());
      return Worker.EXIT_USAGE;
    }
    if (cfg == null) {
      err.println(USAGE);
      return Worker.EXIT_OK;
    }
    return Worker.run(cfg);
  }

  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String m) {
      super(m);
    }
  }

  /** Returns null for --help. */
  static WorkerConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> v = new HashMap<>();
    boolean kubernetesIndex = false;
    for (String[] e : new String[][] {{"TT_COORDINATOR", "coordinator"}, {"TT_JOB", "job"}, {"TT_CHUNK", "chunk"},
        {"TT_TOKEN", "token"}, {"TT_ATTEMPT", "attempt"}, {"TT_WORKER_ID", "worker-id"}, {"TT_SCRATCH", "scratch"},
        {"TT_RUNTIME", "runtime"}}) {
      String val = env.get(e[0]);
      if (val != null && !val.isEmpty()) {
        v.put(e[1], val);
      }
    }
    if (!v.containsKey("chunk") && env.get("JOB_COMPLETION_INDEX") != null) {
      v.put("chunk", env.get("JOB_COMPLETION_INDEX"));
      kubernetesIndex = true;
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        return null;
      }
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "coordinator", "job", "chunk", "token", "attempt", "worker-id", "scratch", "runtime" -> v.put(name, value);
        default -> throw new UsageException("unknown flag --" + name);
      }
    }
    for (String req : new String[] {"coordinator", "job", "chunk", "token"}) {
      if (!v.containsKey(req)) {
        throw new UsageException("missing --" + req);
      }
    }
    int chunk = intValue("chunk", v.get("chunk"));
    int attempt = v.containsKey("attempt") ? intValue("attempt", v.get("attempt")) : 0;
    String runtime = v.getOrDefault("runtime", kubernetesIndex ? "kubernetes" : "process");
    Path scratch = v.containsKey("scratch") ? Path.of(v.get("scratch")) : null;
    return new WorkerConfig(v.get("coordinator"), v.get("job"), chunk, v.get("token"), attempt, v.get("worker-id"),
        runtime, scratch);
  }

  private static int intValue(String name, String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, got '" + s + "'");
    }
  }

  /**
   * Uses the worker's own logback settings (INFO to stderr) unless the class path or the command
   * line provides a configuration. Must run before the first logger is created.
   */
  static void configureLogging() {
    if (System.getProperty("logback.configurationFile") == null
        && WorkerMain.class.getResource("/logback.xml") == null
        && WorkerMain.class.getResource("/logback-test.xml") == null
        && WorkerMain.class.getResource("/tinythreads-worker-logback.xml") != null) {
      System.setProperty("logback.configurationFile", "tinythreads-worker-logback.xml");
    }
  }
}
