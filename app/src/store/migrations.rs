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
/// it is; so is a PostgreSQL database whose text is not UTF-8 (a migration
/// would fail halfway on the first character outside its encoding); a
/// database migrated by a newer version says so.
pub(super) async fn run(backend: Backend, pool: &sqlx::AnyPool) -> Result<(), super::StoreError> {
    if backend == Backend::Postgres {
        let encoding: String = sqlx::query_scalar("SELECT current_setting('server_encoding')")
            .fetch_one(pool)
            .await?;
        if encoding != "UTF8" {
            return Err(super::StoreError::NotUtf8(encoding));
        }
    }
    if backend == Backend::Sqlite {
        let tables: Vec<String> = sqlx::query_scalar(SQLITE_TABLES).fetch_all(pool).await?;
        if let Some(named) = foreign(&tables) {
            return Err(super::StoreError::Foreign(named));
        }
    }
    let migrator = migrator(backend).await?;
    let mut tries = 0;
    loop {
        match migrator.run(pool).await {
            Err(MigrateError::VersionMissing(version)) => return Err(super::StoreError::Newer(version)),
            // Another process migrating the same new SQLite file at this moment
            // (servers started together, `lookout demo` beside one; PostgreSQL's
            // migrations take a lock, SQLite's do not): its migration came first
            // and this one's was rolled back whole, so it is tried again, and is
            // then found applied. A migration that fails by itself fails again.
            Err(MigrateError::ExecuteMigration(..) | MigrateError::Execute(_))
                if backend == Backend::Sqlite && tries < RACED_TRIES =>
            {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * tries)).await;
            }
            done => return Ok(done?),
        }
    }
}

/// How many times a SQLite migration that failed is tried again (see `run`).
const RACED_TRIES: u64 = 5;

/// The tables of a SQLite database (not SQLite's own), by name.
pub(super) const SQLITE_TABLES: &str =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

/// A SQLite database's `tables` named (the first three), when they are
/// another program's: there are some, and none is Lookout's.
pub(super) fn foreign(tables: &[String]) -> Option<String> {
    if tables.is_empty() || tables.iter().any(|t| t == "_sqlx_migrations") {
        return None;
    }
    let named: Vec<&str> = tables.iter().take(3).map(String::as_str).collect();
    let more = if tables.len() > 3 { ", …" } else { "" };
    Some(format!("{}{more}", named.join(", ")))
}

/// Whether this version has the SQLite migration `version`.
pub(super) fn sqlite_has(version: i64) -> bool {
    SQLITE.iter().any(|&(v, ..)| v == version)
}

/// This version's newest SQLite migration.
pub(super) fn newest_sqlite() -> i64 {
    SQLITE.last().map_or(0, |&(v, ..)| v)
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

    /// The languages accounts chose survive the migrations that let them
    /// choose more (on SQLite each makes the column again), and the
    /// database then takes those and still refuses others.
    #[tokio::test]
    async fn chosen_languages_survive_the_migration_that_adds_languages() {
        let after = [("fr", true), ("ja", true), ("pt", true), ("fi", false), ("FR", false)];
        languages_survive(20261225000001, ("de", "fr"), &after).await;
    }

    #[tokio::test]
    async fn chosen_languages_survive_the_migration_that_adds_traditional_chinese() {
        let after = [
            ("zh-Hant", true),
            ("zh", true),
            ("zh-hant", false),
            ("zh-TW", false),
            ("zh-Hans", false),
        ];
        languages_survive(20261228000001, ("zh", "zh-Hant"), &after).await;
    }

    /// Migrates a new database to just before `wider`, with an account that
    /// chose `chosen` and one that chose none, checks that `new` is refused
    /// there, migrates the rest and checks what is kept and what is `taken`.
    async fn languages_survive(wider: i64, (chosen, new): (&str, &str), taken: &[(&str, bool)]) {
        let (_dir, url) = crate::store::tests::empty_at().await;
        let store = crate::store::Store::connect(&url).await.unwrap();
        let mut before = migrator(store.backend()).await.unwrap();
        let all = before.migrations.to_vec();
        assert!(all.iter().any(|m| m.version == wider), "{wider} is a migration");
        before.migrations = all
            .iter()
            .filter(|m| m.version < wider)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        before.run(&store.pool).await.unwrap();
        for (n, (email, locale)) in [("chose@example.com", Some(chosen)), ("none@example.com", None)]
            .into_iter()
            .enumerate()
        {
            sqlx::query("INSERT INTO users (id, email, created_at, locale) VALUES ($1, $2, $3, $4)")
                .bind(n as i64 + 1)
                .bind(email)
                .bind("2026-12-01T00:00:00Z")
                .bind(locale)
                .execute(&store.pool)
                .await
                .unwrap();
        }
        let early = sqlx::query("UPDATE users SET locale = $1 WHERE id = 2")
            .bind(new)
            .execute(&store.pool)
            .await;
        assert!(early.is_err(), "{new} not before it");

        store.migrate().await.unwrap();
        let kept: Vec<(String, Option<String>)> = sqlx::query_as("SELECT email, locale FROM users ORDER BY id")
            .fetch_all(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            kept,
            [
                ("chose@example.com".to_string(), Some(chosen.to_string())),
                ("none@example.com".to_string(), None)
            ]
        );
        for &(code, taken) in taken {
            let written = sqlx::query("UPDATE users SET locale = $1 WHERE id = 2")
                .bind(code)
                .execute(&store.pool)
                .await;
            assert_eq!(written.is_ok(), taken, "{code}");
        }
    }

    /// Servers and commands started at the same moment on one new database
    /// (a container's first start: `lookout demo` beside `lookout serve`)
    /// each migrate it, and each start (SQLite's migrations are not locked
    /// as PostgreSQL's are: one that loses the race is tried again).
    #[tokio::test]
    async fn several_stores_migrating_one_new_database_at_once_all_start() {
        for _ in 0..3 {
            let (_dir, url) = crate::store::tests::empty_at().await;
            let starts = (0..4).map(|_| {
                let url = url.clone();
                tokio::spawn(async move {
                    let store = crate::store::Store::connect(&url)
                        .await
                        .map_err(|e| format!("connect: {e:?}"))?;
                    store.migrate().await.map_err(|e| format!("migrate: {e:?}"))?;
                    store.close().await;
                    Ok::<_, String>(())
                })
            });
            for start in starts.collect::<Vec<_>>() {
                start.await.unwrap().unwrap();
            }
        }
    }
}
