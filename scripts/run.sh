#!/usr/bin/env bash
# Runs Lookout: builds, migrates a SQLite file, loads the demo shop, serves on http://127.0.0.1:3000.
# Settings come from LOOKOUT_* variables (see README), e.g. LOOKOUT_ADDR, LOOKOUT_DATABASE_URL.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/build.sh"
export LOOKOUT_SITE_ROOT="${LOOKOUT_SITE_ROOT:-$ROOT/target/site}"
"$ROOT/target/release/lookout" migrate
"$ROOT/target/release/lookout" demo
# An owner account for the demo shop's console, with a fresh link to set its password.
"$ROOT/target/release/lookout" user create owner@demo.example --shop demo \
  --public-url "http://${LOOKOUT_ADDR:-127.0.0.1:3000}"
exec "$ROOT/target/release/lookout" serve
