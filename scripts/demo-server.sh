# Sourced by the measuring scripts: starts the release binary on a fresh demo
# database at 127.0.0.1:$1 and stops it (and removes the database) on exit.
# Sets DIR (a temp folder) and BASE (the server's URL).
# shellcheck shell=bash
start_demo_server() {
  local port=$1 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  DIR=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the trap must know this server's pid and folder
  export LOOKOUT_DATABASE_URL="sqlite://$DIR/demo.db" RUST_LOG=warn
  "$root/target/release/lookout" demo >/dev/null
  "$root/target/release/lookout" serve --addr "127.0.0.1:$port" --site-root "$root/target/site" >"$DIR/server.log" 2>&1 &
  DEMO_PID=$!
  trap 'kill "$DEMO_PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
  BASE="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the demo server did not start; its log:" >&2
  cat "$DIR/server.log" >&2
  return 1
}
