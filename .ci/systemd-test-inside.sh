#!/bin/bash
# Runs inside the booted Debian 12 container (.ci/systemd-test.sh): systemd
# 252 as PID 1, ladderd installed from its .deb, `ladderd sim` (a build with
# the simulator) as /usr/local/bin/ladderd-sim. Checks, as a sysadmin would:
#   ladderd.service: READY (Type=notify), both workers with Seccomp: 2 and the
#   configured rlimits, the web site answering from threads at SCHED_IDLE, matches played through the simulator, a replay upload
#   parsed by a worker and verified (refused: an old game), `systemctl
#   reload` applies a change, kill -9 → restart with no acknowledged match
#   lost, a clean stop, `systemd-analyze security` <= 1.2;
#   ladderd@alpha.service: the same start-up checks on its own paths;
#   ladderd-litestream.service: replicates the live database, restores it,
#   security <= 1.2.
set -uo pipefail
fail() { echo "FAIL: $*"; journalctl --no-pager -n 60 -u ladderd -u 'ladderd@*' -u ladderd-sim -u ladderd-litestream; exit 1; }
ok() { echo "ok: $*"; }
# bounded: wait up to $1 seconds for the command after it to succeed.
bounded() { local n=$1; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 1; done; return 1; }

AS_MIB=512
CPU_S=30
mkdir -p /etc/ladderd
config() { # $1 = state dir, $2 = runtime dir, $3 = wave seconds, [$4 = web port]
cat <<CONF
[store]
path = "$1/ladderd.db"
[discord]
application_id = 100000000000000001
guild_id = 100000000000000002
lobby_channel_id = 100000000000000003
api_proxy = "127.0.0.1:47801"
gateway_url = "ws://127.0.0.1:47802"
[replay]
workers = 2
runtime_dir = "$2"
rlimit_as_mib = $AS_MIB
rlimit_cpu_s = $CPU_S
[ladder]
wave_interval_s = $3
[ops]
health_log_interval_s = 0
CONF
[ -n "${4:-}" ] && printf '[web]\nlisten = "127.0.0.1:%s"\n' "$4"
}
config /var/lib/ladderd /run/ladderd 5 8090 > /etc/ladderd/ladderd.toml
printf 'sim-token' > /etc/ladderd/discord-token
chmod 0600 /etc/ladderd/discord-token

cat > /etc/systemd/system/ladderd-sim.service <<'UNIT'
[Unit]
Description=ladderd sim (the local Discord simulator) for the CI checks
[Service]
ExecStart=/usr/local/bin/ladderd-sim sim --players 4 --replay /usr/local/share/ladderd-ci/replay.SC2Replay
UNIT
systemctl daemon-reload
out=$(systemd-analyze verify ladderd.service ladderd@alpha.service ladderd-litestream.service 2>&1) || fail "verify: $out"
echo "$out" | grep -q ladderd && fail "verify warned: $out"
ok "systemd-analyze verify: the installed units"
systemctl start ladderd-sim || fail "ladderd-sim did not start"
bounded 20 journalctl -u ladderd-sim --no-pager -q -g '# ready' >/dev/null || fail "ladderd sim never ready"

