package io.tinythreads.rendezvous;

import io.tinythreads.tls.ServerTls;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link RendezvousServer}.
 *
 * @param bindAddress address to listen on ("127.0.0.1" for an embedded relay, "0.0.0.0" for a standalone one)
 * @param port TCP port; 0 picks a free one ({@link RendezvousServer#port()} tells which)
 * @param tokens verifies each registration's job token; share the coordinator's instance (or secret)
 * @param ttl how long a message may wait for a successor that is not connected (mu's tombstones: 600 s)
 * @param maxHeldBytesPerJob bytes one job may hold that have not yet been relayed (see {@link RelayTable});
 *     beyond it a sender whose successor is absent gets RESOURCE_EXHAUSTED
 * @param tls the server's certificate and key (and client CA for mutual TLS); null = plaintext
 */
public record RendezvousConfig(String bindAddress, int port, JobTokens tokens, Duration ttl, long maxHeldBytesPerJob,
                               ServerTls tls) {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(600);
  /** 256 MiB: about twenty 4K decoder states (~12 MB each) waiting at once, per job. */
  public static final long DEFAULT_MAX_HELD_BYTES_PER_JOB = 256L << 20;
  public static final String LOOPBACK = "127.0.0.1";

  public RendezvousConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(ttl, "ttl");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be 0..65535, got " + port);
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: must be positive, got " + ttl);
    }
    if (maxHeldBytesPerJob <= 0) {
      throw new IllegalArgumentException("maxHeldBytesPerJob: must be positive, got " + maxHeldBytesPerJob);
    }
  }

  /** Plaintext. */
  public RendezvousConfig(String bindAddress, int port, JobTokens tokens, Duration ttl, long maxHeldBytesPerJob) {
    this(bindAddress, port, tokens, ttl, maxHeldBytesPerJob, null);
  }

  /** Loopback, ephemeral port, 600 s TTL, 256 MiB per job: what an embedded relay uses. */
  public static RendezvousConfig defaults(JobTokens tokens) {
    return new RendezvousConfig(LOOPBACK, 0, tokens, DEFAULT_TTL, DEFAULT_MAX_HELD_BYTES_PER_JOB);
  }

  public RendezvousConfig withBind(String bindAddress, int port) {
    return new RendezvousConfig(bindAddress, port, tokens, ttl, maxHeldBytesPerJob, tls);
  }

  public RendezvousConfig withTtl(Duration ttl) {
    return new RendezvousConfig(bindAddress, port, tokens, ttl, maxHeldBytesPerJob, tls);
  }

  public RendezvousConfig withMaxHeldBytesPerJob(long maxHeldBytesPerJob) {
    return new RendezvousConfig(bindAddress, port, tokens, ttl, maxHeldBytesPerJob, tls);
  }

  /** The same settings served over TLS ({@code tls} null = plaintext). */
  public RendezvousConfig withTls(ServerTls tls) {
    return new RendezvousConfig(bindAddress, port, tokens, ttl, maxHeldBytesPerJob, tls);
  }
}
