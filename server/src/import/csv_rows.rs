//! CSV files: one row per line item, rows of one order grouped by
//! `order_number` (docs/import.md lists the columns); the rows of one order as
//! an order input. `csv_stream` reads the file.

use app::errors::FieldError;
use app::order::{validate, ItemRefInput, LineItemInput, OrderInput, ShipmentInput, TotalsInput, ValidOrder};
use std::collections::HashMap;

/// The CSV columns, in documentation order. `order_number`, `email`, `placed_at`,
/// `currency`, `total`, and each row's `line_item_title`, `quantity` and `price`
/// are required; the rest may be empty or absent.
pub const CSV_COLUMNS: &[&str] = &[
    "order_number",
    "email",
    "placed_at",
    "updated_at",
    "status",
    "cancel_reason",
    "payment_status",
    "fulfillment_status",
    "currency",
    "subtotal",
    "shipping",
    "tax",
    "discounts",
    "total",
    "line_item_id",
    "line_item_title",
    "variant",
    "quantity",
    "price",
    "sku",
    "carrier",
    "tracking_number",
    "tracking_url",
    "shipment_status",
    "note",
    "tags",
];

/// The columns of amounts: in a file whose separator is a semicolon (written
/// where the decimal mark is a comma), read with [`decimal_comma`].
pub(super) const MONEY_COLUMNS: [&str; 6] = ["subtotal", "shipping", "tax", "discounts", "total", "price"];

/// An amount written with a decimal comma ("548,00", "1 199,00", "1.199,50"),
/// as a decimal string ("548.00", "1199.00", "1199.50"); None for anything
/// else, which is read as it is.
pub(super) fn decimal_comma(cell: &str) -> Option<String> {
    let (whole, fraction) = cell.trim().split_once(',')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(fraction) || fraction.len() > 4 {
        return None;
    }
    // Thousands grouped by spaces (plain, no-break, narrow no-break) or dots.
    let groups: Vec<&str> = whole.split([' ', '\u{a0}', '\u{202f}', '.']).collect();
    let grouped = groups.len() == 1
        || (digits(groups[0]) && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3 && digits(g)));
    (grouped && groups.iter().all(|g| digits(g))).then(|| format!("{}.{fraction}", groups.concat()))
}

/// An amount in a file written where the decimal mark is a comma: read with
/// [`decimal_comma`] when it has one; refused when it is a number grouped by
/// dots without one (`1.234` is 1234 there, or 1.234 as written elsewhere:
/// which cannot be known); else as it is.
pub(super) fn comma_amount(cell: &str) -> Result<String, String> {
    if let Some(read) = decimal_comma(cell) {
        return Ok(read);
    }
    let groups: Vec<&str> = cell.trim().split('.').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // A grouped number does not start with a zero ("0.500" is a half).
    let dotted = groups.len() > 1
        && groups[0].len() <= 3
        && !groups[0].starts_with('0')
        && groups.iter().all(|g| digits(g))
        && groups[1..].iter().all(|g| g.len() == 3);
    match dotted {
        true => Err(format!(
            "{cell:?} may be a thousands-grouped whole number or a decimal; write it with a decimal comma, \
             such as \"{},00\"",
            groups.concat()
        )),
        false => Ok(cell.to_string()),
    }
}

/// A long number a spreadsheet showed in its short scientific form and saved
/// so ("3,70071E+19", "3.70071E+19"): its digits are lost.
fn shortened_number(cell: &str) -> bool {
    let cell = cell.trim().to_ascii_uppercase();
    let Some((mantissa, exponent)) = cell.split_once("E+") else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa = mantissa.replacen([',', '.'], "", 1);
    digits(&mantissa) && digits(exponent)
}

/// One order's rows as a valid order, or everything wrong with them at once:
/// what the rows say wrong (a quantity that is not a whole number, rows that
/// disagree or repeat), and what validation finds in the rest, each field once.
/// A `placed_at` that is no time is not named again as the `updated_at` it
/// stands in for when the file has none.
pub(super) fn csv_order(rows: &[HashMap<String, String>]) -> Result<ValidOrder, Vec<FieldError>> {
    let (input, mut errors) = csv_order_input(rows);
    let found = match validate(input) {
        Ok(order) if errors.is_empty() => return Ok(order),
        Ok(_) => vec![],
        Err(found) => found,
    };
    let stands_in = rows.first().is_some_and(|r| !r.contains_key("updated_at"));
    let placed = found.iter().any(|e| e.field == "placed_at");
    let new: Vec<FieldError> = found
        .into_iter()
        // A field the rows could not give (a quantity that is no number) is
        // not named again as missing; anything else wrong is named.
        .filter(|e| !(e.code == "required" && errors.iter().any(|f| f.field == e.field)))
        .filter(|e| !(stands_in && placed && e.field == "updated_at"))
        .collect();
    errors.extend(new);
    Err(errors)
}

