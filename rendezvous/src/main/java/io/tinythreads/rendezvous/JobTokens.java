package io.tinythreads.rendezvous;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-job bearer tokens: {@code base64url(HMAC-SHA256(secret, UTF-8(jobId)))} without padding (RFC 2104,
 * RFC 4648 section 5).
 *
 * <p>The coordinator issues a token for each job it runs and hands it to that job's workers; the
 * rendezvous and the coordinator's worker-session service check it with the same secret. A token
 * proves "the holder was given this job by the coordinator", nothing more: it is not bound to a
 * chunk, so any worker of a job may register as any chunk of that job (the coordinator decides
 * which chunk a worker runs; the rendezvous only keeps jobs apart).
 *
 * <p>Thread-safe and immutable. {@link #verify} compares in constant time
 * ({@link MessageDigest#isEqual}), so response timing does not reveal how much of a guessed token
 * was right.
 */
public final class JobTokens {
  /** Shorter secrets make brute force against a captured token plausible (RFC 2104 section 3: at least L=32 bytes is recommended; 16 is the floor we accept). */
  static final int MIN_SECRET_BYTES = 16;
  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] secret;

  /**
   * @param secret HMAC key, at least 16 bytes (32 recommended); copied
   * @throws IllegalArgumentException if {@code secret} is shorter than 16 bytes
   */
  public JobTokens(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret: need at least " + MIN_SECRET_BYTES + " bytes, got " + secret.length);
    }
    this.secret = secret.clone();
  }

  /** A fresh 32-byte random secret: for an embedded rendezvous that shares this instance with its coordinator. */
  public static JobTokens random() {
    byte[] s = new byte[32];
    new SecureRandom().nextBytes(s);
    return new JobTokens(s);
  }

  /**
   * Reads a secret file: its bytes with trailing whitespace (CR, LF, space, tab) removed, so
   * {@code echo "$SECRET" > file} and {@code head -c 32 /dev/urandom > file} both work.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file if what remains is shorter than 16 bytes
   */
  public static JobTokens fromSecretFile(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    int end = raw.length;
    while (end > 0 && isTrailingSpace(raw[end - 1])) {
      end--;
    }
    if (end < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret file " + file + ": need at least " + MIN_SECRET_BYTES + " bytes, got " + end);
    }
    return new JobTokens(Arrays.copyOf(raw, end));
  }

  /** The secret as UTF-8 text (e.g. from the environment variable TT_SECRET). */
  public static JobTokens fromSecretText(String secret) {
    return new JobTokens(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isTrailingSpace(byte b) {
    return b == '\n' || b == '\r' || b == ' ' || b == '\t';
  }

  /** The token for {@code jobId}: 43 base64url characters. Deterministic for a given secret. */
  public String tokenFor(String jobId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(jobId));
  }

  /**
   * Whether {@code token} is the token for {@code jobId}. Null or malformed input is simply "no".
   * The comparison does not short-circuit on the first differing byte.
   */
  public boolean verify(String jobId, String token) {
    if (jobId == null || jobId.isEmpty() || token == null) {
      return false;
    }
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
    return MessageDigest.isEqual(mac(jobId), presented);
  }

  private byte[] mac(String jobId) {
    if (jobId == null || jobId.isEmpty()) {
      throw new IllegalArgumentException("jobId: must not be empty");
    }
    try {
      // Mac instances are not thread-safe and cheap to create; one per call keeps this class immutable.
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      return mac.doFinal(jobId.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "JobTokens[secret=<" + secret.length + " bytes>]";
  }
}
