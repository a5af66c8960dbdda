#!/usr/bin/env bash
# Installs everything Lookout's build and tests need, idempotently: quick when all is there.
#
# WebAssembly: if rustup's wasm32-unknown-unknown target is installed, it is used.
# Otherwise, on Debian, Debian's rustc-web (with the standard library's source,
# built by cargo's build-std) is used, because some machines cannot download
# rustup targets. Elsewhere, `rustup target add wasm32-unknown-unknown` is run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$ROOT/Cargo.lock")
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$PATH:$CARGO_BIN"

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- Debian packages
apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    say "please install: ${missing[*]} (no apt-get here)"; return 1
  fi
  if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

native_wasm_target() {
  local sysroot
  sysroot=$(rustc --print sysroot 2>/dev/null) || return 1
  [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]
}

# Chromium for the end-to-end tests; Node.js and npm for playwright-core and wasm-opt.
if command -v apt-get >/dev/null; then
  apt_install chromium fonts-wqy-zenhei
  # A real PostgreSQL server for the PostgreSQL half of the test suite (scripts/pg.sh).
  apt_install postgresql-15
  # sqlite3: the end-to-end tests age an order link with it.
  apt_install sqlite3
  command -v npm >/dev/null || apt_install nodejs npm
fi

ROUTE=native
if ! native_wasm_target; then
  if command -v apt-get >/dev/null && apt_install rustc-web cargo-web rust-web-src lld; then
    ROUTE=debian
  else
    say "adding rustup's wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
fi
mkdir -p "$ROOT/target"
echo "$ROUTE" > "$ROOT/target/.wasm-route"

# The Debian route builds cargo tools with Debian's newer compiler.
cargo_install() {
  if [ "$ROUTE" = debian ]; then
    PATH="/usr/bin:$PATH" /usr/bin/cargo install "$@"
  else
    cargo install "$@"
  fi
}

# ---- cargo tools, pinned
if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
  # Thin LTO-free build: the published profile's single long LTO link is far slower on small machines.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo_install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match Cargo.lock)"
  # --locked is not used: the CLI's own lock file names a crate version the registry lacks.
  cargo_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# ---- npm packages: playwright-core (drives Debian's Chromium) and binaryen's wasm-opt
if [ ! -f "$ROOT/end2end/node_modules/.setup-stamp" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.setup-stamp" ]; then
  say "installing npm packages for end2end/"
  (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$ROOT/end2end/node_modules/.setup-stamp"
fi

say "ready (WebAssembly route: $ROUTE)"
