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
  # In a sanitizer build, LeakSanitizer would report Open MPI's own never-freed start-up memory.
  # With MPI_TIMEOUT=S, the job is killed after S seconds (exit status 124 or 137).
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    ${MPI_TIMEOUT:+timeout -k 10 "$MPI_TIMEOUT"} "$mpiexec" --allow-run-as-root --oversubscribe -x ASAN_OPTIONS -np "$p" "$mpi" "$@"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# Data: 8x8 patches of the embedded images (N not a multiple of the ranks' 64-row alignment),
# and a dictionary learned on them.
"$plain" patches --images "$images" --size 8 --count 1003 --seed 3 --out X.npy --quiet >/dev/null
"$plain" learn --input X.npy --atoms 24 --lambda 0.2 --iterations 20 --batch-size 64 --seed 1 --threads 1 \
  --quiet --out D.npy >/dev/null

learn_flags="--input X.npy --atoms 24 --lambda 0.15 --batch-size 64 --epochs 2 --heldout-frac 0.1 --seed 7 --threads 1 --quiet"

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
    # As in sparsecode encode: samples that did not converge are reported once even with --quiet,
    # and --fail-on-nonconverged makes them an error with no output.
    unreachable="--dict D.npy --input X.npy --lambda 0.001 --solver cd --tol 1e-300 --quiet"
    run_mpi 2 encode $unreachable --out warned.npy 2>err3.txt || fail "non-converged samples alone failed the run"
    [ "$(grep -c 'did not converge' err3.txt)" -eq 1 ] || fail "non-convergence not reported once: $(cat err3.txt)"
    set +e
    run_mpi 2 encode $unreachable --out strict.npy --fail-on-nonconverged 2>err4.txt
    status=$?
    set -e
    [ "$status" -ne 0 ] || fail "--fail-on-nonconverged gave exit status 0"
    grep -q "fail-on-nonconverged" err4.txt || fail "no clear message: $(cat err4.txt)"
    if ls | grep -q "strict.npy"; then fail "--fail-on-nonconverged left output: $(ls)"; fi
    ;;
  learn_nonconverged_reported_and_fail_flag_honoured)
    # CD cannot reach a relative gap of 1e-300: training codes stop at the iteration cap.
    unreachable="--input X.npy --atoms 24 --lambda 0.001 --solver cd --tol 1e-300 --batch-size 64 --iterations 3 --seed 7 --threads 1 --quiet"
    run_mpi 2 learn $unreachable --out warned.npy 2>err.txt || fail "non-converged training codes alone failed the run"
    [ "$(grep -c 'did not converge' err.txt)" -eq 1 ] || fail "non-convergence not reported once: $(cat err.txt)"
    [ -f warned.npy ] || fail "no dictionary written without --fail-on-nonconverged"
    set +e
    run_mpi 2 learn $unreachable --out strict.npy --fail-on-nonconverged 2>err2.txt
    status=$?
    set -e
    [ "$status" -eq 1 ] || fail "--fail-on-nonconverged gave exit status $status"
    [ "$(grep -c 'no output written (--fail-on-nonconverged)' err2.txt)" -eq 1 ] || fail "not one clear message: $(cat err2.txt)"
    [ ! -e strict.npy ] || fail "--fail-on-nonconverged left the output"
    ;;
  learn_np1_matches_single_process)
    for flags in "$learn_flags" "$learn_flags --float32"; do
      "$plain" learn $flags --out single.npy --log single.csv
      run_mpi 1 learn $flags --out mpi1.npy --log mpi1.csv
      cmp single.npy mpi1.npy || fail "-np 1 dictionary differs from sparsecode learn ($flags)"
      # The logs agree except for the timing column.
      diff <(cut -d, -f1-7 single.csv) <(cut -d, -f1-7 mpi1.csv) >/dev/null || fail "-np 1 learning curve differs ($flags)"
    done
    ;;
  learn_np2_reproducible_and_replicated)
    # The default flags, then the two ways A's increments travel, each forced by the sizes: a
    # mini-batch's packed codes, at most η(1 + 2k) values, are gathered when that is at most 2k²
    # (k = 24, η = 16: 784 ≤ 1152), and A is reduced when even η > 2k² (k = 4, η = 64); then
    # float32 coding.
    for flags in "$learn_flags" "${learn_flags/--batch-size 64/--batch-size 16}" "${learn_flags/--atoms 24/--atoms 4}" \
                 "$learn_flags --float32"; do
      rm -rf first second && mkdir -p first second
      run_mpi 2 learn $flags --out first.npy --dump-rank-dictionaries first
      run_mpi 2 learn $flags --out second.npy --dump-rank-dictionaries second
      cmp first.npy second.npy || fail "-np 2 is not reproducible ($flags)"
      cmp first/D.rank0.npy first/D.rank1.npy || fail "ranks hold different dictionaries ($flags)"
      cmp first.npy first/D.rank0.npy || fail "the output is not rank 0's dictionary ($flags)"
    done
    # The summary splits rank 0's training time, collectives included.
    run_mpi 2 learn ${learn_flags/--quiet/} --out report.npy 2>report.txt
    grep -Eq '; coding [0-9.e-]+ s, exchange [0-9.e-]+ s, update [0-9.e-]+ s \(2 ranks\)$' report.txt ||
      fail "no time split in the summary: $(cat report.txt)"
    # Three ranks with k = 25 atoms, which no rank count divides evenly.
    flags="${learn_flags/--atoms 24/--atoms 25}"
    rm -rf third && mkdir -p third
    run_mpi 3 learn $flags --out third.npy --dump-rank-dictionaries third
    run_mpi 3 learn $flags --out third_again.npy
    cmp third.npy third_again.npy || fail "-np 3 is not reproducible"
    for r in 1 2; do cmp third/D.rank0.npy "third/D.rank$r.npy" || fail "-np 3: rank $r holds another dictionary"; done
    ;;
  learn_np2_heldout_close_to_np1)
    # As above: the default flags, codes gathered, A reduced.
    for flags in "$learn_flags" "${learn_flags/--batch-size 64/--batch-size 16}" "${learn_flags/--atoms 24/--atoms 4}"; do
      run_mpi 1 learn $flags --out one.npy --log one.csv
      run_mpi 2 learn $flags --out two.npy --log two.csv
      # The last held-out objective, after the same number of samples (column 2) in both runs.
      last() { awk -F, 'NR > 1 && $5 != "" { s = $2; h = $5 } END { print s, h }' "$1"; }
      read -r s1 h1 <<<"$(last one.csv)"
      read -r s2 h2 <<<"$(last two.csv)"
      [ -n "$h1" ] && [ "$s1" = "$s2" ] || fail "no held-out evaluation after the same samples ($s1 vs $s2; $flags)"
      awk -v a="$h1" -v b="$h2" 'BEGIN { r = (a > b ? a - b : b - a) / a; exit !(r <= 0.002) }' ||
        fail "-np 2 held-out objective $h2 not within 0.2% of -np 1's $h1 ($flags)"
    done
    # Three ranks, default flags: the shards and the mini-batch shares are uneven.
    run_mpi 1 learn $learn_flags --out one.npy --log one.csv
    run_mpi 3 learn $learn_flags --out three.npy --log three.csv
    read -r s1 h1 <<<"$(last one.csv)"
    read -r s3 h3 <<<"$(last three.csv)"
    [ -n "$h1" ] && [ "$s1" = "$s3" ] || fail "-np 3: no held-out evaluation after the same samples ($s1 vs $s3)"
    awk -v a="$h1" -v b="$h3" 'BEGIN { r = (a > b ? a - b : b - a) / a; exit !(r <= 0.002) }' ||
      fail "-np 3 held-out objective $h3 not within 0.2% of -np 1's $h1"
    ;;
  learn_np2_resume_matches_uninterrupted)
    flags="${learn_flags/--epochs 2/}"
    run_mpi 2 learn $flags --iterations 20 --out full.npy
    run_mpi 2 learn $flags --iterations 9 --out part.npy --checkpoint ck
    run_mpi 2 learn $flags --iterations 20 --out resumed.npy --checkpoint ck --resume
    cmp full.npy resumed.npy || fail "-np 2 resumed run differs from the uninterrupted one"
    ;;
  learn_np2_resume_refuses_other_data)
    # As sparsecode learn: resuming on other data of the same size is refused, with the same
    # message (printed once, by the whole job); the data themselves resume on any rank count.
    flags="${learn_flags/--epochs 2/}"
    /usr/bin/python3 -c 'import numpy as np; x = np.load("X.npy"); x[700, 5] += 0.25; np.save("Y.npy", x)'
    mkdir -p single mpi
    (cd single && "$plain" learn ${flags//X.npy/../X.npy} --iterations 9 --out part.npy --checkpoint ck)
    (cd mpi && run_mpi 2 learn ${flags//X.npy/../X.npy} --iterations 9 --out part.npy --checkpoint ck)
    set +e
    (cd single && "$plain" learn ${flags//X.npy/../Y.npy} --iterations 20 --out bad.npy --checkpoint ck --resume 2>err.txt)
    single_status=$?
    (cd mpi && MPI_TIMEOUT=120 run_mpi 2 learn ${flags//X.npy/../Y.npy} --iterations 20 --out bad.npy --checkpoint ck \
      --resume 2>err.txt)
    mpi_status=$?
    set -e
    [ "$single_status" -eq 1 ] || fail "sparsecode learn resumed on other data (status $single_status)"
    [ "$mpi_status" -eq 1 ] || fail "-np 2 resumed on other data (status $mpi_status): $(cat mpi/err.txt)"
    grep -q "the training data differ from the checkpoint's" single/err.txt || fail "unexpected: $(cat single/err.txt)"
    [ "$(grep -c 'sparsecode-mpi: error' mpi/err.txt)" -eq 1 ] || fail "message not printed once: $(cat mpi/err.txt)"
    [ "$(grep 'sparsecode: error' single/err.txt | sed 's/^sparsecode: //')" = \
      "$(grep 'sparsecode-mpi: error' mpi/err.txt | sed 's/^sparsecode-mpi: //')" ] ||
      fail "messages differ: $(cat single/err.txt) vs $(cat mpi/err.txt)"
    if ls mpi | grep -q "bad\."; then fail "output written: $(ls mpi)"; fi
    # The same data resume, on 2 ranks, on 1 (sparsecode learn) and from a single-process checkpoint.
    (cd mpi && cp -r ck ck1 && run_mpi 2 learn ${flags//X.npy/../X.npy} --iterations 20 --out r2.npy --checkpoint ck --resume)
    (cd mpi && "$plain" learn ${flags//X.npy/../X.npy} --iterations 20 --out r1.npy --checkpoint ck1 --resume)
    (cd single && run_mpi 2 learn ${flags//X.npy/../X.npy} --iterations 20 --out r2.npy --checkpoint ck --resume)
    ;;
  learn_np2_killed_then_resumed_matches_uninterrupted)
    # The whole job (mpirun and both ranks) killed with SIGKILL after a checkpoint, then resumed.
    # Long enough that the job is still running when the first checkpoint (iteration 100) appears.
    flags="${learn_flags/--epochs 2/} --iterations 6000"
    run_mpi 2 learn $flags --out full.npy
    setsid "$mpiexec" --allow-run-as-root --oversubscribe -np 2 "$mpi" learn $flags --out killed.npy --checkpoint ck \
      >/dev/null 2>&1 &
    job=$!
    for _ in $(seq 600); do [ -e ck/online.ckpt ] && break; sleep 0.1; done
    [ -e ck/online.ckpt ] || fail "no checkpoint written within 60 s"
    sleep 0.2  # past the checkpoint: the iterations after it are lost and redone
    descendants() { local c; for c in $(ps -o pid= --ppid "$1"); do echo "$c"; descendants "$c"; done; }
    victims="$job $(descendants "$job")"
    kill -KILL $victims 2>/dev/null || true
    wait "$job" 2>/dev/null || true
    for pid in $victims; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
    [ ! -e killed.npy ] || fail "the job finished before it was killed (make the run longer)"
    run_mpi 2 learn $flags --out resumed.npy --checkpoint ck --resume
    cmp full.npy resumed.npy || fail "the resumed run differs from the uninterrupted one"
    ;;
  learn_failing_rank_leaves_no_output)
    set +e
    run_mpi 2 learn $learn_flags --out bad.npy --log bad.csv --fail-rank 1 2>err.txt
    status=$?
    set -e
    [ "$status" -ne 0 ] || fail "a failing rank gave exit status 0"
    grep -q "sparsecode-mpi: error: rank 1: simulated failure" err.txt || fail "no clear message: $(cat err.txt)"
    [ "$(grep -c 'sparsecode-mpi: error' err.txt)" -eq 1 ] || fail "message not printed exactly once"
    if ls | grep -q "bad\."; then fail "partial output left behind: $(ls)"; fi
    ;;
  learn_rank_failing_mid_run_stops_every_rank)
    # A rank that fails inside the learning loop, between two collectives, must not leave the
    # others waiting in the next one: every rank stops with one message, exit status 1, no output.
    expect_failure() {  # expect_failure NAME PATTERN ARGS...: run -np 2 (bounded), check the outcome
      local name="$1" pattern="$2"; shift 2
      set +e
      MPI_TIMEOUT=120 run_mpi 2 learn "$@" --out "$name.npy" 2>"$name.err"
      local status=$?
      set -e
      [ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "$name: the ranks hung (killed after 120 s)"
      [ "$status" -eq 1 ] || fail "$name: exit status $status, expected 1: $(cat "$name.err")"
      [ "$(grep -c 'sparsecode-mpi: error' "$name.err")" -eq 1 ] || fail "$name: message not printed once: $(cat "$name.err")"
      grep -q "$pattern" "$name.err" || fail "$name: no clear message: $(cat "$name.err")"
      if ls | grep -q "^$name\.npy"; then fail "$name: partial output left behind: $(ls)"; fi
    }
    flags="${learn_flags/--epochs 2/} --iterations 150"
    expect_failure rank1 "error: rank 1: simulated failure after iteration 5" $flags --fail-rank 1 --fail-iteration 5
    expect_failure rank0 "error: rank 0: simulated failure after iteration 7" $flags --fail-rank 0 --fail-iteration 7
    # A real I/O error on rank 0 only: its checkpoint (every 100 iterations) cannot replace a directory.
    mkdir -p ck/online.ckpt/occupied
    expect_failure checkpoint "online.ckpt" $flags --checkpoint ck
    # A non-finite value in rank 1's shard only (row 900 of 1003).
    /usr/bin/python3 -c 'import numpy as np; x = np.load("X.npy"); x[900, 3] = np.nan; np.save("Xnan.npy", x)'
    expect_failure nonfinite "error: rank 1: .*not finite\|error: rank 1: .*NaN\|error: rank 1: .*non-finite" \
      ${flags/--input X.npy/--input Xnan.npy}
    # A value whose square overflows float, with --float32 (finite in double: learned without it).
    /usr/bin/python3 -c 'import numpy as np; x = np.load("X.npy"); x[900, 3] = 1e30; np.save("Xbig.npy", x)'
    expect_failure float32 "error: rank 1: .*is too large: its squared norm overflows float" \
      ${flags/--input X.npy/--input Xbig.npy} --float32
    ;;
  *)
    fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
