//! The server's integration tests over real HTTP, in one test binary: one link
//! and one copy of the shared helpers (`common`) instead of one per file. The
//! metrics tests stay a binary of their own (`tests/metrics.rs`): the recorder is
//! per process.

#[path = "../common/mod.rs"]
mod common;

mod api;
mod api_problems;
mod api_write_limits;
mod auth;
mod bundle;
mod cli;
mod cli_demo;
mod cli_import;
mod cli_keys;
mod cli_migrate;
mod cli_settings;
mod cluster;
mod console;
mod console_account;
mod console_addresses;
mod console_browsers;
mod console_changes;
mod console_days_csv;
mod console_erase;
mod console_first_steps;
mod console_forgot;
mod console_forms;
mod console_invite;
mod console_language;
mod console_notes;
mod console_pages;
mod console_password_link;
mod console_sessions;
mod console_settings;
mod console_shopify;
mod console_shopper_orders;
mod console_sign_in_mail;
mod console_team;
mod console_times;
mod console_widget;
mod cross_site;
mod embed;
mod form_bodies;
mod hash_lanes;
mod housekeeping;
mod languages;
mod lifecycle;
mod limits;
mod logs;
mod lookup_island;
mod lookup_typing;
mod mail_refused;
mod openapi;
mod openapi_answers;
mod openapi_limits;
mod order_link_pages;
mod order_links;
mod outbox;
mod page;
mod page_headers;
mod page_words;
mod platform_mess;
mod routers;
mod serve_process;
mod shop_contact;
mod shop_logo;
mod shop_time_zone;
mod timeouts;
mod webhook_erased;
mod webhook_fit;
mod webhook_ids;
mod webhook_limits;
mod webhook_rivals;
mod webhook_words;
mod webhooks;
