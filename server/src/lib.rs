//! The composition root: configuration, the store, the router (Leptos pages, the
//! REST API), and the command line.

pub mod api;
pub mod assets;
pub mod bundle;
pub mod cli;
pub mod compress;
pub mod config;
pub mod console;
pub mod demo;
pub mod embed;
pub mod fallback;
pub mod guard;
pub mod hash_gate;
pub mod health;
pub mod html;
pub mod import;
pub mod keys;
pub mod links;
pub mod mail;
pub mod memory;
pub mod mended;
pub mod metrics;
pub mod page_lane;
pub mod peers;
pub mod placed_body;
pub mod problem;
pub mod refused_form;
pub mod router;
pub mod sending;
pub mod serve;
pub mod settings;
pub mod shopify;
pub mod stopping;
pub mod telemetry;
pub mod token;
pub mod unsigned;
pub mod verified;

mod posted;

pub use router::{app, AppState};
