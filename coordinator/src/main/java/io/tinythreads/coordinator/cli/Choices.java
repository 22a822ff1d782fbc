package io.tinythreads.coordinator.cli;

import io.tinythreads.proto.EndUsage;
import io.tinythreads.proto.LauncherKind;
import io.tinythreads.proto.Pipeline;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The fixed vocabularies of the command line, spelled in lower case as vpxenc and ffmpeg spell
 * them ({@code --end-usage cq}, {@code --tune ssim}), each with a picocli converter whose error
 * lists the accepted words (picocli prefixes the flag name).
 */
final class Choices {
  private Choices() {}

  /** vpxenc --end-usage. */
  enum EndUsageArg {
    VBR(EndUsage.END_USAGE_VBR), CBR(EndUsage.END_USAGE_CBR), CQ(EndUsage.END_USAGE_CQ), Q(EndUsage.END_USAGE_Q);

    final EndUsage proto;

    EndUsageArg(EndUsage proto) {
      this.proto = proto;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** vpxenc --tune. */
  enum TuneArg {
    PSNR, SSIM;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where workers run. kubernetes and lambda are served by later launchers. */
  enum LauncherArg {
    THREAD(LauncherKind.LAUNCHER_THREAD), PROCESS(LauncherKind.LAUNCHER_PROCESS);

    final LauncherKind proto;

    LauncherArg(LauncherKind proto) {
      this.proto = proto;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** ExCamera[N,1] ("independent") or ExCamera[N,x] ("xc"). */
  enum PipelineArg {
    INDEPENDENT(Pipeline.PIPELINE_INDEPENDENT), XC(Pipeline.PIPELINE_XC);

    final Pipeline proto;

    PipelineArg(Pipeline proto) {
      this.proto = proto;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** --progress. */
  enum ProgressMode {
    /** bar on a terminal, plain key=value lines otherwise. */
    AUTO,
    /** one line redrawn with \r, like vpxenc. */
    BAR,
    /** ffmpeg -progress style key=value blocks. */
    PLAIN,
    /** nothing. */
    NONE;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static <E extends Enum<E>> E parse(Class<E> type, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.toString().equalsIgnoreCase(value.strip())) {
        return e;
      }
    }
    String words = Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
    throw new TypeConversionException("expected one of " + words + ", but was '" + value + "'");
  }

  static final class EndUsageConverter implements ITypeConverter<EndUsageArg> {
    @Override
    public EndUsageArg convert(String value) {
      return parse(EndUsageArg.class, value);
    }
  }

  static final class TuneConverter implements ITypeConverter<TuneArg> {
    @Override
    public TuneArg convert(String value) {
      return parse(TuneArg.class, value);
    }
  }

  static final class LauncherConverter implements ITypeConverter<LauncherArg> {
    @Override
    public LauncherArg convert(String value) {
      return parse(LauncherArg.class, value);
    }
  }

  static final class PipelineConverter implements ITypeConverter<PipelineArg> {
    @Override
    public PipelineArg convert(String value) {
      return parse(PipelineArg.class, value);
    }
  }

  static final class ProgressModeConverter implements ITypeConverter<ProgressMode> {
    @Override
    public ProgressMode convert(String value) {
      return parse(ProgressMode.class, value);
    }
  }
}
