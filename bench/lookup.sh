#!/usr/bin/env bash
# Measures lookups over HTTP with wrk against the release binary and a fresh demo database.
# Usage: bench/lookup.sh [seconds] [connections]   (build first: scripts/build.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_TO_RUN=${1:-10}
CONNECTIONS=${2:-16}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# shellcheck source=scripts/demo-server.sh
source "$ROOT/scripts/demo-server.sh"
start_demo_server 3999
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; ${SECONDS_TO_RUN}s, ${CONNECTIONS} connections"
THREADS=$(( CONNECTIONS < 2 ? 1 : 2 ))
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_TO_RUN}s" --latency -s "$ROOT/bench/lookup.lua" "$BASE"
