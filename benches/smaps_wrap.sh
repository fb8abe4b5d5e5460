#!/bin/bash
# `ladderd bench memory --wrap benches/smaps_wrap.sh`: runs the supervisor
# (the arguments), and 4 s after exec writes each mapping holding more than
# 1 MiB of resident memory (Rss per mapping, from /proc/PID/smaps) and the
# process's VmRSS/RssAnon/RssFile to $SMAPS_OUT (default /tmp/smaps.txt).
# What BENCHMARKS.md's "where the memory is" splits come from.
"$@" &
pid=$!
trap 'kill -TERM $pid' TERM INT
sleep 4
out=${SMAPS_OUT:-/tmp/smaps.txt}
awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; range=$1} /^Rss:/{ if ($2 > 1024) print $2, "kB", range, name}' "/proc/$pid/smaps" > "$out"
grep -E "VmRSS|RssAnon|RssFile" "/proc/$pid/status" >> "$out"
wait $pid
