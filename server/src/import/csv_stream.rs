//! A CSV file's orders as a stream, in two passes over the file.
//!
//! The rows of one order may be anywhere in the file (docs/import.md). The first
//! pass reads only where each order's last row is: a hash of its key and the
//! byte its last row starts at, 16 bytes an order. The second builds the orders, and hands each one on
//! as soon as its last row is read, keeping its rows no longer. A file whose rows
//! of one order are together (as platforms export them) holds one order's rows at
//! a time, however long the file.

use super::csv_group::{finished, Group, MAX_HELD};
use super::csv_header::{cells_unlike_header, columns, other_separator, row_problem};
use super::csv_rows::{comma_amount, MONEY_COLUMNS};
use super::row_bound::{RowBound, READ_AHEAD};
use super::{Parsed, Rejected};
use csv::{ByteRecord, StringRecord};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::{Read, Seek, SeekFrom};

/// The orders of a CSV file, each as soon as its last row is read; a row that
/// cannot be read, or has no order number, as soon as it is read.
pub struct CsvOrders<R> {
    csv: csv::Reader<RowBound<R>>,
    headers: StringRecord,
    record: ByteRecord,
    /// The order number's column.
    column: usize,
    /// Where each order's last row starts (its byte in the file), by a hash of
    /// its key (the first pass). Bytes, not lines: a file whose lines end in a
    /// lone CR is one line to the parser.
    last_rows: HashMap<u64, u64>,
    /// How many answers the second pass gives: orders, and rows rejected alone.
    answers: usize,
    hasher: RandomState,
    /// Orders whose last row is still to come, by key.
    open: HashMap<String, Group>,
    /// About how much memory the rows of `open` take, and the most they may.
    held: usize,
    held_limit: usize,
    /// Orders still open at the end (the file changed between the passes, or two
    /// keys' hashes met), last first.
    left: Vec<Group>,
    /// The file could not be read on: nothing more comes.
    failed: bool,
    /// What separates the file's cells (a comma, a semicolon or a tab).
    separator: u8,
}

fn reader<R: Read>(input: R, separator: u8) -> csv::Reader<RowBound<R>> {
    csv::ReaderBuilder::new()
        .delimiter(separator)
        // A row of more or fewer fields than the header is read, to be rejected
        // with its order (`row_problem`).
        .flexible(true)
        .trim(csv::Trim::All)
        .buffer_capacity(READ_AHEAD)
        .from_reader(RowBound::new(input))
}

/// After a row (the header row too): the next starts where the parser is.
fn row_done<R: Read>(csv: &mut csv::Reader<RowBound<R>>) {
    let at = csv.position().byte();
    csv.get_mut().row_starts_at(at);
}

/// The line the row read last starts on.
fn row_line<R: Read>(csv: &csv::Reader<RowBound<R>>) -> usize {
    csv.get_ref().last_row_line() as usize
}

/// A row's order number key, from its text even where other fields are not
/// UTF-8 or the row has too few or too many fields.
fn row_key(row: &ByteRecord, column: usize) -> String {
    let text = String::from_utf8_lossy(row.get(column).unwrap_or_default());
    app::normalize::order_number_key(&text).into_owned()
}

/// A row of empty fields only, as spreadsheets leave below their data: skipped.
fn blank(row: &ByteRecord) -> bool {
    row.iter().all(<[u8]>::is_empty)
}

/// Why the file cannot be read on from the row it was reading.
fn unreadable<R: Read>(csv: &csv::Reader<RowBound<R>>, e: &csv::Error) -> Rejected {
    let line = csv.get_ref().row_line() as usize;
    Rejected::new(line, format!("the file cannot be read on from here: {e}"))
}

