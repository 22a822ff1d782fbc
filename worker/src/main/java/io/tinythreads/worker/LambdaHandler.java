package io.tinythreads.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS Lambda entry: one invocation runs one worker. The (asynchronous) invocation payload is
 * {@code {"coordinator": "host:port", "job": "...", "chunk": 3, "token": "...", "attempt": 0}};
 * optional {@code "worker_id"} (default: the Lambda request id) and {@code "scratch"} (default /tmp,
 * Lambda's only writable directory). TLS settings come from the function's environment, as for
 * {@link WorkerMain}: TT_TLS_CA, TT_TLS_CLIENT_CERT, TT_TLS_CLIENT_KEY (files in the image or a
 * layer) and TT_TLS. Returns {@code "exit=N"}; it never throws, because Lambda would
 * retry a failed asynchronous invocation on its own while the coordinator already replaces failed
 * workers itself.
 */
public final class LambdaHandler implements RequestHandler<Map<String, Object>, String> {
  private static final Logger LOG = LoggerFactory.getLogger(LambdaHandler.class);

  @Override
  public String handleRequest(Map<String, Object> payload, Context context) {
    WorkerConfig cfg;
    try {
      cfg = toConfig(payload, context == null ? null : context.getAwsRequestId())
          .withTls(WorkerMain.tlsFromEnv(System.getenv()));
    } catch (IllegalArgumentException e) {
      LOG.error("bad invocation payload: {}", e.getMessage());
      return "exit=" + Worker.EXIT_USAGE + " bad payload: " + e.getMessage();
    }
    int code = Worker.run(cfg);
    return "exit=" + code;
  }

  // Visible for testing.
  static WorkerConfig toConfig(Map<String, Object> p, String requestId) {
    if (p == null) {
      throw new IllegalArgumentException("payload is empty");
    }
    String workerId = str(p, "worker_id", false);
    if (workerId == null && requestId != null) {
      workerId = "lambda-" + requestId;
    }
    String scratch = str(p, "scratch", false);
    return new WorkerConfig(str(p, "coordinator", true), str(p, "job", true), integer(p, "chunk", true),
        str(p, "token", true), p.containsKey("attempt") ? integer(p, "attempt", false) : 0, workerId, "lambda",
        Path.of(scratch == null ? "/tmp" : scratch));
  }

  private static String str(Map<String, Object> p, String key, boolean required) {
    Object o = p.get(key);
    if (o == null) {
      if (required) {
        throw new IllegalArgumentException("payload has no \"" + key + "\"");
      }
      return null;
    }
    return o.toString();
  }

  /** JSON numbers arrive as Integer, Long, Double or even String depending on the serializer. */
  private static int integer(Map<String, Object> p, String key, boolean required) {
    Object o = p.get(key);
    if (o == null) {
      if (required) {
        throw new IllegalArgumentException("payload has no \"" + key + "\"");
      }
      return 0;
    }
    if (o instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("\"" + key + "\" must be an integer, got " + o);
      }
      return (int) d;
    }
    try {
      return Integer.parseInt(o.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + key + "\" must be an integer, got '" + o + "'");
    }
  }
}
