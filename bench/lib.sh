# Sourced by the load benchmarks (scale.sh, pool.sh): a store to measure, a
# server on it, and wrk runs against it with bench/scale.lua.
# shellcheck shell=bash
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$BENCH_ROOT/target/release/lookout"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# shellcheck source=scripts/pg.sh
source "$BENCH_ROOT/scripts/pg.sh"
WORK=$(mktemp -d)
SERVER_PID=
bench_cleanup() { bench_stop_server; pg_stop; rm -rf "$WORK"; }
trap bench_cleanup EXIT
export RUST_LOG=warn

bench_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
}

# Points LOOKOUT_DATABASE_URL at a fresh store: sqlite or postgres (a durable
# throwaway cluster). STORE_URL is the same URL, for adding parameters to.
bench_store() {
  case $1 in
    sqlite) STORE_URL="sqlite://$WORK/bench-$RANDOM.db" ;;
    postgres)
      pg_start durable
      STORE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" ;;
    *) echo "unknown store $1 (sqlite or postgres)" >&2; exit 1 ;;
  esac
  export LOOKOUT_DATABASE_URL=$STORE_URL
}

# Starts `lookout serve` with the failed-lookup limits out of the way (this
# measures the lookup path, not the limiter); extra arguments go to serve.
# Sets SERVER_PID and BASE.
bench_serve() {
  local port
  port=$(pg_free_port)
  "$BIN" serve --addr "127.0.0.1:$port" --site-root "$BENCH_ROOT/target/site" \
    --failed-lookups-per-client 1000000000 --failed-lookups-per-order 1000000000 \
    --failed-lookups-per-email 1000000000 "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  local up=0
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && { up=1; break; }; sleep 0.1; done
  if [ $up -eq 0 ]; then
    echo "the server did not start; its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  # Warm up (connections opened, pages cached) so the first measured run is not the odd one out.
  DURATION=3 bench_wrk hit 64 >/dev/null
}

# The server's peak resident memory so far, in KiB.
bench_server_rss() { awk '/VmHWM/{print $2}' "/proc/$SERVER_PID/status"; }

bench_stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# wrk for DURATION seconds with MODE (healthz, hit, miss, ingest) at the given
# connections against BASE; prints scale.lua's RESULT line:
# mode req/s p50-ms p99-ms requests answers>=400 socket-errors
bench_wrk() { # mode connections
  MODE=$1 ORDERS=$ORDERS KEY=${KEY:-} TEMPLATE="$BENCH_ROOT/fixtures/order-1001.json" \
    wrk -t2 -c"$2" -d"${DURATION}s" --timeout 10s -s "$BENCH_ROOT/bench/scale.lua" "$BASE" | grep '^RESULT'
}
