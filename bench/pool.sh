#!/usr/bin/env bash
# Chooses the pool size and statement caching by measurement: for each store,
# generates ORDERS orders once, then for each pool size serves them with
# `--database-pool-size N` and drives successful lookups of random orders (wrk,
# bench/scale.lua) at 64 and 200 connections; then, for PostgreSQL at the default
# pool size, once more with sqlx's prepared-statement cache off
# (`statement-cache-capacity=0` in the database URL, so every query is prepared
# anew). /healthz at 200 connections is measured once per store for reference.
#
# Usage: bench/pool.sh [orders] [seconds per run] [stores]
#   e.g. bench/pool.sh 200000 10 "sqlite postgres"   (build first: scripts/build.sh)
set -euo pipefail
ORDERS=${1:-200000}
DURATION=${2:-10}
STORES=${3:-sqlite postgres}
SQLITE_SIZES=${SQLITE_SIZES:-1 2 4 8 16}
POSTGRES_SIZES=${POSTGRES_SIZES:-2 4 8 16 32}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_machine
echo "orders: $ORDERS; ${DURATION}s per run; wrk 2 threads"
echo
echo "| store | pool | statement cache | connections | requests | req/s | p50 ms | p99 ms | answers >= 400 | socket errors |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"

row() { # store pool cache connections RESULT-line
  local r
  read -ra r <<<"$5"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "${r[1]}" "${r[2]}" "${r[3]}" "${r[4]}" "${r[6]}" "${r[7]}"
}

for store in $STORES; do
  bench_store "$store"
  "$BIN" demo --orders "$ORDERS" >/dev/null
  if [ "$store" = sqlite ]; then sizes=$SQLITE_SIZES; default=4; else sizes=$POSTGRES_SIZES; default=8; fi
  bench_serve --database-pool-size "$default"
  row "$store" "$default" "100 (default)" 200 "$(bench_wrk healthz 200)"
  bench_stop_server
  for size in $sizes; do
    bench_serve --database-pool-size "$size"
    for conns in 64 200; do
      row "$store" "$size" "100 (default)" "$conns" "$(bench_wrk hit "$conns")"
    done
    bench_stop_server
  done
  if [ "$store" = postgres ]; then
    # SQLite's URL has no such setting (docs/benchmarks.md says how it was measured there).
    LOOKOUT_DATABASE_URL="$STORE_URL?statement-cache-capacity=0" bench_serve --database-pool-size "$default"
    for conns in 64 200; do
      row "$store" "$default" "off" "$conns" "$(bench_wrk hit "$conns")"
    done
    bench_stop_server
  fi
  pg_stop
done
