#!/usr/bin/env bash
# Container start latency side by side, on one busybox rootfs, in one hyperfine run:
#   keel run --rm --network none --rootfs R /bin/true
#   crun run / runc run (an OCI bundle of the same rootfs, made by `runc spec`)
#   podman run --rm --network none --rootfs R /bin/true
#   docker run --rm --network none IMG /bin/true (a private dockerd, bench/dockerd.sh; skipped, with
#   the reason, where dockerd cannot run; KEEL_BENCH_DOCKER=0 skips it)
# and the daemon's own share: from its `create` event to its `die` event, per keel run.
# crun 1.8 refuses this hybrid cgroup host, so everything runs in a private mount namespace with
# /sys/fs/cgroup/unified unmounted (the same for every runtime); podman needs ulimits within the
# host's hard limits. Usage: bench/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
dist=$PWD/launcher/target/keel
[ -x "$dist/bin/keel" ] || { echo "build first: bash launcher/setup.sh" >&2; exit 1; }
for p in runc crun podman hyperfine busybox-static; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
work=$(mktemp -d /tmp/keel-bench-run.XXXXXX)
# the bench daemon's containers go under a cgroup parent of their own, removed at the end
export KEEL_JVM_OPTS="-Dkeel.cgroup.parent=keel-bench-$$"
events_pid=
# podman (cgroupfs manager) makes libpod_parent in every hierarchy: removed if this run made it
had_libpod=$(ls -d /sys/fs/cgroup/memory/libpod_parent 2>/dev/null || true)
cleanup() {
  [ -n "$events_pid" ] && kill "$events_pid" 2>/dev/null
  bash bench/dockerd.sh stop "$work/docker" 2>/dev/null || true
  "$dist/bin/keel" --run "$work/run" daemon stop >/dev/null 2>&1 || true
  sleep 1
  for d in /sys/fs/cgroup/*/"keel-bench-$$"; do [ -d "$d" ] && rmdir "$d" || true; done
  [ -n "$had_libpod" ] || for d in /sys/fs/cgroup/*/libpod_parent; do rmdir "$d/conmon" "$d" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

bash bench/busybox-rootfs.sh "$work/bundle/rootfs"
(cd "$work/bundle" && runc spec && python3 - <<'PY'
import json
c = json.load(open('config.json'))
c['process']['args'] = ['/bin/true']
c['process']['terminal'] = False
json.dump(c, open('config.json', 'w'), indent=1)
PY
)
keel="$dist/bin/keel --root $work/root --run $work/run"
$keel version >/dev/null                      # start the daemon
$keel run --rm --network none --rootfs "$work/bundle/rootfs" /bin/true   # warm it up once
$keel events --format json --filter type=container > "$work/events.json" &
events_pid=$!
sleep 0.3

ulimits="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
docker_cmd=
if [ "${KEEL_BENCH_DOCKER:-1}" != 0 ] && sock=$(bash bench/dockerd.sh start "$work/docker"); then
  tar -C "$work/bundle/rootfs" -c . | docker -H "unix://$sock" import - keel-bench:bb >/dev/null
  docker_cmd="docker -H unix://$sock run --rm --network none keel-bench:bb /bin/true"
else
  echo "bench/run.sh: NOTE: no docker in this run (dockerd could not start or KEEL_BENCH_DOCKER=0)" >&2
fi
unshare -m bash -c "umount /sys/fs/cgroup/unified 2>/dev/null; hyperfine -N -w 3 -r $runs \
  --export-json $work/run.json --export-markdown $work/run.md \
  -n keel '$keel run --rm --network none --rootfs $work/bundle/rootfs /bin/true' \
  -n crun 'crun run -b $work/bundle keel-bench-crun' \
  -n runc 'runc run -b $work/bundle keel-bench-runc' \
  -n podman 'podman run --rm --network none $ulimits --rootfs $work/bundle/rootfs /bin/true' \
  ${docker_cmd:+-n docker '$docker_cmd'}"
sleep 0.5
kill "$events_pid" 2>/dev/null || true
events_pid=

python3 - "$work/run.json" "$work/events.json" "$runs" <<'PY'
import json, sys, statistics
from datetime import datetime
runs = {r['command']: r for r in json.load(open(sys.argv[1]))['results']}
med = {k: statistics.median(v['times']) * 1000 for k, v in runs.items()}
created, own = {}, []
for line in open(sys.argv[2]):
    e = json.loads(line)
    t = datetime.fromisoformat(e['time'].replace('Z', '+00:00'))
    if e['action'] == 'create':
        created[e['actor']] = t
    elif e['action'] == 'die' and e['actor'] in created:
        own.append((t - created.pop(e['actor'])).total_seconds() * 1000)
print()
print('| command | median ms | min ms | max ms | keel / it |')
print('|---|---|---|---|---|')
for k, v in runs.items():
    print(f"| {k} | {med[k]:.1f} | {min(v['times'])*1000:.1f} | {max(v['times'])*1000:.1f} | {med['keel']/med[k]:.2f} |")
if own:
    print(f"| keel daemon, create event to die event ({len(own)} runs) | {statistics.median(own):.1f} | {min(own):.1f} | {max(own):.1f} | |")
    timed = own[-int(sys.argv[3]):]   # the timed runs only, as hyperfine's medians (its warm-ups left out)
    print(f"| the same, the {len(timed)} timed runs | {statistics.median(timed):.1f} | {min(timed):.1f} | {max(timed):.1f} | |")
PY
