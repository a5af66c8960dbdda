//! Amounts from files written where the decimal mark is a comma: read with
//! their amounts, and with a comma only where one is the decimal mark.

use super::*;

#[test]
fn a_file_written_where_the_decimal_mark_is_a_comma_is_read_with_its_amounts() {
    // As Excel in Norwegian saves "CSV": semicolons, decimal commas, grouped thousands.
    let file = "\
order_number;email;placed_at;currency;subtotal;shipping;total;line_item_title;quantity;price;tracking_number\r
#3001;kari@example.no;2026-11-20T10:15:00Z;NOK;1\u{a0}199,00;49,00;1\u{a0}248,00;Lue;1;1.199,00;00370712345678901234\r
#3002;ola@example.no;2026-11-20T11:00:00Z;NOK;548,00;0;548,00;Sokker;2;274,00;3,70071E+19\r
";
    let parsed = read_csv(file.as_bytes()).expect("the header row is good");
    let Ok((2, order)) = &parsed[0] else {
        panic!("{:?}", parsed[0])
    };
    assert_eq!(order.totals.subtotal, "1199.00");
    assert_eq!(order.totals.shipping, "49.00");
    assert_eq!(order.totals.total, "1248.00");
    assert_eq!(order.line_items[0].price, "1199.00");
    // A tracking number Excel shortened is refused, not shown to a shopper.
    let Err(bad) = &parsed[1] else {
        panic!("{:?}", parsed[1])
    };
    assert!(bad.reason.contains("spreadsheet shortened"), "{}", bad.reason);
}

#[test]
fn amounts_are_read_with_a_comma_only_where_one_is_the_decimal_mark() {
    use super::super::decimal_comma;
    for (cell, read) in [
        ("548,00", Some("548.00")),
        ("1 199,5", Some("1199.5")),
        ("1.199,00", Some("1199.00")),
        ("12.345.678,9", Some("12345678.9")),
        ("548.00", None),
        ("1,2345678", None),
        ("1.19,00", None),
        ("1234.567,00", None),
        ("abc,00", None),
        (",50", None),
    ] {
        assert_eq!(decimal_comma(cell).as_deref(), read, "{cell}");
    }
    // A number grouped by dots without a decimal comma: 1234 or 1.234? Refused.
    use super::super::comma_amount;
    assert!(comma_amount("1.234").unwrap_err().contains("\"1234,00\""));
    assert!(comma_amount("12.345.678").is_err());
    assert_eq!(comma_amount("1.5").as_deref(), Ok("1.5"));
    assert_eq!(comma_amount("0.500").as_deref(), Ok("0.500"));
    assert_eq!(comma_amount("1.2345").as_deref(), Ok("1.2345"));
    assert_eq!(comma_amount("1.234,00").as_deref(), Ok("1234.00"));
    let file = "order_number;email;placed_at;currency;total;line_item_title;quantity;price\n\
                #1;a@example.com;2026-11-20T10:15:00Z;NOK;1.234;Lue;1;1.234\n";
    let parsed = read_csv(file.as_bytes()).expect("the header row is good");
    let Err(refused) = &parsed[0] else {
        panic!("{:?}", parsed[0])
    };
    assert!(
        refused.reason.starts_with("total: \"1.234\" may be"),
        "{}",
        refused.reason
    );
    // In a file of commas, "548,00" is not an amount (a quoted cell): refused by validation.
    let file = "order_number,email,placed_at,currency,total,line_item_title,quantity,price\n\
                #1,a@example.com,2026-11-20T10:15:00Z,NOK,\"548,00\",Lue,1,\"548,00\"\n";
    let parsed = read_csv(file.as_bytes()).expect("the header row is good");
    assert!(parsed[0].is_err(), "{:?}", parsed[0]);
}
