#!/usr/bin/env bash
# Order links by email: answer times for an address with orders and one without
# (alternating), and the time from request to mail received, against the real
# server process, the demo shop and a loopback SMTP server (the tests' own).
# SQLite by default; with LOOKOUT_TEST_POSTGRES set, PostgreSQL.
#   bench/order-links.sh [ROUNDS]   (default 500 of each)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# The release profile's optimisation, without its link-time step (tests linked
# with it build for many minutes more; the figures are the server's, not its link).
ROUNDS="${1:-500}" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo test --release -p server --features app/ssr --test it \
  outbox::bench_answer_times_and_request_to_mail -- --ignored --nocapture 2>&1 | grep -E "^(answer|request to mail|test result)"
