# Sourced by the load benchmarks (scale.sh, pool.sh): a store to measure, a
# server on it, and wrk runs against it with bench/scale.lua.
# shellcheck shell=bash
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="${LOOKOUT_BIN:-$BENCH_ROOT/target/release/lookout}"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# shellcheck source=scripts/pg.sh
source "$BENCH_ROOT/scripts/pg.sh"
WORK=$(mktemp -d)
SERVER_PID=
bench_cleanup() { bench_stop_server; pg_stop; rm -rf "$WORK"; }
trap bench_cleanup EXIT
export RUST_LOG=warn

# Where each side runs (taskset CPU lists such as 0-7 or 0,2,4), so that on a
# machine with cores to spare the server and the load generator do not compete:
# SERVER_CPUS for `lookout serve`, DB_CPUS for PostgreSQL (default: SERVER_CPUS),
# LOAD_CPUS for wrk, whose threads default to the number of CPUs it is given
# (WRK_THREADS overrides; 2 when unpinned). Unset: no pinning.
SERVER_CPUS=${SERVER_CPUS:-}
DB_CPUS=${DB_CPUS:-$SERVER_CPUS}
LOAD_CPUS=${LOAD_CPUS:-}
# The number of CPUs in a taskset list (0-3,8 is 5).
bench_cpu_count() {
  local n=0 part
  for part in ${1//,/ }; do
    if [[ $part == *-* ]]; then n=$(( n + ${part#*-} - ${part%-*} + 1 )); else n=$(( n + 1 )); fi
  done
  echo "$n"
}
WRK_THREADS=${WRK_THREADS:-$( [ -n "$LOAD_CPUS" ] && bench_cpu_count "$LOAD_CPUS" || echo 2 )}
# Runs a command on a CPU list, or as it is when the list is empty. (taskset
# execs the command, so a background `bench_pin ... &` has the command's PID.)
bench_pin() { # cpus: sets PIN to the prefix that pins a command there
  PIN=()
  if [ -n "$1" ]; then PIN=(taskset -c "$1"); fi
}

bench_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "placement: server on CPUs ${SERVER_CPUS:-any}, PostgreSQL on ${DB_CPUS:-any}, wrk on ${LOAD_CPUS:-any} with $WRK_THREADS threads"
}

# Points LOOKOUT_DATABASE_URL at a fresh store: sqlite or postgres (a durable
# throwaway cluster). STORE_URL is the same URL, for adding parameters to.
bench_store() {
  case $1 in
    sqlite) STORE_URL="sqlite://$WORK/bench-$RANDOM.db" ;;
    postgres)
      pg_start durable
      # PostgreSQL's backends are forked from the postmaster and inherit its CPUs.
      if [ -n "$DB_CPUS" ]; then taskset -a -cp "$DB_CPUS" "$(head -n1 "$PG_DIR/data/postmaster.pid")" >/dev/null; fi
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
  bench_pin "$SERVER_CPUS"
  "${PIN[@]}" "$BIN" serve --addr "127.0.0.1:$port" --site-root "$BENCH_ROOT/target/site" \
    --failed-lookups-per-client 1000000000 --failed-lookups-per-order 1000000000 \
    --failed-lookups-per-email 1000000000 --max-connections-per-client 0 "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  local up=0
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && { up=1; break; }; sleep 0.1; done
  if [ $up -eq 0 ]; then
    echo "the server did not start; its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  # Its memory at rest, once start-up's work (the dummy Argon2 hash) is done.
  sleep 1
  BENCH_RSS_AT_REST=$(awk '/VmRSS/{print $2}' "/proc/$SERVER_PID/status")
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

# A load generator, on LOAD_CPUS when set.
bench_load() {
  bench_pin "$LOAD_CPUS"
  "${PIN[@]}" "$@"
}

# wrk for DURATION seconds with MODE (healthz, hit, miss, ingest) at the given
# connections against BASE; prints scale.lua's RESULT line:
# mode req/s p50-ms p99-ms requests answers>=400 socket-errors
bench_wrk() { # mode connections
  MODE=$1 ORDERS=$ORDERS KEY=${KEY:-} TEMPLATE="$BENCH_ROOT/fixtures/order-1001.json" \
    bench_load wrk -t"$WRK_THREADS" -c"$2" -d"${DURATION}s" --timeout 10s -s "$BENCH_ROOT/bench/scale.lua" "$BASE" | grep '^RESULT'
}
