#!/usr/bin/env bash
# CTest cases for `sparsecode-mpi`: one case per invocation, comparing with the single-process `sparsecode`.
#   mpi_cli_test.sh CASE SPARSECODE SPARSECODE_MPI MPIEXEC DATA_DIR
set -euo pipefail
case_name="$1"; plain="$2"; mpi="$3"; mpiexec="$4"; images="$5"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
run_mpi() {  # run_mpi P ARGS...: sparsecode-mpi under mpirun with P ranks (CI runs as root on 2 cores)
  local p="$1"; shift
  "$mpiexec" --allow-run-as-root --oversubscribe -np "$p" "$mpi" "$@"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# Data: 8x8 patches of the embedded images (N not a multiple of the ranks' 64-row alignment),
# and a dictionary learned on them.
"$plain" patches --images "$images" --size 8 --count 1003 --seed 3 --out X.npy --quiet >/dev/null
"$plain" learn --input X.npy --atoms 24 --lambda 0.2 --iterations 20 --batch-size 64 --seed 1 --threads 1 \
  --quiet --out D.npy >/dev/null

case "$case_name" in
  encode_matches_single_process)
    "$plain" encode --dict D.npy --input X.npy --lambda 0.15 --quiet --out single.npy
    for p in 1 2; do
      run_mpi "$p" encode --dict D.npy --input X.npy --lambda 0.15 --quiet --out "mpi$p.npy" --block-rows 64
      cmp single.npy "mpi$p.npy" || fail "-np $p output differs from sparsecode encode"
    done
    run_mpi 2 encode --dict D.npy --input X.npy --lambda 0.15 --quiet --out f32.npy --float32 --solver cd
    "$plain" encode --dict D.npy --input X.npy --lambda 0.15 --quiet --out f32_single.npy --float32 --solver cd
    cmp f32.npy f32_single.npy || fail "-np 2 --float32 --solver cd differs"
    ;;
  encode_failing_rank_leaves_no_output)
    set +e
    run_mpi 2 encode --dict D.npy --input X.npy --lambda 0.15 --quiet --out bad.npy --fail-rank 1 2>err.txt
    status=$?
    set -e
    [ "$status" -ne 0 ] || fail "a failing rank gave exit status 0"
    grep -q "sparsecode-mpi: error: rank 1: simulated failure" err.txt || fail "no clear message: $(cat err.txt)"
    [ "$(grep -c 'sparsecode-mpi: error' err.txt)" -eq 1 ] || fail "message not printed exactly once"
    set +e
    run_mpi 2 encode --dict D.npy --input missing.npy --lambda 0.15 --quiet --out bad.npy 2>err2.txt
    status=$?
    set -e
    [ "$status" -ne 0 ] || fail "an unreadable input gave exit status 0"
    grep -q "missing.npy" err2.txt || fail "the message does not name the file: $(cat err2.txt)"
    if ls | grep -q "bad.npy"; then fail "partial output left behind: $(ls)"; fi
    ;;
  *)
    fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
