//! The two passes over a CSV file, against files that are good, spread out,
//! changed between the passes, or unreadable.

use super::super::row_bound::MAX_ROW_BYTES;
use super::*;
use std::io::Cursor;

mod endings;

const HEADER: &str = "order_number,email,placed_at,currency,total,line_item_title,quantity,price\n";

/// A row of order #2 whose title is not UTF-8 (Latin-1 "Mütze").
const NOT_UTF8: &[u8] = b"#2,a@example.com,2026-11-02T10:15:00Z,NOK,1.00,M\xfctze,1,1.00\n";

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
    assert_eq!(orders.answers(), 501);
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

/// Orders whose rows lie far apart (every order's first row, then every
/// order's second) are held until the memory they take reaches the limit;
/// there the file is refused, the orders finished before it handed on, and
/// nothing after it read. Rows together never come near the limit.
#[test]
fn orders_whose_rows_lie_too_far_apart_are_refused_where_they_fill_the_limit() {
    let mut file = String::from(HEADER);
    for title in ["Cap", "Socks"] {
        for n in 0..1000 {
            file.push_str(&row(&format!("#{n}"), title));
        }
    }
    file.push_str(&row("#A", "Alone"));
    let mut orders = csv_orders(Cursor::new(file.clone())).expect("the header row is good");
    let all: Vec<_> = (&mut orders).collect();
    assert_eq!(all.len(), 1001, "within the limit every order is read");
    assert!(all.iter().all(Result::is_ok));

    let mut orders = csv_orders(Cursor::new(file)).expect("the header row is good");
    orders.held_limit = 100 * 1024;
    let answers: Vec<_> = (&mut orders).collect();
    let Some(Err(refused)) = answers.last() else {
        panic!("{:?}", answers.last())
    };
    assert!(refused.reason.contains("too far apart"), "{}", refused.reason);
    assert!(
        answers.len() == 1,
        "no order was finished before the limit: {}",
        answers.len()
    );
    assert!(
        refused.line > 2 && refused.line < 1002,
        "refused in the first rows: {}",
        refused.line
    );
    assert!(
        orders.held <= orders.held_limit + 4096,
        "held {} past the limit by more than a row",
        orders.held
    );
    assert_eq!(orders.next().map(|a| a.is_ok()), None, "nothing after it is read");
}

#[test]
fn rows_added_between_the_passes_are_refused_and_the_rest_still_read() {
    let before = String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap") + &row("#5", "Cap");
    let after = String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap") + &row("#1", "Socks") + &row("#3", "Hat");
    let file = Rewritten {
        now: Cursor::new(before),
        after: Some(after),
    };
    let orders = csv_orders(file).expect("the header row is good");
    assert_eq!(orders.answers(), 3, "the first pass saw three orders");
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
    let file = [
        (String::from(HEADER) + &row("#1", "Cap")).as_bytes(),
        NOT_UTF8,
        (row("", "Cap") + &row("#1", "Socks")).as_bytes(),
    ]
    .concat();
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

#[test]
fn a_row_that_cannot_be_read_rejects_its_whole_order_where_it_is() {
    // #2's middle row has a title that is not UTF-8; #1 and #3 are good.
    // Spreadsheets' empty rows below the data are skipped.
    let file = [
        (String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Hat")).as_bytes(),
        NOT_UTF8,
        (row("#1", "Scarf") + &row("#2", "Mug") + &row("#3", "Pen") + ",,,,,,,\n,,,,,,,\n").as_bytes(),
    ]
    .concat();
    let orders = csv_orders(Cursor::new(file)).expect("good header");
    assert_eq!(orders.answers(), 3, "#1, #2 and #3; the empty rows are no answer");
    let parsed: Vec<Parsed> = orders.collect();
    assert_eq!(parsed.len(), 3, "{parsed:?}");
    let rejected: Vec<&Rejected> = parsed.iter().filter_map(|p| p.as_ref().err()).collect();
    let [two] = rejected.as_slice() else {
        panic!("{parsed:?}")
    };
    assert_eq!(two.line, 4, "#2 is answered at its unreadable row");
    assert!(two.reason.contains("field 6 is not UTF-8"), "{}", two.reason);
    assert!(
        two.reason
            .ends_with("this row's order is not written (none of its rows)"),
        "{}",
        two.reason
    );
    let mut written: Vec<&str> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().map(|(_, o)| o.order_number.as_str()))
        .collect();
    written.sort();
    assert_eq!(written, ["#1", "#3"], "only orders whose rows all read are written");
}

#[test]
fn a_row_of_more_or_fewer_cells_than_the_header_refuses_the_file() {
    // A comma outside quotes shifts every cell after it, the order number's too
    // when it is not the first column: the row's order cannot be told, and the
    // rest of it would be written without the row.
    let header = "email,line_item_title,order_number,placed_at,currency,total,quantity,price\n";
    let good =
        |number: &str, title: &str| format!("a@example.com,{title},{number},2026-11-02T10:15:00Z,NOK,1.00,1,1.00\n");
    for bad in [
        good("#1", "Socks, grey"),
        "a@example.com,Socks,#1,2026-11-02T10:15:00Z,NOK\n".to_string(),
    ] {
        let file = String::from(header) + &good("#1", "Cap") + &good("#2", "Hat") + &bad + &good("#1", "Scarf");
        let Err(refused) = csv_orders(Cursor::new(file)) else {
            panic!("refused: {bad}")
        };
        assert_eq!(refused.line, 4, "{}", refused.reason);
        assert!(
            refused.reason.contains("where the header row has 8"),
            "{}",
            refused.reason
        );
        assert!(refused.reason.ends_with("the file is refused"), "{}", refused.reason);
    }
}

/// Rows of `n` orders, one row each, after the header.
fn rows(n: usize) -> String {
    (0..n).map(|i| row(&format!("#{i}"), "Cap")).collect()
}

#[test]
fn a_quote_left_open_refuses_the_file_at_its_line_without_holding_the_rest() {
    let open_quote = "#x,\"a@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00\n";
    let file = String::from(HEADER) + &row("#1", "Cap") + open_quote + &rows(40_000);
    assert!(file.len() > 2 * MAX_ROW_BYTES as usize);
    let Err(refused) = csv_orders(Cursor::new(file)) else {
        panic!("the file is refused")
    };
    assert_eq!(refused.line, 3, "{}", refused.reason);
    assert!(
        refused.reason.contains("a row of more than 1048576 bytes"),
        "{}",
        refused.reason
    );
    // A row within the limit is read (and judged on its fields).
    let note = "n".repeat(MAX_ROW_BYTES as usize - 1_000);
    let file = format!("order_number,email,placed_at,currency,total,line_item_title,quantity,price,note\n#1,a@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00,{note}\n");
    let parsed: Vec<Parsed> = csv_orders(Cursor::new(file)).expect("read").collect();
    let Err(rejected) = &parsed[0] else {
        panic!("the note is too long for an order")
    };
    assert!(rejected.reason.starts_with("note:"), "{}", rejected.reason);
}

/// A file whose reads fail after `good` bytes.
struct Failing {
    good: Cursor<String>,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.good.read(buf)? {
            0 => Err(std::io::Error::other("the disk said no")),
            n => Ok(n),
        }
    }
}

