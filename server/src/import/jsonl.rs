//! JSONL files: one API order body (docs/api.md) per line, read one line at a time.

use super::{reasons, Parsed, Rejected};
use anyhow::{Context, Result};
use app::errors::FieldError;
use app::order::{parse_order, MAX_BODY_BYTES};
use std::io::{BufRead, Read};
use std::path::Path;

/// Reads a JSONL file: every non-blank line is one order.
pub fn read_jsonl(reader: impl BufRead) -> Vec<Parsed> {
    jsonl_orders(reader).collect()
}

/// The orders of a JSONL file one line at a time, so a file of any size is read
/// in constant memory: a line over [`MAX_BODY_BYTES`] (the API's limit for one
/// order) is rejected without being held. An unreadable file ends the lines
/// with one rejection.
pub fn jsonl_orders(mut reader: impl BufRead) -> impl Iterator<Item = Parsed> {
    let mut line = Vec::new();
    let mut line_no = 0;
    let mut failed = false;
    let mut started = false;
    std::iter::from_fn(move || {
        while !failed {
            line_no += 1;
            let length = match read_line(&mut reader, &mut line, MAX_BODY_BYTES) {
                Ok(Some(length)) => length,
                Ok(None) => return None,
                Err(e) => {
                    failed = true;
                    return Some(Err(Rejected::new(line_no, format!("unreadable: {e}"))));
                }
            };
            if length > MAX_BODY_BYTES && !started && ends_lines_with_cr(&line) {
                failed = true;
                return Some(Err(Rejected::new(line_no, LONE_CR)));
            }
            if length > MAX_BODY_BYTES {
                return Some(Err(Rejected::new(
                    line_no,
                    format!("the line has {length} bytes; an order has at most {MAX_BODY_BYTES}"),
                )));
            }
            // A byte-order mark some editors write first is not part of the JSON.
            if line_no == 1 && line.starts_with(BOM) {
                line.drain(..BOM.len());
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if !started {
                started = true;
                // A JSON array, or an order written over several lines: every
                // line after would be refused on its own.
                if let Some(reason) = not_lines(&line) {
                    failed = true;
                    return Some(Err(Rejected::new(line_no, reason)));
                }
            }
            return Some(parse_order(&line).map(|order| (line_no, order)).map_err(|errors| {
                // Orders parted by a lone `\r` inside a file of `\n` lines.
                match ends_lines_with_cr(&line) {
                    true => Rejected::new(line_no, LONE_CR_INSIDE),
                    false => Rejected::new(line_no, reasons(&plain(&line, errors))),
                }
            }));
        }
        None
    })
}

/// UTF-8's byte-order mark.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file whose first line is `first` is not JSON Lines, if it is not: it
/// starts a JSON array, or an object that goes on over the next lines.
fn not_lines(first: &[u8]) -> Option<&'static str> {
    if ends_lines_with_cr(first) {
        return Some(LONE_CR);
    }
    match first.trim_ascii() {
        [b'[', ..] => Some(
            "the file is one JSON array, not JSON Lines: write one order per line (`jq -c '.[]' FILE`); \
             nothing after this line is read",
        ),
        b"{" => Some(
            "the order goes on over several lines; JSON Lines has one whole order per line \
             (`jq -c . FILE`); nothing after this line is read",
        ),
        _ => None,
    }
}

/// What is said of a file whose lines end with a lone `\r`.
const LONE_CR: &str = "the file's lines end with a lone carriage return (`\\r`, as an old Mac wrote them), which \
     JSON Lines does not read as line endings: end them with `\\n` (`tr '\\r' '\\n' < FILE`); nothing after \
     this line is read";

/// What is said of a line (not the first) that holds orders parted by a lone `\r`.
const LONE_CR_INSIDE: &str = "the line holds orders parted by a lone carriage return (`\\r`), which JSON Lines \
     does not read as a line ending: end each order's line with `\\n`";

/// Whether a line holds one order's end and the next one's start parted by a
/// lone `\r` (a `\r\n` never reaches a line whole).
fn ends_lines_with_cr(line: &[u8]) -> bool {
    line.windows(3).any(|w| w == b"}\r{")
}

/// What a line must be, as its rejection says it.
const ORDER_LINE: &str = "a JSON object: one order, as `PUT /api/v1/shops/{shop}/orders/{order_number}` takes it";

/// A line's errors, said plainly when the line is JSON but not an object (serde's
/// message would name a Rust type).
fn plain(line: &[u8], errors: Vec<FieldError>) -> Vec<FieldError> {
    crate::api::body::not_an_object(line, ORDER_LINE).map_or(errors, |e| vec![e])
}

