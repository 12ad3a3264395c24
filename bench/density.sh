#!/usr/bin/env bash
# Density: N sleeping busybox containers (an image, overlay snapshots, --network none), started one
# after another with `keel run -d` and with `podman run -d`, in one run. Reports per runtime:
#  - the time to start all N (median of a run -d),
#  - host memory used per container beyond the containers' own processes: the growth of the
#    host's used memory (MemTotal - MemFree - Buffers - Cached - SReclaimable, so the page cache
#    of the image is not counted) minus the growth of every other process's PSS (builds and
#    services that came or went meanwhile) minus that of the N `sleep` processes, divided by N
#    (anonymous PSS: file pages are page cache, which used memory leaves out);
#    it holds the helpers, the daemon's growth and the kernel's share (namespaces, mounts, cgroups),
#  - the kernel's part of it on its own: growth of unreclaimable slab, kernel stacks, page tables
#    and per-CPU allocations (cgroups hold per-CPU counters),
#  - the helper processes' PSS per container (keel-shim for Keel, conmon for podman) and the
#    daemon's RSS growth (Keel only; podman has no daemon).
# N = 1,000 needs limits the defaults may not give; checked first, and the run stops naming the
# one that is short: the daemon holds two pidfds per container (open files: the shell's soft
# limit is raised to its hard one, which the daemon inherits), pids, root's key quota (runc makes a
# session keyring per container). podman gets --ulimit nofile=1024:1024 and nproc=4N+1024, within
# the host's hard limits (no CAP_SYS_RESOURCE here): runc's setuid in a container fails once root
# has more processes than the container's nproc, and at N = 1,000 root has over 2,000.
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
# the limits N containers need, checked before anything is made
ulimit -n "$(ulimit -Hn)"
short=
[ "$(ulimit -n)" -ge $((2 * n + 512)) ] || short="$short open files: $(ulimit -n) (hard limit), the keel daemon needs 2N + 512;"
[ "$(cat /proc/sys/kernel/pid_max)" -ge $((4 * n + $(ps -e --no-headers | wc -l) + 1024)) ] \
  || short="$short pid_max $(cat /proc/sys/kernel/pid_max) < 4N + the host's processes + 1024;"
[ "$(cat /proc/sys/kernel/keys/root_maxkeys)" -ge $((2 * n + 100)) ] \
  || short="$short kernel.keys.root_maxkeys $(cat /proc/sys/kernel/keys/root_maxkeys) < 2N + 100;"
nproc=$((4 * n + 1024))
[ "$(ulimit -Hu)" = unlimited ] || [ "$(ulimit -Hu)" -ge "$nproc" ] || short="$short max user processes $(ulimit -Hu) (hard) < 4N + 1024;"
[ -z "$short" ] || { echo "bench/density.sh: this host's limits are short for N = $n:$short" >&2; exit 1; }
podman_ulimits="--ulimit nofile=1024:1024 --ulimit nproc=$nproc:$nproc"
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
pss_kib() {  # [FIELD]: total PSS (or Pss_Anon: what used memory counts) of the pids given on stdin
  local field=${1:-Pss} total=0 pid
  while read -r pid; do
    total=$((total + $(awk -v f="$field:" '$1 == f {t = $2} END {print t + 0}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
kernel_kib() { awk '/^(SUnreclaim|KernelStack|PageTables|Percpu):/ {t += $2} END {print t}' /proc/meminfo; }
sleepers() { { grep -lax "sleep.$marker." /proc/[0-9]*/cmdline 2>/dev/null || true; } | cut -d/ -f3; }  # (processes come and go: grep then exits 2)
others() {  # every process but this run's containers, helpers and keel daemon (and this script's own)
  local p comm
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
    case $comm in keel-shim|conmon) continue ;; esac
    [ "$p" = "${1:-}" ] && continue
    grep -qax "sleep.$marker." "/proc/$p/cmdline" 2>/dev/null && continue
    echo "$p"
  done
}
by_comm() { for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"; done; true; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

bash bench/busybox-rootfs.sh "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .

measure() {  # NAME RUN-COMMAND HELPER-COMM DAEMON-PID
  local name=$1 run=$2 helper=$3 daemon=${4:-}
  sync; sleep 2
  local before kernel_before others_before daemon_before=0 i start ms
  kernel_before=$(kernel_kib)
  others_before=$(others "$daemon" | pss_kib Pss_Anon)
  before=$(used_kib)
  [ -n "$daemon" ] && daemon_before=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status")
  : > "$work/$name.times"
  for i in $(seq "$n"); do
    start=$(date +%s%N)
    $run >/dev/null
    echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$work/$name.times"
  done
  sleep 3
  local after kernel others sleeping own own_anon helpers daemon_growth=0
  others=$(( $(others "$daemon" | pss_kib Pss_Anon) - others_before ))   # next to the used memory it corrects
  after=$(used_kib)
  kernel=$(( $(kernel_kib) - kernel_before ))
  sleeping=$(sleepers | wc -l)
  own=$(sleepers | pss_kib)
  own_anon=$(sleepers | pss_kib Pss_Anon)
  helpers=$(by_comm "$helper" | pss_kib)
  [ -n "$daemon" ] && daemon_growth=$(( $(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status") - daemon_before ))
  echo "$name: used memory grew $(( (after - before) / 1024 )) MiB, other processes' PSS by $(( others / 1024 )) MiB" >&2
  printf '| %s | %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n' "$name" "$sleeping" "$(median < "$work/$name.times")" \
    "$(echo "($after - $before - $others - $own_anon) / $n" | bc -l)" "$(echo "$kernel / $n" | bc -l)" \
    "$(echo "$own / $n" | bc -l)" "$(echo "$helpers / $n" | bc -l)" "$(echo "$daemon_growth / $n" | bc -l)"
}

echo "# Density: $n sleeping busybox containers, --network none, $(nproc) CPUs, $(uname -r), $(date -u +%F)"
echo "# podman: --runtime runc (crun refuses this host), $podman_ulimits"
echo "| runtime | running | run -d median ms | host KiB per container beyond its processes | of which kernel (slab, stacks, page tables, per-CPU) KiB | containers' own PSS KiB each | helper PSS KiB each | daemon RSS growth KiB each |"
echo "|---|---|---|---|---|---|---|---|"
if [ "$which" != podman ]; then
  $keel import "$work/busybox.tar" density:bb >/dev/null
  daemon=$(cat "$work/keel-run/keel.pid")
  measure keel "$keel run -d --network none density:bb sleep $marker" keel-shim "$daemon"
  # every container goes before podman is measured; a failed rm is reported, and what is left is
  # removed again (the cleanup at the end removes anything still left)
  $keel ps -aq | xargs -r $keel rm -f >/dev/null || { echo "bench/density.sh: keel rm -f failed for some" >&2; \
    $keel ps -aq | xargs -r $keel rm -f >/dev/null || true; }
fi
if [ "$which" != keel ]; then
  $podman import "$work/busybox.tar" localhost/density:bb >/dev/null
  measure podman "$podman run -d --network none $podman_ulimits localhost/density:bb sleep $marker" conmon
  $podman ps -aq | xargs -r $podman rm -f -t 0 >/dev/null || echo "bench/density.sh: podman rm -f failed for some" >&2
fi
