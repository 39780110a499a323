#!/bin/bash
# Issue 12's transform ratio: features of the 10,000 Fashion-MNIST test images, sparsecode vs numpy, interleaved.
#
#   bench/run_fashion_transform.sh [BUILD_DIR] [ROUNDS]
#
# Both sides at sparsecode's defaults (6×6 patches at stride 1, contrast normalization, ZCA, K = 256,
# soft threshold α = 0.25, 4×4 sum pooling: 8,192 float32 features per image). Per round, in turn:
# bench/fashion_vs_sklearn.py --transform-only (numpy's transform function; with reading the IDX
# file and np.save of the features, i.e. the whole process but Python's start; its GEMM alone),
# and `sparsecode features transform` of the same images (the seconds of the transform calls it
# reports, its blocks' writing running beside them, and the whole process: reading the gzipped
# IDX file, transforming, writing the 328 MB .npy). Prints
# every round, then best and spread of each and the ratios of the bests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build}"
rounds="${2:-5}"
bin="$build/sparsecode"
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" features fit --images "$data/train-images-idx3-ubyte.gz" --quiet --out "$work/E.bin"
now() { date +%s.%N; }
numpy=() numpy_io=() gemm=() ours=() process=()
for ((r = 1; r <= rounds; ++r)); do
  line=$(/usr/bin/python3 "$here/fashion_vs_sklearn.py" --transform-only)
  numpy+=("$(sed -E 's/.*images: ([0-9.]+) s.*/\1/' <<<"$line")")
  numpy_io+=("$(sed -E 's/.*npy: ([0-9.]+) s.*/\1/' <<<"$line")")
  gemm+=("$(sed -E 's/.*alone: ([0-9.]+) s.*/\1/' <<<"$line")")
  t=$(now)
  seconds=$("$bin" features transform --model "$work/E.bin" --images "$data/t10k-images-idx3-ubyte.gz" \
    --out "$work/F.npy" | awk '$1 == "seconds" && $2 ~ /^[0-9]/ {print $2}')
  process+=("$(echo "$(now) - $t" | bc)")
  ours+=("$seconds")
  echo "round $r: numpy ${numpy[-1]} s (with I/O ${numpy_io[-1]} s, its GEMM alone ${gemm[-1]} s);" \
    "sparsecode ${ours[-1]} s, whole process ${process[-1]} s"
done
summary() {  # name values...: best (worst) and median
  local name=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v name="$name" '{v[NR] = $1} END {
    printf "%-34s best %.3f s, median %.3f s, worst %.3f s\n", name, v[1], v[int((NR + 1) / 2)], v[NR]}'
}
summary "numpy transform" "${numpy[@]}"
summary "numpy with reading and writing" "${numpy_io[@]}"
summary "numpy GEMM alone" "${gemm[@]}"
summary "sparsecode transform" "${ours[@]}"
summary "sparsecode whole process" "${process[@]}"
best() { printf '%s\n' "$@" | sort -g | head -1; }
echo "ratio of bests: transform $(echo "scale=1; $(best "${numpy[@]}") / $(best "${ours[@]}")" | bc)x," \
  "with reading and writing $(echo "scale=1; $(best "${numpy_io[@]}") / $(best "${process[@]}")" | bc)x"
