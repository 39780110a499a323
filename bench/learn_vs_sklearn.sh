#!/usr/bin/env bash
# Runs the online dictionary learning benchmark against scikit-learn (after ./setup.sh build).
set -euo pipefail
cd "$(dirname "$0")/.."
# One thread on both sides so that CPU time per sample is comparable on a shared machine.
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/learn_vs_sklearn.py "$@"
