#!/usr/bin/env bash
# Sets Keel up on a fresh Debian machine, as root: the Debian packages it needs, the build, `keel`
# on PATH (/usr/local/bin/keel -> launcher/target/keel/bin/keel), and a busybox image made offline
# from Debian's busybox-static (`keel import`). The daemon starts on its own at the first `keel`
# command (state in /var/lib/keel, socket in /run/keel).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
mvn -B -ntp -q install -DskipTests
ln -sf "$PWD/launcher/target/keel/bin/keel" /usr/local/bin/keel
echo "keel is $(command -v keel) -> $(readlink -f /usr/local/bin/keel)"
if ! keel images --format json | grep -q '"docker.io/library/busybox:latest"'; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  bash bench/busybox-rootfs.sh "$work/rootfs"
  tar -C "$work/rootfs" -cf "$work/busybox.tar" .
  keel import "$work/busybox.tar" busybox:latest
fi
