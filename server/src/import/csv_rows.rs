//! CSV files: one row per line item, rows of one order grouped by
//! `order_number` (docs/import.md lists the columns); the rows of one order as
//! an order input. `csv_stream` reads the file.

use app::errors::FieldError;
use app::order::{ItemRefInput, LineItemInput, OrderInput, ShipmentInput, TotalsInput};
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

/// One order's rows as an order input. A quantity that is not a whole number
/// rejects the order on its own, as a body with a number of the wrong type does.
pub(super) fn csv_order_input(rows: &[HashMap<String, String>]) -> std::result::Result<OrderInput, Vec<FieldError>> {
    let empty = HashMap::new();
    let first = rows.first().unwrap_or(&empty);
    let get = |row: &HashMap<String, String>, k: &str| row.get(k).cloned();
    let mut unreadable = vec![];
    let mut shipments: Vec<ShipmentInput> = vec![];
    let mut by_tracking: HashMap<String, usize> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        // Order columns are read from the first row; a later row that gives another
        // shopper's email or another currency is not a line of the same order (two
        // orders given one number, say), and the order is rejected, not mixed.
        for (column, same) in [("email", same_email as fn(&str, &str) -> bool), ("currency", same_code)] {
            if let (Some(a), Some(b)) = (first.get(column), row.get(column)) {
                if !same(a, b) && !unreadable.iter().any(|e: &FieldError| e.field == column) {
                    unreadable.push(FieldError::new(
                        column,
                        "rows_disagree",
                        format!(
                            "`{column}` differs between this order's row 1 and row {} (an order's rows share its \
                             columns; are two orders given one order_number?)",
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
        if let Some(number) = get(row, "tracking_number") {
            let k = match by_tracking.get(&number) {
                Some(&k) => k,
                None => {
                    by_tracking.insert(number.clone(), shipments.len());
                    shipments.push(ShipmentInput {
                        id: Some(format!("shipment-{}", shipments.len() + 1)),
                        status: Some(get(row, "shipment_status").unwrap_or_else(|| "in_transit".into())),
                        carrier: get(row, "carrier"),
                        tracking_number: Some(number),
                        tracking_url: get(row, "tracking_url"),
                        ..Default::default()
                    });
                    shipments.len() - 1
                }
            };
            shipments[k].line_items.push(ItemRefInput { id: Some(id), quantity });
        }
    }
    if !unreadable.is_empty() {
        return Err(unreadable);
    }
    let placed_at = get(first, "placed_at");
    let fulfillment = if shipments.is_empty() {
        "unfulfilled"
    } else {
        "fulfilled"
    };
    let money = |k: &str| Some(get(first, k).unwrap_or_else(|| "0.00".into()));
    let tags: Vec<String> = get(first, "tags")
        .unwrap_or_default()
        .split(['|', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    Ok(OrderInput {
        order_number: get(first, "order_number"),
        email: get(first, "email"),
        updated_at: get(first, "updated_at").or_else(|| placed_at.clone()),
        placed_at,
        status: Some(get(first, "status").unwrap_or_else(|| "open".into())),
        cancel_reason: get(first, "cancel_reason"),
        payment_status: Some(get(first, "payment_status").unwrap_or_else(|| "paid".into())),
        fulfillment_status: Some(get(first, "fulfillment_status").unwrap_or_else(|| fulfillment.into())),
        currency: get(first, "currency"),
        totals: Some(TotalsInput {
            subtotal: money("subtotal"),
            shipping: money("shipping"),
            tax: money("tax"),
            discounts: money("discounts"),
            total: get(first, "total"),
        }),
        line_items: items,
        shipments,
        tags,
        note: get(first, "note"),
        ..Default::default()
    })
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
mod tests {
    use super::super::csv_stream::csv_orders;
    use super::super::{Parsed, Rejected};
    use app::order::LIMITS;

    /// Every answer for a file, by line.
    fn read_csv(file: &[u8]) -> Result<Vec<Parsed>, Rejected> {
        let mut parsed: Vec<Parsed> = csv_orders(std::io::Cursor::new(file))?.collect();
        parsed.sort_by_key(|p| match p {
            Ok((line, _)) => *line,
            Err(r) => r.line,
        });
        Ok(parsed)
    }

    #[test]
    fn csv_rows_of_one_order_make_one_order_with_its_parcels() {
        let file = "\
order_number,email,placed_at,currency,total,line_item_id,line_item_title,quantity,price,carrier,tracking_number,note,tags
#2001,ada@example.com,2026-11-02T10:15:00Z,NOK,548.00,li-1,Wool socks,2,249.50,PostNord,0037001,VIP customer,vip|gift
#2002,bo@example.com,2026-11-02T11:00:00Z,SEK,99.00,,Cap,1,99.00,,,,
#2001,ada@example.com,2026-11-02T10:15:00Z,NOK,548.00,li-2,Beanie,1,49.00,PostNord,0037001,,
#2003,not-an-email,2026-11-02T11:00:00Z,SEK,99.00,,Cap,1,99.00,,,,
#2004,cy@example.com,2026-11-02T11:00:00Z,SEK,99.00,,Cap,two,99.00,,,,
";
        let parsed = read_csv(file.as_bytes()).expect("the header row is good");
        assert_eq!(parsed.len(), 4);
        let Ok((line, order)) = &parsed[0] else {
            panic!("{:?}", parsed[0])
        };
        assert_eq!(*line, 2);
        assert_eq!(order.line_items.len(), 2);
        assert_eq!(order.shipments.len(), 1);
        assert_eq!(order.shipments[0].line_items.len(), 2);
        assert_eq!(order.tags, ["vip", "gift"]);
        assert_eq!(order.note.as_deref(), Some("VIP customer"));
        let Ok((3, cap)) = &parsed[1] else {
            panic!("{:?}", parsed[1])
        };
        assert_eq!(cap.fulfillment_status.as_str(), "unfulfilled");
        let Err(bad) = &parsed[2] else { panic!() };
        assert_eq!(bad.line, 5);
        assert!(bad.reason.starts_with("email:"), "{}", bad.reason);
        let Err(bad) = &parsed[3] else { panic!() };
        assert_eq!(bad.line, 6);
        assert!(bad.reason.contains("quantity"), "{}", bad.reason);
    }

    #[test]
    fn an_order_of_more_rows_than_line_items_allowed_is_refused_without_keeping_them() {
        let mut file = String::from(
            "order_number,email,placed_at,currency,total,line_item_title,quantity,price,tracking_number\n",
        );
        // 20,000 rows of one order, each its own parcel: all were kept, and each
        // parcel was looked up among the ones before it (time grew as rows squared).
        for n in 0..20_000 {
            file.push_str(&format!(
                "#1,a@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00,T{n}\n"
            ));
        }
        file.push_str("#2,b@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00,\n");
        let parsed = read_csv(file.as_bytes()).expect("the header row is good");
        assert_eq!(parsed.len(), 2);
        let Err(bad) = &parsed[0] else {
            panic!("{:?}", parsed[0])
        };
        assert_eq!(bad.line, 2);
        assert!(
            bad.reason.contains("20000 rows") && bad.reason.contains("at most 1000"),
            "{}",
            bad.reason
        );
        assert!(parsed[1].is_ok(), "the next order is read as ever");
    }

    #[test]
    fn an_order_of_as_many_rows_as_line_items_allowed_is_read() {
        let mut file = String::from(
            "order_number,email,placed_at,currency,total,line_item_title,quantity,price,tracking_number\n",
        );
        for n in 0..LIMITS.line_items {
            file.push_str(&format!(
                "#1,a@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00,T{}\n",
                n % 100
            ));
        }
        let parsed = read_csv(file.as_bytes()).expect("the header row is good");
        let Ok((_, order)) = &parsed[0] else {
            panic!("{:?}", parsed[0])
        };
        assert_eq!(order.line_items.len(), LIMITS.line_items);
        assert_eq!(
            order.shipments.len(),
            100,
            "rows of one tracking number share its parcel"
        );
    }

    #[test]
    fn rows_of_one_number_that_name_another_shopper_or_currency_reject_the_order() {
        let file = "\
order_number,email,placed_at,currency,total,line_item_title,quantity,price
#1,ada@example.com,2026-11-02T10:15:00Z,NOK,2.00,Cap,1,1.00
#2,bo@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00
#1,eve@example.com,2026-11-02T10:15:00Z,NOK,2.00,Hat,1,1.00
#2,BO@Example.com ,2026-11-02T10:15:00Z,NOK,1.00,Hat,1,1.00
#3,cy@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00
#3,cy@example.com,2026-11-02T10:15:00Z,SEK,1.00,Hat,1,1.00
";
        let parsed = read_csv(file.as_bytes()).expect("the header row is good");
        assert_eq!(parsed.len(), 3);
        let Err(mixed) = &parsed[0] else {
            panic!("{:?}", parsed[0])
        };
        assert!(
            mixed
                .reason
                .contains("`email` differs between this order's row 1 and row 2"),
            "{}",
            mixed.reason
        );
        let Ok((_, same)) = &parsed[1] else {
            panic!("the same address in other letters is the same shopper: {:?}", parsed[1])
        };
        assert_eq!(same.line_items.len(), 2);
        let Err(currencies) = &parsed[2] else {
            panic!("{:?}", parsed[2])
        };
        assert!(
            currencies.reason.contains("`currency` differs"),
            "{}",
            currencies.reason
        );
    }

    #[test]
    fn an_order_whose_rows_hold_more_text_than_an_order_may_is_refused_without_keeping_it() {
        let mut file =
            String::from("order_number,email,placed_at,currency,total,line_item_title,quantity,price,variant\n");
        let variant = "v".repeat(3000);
        for _ in 0..400 {
            file.push_str(&format!(
                "#1,a@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00,{variant}\n"
            ));
        }
        file.push_str("#2,b@example.com,2026-11-02T10:15:00Z,NOK,1.00,Cap,1,1.00,\n");
        let parsed = read_csv(file.as_bytes()).expect("the header row is good");
        let Err(large) = &parsed[0] else {
            panic!("{:?}", parsed[0])
        };
        assert_eq!(large.line, 2);
        assert!(
            large.reason.contains("an order holds at most 1048576"),
            "{}",
            large.reason
        );
        assert!(parsed[1].is_ok(), "the next order is read as ever");
    }

    #[test]
    fn a_csv_with_an_unknown_column_is_refused_whole() {
        let Err(bad) = read_csv("order_number,colour\n#1,red\n".as_bytes()) else {
            panic!("an unknown column refuses the file")
        };
        assert_eq!(bad.line, 1);
        assert!(bad.reason.contains("\"colour\""), "{}", bad.reason);
        let Err(bad) = read_csv("email\na@example.com\n".as_bytes()) else {
            panic!("a file without order numbers is refused")
        };
        assert!(bad.reason.contains("no order_number column"), "{}", bad.reason);
    }
}
