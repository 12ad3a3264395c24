#!/usr/bin/env bash
# Networking costs, on one busybox image:
#   1. container start on the default bridge: keel run --rm IMG true against podman run --rm IMG
#      true (its default network, netavark), in one hyperfine run;
#   2. throughput of 1 GiB sent from the host to a busybox `nc -l` in a keel container, through a
#      published port (-p 127.0.0.1:P:5001: DNAT, route_localnet, masquerade) and directly to the
#      container's address on the bridge.
# podman gets a --root/--runroot of its own (removed at the end), ulimits within the host's hard
# limits, and (crun 1.8 refuses this hybrid cgroup host) runs in a private mount namespace with
# /sys/fs/cgroup/unified unmounted, as in bench/run.sh. netavark's iptables-nft tables (ip nat,
# ip filter) are removed afterwards if they were not there before and hold only its own chains.
# Usage: bench/network.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
dist=$PWD/launcher/target/keel
[ -x "$dist/bin/keel" ] || { echo "build first: mvn -o verify -pl launcher -am" >&2; exit 1; }
for p in podman hyperfine busybox-static; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
work=$(mktemp -d /tmp/keel-bench-net.XXXXXX)
export KEEL_JVM_OPTS="-Dkeel.cgroup.parent=keel-bench-$$"
keel="$dist/bin/keel --root $work/root --run $work/run"
podman="podman --root $work/podman/root --runroot $work/podman/run"
tables_before=$(nft list tables)
private() { unshare -m bash -c "umount /sys/fs/cgroup/unified 2>/dev/null; $1"; }
# podman (cgroupfs manager) makes libpod_parent in every hierarchy: removed if this run made it
had_libpod=$(ls -d /sys/fs/cgroup/memory/libpod_parent 2>/dev/null || true)
cleanup() {
  bash bench/dockerd.sh stop "$work/docker" 2>/dev/null || true
  $keel rm -f keel-bench-sink >/dev/null 2>&1 || true
  $keel network rm bridge >/dev/null 2>&1 || true
  $keel daemon stop >/dev/null 2>&1 || true
  $podman rm -af >/dev/null 2>&1 || true
  $podman rmi -af >/dev/null 2>&1 || true
  sleep 1
  for d in /sys/fs/cgroup/*/"keel-bench-$$"; do [ -d "$d" ] && rmdir "$d" || true; done
  umount -R "$work/podman" 2>/dev/null || true
  [ -n "$had_libpod" ] || for d in /sys/fs/cgroup/*/libpod_parent; do rmdir "$d/conmon" "$d" 2>/dev/null || true; done
  rm -rf "$work"
  for t in "ip nat" "ip filter"; do
    if ! grep -qx "table $t" <<<"$tables_before" && nft list table $t >/dev/null 2>&1 \
        && ! nft list table $t | grep -E '^\s*chain ' \
          | grep -vqE 'chain (NETAVARK[A-Z_-]*|PREROUTING|POSTROUTING|OUTPUT|INPUT|FORWARD) '; then
      nft delete table $t
    fi
  done
}
trap cleanup EXIT

bash bench/busybox-rootfs.sh "$work/rootfs"
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
$keel import "$work/busybox.tar" busybox:bench >/dev/null
$podman import -q "$work/busybox.tar" localhost/busybox:bench >/dev/null
$keel run --rm busybox:bench true                 # daemon up, default network made, warm
private "$podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/busybox:bench true"

# docker on its default bridge too, where a private dockerd can run (bench/dockerd.sh: its own
# network namespace, so its docker0 and iptables rules never touch the host's)
docker_cmd=
if sock=$(bash bench/dockerd.sh start "$work/docker"); then
  docker -H "unix://$sock" import "$work/busybox.tar" keel-bench:bb >/dev/null
  docker_cmd="docker -H unix://$sock run --rm keel-bench:bb true"
else
  echo "bench/network.sh: NOTE: no docker in this run (dockerd could not start)" >&2
fi

echo "== start on the default bridge ($runs runs each)"
private "hyperfine -N -w 3 -r $runs --export-json $work/start.json \
  -n keel '$keel run --rm busybox:bench true' \
  -n podman '$podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/busybox:bench true' \
  ${docker_cmd:+-n docker '$docker_cmd'} >/dev/null"
python3 - "$work/start.json" <<'PY'
import json, sys
r = {x['command']: x for x in json.load(open(sys.argv[1]))['results']}
k = r['keel']['median'] * 1000
print("| command | median ms | min ms | max ms | keel / it |")
print("|---|---|---|---|---|")
for name, x in r.items():
    print(f"| {name} | {x['median']*1000:.1f} | {x['min']*1000:.1f} | {x['max']*1000:.1f} | {k / (x['median']*1000):.2f} |")
PY

echo "== 1 GiB from the host into a container (busybox nc), 3 runs each, MB/s"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$keel run -d --name keel-bench-sink -p "127.0.0.1:$port:5001" busybox:bench \
  sh -c 'while true; do nc -l -p 5001 > /dev/null; done' >/dev/null
ip=$($keel exec keel-bench-sink ip -4 -o addr show eth0 | sed -n 's/.*inet \([0-9.]*\)\/.*/\1/p')
send() { # HOST PORT -> MB/s as dd reports it
  local out
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if out=$(dd if=/dev/zero bs=1M count=1024 2>&1 > "/dev/tcp/$1/$2"); then
      echo "$out" | tail -1 | awk '{print $(NF-1), $NF}'
      sleep 0.3
      return
    fi
    sleep 0.2
  done
  echo "failed"
}
for run in 1 2 3; do
  echo "published 127.0.0.1:$port  run $run: $(send 127.0.0.1 "$port")"
  echo "bridge    $ip:5001  run $run: $(send "$ip" 5001)"
done
