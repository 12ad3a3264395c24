#!/usr/bin/env bash
# Makes the distribution's start-up archive from one training boot of the daemon (called by the
# launcher's Maven build, after the distribution is laid out). Usage: startup-archive.sh DIST WORKDIR
#
# With a JDK 25 or newer (KEEL_DAEMON_JAVA, else the newest under /usr/lib/jvm): an AOT cache
# (JEP 483: classes loaded and linked ahead of time, the bundles' classes included) in
# lib/keel.aot, and that JDK's java named in lib/jvm, which keel-daemon then runs. On this machine
# a cold boot takes about two thirds of the time it takes on JDK 17 (bench/boot.sh).
# Without one: a class-data-sharing archive of the JDK that runs the build (lib/keel.jsa), which
# keel-daemon uses with the `java` on the PATH.
set -euo pipefail
dist=${1:?usage: startup-archive.sh DIST WORKDIR}
work=${2:?usage: startup-archive.sh DIST WORKDIR}
rm -f "$dist/lib/keel.aot" "$dist/lib/keel.jsa" "$dist/lib/jvm"
rm -rf "$work"

# the major version of a JDK's java, from its release file (no JVM start)
major() {
  local release
  release="$(dirname "$(dirname "$1")")/release"
  [ -f "$release" ] || { echo 0; return; }
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

newer=${KEEL_DAEMON_JAVA:-}
if [ -z "$newer" ]; then
  best=0
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    v=$(major "$candidate")
    if [ "${v:-0}" -ge 25 ] && [ "$v" -gt "$best" ]; then best=$v; newer=$candidate; fi
  done
fi

if [ -n "$newer" ] && [ "$(major "$newer")" -ge 25 ]; then
  echo "start-up archive: an AOT cache for $newer (JDK $(major "$newer"))"
  KEEL_JAVA=$newer KEEL_JVM_OPTS="-XX:AOTCacheOutput=$dist/lib/keel.aot -Xlog:aot=warning -Xlog:cds=warning" \
    "$dist/bin/keel-daemon" daemon --root "$work/root" --run "$work/run" --exit-when-ready
  [ -s "$dist/lib/keel.aot" ] || { echo "no AOT cache was written" >&2; exit 1; }
  echo "$newer" > "$dist/lib/jvm"
else
  echo "start-up archive: no JDK 25 or newer found; a CDS archive for $(command -v java)"
  KEEL_JVM_OPTS="-XX:ArchiveClassesAtExit=$dist/lib/keel.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$dist/bin/keel-daemon" daemon --root "$work/root" --run "$work/run" --exit-when-ready
fi
rm -rf "$work"
