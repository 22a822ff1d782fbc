package io.tinythreads.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobTokensTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @Test
  void tokenIsBase64UrlHmacSha256OfTheJobId() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    String expected = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal("job-42".getBytes(StandardCharsets.UTF_8)));

    String token = new JobTokens(SECRET).tokenFor("job-42");

    assertThat(token).isEqualTo(expected).hasSize(43).doesNotContain("=", "+", "/");
  }

  @Test
  void verifiesOnlyTheRightJobUnderTheRightSecret() {
    JobTokens tokens = new JobTokens(SECRET);
    String token = tokens.tokenFor("job-a");

    assertThat(tokens.verify("job-a", token)).isTrue();
    assertThat(tokens.verify("job-b", token)).isFalse();
    assertThat(JobTokens.random().verify("job-a", token)).isFalse();
  }

  @Test
  void rejectsTamperedTruncatedMalformedAndMissingTokens() {
    JobTokens tokens = new JobTokens(SECRET);
    String token = tokens.tokenFor("job-a");
    char flipped = token.charAt(5) == 'A' ? 'B' : 'A';
    String tampered = token.substring(0, 5) + flipped + token.substring(6);

    assertThat(tokens.verify("job-a", tampered)).isFalse();
    assertThat(tokens.verify("job-a", token.substring(0, 42))).isFalse();
    assertThat(tokens.verify("job-a", "not base64 !!")).isFalse();
    assertThat(tokens.verify("job-a", "")).isFalse();
    assertThat(tokens.verify("job-a", null)).isFalse();
    assertThat(tokens.verify(null, token)).isFalse();
    assertThat(tokens.verify("", token)).isFalse();
  }

  @Test
  void sameSecretSameTokensAcrossInstances() {
    assertThat(new JobTokens(SECRET).tokenFor("j")).isEqualTo(new JobTokens(SECRET.clone()).tokenFor("j"));
  }

  @Test
  void rejectsShortSecretsAndEmptyJobIds() {
    assertThatThrownBy(() -> new JobTokens(new byte[15])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret").hasMessageContaining("15");
    assertThatThrownBy(() -> new JobTokens(SECRET).tokenFor("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jobId");
  }

  @Test
  void secretFileIgnoresTrailingNewlineAndNamesTheFileWhenTooShort(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("secret");
    Files.write(good, (new String(SECRET, StandardCharsets.US_ASCII) + "\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(JobTokens.fromSecretFile(good).tokenFor("j")).isEqualTo(new JobTokens(SECRET).tokenFor("j"));
    assertThat(JobTokens.fromSecretText(new String(SECRET, StandardCharsets.US_ASCII)).tokenFor("j"))
        .isEqualTo(new JobTokens(SECRET).tokenFor("j"));

    Path shortFile = dir.resolve("short");
    Files.writeString(shortFile, "tooshort\n");
    assertThatThrownBy(() -> JobTokens.fromSecretFile(shortFile)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(shortFile.toString()).hasMessageContaining("8");
  }
}
