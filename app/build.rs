//! Rebuilds the crate when a translation changes: rust-i18n reads
//! `locales/*.yml` at compile time, and cargo does not track those files itself.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
