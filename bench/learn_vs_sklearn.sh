#!/usr/bin/env bash
# Runs the online dictionary learning benchmark against scikit-learn (after ./setup.sh build).
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/learn_vs_sklearn.py "$@"
