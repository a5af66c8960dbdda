#!/usr/bin/env bash
# Do the three kinds of miss take the same time? Measures, over real HTTP with wrk
# (1 connection, so no queueing), lookups of: an unknown order, a known order with
# the wrong email, and an order that exists only in another shop. Prints each median
# and p99 and how far the medians are apart. Rate limits are raised for the run.
# Usage: bench/miss-timing.sh [seconds per case]     (build first: scripts/build.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-10}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
DIR=$(mktemp -d)
export LOOKOUT_DATABASE_URL="sqlite://$DIR/miss.db" RUST_LOG=warn
BIN="$ROOT/target/release/lookout"
"$BIN" demo >/dev/null
"$BIN" shop create other --name "Other shop" >/dev/null
"$BIN" serve --addr 127.0.0.1:3996 --site-root "$ROOT/target/site" \
  --failed-lookups-per-client 1000000000 --failed-lookups-per-order 1000000000 \
  --failed-lookups-per-email 1000000000 >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -fs http://127.0.0.1:3996/healthz >/dev/null && break; sleep 0.1; done

declare -A P50 P99
run() { # name shop email number
  local out
  out=$(LOOKOUT_SHOP=$2 LOOKOUT_EMAIL=$3 LOOKOUT_NUMBER=$4 \
    wrk -t1 -c1 -d"${SECS}s" -s "$ROOT/bench/miss.lua" http://127.0.0.1:3996 | grep '^RESULT')
  read -r _ n p50 p99 <<<"$out"
  P50[$1]=$p50; P99[$1]=$p99
  printf '%-22s %8d requests   median %7.1f us   p99 %7.1f us\n' "$1" "$n" "$p50" "$p99"
}
echo "machine: $(nproc) cores; ${SECS}s per case, 1 connection"
# Warm-up, so the first case does not pay for cold caches.
LOOKOUT_SHOP=demo LOOKOUT_EMAIL=x@example.com LOOKOUT_NUMBER=1 wrk -t1 -c1 -d2s -s "$ROOT/bench/miss.lua" http://127.0.0.1:3996 >/dev/null
run "unknown order" demo ada@example.com "#999999"
run "wrong email" demo mallory@example.com "#1001"
run "order of another shop" other ada@example.com "#1001"
run "hit (for reference)" demo ada@example.com "#1001"
MISSES=("${P50[unknown order]}" "${P50[wrong email]}" "${P50[order of another shop]}")
lo=$(printf '%s\n' "${MISSES[@]}" | sort -n | head -1)
hi=$(printf '%s\n' "${MISSES[@]}" | sort -n | tail -1)
awk -v lo="$lo" -v hi="$hi" 'BEGIN { d = hi - lo; printf "misses: medians %.1f to %.1f us, spread %.1f us (%.1f%% of the fastest)\n", lo, hi, d, 100 * d / lo }'
