package io.tinythreads.rendezvous;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.RendezvousGrpc;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The thin gRPC adapter (STYLE habit 14): one {@link ServerLink} per {@code Link} call, all over one {@link RelayTable}. */
final class RendezvousService extends RendezvousGrpc.RendezvousImplBase {
  /** A client that opens a stream must register within this time. */
  static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(30);

  private final RelayTable table;
  private final JobTokens tokens;
  private final Executor pool;
  private final ScheduledExecutorService timer;
  private final Duration registerTimeout;
  private final Set<ServerLink> open = ConcurrentHashMap.newKeySet();

  RendezvousService(RelayTable table, JobTokens tokens, Executor pool, ScheduledExecutorService timer,
                    Duration registerTimeout) {
    this.registerTimeout = registerTimeout;
    this.table = table;
    this.tokens = tokens;
    this.pool = pool;
    this.timer = timer;
  }

  @Override
  public StreamObserver<Envelope> link(StreamObserver<Envelope> responseObserver) {
    ServerLink[] self = new ServerLink[1];
    ServerLink link = ServerLink.open(table, tokens, (ServerCallStreamObserver<Envelope>) responseObserver, pool,
        timer, registerTimeout, () -> open.remove(self[0]));
    self[0] = link;
    open.add(link);
    return link;
  }

  /** Ends every open stream with UNAVAILABLE; used by {@link RendezvousServer#stop}. */
  void closeAll(String why) {
    for (ServerLink l : open) {
      l.shutdown(why);
    }
  }

  int openStreams() {
    return open.size();
  }
}
