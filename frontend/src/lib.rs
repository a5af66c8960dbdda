//! The WebAssembly entry point. Pages are server HTML with islands (`#[island]`
//! components in the `app` crate): the script Leptos puts in the page loads this
//! module when the browser is idle, calls `hydrate` and then hydrates each
//! island it finds, nothing else.

// Leptos views are deeply nested types.
#![recursion_limit = "256"]

// Linking the app crate brings in its islands' exported entry points.
pub use app;

/// Called by the page's script once the WebAssembly has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console while developing; a release leaves the
    // formatting code out of the WebAssembly (a panic still stops it).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
