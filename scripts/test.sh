#!/usr/bin/env bash
# Runs every test: unit and integration (cargo test), then end-to-end (Chromium).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# The site only: `cargo test` builds target/testing/lookout (the `testing` profile
# of Cargo.toml), which the end-to-end tests run with the site beside it
# (LOOKOUT_SITE_ROOT).
"$ROOT/scripts/build.sh" --site-only
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

# The one test build: both runs below and the end-to-end binary come from it.
CARGO_TEST=(cargo test --profile testing -p app -p server --no-default-features --features app/ssr)
# Most integration tests wait on sockets, servers and databases rather than
# compute: 6 at once finish the suite in about two thirds of the time that one
# per core (2 on CI) takes. RUST_TEST_THREADS, when set, still decides.
export RUST_TEST_THREADS=${RUST_TEST_THREADS:-6}

echo "== unit and integration tests (SQLite)"
"${CARGO_TEST[@]}"

echo "== store and integration tests again on a real PostgreSQL"
# shellcheck source=scripts/pg.sh
source "$ROOT/scripts/pg.sh"
trap pg_stop EXIT
pg_start
LOOKOUT_TEST_POSTGRES="$PG_URL" "${CARGO_TEST[@]}" --lib --tests
pg_stop

echo "== end-to-end tests (Chromium)"
LOOKOUT_BIN="$ROOT/target/testing/lookout" LOOKOUT_SITE_ROOT="$ROOT/target/site" \
  node --test --test-concurrency=1 "$ROOT"/end2end/tests/*.test.mjs
