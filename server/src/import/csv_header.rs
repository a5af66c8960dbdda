//! A CSV file's header row, read as spreadsheets write it: the separator it
//! uses (a comma; a semicolon where the spreadsheet's language writes decimals
//! with a comma, or a tab), and column names in any case, with
//! spaces for underscores. A column without a name (empty cells a spreadsheet
//! leaves at the right) is ignored while its cells are empty. And what makes a
//! row unlike its header row: a number of cells of its own, a value under no
//! name, a cell that is not UTF-8.

use super::csv_rows::CSV_COLUMNS;
use super::Rejected;
use csv::{ByteRecord, StringRecord};

/// The separator of a file whose header row, read with commas, is `raw`: a
/// semicolon or a tab when the row is one cell holding one (a file written
/// where the decimal mark is a comma; "Unicode text"), else None (commas).
/// A file in UTF-16 is refused.
pub(super) fn other_separator(raw: &ByteRecord) -> Result<Option<u8>, Rejected> {
    let first = raw.get(0).unwrap_or_default();
    // A workbook (a zip) saved as it is.
    if first.starts_with(b"PK\x03\x04") {
        return Err(Rejected::new(1, WORKBOOK));
    }
    // With a byte-order mark, or without (every other byte a NUL).
    if first.starts_with(&[0xFF, 0xFE]) || first.starts_with(&[0xFE, 0xFF]) || raw.iter().any(|c| c.contains(&0)) {
        return Err(Rejected::new(1, UTF16));
    }
    if raw.len() != 1 {
        return Ok(None);
    }
    Ok([b';', b'\t'].into_iter().find(|sep| first.contains(sep)))
}

/// What is said of a spreadsheet's own file (`.xlsx`, `.ods`: a zip).
pub(super) const WORKBOOK: &str =
    "the file is a spreadsheet's workbook (.xlsx or .ods), not CSV; save it as CSV (in Excel: \"CSV UTF-8\"), then import that";

/// What is said of a file in UTF-16 (Excel's "Unicode text").
pub(super) const UTF16: &str = "the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\"), then import that";

/// A column's name as the file's header gives it, as Lookout names it:
/// ` Order Number ` is `order_number`.
fn name(header: &str) -> String {
    header.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// The header row's column names, or why the file is refused: no header row
/// (no orders either), a column Lookout does not know (named as the file
/// gives it), one named twice, or no `order_number`. `line` is the header
/// row's. Returns the names and the order number's column.
pub(super) fn columns(raw: &StringRecord, line: usize) -> Result<(StringRecord, usize), Rejected> {
    if raw.iter().all(str::is_empty) {
        // Blank lines only, or nothing: the file as a whole, at its first line.
        return Err(Rejected::new(1, "the file has no orders: not even a header row"));
    }
    let headers: StringRecord = raw.iter().map(name).collect();
    let known = |h: &str| h.is_empty() || CSV_COLUMNS.contains(&h);
    if let Some(i) = headers.iter().position(|h| !known(h)) {
        let unknown: String = raw.get(i).unwrap_or_default().chars().take(60).collect();
        return Err(Rejected::new(
            line,
            format!("unknown column {unknown:?}; the columns are {}", CSV_COLUMNS.join(", ")),
        ));
    }
    let mut seen = std::collections::HashMap::new();
    for (i, h) in headers.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        if let Some(first) = seen.insert(h, i) {
            return Err(Rejected::new(
                line,
                format!("column {h:?} appears twice (columns {} and {})", first + 1, i + 1),
            ));
        }
    }
    let Some(&column) = seen.get("order_number") else {
        return Err(Rejected::new(line, "the header row has no order_number column"));
    };
    Ok((headers, column))
}

/// What is wrong with a row of `cells` where the header row has `fields`, in
/// a file whose cells `separator` separates.
pub(super) fn cells_unlike_header(cells: usize, fields: usize, separator: u8) -> String {
    let separator = match separator {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    };
    format!(
        "unreadable row: {cells} cells where the header row has {fields} (a value with a {separator} needs \"quotes\")"
    )
}

/// Why a row cannot be read as one of its order's rows, if it cannot. (A row
/// whose cells are unlike the header's refuses the file in the first pass; here
/// only if the file changed between the passes.)
pub(super) fn row_problem(row: &ByteRecord, headers: &StringRecord, separator: u8) -> Option<String> {
    if row.len() != headers.len() {
        return Some(cells_unlike_header(row.len(), headers.len(), separator));
    }
    if let Some(column) = unnamed_value(headers, row) {
        return Some(format!(
            "unreadable row: a value in column {column}, which the header row gives no name"
        ));
    }
    row.iter().position(|f| std::str::from_utf8(f).is_err()).map(|i| {
        format!(
            "unreadable row: field {} is not UTF-8 text (save the file as UTF-8)",
            i + 1
        )
    })
}

