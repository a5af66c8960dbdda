//! The WebAssembly entry point: it only hydrates the server-rendered page.

// Leptos views are deeply nested types.
#![recursion_limit = "256"]

/// Called by the generated JavaScript once the WebAssembly has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
