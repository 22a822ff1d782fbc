package io.tinythreads.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {
  @TempDir Path tmp;

  @Test
  void putGetExistsSizeRoundTrip() {
    BlobStore s = BlobStore.open(tmp.resolve("store").toString());
    byte[] data = "hello chunk".getBytes(StandardCharsets.UTF_8);
    assertThat(s.exists("jobs/j1/chunks/000001/raw.y4m")).isFalse();
    s.put("jobs/j1/chunks/000001/raw.y4m", data);
    assertThat(s.exists("jobs/j1/chunks/000001/raw.y4m")).isTrue();
    assertThat(s.size("jobs/j1/chunks/000001/raw.y4m")).isEqualTo(data.length);
    assertThat(s.get("jobs/j1/chunks/000001/raw.y4m")).isEqualTo(data);
    assertThat(Files.exists(tmp.resolve("store/jobs/j1/chunks/000001/raw.y4m"))).isTrue();
    // overwrite replaces
    s.put("jobs/j1/chunks/000001/raw.y4m", new byte[] {1, 2, 3});
    assertThat(s.get("jobs/j1/chunks/000001/raw.y4m")).containsExactly(1, 2, 3);
    // a directory is not an object
    assertThat(s.exists("jobs/j1")).isFalse();
    assertThatThrownBy(() -> s.get("jobs/j1")).isInstanceOf(NoSuchBlobException.class);
  }

  @Test
  void uriForms() {
    Path dir = tmp.resolve("a b");
    BlobStore byUri = BlobStore.open(dir.toUri().toString());
    BlobStore byPath = BlobStore.open(dir.toString());
    BlobStore byFile3 = BlobStore.open("file://" + dir);
    byUri.put("k", new byte[] {7});
    assertThat(byPath.get("k")).containsExactly(7);
    assertThat(byFile3.get("k")).containsExactly(7);
    assertThat(byPath.uri()).isEqualTo(byUri.uri()).startsWith("file:///");
    assertThat(BlobStore.open(byPath.uri()).get("k")).containsExactly(7);
    assertThatThrownBy(() -> BlobStore.open("s3://bucket/x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://");
    assertThatThrownBy(() -> BlobStore.open("http://h/x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported scheme");
  }

  @Test
  void missingObjects() {
    BlobStore s = FileBlobStore.at(tmp);
    assertThatThrownBy(() -> s.get("no/such")).isInstanceOf(NoSuchBlobException.class)
        .hasMessageContaining("'no/such'");
    assertThatThrownBy(() -> s.size("no/such")).isInstanceOf(NoSuchBlobException.class);
    assertThatThrownBy(() -> s.getToFile("no/such", tmp.resolve("x"))).isInstanceOf(NoSuchBlobException.class);
    assertThat(((NoSuchBlobException) catchIt(() -> s.get("no/such"))).key()).isEqualTo("no/such");
  }

  private static Throwable catchIt(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("no exception");
  }

  @Test
  void badKeysAreRejectedNamingTheKey() {
    BlobStore s = FileBlobStore.at(tmp.resolve("s"));
    for (String bad : List.of("", "/abs/key", "a/../b", "..", "a//b", "a/", "./a", "a/./b", "a\\b", "C:/x")) {
      assertThatThrownBy(() -> s.put(bad, new byte[1])).as("key '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.isEmpty() ? "empty" : "'" + bad + "'");
      assertThatThrownBy(() -> s.get(bad)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.exists(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> s.get("a/../../etc/passwd")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/../../etc/passwd");
    assertThatThrownBy(() -> s.deletePrefix("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.deletePrefix("../x")).isInstanceOf(IllegalArgumentException.class);
    assertThat(tmp.resolve("etc")).doesNotExist();
  }

  @Test
  void putFileAndGetToFile() throws Exception {
    BlobStore s = FileBlobStore.at(tmp.resolve("s"));
    Path src = tmp.resolve("src.bin");
    byte[] data = new byte[3 << 20];
    new java.util.Random(1).nextBytes(data);
    Files.write(src, data);
    s.putFile("x/y.bin", src);
    Path dst = tmp.resolve("out/dir/y.bin");
    s.getToFile("x/y.bin", dst);
    assertThat(Files.readAllBytes(dst)).isEqualTo(data);
    // replaces an existing local file
    Files.write(dst, new byte[] {9});
    s.getToFile("x/y.bin", dst);
    assertThat(Files.size(dst)).isEqualTo(data.length);
    assertThatThrownBy(() -> s.putFile("x/z", tmp.resolve("missing"))).hasMessageContaining("missing");
    // no temp files left behind
    try (Stream<Path> w = Files.walk(tmp)) {
      assertThat(w.filter(p -> p.getFileName().toString().startsWith(FileBlobStore.TEMP_PREFIX)).toList()).isEmpty();
    }
  }

  @Test
  void deletePrefixRemovesByKeyPrefixOnly() {
    BlobStore s = FileBlobStore.at(tmp.resolve("s"));
    for (String k : List.of("jobs/j1/a", "jobs/j1/b/c", "jobs/j10/a", "jobs/j2/a", "jobs/j1x")) {
      s.put(k, new byte[] {1});
    }
    s.deletePrefix("jobs/j1/");
    assertThat(s.exists("jobs/j1/a")).isFalse();
    assertThat(s.exists("jobs/j1/b/c")).isFalse();
    assertThat(s.exists("jobs/j10/a")).isTrue();
    assertThat(s.exists("jobs/j1x")).isTrue();
    s.deletePrefix("jobs/j1");
    assertThat(s.exists("jobs/j10/a")).isFalse();
    assertThat(s.exists("jobs/j1x")).isFalse();
    assertThat(s.exists("jobs/j2/a")).isTrue();
    assertThat(tmp.resolve("s/jobs/j1")).doesNotExist();
    s.deletePrefix("nothing/here");
  }

  /**
   * A job's end and its ingest thread may clean one prefix at the same time: neither may fail on
   * what the other removed, and together they leave nothing (CI once kept a job's folder).
   */
  @Test
  void concurrentDeletesOfOnePrefixBothSucceed() throws Exception {
    BlobStore s = FileBlobStore.at(tmp.resolve("s"));
    for (int round = 0; round < 20; round++) {
      for (int c = 0; c < 30; c++) {
        for (String f : List.of("raw.y4m", "encoded.ivf", "end.state")) {
          s.put(String.format("jobs/j1/chunks/%06d/%s", c, f), new byte[] {1});
        }
      }
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread th = new Thread(() -> {
          try {
            start.await();
            s.deletePrefix("jobs/j1/");
          } catch (Throwable e) {
            failed.compareAndSet(null, e);
          }
        });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join();
      }
      assertThat(failed.get()).as("round %d", round).isNull();
      assertThat(tmp.resolve("s/jobs/j1")).as("round %d", round).doesNotExist();
    }
  }

  @Test
  void readersNeverSeeAPartialObject() throws Exception {
    BlobStore s = FileBlobStore.at(tmp.resolve("s"));
    byte[] a = new byte[1 << 20];
    byte[] b = new byte[1 << 20];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    s.put("obj", a);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> bad = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread r = new Thread(() -> {
        while (!stop.get()) {
          byte[] got = s.get("obj");
          if (got.length != a.length || (!Arrays.equals(got, a) && !Arrays.equals(got, b))) {
            bad.set("read " + got.length + " bytes of mixed content");
          }
        }
      });
      r.start();
      readers.add(r);
    }
    for (int i = 0; i < 60; i++) {
      s.put("obj", (i & 1) == 0 ? b : a);
    }
    stop.set(true);
    for (Thread r : readers) {
      r.join();
    }
    assertThat(bad.get()).isNull();
  }
}
