//! `lookout backup FILE` and `lookout restore FILE`: a SQLite database copied
//! out while servers run, and put back while none do (`app::store::backup`).
//! Ctrl-C, SIGTERM or SIGHUP stop either: what it was writing is removed, and
//! a restore changes nothing.

use super::args::Db;
use super::open;
use anyhow::{Context, Result};
use app::store::backup::{self, BackupError, Held, Stop};
use app::store::shown_url;
use std::path::PathBuf;

/// Writes a checked backup of the database to `out`.
pub(super) async fn back_up(db: &Db, out: PathBuf) -> Result<()> {
    let url = db.database_url.clone();
    let shown = out.clone();
    let held = stoppable(move |stop| backup::back_up(&url, &out, stop))
        .await
        .with_context(|| format!("cannot back up {}", shown_url(&db.database_url)))?;
    let out = std::path::absolute(&shown).unwrap_or(shown);
    say!(
        "Backed up {} to {}: {}, checked.",
        shown_url(&db.database_url),
        out.display(),
        holding(&held)
    )?;
    say!("Only this user may read it: it holds shoppers' addresses and the server's secrets.")?;
    Ok(())
}

/// Puts the backup `from` in place of the database.
pub(super) async fn restore(db: &Db, from: PathBuf) -> Result<()> {
    let url = db.database_url.clone();
    let shown = from.clone();
    let restored = stoppable(move |stop| backup::restore(&url, &from, stop))
        .await
        .with_context(|| {
            format!(
                "cannot restore {} into {}",
                shown.display(),
                shown_url(&db.database_url)
            )
        })?;
    say!(
        "Restored {} into {}: {}, checked.",
        shown.display(),
        shown_url(&db.database_url),
        holding(&restored.held)
    )?;
    if let Some(kept) = &restored.kept {
        say!(
            "The database as it was is kept at {} (only this user may read it): delete it once the restored one is right.",
            kept.display()
        )?;
    }
    say!("Everyone signed in to the console signs in again, and password links not yet used must be asked again.")?;
    say!("API keys and team members are as they were when the backup was made: revoke again any key revoked since.")?;
    if restored.older {
        say!("The backup is of an older version of Lookout: the server migrates it when it starts.")?;
    }
    erase_again(db, &restored).await
}

/// Erases again the orders erased after the backup was made, which it brought
/// back; said, and left to be erased by hand, when the backup is older (its
/// database is migrated first).
async fn erase_again(db: &Db, restored: &backup::Restored) -> Result<()> {
    if restored.erased_since.is_empty() {
        return Ok(());
    }
    let named = |(_, slug, key): &(i64, String, String)| format!("{slug} {key}");
    let listed: Vec<String> = restored.erased_since.iter().map(named).collect();
    if restored.older {
        say!(
            "Orders erased after the backup was made are in it again; erase them again once a server has migrated it \
             (the console's support view, or the API's DELETE): {}",
            listed.join(", ")
        )?;
        return Ok(());
    }
    let store = open(db).await?;
    let by = app::store::By::Operator;
    for (shop, _, key) in &restored.erased_since {
        store
            .erase_order(*shop, key, app::store::Guard::Nothing, &by)
            .await
            .with_context(|| format!("cannot erase again order {key}, erased after the backup was made"))?;
    }
    say!(
        "Erased again, as they were erased after the backup was made: {}",
        listed.join(", ")
    )?;
    Ok(())
}

/// Runs `work` off the runtime, stopped by Ctrl-C, SIGTERM or SIGHUP.
async fn stoppable<T: Send + 'static>(
    work: impl FnOnce(&Stop) -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    let stop = Stop::default();
    let mut running = tokio::task::spawn_blocking({
        let stop = stop.clone();
        move || work(&stop)
    });
    let mut signals = crate::stopping::StopSignals::listen();
    let done = tokio::select! {
        done = &mut running => done,
        () = signals.next() => {
            stop.now();
            running.await
        }
    };
    done.unwrap_or(Err(BackupError::Stopped))
}

fn holding(held: &Held) -> String {
    format!(
        "{} {}, {} {}, {:.1} MB",
        held.shops,
        if held.shops == 1 { "shop" } else { "shops" },
        held.orders,
        if held.orders == 1 { "order" } else { "orders" },
        held.bytes as f64 / 1e6
    )
}
