#!/usr/bin/env bash
# Makes a minimal busybox root filesystem in DIR from Debian's busybox-static:
# /bin/busybox and its applets as symlinks, /etc/passwd and /etc/group with root and nobody.
# Usage: bench/busybox-rootfs.sh DIR
set -euo pipefail
dir=${1:?usage: busybox-rootfs.sh DIR}
[ -x /bin/busybox ] || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null; }
mkdir -p "$dir"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin,var}
chmod 1777 "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [ -e "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