/// Reads a CSV file with a header row: rows of one order (same `order_number`)
/// make one order; order-level columns come from its first row. A header row
/// that cannot be read, names an unknown column or has no `order_number` refuses
/// the whole file (`Err`, its line 1): no row of it is written. So does a file
/// that cannot be read to its end (a row over 1 MiB, a read that fails: at the
/// line where it stopped) or again from its start.
pub fn csv_orders<R: Read + Seek>(input: R) -> Result<CsvOrders<R>, Rejected> {
    let mut csv = reader(input, b',');
    let separator = match csv.byte_headers() {
        Ok(raw) => other_separator(raw)?,
        Err(e) => return Err(Rejected::new(1, format!("unreadable header row: {e}"))),
    };
    // Read again from the start with the file's own separator.
    if let Some(separator) = separator {
        let mut input = csv.into_inner().into_inner();
        if let Err(e) = input.seek(SeekFrom::Start(0)) {
            return Err(Rejected::new(1, format!("unreadable header row: {e}")));
        }
        csv = reader(input, separator);
    }
    let separator = separator.unwrap_or(b',');
    let raw = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Rejected::new(1, format!("unreadable header row: {e}"))),
    };
    row_done(&mut csv);
    let (headers, column) = columns(&raw, csv.get_ref().last_row_line() as usize)?;
    let hasher = RandomState::new();
    let FirstPass { last_rows, answers } = first_pass(&mut csv, column, headers.len(), separator, &hasher)?;
    let mut input = csv.into_inner().into_inner();
    if let Err(e) = input.seek(SeekFrom::Start(0)) {
        return Err(Rejected::new(1, format!("the file cannot be read a second time: {e}")));
    }
    let mut csv = reader(input, separator);
    // The same header row as the first pass read.
    match csv.headers() {
        Ok(again) if *again == raw => row_done(&mut csv),
        Ok(_) => return Err(Rejected::new(1, format!("the header row {CHANGED}"))),
        Err(e) => return Err(Rejected::new(1, format!("unreadable header row: {e}"))),
    }
    Ok(CsvOrders {
        csv,
        headers,
        record: ByteRecord::new(),
        column,
        last_rows,
        answers,
        hasher,
        open: HashMap::new(),
        held: 0,
        held_limit: MAX_HELD,
        left: Vec::new(),
        failed: false,
        separator,
    })
}

/// What is said of a file whose orders' rows are so far apart that more
/// than [`MAX_HELD`] of them wait for their orders' last rows.
const TOO_FAR_APART: &str = "the rows of this file's orders are too far apart: the rows read so far of orders whose \
     last row is still to come fill 64 MiB; sort the file by order_number and import it again (the orders \
     before this line were written, and are written again unchanged); nothing after this line is read";

/// What is said of a header row that changed between the passes.
const CHANGED: &str = "changed while the file was imported (import the file again)";

/// What the first pass learns.
struct FirstPass {
    last_rows: HashMap<u64, u64>,
    answers: usize,
}

/// The first pass: where each order's last readable row starts, and how many
/// rows will be rejected on their own (the second pass reports them). A file
/// that cannot be read on is refused.
fn first_pass<R: Read>(
    csv: &mut csv::Reader<RowBound<R>>,
    column: usize,
    fields: usize,
    separator: u8,
    hasher: &RandomState,
) -> Result<FirstPass, Rejected> {
    let mut last_rows = HashMap::new();
    let mut alone = 0;
    let mut bytes = ByteRecord::new();
    loop {
        let read = csv.read_byte_record(&mut bytes);
        match read {
            Ok(true) => row_done(csv),
            Ok(false) => break,
            Err(e) if e.is_io_error() => return Err(unreadable(csv, &e)),
            Err(_) => {
                row_done(csv);
                alone += 1;
                continue;
            }
        }
        if blank(&bytes) {
            continue;
        }
        // A row of more or fewer cells than the header's has its values in the
        // wrong columns, its order number too: which order it belongs to cannot be
        // told, and the rest of that order would be written without it.
        if bytes.len() != fields {
            return Err(Rejected::new(
                row_line(csv),
                format!(
                    "{}; the file is refused",
                    cells_unlike_header(bytes.len(), fields, separator)
                ),
            ));
        }
        // As the second pass reads it: a row with a cell that is not UTF-8
        // belongs to its order all the same, which is rejected with it.
        let start = bytes.position().map_or(0, csv::Position::byte);
        let key = row_key(&bytes, column);
        if key.is_empty() {
            alone += 1;
        } else {
            last_rows.insert(hasher.hash_one(key.as_str()), start);
        }
    }
    let answers = last_rows.len() + alone;
    Ok(FirstPass { last_rows, answers })
}

