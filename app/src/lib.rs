//! Lookout's application crate: the Leptos UI, its server functions, the domain
//! types and the shopper-safe view. Database code is compiled only with `ssr`.

#![recursion_limit = "256"]

// The translations in `locales/`, compiled in; rust-i18n wants them at the crate root.
rust_i18n::i18n!("locales", fallback = "en");

pub mod colour;
pub mod errors;
pub mod format;
pub mod i18n;
pub mod lookup;
pub mod normalize;
pub mod own_words;
pub mod status;
pub mod ui;
pub mod view;

#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod order;
#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod reminder;
#[cfg(feature = "ssr")]
pub mod renders;
#[cfg(feature = "ssr")]
pub mod shares;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod zone;

pub use ui::{not_found_shell, shell, App};
