#!/usr/bin/env bash
# Layer unpack throughput, side by side in one run: Keel's tar-layer unpacker (in a warm JVM, as
# in the daemon) against GNU tar and umoci unpack, on the same layers of a Debian rootfs
# (debootstrap, ~10k files), into the same file system; then JMH on the unpacker's inner loop.
#
#   bash bench/unpack.sh [ROUNDS] [--no-jmh]
#
# Needs the reactor built (bench/jmh/target/benchmarks.jar). The rootfs is made once, from
# Debian's mirror (the one apt uses), and kept in $KEEL_BENCH_CACHE (default /var/tmp/keel-bench);
# the unpacking happens in $KEEL_BENCH_DIR (default $KEEL_BENCH_CACHE/work: on disk, where
# /var/lib/keel is).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
jmh=1
[ "${2:-}" = "--no-jmh" ] && jmh=0

cache=${KEEL_BENCH_CACHE:-/var/tmp/keel-bench}
work=${KEEL_BENCH_DIR:-$cache/work}
jar=bench/jmh/target/benchmarks.jar
[ -f "$jar" ] || { echo "bench/unpack.sh: $jar is missing: build first (mvn -B -q package -DskipTests)" >&2; exit 1; }

need=()
for tool in debootstrap umoci zstd; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

rootfs=$cache/debian-rootfs
if [ ! -f "$cache/debian.tar" ]; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  rm -rf "$rootfs" && mkdir -p "$cache"
  echo "making a Debian rootfs with debootstrap from ${mirror:-http://deb.debian.org/debian} ..."
  debootstrap --variant=minbase --include=perl,python3 bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" \
    > "$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$cache/debian.tar.tmp" . && mv "$cache/debian.tar.tmp" "$cache/debian.tar"
fi
[ -f "$cache/debian.tar.gz" ] || gzip -6 -k -c "$cache/debian.tar" > "$cache/debian.tar.gz"
[ -f "$cache/debian.tar.zst" ] || zstd -q -3 -c "$cache/debian.tar" > "$cache/debian.tar.zst"
size=$(stat -c %s "$cache/debian.tar")
entries=$(tar -tf "$cache/debian.tar" | wc -l)

# umoci unpacks from an OCI layout: the same tar as one gzip layer (umoci compresses it itself)
oci=$cache/oci
if [ ! -f "$oci/index.json" ]; then
  rm -rf "$oci"
  umoci init --layout "$oci"
  umoci new --image "$oci:debian"
  umoci raw add-layer --image "$oci:debian" "$cache/debian.tar"
fi

rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf --one-file-system "$work"' EXIT
echo "# Layers of a Debian bookworm rootfs (debootstrap): $entries entries, $((size / 1000000)) MB uncompressed."
echo "# $(nproc) CPUs, $(uname -r), target file system: $(df -T "$work" | awk 'NR==2 {print $2}'), $(date -u +%F)"
echo "# GNU $(tar --version | head -1), $(umoci --version), $(java -version 2>&1 | head -1)"
# the daemon's JVM flags (launcher/src/main/sh/keel-daemon) and its SHA-256 (libcrypto)
daemon_jvm=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dkeel.digest.library=launcher/target/keel/lib/libkeel-digest.so)
side_by_side() { java "${daemon_jvm[@]}" -cp "$jar" keel.bench.UnpackSideBySide "$@"; }
side_by_side "$cache/debian.tar" tar "$work" "$rounds" "$size"
side_by_side "$cache/debian.tar.gz" gzip "$work" "$rounds" "$size" "$oci:debian"
side_by_side "$cache/debian.tar.zst" zstd "$work" "$rounds" "$size"

if [ "$jmh" = 1 ]; then
  echo "# JMH, the unpacker's inner loop (keel.bench.UnpackBenchmark): the layer in memory, the target on tmpfs"
  java -jar "$jar" UnpackBenchmark -f 1 -wi 3 -i 5 -w 2 -r 2 2>&1 | tee "$work/jmh.txt" >&2
  sizes=$(sed -n 's/^\[layer\] shape \([a-z]*\): \([0-9]*\) bytes.*/\1=\2/p' "$work/jmh.txt" | sort -u | tr '\n' ' ')
  echo "| shape | compression | ms per layer | ± | MB/s |"
  echo "|---|---|---|---|---|"
  awk -v sizes="$sizes" 'BEGIN { n = split(sizes, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); size[p[1]] = p[2] } }
    /^UnpackBenchmark\.unpack/ { printf "| %s | %s | %.1f | %.1f | %.0f |\n", $3, $2, $6, $8, size[$3] / ($6 / 1000) / 1e6 }' "$work/jmh.txt"
fi
