#!/bin/sh
# Runs the encoding benchmark (ours, then scikit-learn on the same patches) and writes bench/RESULTS-encode.md.
# Usage: bench/run_encode.sh [BUILD_DIR] [PATCHES]   (build with -DCMAKE_BUILD_TYPE=Release first)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
patches=${2:-20000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Interleaved rounds, so that a slow or fast spell of this (shared, noisy) machine reaches both
# sides: ours, then scikit-learn, twice; each side keeps its best time over the rounds.
for round in 1 2; do
  "$build/bench/bench_encode" --out "$out" --patches "$patches"
  mv "$out/ours.tsv" "$out/ours_$round.tsv"
  /usr/bin/python3 "$here/encode_vs_sklearn.py" time "$out" "$round"
done
/usr/bin/python3 "$here/encode_vs_sklearn.py" table "$out" > "$out/table.md"
{
  echo "# Encoding benchmark (bench/run_encode.sh)"
  echo
  cat "$out/table.md"
} > "$here/RESULTS-encode.md"
cat "$here/RESULTS-encode.md"
