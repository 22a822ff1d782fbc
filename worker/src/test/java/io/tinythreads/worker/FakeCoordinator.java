package io.tinythreads.worker;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tinythreads.proto.Command;
import io.tinythreads.proto.CommandResult;
import io.tinythreads.proto.Hello;
import io.tinythreads.proto.Heartbeat;
import io.tinythreads.proto.WorkerMessage;
import io.tinythreads.proto.WorkerSessionGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A scripted WorkerSession server on 127.0.0.1 (real gRPC over loopback). After the Hello and after
 * each CommandResult it performs the next step: send a command, or end/break the stream, or wait.
 */
final class FakeCoordinator implements AutoCloseable {
  /** One scripted step. */
  sealed interface Step permits Send, Fail, Complete, Silence, Later, Both {}

  record Send(Command.Builder command) implements Step {}

  /** Break the stream with an error status. */
  record Fail(Status status) implements Step {}

  /** Close the stream normally (without Quit). */
  record Complete() implements Step {}

  /** Send nothing more. */
  record Silence() implements Step {}

  /** Perform two steps at once (e.g. send a command and schedule a failure). */
  record Both(Step first, Step second) implements Step {}

  /** Perform {@code then} after {@code millis} ms without waiting for a result. */
  record Later(long millis, Step then) implements Step {}

  final List<Hello> hellos = new CopyOnWriteArrayList<>();
  final List<CommandResult> results = new CopyOnWriteArrayList<>();
  final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
  final List<Command> sent = new CopyOnWriteArrayList<>();
  final CompletableFuture<Status> streamEnd = new CompletableFuture<>();
  private final List<Step> steps;
  private final Server server;
  private final Consumer<Hello> helloCheck;
  /** true: end the stream right after sending Quit; false: after the Quit result arrives. */
  volatile boolean completeRightAfterQuit;

  FakeCoordinator(List<Step> steps) throws IOException {
    this(steps, h -> { });
  }

  /** {@code helloCheck} may throw a StatusRuntimeException to reject the worker. */
  FakeCoordinator(List<Step> steps, Consumer<Hello> helloCheck) throws IOException {
    this.steps = new ArrayList<>(steps);
    this.helloCheck = helloCheck;
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new Service())
        .build()
        .start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  static Step send(Command.Builder c) {
    return new Send(c);
  }

  private final class Service extends WorkerSessionGrpc.WorkerSessionImplBase {
    @Override
    public StreamObserver<WorkerMessage> session(StreamObserver<Command> out) {
      // When this side ends the call first (after the Quit result), the worker's half-close may
      // arrive after the call is closed and then never reaches onCompleted below: the close
      // handler is what reports that end. A cancel by the worker is reported as CANCELLED.
      var serverOut = (io.grpc.stub.ServerCallStreamObserver<Command>) out;
      serverOut.setOnCloseHandler(() -> streamEnd.complete(Status.OK));
      serverOut.setOnCancelHandler(() -> streamEnd.complete(Status.CANCELLED));
      return new StreamObserver<>() {
        private int next;
        private long ids;
        private boolean done;

        @Override
        public void onNext(WorkerMessage m) {
          switch (m.getKindCase()) {
            case HELLO -> {
              hellos.add(m.getHello());
              try {
                helloCheck.accept(m.getHello());
              } catch (io.grpc.StatusRuntimeException e) {
                done = true;
                out.onError(e);
                return;
              }
              step();
            }
            case RESULT -> {
              results.add(m.getResult());
              if (!sent.isEmpty() && sent.get(sent.size() - 1).hasQuit()) {
                synchronized (this) {
                  if (!done) {
                    done = true;
                    out.onCompleted();
                  }
                }
                return;
              }
              step();
            }
            case HEARTBEAT -> heartbeats.add(m.getHeartbeat());
            default -> { }
          }
        }

        private synchronized void step() {
          if (done || next >= steps.size()) {
            return;
          }
          perform(steps.get(next++));
        }

        private synchronized void perform(Step s) {
          if (done) {
            return;
          }
          switch (s) {
            case Send c -> {
              Command cmd = c.command().setCommandId(++ids).build();
              sent.add(cmd);
              out.onNext(cmd);
              if (cmd.hasQuit() && completeRightAfterQuit) {
                done = true;
                out.onCompleted();
              }
            }
            case Fail f -> {
              done = true;
              out.onError(f.status().asRuntimeException());
            }
            case Complete c -> {
              done = true;
              out.onCompleted();
            }
            case Silence x -> { }
            case Both b -> {
              perform(b.first());
              perform(b.second());
            }
            case Later l -> CompletableFuture.delayedExecutor(l.millis(), TimeUnit.MILLISECONDS)
                .execute(() -> perform(l.then()));
          }
        }

        @Override
        public void onError(Throwable t) {
          streamEnd.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          streamEnd.complete(Status.OK);
        }
      };
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
