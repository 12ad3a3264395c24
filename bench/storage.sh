#!/usr/bin/env bash
# Storage drivers side by side, overlay and copy, in one run:
#  (a) the time to prepare a container's root on a 5-layer image (busybox + 4 small layers): JMH
#      on the snapshotter's prepare and the mount of what it returns (keel.bench.PrepareBenchmark,
#      committed snapshots on the disk, in a mount namespace of its own), median and p90;
#  (b) the disk used by N containers of one image (`keel create --network none`, busybox): `du -sx`
#      of the daemon's root before and after, per driver, and the median `keel create` time.
#
#   bash bench/storage.sh [N] [--no-jmh]      (N: containers per driver, default 100)
#
# Needs the reactor built (launcher/target/keel, bench/jmh/target/benchmarks.jar). Everything is
# made under $KEEL_BENCH_DIR (default /var/tmp/keel-bench-storage.XXXXXX: on disk) and removed.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
jmh=1
[ "${2:-}" = "--no-jmh" ] && jmh=0
dist=$PWD/launcher/target/keel
jar=$PWD/bench/jmh/target/benchmarks.jar
[ -x "$dist/bin/keel" ] || { echo "bench/storage.sh: build first (bash launcher/setup.sh)" >&2; exit 1; }
[ "$jmh" = 0 ] || [ -f "$jar" ] || { echo "bench/storage.sh: $jar is missing: build first" >&2; exit 1; }
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" \
  || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
mkdir -p /var/tmp
work=${KEEL_BENCH_DIR:-$(mktemp -d /var/tmp/keel-bench-storage.XXXXXX)}
mkdir -p "$work"
export KEEL_JVM_OPTS="-Dkeel.cgroup.parent=keel-bench-storage-$$"
keel_of() { echo "$dist/bin/keel --root $work/$1/root --run $work/$1/run"; }
cleanup() {
  for driver in overlay copy; do
    if [ -S "$work/$driver/run/keel.sock" ]; then   # only if its daemon runs (the client would start one)
      k=$(keel_of "$driver")
      $k ps -aq 2>/dev/null | xargs -r $k rm -f >/dev/null 2>&1 || true
      $k daemon stop >/dev/null 2>&1 || true
    fi
  done
  sleep 1
  for d in /sys/fs/cgroup/*/"keel-bench-storage-$$"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
  grep -q " $work" /proc/self/mountinfo || rm -rf --one-file-system "$work"
}
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "# Storage drivers: $(nproc) CPUs, $(uname -r), $(df -T "$work" | awk 'NR==2 {print $2}') under $work, $(date -u +%F)"

# what a durable write costs on this disk now (a prepare makes one): the floor under (a)
python3 - "$work" <<'PY'
import os, statistics, sys, time
d = os.path.join(sys.argv[1], 'fsync')
os.makedirs(d)
times = []
for i in range(50):
    start = time.perf_counter()
    fd = os.open(os.path.join(d, str(i)), os.O_CREAT | os.O_WRONLY)
    os.write(fd, b'x' * 200); os.fsync(fd); os.close(fd)
    fd = os.open(d, os.O_RDONLY); os.fsync(fd); os.close(fd)
    times.append((time.perf_counter() - start) * 1000)
print(f"# fsync of a new file and its directory here, 50 times: median {statistics.median(times):.2f} ms, "
      f"min {min(times):.2f}, max {max(times):.2f}; load average {os.getloadavg()[0]:.1f}")
PY
if [ "$jmh" = 1 ]; then
  echo "# (a) Prepare a container's root on a 5-layer image (busybox + 4 layers of 30 small files):"
  echo "# JMH keel.bench.PrepareBenchmark, prepare + mount of the snapshot, sample mode, 3 x 2 s warm-up, 5 x 4 s"
  unshare -m --propagation private java -jar "$jar" PrepareBenchmark -jvmArgsAppend "-Dkeel.bench.dir=$work/jmh" \
    -rf json -rff "$work/jmh.json" >&2
  echo "| driver | median ms | p90 ms | p99 ms | mean ms | samples |"
  echo "|---|---|---|---|---|---|"
  python3 - "$work/jmh.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    m = r['primaryMetric']
    p = m['scorePercentiles']
    n = sum(c for fork in m.get('rawDataHistogram', []) for it in fork for _, c in it)
    print(f"| {r['params']['driver']} | {p['50.0']:.2f} | {p['90.0']:.2f} | {p['99.0']:.2f} | {m['score']:.2f} | {n} |")
PY
fi

echo "# (b) $n containers of one image (busybox, imported), \`keel create --network none\`, per driver:"
echo "# disk is \`du -sx\` of the daemon's root after the image is in, and after the $n creates"
bash bench/busybox-rootfs.sh "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
echo "| driver | disk before KiB | disk after KiB | KiB per container | create median ms | create min ms | create max ms |"
echo "|---|---|---|---|---|---|---|"
for driver in overlay copy; do
  k=$(keel_of "$driver")
  $k version >/dev/null                        # start the daemon
  for _ in $(seq 100); do $k swap storage "$driver" >/dev/null 2>&1 && break; sleep 0.1; done
  $k info > "$work/$driver.info"
  grep -qiE "storage: +$driver" "$work/$driver.info" || { echo "bench/storage.sh: $driver is not bound" >&2; exit 1; }
  $k import "$work/busybox.tar" stor-bench:bb >/dev/null
  $k create --network none --name stor-bench-warm stor-bench:bb true >/dev/null   # warm up, then gone
  $k rm stor-bench-warm >/dev/null
  sync
  before=$(du -sxk "$work/$driver/root" | cut -f1)
  : > "$work/$driver.times"
  for i in $(seq "$n"); do
    start=$(date +%s%N)
    $k create --network none --name "stor-bench-$i" stor-bench:bb true >/dev/null
    echo $(( ($(date +%s%N) - start) / 1000 )) >> "$work/$driver.times"
  done
  sync
  after=$(du -sxk "$work/$driver/root" | cut -f1)
  printf '| %s | %d | %d | %.1f | %.1f | %.1f | %.1f |\n' "$driver" "$before" "$after" \
    "$(echo "($after - $before) / $n" | bc -l)" "$(median < "$work/$driver.times" | awk '{print $1 / 1000}')" \
    "$(sort -n "$work/$driver.times" | head -1 | awk '{print $1 / 1000}')" \
    "$(sort -n "$work/$driver.times" | tail -1 | awk '{print $1 / 1000}')"
  $k ps -aq | xargs -r $k rm >/dev/null
  $k daemon stop >/dev/null
done
