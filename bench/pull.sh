#!/usr/bin/env bash
# Pull time from a local registry, side by side in one run: `keel pull` (into a fresh, empty root
# each time, the daemon already running) against `skopeo copy` to an OCI directory, for the image
# of bench/unpack.sh (a Debian rootfs, one gzip layer). The registry is Debian's docker-registry on
# 127.0.0.1, started here and stopped (by its pid) at the end. keel pull does more than skopeo:
# it also unpacks the layer into a snapshot; both verify every digest.
#
#   bash bench/pull.sh [RUNS]     (after bench/unpack.sh has made the image; needs launcher/target/keel)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cache=${KEEL_BENCH_CACHE:-/var/tmp/keel-bench}
keel=$PWD/launcher/target/keel/bin/keel
[ -x "$keel" ] || { echo "bench/pull.sh: build first (bash launcher/setup.sh)" >&2; exit 1; }
[ -f "$cache/oci/index.json" ] || { echo "bench/pull.sh: run bench/unpack.sh first (it makes $cache/oci)" >&2; exit 1; }
for tool in docker-registry skopeo hyperfine; do
  command -v "$tool" >/dev/null || bash .ci/install-deps
done

work=$(mktemp -d /var/tmp/keel-bench-pull.XXXXXX)
registry_pid=
cleanup() {
  "$keel" --root "$work/keel-root" --run "$work/keel-run" daemon stop >/dev/null 2>&1 || true
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
log:
  level: error
EOF
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$cache/oci:debian" "docker://127.0.0.1:$port/bench/debian:latest"
image=127.0.0.1:$port/bench/debian:latest
size=$(du -sb "$work/registry" | cut -f1)

k="$keel --root $work/keel-root --run $work/keel-run"
echo "# Pull of a Debian rootfs image ($((size / 1000000)) MB in the registry) from 127.0.0.1, $runs runs each"
hyperfine --runs "$runs" --export-markdown "$work/pull.md" \
  --prepare "$k daemon stop >/dev/null 2>&1 || true; rm -rf $work/keel-root $work/keel-run; $k info >/dev/null" \
  -n "keel pull" "$k pull $image" \
  --prepare "rm -rf $work/skopeo" \
  -n "skopeo copy (to an OCI dir)" "skopeo copy -q --src-tls-verify=false docker://$image oci:$work/skopeo:debian"
cat "$work/pull.md"
