#!/usr/bin/env bash
# Leak-free churn: a daemon of its own (root and run under /var/tmp/keel-churn, its own cgroup
# parent) runs
#   1. SEQ sequential `keel run --rm -p 127.0.0.1::80 IMG true` (default 1,000: the warm-up), then
#   2. CLIENTS parallel clients (default 20) doing create/start/stop/rm for SECONDS (default 600),
#      each on a fixed host port of its own (127.0.0.1:18000+i -> 80, busybox httpd answering; every
#      cycle fetches a file through the published port),
# on the default bridge network (or NETWORK, made with `keel network create`), with the busybox
# image the other benches use. Every ~10 s it samples the daemon's RSS (VmRSS), threads and open
# descriptors, printed as a table at the end; after each phase it waits 65 s (the JDK's cached thread
# pools let idle threads go after 60 s) and compares the two idle points, with no container left:
# RSS, live Java heap after a full GC (jcmd), threads, descriptors; plus the slope over the parallel
# phase. Then it checks that nothing of a removed container is left: mounts under its root and run
# directories, container cgroups and tasks under its cgroup parent in any v1 hierarchy, veths (by the
# names the bridge driver derives from container and network ids), network namespaces held by the
# daemon or bound under its directories, nft rules of the removed containers in `inet keel`, address
# leases and published ports in the bridge driver's state, processes (the daemon's children, shims
# of this daemon), container state directories (ROOT/containers, RUN/c, RUN/x) and active
# snapshots; then removes the network, stops the daemon and checks that its bridge, rules and cgroup
# parent went too. Exits non-zero naming what leaked or which operations failed.
#
#   bash bench/churn.sh [SEQ] [CLIENTS] [SECONDS] [NETWORK]
#
# NETWORK defaults to `bridge` (keel0); when another Keel (a test's daemon with another root) has a
# keel0 already, use a network of this run's own: `bash bench/churn.sh 1000 20 600 churnnet`.
set -euo pipefail
cd "$(dirname "$0")/.."
seq_runs=${1:-1000}
clients=${2:-20}
seconds=${3:-600}
network=${4:-bridge}
base_port=18000
[ "$clients" -le 999 ] || { echo "bench/churn.sh: at most 999 clients (ports 18000-18999)" >&2; exit 2; }
dist=${KEEL_DIST:-$PWD/launcher/target/keel}   # KEEL_DIST: a copy, to rebuild meanwhile
[ -x "$dist/bin/keel" ] || { echo "bench/churn.sh: build first (mvn -o package -pl launcher -am -DskipTests)" >&2; exit 1; }
for p in busybox-static nftables iproute2 python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
work=/var/tmp/keel-churn
if [ -e "$work" ]; then
  echo "bench/churn.sh: $work exists: another churn runs, or one was interrupted (stop its daemon:" \
    "keel --run $work/run daemon stop; then rm -rf $work)" >&2
  exit 1
fi
if [ "$network" = bridge ] && ip link show keel0 >/dev/null 2>&1; then
  echo "bench/churn.sh: keel0 exists already (another Keel's default network): give a network of this run's" \
    "own, e.g. bash bench/churn.sh $seq_runs $clients $seconds churnnet" >&2
  exit 1
