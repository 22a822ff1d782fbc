package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tinythreads.proto.Envelope;
import io.tinythreads.proto.Piece;
import io.tinythreads.proto.Registered;
import io.tinythreads.proto.RendezvousGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a scripted in-process relay, to show what the real relay never does: a
 * corrupt or malformed relayed message.
 */
class RendezvousClientTest {
  private Server server;
  private ManagedChannel channel;

  /** A relay that answers Register with Registered and then the envelope {@code script} makes. */
  private RendezvousClient connectTo(Function<Envelope, Envelope> script) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new RendezvousGrpc.RendezvousImplBase() {
      @Override
      public StreamObserver<Envelope> link(StreamObserver<Envelope> out) {
        return new StreamObserver<>() {
          @Override
          public void onNext(Envelope e) {
            if (e.hasRegister()) {
              out.onNext(Envelope.newBuilder().setRegistered(Registered.newBuilder().setPendingMessages(1)).build());
              out.onNext(script.apply(e));
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            out.onCompleted();
          }
        };
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return RendezvousClient.connect(channel, "j", 1, "any-token", false);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Envelope piece(byte[] data, long hash) {
    return Envelope.newBuilder().setPiece(Piece.newBuilder()
        .setMessageId(1).setKind("state").setTotalBytes(data.length).setOffset(0)
        .setData(ByteString.copyFrom(data)).setLast(true).setHash(hash).setFromChunk(0)).build();
  }

  @Test
  void takesAnIntactMessage() throws Exception {
    byte[] data = "intact".getBytes();
    try (RendezvousClient c = connectTo(r -> piece(data, MessageHash.of(data)))) {
      assertThat(c.pendingMessagesAtRegistration()).isEqualTo(1);
      assertThat(c.receiveFromPredecessor("state", Duration.ofSeconds(5))).isEqualTo(data);
    }
  }

  @Test
  void hashMismatchIsAnIOExceptionNamingBothHashes() throws Exception {
    byte[] data = "corrupted in transit".getBytes();
    long wrong = MessageHash.of(data) ^ 1;
    try (RendezvousClient c = connectTo(r -> piece(data, wrong))) {
      assertThatThrownBy(() -> c.receiveFromPredecessor("state", Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(RendezvousException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DATA_LOSS))
          .hasMessageContaining(MessageHash.hex(wrong))
          .hasMessageContaining(MessageHash.hex(MessageHash.of(data)))
          .hasMessageContaining("from chunk 0");
    }
  }

  @Test
  void malformedPieceFailsTheLink() throws Exception {
    try (RendezvousClient c = connectTo(r -> Envelope.newBuilder().setPiece(Piece.newBuilder()
        .setMessageId(1).setKind("state").setTotalBytes(10).setOffset(3)
        .setData(ByteString.copyFromUtf8("x")).setLast(false)).build())) {
      assertThatThrownBy(() -> c.receiveFromPredecessor("state", Duration.ofSeconds(5)))
          .isInstanceOf(RendezvousException.class)
          .hasMessageContaining("offset 0");
    }
  }

  @Test
  void rejectsBadArgumentsBeforeTouchingTheNetwork() {
    assertThatThrownBy(() -> RendezvousClient.connect("", "j", 0, "t", true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostPort");
    assertThatThrownBy(() -> RendezvousClient.connect("127.0.0.1:1", "", 0, "t", true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobId");
    assertThatThrownBy(() -> RendezvousClient.connect("127.0.0.1:1", "j", -1, "t", true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunkIndex");
  }
}
