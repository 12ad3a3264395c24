#!/usr/bin/env bash
# The wait of a move into a cgroup v1 (the kernel's RCU grace period of cgroup_threadgroup_rwsem),
# without a warm-up and with one 5 and 10 ms before: what keel.cgroup.v1's MigrationWarmup is for.
# Usage: bench/cgroup-join.sh [RUNS]   (root, cgroup v1 pids hierarchy, gcc)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
bin=$(mktemp /tmp/keel-bench-cgroup-join.XXXXXX)
trap 'rm -f "$bin"' EXIT
gcc -O2 -Wall -pthread -o "$bin" bench/cgroup-join.c
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
for lead in -1 5 10; do
  out=$("$bin" "$runs" "$lead")
  label=$([ "$lead" -lt 0 ] && echo "no warm-up" || echo "warm-up ${lead} ms before")
  echo "$label: join median $(echo "$out" | awk '{print $2}' | median) ms (max $(echo "$out" | awk '{print $2}' | sort -n | tail -1))"
done
