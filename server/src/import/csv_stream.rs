//! A CSV file's orders as a stream, in two passes over the file.
//!
//! The rows of one order may be anywhere in the file (docs/import.md). The first
//! pass reads only where each order's last row is: a hash of its key and a line
//! number, 16 bytes an order. The second builds the orders, and hands each one on
//! as soon as its last row is read, keeping its rows no longer. A file whose rows
//! of one order are together (as platforms export them) holds one order's rows at
//! a time, however long the file.

use super::csv_rows::{csv_order_input, CSV_COLUMNS};
use super::{reasons, Parsed, Rejected};
use app::order::{validate, LIMITS};
use csv::{ByteRecord, StringRecord};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::{Read, Seek, SeekFrom};

/// One order's rows so far: the line of its first, its rows (no more than an
/// order may have line items, and one) and how many there were.
struct Group {
    line: usize,
    rows: Vec<HashMap<String, String>>,
    count: usize,
}

impl Group {
    fn new(line: usize) -> Group {
        Group {
            line,
            rows: Vec::new(),
            count: 0,
        }
    }

    fn add(&mut self, row: HashMap<String, String>) {
        self.count += 1;
        if self.rows.len() <= LIMITS.line_items {
            self.rows.push(row);
        }
    }
}

/// The orders of a CSV file, each as soon as its last row is read; a row that
/// cannot be read, or has no order number, as soon as it is read.
pub struct CsvOrders<R> {
    csv: csv::Reader<R>,
    headers: StringRecord,
    record: StringRecord,
    /// The line of each order's last row, by a hash of its key (the first pass).
    last_rows: HashMap<u64, u64>,
    hasher: RandomState,
    /// Orders whose last row is still to come, by key.
    open: HashMap<String, Group>,
    /// Orders still open at the end (the file changed between the passes, or two
    /// keys' hashes met), last first.
    left: Vec<Group>,
}

fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(input)
}

/// Reads a CSV file with a header row: rows of one order (same `order_number`)
/// make one order; order-level columns come from its first row. A header row
/// that cannot be read, names an unknown column or has no `order_number` refuses
/// the whole file (`Err`, its line 1): no row of it is read. A file that cannot
/// be read again from its start is refused the same way.
pub fn csv_orders<R: Read + Seek>(input: R) -> Result<CsvOrders<R>, Rejected> {
    let mut csv = reader(input);
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Rejected::new(1, format!("unreadable header row: {e}"))),
    };
    if let Some(unknown) = headers.iter().find(|h| !CSV_COLUMNS.contains(h)) {
        return Err(Rejected::new(
            1,
            format!("unknown column {unknown:?} (columns: {})", CSV_COLUMNS.join(", ")),
        ));
    }
    let Some(column) = headers.iter().position(|h| h == "order_number") else {
        return Err(Rejected::new(1, "the header row has no order_number column"));
    };
    let hasher = RandomState::new();
    let last_rows = last_rows(&mut csv, column, &hasher);
    let mut input = csv.into_inner();
    if let Err(e) = input.seek(SeekFrom::Start(0)) {
        return Err(Rejected::new(1, format!("the file cannot be read a second time: {e}")));
    }
    let mut csv = reader(input);
    // The same header row as the first pass read (skipped here).
    if let Err(e) = csv.headers() {
        return Err(Rejected::new(1, format!("unreadable header row: {e}")));
    }
    Ok(CsvOrders {
        csv,
        headers,
        record: StringRecord::new(),
        last_rows,
        hasher,
        open: HashMap::new(),
        left: Vec::new(),
    })
}

/// The first pass: the line of each order's last readable row. Rows that cannot
/// be read are left to the second pass to report.
fn last_rows<R: Read>(csv: &mut csv::Reader<R>, column: usize, hasher: &RandomState) -> HashMap<u64, u64> {
    let mut last = HashMap::new();
    let mut bytes = ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut bytes) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => continue,
        }
        let line = bytes.position().map_or(0, csv::Position::line);
        // As the second pass reads it: every field text.
        let Ok(record) = StringRecord::from_byte_record(std::mem::take(&mut bytes)) else {
            continue;
        };
        let key = app::normalize::order_number_key(record.get(column).unwrap_or_default());
        if !key.is_empty() {
            last.insert(hasher.hash_one(key.as_ref()), line);
        }
        bytes = record.into_byte_record();
    }
    last
}

impl<R: Read> CsvOrders<R> {
    /// How many orders the first pass found.
    pub fn orders(&self) -> usize {
        self.last_rows.len()
    }

    /// Orders read in part, waiting for a later row.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.open.len()
    }

    /// The next row, as an answer when it is one on its own (a rejection, or an
    /// order's last row); None at the end of the file.
    fn next_row(&mut self) -> Option<Option<Parsed>> {
        match self.csv.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Some(Some(Err(Rejected::new(line, format!("unreadable row: {e}")))));
            }
        }
        let line = self.record.position().map_or(0, csv::Position::line);
        let row: HashMap<String, String> = self
            .headers
            .iter()
            .zip(self.record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        let key = app::normalize::order_number_key(row.get("order_number").map_or("", String::as_str)).into_owned();
        let at = line as usize;
        if key.is_empty() {
            return Some(Some(Err(Rejected::new(at, "order_number: Enter the order number."))));
        }
        match self.last_rows.get(&self.hasher.hash_one(key.as_str())) {
            Some(&last) if line < last => {
                self.open.entry(key).or_insert_with(|| Group::new(at)).add(row);
                Some(None)
            }
            Some(&last) if line == last => {
                let mut group = self.open.remove(&key).unwrap_or_else(|| Group::new(at));
                group.add(row);
                Some(Some(finished(group)))
            }
            // Its order was handed on already, or was not in the file then.
            _ => Some(Some(Err(Rejected::new(
                at,
                "the file changed while it was imported: this row was not in it when it was first read \
                 (import the file again)",
            )))),
        }
    }
}

