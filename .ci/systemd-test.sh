#!/usr/bin/env bash
# The real-systemd test: a minimal Debian 12 root (debootstrap, cached in
# /var/cache/ladderd-ci when that directory exists), the .deb installed into
# it, booted with systemd-nspawn (systemd 252 as PID 1). Inside,
# .ci/systemd-test-inside.sh runs `ladderd sim` as a service and checks
# ladderd.service, ladderd@.service and ladderd-litestream.service as a
# sysadmin would (see that script). Fails if any check fails.
#
# Usage: .ci/systemd-test.sh PACKAGE.deb LADDERD_WITH_SIM [LITESTREAM]
#   LADDERD_WITH_SIM  a ladderd built with the `sim` feature (the package's
#                     is built without it), installed as /usr/local/bin/ladderd-sim
#   LITESTREAM        the litestream binary (default: .ci/litestream.sh installs one)
# Needs root, debootstrap, systemd-nspawn.
set -euo pipefail
deb="$(realpath "$1")"
simbin="$(realpath "$2")"
litestream="$(realpath "${3:-$("$(dirname "$0")/litestream.sh")}")"
here="$(cd "$(dirname "$0")" && pwd)"

for tool in debootstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap systemd-container >/dev/null; }
done

packages=systemd,systemd-sysv,dbus,ca-certificates,sqlite3,procps
cache=/var/cache/ladderd-ci
work="$(mktemp -d /var/tmp/ladderd-nspawn.XXXXXX)"
trap 'rm -rf "$work"' EXIT
if [ -d "$cache" ]; then
  base="$cache/bookworm"
  if [ ! -x "$base/usr/bin/sqlite3" ]; then
    rm -rf "$base.tmp"
    debootstrap --variant=minbase --include="$packages" bookworm "$base.tmp" http://deb.debian.org/debian >/dev/null
    mv "$base.tmp" "$base"
  fi
  cp -a "$base" "$work/root"
else
  debootstrap --variant=minbase --include="$packages" bookworm "$work/root" http://deb.debian.org/debian >/dev/null
fi
root="$work/root"

# The package, as a sysadmin installs it (its dependencies are in the root).
cp "$deb" "$root/tmp/ladderd.deb"
chroot "$root" dpkg -i /tmp/ladderd.deb >/dev/null
# LADDERD_CI_UNIT=FILE replaces the packaged ladderd.service (to show that a
# unit fails the checks, e.g. the one before issue #17's fixes).
if [ -n "${LADDERD_CI_UNIT:-}" ]; then
  install -m 0644 "$LADDERD_CI_UNIT" "$root/usr/lib/systemd/system/ladderd.service"
fi
install -m 0755 "$simbin" "$root/usr/local/bin/ladderd-sim"
install -m 0755 "$litestream" "$root/usr/bin/litestream"
install -m 0755 "$here/systemd-test-inside.sh" "$root/usr/local/bin/ladderd-ci-inside"
# A real replay for the virtual players to upload (parsed by ladderd's
# sandboxed workers inside; its map is how the check knows it was parsed).
install -D -m 0644 "$here/../tests/fixtures/replays/5.0.15.95299-1v1-Terran-vs-Protoss-2e330d59.SC2Replay" \
  "$root/usr/local/share/ladderd-ci/replay.SC2Replay"
echo "ladderd-ci" > "$root/etc/hostname"
# The checks run as a oneshot service once the container has booted, then
# power it off; their output lands in /ci-out (bound from outside).
cat > "$root/etc/systemd/system/ladderd-ci.service" <<'UNIT'
[Unit]
Description=ladderd CI checks
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c '/usr/local/bin/ladderd-ci-inside > /ci-out/log 2>&1; echo $? > /ci-out/rc'
ExecStartPost=/bin/systemctl --no-block poweroff
TimeoutStartSec=600
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/ladderd-ci.service "$root/etc/systemd/system/multi-user.target.wants/ladderd-ci.service"
mkdir -p "$work/out"

# --register=no --keep-unit: no machined here, and keep the caller's scope.
# The whole boot is bounded; poweroff ends it.
timeout 900 systemd-nspawn -q -b -D "$root" --register=no --keep-unit \
  --bind="$work/out:/ci-out" --console=pipe </dev/null >"$work/out/console" 2>&1 || true
cat "$work/out/log" 2>/dev/null || { echo "no output from the checks; console:"; tail -50 "$work/out/console"; }
rc="$(cat "$work/out/rc" 2>/dev/null || echo 1)"
if [ "$rc" != 0 ]; then
  echo "systemd-test: FAILED (rc $rc)"
  exit 1
fi
echo "systemd-test: passed"
