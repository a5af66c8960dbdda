//! One order's rows in a CSV file's second pass, held until its last row is
//! read, and what holding them costs.

use super::csv_rows::csv_order;
use super::{reasons, Parsed, Rejected};
use app::order::{LIMITS, MAX_BODY_BYTES};
use std::collections::HashMap;

/// The most memory, about, that the rows of orders still waiting for their
/// last rows may take at once: 64 MiB. A file whose orders' rows lie further
/// apart is refused where it passes that (`csv_stream.rs`), rather than read
/// into memory whole.
pub(super) const MAX_HELD: usize = 64 * 1024 * 1024;

/// About what a row kept costs beyond its text: its map, and each cell's two
/// strings and place in the map.
const ROW_COST: usize = 128;
const CELL_COST: usize = 160;

/// One order's rows so far: the line of its first, its rows (no more than an
/// order may have line items, and one; no more text than an order's body may
/// hold), how many there were and how much text, and the first of them that
/// could not be read (the order is then rejected whole).
pub(super) struct Group {
    pub(super) line: usize,
    rows: Vec<HashMap<String, String>>,
    count: usize,
    bytes: usize,
    unreadable: Option<Rejected>,
    /// About how much memory its rows kept take.
    held: usize,
}

impl Group {
    pub(super) fn new(line: usize) -> Group {
        Group {
            line,
            rows: Vec::new(),
            count: 0,
            bytes: 0,
            unreadable: None,
            held: 0,
        }
    }

    /// Adds a row, or the reason it could not be read (its order's first such
    /// is kept); about how much more memory the order's rows take now.
    pub(super) fn add(&mut self, row: Result<HashMap<String, String>, Rejected>) -> usize {
        self.count += 1;
        let before = self.held;
        match row {
            Ok(row) => {
                let text = row.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
                self.bytes += text;
                if self.rows.len() <= LIMITS.line_items && self.bytes <= MAX_BODY_BYTES {
                    self.held += ROW_COST + text + CELL_COST * row.len();
                    self.rows.push(row);
                }
            }
            Err(unreadable) if self.unreadable.is_none() => {
                self.held += ROW_COST + unreadable.reason.len();
                self.unreadable = Some(unreadable);
            }
            Err(_) => {}
        }
        self.held - before
    }

    /// About how much memory its rows take.
    pub(super) fn held(&self) -> usize {
        self.held
    }
}

/// A whole order's rows as an order to write, or why they cannot be one.
pub(super) fn finished(
    Group {
        line,
        rows,
        count,
        bytes,
        unreadable,
        ..
    }: Group,
) -> Parsed {
    // Its other rows alone would be an order in part: a parcel or an item missing.
    if let Some(Rejected { line, reason }) = unreadable {
        return Err(Rejected::new(
            line,
            format!("{reason}; this row's order is not written (none of its rows)"),
        ));
    }
    if count > LIMITS.line_items {
        let limit = LIMITS.line_items;
        return Err(Rejected::new(
            line,
            format!("line_items: {count} rows for this order; an order has at most {limit} line items"),
        ));
    }
    if bytes > MAX_BODY_BYTES {
        return Err(Rejected::new(
            line,
            format!(
                "this order's rows hold {bytes} bytes of text; an order holds at most {MAX_BODY_BYTES} \
                 (1 MiB, the API's limit for one order)"
            ),
        ));
    }
    csv_order(&rows)
        .map(|order| (line, order))
        .map_err(|errors| Rejected::new(line, reasons(&errors)))
}
