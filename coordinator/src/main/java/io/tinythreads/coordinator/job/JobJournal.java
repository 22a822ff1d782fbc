package io.tinythreads.coordinator.job;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tinythreads.proto.Job;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs of a {@code coordinator serve}, one file each under {@code <workDir>/jobs/<job_id>.job},
 * so that a restarted coordinator knows them again. A file is written (temp file + rename, so a
 * reader never sees half of one) when the job is accepted and again when it ends; a job whose
 * file is not terminal was interrupted and is resumed.
 *
 * <p>File format, version 1 (big-endian): magic {@code "TTJB"}, int32 version, int32 body length,
 * int32 CRC-32 of the body, then the body: int64 submission sequence number, the request_id
 * (int32 length + UTF-8), and the {@link Job} proto (the rest of the body). The Job carries the
 * normalized spec, state, create/end times, error and result. No secret is stored: a job's worker
 * token is derived from the coordinator's secret (JobTokens) by whichever process runs it.
 */
public final class JobJournal {
  private static final Logger log = LoggerFactory.getLogger(JobJournal.class);
  static final byte[] MAGIC = "TTJB".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final String SUFFIX = ".job";
  static final String CORRUPT_SUFFIX = ".corrupt";
  private static final int HEADER_BYTES = 16;

  /** One journaled job. */
  public record Entry(long sequence, String requestId, Job job) {}

  private final Path dir;

  /** A journal in {@code dir} (created if missing). */
  public JobJournal(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /** The journal of a coordinator work dir: {@code <workDir>/jobs}. */
  public static JobJournal inWorkDir(Path workDir) throws IOException {
    return new JobJournal(workDir.resolve("jobs"));
  }

  public Path dir() {
    return dir;
  }

  Path fileFor(String jobId) {
    return dir.resolve(jobId + SUFFIX);
  }

  /** Writes (or replaces) the job's record atomically. */
  void write(Entry e) {
    String id = e.job().getName().substring(JobManager.JOBS_PREFIX.length());
    Path file = fileFor(id);
    Path temp = dir.resolve(id + SUFFIX + ".tmp");
    try {
      Files.write(temp, encode(e));
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException x) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException x) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // The write failed already; the leftover temp file is ignored at the next start.
      }
      throw new UncheckedIOException("job journal " + file + ": " + x.getMessage(), x);
    }
  }

  /** Removes the job's record (DeleteOperation); a missing one is fine. */
  void delete(String jobId) {
    try {
      Files.deleteIfExists(fileFor(jobId));
    } catch (IOException e) {
      log.warn("job journal: cannot delete {}: {}", fileFor(jobId), e.toString());
    }
  }

  /**
   * Every readable record, in submission order. A file that is not a valid record is logged and
   * renamed to {@code <name>.corrupt}, so it is reported once and never stops the server.
   */
  List<Entry> readAll() throws IOException {
    List<Entry> out = new ArrayList<>();
    List<Path> files;
    try (var s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(SUFFIX + ".tmp")) {
        // A write that never got renamed: the previous record (if any) is still the valid one.
        Files.deleteIfExists(f);
        continue;
      }
      if (!name.endsWith(SUFFIX)) {
        continue;
      }
      try {
        Entry e = decode(Files.readAllBytes(f));
        String expected = name.substring(0, name.length() - SUFFIX.length());
        if (!e.job().getName().equals(JobManager.JOBS_PREFIX + expected)) {
          throw new CorruptRecordException("it holds " + e.job().getName() + ", not jobs/" + expected);
        }
        out.add(e);
      } catch (CorruptRecordException | IOException e) {
        Path aside = f.resolveSibling(name + CORRUPT_SUFFIX);
        log.warn("job journal: {} is not a valid job record ({}); moved aside to {}", f, e.getMessage(),
            aside.getFileName());
        Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    out.sort(Comparator.comparingLong(Entry::sequence));
    return out;
  }

  static byte[] encode(Entry e) {
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(body);
      d.writeLong(e.sequence());
      byte[] rid = e.requestId().getBytes(StandardCharsets.UTF_8);
      d.writeInt(rid.length);
      d.write(rid);
      e.job().writeTo(d);
      d.flush();
      byte[] b = body.toByteArray();
      CRC32 crc = new CRC32();
      crc.update(b);
      ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + b.length);
      out.put(MAGIC).putInt(VERSION).putInt(b.length).putInt((int) crc.getValue()).put(b);
      return out.array();
    } catch (IOException x) {
      throw new UncheckedIOException(x);  // in-memory streams do not fail
    }
  }

  static Entry decode(byte[] bytes) throws CorruptRecordException {
    if (bytes.length < HEADER_BYTES) {
      throw new CorruptRecordException("truncated: " + bytes.length + " bytes, the header alone is " + HEADER_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new CorruptRecordException("bad magic (not a job record)");
    }
    int version = in.getInt();
    if (version != VERSION) {
      throw new CorruptRecordException("version " + version + ", this coordinator reads version " + VERSION);
    }
    int length = in.getInt();
    int crc = in.getInt();
    if (length != in.remaining()) {
      throw new CorruptRecordException("body is " + in.remaining() + " bytes, the header says " + length);
    }
    CRC32 c = new CRC32();
    c.update(bytes, HEADER_BYTES, length);
    if ((int) c.getValue() != crc) {
      throw new CorruptRecordException("CRC-32 mismatch");
    }
    long sequence = in.getLong();
    int ridLength = in.getInt();
    if (ridLength < 0 || ridLength > in.remaining()) {
      throw new CorruptRecordException("request_id length " + ridLength + " out of range");
    }
    byte[] rid = new byte[ridLength];
    in.get(rid);
    try {
      Job job = Job.parseFrom(in);
      if (!job.getName().startsWith(JobManager.JOBS_PREFIX)) {
        throw new CorruptRecordException("job name '" + job.getName() + "' is not jobs/{job_id}");
      }
      return new Entry(sequence, new String(rid, StandardCharsets.UTF_8), job);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptRecordException("Job proto: " + e.getMessage());
    }
  }

  /** A journal file that is not a valid record. */
  static final class CorruptRecordException extends Exception {
    CorruptRecordException(String message) {
      super(message);
    }
  }
}