impl<R: Read> Iterator for CsvOrders<R> {
    type Item = Parsed;

    fn next(&mut self) -> Option<Parsed> {
        loop {
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

/// A whole order's rows as an order to write, or why they cannot be one.
fn finished(Group { line, rows, count }: Group) -> Parsed {
    if count > LIMITS.line_items {
        let limit = LIMITS.line_items;
        return Err(Rejected::new(
            line,
            format!("line_items: {count} rows for this order; an order has at most {limit} line items"),
        ));
    }
    csv_order_input(&rows)
        .and_then(validate)
        .map(|order| (line, order))
        .map_err(|errors| Rejected::new(line, reasons(&errors)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    const HEADER: &str = "order_number,email,placed_at,currency,total,line_item_title,quantity,price\n";

    fn row(number: &str, title: &str) -> String {
        format!("{number},a@example.com,2026-11-02T10:15:00Z,NOK,1.00,{title},1,1.00\n")
    }

    #[test]
    fn an_order_goes_on_at_its_last_row_and_rows_together_hold_one_order_at_a_time() {
        // 500 orders of three rows each, and one whose rows open and close the file.
        let mut file = String::from(HEADER) + &row("#S", "First");
        for n in 0..500 {
            for title in ["Cap", "Socks", "Scarf"] {
                file.push_str(&row(&format!("#{n}"), title));
            }
        }
        file.push_str(&row("#S", "Last"));
        let mut orders = csv_orders(Cursor::new(file)).expect("the header row is good");
        assert_eq!(orders.orders(), 501);
        let mut seen = 0;
        let mut most_held = 0;
        while let Some(parsed) = orders.next() {
            let (line, order) = parsed.expect("every order is good");
            most_held = most_held.max(orders.held());
            seen += 1;
            if seen <= 500 {
                assert_eq!(line, 3 + 3 * (seen - 1), "each order as its last row is read");
                assert_eq!(order.line_items.len(), 3);
            } else {
                assert_eq!(line, 2, "the spread order, at its first row");
                let titles: Vec<&str> = order.line_items.iter().map(|l| l.title.as_str()).collect();
                assert_eq!(titles, ["First", "Last"]);
            }
        }
        assert_eq!(seen, 501);
        assert!(most_held <= 2, "held {most_held} orders at once");
    }

    /// A file that reads one way until it is rewound, and another after.
    struct Rewritten {
        now: Cursor<String>,
        after: Option<String>,
    }

    impl Read for Rewritten {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.now.read(buf)
        }
    }

    impl Seek for Rewritten {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            if let Some(after) = self.after.take() {
                self.now = Cursor::new(after);
            }
            self.now.seek(to)
        }
    }

    #[test]
    fn rows_added_between_the_passes_are_refused_and_the_rest_still_read() {
        let before = String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap") + &row("#5", "Cap");
        let after =
            String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap") + &row("#1", "Socks") + &row("#3", "Hat");
        let file = Rewritten {
            now: Cursor::new(before),
            after: Some(after),
        };
        let orders = csv_orders(file).expect("the header row is good");
        assert_eq!(orders.orders(), 3, "the first pass saw three orders");
        let parsed: Vec<Parsed> = orders.collect();
        let answers: Vec<Result<(usize, usize), usize>> = parsed
            .iter()
            .map(|p| match p {
                Ok((line, order)) => Ok((*line, order.line_items.len())),
                Err(rejected) => Err(rejected.line),
            })
            .collect();
        // #1's row after its last, and #3's (unknown then), are refused; #1 and #2
        // are read as they were.
        assert_eq!(answers, [Ok((2, 1)), Ok((3, 1)), Err(4), Err(5)]);
        let Err(late) = &parsed[2] else { unreachable!() };
        assert!(
            late.reason.starts_with("the file changed while it was imported"),
            "{}",
            late.reason
        );
    }

    #[test]
    fn an_order_whose_last_row_never_comes_is_handed_on_at_the_end() {
        let before = String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap") + &row("#1", "Socks");
        let after = String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap");
        let file = Rewritten {
            now: Cursor::new(before),
            after: Some(after),
        };
        let parsed: Vec<Parsed> = csv_orders(file).expect("good header").collect();
        let lines: Vec<usize> = parsed.iter().map(|p| p.as_ref().map_or(0, |(line, _)| *line)).collect();
        assert_eq!(lines, [3, 2], "#2 at its last row, then #1 at the end");
    }

    #[test]
    fn unreadable_rows_and_rows_without_a_number_are_answered_where_they_are() {
        let file = String::from(HEADER) + &row("#1", "Cap") + "#2,short\n" + &row("", "Cap") + &row("#1", "Socks");
        let parsed: Vec<Parsed> = csv_orders(Cursor::new(file)).expect("good header").collect();
        assert_eq!(parsed.len(), 3);
        let Err(short) = &parsed[0] else {
            panic!("{:?}", parsed[0])
        };
        assert_eq!(short.line, 3);
        assert!(short.reason.starts_with("unreadable row"), "{}", short.reason);
        let Err(no_number) = &parsed[1] else {
            panic!("{:?}", parsed[1])
        };
        assert_eq!(
            (no_number.line, no_number.reason.as_str()),
            (4, "order_number: Enter the order number.")
        );
        let Ok((2, order)) = &parsed[2] else {
            panic!("{:?}", parsed[2])
        };
        assert_eq!(order.line_items.len(), 2, "the rows around them still make one order");
    }
}