/// One order's rows as an order input, and what the rows themselves say wrong.
fn csv_order_input(rows: &[HashMap<String, String>]) -> (OrderInput, Vec<FieldError>) {
    // The order's own columns, each from the first row that gives it (some
    // exports write them on one row of an order only), and which row that is.
    let mut head = rows.first().cloned().unwrap_or_default();
    let mut given_in: HashMap<&str, usize> = HashMap::new();
    for &(column, _) in ORDER_COLUMNS {
        let given = rows.iter().enumerate().find_map(|(i, row)| {
            let value = row.get(column).filter(|v| !v.trim().is_empty())?;
            Some((i, value))
        });
        if let Some((i, value)) = given {
            head.insert(column.to_string(), value.clone());
            given_in.insert(column, i);
        }
    }
    let get = |row: &HashMap<String, String>, k: &str| row.get(k).cloned();
    let mut unreadable = vec![];
    let mut shipments: Vec<ShipmentInput> = vec![];
    let mut by_parcel: HashMap<String, usize> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        // A row that says otherwise of the order's own columns (another
        // shopper's email, another currency, another time or status or total)
        // is not a line of the same order (two orders given one number, two
        // versions of one from two exports joined), and the order is
        // rejected, not mixed. A row may leave them empty.
        for &(column, same) in ORDER_COLUMNS {
            if let (Some(a), Some(b), Some(&at)) = (head.get(column), row.get(column), given_in.get(column)) {
                let given = !b.trim().is_empty();
                if given && !same(a, b) && !unreadable.iter().any(|e: &FieldError| e.field == column) {
                    unreadable.push(FieldError::new(
                        column,
                        "rows_disagree",
                        format!(
                            "`{column}` differs between this order's row {} and row {} (an order's rows share its \
                             columns; are two orders given one order_number?)",
                            at + 1,
                            i + 1
                        ),
                    ));
                }
            }
        }
        let id = get(row, "line_item_id").unwrap_or_else(|| format!("line-{}", i + 1));
        let text = get(row, "quantity");
        let quantity = text.as_deref().and_then(|q| q.parse::<u32>().ok());
        if let (None, Some(text)) = (quantity, &text) {
            unreadable.push(quantity_error(&format!("line_items[{i}].quantity"), text));
        }
        items.push(LineItemInput {
            id: Some(id.clone()),
            title: get(row, "line_item_title"),
            variant: get(row, "variant"),
            quantity,
            price: get(row, "price"),
            image_url: None,
            sku: get(row, "sku"),
        });
        if let Some(number) = row.get("tracking_number").filter(|n| shortened_number(n)) {
            unreadable.push(FieldError::new(
                format!("line_items[{i}].tracking_number"),
                "shortened_number",
                format!(
                    "the tracking number {number:?} is a number a spreadsheet shortened, its digits lost; \
                     format the column as text before saving the file"
                ),
            ));
        }
        // A row with a tracking number, link or shipment status is in a parcel:
        // rows with one tracking number share it; rows without, one of the same
        // carrier, link and status.
        if PARCEL_COLUMNS.iter().any(|k| row.contains_key(*k)) {
            let number = get(row, "tracking_number");
            let key = number.clone().unwrap_or_else(|| {
                let [carrier, url, status] =
                    ["carrier", "tracking_url", "shipment_status"].map(|k| get(row, k).unwrap_or_default());
                format!("\0{carrier}\0{url}\0{status}")
            });
            let k = match by_parcel.get(&key) {
                Some(&k) => k,
                None => {
                    by_parcel.insert(key, shipments.len());
                    shipments.push(ShipmentInput {
                        id: Some(format!("shipment-{}", shipments.len() + 1)),
                        status: Some(get(row, "shipment_status").unwrap_or_else(|| "in_transit".into())),
                        carrier: get(row, "carrier"),
                        tracking_number: number,
                        tracking_url: get(row, "tracking_url"),
                        ..Default::default()
                    });
                    shipments.len() - 1
                }
            };
            // A quantity that is no number is named at the item, not again here.
            let quantity = quantity.or(text.is_some().then_some(1));
            shipments[k].line_items.push(ItemRefInput { id: Some(id), quantity });
        }
    }
    if let Some(times) = repeated(rows) {
        unreadable.push(FieldError::new(
            "line_items",
            "repeated_rows",
            format!(
                "this order's rows repeat, each of them {times} times, cell for cell (is the order in the \
                 file {times} times?); if they are like items, give each row a line_item_id"
            ),
        ));
    }
    let placed_at = get(&head, "placed_at");
    let fulfillment = if shipments.is_empty() {
        "unfulfilled"
    } else {
        "fulfilled"
    };
    let money = |k: &str| Some(get(&head, k).unwrap_or_else(|| "0.00".into()));
    let tags: Vec<String> = tag_list(head.get("tags").map_or("", String::as_str))
        .map(str::to_string)
        .collect();
    let input = OrderInput {
        order_number: get(&head, "order_number"),
        email: get(&head, "email"),
        updated_at: get(&head, "updated_at").or_else(|| placed_at.clone()),
        placed_at,
        status: Some(get(&head, "status").unwrap_or_else(|| "open".into())),
        cancel_reason: get(&head, "cancel_reason"),
        payment_status: Some(get(&head, "payment_status").unwrap_or_else(|| "paid".into())),
        fulfillment_status: Some(get(&head, "fulfillment_status").unwrap_or_else(|| fulfillment.into())),
        currency: get(&head, "currency"),
        totals: Some(TotalsInput {
            subtotal: get(&head, "subtotal")
                .or_else(|| app::order::items_sum(&items))
                .or_else(|| money("subtotal")),
            shipping: money("shipping"),
            tax: money("tax"),
            discounts: money("discounts"),
            total: get(&head, "total"),
            tax_included: None,
        }),
        line_items: items,
        shipments,
        tags,
        note: get(&head, "note"),
        ..Default::default()
    };
    (input, unreadable)
}