impl<R: Read> CsvOrders<R> {
    /// How many answers the second pass gives, as the first pass found the
    /// file: its orders, and the rows rejected on their own.
    pub fn answers(&self) -> usize {
        self.answers
    }

    /// Orders read in part, waiting for a later row.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.open.len()
    }

    /// The next row, as an answer when it is one on its own (a rejection, or an
    /// order's last row); None at the end of the file.
    fn next_row(&mut self) -> Option<Option<Parsed>> {
        match self.csv.read_byte_record(&mut self.record) {
            Ok(true) => row_done(&mut self.csv),
            Ok(false) => return None,
            Err(e) if e.is_io_error() => {
                // What is still open is not written in part.
                self.failed = true;
                return Some(Some(Err(unreadable(&self.csv, &e))));
            }
            Err(e) => {
                row_done(&mut self.csv);
                let line = row_line(&self.csv);
                return Some(Some(Err(Rejected::new(line, format!("unreadable row: {e}")))));
            }
        }
        if blank(&self.record) {
            return Some(None);
        }
        let start = self.record.position().map_or(0, csv::Position::byte);
        let at = row_line(&self.csv);
        let key = row_key(&self.record, self.column);
        let problem = row_problem(&self.record, &self.headers, self.separator);
        if key.is_empty() {
            let reason = problem.unwrap_or_else(|| "order_number: Enter the order number.".to_string());
            return Some(Some(Err(Rejected::new(at, reason))));
        }
        let row = match problem {
            Some(reason) => Err(Rejected::new(at, reason)),
            None => self
                .headers
                .iter()
                .zip(self.record.iter())
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| {
                    let cell = String::from_utf8_lossy(v).into_owned();
                    // Written where a comma is the decimal mark (the file's
                    // semicolons say so): "1 199,00" is 1199.00.
                    let cell = match self.separator == b';' && MONEY_COLUMNS.contains(&h) {
                        true => comma_amount(&cell).map_err(|reason| Rejected::new(at, format!("{h}: {reason}")))?,
                        false => cell,
                    };
                    Ok((h.to_string(), cell))
                })
                .collect(),
        };
        match self.last_rows.get(&self.hasher.hash_one(key.as_str())) {
            Some(&last) if start < last => {
                self.held += self.open.entry(key).or_insert_with(|| Group::new(at)).add(row);
                if self.held > self.held_limit {
                    // What is still open is not written in part.
                    self.failed = true;
                    return Some(Some(Err(Rejected::new(at, TOO_FAR_APART))));
                }
                Some(None)
            }
            Some(&last) if start == last => {
                let mut group = self.open.remove(&key).unwrap_or_else(|| Group::new(at));
                self.held -= group.held();
                group.add(row);
                Some(Some(finished(group)))
            }
            // Its order was handed on already, or was not in the file then.
            _ => Some(Some(Err(Rejected::new(
                at,
                "the file changed while it was imported: this row was not there when it was first read \
                 (import the file again)",
            )))),
        }
    }
}

impl<R: Read> Iterator for CsvOrders<R> {
    type Item = Parsed;

    fn next(&mut self) -> Option<Parsed> {
        loop {
            if self.failed {
                return None;
            }
            if !self.left.is_empty() {
                return self.left.pop().map(finished);
            }
            match self.next_row() {
                Some(Some(answer)) => return Some(answer),
                Some(None) => {}
                None if self.open.is_empty() => return None,
                None => {
                    // Rows the first pass did not see as last: handed on in file order.
                    self.left = self.open.drain().map(|(_, group)| group).collect();
                    self.left.sort_by_key(|g| std::cmp::Reverse(g.line));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
