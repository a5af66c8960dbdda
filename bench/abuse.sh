#!/usr/bin/env bash
# Lookout under attack, against the release binary and the demo shop (SQLite):
#
#   burst   300 wrong guesses at one order number sent at once from three loopback
#           addresses (default limits), then the right email: how many 404s, 429s.
#   keys    1,000 merchant API requests with random well-formed keys from 400
#           connections: peak RSS, peak threads and /healthz latency during it;
#           once with the default limits, once with the per-client limit on failed
#           key checks lifted (so only the hashing gate bounds the work).
#   misses  N (default 1,000,000) distinct lookup misses from distinct clients (via a
#           trusted proxy's X-Forwarded-For) as fast as wrk sends them: peak RSS,
#           keys held per limiter table, and a real lookup answered afterwards.
#   links   15 s of requests for order links by email, each for a new address from a
#           new client (trusted proxy), with mail on (its SMTP server unreachable, so
#           nothing leaves): answers, peak RSS, /healthz latency, requests queued.
#
#   island  15 s of the lookup island's background posts (lookout-fragment: lookup),
#           each from a new client (trusted proxy), half junk (a malformed email and
#           a 4 KiB order number), half wrong guesses: answers, peak RSS, /healthz.
#   webhooks 15 s of Shopify deliveries to the demo shop from one client, each with a
#           1 MB body and a wrong signature: answers, server CPU, peak RSS, /healthz
#           latency. 64 connections with the default limits, then with the limit on
#           failed signatures lifted (so every body is received and hashed); then 400
#           connections with that limit lifted, as many clients would have, with the
#           room for unsigned bodies at its default (64 MiB) and then at 64 GiB.
#   large   250 page posts at once (LARGE_REQUESTS; plain forms, no WebAssembly) of the largest order the
#           limits allow (1,000 items and 1,000 shopper events, a view of about half a
#           megabyte), one client, asking for no compression and then for brotli:
#           answers, peak RSS, /healthz latency.
#   held    HTTP/2 answers asked for and never read (bench/h2-hold.mjs: a window of
#           zero), 10 and then 40 connections of 100 page requests asking for brotli
#           from one address: answers, RSS before, while held, at its peak, and once
#           the send timeout (30 s) has passed; then three rounds, 41 s apart, of 10
#           connections of 32 JSON lookups of the largest order under a window of one
#           byte, each held the same way (RSS and peak after each).
#
# Usage: bench/abuse.sh [burst|keys|misses|links|island|webhooks|large|held|all] [misses]   (build first: scripts/build.sh;
#        LOOKOUT_BIN=/absolute/path measures another build)
set -euo pipefail
WHAT=${1:-all}
MISSES=${2:-1000000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="${LOOKOUT_BIN:-$ROOT/target/release/lookout}"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
WORK=$(mktemp -d)
PID=
stop() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; PID=; }
trap 'stop; rm -rf "$WORK"' EXIT
export RUST_LOG=warn

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM"

# Starts a server on a fresh demo database with the given serve flags; sets PID and BASE.
start() {
  export LOOKOUT_DATABASE_URL="sqlite://$WORK/abuse-$RANDOM.db"
  "$BIN" demo >/dev/null
  local port metrics_port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # One loopback address plays every client here: no cap on connections per client.
  # Metrics on an address of their own: the limiters' and mail series are served there only.
  "$BIN" serve --addr "127.0.0.1:$port" --metrics-addr "127.0.0.1:$metrics_port" --site-root "$ROOT/target/site" \
    --max-connections-per-client 0 "$@" >"$WORK/server.log" 2>&1 &
  PID=$!
  BASE="http://127.0.0.1:$port"
  METRICS="http://127.0.0.1:$metrics_port/metrics"
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
  cat "$WORK/server.log" >&2
  exit 1
}

status_of() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/status"; }

# Samples /healthz latency (ms) into $WORK/healthz and the thread count into
# $WORK/threads every 50 ms until $WORK/stop exists.
sample() {
  : >"$WORK/healthz"; : >"$WORK/threads"; rm -f "$WORK/stop"
  while [ ! -e "$WORK/stop" ]; do
    curl -s -o /dev/null -m 30 -w '%{time_total}\n' "$BASE/healthz" | awk '{printf "%.1f\n", $1 * 1000}' >>"$WORK/healthz"
    status_of Threads >>"$WORK/threads"
    sleep 0.05
  done
}