/// Reads the next line into `line` (without its `\n` or `\r\n`), keeping no more
/// than `max` bytes of it; the line's whole length (without its ending), or
/// `None` at the end of the file.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>, max: usize) -> std::io::Result<Option<usize>> {
    line.clear();
    let (mut length, mut last) = (0, b'\n');
    loop {
        let block = match reader.fill_buf() {
            Ok(block) => block,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if block.is_empty() {
            return Ok((length > 0).then(|| without_cr(line, length, last)));
        }
        let newline = block.iter().position(|&b| b == b'\n');
        let part = &block[..newline.unwrap_or(block.len())];
        let room = max.saturating_sub(line.len());
        line.extend_from_slice(&part[..part.len().min(room)]);
        length += part.len();
        last = part.last().copied().unwrap_or(last);
        let used = newline.map_or(block.len(), |at| at + 1);
        reader.consume(used);
        if newline.is_some() {
            return Ok(Some(without_cr(line, length, last)));
        }
    }
}

/// The length of a line of `length` bytes whose last is `last`, without a
/// closing `\r`, which `line` (the bytes kept) loses too when it holds it.
fn without_cr(line: &mut Vec<u8>, length: usize, last: u8) -> usize {
    if length == 0 || last != b'\r' {
        return length;
    }
    if line.len() == length {
        line.pop();
    }
    length - 1
}

