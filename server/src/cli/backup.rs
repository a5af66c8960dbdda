//! `lookout backup FILE` and `lookout restore FILE`: a SQLite database copied
//! out while servers run, and put back while none do (`app::store::backup`).
//! Ctrl-C, SIGTERM or SIGHUP stop either: what it was writing is removed, and
//! a restore changes nothing.

use super::args::Db;
use anyhow::{Context, Result};
use app::store::backup::{self, BackupError, Held, Stop};
use app::store::shown_url;
use std::path::PathBuf;

/// Writes a checked backup of the database to `out`.
pub(super) async fn back_up(db: &Db, out: PathBuf) -> Result<()> {
    let stop = Stop::default();
    let held = stoppable(&stop, backup::back_up(&db.database_url, &out, &stop))
        .await
        .with_context(|| format!("cannot back up {}", shown_url(&db.database_url)))?;
    let out = std::path::absolute(&out).unwrap_or(out);
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
    let stop = Stop::default();
    let restored = stoppable(&stop, backup::restore(&db.database_url, &from, &stop))
        .await
        .with_context(|| format!("cannot restore {} into {}", from.display(), shown_url(&db.database_url)))?;
    say!(
        "Restored {} into {}: {}, checked.",
        from.display(),
        shown_url(&db.database_url),
        holding(&restored.held)
    )?;
    if let Some(kept) = &restored.kept {
        say!(
            "The database as it was is kept at {} (only this user may read it): delete it once the restored one is right.",
            kept.display()
        )?;
    }
    say!("Everyone signed in to the console must sign in again; password links not yet used must be requested again.")?;
    say!(
        "API keys, team members, shop settings and webhook secrets are as they were when the backup was made: \
         revoke again any key revoked since, and rotate again any secret rotated since."
    )?;
    if !restored.erased_again.is_empty() {
        let listed: Vec<String> = restored
            .erased_again
            .iter()
            .map(|order| format!("{} #{}", order.slug, order.key))
            .collect();
        say!(
            "Erased again, as they were erased after the backup was made: {}",
            listed.join(", ")
        )?;
    }
    if restored.older {
        let when = match restored.migrated {
            false => "the server migrates it to this version when it next starts",
            true => "it was migrated to this version to erase orders again in it",
        };
        say!("The backup was made by an older version of Lookout: {when}.")?;
    }
    Ok(())
}

/// Runs `work`; Ctrl-C, SIGTERM or SIGHUP ask it to stop (`stop`), and it ends as it can.
async fn stoppable<T>(
    stop: &Stop,
    work: impl std::future::Future<Output = Result<T, BackupError>>,
) -> Result<T, BackupError> {
    let mut signals = crate::stopping::StopSignals::listen();
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => done,
        () = signals.next() => {
            stop.now();
            work.await
        }
    }
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