summary() { # label
  local n p50 p99 max threads
  n=$(wc -l <"$WORK/healthz")
  p50=$(sort -n "$WORK/healthz" | awk -v n="$n" 'NR == int(n * 0.5 + 0.5) {print}')
  p99=$(sort -n "$WORK/healthz" | awk -v n="$n" 'NR == int(n * 0.99 + 0.5) {print}')
  max=$(sort -n "$WORK/healthz" | tail -1)
  threads=$(sort -n "$WORK/threads" | tail -1)
  printf '%s: peak RSS %.1f MiB, peak threads %s; /healthz during it: %s samples, p50 %s ms, p99 %s ms, max %s ms\n' \
    "$1" "$(awk -v k="$(status_of VmHWM)" 'BEGIN {print k / 1024}')" "$threads" "$n" "$p50" "$p99" "$max"
}

burst() {
  echo "== burst: 300 wrong guesses at #1001 at once from 127.0.0.1-3, then the right email"
  start
  for a in 1 2 3; do
    for i in $(seq 100); do
      printf 'url = "%s/api/v1/shops/demo/lookup"\nheader = "Content-Type: application/json"\ndata = "{\\"email\\":\\"guess%s-%s@example.com\\",\\"order_number\\":\\"#1001\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
        "$BASE" "$a" "$i"
    done | sed '$d' >"$WORK/burst$a.cfg"  # no `next` after the last request
  done
  local pids=()
  for a in 1 2 3; do
    curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 100 --interface "127.0.0.$a" -K "$WORK/burst$a.cfg" >"$WORK/burst$a.out" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$WORK"/burst?.out | sort | uniq -c | awk '{printf "  %s answers %s\n", $1, $2}'
  local right
  right=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"email":"ada@example.com","order_number":"#1001"}' --interface 127.0.0.4 "$BASE/api/v1/shops/demo/lookup")
  echo "  then the right email from a fresh address: $right"
  stop
}

keys() { # label, serve flags...
  local label=$1; shift
  echo "== keys ($label): 1,000 PUTs with random well-formed keys from 400 connections"
  start "$@"
  echo "  before: RSS $(status_of VmRSS) kB, threads $(status_of Threads)"
  for _ in $(seq 1000); do
    printf 'url = "%s/api/v1/shops/demo/orders/%%231001"\nrequest = "PUT"\nheader = "Content-Type: application/json"\nheader = "Authorization: Bearer lk_%s_%s"\ndata = "{}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
      "$BASE" "$(openssl rand -hex 8)" "$(openssl rand -hex 32)"
  done | sed '$d' >"$WORK/keys.cfg"
  sample &
  local sampler=$! started
  started=$(date +%s.%N)
  curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 400 -K "$WORK/keys.cfg" >"$WORK/keys.out"
  printf '  1,000 requests in %.2f s:' "$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')"
  sort "$WORK/keys.out" | uniq -c | awk '{printf " %s x %s", $1, $2}'
  echo
  touch "$WORK/stop"; wait "$sampler"
  summary "  $label"
  stop
}

misses() {
  echo "== misses: $MISSES distinct misses from distinct clients (trusted proxy), 64 connections"
  start --trusted-proxy 127.0.0.1
  echo "  before: RSS $(status_of VmRSS) kB"
  local total=0 out run=0
  sample &
  local sampler=$!
  while [ "$total" -lt "$MISSES" ]; do
    run=$((run + 1))
    out=$(RUN=$run wrk -t2 -c64 -d20s --timeout 10s -s "$ROOT/bench/misses.lua" "$BASE" | grep '^RESULT')
    read -r _ n rate p50 p99 n404 n429 other <<<"$out"
    total=$((total + n))
    echo "  $n requests ($rate/s, p50 $p50 ms, p99 $p99 ms): $n404 x 404, $n429 x 429, $other other; total $total"
  done
  touch "$WORK/stop"; wait "$sampler"
  curl -s "$METRICS" | grep -E '^lookout_(limiter_keys|limiter_forced_out_total|lookups_total)' | sed 's/^/  /'
  local hit
  hit=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.1' \
    -d '{"email":"ada@example.com","order_number":"#1001"}' "$BASE/api/v1/shops/demo/lookup")
  echo "  a shopper's lookup afterwards: $hit"
  summary "  misses"
  stop
}

