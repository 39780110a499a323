#!/bin/bash
# Runs the C++ and numpy sparse-autoencoder cost+gradient on the same UFLDL data and weights; prints agreement and speed ratio.
# Usage: bench/run_autoencoder.sh [BUILD_DIR] [REPEATS]   (BUILD_DIR defaults to build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
repeats="${2:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

load="$(cut -d' ' -f1-3 /proc/loadavg)"
cpp1="$("$build/bench/bench_autoencoder" "$work" "$repeats" 1)"
cpp="$("$build/bench/bench_autoencoder" "$work" "$repeats" 0)"
ref="$(/usr/bin/python3 "$here/autoencoder_reference.py" "$work" "$repeats")"
field() { awk -v k="$1" '$1 == k { print $2 }' <<<"$2"; }
t1="$(field seconds_per_eval "$cpp1")"
tn="$(field seconds_per_eval "$cpp")"
c1="$(field cpu_seconds_per_eval "$cpp1")"
cn="$(field cpu_seconds_per_eval "$cpp")"
tp="$(field numpy_seconds_per_eval "$ref")"
dc="$(field cost_relative_difference "$ref")"
dg="$(field gradient_relative_difference "$ref")"
echo "UFLDL setting: X 10000x64, 25 hidden, one cost+gradient evaluation (median of $repeats)"
echo "  load average before the runs: $load"
echo "  numpy:             $tp s"
echo "  sparsecode 1 thr:  $t1 s   (x$(/usr/bin/python3 -c "print(f'{$tp/$t1:.1f}')") vs numpy; CPU $c1 s)"
echo "  sparsecode all:    $tn s   (x$(/usr/bin/python3 -c "print(f'{$tp/$tn:.1f}')") vs numpy; CPU of all threads $cn s)"
echo "  relative difference: cost $dc, gradient $dg"
ok="$(/usr/bin/python3 -c "print('yes' if $dc <= 1e-10 and $dg <= 1e-10 else 'NO')")"
echo "  equal to 1e-10: $ok"
[ "$ok" = yes ]
