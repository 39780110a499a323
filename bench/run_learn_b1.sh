#!/bin/sh
# Learning against encoding the same samples (issue 14, B1), float64 and float32 learning, interleaved rounds.
# Usage: bench/run_learn_b1.sh [BUILD_DIR] [DATA_DIR] [ROUNDS] [THREADS...]
# DATA_DIR holds train.npy and heldout.npy as ./bench/learn_vs_sklearn.sh --lam 0.3 --batch 512
# writes them (out/bench_learn_lam0.3_b512). Each round, per thread count: learn_bench train
# (102,400 samples, k = 256, λ = 0.3, η = 512, ρ = 4) in float64, then in float32 (as
# `learn --float32`: coding and update), then learn_bench encode of the same samples on each run's final
# dictionary in float64 (the default `encode`) and in float32. Kernel times (no file I/O).
# Prints CSV: threads,round,learn64,learn32,encode64,encode32,heldout64,heldout32,load.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
data=${2:-"$here/../out/bench_learn_lam0.3_b512"}
rounds=${3:-5}
shift $(($# < 3 ? $# : 3))
threads=${*:-2 1}
bench="$build/bench/learn_bench"
for f in "$data/train.npy" "$data/heldout.npy"; do
  [ -f "$f" ] || { echo "run_learn_b1: $f missing (run ./bench/learn_vs_sklearn.sh --lam 0.3 --batch 512)"; exit 1; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
samples=102400
learn() {  # precision-key threads -> "seconds,heldout" of the last row
  "$bench" train "$data/train.npy" "$data/heldout.npy" 256 0.3 512 $samples $samples "$2" "$out/$1" rho=4 "$1" |
    tail -n 1 | cut -d, -f2,4
}
echo "threads,round,learn64,learn32,encode64,encode32,heldout64,heldout32,load"
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    l64=$(learn float32=0 "$t")
    l32=$(learn float32=1 "$t")
    e64=$("$bench" encode "$out/float32=0_D.npy" "$data/train.npy" 0.3 $samples "$t" | cut -d, -f1)
    e32=$("$bench" encode "$out/float32=1_D.npy" "$data/train.npy" 0.3 $samples "$t" float32 | cut -d, -f1)
    echo "$t,$r,${l64%,*},${l32%,*},$e64,$e32,${l64#*,},${l32#*,},$(cut -d' ' -f1 /proc/loadavg)"
  done
done