fi
mkdir -p "$work"
parent=keel-churn-$$
export KEEL_JVM_OPTS="-Dkeel.cgroup.parent=$parent"
root=$work/root
run=$work/run
keel="$dist/bin/keel --root $root --run $run"
events_pid= sampler_pid= daemon=
netns_before=$(ip netns list 2>/dev/null | sort)
cleanup() {
  set +e
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
  [ -n "$events_pid" ] && kill "$events_pid" 2>/dev/null
  if [ -S "$run/keel.sock" ]; then
    local k="$keel --no-autostart"   # never start a daemon again here
    $k ps -aq 2>/dev/null | xargs -r $k rm -f >/dev/null 2>&1
    $k network rm "$network" >/dev/null 2>&1
    $k daemon stop >/dev/null 2>&1
  fi
  sleep 1
  for d in /sys/fs/cgroup/*/"$parent"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
  if [ -n "${keep_log:-}" ] && [ -f "$root/logs/daemon.log" ]; then
    cp "$root/logs/daemon.log" /var/tmp/keel-churn-daemon.log
    echo "bench/churn.sh: the daemon's log is kept in /var/tmp/keel-churn-daemon.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

bash bench/busybox-rootfs.sh "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
rm -rf "$work/rootfs"
$keel import "$work/busybox.tar" churn:bb >/dev/null
daemon=$(cat "$run/keel.pid")
jcmd "$daemon" VM.version >/dev/null   # its attach listener thread now, not between the two idle points
$keel events --format json --filter type=container > "$work/events.json" &
events_pid=$!
if [ "$network" = bridge ]; then
  $keel run --rm --network bridge churn:bb true   # makes the default network
else
  $keel network create "$network" >/dev/null
fi
bridge=$(grep -l "^name $network\$" "$root"/network.bridge/networks/* | head -1 | xargs -r sed -n 's/^bridge //p')
mkdir -p "$work/ops" "$work/errors"
: > "$work/samples"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$daemon/status"; }
fds() { ls "/proc/$daemon/fd" | wc -l; }
ops_done() { cat "$work"/ops/* 2>/dev/null | wc -l || true; }
t0=$(date +%s)
sample() {  # PHASE: one line of time, phase, ops, RSS KiB, threads, fds
  echo "$(( $(date +%s) - t0 )) $1 $(ops_done) $(rss_kib) $(threads) $(fds)" >> "$work/samples"
  # the network's own rules must stay; another Keel on the host sharing inet keel could delete them
  # (grep -c reads to the end: grep -q would stop nft early, and pipefail would count that as missing)
  [ "$(nft list table inet keel 2>/dev/null | grep -c "comment \"keel net $bridge\"")" -gt 0 ] \
    || echo "$(( $(date +%s) - t0 ))" >> "$work/rules-missing"
}
sampler() { while sleep 10; do sample "$(cat "$work/phase")"; done; }
echo sequential > "$work/phase"
sample start
sampler &
sampler_pid=$!

echo "== $seq_runs sequential keel run --rm -p 127.0.0.1::80 on network $network" >&2
for i in $(seq "$seq_runs"); do
  if ! out=$($keel run --rm --network "$network" -p 127.0.0.1::80 churn:bb true 2>&1); then
    echo "run $i: $out" >> "$work/errors/sequential"
  fi
  echo >> "$work/ops/sequential"
done
# quiet points for the comparison: the JDK's cached thread pools (the socket's sessions, the process
# reaper) keep an idle thread for 60 s, so the daemon is sampled 65 s after the last command
settle=65
echo settle > "$work/phase"
sleep "$settle"
sample warm-up-end
thread_names() { cat /proc/"$daemon"/task/*/comm 2>/dev/null | sed 's/[0-9]\+/N/g' | sort | uniq -c; }
fd_kinds() { ls -l /proc/"$daemon"/fd 2>/dev/null | awk 'NR > 1 {print $NF}' | sed 's/[0-9]\+/N/g' | sort | uniq -c; }
thread_names > "$work/threads.warm"; fd_kinds > "$work/fds.warm"
# the Java heap that is live (a class histogram runs a full GC first), after the RSS was sampled
histogram() {  # a GC first and a pause: JNA's cleaner thread frees what the GC found unreachable
  jcmd "$daemon" GC.run >/dev/null 2>&1; sleep 2
  jcmd "$daemon" GC.class_histogram 2>/dev/null > "$work/histogram.$1"
}
live_heap_kib() { awk '$1 == "Total" {printf "%d", $3 / 1024}' "$work/histogram.$1"; }
histogram warm
heap_warm=$(live_heap_kib warm)
warm=$(tail -1 "$work/samples")

