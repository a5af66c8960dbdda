//! Files as editors save them and as shuffled exports write them: any
//! arrangement of rows makes the orders that grouping the whole file makes, and
//! rejections name the line an editor shows, whatever the line endings.

use super::*;

/// Whole-file grouping, as the reader did before its two passes: each order
/// number's line items (titles), in file order, by its first row's line.
fn grouped_whole(rows: &[(String, String)]) -> Vec<(usize, Vec<String>)> {
    let mut orders: Vec<(String, usize, Vec<String>)> = Vec::new();
    for (i, (number, title)) in rows.iter().enumerate() {
        match orders.iter_mut().find(|(n, _, _)| n == number) {
            Some((_, _, titles)) => titles.push(title.clone()),
            None => orders.push((number.clone(), i + 2, vec![title.clone()])),
        }
    }
    orders.into_iter().map(|(_, line, titles)| (line, titles)).collect()
}

#[test]
fn any_arrangement_of_rows_makes_the_orders_that_grouping_the_whole_file_makes() {
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    // A fixed seed: every run tries the same 300 files.
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let mut spread = 0;
    for _ in 0..300 {
        let orders = rng.gen_range(1..12);
        let mut rows: Vec<(String, String)> = (0..orders)
            .flat_map(|o| (0..rng.gen_range(1..6)).map(move |r| (format!("#{o}"), format!("item-{o}-{r}"))))
            .collect();
        rows.shuffle(&mut rng);
        // Rows of one order apart from each other, in most files.
        spread += usize::from(rows.windows(3).any(|w| w[0].0 == w[2].0 && w[0].0 != w[1].0));
        let file: String = std::iter::once(HEADER.to_string())
            .chain(rows.iter().map(|(number, title)| row(number, title)))
            .collect();
        let mut read: Vec<(usize, Vec<String>)> = csv_orders(Cursor::new(file))
            .expect("good header")
            .map(|p| {
                let (line, order) = p.expect("every order is good");
                (line, order.line_items.iter().map(|l| l.title.clone()).collect())
            })
            .collect();
        read.sort();
        assert_eq!(read, grouped_whole(&rows), "{rows:?}");
    }
    assert!(spread > 200, "only {spread} files had an order's rows apart");
}

#[test]
fn rejections_name_the_line_an_editor_shows_whatever_the_line_endings() {
    // As Excel saves (CRLF), with blank lines, and as old Macs save (a lone
    // CR): the bad rows are on lines 4 and 8 of each file.
    let (good, more) = (row("#1", "Cap"), row("#1", "Socks"));
    let bad = row("#2", "Cap").replace("2026-11-02T10:15:00Z", "yesterday");
    let worse = row("#3", "Hat").replace("1.00,Hat", "x,Hat");
    let lf = format!("{HEADER}{good}\n{bad}{more}\n\n{worse}");
    for (ending, file) in [
        ("LF", lf.clone()),
        ("CRLF", lf.replace('\n', "\r\n")),
        ("CR", lf.replace('\n', "\r")),
    ] {
        let parsed: Vec<Parsed> = csv_orders(Cursor::new(file)).expect("good header").collect();
        let lines: Vec<Result<usize, usize>> = parsed
            .iter()
            .map(|p| p.as_ref().map(|(line, _)| *line).map_err(|r| r.line))
            .collect();
        // #1's last row is on line 5; its order is answered there, at its first row's line.
        assert_eq!(lines, [Err(4), Ok(2), Err(8)], "{ending}");
    }
}
