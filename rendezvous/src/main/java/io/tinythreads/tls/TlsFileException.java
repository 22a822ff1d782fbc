package io.tinythreads.tls;

import java.nio.file.Path;

/**
 * A TLS file given on the command line (or in the environment) that cannot be used: missing,
 * unreadable, not PEM, or a key that does not belong to its certificate. The message is one line
 * naming the flag and the file, e.g. {@code --tls-key /etc/tt/key.pem: no PEM private key in it},
 * so a command line can print it as it is and exit.
 */
public final class TlsFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String flag;
  private final transient Path file;
  private final String problem;

  TlsFileException(String flag, Path file, String problem) {
    super(flag + " " + file + ": " + problem);
    this.flag = flag;
    this.file = file;
    this.problem = problem;
  }

  /** What is wrong with the file, e.g. "no such file". */
  public String problem() {
    return problem;
  }

  /** The flag that named the file, e.g. {@code --tls-cert}. */
  public String flag() {
    return flag;
  }

  public Path file() {
    return file;
  }
}