/// How many lines a file has (for the progress bar), read in blocks.
pub fn count_lines(path: &Path) -> Result<usize> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut block = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0, b'\n');
    loop {
        let n = file
            .read(&mut block)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        lines += block[..n].iter().filter(|&&b| b == b'\n').count();
        last = block[n - 1];
    }
    // A last line without a newline counts too.
    Ok(lines + usize::from(last != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

    #[test]
    fn a_file_whose_lines_end_with_a_lone_cr_is_refused_saying_so() {
        let order = r##"{"order_number":"#1"}"##;
        let short = format!("{order}\r{order}\r{order}\r");
        let long = format!("{order}\r").repeat(MAX_BODY_BYTES / order.len() + 1);
        for file in [short, long] {
            let parsed = read_jsonl(file.as_bytes());
            assert_eq!(parsed.len(), 1, "nothing after the first line is read");
            let Err(refused) = &parsed[0] else { panic!("{parsed:?}") };
            assert_eq!(refused.line, 1);
            assert!(refused.reason.contains("lone carriage return"), "{}", refused.reason);
        }
        // Inside a file of `\n` lines: that line is refused saying why, the rest read.
        let good = r##"{"order_number":"#1","email":"a@example.com"}"##;
        let mixed = format!("{good}\n{order}\r{order}\n{good}\n");
        let parsed = read_jsonl(mixed.as_bytes());
        assert_eq!(parsed.len(), 3, "{parsed:?}");
        let Err(refused) = &parsed[1] else { panic!("{parsed:?}") };
        assert_eq!(refused.line, 2);
        assert!(refused.reason.contains("lone carriage return"), "{}", refused.reason);
        // A `\r` inside one order is JSON's whitespace, as before.
        let parsed = read_jsonl(br##"{"order_number":"#1",\r"email":"a@example.com"}"##.as_slice());
        assert!(
            !parsed[0].as_ref().is_err_and(|e| e.reason.contains("lone")),
            "{parsed:?}"
        );
    }

    #[test]
    fn jsonl_reports_each_bad_line_by_number_and_keeps_the_rest() {
        let one = serde_json::to_string(&serde_json::from_str::<Value>(EXAMPLE).unwrap()).unwrap();
        let two = one.replace("#1001", "#1002");
        let file = format!(
            "{one}\n\n{{\"order_number\": \n{}\n{two}\n",
            one.replace("ada@example.com", "nope")
        );
        let parsed = read_jsonl(file.as_bytes());
        let lines: Vec<(usize, bool)> = parsed
            .iter()
            .map(|p| match p {
                Ok((l, _)) => (*l, true),
                Err(r) => (r.line, false),
            })
            .collect();
        assert_eq!(lines, [(1, true), (3, false), (4, false), (5, true)]);
        let Err(bad) = &parsed[2] else { panic!() };
        assert!(bad.reason.starts_with("email:"), "{}", bad.reason);
    }

    #[test]
    fn a_line_of_json_that_is_not_an_object_is_rejected_in_plain_words() {
        // (A first line that starts an array refuses the file: below.)
        let parsed = read_jsonl("\"#1001\"\n[]\n".as_bytes());
        assert_eq!(parsed.len(), 2);
        for (i, rejected) in parsed.iter().enumerate() {
            let Err(bad) = rejected else { panic!("{rejected:?}") };
            assert_eq!(bad.line, i + 1);
            assert!(
                bad.reason.starts_with("body: The body must be a JSON object"),
                "{}",
                bad.reason
            );
            assert!(!bad.reason.contains("struct"), "no Rust type names: {}", bad.reason);
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_a_file_that_is_not_json_lines_is_said_to_be_so_once() {
        let one = serde_json::to_string(&serde_json::from_str::<Value>(EXAMPLE).unwrap()).unwrap();
        let parsed = read_jsonl(format!("\u{FEFF}{one}\n{one}\n").as_bytes());
        assert!(parsed.iter().all(Result::is_ok), "{parsed:?}");
        // A JSON array as editors and APIs write it, and one order over many lines.
        let array = format!("\n[\n  {EXAMPLE},\n  {EXAMPLE}\n]\n");
        for (file, says) in [
            (array, "one JSON array"),
            (format!("\u{FEFF}{EXAMPLE}"), "over several lines"),
        ] {
            let parsed = read_jsonl(file.as_bytes());
            let [Err(bad)] = &parsed[..] else {
                panic!("one answer: {parsed:?}")
            };
            assert!(
                bad.reason.contains(says) && bad.reason.contains("one"),
                "{}",
                bad.reason
            );
            assert!(bad.reason.contains("nothing after this line is read"), "{}", bad.reason);
        }
        // Inside a file, such a line is one bad line among good ones.
        let parsed = read_jsonl(format!("{one}\n[\n{one}\n").as_bytes());
        assert_eq!(parsed.iter().filter(|p| p.is_ok()).count(), 2, "{parsed:?}");
    }

    #[test]
    fn an_overlong_line_is_rejected_without_being_held_and_the_rest_go_on() {
        let one = serde_json::to_string(&serde_json::from_str::<Value>(EXAMPLE).unwrap()).unwrap();
        let long = format!("{{\"note\": \"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        // A blank line is skipped; a last line without a newline counts.
        let file = format!("{one}\n{long}\n\n{}", one.replace("#1001", "#1002"));
        let parsed = read_jsonl(std::io::BufReader::with_capacity(4096, file.as_bytes()));
        assert_eq!(parsed.len(), 3);
        assert!(matches!(parsed[0], Ok((1, _))));
        let Err(bad) = &parsed[1] else { panic!() };
        assert_eq!(bad.line, 2);
        assert!(
            bad.reason.contains(&format!("has {} bytes", long.len())),
            "{}",
            bad.reason
        );
        assert!(matches!(parsed[2], Ok((4, _))));
        // A line of exactly the limit passes the size check, with `\r\n` too
        // (this one then fails as an order); one byte more does not.
        let body = |n: usize| format!("{{\"note\": \"{}\"}}", "x".repeat(n - 12));
        let exact = body(MAX_BODY_BYTES);
        assert_eq!(exact.len(), MAX_BODY_BYTES);
        let file = format!("{exact}\r\n{}\r\n", body(MAX_BODY_BYTES + 1));
        let parsed = read_jsonl(file.as_bytes());
        let reasons: Vec<&str> = parsed
            .iter()
            .filter_map(|p| p.as_ref().err())
            .map(|r| r.reason.as_str())
            .collect();
        assert_eq!(reasons.len(), 2);
        assert!(!reasons[0].contains("bytes;"), "{}", reasons[0]);
        assert!(
            reasons[1].contains(&format!("has {} bytes", MAX_BODY_BYTES + 1)),
            "{}",
            reasons[1]
        );
    }

    #[test]
    fn a_line_is_kept_up_to_its_limit_and_measured_whole() {
        let mut line = Vec::new();
        let mut reader = std::io::BufReader::with_capacity(3, "abcdefgh\nij".as_bytes());
        assert_eq!(read_line(&mut reader, &mut line, 5).unwrap(), Some(8));
        assert_eq!(line, b"abcde");
        assert_eq!(read_line(&mut reader, &mut line, 5).unwrap(), Some(2));
        assert_eq!(line, b"ij");
        assert_eq!(read_line(&mut reader, &mut line, 5).unwrap(), None);
        // `\r\n` ends a line as `\n` does, wherever the blocks break, and a
        // last `\r` is dropped too; a `\r` inside a line stays.
        for capacity in 1..=4 {
            let mut reader = std::io::BufReader::with_capacity(capacity, "ab\r\nabcdef\r\n\r\na\rb\ncd\r".as_bytes());
            let mut lines = vec![];
            while let Some(length) = read_line(&mut reader, &mut line, 5).unwrap() {
                lines.push((length, String::from_utf8(line.clone()).unwrap()));
            }
            let expected = [(2, "ab"), (6, "abcde"), (0, ""), (3, "a\rb"), (2, "cd")];
            assert_eq!(lines, expected.map(|(n, l)| (n, l.to_string())), "blocks of {capacity}");
        }
    }
}
