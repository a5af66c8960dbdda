//! The schema's migrations, compiled in: `build.rs` lists the files of
//! `migrations/sqlite` and `migrations/postgres`, and sqlx's migrator runs them
//! as its `migrate!` macro would (each file's SHA-384 is its checksum, as
//! recorded in `_sqlx_migrations`).

use super::Backend;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use std::future::Future;
use std::pin::Pin;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

#[derive(Debug)]
struct Compiled(&'static [(i64, &'static str, &'static str)]);

impl<'s> MigrationSource<'s> for Compiled {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                let no_tx = sql.starts_with("-- no-transaction");
                Migration::new(version, description.into(), MigrationType::Simple, sql.into(), no_tx)
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// Applies a backend's pending migrations. A SQLite file that holds other
/// tables and none of Lookout's is someone else's database, and is left as
/// it is; a database migrated by a newer version says so.
pub(super) async fn run(backend: Backend, pool: &sqlx::AnyPool) -> Result<(), super::StoreError> {
    if backend == Backend::Sqlite {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .fetch_all(pool)
        .await?;
        if !tables.is_empty() && !tables.iter().any(|t| t == "_sqlx_migrations") {
            let named: Vec<&str> = tables.iter().take(3).map(String::as_str).collect();
            let more = if tables.len() > 3 { ", …" } else { "" };
            return Err(super::StoreError::Foreign(format!("{}{more}", named.join(", "))));
        }
    }
    match migrator(backend).await?.run(pool).await {
        Err(MigrateError::VersionMissing(version)) => Err(super::StoreError::Newer(version)),
        done => Ok(done?),
    }
}

/// The migrator of a backend's migrations.
pub(super) async fn migrator(backend: Backend) -> Result<Migrator, MigrateError> {
    Migrator::new(Compiled(match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_compiled_in_by_version() {
        for (list, dir) in [(SQLITE, "sqlite"), (POSTGRES, "postgres")] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../migrations")
                .join(dir);
            let files = std::fs::read_dir(&dir)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sql"))
                .count();
            assert_eq!(list.len(), files, "{dir:?}");
            assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "in order");
        }
    }
}
