#!/usr/bin/env bash
# Sets Keel up on a fresh Debian machine, as root: the Debian packages it needs, the build, and
# `keel` on PATH (/usr/local/bin/keel -> launcher/target/keel/bin/keel). The daemon starts on its
# own at the first `keel` command (state in /var/lib/keel, socket in /run/keel).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
mvn -B -ntp -q install -DskipTests
ln -sf "$PWD/launcher/target/keel/bin/keel" /usr/local/bin/keel
echo "keel is $(command -v keel) -> $(readlink -f /usr/local/bin/keel)"
