//! The databases a command opens: opened and migrated with errors that say
//! why, and closed when the command ends.

use super::args::Db;
use super::sqlite_folder;
use anyhow::{Context, Result};
use app::store::{shown_url, Store};

/// The stores a command opened, closed when it ends: on SQLite the last
/// connection to close moves the write-ahead log into the database file, so
/// that the file alone (a copy, a backup) holds what the command wrote.
static OPENED: std::sync::Mutex<Vec<Store>> = std::sync::Mutex::new(Vec::new());

pub(super) async fn close_opened() {
    let opened = std::mem::take(&mut *OPENED.lock().unwrap_or_else(|e| e.into_inner()));
    for store in opened.iter().filter(|store| !store.is_closed()) {
        store.close().await;
    }
}

/// Opens the database and applies migrations; a failure here is fatal and says why.
pub(super) async fn open(db: &Db) -> Result<Store> {
    let options = app::store::StoreOptions {
        pool_size: db.database_pool_size,
        lookup_connections: db.database_lookup_connections,
        lookup_url: db.database_lookup_url.clone(),
    };
    let store = Store::connect_with(&db.database_url, &options).await.map_err(|e| {
        // The URL that failed: the lookup database's, when it was that one.
        let url = match (&e, &db.database_lookup_url) {
            (app::store::StoreError::LookupUrl(_), Some(lookup)) => lookup,
            _ => &db.database_url,
        };
        let hint = sqlite_folder::folder_hint(url).map_or_else(String::new, |hint| format!(" ({hint})"));
        anyhow::Error::new(e).context(format!("cannot open the database {}{hint}", shown_url(url)))
    })?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate the database {}", shown_url(&db.database_url)))?;
    OPENED.lock().unwrap_or_else(|e| e.into_inner()).push(store.clone());
    Ok(store)
}

/// The shop with this slug, or an error that says there is none.
pub(super) async fn shop_named(store: &Store, slug: &str) -> Result<app::store::Shop> {
    store
        .shop(slug)
        .await?
        .with_context(|| format!("no shop with the slug {slug:?}"))
}
