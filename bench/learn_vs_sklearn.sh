#!/usr/bin/env bash
# Runs the online dictionary learning benchmark against scikit-learn (after ./setup.sh build): with no
# arguments both settings, lambda = 0.6 with mini-batches of 256 and lambda = 0.3 with mini-batches of 512
# (about 16 non-zeros per code, issue 14); with arguments one run of bench/learn_vs_sklearn.py with them.
set -euo pipefail
cd "$(dirname "$0")/.."
# One thread on both sides so that CPU time per sample is comparable on a shared machine.
run() { OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/learn_vs_sklearn.py "$@"; }
if [ $# -gt 0 ]; then
  run "$@"
else
  run --lam 0.6 --batch 256 --out out/bench_learn
  run --lam 0.3 --batch 512 --out out/bench_learn_lam0.3_b512
fi
