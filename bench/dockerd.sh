#!/usr/bin/env bash
# A private dockerd (Debian's docker.io) for side-by-side benchmarks, touching nothing of the host:
# it runs in its own network namespace (its docker0 bridge, 10.199.0.0/24, and its iptables rules
# live and die there) and mount namespace, with its data, exec root and socket under one temp dir.
#
#   sock=$(bash bench/dockerd.sh start DIR)   # prints the socket path once dockerd answers
#   bash bench/dockerd.sh stop DIR            # stops it by its pid, removes DIR
# Exits 3 (with the reason on stderr) when dockerd cannot run here.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?directory}

case "$action" in
  start)
    if ! command -v dockerd >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null 2>&1 \
        || { echo "bench/dockerd.sh: cannot install docker.io" >&2; exit 3; }
    fi
    mkdir -p "$dir"
    cat > "$dir/inside.sh" <<EOF
ip link set lo up
mount --make-rprivate /
exec dockerd --data-root "$dir/data" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" \
  --pidfile "$dir/docker.pid" --bip 10.199.0.1/24 --containerd-namespace keelbench \
  --containerd-plugins-namespace keelbench-plugins
EOF
    unshare -m -n bash "$dir/inside.sh" > "$dir/dockerd.log" 2>&1 &
    echo $! > "$dir/unshare.pid"
    for _ in $(seq 300); do
      docker -H "unix://$dir/docker.sock" version >/dev/null 2>&1 && { echo "$dir/docker.sock"; exit 0; }
      kill -0 "$(cat "$dir/unshare.pid")" 2>/dev/null || break
      sleep 0.1
    done
    echo "bench/dockerd.sh: dockerd did not start here:" >&2
    tail -5 "$dir/dockerd.log" >&2
    exit 3
    ;;
  stop)
    pid=$(cat "$dir/unshare.pid" 2>/dev/null || true)   # unshare exec'd bash, which exec'd dockerd
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: bench/dockerd.sh start|stop DIR" >&2; exit 2 ;;
esac
