//! `lookout import`: write a JSONL or CSV file of orders to a shop, reporting bad lines.

use super::args::Db;
use super::{open, progress_bar};
use anyhow::{Context, Result};

pub(super) async fn import(db: &Db, slug: &str, file: &std::path::Path) -> Result<()> {
    use crate::import::{count_lines, csv_orders, jsonl_orders, write, Format, Parsed};
    // A pipe or a terminal can be read once; a file is read up to three times
    // (its kind, its lines for the bar, a CSV's two passes).
    let meta = std::fs::metadata(file).with_context(|| format!("cannot open {}", file.display()))?;
    if meta.is_dir() {
        anyhow::bail!("{} is a directory; give the file of orders to import", file.display());
    }
    if !meta.is_file() {
        anyhow::bail!(
            "{} is not a file: an import reads its file more than once, so save what a pipe or \
             another command gives to a file first, and import that",
            file.display()
        );
    }
    let format = Format::detect(file)?;
    let reader = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let store = open(db).await?;
    let shop = super::shop_named(&store, slug).await?;
    let started = std::time::Instant::now();
    // Orders are parsed on a thread of their own while earlier ones are written, a
    // bounded number ahead. A CSV is read twice: first for where each order ends
    // (its rows may be anywhere), then for its orders (`import::csv_stream`).
    let (tx, rx) = tokio::sync::mpsc::channel::<Parsed>(1024);
    let send_all = move |parsed: &mut dyn Iterator<Item = Parsed>| {
        for item in parsed {
            if tx.blocking_send(item).is_err() {
                break; // the writer stopped
            }
        }
    };
    let total = match format {
        Format::Jsonl => {
            // Counting the lines is a second pass over the file: only for a bar that shows.
            let lines = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                count_lines(file)?
            } else {
                0
            };
            std::thread::spawn(move || send_all(&mut jsonl_orders(std::io::BufReader::new(reader))));
            lines
        }
        Format::Csv => {
            // The first pass reads the whole file before the first order is written.
            let reading = indicatif::ProgressBar::new_spinner().with_message("reading the file");
            reading.enable_steady_tick(std::time::Duration::from_millis(120));
            let first_pass = csv_orders(std::io::BufReader::new(reader));
            reading.finish_and_clear();
            let mut orders = match first_pass {
                Ok(orders) => orders,
                // The header row refuses the whole file: not one row was read.
                Err(refused) => {
                    eprintln!("line {}: {}", refused.line, refused.reason);
                    anyhow::bail!("the file was refused; nothing was written");
                }
            };
            let total = orders.answers();
            std::thread::spawn(move || send_all(&mut orders));
            total
        }
    };
    let bar = progress_bar(total as u64, "importing");
    let shown = bar.clone();
    // From here (a CSV's first pass, which writes nothing, ends at once):
    // Ctrl-C, SIGTERM (`docker stop`, systemd, `timeout`) and SIGHUP stop the
    // import between two orders, which then says how far it got.
    let mut signals = crate::stopping::StopSignals::listen();
    let interrupted = async move { signals.next().await };
    let summary = write(&store, shop.id, rx, move |n| shown.set_position(n as u64), interrupted).await?;
    bar.finish_and_clear();
    for rejected in &summary.rejected {
        eprintln!("line {}: {}", rejected.line, rejected.reason);
    }
    if summary.more_rejected > 0 {
        eprintln!(
            "... and {} more rejected line(s), not listed (the first {} are)",
            summary.more_rejected,
            crate::import::MAX_REPORTED
        );
    }
    let rejected = summary.rejected_lines();
    let secs = started.elapsed().as_secs_f64();
    say!(
        "{} accepted, {} rejected ({:.1} s, {:.0} orders/s)",
        summary.accepted,
        rejected,
        secs,
        summary.accepted as f64 / secs.max(1e-9)
    )?;
    if let Some(why) = &summary.stopped {
        anyhow::bail!(
            "import stopped: {why}; the {} order(s) accepted are written, the rest of the file is not. \
             Import the file again to write the rest (orders written already are written again, unchanged)",
            summary.accepted
        );
    }
    match (rejected, summary.accepted) {
        (0, 0) => anyhow::bail!("the file has no orders; nothing was written"),
        (0, _) => Ok(()),
        (_, 0) => anyhow::bail!("{rejected} line(s) rejected; nothing was written"),
        (_, accepted) => anyhow::bail!("{rejected} line(s) rejected; the other {accepted} order(s) were written"),
    }
}