/// The columns that put a row's item in a parcel (a carrier alone does not:
/// exports fill it with the shipping method chosen at the checkout).
const PARCEL_COLUMNS: [&str; 3] = ["tracking_number", "tracking_url", "shipment_status"];

/// How many times over an order's rows are given, if every row is given the
/// same number of times, at least twice (the order numbers aside, which may be
/// written `#5` in one export and `5` in another): two overlapping exports
/// joined, which would count every item twice, however they were sorted.
fn repeated(rows: &[HashMap<String, String>]) -> Option<usize> {
    let mut counts: HashMap<Vec<(&String, &String)>, usize> = HashMap::new();
    for row in rows {
        let mut cells: Vec<(&String, &String)> = row.iter().filter(|(k, _)| *k != "order_number").collect();
        cells.sort_unstable();
        *counts.entry(cells).or_default() += 1;
    }
    let times = *counts.values().next()?;
    (times > 1 && counts.values().all(|&n| n == times)).then_some(times)
}

/// Whether two cells say the same.
type Same = fn(&str, &str) -> bool;

/// The columns of the order itself, each with what makes two rows' cells
/// say the same: addresses and codes in any case, times by the instant.
const ORDER_COLUMNS: &[(&str, Same)] = &[
    ("email", same_email),
    ("currency", same_code),
    ("placed_at", same_time),
    ("updated_at", same_time),
    ("status", same_code),
    ("cancel_reason", same_text),
    ("payment_status", same_code),
    ("fulfillment_status", same_code),
    ("subtotal", same_amount),
    ("shipping", same_amount),
    ("tax", same_amount),
    ("discounts", same_amount),
    ("total", same_amount),
    ("note", same_text),
    ("tags", same_tags),
];

/// Amounts by their value: `10.00`, `10.0` and `10` are one.
fn same_amount(a: &str, b: &str) -> bool {
    let value = |s: &str| {
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let int = int.trim_start_matches('0');
        (int.to_string(), frac.trim_end_matches('0').to_string())
    };
    value(a) == value(b)
}

/// A `tags` cell's tags: parted by `|` or `,`, trimmed, none empty.
fn tag_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(['|', ',']).map(str::trim).filter(|t| !t.is_empty())
}

/// Tags as a set: `a|b` and `b, a` are one.
fn same_tags(a: &str, b: &str) -> bool {
    fn set(cell: &str) -> Vec<&str> {
        let mut tags: Vec<&str> = tag_list(cell).collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    }
    set(a) == set(b)
}

fn same_text(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

fn same_time(a: &str, b: &str) -> bool {
    match (app::order::instant(a.trim()), app::order::instant(b.trim())) {
        (Some(a), Some(b)) => a == b,
        _ => same_text(a, b),
    }
}

fn same_email(a: &str, b: &str) -> bool {
    app::normalize::email_key(a) == app::normalize::email_key(b)
}

fn same_code(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Why a CSV quantity is not one.
fn quantity_error(field: &str, text: &str) -> FieldError {
    let message = if text.bytes().all(|b| b.is_ascii_digit()) {
        format!("`{field}` is at most {}, not {text}.", u32::MAX)
    } else {
        format!("`{field}` must be a whole number of at least 1, not {text:?}.")
    };
    FieldError::new(field, "invalid_quantity", message)
}

#[cfg(test)]
mod tests;
