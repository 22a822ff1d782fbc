package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.Piece;
import io.tinythreads.proto.Register;
import io.tinythreads.proto.RendezvousGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare {@code Link} stream for protocol-level tests: sends whatever envelopes the test builds
 * (including invalid ones) and records what the server sends. Inbound flow control is manual so a
 * test can play a receiver that does not read.
 */
final class RawLink implements ClientResponseObserver<Envelope, Envelope> {
  final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> closed = new CompletableFuture<>();
  private volatile ClientCallStreamObserver<Envelope> requests;
  private final int initialRequests;

  private RawLink(int initialRequests) {
    this.initialRequests = initialRequests;
  }

  /** Opens a stream that reads everything the server sends. */
  static RawLink open(Channel channel) {
    return open(channel, Integer.MAX_VALUE);
  }

  /** Opens a stream that reads only {@code initialRequests} envelopes until {@link #request} is called. */
  static RawLink open(Channel channel, int initialRequests) {
    RawLink link = new RawLink(initialRequests);
    RendezvousGrpc.newStub(channel).link(link);
    return link;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
    requests = requestStream;
    requestStream.disableAutoRequestWithInitial(initialRequests);
  }

  @Override
  public void onNext(Envelope value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    closed.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    closed.complete(Status.OK);
  }

  void request(int n) {
    requests.request(n);
  }

  synchronized void send(Envelope e) {
    requests.onNext(e);
  }

  void register(String job, int chunk, String token, boolean hasSuccessor) {
    send(Envelope.newBuilder().setRegister(Register.newBuilder()
        .setJobId(job).setChunkIndex(chunk).setToken(token).setHasSuccessor(hasSuccessor)).build());
  }

  /** Registers and checks that the server answered Registered. */
  void registerOk(String job, int chunk, String token, boolean hasSuccessor) throws Exception {
    register(job, chunk, token, hasSuccessor);
    assertThat(next().getKindCase()).isEqualTo(Envelope.KindCase.REGISTERED);
  }

  void sendPiece(long id, String kind, byte[] data, long hash, int fromChunk) {
    send(Envelope.newBuilder().setPiece(Piece.newBuilder()
        .setMessageId(id).setKind(kind).setTotalBytes(data.length).setOffset(0)
        .setData(ByteString.copyFrom(data)).setLast(true).setHash(hash).setFromChunk(fromChunk)).build());
  }

  Envelope next() throws InterruptedException {
    Envelope e = received.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("an envelope from the server within 10 s").isNotNull();
    return e;
  }

  Status awaitClose() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }
}
