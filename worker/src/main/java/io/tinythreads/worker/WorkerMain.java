package io.tinythreads.worker;

import io.tinythreads.tls.ClientTls;
import io.tinythreads.tls.TlsFileException;
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
 *            [--tls] [--tls-ca PEM] [--tls-client-cert PEM --tls-client-key PEM]
 * </pre>
 *
 * Each flag may also come from the environment: TT_COORDINATOR, TT_JOB, TT_CHUNK (or
 * JOB_COMPLETION_INDEX, set by a Kubernetes Indexed Job), TT_TOKEN, TT_ATTEMPT, TT_WORKER_ID,
 * TT_SCRATCH, TT_RUNTIME, TT_TLS (true/1), TT_TLS_CA, TT_TLS_CLIENT_CERT, TT_TLS_CLIENT_KEY. Flags win
 * over the environment. The TLS settings serve both links, the coordinator and the rendezvous
 * (one CA bundle, one client certificate); without any of them the links are plaintext. Exit
 * codes: 0 after Quit, 1 when the worker failed, 2 for a usage error (a missing or bad TLS file
 * included, reported in one line naming the flag and the file).
 */
public final class WorkerMain {
  static final String USAGE = "usage: WorkerMain --coordinator HOST:PORT --job JOB --chunk K --token TOKEN"
      + " [--attempt A] [--worker-id ID] [--scratch DIR] [--runtime NAME]\n"
      + "  [--tls] [--tls-ca PEM] [--tls-client-cert PEM --tls-client-key PEM]\n"
      + "  (or env TT_COORDINATOR, TT_JOB, TT_CHUNK or JOB_COMPLETION_INDEX, TT_TOKEN, TT_ATTEMPT,"
      + " TT_WORKER_ID, TT_SCRATCH, TT_RUNTIME, TT_TLS, TT_TLS_CA, TT_TLS_CLIENT_CERT, TT_TLS_CLIENT_KEY)";
  /** TLS flag (without its dashes) and its environment variable. */
  private static final String[][] TLS_ENV = {{"tls-ca", "TT_TLS_CA"}, {"tls-client-cert", "TT_TLS_CLIENT_CERT"},
      {"tls-client-key", "TT_TLS_CLIENT_KEY"}};

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
      // TlsFileException included: "--tls-ca /path: no such file", one line.
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
    Map<String, String> fromEnv = tlsEnv(env, v);
    boolean tlsOn = truthy(env.get("TT_TLS"));
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
      if (a.equals(ClientTls.TLS_FLAG)) {
        tlsOn = true;
        continue;
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
        case "tls-ca", "tls-client-cert", "tls-client-key" -> {
          v.put(name, value);
          fromEnv.remove(name);
        }
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
    ClientTls tls = tls(v, fromEnv, tlsOn);
    return new WorkerConfig(v.get("coordinator"), v.get("job"), chunk, v.get("token"), attempt, v.get("worker-id"),
        runtime, scratch, tls);
  }

  /**
   * The TLS settings, checked now so a bad file stops the worker before it dials anything; an
   * error names the environment variable when the value came from there.
   */
  private static ClientTls tls(Map<String, String> v, Map<String, String> fromEnv, boolean tlsOn) {
    ClientTls tls = new ClientTls(path(v, "tls-ca"), path(v, "tls-client-cert"), path(v, "tls-client-key"), tlsOn);
    try {
      tls.validate();
    } catch (TlsFileException e) {
      String var = fromEnv.get(e.flag().substring(2));
      throw var == null ? e : new IllegalArgumentException(var + " " + e.file() + ": " + e.problem(), e);
    }
    return tls;
  }

  /**
   * The worker TLS settings of the environment alone (TT_TLS, TT_TLS_CA, TT_TLS_CLIENT_CERT,
   * TT_TLS_CLIENT_KEY), for entry points without flags such as the Lambda handler.
   *
   * @throws IllegalArgumentException one line naming the variable and the file at fault
   */
  static ClientTls tlsFromEnv(Map<String, String> env) {
    Map<String, String> v = new HashMap<>();
    return tls(v, tlsEnv(env, v), truthy(env.get("TT_TLS")));
  }

  /** Puts the TLS file variables of {@code env} into {@code v}; returns flag name -> variable for those set. */
  private static Map<String, String> tlsEnv(Map<String, String> env, Map<String, String> v) {
    Map<String, String> fromEnv = new HashMap<>();
    for (String[] e : TLS_ENV) {
      String val = env.get(e[1]);
      if (val != null && !val.isEmpty()) {
        v.put(e[0], val);
        fromEnv.put(e[0], e[1]);
      }
    }
    return fromEnv;
  }

  private static Path path(Map<String, String> v, String key) {
    return v.containsKey(key) ? Path.of(v.get(key)) : null;
  }

  private static boolean truthy(String s) {
    return s != null && (s.equalsIgnoreCase("true") || s.equals("1") || s.equalsIgnoreCase("yes"));
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
