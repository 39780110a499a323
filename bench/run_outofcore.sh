#!/bin/sh
# Out of core: peak RSS and throughput of `encode --block-rows` and `learn --stream` on a generated ≥ 4 GB file vs the in-memory path.
# Usage: bench/run_outofcore.sh [BUILD_DIR] [GB] [SMALL_ROWS] [ITERATIONS]   (Release build)
# Makes, in a temporary directory that it deletes at the end, a float64 file of GB·10⁹ bytes of
# 12×12 patches (d = 144; the embedded images' patches with random signs and 1% noise) and a
# SMALL_ROWS-row file of the same kind. Then, interleaved on the same machine:
#   encode (k = 256, λ = 0.3, codes to /dev/null): the small file in one block (in memory) and
#     the big file with --block-rows 65536 (its pages evicted from the page cache first: read
#     from disk), rows/s over the whole command;
#   learn (k = 256, λ = 0.3, η = 512, ITERATIONS mini-batches): the big file loaded whole (the
#     in-memory reference: same samples, same held-out split), and with --stream, from the page
#     cache and after evicting it; samples/s from the learner's own time (the log), which
#     includes the reads of --stream.
# Peak RSS is /usr/bin/time's "Maximum resident set size" (GNU time %M, as -v prints it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
gb=${2:-4.2}
small=${3:-200000}
iterations=${4:-300}
sc="$build/sparsecode"
work=$(mktemp -d "${TMPDIR:-/tmp}/outofcore.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
need_kb=$(awk -v g="$gb" -v s="$small" 'BEGIN { printf "%d", (g * 1e9 + s * 1152) * 1.05 / 1024 + 1e6 }')
avail_kb=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
if [ "$avail_kb" -lt "$need_kb" ]; then
  echo "run_outofcore: $work has $((avail_kb / 1024)) MB free, needs $((need_kb / 1024)) MB" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

"$sc" patches --images "$here/../data/images" --size 12 --count 100000 --seed 1 --out "$work/base.npy" --quiet >/dev/null
/usr/bin/python3 - "$work" "$gb" "$small" <<'EOF'
import sys
import numpy as np
work, gb, small = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
base = np.load(work + "/base.npy")
d = base.shape[1]
rng = np.random.default_rng(1)
def fill(path, rows):
    out = np.lib.format.open_memmap(path, mode="w+", dtype="<f8", shape=(rows, d))
    for s in range(0, rows, len(base)):
        e = min(rows, s + len(base))
        signs = rng.choice([-1.0, 1.0], size=(e - s, 1))
        out[s:e] = base[: e - s] * signs + 0.01 * rng.standard_normal((e - s, d))
    out.flush()
    del out
fill(work + "/big.npy", int(np.ceil(gb * 1e9 / (8 * d))))
fill(work + "/small.npy", small)
EOF
big_rows=$(/usr/bin/python3 -c "import numpy as np; print(np.load('$work/big.npy', mmap_mode='r').shape[0])")
echo "files: big.npy $(du -m "$work/big.npy" | cut -f1) MB ($big_rows rows), small.npy $(du -m "$work/small.npy" | cut -f1) MB ($small rows)"
"$sc" learn --input "$work/small.npy" --atoms 256 --lambda 0.3 --batch-size 512 --iterations 40 --seed 1 --quiet \
  --out "$work/D.npy"

evict() {  # drop one file's pages from the page cache (only that file; needs no privilege)
  /usr/bin/python3 -c "import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)" "$1"
}
# run NAME ROWS_OR_LOG CMD...: one table row; ROWS_OR_LOG is a row count (rate = rows / wall
# time) or a CSV log (rate = samples_seen / seconds of its last row).
run() {
  name=$1; rate_from=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
  read -r seconds rss_kb <"$work/time"
  case "$rate_from" in
    *.csv) rate=$(awk -F, 'END { printf "%.0f", $2 / $8 }' "$rate_from") ;;
    *) rate=$(awk -v n="$rate_from" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') ;;
  esac
  printf '| %s | %s | %.0f | %s | %s |\n' "$name" "$seconds" "$((rss_kb / 1024))" "$rate" "$(cut -d' ' -f1 /proc/loadavg)"
}
encode="--dict $work/D.npy --lambda 0.3 --out /dev/null --quiet"
learn="--atoms 256 --lambda 0.3 --batch-size 512 --iterations $iterations --seed 1 --quiet"
echo
echo "| run | wall s | peak RSS MB | rows/s | load (1 min) |"
echo "|---|---:|---:|---:|---:|"
run "encode in memory (small, one block)" "$small" "$sc" encode $encode --input "$work/small.npy" --block-rows "$small"
evict "$work/big.npy"
run "encode --block-rows 65536 (big, from disk)" "$big_rows" "$sc" encode $encode --input "$work/big.npy" --block-rows 65536
run "encode in memory (small, one block)" "$small" "$sc" encode $encode --input "$work/small.npy" --block-rows "$small"
# learn: the same file, the same samples and held-out split both ways (the learner's rate
# depends on the data, so the reference is the big file loaded whole: it needs its size in RAM).
run "learn in memory (big, loaded whole)" "$work/l1.csv" "$sc" learn $learn --input "$work/big.npy" --log "$work/l1.csv" --out "$work/D_mem.npy"
run "learn --stream (big, page cache)" "$work/l2.csv" "$sc" learn $learn --input "$work/big.npy" --stream --log "$work/l2.csv" --out "$work/D_stream.npy"
run "learn in memory (big, loaded whole)" "$work/l3.csv" "$sc" learn $learn --input "$work/big.npy" --log "$work/l3.csv" --out "$work/D_mem.npy"
run "learn --stream (big, page cache)" "$work/l4.csv" "$sc" learn $learn --input "$work/big.npy" --stream --log "$work/l4.csv" --out "$work/D_stream.npy"
evict "$work/big.npy"
run "learn --stream (big, from disk)" "$work/l5.csv" "$sc" learn $learn --input "$work/big.npy" --stream --log "$work/l5.csv" --out "$work/D_stream.npy"
if cmp -s "$work/D_mem.npy" "$work/D_stream.npy"; then echo; echo "in memory and --stream learned the same dictionary, bit for bit"; else echo; echo "in memory and --stream learned DIFFERENT dictionaries"; fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