impl Seek for Failing {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.good.seek(to)
    }
}

#[test]
fn a_file_that_cannot_be_read_to_its_end_is_refused_once() {
    let file = Failing {
        good: Cursor::new(String::from(HEADER) + &rows(3)),
    };
    let Err(refused) = csv_orders(file) else {
        panic!("the file is refused")
    };
    assert_eq!(refused.line, 5);
    assert!(refused.reason.contains("the disk said no"), "{}", refused.reason);
}

#[test]
fn a_file_that_stops_reading_in_the_second_pass_writes_no_order_in_part() {
    let before = String::from(HEADER) + &row("#1", "Cap") + &row("#2", "Cap") + &row("#1", "Socks");
    let after = String::from(HEADER) + &row("#1", "Cap") + "#2,\"open\n" + &rows(40_000);
    let file = Rewritten {
        now: Cursor::new(before),
        after: Some(after),
    };
    let parsed: Vec<Parsed> = csv_orders(file).expect("the first pass read it").collect();
    let [Err(stopped)] = parsed.as_slice() else {
        panic!("{parsed:?}")
    };
    assert_eq!(stopped.line, 3);
    assert!(
        stopped.reason.starts_with("the file cannot be read on from here"),
        "{}",
        stopped.reason
    );
}

#[test]
fn lines_that_end_in_a_lone_cr_or_crlf_group_as_lines_that_end_in_lf() {
    for ending in ["\r", "\r\n"] {
        let file = [
            HEADER.to_string(),
            row("#1", "Cap"),
            row("#2", "Hat"),
            row("#1", "Socks"),
        ]
        .concat()
        .replace('\n', ending);
        let orders = csv_orders(Cursor::new(file)).expect("the header row is good");
        assert_eq!(orders.answers(), 2);
        let items: Vec<usize> = orders.map(|p| p.expect("good orders").1.line_items.len()).collect();
        assert_eq!(items, [1, 2], "{ending:?}: #2, then #1 with both rows");
    }
}

#[test]
fn a_header_named_twice_refuses_the_file() {
    let file = "order_number,email,order_number\n#1,a@example.com,#2\n";
    let Err(refused) = csv_orders(Cursor::new(file)) else {
        panic!("refused")
    };
    assert_eq!(refused.line, 1);
    assert_eq!(
        refused.reason,
        r#"column "order_number" appears twice (columns 1 and 3)"#
    );
}

#[test]
fn a_header_row_changed_between_the_passes_refuses_the_file() {
    let file = Rewritten {
        now: Cursor::new(String::from(HEADER) + &rows(2)),
        after: Some(HEADER.replace("email,", "email,note,").replace(",price", "") + &rows(2)),
    };
    let Err(refused) = csv_orders(file) else {
        panic!("refused")
    };
    assert_eq!(refused.line, 1);
    assert!(
        refused
            .reason
            .starts_with("the header row changed while the file was imported"),
        "{}",
        refused.reason
    );
}

#[test]
fn the_first_pass_counts_every_answer_the_second_gives() {
    let file = [
        (String::from(HEADER) + &row("#1", "Cap")).as_bytes(),
        NOT_UTF8,
        (row("", "Cap") + &row("#1", "Socks") + &rows(3)).as_bytes(),
    ]
    .concat();
    let orders = csv_orders(Cursor::new(file)).expect("good header");
    let told = orders.answers();
    assert_eq!(
        told, 4,
        "three orders (#1, #0, and #2, which its unreadable row rejects whole) and one row rejected alone"
    );
    assert_eq!(orders.count(), told);
}
