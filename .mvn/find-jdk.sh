# Sourced (POSIX sh) by ./mvnw, ./x0tta6bl4 and .ci/run: makes JAVA_HOME point at a JDK 25 or newer.
# Order: JAVA_HOME if it is already 25+, then /usr/lib/jvm/*25* and any newer JDK there.
# Prints how to get one and exits 2 when none is found.

x0_java_major() {
  # Feature version of the JDK at $1, or 0 when it is not a JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || { echo 0; return; }
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  echo "${v:-0}"
}

x0_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ "$(x0_java_major "$JAVA_HOME")" -ge 25 ]; then
    return 0
  fi
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -d "$d" ] || continue
    if [ "$(x0_java_major "$d")" -ge 25 ]; then
      JAVA_HOME="$d"
      export JAVA_HOME
      return 0
    fi
  done
  cat >&2 <<'MSG'
x0tta6bl4 needs a JDK 25 or newer (ML-KEM, ML-DSA and HKDF come from the JDK).
None was found in JAVA_HOME or under /usr/lib/jvm.
Install one, for example:
  Debian/Ubuntu:  apt-get install temurin-25-jdk   (Adoptium apt repository)
  any system:     download Temurin 25 from adoptium.net and set JAVA_HOME to it
Then run the command again (or export JAVA_HOME=/path/to/jdk-25).
MSG
  exit 2
}

x0_find_jdk
