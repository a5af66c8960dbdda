#!/usr/bin/env bash
# Ingest rates through the two HTTP ways in: REST PUTs of new orders (16
# connections, bench/scale.lua) and signed Shopify webhooks (16 connections,
# bench/webhooks.lua: each order created by `orders/create`, then a parcel by
# `fulfillments/create`, then updated by `fulfillments/update`), on SQLite and
# PostgreSQL. The import rate is bench/import.sh's.
# Usage: bench/ingest.sh [seconds per run (10)] [stores (sqlite postgres)]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=${1:-10}
STORES=${2:-sqlite postgres}
ORDERS=1000
bench_machine
echo "store connections mode req/s p50-ms p99-ms requests errors>=400 socket-errors"
for store in $STORES; do
  bench_store "$store"
  "$BIN" demo >/dev/null
  SECRET=bench-webhook-secret-0123456789
  "$BIN" shop rotate-secret demo --secret "$SECRET" >/dev/null
  KEY=$("$BIN" key create demo | grep -o 'lk_[0-9a-f_]*' | head -n1)
  # Enough deliveries that no run sends one twice: three per order.
  python3 - "$BENCH_ROOT/fixtures/shopify" "$SECRET" 60000 > "$WORK/deliveries.tsv" <<'PY'
import base64, hashlib, hmac, json, sys
root, secret, orders = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
order = json.load(open(f"{root}/order.json"))
fulfillment = json.load(open(f"{root}/fulfillment.json"))
def line(topic, body):
    raw = json.dumps(body, separators=(",", ":")).encode()
    sig = base64.b64encode(hmac.new(secret, raw, hashlib.sha256).digest()).decode()
    return f"{topic}\t{sig}\t{raw.decode()}"
for i in range(1, orders // 3 + 1):
    order["id"], order["name"] = 10**9 + i, f"#W{i:07d}"
    print(line("orders/create", order))
    fulfillment["id"], fulfillment["order_id"], fulfillment["name"] = 10**9 + i, 10**9 + i, f"#W{i:07d}.1"
    fulfillment["shipment_status"], fulfillment["updated_at"] = "in_transit", "2026-11-03T09:00:00-05:00"
    print(line("fulfillments/create", fulfillment))
    fulfillment["shipment_status"], fulfillment["updated_at"] = "delivered", "2026-11-04T09:00:00-05:00"
    print(line("fulfillments/update", fulfillment))
PY
  bench_serve
  echo "$store 16 $(KEY=$KEY bench_wrk ingest 16)"
  echo "$store 16 $(DELIVERIES="$WORK/deliveries.tsv" THREADS=$WRK_THREADS \
    bench_load wrk -t"$WRK_THREADS" -c16 -d"${DURATION}s" --timeout 10s -s "$BENCH_ROOT/bench/webhooks.lua" "$BASE" | grep '^RESULT')"
  echo "peak RSS: $(( $(bench_server_rss) / 1024 )) MiB"
  bench_stop_server
  [ "$store" = postgres ] && pg_stop
done
