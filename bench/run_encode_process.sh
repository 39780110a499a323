#!/bin/bash
# Whole-process encoding speed as a user times it (issue 14, B3): sparsecode encode vs scikit-learn's SparseCoder.
#
#   bench/run_encode_process.sh [BUILD_DIR] [ROUNDS]
#
# 20,000 whitened 12×12 patches of the embedded images, k = 256 atoms learned by `sparsecode learn`
# (λ = 0.3, one epoch of 100,000 other patches), codes written as scipy sparse CSR (.npz) on both
# sides. For λ in 0.3 and 0.6 it times, in interleaved rounds (the machine is noisy): our default
# `encode` (LARS) and `encode --solver omp --omp-atoms 10`, each as a whole process (start to
# codes.npz written); scikit-learn's SparseCoder lasso_cd and omp (10 atoms), n_jobs = all cores,
# both as a whole Python process (start, np.load, transform, save_npz) and the transform call alone.
# Prints best and spread per row and the ratios, plus each side's mean objective.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build}"
rounds="${2:-3}"
bin="$build/sparsecode"
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" patches --images "$here/../data/images" --size 12 --count 100000 --seed 1 --quiet --out "$work/train.npy"
"$bin" patches --images "$here/../data/images" --size 12 --count 20000 --seed 2 --quiet --out "$work/X.npy"
"$bin" learn --input "$work/train.npy" --atoms 256 --lambda 0.3 --batch-size 512 --epochs 1 --seed 1 --quiet \
  --out "$work/D.npy"

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
declare -A times best
add() { times[$1]="${times[$1]:-} $2"; }

for lambda in 0.3 0.6; do
  for ((r = 1; r <= rounds; ++r)); do
    t=$(now); "$bin" encode --input "$work/X.npy" --dict "$work/D.npy" --lambda "$lambda" --quiet \
      --out "$work/ours_lars_$lambda.npz"; add "ours lars $lambda" "$(elapsed "$t")"
    t=$(now); kernel=$($py "$here/encode_process_sklearn.py" encode "$work/X.npy" "$work/D.npy" lasso_cd "$lambda" \
      "$work/sk_cd_$lambda.npz"); add "sklearn lasso_cd $lambda" "$(elapsed "$t")"; add "sklearn lasso_cd $lambda (transform only)" "$kernel"
  done
done
for ((r = 1; r <= rounds; ++r)); do
  t=$(now); "$bin" encode --input "$work/X.npy" --dict "$work/D.npy" --solver omp --omp-atoms 10 --quiet \
    --out "$work/ours_omp.npz"; add "ours omp 10" "$(elapsed "$t")"
  t=$(now); kernel=$($py "$here/encode_process_sklearn.py" encode "$work/X.npy" "$work/D.npy" omp 10 "$work/sk_omp.npz")
  add "sklearn omp 10" "$(elapsed "$t")"; add "sklearn omp 10 (transform only)" "$kernel"
done

stats() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END{printf "%.3f %.3f", v[1], v[NR]}'; }
echo "whole-process encode, 20,000 × 144 patches, k = 256, $(nproc) cores, $rounds interleaved rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-42s %9s %9s\n' "run" "best s" "worst s"
for key in "ours lars 0.3" "sklearn lasso_cd 0.3" "sklearn lasso_cd 0.3 (transform only)" \
           "ours lars 0.6" "sklearn lasso_cd 0.6" "sklearn lasso_cd 0.6 (transform only)" \
           "ours omp 10" "sklearn omp 10" "sklearn omp 10 (transform only)"; do
  read -r best worst <<<"$(stats "${times[$key]}")"
  printf '%-42s %9s %9s\n' "$key" "$best" "$worst"
  best[$key]=$best
done
ratio() { echo "scale=1; $1 / $2" | bc; }
echo
for pair in "0.3|ours lars 0.3|sklearn lasso_cd 0.3" "0.6|ours lars 0.6|sklearn lasso_cd 0.6" "omp|ours omp 10|sklearn omp 10"; do
  IFS='|' read -r tag ours theirs <<<"$pair"
  echo "$tag: $ours (whole process) is $(ratio "${best[$theirs (transform only)]}" "${best[$ours]}")× faster than $theirs's transform alone, $(ratio "${best[$theirs]}" "${best[$ours]}")× its whole process"
done
echo
echo "mean objective, mean non-zeros:"
for lambda in 0.3 0.6; do
  echo "  λ $lambda ours     $($py "$here/encode_process_sklearn.py" objective "$work/X.npy" "$work/D.npy" "$lambda" "$work/ours_lars_$lambda.npz")"
  echo "  λ $lambda sklearn  $($py "$here/encode_process_sklearn.py" objective "$work/X.npy" "$work/D.npy" "$lambda" "$work/sk_cd_$lambda.npz")"
done
echo "  omp ours        $($py "$here/encode_process_sklearn.py" objective "$work/X.npy" "$work/D.npy" 0.3 "$work/ours_omp.npz")"
echo "  omp sklearn     $($py "$here/encode_process_sklearn.py" objective "$work/X.npy" "$work/D.npy" 0.3 "$work/sk_omp.npz")"