# workers UNIT: every replay worker of UNIT is sandboxed and limited.
workers() {
  local unit=$1 main pids
  main=$(systemctl show -p MainPID --value "$unit")
  pids=$(cat /proc/"$main"/task/*/children 2>/dev/null)
  [ "$(echo $pids | wc -w)" = 2 ] || fail "$unit: expected 2 workers, found: $pids"
  for pid in $pids; do
    grep -q '^Seccomp:[[:space:]]*2$' /proc/"$pid"/status || fail "$unit: worker $pid not in seccomp filter mode: $(grep Seccomp /proc/$pid/status)"
    local as cpu
    as=$(awk '/^Max address space/ {print $4" "$5}' /proc/"$pid"/limits)
    [ "$as" = "$((AS_MIB*1024*1024)) $((AS_MIB*1024*1024))" ] || fail "$unit: worker $pid RLIMIT_AS is $as"
    cpu=$(awk '/^Max cpu time/ {print $4}' /proc/"$pid"/limits)
    { [ "$cpu" -ge "$CPU_S" ] && [ "$cpu" -le $((CPU_S + 10)) ]; } || fail "$unit: worker $pid RLIMIT_CPU soft is $cpu"
    tr '\0' '\n' < /proc/"$pid"/environ | grep -q . && fail "$unit: worker $pid has an environment"
    tr '\0' ' ' < /proc/"$pid"/cmdline | grep -q '^/usr/bin/ladderd worker' || fail "$unit: worker $pid title: $(tr '\0' ' ' < /proc/$pid/cmdline)"
  done
  ok "$unit: 2 workers, Seccomp: 2, RLIMIT_AS ${AS_MIB} MiB, RLIMIT_CPU ${CPU_S} s, empty environment"
}
security() {
  local score
  score=$(systemd-analyze security --no-pager "$1" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  awk -v s="$score" 'BEGIN { exit !(s <= 1.2) }' || fail "$1: exposure $score > 1.2"
  ok "$1: systemd-analyze security $score"
}
# site UNIT: the web site answers, and under the unit's system call filter
# every one of its threads runs at SCHED_IDLE (policy 5: field 41 of stat,
# the 39th after the command name), so its load cannot slow the ladder.
site() {
  local unit=$1 main answer n=0 t policy
  main=$(systemctl show -p MainPID --value "$unit")
  answer=$(timeout 20 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8090; printf "GET /seasons HTTP/1.0\r\n\r\n" >&3; head -1 <&3' | tr -d '\r') \
    || fail "$unit: the web site did not answer"
  case "$answer" in "HTTP/1.0 200"*|"HTTP/1.1 200"*) ;; *) fail "$unit: the web site answered: $answer" ;; esac
  for t in /proc/"$main"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = ladderd-web ] || continue
    n=$((n + 1))
    policy=$(sed 's/.*) //' "$t/stat" | awk '{print $39}')
    [ "$policy" = 5 ] || fail "$unit: web thread ${t##*/} has scheduling policy $policy, not SCHED_IDLE (5)"
  done
  [ "$n" -ge 1 ] || fail "$unit: no ladderd-web thread"
  journalctl -u "$unit" --no-pager -q -o cat | grep -q "refused SCHED_IDLE" && fail "$unit: the site was refused SCHED_IDLE"
  ok "$unit: the web site answers ($answer), its $n threads at SCHED_IDLE"
}
over() { journalctl -u ladderd-sim --no-pager -q -o cat | grep -o 'match [0-9]* is over' | sort -u; }
completed() { sqlite3 -readonly /var/lib/ladderd/ladderd.db "SELECT id FROM matches WHERE state = 'completed'" 2>/dev/null | sort -u; }

# --- ladderd.service ---------------------------------------------------------
t0=$(date +%s)
systemctl start ladderd || fail "ladderd did not reach READY"
ok "ladderd.service READY after $(( $(date +%s) - t0 )) s ($(systemctl show -p StatusText --value ladderd))"
workers ladderd
site ladderd
bounded 90 sh -c '[ "$(journalctl -u ladderd-sim --no-pager -q -o cat | grep -c "is over")" -ge 2 ]' || fail "no match played through the simulator"
ok "matches played: $(over | wc -l)"
# The winners upload a real replay recorded long ago: a worker under the
# unit's seccomp filter parses it (the verdict names its map, Persephone LE)
# and verification refuses it on its start time, as it must.
bounded 60 sh -c 'journalctl -u ladderd-sim --no-pager -q -o cat | grep -q "replay answer: replay not accepted: .*played on Persephone LE.*the game started"' \
  || fail "no replay verdict from a worker: $(journalctl -u ladderd-sim --no-pager -q -o cat | grep 'replay answer' | head -3)"
ok "replay upload parsed by a sandboxed worker and verified (refused on its start time)"

