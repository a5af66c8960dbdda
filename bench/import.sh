#!/usr/bin/env bash
# Import rate and memory: writes N orders (the example order with new numbers and
# emails) as JSON Lines, or as CSV with two rows (line items) per order, imports
# them into a fresh SQLite database with `lookout import`, and prints the time,
# orders per second and the import's peak RSS.
# Usage: bench/import.sh [orders] [jsonl|csv]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-100000}
FORMAT=${2:-jsonl}
BIN="${LOOKOUT_BIN:-$ROOT/target/release/lookout}"
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
case $FORMAT in jsonl | csv) ;; *) echo "format: jsonl or csv, not $FORMAT" >&2; exit 1 ;; esac
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FILE="$WORK/orders.$FORMAT"
python3 - "$ROOT/fixtures/order-1001.json" "$N" "$FORMAT" > "$FILE" <<'PY'
import csv, json, sys
order = json.load(open(sys.argv[1]))
n, fmt = int(sys.argv[2]), sys.argv[3]
if fmt == "csv":
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["order_number", "email", "placed_at", "currency", "total", "line_item_id",
                  "line_item_title", "quantity", "price", "carrier", "tracking_number", "note"])
for i in range(1, n + 1):
    number, email = f"#I{i:07d}", f"shopper{i}@example.com"
    if fmt == "jsonl":
        order["order_number"], order["email"] = number, email
        print(json.dumps(order, separators=(",", ":")))
        continue
    for k, item in enumerate((order["line_items"] * 2)[:2]):
        out.writerow([number, email, order["placed_at"], order["currency"], order["totals"]["total"],
                      f"li-{k + 1}", item["title"], item["quantity"], item["price"], "PostNord",
                      f"T{i:08d}", "Leave at the door"])
PY
export LOOKOUT_DATABASE_URL="sqlite://$WORK/import.db" RUST_LOG=warn
"$BIN" shop create bench --name Bench >/dev/null
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); file: $N orders as $FORMAT, $(du -h "$FILE" | cut -f1)"
START=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" import bench "$FILE"
END=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'wall clock: {s:.1f} s, {int(sys.argv[3])/s:.0f} orders/s')" "$START" "$END" "$N"
echo "peak RSS: $(awk '{printf "%.1f MiB", $1 / 1024}' "$WORK/rss")"
