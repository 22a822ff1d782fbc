# Sourced by the bin/ scripts: picks a JDK of version 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME if new enough, then the newest JDK under /usr/lib/jvm, then `java` on PATH.
tt_java_major() { # $1 = java binary
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1 | cut -d. -f1
}
tt_pick_java() {
  local cand major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(tt_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ]; then return 0; fi
  fi
  for cand in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    if [ -x "$cand/bin/javac" ]; then
      major=$(tt_java_major "$cand/bin/java")
      if [ "${major:-0}" -ge 21 ]; then export JAVA_HOME="${cand%/}"; return 0; fi
    fi
  done
  if command -v java >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(tt_java_major "$cand/bin/java")
    if [ "${major:-0}" -ge 21 ]; then export JAVA_HOME="$cand"; return 0; fi
  fi
  echo "tinythreads: no JDK 21 or newer found (set JAVA_HOME, or install one, e.g. apt-get install openjdk-21-jdk)" >&2
  return 1
}
tt_pick_java || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
