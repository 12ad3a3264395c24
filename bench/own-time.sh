#!/usr/bin/env bash
# The daemon's own time for `keel run --rm --network none --rootfs R /bin/true`, from its events:
# create -> start (cgroup, shim launch, record), start -> die (the process runs and ends, the exit
# is noticed and recorded) and create -> die, as medians. Given several distributions (e.g. a
# copy of launcher/target/keel made before a change, and the current one), it starts one daemon
# per distribution and alternates their runs, so that a machine loaded by other work weighs on
# every side alike. It also prints the CPU time the daemon's JVM spent per run (utime + stime of
# its process over all the runs), which the machine's load does not stretch. A DIST may be followed by "::JVM OPTIONS" for its daemon (e.g. to compare
# flags on one distribution). KEEL_BENCH_GAP=SECONDS sleeps that long before each run (a start after
# a quiet spell, which finds the kernel's cgroup migration lock cold, instead of one in a burst).
# Usage: bench/own-time.sh RUNS DIST[::OPTS] [DIST[::OPTS] ...]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: own-time.sh RUNS DIST [DIST ...]}
shift
[ $# -gt 0 ] || { echo "usage: own-time.sh RUNS DIST [DIST ...]" >&2; exit 2; }
work=$(mktemp -d /tmp/keel-bench-own.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for i in $(seq 0 $(($# - 1))); do
    [ -d "$work/$i" ] && "${dists[$i]}/bin/keel" --run "$work/$i/run" daemon stop >/dev/null 2>&1 || true
  done
  sleep 1
  for d in /sys/fs/cgroup/*/"keel-bench-own-$$"-*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
  rm -rf "$work"
}
dists=() opts=()
for d in "$@"; do dists+=("${d%%::*}"); opts+=("$([[ $d == *::* ]] && echo "${d#*::}" || true)"); done
trap 'cleanup "${dists[@]}"' EXIT
bash bench/busybox-rootfs.sh "$work/rootfs"
for i in "${!dists[@]}"; do
  mkdir -p "$work/$i"
  keel="${dists[$i]}/bin/keel --root $work/$i/root --run $work/$i/run"
  KEEL_JVM_OPTS="-Dkeel.cgroup.parent=keel-bench-own-$$-$i ${opts[$i]}" $keel version >/dev/null
  for _ in 1 2 3; do $keel run --rm --network none --rootfs "$work/rootfs" /bin/true; done   # warm up
  $keel events --format json --filter type=container > "$work/$i/events.json" &
  pids+=($!)
done
sleep 0.5
cpu() { awk '{print $14 + $15}' "/proc/$(cat "$work/$1/run/keel.pid")/stat"; }
for i in "${!dists[@]}"; do cpu "$i" > "$work/$i/cpu.before"; done
for _ in $(seq "$runs"); do
  for i in "${!dists[@]}"; do
    [ -n "${KEEL_BENCH_GAP:-}" ] && sleep "$KEEL_BENCH_GAP"
    "${dists[$i]}/bin/keel" --root "$work/$i/root" --run "$work/$i/run" \
      run --rm --network none --rootfs "$work/rootfs" /bin/true
  done
done
sleep 0.5
for i in "${!dists[@]}"; do
  ticks=$(( $(cpu "$i") - $(cat "$work/$i/cpu.before") ))
  python3 - "${dists[$i]} ${opts[$i]}" "$work/$i/events.json" "$ticks" "$(getconf CLK_TCK)" <<'PY'
import json, sys, statistics
from datetime import datetime
t = {}
phases = {'create->start': [], 'start->die': [], 'create->die': []}
for line in open(sys.argv[2]):
    e = json.loads(line)
    t.setdefault(e['actor'], {})[e['action']] = datetime.fromisoformat(e['time'].replace('Z', '+00:00'))
for a in t.values():
    if {'create', 'start', 'die'} <= a.keys():
        ms = lambda x, y: (a[y] - a[x]).total_seconds() * 1000
        phases['create->start'].append(ms('create', 'start'))
        phases['start->die'].append(ms('start', 'die'))
        phases['create->die'].append(ms('create', 'die'))
n = len(phases['create->die'])
print(f"{sys.argv[1]} ({n} runs): " + ", ".join(
    f"{k} median {statistics.median(v):.1f} ms (min {min(v):.1f})" for k, v in phases.items() if v)
    + f"; daemon CPU {int(sys.argv[3]) * 1000 / int(sys.argv[4]) / max(n, 1):.1f} ms a run")
PY
done
