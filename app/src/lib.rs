//! Lookout's application crate: the Leptos UI, its server functions, the domain
//! types and the shopper-safe view. Database code is compiled only with `ssr`.

#![recursion_limit = "256"]

pub mod errors;
pub mod lookup;
pub mod normalize;
pub mod status;
pub mod ui;
pub mod view;

#[cfg(feature = "ssr")]
pub mod order;
#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod store;

pub use ui::{shell, App};
