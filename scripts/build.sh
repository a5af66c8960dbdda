#!/usr/bin/env bash
# Builds the release binary (target/release/lookout) and the site (target/site),
# then bundles the site into the binary: target/release/lookout alone is a deployment.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
# --precompress: a brotli and a gzip copy of every site file, served as they are.
# With --site-only (scripts/test.sh), only the site is built: the tests compile the
# binary in a profile of their own (`testing`, Cargo.toml), and the end-to-end
# tests run that one.
if [ "${1:-}" = "--site-only" ]; then
  cargo leptos build --release --precompress --frontend-only "${LEPTOS_BUILD_ARGS[@]}"
  exit 0
fi
cargo leptos build --release --precompress "${LEPTOS_BUILD_ARGS[@]}"
"$ROOT/target/release/lookout" bundle-site --site-root "$ROOT/target/site"
