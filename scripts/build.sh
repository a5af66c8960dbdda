#!/usr/bin/env bash
# Builds the release binary (target/release/lookout) and the site (target/site).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
cargo leptos build --release "${LEPTOS_BUILD_ARGS[@]}"
