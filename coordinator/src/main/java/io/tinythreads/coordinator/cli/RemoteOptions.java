package io.tinythreads.coordinator.cli;

import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** --coordinator (and its TLS flags) for the commands that talk to a running coordinator. */
final class RemoteOptions {
  @Option(names = "--coordinator", paramLabel = "HOST:PORT", converter = HostPort.Converter.class,
      description = "The coordinator to ask (default: 127.0.0.1:" + HostPort.DEFAULT_PORT + ").")
  HostPort coordinator = new HostPort("127.0.0.1", HostPort.DEFAULT_PORT);

  @Mixin
  ClientTlsOptions tls = new ClientTlsOptions();

  JobsClient connect() {
    return JobsClient.connect(coordinator.toString(), tls.credentials());
  }

  CliException failure(StatusRuntimeException e) {
    return new CliException(Outcomes.exitCode(e.getStatus().getCode()), Outcomes.describe(e.getStatus(), coordinator.toString()), e);
  }
}
