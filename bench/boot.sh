#!/usr/bin/env bash
# Daemon boot and CLI latency, on this machine:
#  - cold boot of `keel daemon` to ready (all bundles active, drivers bound, socket serving):
#    10 boots, each timed from keel-daemon's start to the moment it serves (the daemon prints it);
#  - the daemon's idle RSS, 3 s after boot;
#  - `keel version` against a running daemon (hyperfine, the client's own start included).
# Usage: bench/boot.sh [RUNS]   (needs a built launcher/target/keel: launcher/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
dist=launcher/target/keel
[ -x "$dist/bin/keel" ] || { echo "build first: bash launcher/setup.sh" >&2; exit 1; }
command -v hyperfine >/dev/null || bash .ci/install-deps
work=$(mktemp -d /tmp/keel-bench-boot.XXXXXX)
daemon_pid=
cleanup() {
  # the daemon's exit status after SIGTERM is not a failure: set -e must not skip the rm
  if [ -n "$daemon_pid" ]; then
    kill "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "== cold boot to ready, $runs runs"
times=()
for i in $(seq "$runs"); do
  out=$("$dist/bin/keel-daemon" daemon --root "$work/root" --run "$work/run" --exit-when-ready)
  ms=$(printf '%s' "$out" | sed -n 's/.*, \([0-9]*\) ms after launch/\1/p')
  times+=("$ms")
done
printf '%s\n' "${times[@]}" > "$work/boot.txt"
boot_median=$(median < "$work/boot.txt")
boot_min=$(sort -n "$work/boot.txt" | head -1)
boot_max=$(sort -n "$work/boot.txt" | tail -1)
echo "boot to ready: median ${boot_median} ms (min ${boot_min}, max ${boot_max}; runs: ${times[*]})"

echo "== idle daemon"
"$dist/bin/keel-daemon" daemon --root "$work/root" --run "$work/run" --detach > "$work/daemon.out" 2>&1 &
daemon_pid=$!
# up to 60 s: on a loaded machine a boot can take several seconds, and a `keel` call without the
# socket would start a second daemon of its own (default root) instead of measuring this one
for _ in $(seq 3000); do [ -S "$work/run/keel.sock" ] && break; sleep 0.02; done
[ -S "$work/run/keel.sock" ] || { echo "the idle daemon did not serve within 60 s" >&2; exit 1; }
sleep 3
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$daemon_pid/status")
threads=$(awk '/Threads/ {print $2}' "/proc/$daemon_pid/status")
echo "idle RSS: $((rss_kb / 1024)) MiB, threads: $threads"

echo "== keel version against the running daemon"
hyperfine -N -w 5 -r 50 --export-json "$work/version.json" "$dist/bin/keel --run $work/run version" | grep -E "Time|Range"
version_median=$(python3 -c "import json;print(round(json.load(open('$work/version.json'))['results'][0]['median']*1000,1))")
echo "keel version: median ${version_median} ms"

echo
echo "| measure | median | min | max |"
echo "|---|---|---|---|"
echo "| daemon boot to ready ($runs runs) | ${boot_median} ms | ${boot_min} ms | ${boot_max} ms |"
echo "| keel version, client start included (50 runs) | ${version_median} ms | | |"
echo "| idle daemon RSS | $((rss_kb / 1024)) MiB | | |"
