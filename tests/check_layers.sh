#!/usr/bin/env bash
# Fails when a library module includes a module above it (the folders must form layers, no cycle),
# or when a public header includes an internal one (the installed tree would not compile).
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root/sparsecode"
# The modules each module may include, besides itself (and its own internal/ folder).
declare -A allowed=(
  [core]=""
  [io]="core"
  [preprocess]="core io"
  [viz]="core io"
  [solvers]="core"
  [sparse]="core io preprocess viz solvers"
  [autoencoder]="core io preprocess viz solvers"
  [classify]="core io viz solvers"
  [features]="core io preprocess viz solvers sparse autoencoder"
  [interop]="core"
)
status=0
for module in "${!allowed[@]}"; do
  [ -d "$module" ] || continue
  while IFS=: read -r file _ include; do
    target=$(sed -E 's|.*#include [<"]sparsecode/([^/"]+)/.*|\1|' <<<"$include")
    [ "$target" = "$module" ] && continue
    if ! grep -qw -- "$target" <<<"${allowed[$module]}"; then
      echo "layer violation: sparsecode/$file includes sparsecode/$target (allowed for $module: ${allowed[$module]:-nothing})"
      status=1
    fi
  done < <(cd "$root/sparsecode" && grep -rn --include='*.hpp' --include='*.cpp' -E '#include [<"]sparsecode/[^/"]+/' "$module" || true)
done
# Every module folder must be listed above, so that a new one cannot escape the check.
for dir in */; do
  module="${dir%/}"
  if [ -z "${allowed[$module]+set}" ]; then
    echo "layer check: sparsecode/$module is not listed in tests/check_layers.sh"
    status=1
  fi
done
# Public headers must not include internal ones.
if hits=$(grep -rln --include='*.hpp' -E '#include [<"]sparsecode/[^"]*internal/' . | grep -v '/internal/'); then
  for h in $hits; do echo "public header sparsecode/${h#./} includes an internal header"; done
  status=1
fi
[ "$status" -eq 0 ] && echo "layers: no upward include, no public header including an internal one"
exit "$status"
