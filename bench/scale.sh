#!/usr/bin/env bash
# Lookout at scale, in one run on one machine, for SQLite and for PostgreSQL:
# generates ORDERS orders (default 1,000,000), then drives wrk against /healthz,
# lookups of random orders (hits), lookups with a wrong email (misses), at 64 and
# 200 connections, and ingest through the REST API; prints throughput, p50/p99,
# lookups as a share of /healthz, and the server's peak RSS.
#
# Usage: bench/scale.sh [orders] [seconds per run] [stores]
#   e.g. bench/scale.sh 1000000 15 "sqlite postgres"   (build first: scripts/build.sh)
# Failed-lookup limits are raised out of the way: this measures the lookup path,
# not the limiter (which answers 429 far faster than any lookup).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORDERS=${1:-1000000}
DURATION=${2:-15}
STORES=${3:-sqlite postgres}
BIN="$ROOT/target/release/lookout"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# shellcheck source=scripts/pg.sh
source "$ROOT/scripts/pg.sh"
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT
export RUST_LOG=warn

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
echo "orders: $ORDERS; ${DURATION}s per run; wrk 2 threads"
RESULTS="$WORK/results"
: > "$RESULTS"

run_wrk() { # mode connections
  MODE=$1 ORDERS=$ORDERS KEY=${KEY:-} TEMPLATE="$ROOT/fixtures/order-1001.json" \
    wrk -t2 -c"$2" -d"${DURATION}s" --timeout 10s -s "$ROOT/bench/scale.lua" "$BASE" | grep '^RESULT'
}

for store in $STORES; do
  case $store in
    sqlite) export LOOKOUT_DATABASE_URL="sqlite://$WORK/bench.db" ;;
    postgres)
      pg_start durable
      export LOOKOUT_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" ;;
    *) echo "unknown store $store" >&2; exit 1 ;;
  esac
  echo "== $store: generating $ORDERS orders"
  "$BIN" demo --orders "$ORDERS" | tail -1
  KEY=$("$BIN" key create demo | tail -1)
  PORT=$(pg_free_port)
  "$BIN" serve --addr "127.0.0.1:$PORT" --site-root "$ROOT/target/site" \
    --failed-lookups-per-client 1000000000 --failed-lookups-per-order 1000000000 \
    --failed-lookups-per-email 1000000000 >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
  for conns in 64 200; do
    for mode in healthz hit miss; do
      echo "$store $conns $(run_wrk $mode "$conns")" | tee -a "$RESULTS"
    done
  done
  echo "$store 16 $(KEY=$KEY run_wrk ingest 16)" | tee -a "$RESULTS"
  RSS=$(awk '/VmHWM/{print $2}' "/proc/$SERVER_PID/status")
  echo "$store rss $RSS" | tee -a "$RESULTS"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  if [ "$store" = postgres ]; then pg_stop; fi
done

echo
echo "| store | connections | requests | req/s | p50 ms | p99 ms | share of /healthz | answers >= 400 | socket errors |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
awk '
  $2 == "rss" { rss[$1] = $3; next }
  { key = $1 " " $2; if ($4 == "healthz") base[key] = $5
    line[NR] = $0 }
  END {
    for (i = 1; i <= NR; i++) if (i in line) {
      split(line[i], f, " "); key = f[1] " " f[2]
      share = (f[4] != "healthz" && f[4] != "ingest" && base[key] > 0) ? sprintf("%.0f%%", 100 * f[5] / base[key]) : "-"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[4], f[5], f[6], f[7], share, f[9], f[10]
    }
    for (s in rss) printf "\npeak RSS (%s server): %.1f MiB", s, rss[s] / 1024
    print ""
  }' "$RESULTS"
