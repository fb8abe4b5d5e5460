#!/bin/sh
# ladderd against sc2reader 1.9.0 on the same replays, on this machine, in one
# run: sc2reader is timed first (median of ROUNDS loads per file and load
# level, file read included, as in the corpus's SC2READER_TIMINGS.tsv), then
# `cargo bench --bench replay` parses the same files and prints per-file
# ratios. Installs sc2reader into a virtual environment under target/ when
# it is missing (pip, from PyPI).
#
#     benches/sc2reader_side_by_side.sh            # corpus: ../shared/replays
#     LADDERD_REPLAY_CORPUS=DIR ROUNDS=7 benches/sc2reader_side_by_side.sh
set -eu
cd "$(dirname "$0")/.."
corpus="${LADDERD_REPLAY_CORPUS:-../shared/replays}"
rounds="${ROUNDS:-5}"
venv=target/sc2reader-venv
if ! "$venv/bin/python" -c 'import sc2reader' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'sc2reader==1.9.0'
fi
tsv=target/sc2reader-timings.tsv
"$venv/bin/python" - "$corpus" "$rounds" "$tsv" <<'PY'
import os, statistics, sys, time
import sc2reader
corpus, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = ["file\tbytes\tload_level\tmedian_ms\tstatus"]
for name in sorted(os.listdir(corpus)):
    if not name.startswith("5.0.") or not name.endswith(".SC2Replay"):
        continue
    path = os.path.join(corpus, name)
    for level in (4, 2):
        sc2reader.load_replay(path, load_level=level)  # warm-up
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            sc2reader.load_replay(path, load_level=level)
            times.append((time.perf_counter() - t) * 1e3)
        rows.append(f"{name}\t{os.path.getsize(path)}\t{level}\t{statistics.median(times):.2f}\tok")
with open(out, "w") as f:
    f.write("\n".join(rows) + "\n")
print(f"sc2reader {sc2reader.__version__}: {len(rows) - 1} timings in {out}", file=sys.stderr)
PY
LADDERD_REPLAY_CORPUS="$corpus" LADDERD_SC2READER_TSV="$PWD/$tsv" \
    LADDERD_BENCH_PARSE_ONLY=1 LADDERD_BENCH_ROUNDS="$rounds" \
    cargo bench --locked --bench replay
