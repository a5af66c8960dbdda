//! `lookout import SHOP FILE`: orders from a file, each in its own transaction.
//!
//! JSONL: one API order body (docs/api.md) per line. CSV: one row per line item,
//! rows of one order grouped by `order_number` (see docs/import.md for the
//! columns). A line that cannot become a valid order is reported with its line
//! number and reason and written nowhere; the others go on.

mod csv_group;
mod csv_header;
mod csv_rows;
mod csv_stream;
mod jsonl;
mod row_bound;

pub use csv_rows::CSV_COLUMNS;
pub use csv_stream::{csv_orders, CsvOrders};
pub use jsonl::{count_lines, jsonl_orders, read_jsonl};

use anyhow::{Context, Result};
use app::errors::FieldError;
use app::order::ValidOrder;
use app::store::{Store, StoreError};
use std::io::Read;
use std::path::Path;

/// The file formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// From the file name (`.jsonl`, `.ndjson`, `.csv`), else from the first byte
    /// that is not white space (`{` is JSONL).
    pub fn detect(path: &Path) -> Result<Format> {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut start = [0u8; 2];
        let read = file
            .take(2)
            .read(&mut start)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if read == 2 && matches!(start, [0xFF, 0xFE] | [0xFE, 0xFF]) {
            anyhow::bail!("{}: {}", path.display(), csv_header::UTF16);
        }
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => return Ok(Format::Jsonl),
            Some("csv") => return Ok(Format::Csv),
            _ => {}
        }
        // Only up to the first byte that is not white space is read.
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut bytes = std::io::BufReader::new(file).bytes();
        // (A UTF-8 byte-order mark is not looked at.)
        let first = bytes
            .find(|b| {
                !b.as_ref()
                    .is_ok_and(|b| b.is_ascii_whitespace() || jsonl::BOM.contains(b))
            })
            .transpose()
            .with_context(|| format!("cannot read {}", path.display()))?;
        match first {
            // `[`: a JSON array, which the JSON Lines reader names as one.
            Some(b'{' | b'[') => Ok(Format::Jsonl),
            _ => Ok(Format::Csv),
        }
    }
}

/// One problem: where it is in the file and why.
/// Ordered by line first: the report lists the first lines of a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

impl Rejected {
    /// A rejection with its reason clipped to [`MAX_REASON`] bytes as soon as it
    /// is made (a reason may quote a whole value of the line), so rejections
    /// waiting to be counted hold little memory however long the lines.
    pub fn new(line: usize, reason: impl AsRef<str>) -> Rejected {
        let reason = app::normalize::clip(reason.as_ref(), MAX_REASON).to_string();
        Rejected { line, reason }
    }
}

/// An order ready to write, or why its line cannot be one.
pub type Parsed = std::result::Result<(usize, ValidOrder), Rejected>;

/// A line's field errors as one reason.
fn reasons(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// How many rejected lines an import reports one by one; the rest are counted.
pub const MAX_REPORTED: usize = 1_000;
/// How much of a rejection's reason is kept (a reason may quote the line's values).
const MAX_REASON: usize = 400;

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    pub accepted: usize,
    /// The first [`MAX_REPORTED`] rejected lines, by line number.
    pub rejected: Vec<Rejected>,
    /// Rejected lines beyond those.
    pub more_rejected: usize,
    /// Why the import stopped before the end of the file, if it did (the
    /// database failed, or it was interrupted): the orders accepted are written.
    pub stopped: Option<String>,
    /// The rejections kept so far, the latest line on top (`finish` sorts them into `rejected`).
    kept: std::collections::BinaryHeap<Rejected>,
}

impl Summary {
    /// How many lines were rejected in all.
    pub fn rejected_lines(&self) -> usize {
        self.rejected.len() + self.kept.len() + self.more_rejected
    }

    /// Keeps a rejection to report, or counts it when enough are kept: a file
    /// of bad lines holds no more memory than a good one. Rejections may come
    /// out of line order (a CSV order is answered at its last row); those kept
    /// are the first lines of the file, whatever the order they came in.
    fn reject(&mut self, rejected: Rejected) {
        self.kept.push(rejected);
        if self.kept.len() > MAX_REPORTED {
            // The latest line kept makes room.
            self.kept.pop();
            self.more_rejected += 1;
        }
    }

    /// The rejections kept, by line.
    fn finish(mut self) -> Summary {
        self.rejected = std::mem::take(&mut self.kept).into_sorted_vec();
        self
    }
}

/// Writes each parsed order in its own transaction as it arrives; a stale or
/// failing write is that line's rejection. `progress` is told how many orders
/// (and rejected lines) are done. A database that fails, or `stop` (Ctrl-C),
/// ends the import with what it did so far (`Summary::stopped`).
pub async fn write(
    store: &Store,
    shop_id: i64,
    mut parsed: tokio::sync::mpsc::Receiver<Parsed>,
    progress: impl Fn(usize),
    stop: impl std::future::Future<Output = ()>,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut writer = store
        .writer()
        .await
        .context("the database failed; nothing was imported")?;
    let mut done = 0;
    tokio::pin!(stop);
    loop {
        let item = tokio::select! {
            item = parsed.recv() => item,
            () = &mut stop => {
                summary.stopped = Some("interrupted".to_string());
                break;
            }
        };
        let Some(item) = item else { break };
        done += 1;
        match item {
            Ok((line, order)) => match writer.put_order(shop_id, order).await {
                Ok(_) => summary.accepted += 1,
                Err(StoreError::Stale) => summary.reject(Rejected::new(
                    line,
                    "updated_at: the stored order is newer than this line",
                )),
                Err(StoreError::Database(e)) => {
                    summary.stopped = Some(format!("the database failed at line {line} ({e})"));
                    break;
                }
                Err(StoreError::Invalid(errors)) => summary.reject(Rejected::new(line, reasons(&errors))),
                Err(e) => summary.reject(Rejected::new(line, e.to_string())),
            },
            Err(rejected) => summary.reject(rejected),
        }
        progress(done);
    }
    Ok(summary.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_are_kept_up_to_a_limit_with_their_reasons_clipped_and_the_rest_counted() {
        let mut summary = Summary::default();
        let long = "x".repeat(10_000);
        for line in 1..=MAX_REPORTED + 5 {
            summary.reject(Rejected::new(line, &long));
        }
        let summary = summary.finish();
        assert_eq!(summary.rejected.len(), MAX_REPORTED);
        assert_eq!(summary.more_rejected, 5);
        assert_eq!(summary.rejected_lines(), MAX_REPORTED + 5);
        assert!(summary.rejected.iter().all(|r| r.reason.len() == MAX_REASON));
        assert_eq!(summary.rejected.last().map(|r| r.line), Some(MAX_REPORTED));
        // Clipped on a character's boundary: 133 euro signs of 3 bytes each.
        let euros = Rejected::new(1, "€".repeat(1_000)).reason;
        assert_eq!(euros, "€".repeat(MAX_REASON / 3));
    }

    #[test]
    fn the_first_lines_are_reported_whatever_the_order_they_come_in() {
        let mut summary = Summary::default();
        for line in (1..=MAX_REPORTED + 500).rev() {
            summary.reject(Rejected::new(line, "bad"));
        }
        assert_eq!(summary.rejected_lines(), MAX_REPORTED + 500);
        let summary = summary.finish();
        let lines: Vec<usize> = summary.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, (1..=MAX_REPORTED).collect::<Vec<_>>());
        assert_eq!(summary.more_rejected, 500);
    }
}