config /var/lib/ladderd /run/ladderd 6 8090 > /etc/ladderd/ladderd.toml
systemctl reload ladderd || fail "reload failed"
bounded 20 sh -c 'systemctl show -p StatusText --value ladderd | grep -q reloaded' || fail "reload not applied: $(systemctl show -p StatusText --value ladderd)"
ok "reload: $(systemctl show -p StatusText --value ladderd)"

bounded 60 sh -c '[ "$(journalctl -u ladderd-sim --no-pager -q -o cat | grep -c "is over")" -ge 4 ]'
before=$(systemctl show -p MainPID --value ladderd)
acked=$(over | awk '{print $2}')
systemctl kill -s KILL --kill-whom=main ladderd
bounded 30 sh -c "[ \"\$(systemctl show -p MainPID --value ladderd)\" != $before ] && [ \"\$(systemctl is-active ladderd)\" = active ]" \
  || fail "no restart after kill -9"
ok "kill -9 of $before: restarted as $(systemctl show -p MainPID --value ladderd) (NRestarts=$(systemctl show -p NRestarts --value ladderd))"
done_ids=$(completed)
for id in $acked; do echo "$done_ids" | grep -qx "$id" || fail "match $id was reported over to its players but is not completed after the restart"; done
ok "every acknowledged match ($(echo $acked | wc -w)) is in the database after kill -9"
workers ladderd
sqlite3 -readonly /var/lib/ladderd/ladderd.db 'PRAGMA integrity_check' | grep -qx ok || fail "integrity_check"

# --- ladderd-litestream.service (while ladderd runs) --------------------------
cp /usr/share/doc/ladderd/examples/litestream.yml /etc/ladderd/litestream.yml
systemctl start ladderd-litestream || fail "litestream did not start"
bounded 30 sh -c 'ls /var/lib/ladderd-replica/ladderd 2>/dev/null | grep -q .' || fail "no replica written"
ok "ladderd-litestream.service replicates to /var/lib/ladderd-replica/ladderd"
security ladderd-litestream.service

systemctl stop ladderd || fail "stop failed"
[ "$(systemctl show -p Result --value ladderd)" = success ] || fail "stop result $(systemctl show -p Result --value ladderd)"
[ "$(systemctl show -p ExecMainStatus --value ladderd)" = 0 ] || fail "exit status $(systemctl show -p ExecMainStatus --value ladderd)"
ok "ladderd.service stopped cleanly (exit 0)"
sleep 2 # one sync interval, so the replica has the last commit
systemctl stop ladderd-litestream
litestream restore -config /etc/ladderd/litestream.yml -o /tmp/restored.db /var/lib/ladderd/ladderd.db || fail "litestream restore"
sqlite3 /tmp/restored.db 'PRAGMA integrity_check' | grep -qx ok || fail "restored copy integrity"
[ "$(sqlite3 /tmp/restored.db "SELECT count(*) FROM matches WHERE state='completed'")" = "$(completed | wc -l)" ] || fail "the restored copy lacks completed matches"
ok "litestream restore: $(completed | wc -l) completed matches, integrity ok"
security ladderd.service

# --- ladderd@alpha.service ----------------------------------------------------
config /var/lib/ladderd/alpha /run/ladderd/alpha 5 > /etc/ladderd/alpha.toml
printf 'sim-token' > /etc/ladderd/discord-token-alpha
chmod 0600 /etc/ladderd/discord-token-alpha
systemctl start ladderd@alpha || fail "ladderd@alpha did not reach READY"
ok "ladderd@alpha.service READY"
workers ladderd@alpha
[ -S /run/ladderd/alpha/worker-0.sock ] || ls /run/ladderd/alpha | grep -q . || fail "no sockets in /run/ladderd/alpha"
[ -f /var/lib/ladderd/alpha/ladderd.db ] || fail "no database in /var/lib/ladderd/alpha"
security ladderd@alpha.service
systemctl stop ladderd@alpha
[ "$(systemctl show -p ExecMainStatus --value ladderd@alpha)" = 0 ] || fail "ladderd@alpha exit status"
ok "ladderd@alpha.service stopped cleanly"
echo "all checks passed"