echo "== $clients clients x create/start/stop/rm for $seconds s, ports $base_port-$((base_port + clients - 1))" >&2
echo parallel > "$work/phase"
cmd='trap "exit 0" TERM; httpd -p 80 -h /etc; while :; do sleep 1 & wait; done'
fetch() {  # PORT: /etc/hostname through the published port; the server may need a moment to listen
  local try
  for try in $(seq 50); do
    if timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET /hostname HTTP/1.0\r\n\r\n" >&3 && cat <&3' \
        _ "$1" 2>/dev/null | grep -q '^HTTP/1.[01] 200'; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}
client() {  # I
  local i=$1 port=$((base_port + $1)) name=churn-$1 end=$(( $(date +%s) + seconds )) step out rc
  while [ "$(date +%s)" -lt "$end" ]; do
    for step in create start fetch stop rm; do
      rc=0
      case $step in
        create) out=$($keel create --name "$name" --network "$network" -p "127.0.0.1:$port:80" churn:bb sh -c "$cmd" 2>&1) || rc=$? ;;
        start) out=$($keel start "$name" 2>&1) || rc=$? ;;
        fetch) fetch "$port" || { rc=1; out="no HTTP 200 from 127.0.0.1:$port; inet keel holds $(nft list table inet keel \
                 2>/dev/null | grep -c "dport $port dnat") DNAT rules of the port and $(nft list table inet keel 2>/dev/null \
                 | grep -c "keel net $bridge") of the network"; } ;;
        stop) out=$($keel stop -t 5 "$name" 2>&1) || rc=$? ;;
        rm) out=$($keel rm "$name" 2>&1) || rc=$? ;;
      esac
      [ "$rc" = 0 ] && continue
      echo "client $i $step (exit $rc): $out" >> "$work/errors/client-$i"
      $keel rm -f "$name" >/dev/null 2>&1 || true
      break
    done
    echo >> "$work/ops/client-$i"
  done
}
pids=()
for i in $(seq 0 $((clients - 1))); do client "$i" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
echo settle > "$work/phase"
sleep "$settle"
kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=
sample end
thread_names > "$work/threads.end"; fd_kinds > "$work/fds.end"
histogram end
heap_end=$(live_heap_kib end)
final=$(tail -1 "$work/samples")
kill "$events_pid" 2>/dev/null; wait "$events_pid" 2>/dev/null || true; events_pid=

