# Sourced by the other scripts after setup.sh: puts the right tools first on PATH.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
ROUTE=$(cat "$ROOT/target/.wasm-route" 2>/dev/null || echo native)

# binaryen 132's wasm-opt from npm, ahead of any other (Debian's older one breaks hydration).
export PATH="$ROOT/end2end/node_modules/.bin:$PATH:$CARGO_BIN"
LEPTOS_BUILD_ARGS=()
if [ "$ROUTE" = debian ]; then
  # Debian's rustc-web knows wasm32 but ships no prebuilt standard library for it:
  # build-std compiles it from rust-web-src, which needs RUSTC_BOOTSTRAP on a stable compiler.
  export PATH="/usr/bin:$PATH"
  export RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld
  LEPTOS_BUILD_ARGS=(--lib-cargo-args=-Zbuild-std=std,panic_abort)
fi
export LEPTOS_BUILD_ARGS

# cargo-leptos compiles the server with LEPTOS_OUTPUT_NAME set, which decides the
# WebAssembly file name the pages load. `cargo test` rebuilds the same binary, so it
# must see the same value (and then reuses the same compiled crates).
export LEPTOS_OUTPUT_NAME=lookout