links() {
  echo "== links: requests for order links, a new address and client each, 64 connections, 15 s"
  local smtp_port
  smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  start --trusted-proxy 127.0.0.1 --smtp-url "smtp://127.0.0.1:$smtp_port" --mail-from orders@lookout.test
  echo "  before: RSS $(status_of VmRSS) kB"
  sample &
  local sampler=$!
  local out
  out=$(wrk -t2 -c64 -d15s --timeout 10s -s "$ROOT/bench/links.lua" "$BASE" | grep '^RESULT')
  read -r _ n rate p50 p99 n303 other <<<"$out"
  echo "  $n requests ($rate/s, p50 $p50 ms, p99 $p99 ms): $n303 x 303, $other other"
  touch "$WORK/stop"; wait "$sampler"
  curl -s "$METRICS" | grep -E '^lookout_order_link_requests_total' | sed 's/^/  /'
  echo "  requests in the outbox: $(sqlite3 "${LOOKOUT_DATABASE_URL#sqlite://}" 'SELECT COUNT(*) FROM outbox')"
  summary "  links"
  stop
}

island() {
  echo "== island: the lookup island's background posts, a new client each, half junk, half wrong guesses, 64 connections, 15 s"
  start --trusted-proxy 127.0.0.1
  echo "  before: RSS $(status_of VmRSS) kB"
  sample &
  local sampler=$!
  local out
  out=$(wrk -t2 -c64 -d15s --timeout 10s -s "$ROOT/bench/island.lua" "$BASE" | grep '^RESULT')
  read -r _ n rate p50 p99 statuses <<<"$out"
  echo "  $n requests ($rate/s, p50 $p50 ms, p99 $p99 ms); answers by status (f: the lookup's part only): $statuses"
  touch "$WORK/stop"; wait "$sampler"
  curl -s "$METRICS" | grep -E '^lookout_(limiter_keys|lookups_total)' | sed 's/^/  /'
  local hit
  hit=$(curl -s -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: same-origin' -H 'Lookout-Fragment: lookup' \
    -H 'X-Forwarded-For: 192.0.2.1' --data-urlencode 'email=ada@example.com' --data-urlencode 'order_number=#1001' "$BASE/track/demo")
  echo "  a shopper's lookup afterwards: $hit"
  summary "  island"
  stop
}

# CPU seconds (user + system) the server has used.
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$PID/stat"; }

webhooks() { # label, connections, serve flags...
  local label=$1 connections=$2; shift 2
  echo "== webhooks ($label): 1 MB deliveries with a wrong signature, $connections connections, 15 s"
  start "$@"
  echo "  before: RSS $(status_of VmRSS) kB"
  sample &
  local sampler=$! cpu out
  cpu=$(cpu_secs)
  out=$(wrk -t2 -c"$connections" -d15s --timeout 10s -s "$ROOT/bench/bad-webhooks.lua" "$BASE" | grep '^RESULT')
  read -r _ n rate p50 p99 statuses errors <<<"$out"
  echo "  $n answers ($rate/s, p50 $p50 ms, p99 $p99 ms) by status: $statuses; socket $errors (connect/read/write/timeout)"
  printf '  server CPU during it: %.2f s\n' "$(awk -v a="$cpu" -v b="$(cpu_secs)" 'BEGIN {print b - a}')"
  touch "$WORK/stop"; wait "$sampler"
  summary "  $label"
  stop
}

all_webhooks() {
  local lifted=(--failed-webhooks-per-shop 1000000000)
  webhooks "default limits" 64
  webhooks "failed-signature limit lifted" 64 "${lifted[@]}"
  webhooks "failed-signature limit lifted, room for unsigned bodies 64 MiB" 400 "${lifted[@]}"
  webhooks "failed-signature limit lifted, room for unsigned bodies 64 GiB" 400 "${lifted[@]}" --unsigned-body-mib 65536
}

# The largest order the limits allow, as one JSONL line: 1,000 items and
# 1,000 shopper events with long words.
largest_order() {
  python3 - <<'PY'
import json
items = [{"id": f"li-{i}", "title": f"Hand-knitted wool socks, pattern {i:04d}, " + "with more words than most titles " * 6,
          "variant": f"Grey / size {i % 5}", "quantity": 1 + i % 3, "price": "249.50",
          "image_url": f"https://cdn.example/img/{i}.jpg", "sku": f"SKU-{i:05d}"} for i in range(1000)]
events = [{"at": f"2026-11-{2 + i // 100:02d}T{i // 4 % 24:02d}:{i % 60:02d}:00Z", "kind": "note", "visibility": "customer",
           "message": f"Step {i}: " + "we are preparing your items and will write again " * 3} for i in range(1000)]
order = {"order_number": "BIG-1", "email": "big@example.com", "placed_at": "2026-11-02T10:15:00Z",
         "updated_at": "2026-11-20T08:00:00Z", "status": "open", "cancel_reason": None, "payment_status": "paid",
         "fulfillment_status": "unfulfilled", "hold_reason": None, "scheduled_at": None, "currency": "NOK",
         "totals": {"subtotal": "499.00", "shipping": "49.00", "tax": "0.00", "discounts": "0.00", "total": "548.00"},
         "line_items": items, "timeline": events, "shipping_address": {"city": "Oslo", "country_code": "NO"}}
print(json.dumps(order))
PY
}

large() {
  local n=${LARGE_REQUESTS:-250}
  echo "== large: $n page posts at once of the largest order, one client"
  largest_order >"$WORK/largest.jsonl"
  local coding
  for coding in identity br; do
    start
    "$BIN" import demo "$WORK/largest.jsonl" >/dev/null
    sleep 0.2  # written by another process: the server's lookups see it within 50 ms
    for _ in $(seq "$n"); do
      printf 'url = "%s/track/demo"\nheader = "Sec-Fetch-Site: same-origin"\nheader = "Accept-Encoding: %s"\ndata = "email=big%%40example.com&order_number=BIG-1"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{size_download}\\n"\nnext\n' \
        "$BASE" "$coding"
    done | sed '$d' >"$WORK/large.cfg"
    echo "  Accept-Encoding: $coding; the view is $(curl -s -H 'Content-Type: application/json' \
      -d '{"email":"big@example.com","order_number":"BIG-1"}' "$BASE/api/v1/shops/demo/lookup" | wc -c) bytes; before: RSS $(status_of VmRSS) kB"
    sample &
    local sampler=$! started
    started=$(date +%s.%N)
    curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$n" -K "$WORK/large.cfg" >"$WORK/large.out"
    printf '  %s requests in %.2f s:' "$n" "$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')"
    awk '{print $1}' "$WORK/large.out" | sort | uniq -c | awk '{printf " %s x %s", $1, $2}'
    printf '; a page made: %s bytes\n' "$(awk '$1 == 200 {print $2; exit}' "$WORK/large.out")"
    touch "$WORK/stop"; wait "$sampler"
    curl -s "$METRICS" | { grep -E '^lookout_renders_busy_total' || true; } | sed 's/^/  /'
    summary "  $coding"
    stop
  done
}

held() {
  echo "== held: HTTP/2 page answers asked for with brotli and never read (a window of zero), one address"
  local connections
  for connections in 10 40; do
    start
    local before
    before=$(status_of VmRSS)
    node "$ROOT/bench/h2-hold.mjs" "$BASE" "$connections" 100 0 >"$WORK/held.out" &
    local holder=$!
    sleep 11  # the holder reports after 10 s (streams beyond 32 a connection wait)
    printf '  %s connections: %s; RSS %.1f MiB before, %.1f MiB held, peak %.1f MiB\n' "$connections" \
      "$(cat "$WORK/held.out")" "$(awk -v k="$before" 'BEGIN {print k / 1024}')" \
      "$(awk -v k="$(status_of VmRSS)" 'BEGIN {print k / 1024}')" "$(awk -v k="$(status_of VmHWM)" 'BEGIN {print k / 1024}')"
    after_send_timeout
    kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true
    stop
  done
  echo "== held: the largest order's JSON lookup under a window of one byte, never read further, one address"
  largest_order >"$WORK/largest.jsonl"
  start
  "$BIN" import demo "$WORK/largest.jsonl" >/dev/null
  sleep 0.2
  echo "  RSS before: $(awk -v k="$(status_of VmRSS)" 'BEGIN {printf "%.1f MiB", k / 1024}')"
  # Three rounds, each holder left running: held answers the server keeps pile up.
  local round holders=()
  for round in 1 2 3; do
    HOLD_BODY='{"email":"big@example.com","order_number":"BIG-1"}' \
      node "$ROOT/bench/h2-hold.mjs" "$BASE" 10 32 1 /api/v1/shops/demo/lookup >"$WORK/held.out" &
    holders+=($!)
    sleep 11
    printf '  round %s, 10 connections: %s; RSS %.1f MiB held, peak %.1f MiB\n' "$round" \
      "$(cat "$WORK/held.out")" "$(awk -v k="$(status_of VmRSS)" 'BEGIN {print k / 1024}')" \
      "$(awk -v k="$(status_of VmHWM)" 'BEGIN {print k / 1024}')"
    after_send_timeout
  done
  kill "${holders[@]}" 2>/dev/null || true; wait "${holders[@]}" 2>/dev/null || true
  stop
}

# Once the default send timeout (30 s) has passed for held answers: RSS, connections closed.
after_send_timeout() {
  sleep 30
  printf '  after the send timeout: RSS %.1f MiB; %s\n' "$(awk -v k="$(status_of VmRSS)" 'BEGIN {print k / 1024}')" \
    "$(curl -s "$METRICS" | { grep -E '^lookout_connections_stalled_total' || echo 'no stalled connections counted'; })"
}

case $WHAT in
  burst) burst ;;
  keys) keys "default limits"; keys "failed-key limit lifted" --failed-auth-per-client 1000000000 ;;
  misses) misses ;;
  links) links ;;
  island) island ;;
  webhooks) all_webhooks ;;
  large) large ;;
  held) held ;;
  all) burst; keys "default limits"; keys "failed-key limit lifted" --failed-auth-per-client 1000000000; misses; links; island
       all_webhooks; large; held ;;
  *) echo "usage: bench/abuse.sh [burst|keys|misses|links|island|webhooks|large|held|all] [misses]" >&2; exit 1 ;;
esac