# ---- what is left of the removed containers (each check below says what it found; an empty grep is no error)
set +e +o pipefail
leaks=$work/leaks
: > "$leaks"
leak() { echo "LEAK: $*" >> "$leaks"; }
left=$($keel ps -aq)
[ -z "$left" ] || leak "containers still listed: $left"
ids=$(python3 -c 'import json,sys
ids=set()
for l in open(sys.argv[1]):
    e=json.loads(l); ids.add(e["actor"])
print("\n".join(sorted(ids)))' "$work/events.json")
echo "$(wc -l <<<"$ids") containers were made" >&2
netid=$(grep -l "^name $network\$" "$root"/network.bridge/networks/* | head -1 | xargs -r sed -n 's/^id //p')
[ -n "$netid" ] || leak "network $network has no state in $root/network.bridge/networks (cannot derive veth names)"
echo "$ids" > "$work/ids"
python3 -c 'import hashlib, sys
for cid in open(sys.argv[2]).read().split():
    for suffix in ("", "\npeer"):
        print("veth" + hashlib.sha256((cid + "\n" + sys.argv[1] + suffix).encode()).hexdigest()[:11])' \
  "$netid" "$work/ids" > "$work/veths"
mountinfo=$(cat /proc/self/mountinfo "/proc/$daemon/mountinfo")
m=$(awk -v w="$work/" 'index($5, w) == 1 {print $5}' <<<"$mountinfo" | sort -u || true)
[ -z "$m" ] || leak "mounts under $work: $m"
for d in /sys/fs/cgroup/*/"$parent"; do
  [ -d "$d" ] || continue
  c=$(find "$d" -mindepth 1 -maxdepth 1 -type d)
  [ -z "$c" ] || leak "container cgroups under $d: $c"
  t=$(cat "$d/tasks" 2>/dev/null || cat "$d/cgroup.procs" 2>/dev/null)
  [ -z "$t" ] || leak "tasks in $d: $t"
done
links=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 || true)
v=$(grep -Fxf "$work/veths" <<<"$links" || true)
[ -z "$v" ] || leak "veths of removed containers: $v"
if [ -n "$bridge" ]; then
  on=$(ip -o link show master "$bridge" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 || true)
  [ -z "$on" ] || leak "interfaces still on bridge $bridge: $on"
fi
ns=$(ls -l "/proc/$daemon/fd" | grep -c 'net:\[' || true)
[ "$ns" = 0 ] || leak "the daemon holds $ns network namespace descriptors"
n=$(awk '$9 == "nsfs" {print $5}' <<<"$mountinfo" | grep -F "$work" || true)
[ -z "$n" ] || leak "network namespaces bound under $work: $n"
[ "$(ip netns list 2>/dev/null | sort)" = "$netns_before" ] || leak "ip netns list changed: $(ip netns list)"
rules=$(nft list table inet keel 2>/dev/null | grep -o 'comment "keel att [a-z0-9]*"' | sed 's/.*att \(.*\)"/\1/' | sort -u || true)
r=$(grep -Fxf "$work/veths" <<<"$rules" || true)
[ -z "$r" ] || leak "nft rules of removed containers in inet keel: $r"
l=$(grep -h '^lease ' "$root"/network.bridge/networks/* 2>/dev/null || true)
[ -z "$l" ] || leak "address leases: $l"
p=$(grep -v '^#' "$root/network.bridge/ports" 2>/dev/null | grep -v '^version' | grep . || true)
[ -z "$p" ] || leak "published ports reserved: $p"
kids=$(ps -o pid=,args= --ppid "$daemon" || true)
[ -z "$kids" ] || leak "children of the daemon: $kids"
shims=$(for p in /proc/[0-9]*; do
  [ "$(cat "$p/comm" 2>/dev/null)" = keel-shim ] && tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q "^/proc/$daemon/" && echo "${p#/proc/}"
done; true)
[ -z "$shims" ] || leak "shims of this daemon: $shims"
s=$(ls "$root/containers" "$run/c" "$run/x" 2>/dev/null | grep -E '^[0-9a-f]{12,64}$' || true)
[ -z "$s" ] || leak "container state directories: $s"
snaps=$(grep -l '^key=container-' "$root"/storage.*/meta/* 2>/dev/null || true)
[ -z "$snaps" ] || leak "active snapshots: $(cat $snaps | grep '^key=')"

# ---- the network and the daemon go; nothing of either may stay
$keel network rm "$network" >/dev/null 2>"$work/netrm.err" || leak "keel network rm $network failed: $(cat "$work/netrm.err")"
$keel daemon stop >/dev/null
for _ in $(seq 100); do [ -d "/proc/$daemon" ] || break; sleep 0.2; done
[ ! -d "/proc/$daemon" ] || leak "the daemon (pid $daemon) still runs 20 s after keel daemon stop"
if [ -n "$bridge" ] && ip link show "$bridge" >/dev/null 2>&1; then leak "bridge $bridge is still there"; fi
if [ -n "$bridge" ] && nft list table inet keel 2>/dev/null | grep -q "comment \"keel net $bridge\""; then
  leak "nft rules of network $network (bridge $bridge) are still in inet keel"
fi
for d in /sys/fs/cgroup/*/"$parent"; do [ ! -d "$d" ] || leak "cgroup parent $d is still there after the daemon stopped"; done

# ---- the table
python3 - "$work/samples" "$warm" "$final" "${heap_warm:-0}" "${heap_end:-0}" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
print("| time s | phase | ops done | RSS MiB | threads | fds |")
print("|---|---|---|---|---|---|")
for t, phase, ops, rss, th, fd in rows:
    print(f"| {t} | {phase} | {ops} | {int(rss)/1024:.1f} | {th} | {fd} |")
print()
print("# Phases: the sequential runs, 65 s idle (settle), the parallel clients, 65 s idle; the two idle points, compared below, have no container.")
w, f = sys.argv[2].split(), sys.argv[3].split()
par = [r for r in rows if r[1] == "parallel"]
def slope(col):  # least squares over the parallel phase, per 1,000 ops
    xs = [int(r[2]) for r in par]; ys = [float(r[col]) for r in par]
    if len(xs) < 3 or max(xs) == min(xs):
        return float("nan")
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
print()
hw, he = int(sys.argv[4]) / 1024, int(sys.argv[5]) / 1024
print("| no container left | ops done | RSS MiB | live Java heap MiB (after a full GC) | threads | fds |")
print("|---|---|---|---|---|---|")
print(f"| warm-up end (after the sequential runs) | {w[2]} | {int(w[3])/1024:.1f} | {hw:.1f} | {w[4]} | {w[5]} |")
print(f"| end (after the parallel phase) | {f[2]} | {int(f[3])/1024:.1f} | {he:.1f} | {f[4]} | {f[5]} |")
print(f"| slope over the parallel phase, per 1,000 ops | | {slope(3)/1024:+.2f} | | {slope(4):+.2f} | {slope(5):+.2f} |")
PY
# classes with more live instances at the end than at the warm-up's end
python3 - "$work/histogram.warm" "$work/histogram.end" "$(( $(echo "$final" | cut -d' ' -f3) - $(echo "$warm" | cut -d' ' -f3) ))" <<'PY' > "$work/grown"
import sys
def read(path):
    counts = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 4 and f[0].endswith(":"):
            counts[f[3]] = (int(f[1]), int(f[2]))
    return counts
w, e, cycles = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
for name, (n, size) in sorted(e.items(), key=lambda kv: kv[1][1] - w.get(kv[0], (0, 0))[1], reverse=True):
    grown = n - w.get(name, (0, 0))[0]
    # at least one per 10 cycles, and more than the 1,024 recent events the daemon keeps (a short
    # warm-up leaves that buffer still filling)
    if cycles and grown >= max(2000, cycles // 10):
        print(f"{name}: {grown:+d} instances ({(size - w.get(name, (0, 0))[1]) / 1024:+.0f} KiB)")
PY
[ ! -s "$work/grown" ] || leak "live Java objects grew over the parallel phase: $(head -8 "$work/grown" | tr '\n' ';')"
par_ops=$(( $(echo "$final" | cut -d' ' -f3) - $(echo "$warm" | cut -d' ' -f3) ))
errs=$(cat "$work"/errors/* 2>/dev/null | wc -l || true)
echo "# $seq_runs sequential runs, then $clients clients for $seconds s: $par_ops create/start/fetch/stop/rm cycles; $errs failed"
[ ! -s "$work/rules-missing" ] || echo "# the rules of network $network were missing from inet keel at $(wc -l < "$work/rules-missing") samples (s: $(tr '\n' ' ' < "$work/rules-missing")): something else deleted or flushed the table"
cat "$work"/errors/* 2>/dev/null | head -20 | sed 's/^/# error: /'
w=($warm) f=($final)
[ "${f[5]}" -le $(( ${w[5]} + 2 )) ] || leak "descriptors grew from ${w[5]} to ${f[5]} with no container left:" \
  "$(diff "$work/fds.warm" "$work/fds.end" | grep '^[<>]' | tr '\n' ';')"
[ "${f[4]}" -le $(( ${w[4]} + 4 )) ] || leak "threads grew from ${w[4]} to ${f[4]} with no container left:" \
  "$(diff "$work/threads.warm" "$work/threads.end" | grep '^[<>]' | tr '\n' ';')"
if [ -s "$leaks" ] || [ "$errs" != 0 ]; then
  sed 's/^/# /' "$leaks"
  keep_log=1
  exit 1
fi
echo "# nothing left of $(wc -l <<<"$ids") removed containers: no mount, cgroup, veth, netns, nft rule, lease, port, process, state directory or snapshot"
