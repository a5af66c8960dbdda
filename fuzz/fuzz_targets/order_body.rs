//! The merchant's order body: whatever bytes arrive, parsing and validation answer
//! with an order or with field errors, never a panic; an accepted order always
//! projects to a shopper view that serialises.
#![no_main]

use app::order::parse_order;
use app::view::ShopperView;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match parse_order(body) {
        Ok(order) => {
            let view = ShopperView::from(&order);
            let json = serde_json::to_string(&view).expect("a shopper view always serialises");
            assert!(json.contains("\"order_number\""));
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a rejected body names at least one problem");
            for error in &errors {
                assert!(!error.field.is_empty() && !error.code.is_empty() && !error.message.is_empty());
            }
        }
    }
});
