#!/usr/bin/env bash
# Import rate: writes N orders as JSON Lines (the example order with new numbers
# and emails), imports them into a fresh SQLite database with `lookout import`,
# and prints the time and orders per second. Usage: bench/import.sh [orders]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-100000}
BIN="$ROOT/target/release/lookout"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROOT/fixtures/order-1001.json" "$N" > "$WORK/orders.jsonl" <<'PY'
import json, sys
order = json.load(open(sys.argv[1]))
for i in range(1, int(sys.argv[2]) + 1):
    order["order_number"] = f"#I{i:07d}"
    order["email"] = f"shopper{i}@example.com"
    print(json.dumps(order, separators=(",", ":")))
PY
export LOOKOUT_DATABASE_URL="sqlite://$WORK/import.db" RUST_LOG=warn
"$BIN" shop create bench --name Bench >/dev/null
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); file: $N orders, $(du -h "$WORK/orders.jsonl" | cut -f1)"
START=$(date +%s.%N)
"$BIN" import bench "$WORK/orders.jsonl"
END=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'wall clock: {s:.1f} s, {int(sys.argv[3])/s:.0f} orders/s')" "$START" "$END" "$N"
