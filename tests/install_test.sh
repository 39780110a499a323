#!/usr/bin/env bash
# Installs the built library into a scratch prefix and builds and runs a find_package(sparsecode) consumer.
set -euo pipefail
build_dir="$1"; source_dir="$2"; build_type="$3"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
# Only the public API is installed: no internal/ header, and the umbrella header is there.
if internal=$(find "$scratch/prefix/include" -path '*internal*' | head -n 1) && [ -n "$internal" ]; then
  echo "installed tree holds an internal header: ${internal#"$scratch/prefix/"}"; exit 1
fi
[ -f "$scratch/prefix/include/sparsecode/sparsecode.hpp" ] || { echo "umbrella header not installed"; exit 1; }
cmake -S "$source_dir/tests/install_consumer" -B "$scratch/build" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/build" >/dev/null
"$scratch/build/consumer"
# The README's program (learn, encode, save) runs on the embedded images and writes both files.
mkdir "$scratch/out"
"$scratch/build/readme_example" "$source_dir/data/images" "$scratch/out"
for f in D.npy codes.npy; do
  [ -s "$scratch/out/$f" ] || { echo "readme_example did not write $f"; exit 1; }
done
# ...and the README shows exactly this program.
marker='<!-- tests/install_consumer/readme_example.cpp -->'
readme_block=$(awk -v m="$marker" '$0 == m {on = 1; next} on && /^```cpp$/ {body = 1; next} body && /^```$/ {exit} body' "$source_dir/README.md")
if [ "$readme_block" != "$(cat "$source_dir/tests/install_consumer/readme_example.cpp")" ]; then
  echo "README's 'Using the library' program differs from tests/install_consumer/readme_example.cpp"; exit 1
fi
echo "find_package(sparsecode) consumer built and ran"
