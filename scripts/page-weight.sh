#!/usr/bin/env bash
# Page weight and Lighthouse: builds the release, serves the demo, reports the
# compressed size (gzip and brotli) of everything /track/demo loads, by file type,
# then runs Lighthouse (mobile settings, Debian's Chromium) three times and prints
# the median performance, accessibility and best-practices scores.
# Usage: scripts/page-weight.sh [runs]     (not part of CI: Lighthouse is a large download)
# NO_BUILD=1 measures the binary and site already in target/ without building first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
LIGHTHOUSE_VERSION=12.8.2 # the newest major that runs on Node 20
[ -n "${NO_BUILD:-}" ] || "$ROOT/scripts/build.sh" >/dev/null
command -v brotli >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq brotli >/dev/null || sudo apt-get install -y -qq brotli >/dev/null; }

# shellcheck source=scripts/demo-server.sh
source "$ROOT/scripts/demo-server.sh"
start_demo_server 3998

curl -fs "$BASE/track/demo" -o "$DIR/page.html"
# Everything the page pulls from /pkg (stylesheet, module script, WebAssembly).
mapfile -t ASSETS < <(grep -oE '/pkg/[A-Za-z0-9_.-]+' "$DIR/page.html" | sort -u)
printf '\n%-28s %10s %10s %10s\n' "file" "raw" "gzip -9" "brotli"
declare -A RAW GZ BR
row() { # name file type
  local raw gz br
  raw=$(wc -c <"$2"); gz=$(gzip -9c "$2" | wc -c); br=$(brotli -c -q 11 "$2" | wc -c)
  printf '%-28s %10d %10d %10d\n' "$1" "$raw" "$gz" "$br"
  RAW[$3]=$(( ${RAW[$3]:-0} + raw )); GZ[$3]=$(( ${GZ[$3]:-0} + gz )); BR[$3]=$(( ${BR[$3]:-0} + br ))
}
row "/track/demo (HTML)" "$DIR/page.html" html
for asset in "${ASSETS[@]}"; do
  curl -fs "$BASE$asset" -o "$DIR/asset"
  row "$asset" "$DIR/asset" "${asset##*.}"
done
printf '\n%-10s %10s %10s %10s\n' "type" "raw" "gzip -9" "brotli"
total_raw=0; total_gz=0; total_br=0
for type in "${!RAW[@]}"; do
  printf '%-10s %10d %10d %10d\n' "$type" "${RAW[$type]}" "${GZ[$type]}" "${BR[$type]}"
  total_raw=$((total_raw + RAW[$type])); total_gz=$((total_gz + GZ[$type])); total_br=$((total_br + BR[$type]))
done
printf '%-10s %10d %10d %10d\n\n' "total" "$total_raw" "$total_gz" "$total_br"

FLAGS="--headless=new --no-sandbox --disable-gpu --disable-quic --disable-background-networking --disable-component-update --disable-sync --no-first-run"
for run in $(seq "$RUNS"); do
  CHROME_PATH=/usr/bin/chromium npx --yes "lighthouse@$LIGHTHOUSE_VERSION" "$BASE/track/demo" \
    --quiet --chrome-flags="$FLAGS" --form-factor=mobile \
    --only-categories=performance,accessibility,best-practices \
    --output=json --output-path="$DIR/lh-$run.json" >/dev/null 2>"$DIR/lh-$run.err" || { cat "$DIR/lh-$run.err"; exit 1; }
done
node - "$DIR" "$RUNS" <<'JS'
const [dir, runs] = process.argv.slice(2);
const fs = require('node:fs');
const reports = Array.from({ length: Number(runs) }, (_, i) => JSON.parse(fs.readFileSync(`${dir}/lh-${i + 1}.json`)));
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Lighthouse ${reports[0].lighthouseVersion}, mobile, ${runs} runs (median):`);
for (const id of ['performance', 'accessibility', 'best-practices']) {
  const scores = reports.map((r) => Math.round(r.categories[id].score * 100));
  console.log(`  ${id.padEnd(15)} ${median([...scores])}   (runs: ${scores.join(', ')})`);
}
for (const audit of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift']) {
  console.log(`  ${audit.padEnd(26)} ${median(reports.map((r) => r.audits[audit].numericValue)).toFixed(audit.includes('shift') ? 3 : 0)}`);
}
JS
