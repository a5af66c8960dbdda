//! The shopper's two lookup fields: any text is either accepted with a usable key
//! or rejected with field errors, never a panic, and surrounding white space never
//! changes the key an input is matched under.
#![no_main]

use app::normalize::{check_lookup, email_key, order_number_key, MAX_EMAIL_LEN, MAX_ORDER_NUMBER_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|fields: (&str, &str)| {
    let (email, order_number) = fields;
    let email_k = email_key(email);
    let number_k = order_number_key(order_number);
    assert_eq!(email_key(&format!(" \t{email}\n ")), email_k);
    assert_eq!(order_number_key(&format!("\n {order_number} \t")), number_k);
    match check_lookup(email, order_number) {
        Ok(()) => {
            assert!(!email_k.is_empty() && email_k.contains('@'));
            assert!(!number_k.is_empty());
            assert!(email.trim().chars().count() <= MAX_EMAIL_LEN);
            assert!(order_number.trim().chars().count() <= MAX_ORDER_NUMBER_LEN);
        }
        Err(errors) => {
            assert!((1..=2).contains(&errors.len()));
            for error in &errors {
                assert!(error.field == "email" || error.field == "order_number");
            }
        }
    }
});
