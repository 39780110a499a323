#!/bin/bash
# Issue 12's transform ratio: features of the 10,000 Fashion-MNIST test images, sparsecode vs numpy, interleaved.
#
#   bench/run_fashion_transform.sh [BUILD_DIR] [ROUNDS]
#
# Both sides at sparsecode's defaults (6×6 patches at stride 1, contrast normalization, ZCA, K = 256,
# soft threshold α = 0.25, 4×4 sum pooling: 8,192 float32 features per image). Per round, in turn:
# - bench/fashion_vs_sklearn.py --transform-only: numpy's transform function; with reading the IDX
#   file and np.save of the features (the whole process but Python's start); its GEMM alone; then,
#   in the same process on the same images, sparsecode's transform through the Python package
#   (ConvFeatures, every core): a first call, its output fresh memory as numpy's is, and a second.
#   The first calls are the like-for-like comparison.
# - `sparsecode features transform` of the same images: the seconds of its transform calls (its
#   blocks are written to the page cache by a thread beside them, which takes CPU from them), and
#   the whole process (reading the gzipped IDX file, transforming, writing the 328 MB .npy).
# Prints every round, then best, median and worst of each and the ratios.
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
numpy=() numpy_io=() gemm=() first=() second=() ours=() process=()
for ((r = 1; r <= rounds; ++r)); do
  line=$(PYTHONPATH="$build/python" /usr/bin/python3 "$here/fashion_vs_sklearn.py" --transform-only \
    --sparsecode-model "$work/E.bin")
  numpy+=("$(sed -E 's/.*images: ([0-9.]+) s.*/\1/' <<<"$line")")
  numpy_io+=("$(sed -E 's/.*npy: ([0-9.]+) s.*/\1/' <<<"$line")")
  gemm+=("$(sed -E 's/.*alone: ([0-9.]+) s.*/\1/' <<<"$line")")
  first+=("$(sed -E 's/.*first call ([0-9.]+) s.*/\1/' <<<"$line")")
  second+=("$(sed -E 's/.*second call ([0-9.]+) s.*/\1/' <<<"$line")")
  t=$(now)
  seconds=$("$bin" features transform --model "$work/E.bin" --images "$data/t10k-images-idx3-ubyte.gz" \
    --out "$work/F.npy" | awk '$1 == "seconds" && $2 ~ /^[0-9]/ {print $2}')
  process+=("$(echo "$(now) - $t" | bc)")
  ours+=("$seconds")
  echo "round $r: numpy ${numpy[-1]} s (with I/O ${numpy_io[-1]} s, its GEMM alone ${gemm[-1]} s);" \
    "sparsecode in process ${first[-1]} s (second call ${second[-1]} s), CLI ${ours[-1]} s," \
    "whole process ${process[-1]} s"
done
summary() {  # name values...: best (worst) and median
  local name=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v name="$name" '{v[NR] = $1} END {
    printf "%-34s best %.3f s, median %.3f s, worst %.3f s\n", name, v[1], v[int((NR + 1) / 2)], v[NR]}'
}
summary "numpy transform" "${numpy[@]}"
summary "numpy with reading and writing" "${numpy_io[@]}"
summary "numpy GEMM alone" "${gemm[@]}"
summary "sparsecode in process, first call" "${first[@]}"
summary "sparsecode in process, second call" "${second[@]}"
summary "sparsecode CLI transform calls" "${ours[@]}"
summary "sparsecode whole process" "${process[@]}"
best() { printf '%s\n' "$@" | sort -g | head -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { echo "scale=1; $1 / $2" | bc; }
echo "ratios, best against best (median against median):"
echo "  transform in process, first calls:  $(ratio "$(best "${numpy[@]}")" "$(best "${first[@]}")")x" \
  "($(ratio "$(median "${numpy[@]}")" "$(median "${first[@]}")")x)"
echo "  numpy's against our second call:    $(ratio "$(best "${numpy[@]}")" "$(best "${second[@]}")")x" \
  "($(ratio "$(median "${numpy[@]}")" "$(median "${second[@]}")")x)"
echo "  numpy's against the CLI's calls:    $(ratio "$(best "${numpy[@]}")" "$(best "${ours[@]}")")x" \
  "($(ratio "$(median "${numpy[@]}")" "$(median "${ours[@]}")")x)"
echo "  with reading and writing:           $(ratio "$(best "${numpy_io[@]}")" "$(best "${process[@]}")")x" \
  "($(ratio "$(median "${numpy_io[@]}")" "$(median "${process[@]}")")x)"
