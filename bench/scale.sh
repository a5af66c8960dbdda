#!/usr/bin/env bash
# Lookout at scale, in one run on one machine, for SQLite and for PostgreSQL:
# generates ORDERS orders (default 1,000,000), then drives wrk against /healthz,
# lookups of random orders (hits), lookups with a wrong email (misses), at 64 and
# 200 connections, and ingest through the REST API; prints throughput, p50/p99,
# lookups as a share of /healthz, and the server's RSS at rest after start and at
# its peak. /healthz runs before the lookups and again after them, and shares
# are of the mean of the two: a
# machine whose speed drifts during the runs (a shared virtual machine) moves
# both sides of the share, not one.
#
# Usage: bench/scale.sh [orders] [seconds per run] [stores]
#   e.g. bench/scale.sh 1000000 15 "sqlite postgres"   (build first: scripts/build.sh)
# Failed-lookup limits are raised out of the way: this measures the lookup path,
# not the limiter (which answers 429 far faster than any lookup).
#
# On a machine with cores to spare, keep the server and the load generator
# apart (bench/lib.sh): e.g. on 16 cores
#   SERVER_CPUS=0-7 LOAD_CPUS=8-15 bench/scale.sh
# puts `lookout serve` and PostgreSQL on cores 0-7 and wrk (8 threads) on 8-15.
set -euo pipefail
ORDERS=${1:-1000000}
DURATION=${2:-15}
STORES=${3:-sqlite postgres}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_machine
echo "orders: $ORDERS; ${DURATION}s per run; wrk $WRK_THREADS threads"
RESULTS="$WORK/results"
: > "$RESULTS"

for store in $STORES; do
  bench_store "$store"
  echo "== $store: generating $ORDERS orders"
  "$BIN" demo --orders "$ORDERS" | tail -1
  KEY=$("$BIN" key create demo | tail -1)
  # A million fresh rows start autovacuum on a VACUUM ANALYZE of them that runs
  # for a minute or more: run it now, and measure after it, not during it.
  if [ "$store" = postgres ]; then "$PG_BIN/psql" -q "$STORE_URL" -c 'VACUUM ANALYZE'; fi
  bench_serve
  echo "$store rss-rest $BENCH_RSS_AT_REST" | tee -a "$RESULTS"
  for conns in 64 200; do
    for mode in healthz hit miss healthz; do
      echo "$store $conns $(bench_wrk $mode "$conns")" | tee -a "$RESULTS"
    done
  done
  # The peak so far covers the lookups; ingest's first requests hash the API key
  # (Argon2, about 19 MiB each while it runs), so it is reported apart.
  echo "$store rss-lookups $(bench_server_rss)" | tee -a "$RESULTS"
  echo "$store 16 $(KEY=$KEY bench_wrk ingest 16)" | tee -a "$RESULTS"
  echo "$store rss $(bench_server_rss)" | tee -a "$RESULTS"
  bench_stop_server
  pg_stop
done

echo
echo "| store | connections | kind | requests | req/s | p50 ms | p99 ms | share of /healthz | answers >= 400 | socket errors |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
awk '
  $2 == "rss" { rss[$1] = $3; next }
  $2 == "rss-lookups" { rssl[$1] = $3; next }
  $2 == "rss-rest" { rest[$1] = $3; next }
  { key = $1 " " $2; if ($4 == "healthz") { sum[key] += $5; runs[key]++ }
    line[NR] = $0 }
  END {
    for (i = 1; i <= NR; i++) if (i in line) {
      split(line[i], f, " "); key = f[1] " " f[2]
      base = runs[key] ? sum[key] / runs[key] : 0
      share = (f[4] != "healthz" && f[4] != "ingest" && base > 0) ? sprintf("%.1f%%", 100 * f[5] / base) : "-"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[4], f[8], f[5], f[6], f[7], share, f[9], f[10]
    }
    for (s in rss) printf "\nRSS (%s server): %.1f MiB at rest after start, peak %.1f MiB over the lookup runs, %.1f MiB with ingest", s, rest[s] / 1024, rssl[s] / 1024, rss[s] / 1024
    print ""
  }' "$RESULTS"
