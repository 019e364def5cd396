# Sourced by mvnw and the scripts: finds a JDK >= 25 and the Maven that .mvn/wrapper/maven-wrapper.properties
# names (downloaded once into ~/.m2/wrapper/dists and checked against its SHA-256).
# Sets JAVA_HOME, PATH and PAGEWISE_MVN, or prints one line and exits 1.

PAGEWISE_MIN_JAVA=25
# the modules Maven publishes (the others are never installed or deployed), for mvn -pl
PAGEWISE_PUBLISHED_MODULES=bom,allocator-core,allocator-os,allocator-testkit
pagewise_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

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

pagewise_wrapper_property() {
  sed -n "s/^$1=\\(.*\\)$/\\1/p" "$pagewise_root/.mvn/wrapper/maven-wrapper.properties" | tr -d '[:space:]'
}

pagewise_find_maven() {
  local url sha name dist tmp
  url=$(pagewise_wrapper_property distributionUrl)
  sha=$(pagewise_wrapper_property distributionSha256Sum)
  name=${url##*/}; name=${name%-bin.zip}
  dist="${PAGEWISE_MAVEN_HOME:-${MAVEN_USER_HOME:-$HOME/.m2}/wrapper/dists/$name/$(printf %s "$url" | sha256sum | cut -c1-16)/$name}"
  if [ ! -x "$dist/bin/mvn" ]; then
    tmp=$(mktemp -d) || return 1
    echo "pagewise: fetching $name from $url" >&2
    if ! curl -fsSL -o "$tmp/maven.zip" "$url"; then
      echo "pagewise: could not download $url; install Maven >= 3.9 and set PAGEWISE_MAVEN_HOME" >&2
      rm -rf "$tmp"; return 1
    fi
    if ! echo "$sha  $tmp/maven.zip" | sha256sum -c --status; then
      echo "pagewise: $url failed its SHA-256 check (distributionSha256Sum in .mvn/wrapper/maven-wrapper.properties)" >&2
      rm -rf "$tmp"; return 1
    fi
    # the JDK's jar tool unzips where unzip is not installed; it drops the executable bits
    (cd "$tmp" && "$PAGEWISE_JAVA_HOME/bin/jar" xf maven.zip) && chmod +x "$tmp/$name"/bin/* \
      && mkdir -p "$(dirname "$dist")" && rm -rf "$dist" && mv "$tmp/$name" "$dist"
    rm -rf "$tmp"
  fi
  PAGEWISE_MVN="$dist/bin/mvn"
}

pagewise_find_jdk && pagewise_find_maven || exit 1
if [ -n "${JAVA_HOME:-}" ] && [ "$JAVA_HOME" != "$PAGEWISE_JAVA_HOME" ]; then
  echo "pagewise: JAVA_HOME=$JAVA_HOME is older than Java $PAGEWISE_MIN_JAVA; using $PAGEWISE_JAVA_HOME" >&2
fi
export JAVA_HOME="$PAGEWISE_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.9's Guice calls sun.misc.Unsafe, which JDK 24+ warns about; only this JDK knows the flag,
# which is why it is here and not in .mvn/jvm.config (an older JDK would refuse to start).
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
