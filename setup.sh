#!/usr/bin/env bash
# Sets up a Debian 12 machine for sparsecode (idempotent), builds it, and runs the demo, tests or benchmarks.
#   ./setup.sh demo   install, build (Release) and learn filters from the embedded images -> out/filters.png
#   ./setup.sh test   install, build (Release + Debug with ASan/UBSan) and run every test in both
#   ./setup.sh bench  install (with Python reference packages), build and run the benchmarks
#   ./setup.sh build  install and build only
# Environment: SPARSECODE_NATIVE=OFF disables -march=native; JOBS sets build parallelism.
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-demo}"
JOBS="${JOBS:-$(nproc)}"
NATIVE="${SPARSECODE_NATIVE:-ON}"

packages=(build-essential cmake pkg-config libeigen3-dev libopenblas-dev libarmadillo-dev
          doctest-dev libcli11-dev libstb-dev liblbfgspp-dev zlib1g-dev libzip-dev
          libopenmpi-dev openmpi-bin)
if [ "$mode" = bench ] || [ "$mode" = test ]; then
  # Reference checks (tests compare with files NumPy writes) and the benchmarks' scikit-learn side.
  packages+=(python3-numpy python3-scipy python3-sklearn python3-matplotlib)
fi
if [ "$mode" = test ]; then
  packages+=(python3-dev pybind11-dev python3-pybind11 python3-pytest python3-venv)  # the Python package's build and tests
fi
if [ "$mode" = bench ]; then
  packages+=(dataset-fashion-mnist)  # the classifier-feature benchmark's data (MIT licence)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build() {  # build DIR TYPE SANITIZE
  cmake -S . -B "$1" -DCMAKE_BUILD_TYPE="$2" -DSPARSECODE_SANITIZE="$3" -DSPARSECODE_NATIVE="$NATIVE" >/dev/null
  cmake --build "$1" -j "$JOBS"
}

case "$mode" in
  build)
    build build Release OFF ;;
  demo)
    build build Release OFF
    mkdir -p out
    ./build/sparsecode learn --images data/images --patch 12 --count 50000 --atoms 144 --lambda 0.6 \
      --epochs 2 --heldout-frac 0.05 --seed 1 --out out/D.npy --png out/filters.png \
      --log out/curve.csv --curve-png out/curve.png
    echo "wrote out/filters.png (and out/D.npy, out/curve.csv, out/curve.png)" ;;
  test)
    build build Release OFF
    (cd build && ctest --output-on-failure -j "$JOBS")
    # The Python package (module built above into build/python) against the CLI; any failure, and
    # pytest's exit code 5 when no test ran, stops the script (set -e).
    SPARSECODE_CLI=build/sparsecode PYTHONPATH=build/python /usr/bin/python3 -m pytest -p no:cacheprovider python/tests
    build build-asan Debug ON
    # allocator_may_return_null: an impossible allocation throws std::bad_alloc as it does without
    # ASan, so the tests of the "not enough memory for ..." messages run under ASan too.
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --output-on-failure -j "$JOBS") ;;
  bench)
    build build Release OFF
    for b in bench/*.sh; do [ -e "$b" ] && bash "$b"; done ;;
  *)
    echo "usage: ./setup.sh demo|test|bench|build" >&2; exit 2 ;;
esac
