# Sourced by mvnw and scripts/bench: finds a JDK >= 25 and a pinned Maven.
# Sets PAGEWISE_JAVA_HOME and PAGEWISE_MVN, or prints one line and exits 1.

PAGEWISE_MIN_JAVA=25
PAGEWISE_MAVEN_VERSION=3.9.11
PAGEWISE_MAVEN_SHA512=bcfe4fe305c962ace56ac7b5fc7a08b87d5abd8b7e89027ab251069faebee516b0ded8961445d6d91ec1985dfe30f8153268843c89aa392733d1a3ec956c9978

pagewise_java_major() {
  # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

pagewise_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/jdk-25* \
      /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    major=$(pagewise_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$PAGEWISE_MIN_JAVA" ]; then
      PAGEWISE_JAVA_HOME=$candidate
      return 0
    fi
  done
  echo "pagewise: no JDK >= $PAGEWISE_MIN_JAVA found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm searched); install one, e.g. 'apt-get install temurin-25-jdk' or from https://adoptium.net, and set JAVA_HOME" >&2
  return 1
}

pagewise_find_maven() {
  local dist="${PAGEWISE_MAVEN_HOME:-$HOME/.m2/wrapper/apache-maven-$PAGEWISE_MAVEN_VERSION}"
  if [ ! -x "$dist/bin/mvn" ]; then
    local url="https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$PAGEWISE_MAVEN_VERSION/apache-maven-$PAGEWISE_MAVEN_VERSION-bin.tar.gz"
    local tmp
    tmp=$(mktemp -d) || return 1
    echo "pagewise: fetching Maven $PAGEWISE_MAVEN_VERSION from Maven Central" >&2
    if ! curl -fsSL -o "$tmp/maven.tgz" "$url"; then
      echo "pagewise: could not download Maven $PAGEWISE_MAVEN_VERSION ($url); install Maven >= 3.9 and set PAGEWISE_MAVEN_HOME" >&2
      rm -rf "$tmp"; return 1
    fi
    if ! echo "$PAGEWISE_MAVEN_SHA512  $tmp/maven.tgz" | sha512sum -c --status; then
      echo "pagewise: Maven download failed its sha512 check" >&2
      rm -rf "$tmp"; return 1
    fi
    mkdir -p "$(dirname "$dist")" && tar -xzf "$tmp/maven.tgz" -C "$tmp" \
      && rm -rf "$dist" && mv "$tmp/apache-maven-$PAGEWISE_MAVEN_VERSION" "$dist"
    rm -rf "$tmp"
  fi
  PAGEWISE_MVN="$dist/bin/mvn"
}

pagewise_find_jdk && pagewise_find_maven || exit 1
export JAVA_HOME="$PAGEWISE_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"
