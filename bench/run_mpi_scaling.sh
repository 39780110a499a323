#!/bin/sh
# Scaling of learn and encode: 1 process × 1 thread, 1 × 2 threads, mpirun -np 2 × 1 thread, in one run (samples/s).
# Usage: bench/run_mpi_scaling.sh [BUILD_DIR] [PATCHES] [ITERATIONS] [LEARN_FLAGS]   (Release build with
# sparsecode-mpi; LEARN_FLAGS, e.g. --float32, are added to every learn command)
# Then each learn's time split (coding, exchange, update) and the collectives timed alone.
# learn: k = 256, λ = 0.3, η = 512, 12×12 whitened patches; samples/s from the log (the learner's
# own step time, rank 0's under MPI: coding, the allreduce and the dictionary update).
# encode: the summary's patches/s (whole command after reading the dictionary) on the same patches.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
patches=${2:-20480}
iterations=${3:-20}
learn_flags=${4:-}
if [ ! -x "$build/sparsecode-mpi" ]; then
  echo "run_mpi_scaling: $build/sparsecode-mpi not built (SPARSECODE_MPI=OFF or no MPI found); skipped"
  exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mpirun="mpirun --allow-run-as-root --oversubscribe"
"$build/sparsecode" patches --images "$here/../data/images" --size 12 --count "$patches" --seed 1 \
  --out "$out/X.npy" --quiet >/dev/null
learn="--input $out/X.npy --atoms 256 --lambda 0.3 --batch-size 512 --iterations $iterations --seed 1 $learn_flags"
rate_from_log() {  # samples_seen / seconds of the last row
  awk -F, 'END { printf "%.0f", $2 / $8 }' "$1"
}
# Without --quiet each learn ends with its summary on stderr (no progress display: not a
# terminal), whose last clause is the time split: coding, exchange (collectives, waits
# included) and update, rank 0's under MPI.
"$build/sparsecode" learn $learn --threads 1 --out "$out/D.npy" --log "$out/l11.csv" 2>"$out/s11.txt"
"$build/sparsecode" learn $learn --threads 2 --out "$out/D2.npy" --log "$out/l12.csv" 2>"$out/s12.txt"
$mpirun -np 2 "$build/sparsecode-mpi" learn $learn --threads 1 --out "$out/D3.npy" --log "$out/l21.csv" 2>"$out/s21.txt"
encode="--dict $out/D.npy --input $out/X.npy --lambda 0.3 --out $out/A.npy"
rate_from_summary() { sed -n 's/.*patches\/s \([0-9.]*\).*/\1/p' | head -n 1; }
e11=$("$build/sparsecode" encode $encode --threads 1 | rate_from_summary)
e12=$("$build/sparsecode" encode $encode --threads 2 | rate_from_summary)
e21=$($mpirun -np 2 "$build/sparsecode-mpi" encode $encode --threads 1 | rate_from_summary)
l11=$(rate_from_log "$out/l11.csv"); l12=$(rate_from_log "$out/l12.csv"); l21=$(rate_from_log "$out/l21.csv")
echo "| configuration | learn samples/s | speed-up | encode patches/s | speed-up |"
echo "|---|---:|---:|---:|---:|"
awk -v a="$l11" -v b="$l12" -v c="$l21" -v x="$e11" -v y="$e12" -v z="$e21" 'BEGIN {
  printf "| 1 process × 1 thread | %d | 1.00 | %d | 1.00 |\n", a, x
  printf "| 1 process × 2 threads | %d | %.2f | %d | %.2f |\n", b, b / a, y, y / x
  printf "| mpirun -np 2 × 1 thread | %d | %.2f | %d | %.2f |\n", c, c / a, z, z / x
}'
split() { sed -n 's/.*; \(coding .* s\)\( (2 ranks)\)\{0,1\}$/\1/p' "$1" | tail -n 1; }
echo
echo "learn time split, 1 process x 1 thread: $(split "$out/s11.txt")"
echo "learn time split, 1 process x 2 threads: $(split "$out/s12.txt")"
echo "learn time split, mpirun -np 2 x 1 thread (rank 0): $(split "$out/s21.txt")"
# The step's collectives alone, after a barrier (no waiting): R(2) of the README's cost model.
if [ -x "$build/bench/mpi_exchange_bench" ]; then
  echo
  $mpirun -np 2 "$build/bench/mpi_exchange_bench"
fi
