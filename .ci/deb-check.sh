#!/usr/bin/env bash
# Checks the .deb `cargo deb` built: what it holds, what it depends on, that
# it starts nothing on install, that its binary leaves the simulator out, and
# that `systemd-analyze verify` accepts the units it installs.
# Usage: .ci/deb-check.sh PACKAGE.deb
set -euo pipefail
deb="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb-check: FAIL: $*"; exit 1; }

dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/control"
for f in usr/bin/ladderd \
         usr/lib/systemd/system/ladderd.service \
         usr/lib/systemd/system/ladderd@.service \
         usr/lib/systemd/system/ladderd-litestream.service \
         usr/share/doc/ladderd/examples/ladderd.example.toml \
         usr/share/doc/ladderd/examples/litestream.yml \
         usr/share/doc/ladderd/README.md; do
  [ -e "$tmp/root/$f" ] || fail "missing /$f"
done
grep -q '^Depends:.*ca-certificates' "$tmp/control/control" || fail "does not depend on ca-certificates"
# Starts nothing, creates no user: no maintainer scripts at all.
for s in preinst postinst prerm postrm; do
  [ ! -e "$tmp/control/$s" ] || fail "has a $s script"
done
[ ! -e "$tmp/root/etc" ] || fail "installs files in /etc (the sysadmin writes the config)"
# Built without the simulator: `ladderd sim` says so (69).
set +e
"$tmp/root/usr/bin/ladderd" sim >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 69 ] || fail "the packaged ladderd has the simulator (ladderd sim exited $rc, not 69)"
# verify checks that ExecStart's binary exists: point it at the extracted one.
mkdir "$tmp/units"
for u in ladderd.service ladderd@.service ladderd-litestream.service; do
  name="${u/@./@ci.}"
  sed -e "s|/usr/bin/ladderd |$tmp/root/usr/bin/ladderd |" \
      -e "s|/usr/bin/litestream |$tmp/root/usr/bin/ladderd |" \
      "$tmp/root/usr/lib/systemd/system/$u" > "$tmp/units/$name"
done
out="$(systemd-analyze verify "$tmp"/units/*.service 2>&1)" || fail "systemd-analyze verify: $out"
if echo "$out" | grep -q 'ladderd'; then fail "systemd-analyze verify warned: $out"; fi
echo "deb-check: ok ($(du -h "$deb" | cut -f1), $(grep '^Depends:' "$tmp/control/control"))"