/// The first cell with a value in a column the header row does not name, if any
/// (1-based): its value would be lost.
fn unnamed_value(headers: &StringRecord, row: &ByteRecord) -> Option<usize> {
    headers
        .iter()
        .zip(row.iter())
        .position(|(h, v)| h.is_empty() && !v.is_empty())
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::super::csv_stream::csv_orders;
    use super::super::{Parsed, Rejected};

    fn read(file: &[u8]) -> Result<Vec<Parsed>, Rejected> {
        Ok(csv_orders(std::io::Cursor::new(file))?.collect())
    }

    const ROW: [&str; 8] = [
        "#1",
        "a@example.com",
        "2026-11-02T10:15:00Z",
        "NOK",
        "1249,00",
        "Socks",
        "2",
        "249.50",
    ];

    #[test]
    fn a_spreadsheets_separator_and_column_names_are_read() {
        // Excel in a language whose decimal mark is a comma (German, French,
        // Norwegian, …) writes `;`; "Unicode text" and many tools write tabs; headers are edited.
        let names = "Order Number,EMAIL, placed_at ,Currency,total,Line Item Title,quantity,price";
        for sep in [";", "\t", ","] {
            let mut row = ROW;
            row[4] = if sep == "," { "\"1249,00\"" } else { "1249,00" };
            let file = format!("{}\r\n{}\r\n", names.replace(',', sep), row.join(sep));
            let parsed = read(file.as_bytes()).unwrap_or_else(|e| panic!("{sep:?}: {e:?}"));
            // The total `1249,00` is read whole: an amount where semicolons say
            // the decimal mark is a comma, else named as not a decimal.
            if sep == ";" {
                let [Ok((2, order))] = &parsed[..] else {
                    panic!("{sep:?}: {parsed:?}")
                };
                assert_eq!(order.totals.total, "1249.00");
            } else {
                let [Err(bad)] = &parsed[..] else {
                    panic!("{sep:?}: {parsed:?}")
                };
                assert!(bad.reason.starts_with("totals.total"), "{sep:?}: {}", bad.reason);
            }
            let fixed = file.replace("1249,00", "499.00").replace("\"499.00\"", "499.00");
            let parsed = read(fixed.as_bytes()).unwrap_or_else(|e| panic!("{sep:?}: {e:?}"));
            let [Ok((2, order))] = &parsed[..] else {
                panic!("{sep:?}: {parsed:?}")
            };
            assert_eq!((order.currency.as_str(), order.line_items.len()), ("NOK", 1), "{sep:?}");
        }
        // A semicolon inside a quoted header cell does not make it the separator.
        let quoted = "order_number,\"email\",placed_at\n#1,\"a;b@example.com\",x\n";
        let parsed = read(quoted.as_bytes()).expect("a comma file: three known columns");
        assert_eq!(parsed.len(), 1, "{parsed:?}");
    }

    #[test]
    fn columns_without_a_name_are_ignored_while_empty() {
        let header = "order_number,email,placed_at,currency,total,line_item_title,quantity,price,,";
        let row = format!("{},,", ROW.join(",").replace("1249,00", "499.00"));
        let file = format!(
            "{header}\n{row}\n{}\n",
            row.replace("#1", "#2").replace(",,", ",,late note")
        );
        let parsed = read(file.as_bytes()).expect("the header row is read");
        assert!(matches!(&parsed[0], Ok((2, _))), "{parsed:?}");
        let Err(bad) = &parsed[1] else { panic!("{parsed:?}") };
        assert_eq!(bad.line, 3);
        assert!(
            bad.reason
                .contains("a value in column 10, which the header row gives no name"),
            "{}",
            bad.reason
        );
    }

    #[test]
    fn a_header_row_lookout_cannot_read_refuses_the_file_and_says_why() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("order_number\n".bytes().flat_map(|b| [b, 0]))
            .collect();
        let Err(bad) = read(&utf16) else {
            panic!("UTF-16 is refused")
        };
        assert!(
            bad.reason.contains("UTF-16") && bad.reason.contains("UTF-8"),
            "{}",
            bad.reason
        );
        let Err(bad) = read(b"order_number,Order Number\n#1,#1\n") else {
            panic!("twice")
        };
        assert!(
            bad.reason.contains("\"order_number\" appears twice (columns 1 and 2)"),
            "{}",
            bad.reason
        );
        let Err(bad) = read(b"order_number|email\n") else {
            panic!("unknown")
        };
        assert!(bad
            .reason
            .starts_with("unknown column \"order_number|email\"; the columns are order_number, email"));
        // UTF-16 without its mark: every other byte of the header row a NUL.
        let Err(bad) = read(&utf16[2..]) else {
            panic!("UTF-16 is refused")
        };
        assert!(bad.reason.contains("UTF-16"), "{}", bad.reason);
        // Named as the file writes it, at the line it is on.
        let Err(bad) = read(b"\r\n\r\nOrder Number,Colour Name\r\n#1,red\r\n") else {
            panic!("unknown")
        };
        assert_eq!(bad.line, 3);
        assert!(
            bad.reason.starts_with("unknown column \"Colour Name\""),
            "{}",
            bad.reason
        );
        for empty in [&b""[..], b"\n\n", b"\r\n", b"\n\n\n\n", b"\r\r\r"] {
            let Err(bad) = read(empty) else { panic!("{empty:?}") };
            assert_eq!(bad.reason, "the file has no orders: not even a header row", "{empty:?}");
            assert_eq!(bad.line, 1, "{empty:?}: no line past the file's end");
        }
    }

    #[test]
    fn many_unnamed_columns_are_read_and_a_row_unlike_the_header_names_the_separator() {
        // 30,000 empty header cells: each was compared with every one before it.
        let header = format!("order_number;email{}\n", ";".repeat(30_000));
        // A row of too few cells refuses the file (its order cannot be told).
        let Err(bad) = read(format!("{header}#1;a@example.com\n").as_bytes()) else {
            panic!("refused")
        };
        assert_eq!(bad.line, 2);
        let says = "2 cells where the header row has 30002 (a value with a semicolon needs \"quotes\")";
        assert!(bad.reason.contains(says), "{}", bad.reason);
    }
}
