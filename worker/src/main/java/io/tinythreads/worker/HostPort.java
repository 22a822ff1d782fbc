package io.tinythreads.worker;

/** A parsed {@code host:port} (IPv6 literals in brackets: {@code [::1]:7000}). */
record HostPort(String host, int port) {
  static HostPort parse(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("coordinator address '" + s + "' is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("coordinator address '" + s + "': write IPv6 hosts as [addr]:port");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("coordinator address '" + s + "' has a bad port");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("coordinator address '" + s + "': port out of range");
    }
    return new HostPort(host, port);
  }
}
