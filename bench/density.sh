#!/usr/bin/env bash
# Density: N sleeping busybox containers (an image, overlay snapshots, --network none), started one
# after another with `keel run -d` and with `podman run -d`, in one run. Reports per runtime:
#  - the time to start all N (median of a run -d),
#  - host memory used per container beyond the containers' own processes: the growth of the
#    host's used memory (MemTotal - MemFree - Buffers - Cached - SReclaimable, so the page cache
#    of the image is not counted) minus the PSS of the N `sleep` processes, divided by N,
#  - the helper processes' PSS per container (keel-shim for Keel, conmon for podman) and the
#    daemon's RSS growth (Keel only; podman has no daemon).
# Run it on an otherwise idle machine: used memory is host-wide.
#
#   bash bench/density.sh [N] [keel|podman|both]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
which=${2:-both}
dist=$PWD/launcher/target/keel
[ -x "$dist/bin/keel" ] || { echo "bench/density.sh: build first (bash launcher/setup.sh)" >&2; exit 1; }
for p in podman busybox-static; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
work=$(mktemp -d /var/tmp/keel-bench-density.XXXXXX)
export KEEL_JVM_OPTS="-Dkeel.cgroup.parent=keel-density-$$"
keel="$dist/bin/keel --root $work/keel-root --run $work/keel-run"
# runc: crun 1.8 refuses this hybrid cgroup host
podman="podman --root $work/podman-root --runroot $work/podman-run --cgroup-manager cgroupfs --runtime runc"
marker=7777777   # the sleep's argument: how this script finds the containers' own processes
# podman (cgroupfs manager) makes libpod_parent in every hierarchy: removed if this run made it
had_libpod=$(ls -d /sys/fs/cgroup/memory/libpod_parent 2>/dev/null || true)
cleanup() {
  if [ -S "$work/keel-run/keel.sock" ]; then   # only if a keel daemon ran (the client would start one)
    $keel ps -aq 2>/dev/null | xargs -r $keel rm -f >/dev/null 2>&1 || true
    $keel daemon stop >/dev/null 2>&1 || true
  fi
  $podman ps -aq 2>/dev/null | xargs -r $podman rm -f -t 0 >/dev/null 2>&1 || true
  $podman system reset -f >/dev/null 2>&1 || true
  sleep 1
  for d in /sys/fs/cgroup/*/"keel-density-$$"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
  [ -n "$had_libpod" ] || for d in /sys/fs/cgroup/*/libpod_parent; do rmdir "$d/conmon" "$d" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

used_kib() { awk '/^(MemTotal|MemFree|Buffers|Cached|SReclaimable):/ {v[$1]=$2} END {print v["MemTotal:"]-v["MemFree:"]-v["Buffers:"]-v["Cached:"]-v["SReclaimable:"]}' /proc/meminfo; }
pss_kib() {  # total PSS of the pids given on stdin
  local total=0 pid
  while read -r pid; do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
sleepers() { grep -lax "sleep.$marker." /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3; }
by_comm() { for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"; done; true; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

bash bench/busybox-rootfs.sh "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .

measure() {  # NAME RUN-COMMAND HELPER-COMM DAEMON-PID
  local name=$1 run=$2 helper=$3 daemon=${4:-}
  sync; sleep 2
  local before daemon_before=0 i start ms
  before=$(used_kib)
  [ -n "$daemon" ] && daemon_before=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status")
  : > "$work/$name.times"
  for i in $(seq "$n"); do
    start=$(date +%s%N)
    $run >/dev/null
    echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$work/$name.times"
  done
  sleep 3
  local after sleeping own helpers daemon_growth=0
  after=$(used_kib)
  sleeping=$(sleepers | wc -l)
  own=$(sleepers | pss_kib)
  helpers=$(by_comm "$helper" | pss_kib)
  [ -n "$daemon" ] && daemon_growth=$(( $(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status") - daemon_before ))
  printf '| %s | %d | %s | %.0f | %.0f | %.0f | %.0f |\n' "$name" "$sleeping" "$(median < "$work/$name.times")" \
    "$(echo "($after - $before - $own) / $n" | bc -l)" "$(echo "$own / $n" | bc -l)" \
    "$(echo "$helpers / $n" | bc -l)" "$(echo "$daemon_growth / $n" | bc -l)"
}

echo "# Density: $n sleeping busybox containers, --network none, $(nproc) CPUs, $(uname -r), $(date -u +%F)"
echo "| runtime | running | run -d median ms | host KiB per container beyond its processes | containers' own PSS KiB each | helper PSS KiB each | daemon RSS growth KiB each |"
echo "|---|---|---|---|---|---|---|"
if [ "$which" != podman ]; then
  $keel import "$work/busybox.tar" density:bb >/dev/null
  daemon=$(cat "$work/keel-run/keel.pid")
  measure keel "$keel run -d --network none density:bb sleep $marker" keel-shim "$daemon"
  $keel ps -aq | xargs -r $keel rm -f >/dev/null
fi
if [ "$which" != keel ]; then
  $podman import "$work/busybox.tar" localhost/density:bb >/dev/null
  measure podman "$podman run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/density:bb sleep $marker" conmon
  $podman ps -aq | xargs -r $podman rm -f -t 0 >/dev/null
fi
