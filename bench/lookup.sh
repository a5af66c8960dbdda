#!/usr/bin/env bash
# Measures lookups over HTTP with wrk against the release binary and a fresh demo database.
# Usage: bench/lookup.sh [seconds] [connections]   (build first: scripts/build.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_TO_RUN=${1:-10}
CONNECTIONS=${2:-16}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
DIR=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
export LOOKOUT_DATABASE_URL="sqlite://$DIR/bench.db" RUST_LOG=warn
"$ROOT/target/release/lookout" demo >/dev/null
"$ROOT/target/release/lookout" serve --addr 127.0.0.1:3999 --site-root "$ROOT/target/site" >"$DIR/out" 2>&1 &
PID=$!
for _ in $(seq 50); do curl -fs http://127.0.0.1:3999/healthz >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; ${SECONDS_TO_RUN}s, ${CONNECTIONS} connections"
THREADS=$(( CONNECTIONS < 2 ? 1 : 2 ))
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_TO_RUN}s" --latency -s "$ROOT/bench/lookup.lua" http://127.0.0.1:3999
