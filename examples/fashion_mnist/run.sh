#!/usr/bin/env bash
# Fashion-MNIST end to end with the defaults of `features fit` and `classify train` (issue 12's benchmark).
#
#   examples/fashion_mnist/run.sh [SPARSECODE_BINARY] [WORK_DIR]
#
# Fits the feature extractor on the training images (its filters as filters.png), transforms the
# training and test images, trains the classifier, predicts the test set and prints test accuracy,
# per-class accuracy, a confusion matrix PNG and each stage's wall time. The data come from Debian's
# dataset-fashion-mnist (/usr/share/datasets/fashion-mnist; override with FASHION_MNIST_DIR).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:-$here/../../build/sparsecode}"
work="${2:-${TMPDIR:-/tmp}/sparsecode_fashion_mnist}"
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"

if [[ ! -x "$bin" ]]; then
  echo "run.sh: no sparsecode binary at '$bin' (build the sparsecode_cli target or pass its path)" >&2
  exit 2
fi
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  if [[ ! -r "$data/$f" ]]; then
    echo "run.sh: missing '$data/$f' (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR)" >&2
    exit 1
  fi
done
mkdir -p "$work"

stage() {  # stage NAME COMMAND...: runs the command and prints its wall time
  local name="$1"
  shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  printf '%-22s %7.1f s\n' "$name" "$(echo "$end - $start" | bc)" >>"$work/times.txt"
}

: >"$work/times.txt"
total_start=$(date +%s.%N)
stage "features fit" "$bin" features fit --images "$data/train-images-idx3-ubyte.gz" \
  --out "$work/extractor.bin" --png "$work/filters.png"
stage "transform train" "$bin" features transform --model "$work/extractor.bin" \
  --images "$data/train-images-idx3-ubyte.gz" --out "$work/train_features.npy"
stage "transform test" "$bin" features transform --model "$work/extractor.bin" \
  --images "$data/t10k-images-idx3-ubyte.gz" --out "$work/test_features.npy"
stage "classify train" "$bin" classify train --features "$work/train_features.npy" \
  --labels "$data/train-labels-idx1-ubyte.gz" --out "$work/classifier.bin" --log "$work/curve.csv"
# predict prints the test accuracy and the per-class accuracy (Fashion-MNIST's classes: 0 T-shirt/top,
# 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot).
stage "classify predict" "$bin" classify predict --model "$work/classifier.bin" \
  --features "$work/test_features.npy" --labels "$data/t10k-labels-idx1-ubyte.gz" \
  --out "$work/predictions.npy" --confusion-png "$work/confusion.png"
total_end=$(date +%s.%N)

echo
echo "Stage wall times:"
cat "$work/times.txt"
printf '%-22s %7.1f s\n' "total" "$(echo "$total_end - $total_start" | bc)"
echo "Outputs in $work: filters.png, confusion.png, curve.csv, predictions.npy"
