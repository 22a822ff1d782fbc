package io.tinythreads.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks PEM files up front, so a bad file stops a server or a worker at start-up with one line
 * naming the flag and the file. Without this, grpc-netty parses them only when it builds its SSL
 * context: for a server at bind time with a multi-line Netty message, for a client at the first
 * call, as an UNAVAILABLE that does not say which file was wrong.
 *
 * <p>Formats (RFC 7468): certificates as {@code -----BEGIN CERTIFICATE-----} blocks; private keys
 * as unencrypted PKCS#8 {@code -----BEGIN PRIVATE KEY-----} (what {@code openssl genpkey} and
 * {@code openssl req -newkey ... -nodes} write), which is what Netty reads without BouncyCastle.
 */
final class Pem {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private Pem() {}

  static byte[] read(String flag, Path file) {
    try {
      if (Files.isDirectory(file)) {
        throw new TlsFileException(flag, file, "is a directory, not a PEM file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsFileException(flag, file, "no such file");
    } catch (AccessDeniedException e) {
      throw new TlsFileException(flag, file, "permission denied");
    } catch (IOException e) {
      throw new TlsFileException(flag, file, "cannot read: " + e.getMessage());
    }
  }

  /** The certificates in {@code file}, leaf first; at least one. */
  static List<X509Certificate> certificates(String flag, Path file) {
    String text = new String(read(flag, file), StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new TlsFileException(flag, file, "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    }
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        if (m.group(1).equals("CERTIFICATE")) {
          byte[] der = Base64.getMimeDecoder().decode(m.group(2));
          out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
      }
    } catch (CertificateException | IllegalArgumentException e) {
      throw new TlsFileException(flag, file, "not a valid PEM certificate (" + oneLine(e) + ")");
    }
    if (out.isEmpty()) {
      throw new TlsFileException(flag, file, "no complete PEM certificate in it");
    }
    return out;
  }

  /** The unencrypted PKCS#8 private key in {@code file}. */
  static PrivateKey privateKey(String flag, Path file) {
    String text = new String(read(flag, file), StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      switch (type) {
        case "PRIVATE KEY" -> {
          return pkcs8(flag, file, Base64.getMimeDecoder().decode(m.group(2)));
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new TlsFileException(flag, file,
            "the key is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)");
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new TlsFileException(flag, file,
            "a " + type + " (PKCS#1/SEC1) block; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in "
                + file + " -out key.pem");
        default -> {
          // another block (e.g. EC PARAMETERS before the key): keep looking
        }
      }
    }
    throw new TlsFileException(flag, file, "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
  }

  private static PrivateKey pkcs8(String flag, Path file, byte[] der) {
    java.security.spec.PKCS8EncodedKeySpec spec = new java.security.spec.PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm
      }
    }
    throw new TlsFileException(flag, file, "not a readable PKCS#8 RSA, EC or EdDSA private key");
  }

  /**
   * Fails unless {@code key} belongs to the first certificate of {@code certs}: signs a random
   * message with the key and verifies it with the certificate's public key (works for every
   * algorithm, where comparing moduli would cover RSA only).
   */
  static void checkPair(String certFlag, Path certFile, X509Certificate leaf, String keyFlag, Path keyFile,
                        PrivateKey key) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    boolean ok;
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(leaf.getPublicKey());
      v.update(probe);
      ok = v.verify(sig);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw new TlsFileException(keyFlag, keyFile, "this key does not belong to the certificate in " + certFlag + " "
          + certFile);
    }
  }

  private static String oneLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl >= 0 ? m.substring(0, nl) : m;
  }
}
