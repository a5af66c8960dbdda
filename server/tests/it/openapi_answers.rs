//! The OpenAPI document's shapes are the server's answers: every field an
//! answer holds is declared, every field declared required is there, and a
//! shopper view's fields that are always sent (`null` when empty) are declared
//! required, so that a client made from the document expects them.

use crate::common;

use common::{example, TestApp};
use serde_json::{json, Value};

/// The fields of a shopper view left out when empty (docs/api.md).
const LEFT_OUT_WHEN_EMPTY: &[&str] = &["tax_included", "more_tracking"];

/// The schema `schema` stands for: its reference followed, a `null` variant passed over.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(name) = schema["$ref"].as_str() {
        let name = name.trim_start_matches("#/components/schemas/");
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(variants) = schema[key].as_array() {
            if let Some(real) = variants.iter().find(|v| v["type"] != "null") {
                return resolve(doc, real);
            }
        }
    }
    schema
}

/// Every mismatch between `value` (at `at`) and `schema`: a field not
/// declared, one required and missing, and where `strict`, one always sent
/// but not declared required.
fn mismatches(doc: &Value, schema: &Value, value: &Value, at: &str, strict: bool, out: &mut Vec<String>) {
    // A box's tracking and a scan have one shape, sent by merchants and
    // shown: their fields may be left out when sent.
    let shared = ["Tracking", "TrackingEvent"]
        .iter()
        .any(|name| schema["$ref"].as_str() == Some(&format!("#/components/schemas/{name}")));
    let strict = strict && !shared;
    let schema = resolve(doc, schema);
    match value {
        Value::Object(fields) => {
            let declared = schema["properties"].as_object().cloned().unwrap_or_default();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for name in &required {
                if !fields.contains_key(*name) {
                    out.push(format!("{at}.{name}: required, not sent"));
                }
            }
            for (name, inner) in fields {
                let Some(property) = declared.get(name) else {
                    out.push(format!("{at}.{name}: sent, not declared"));
                    continue;
                };
                if strict && !required.contains(&name.as_str()) && !LEFT_OUT_WHEN_EMPTY.contains(&name.as_str()) {
                    out.push(format!("{at}.{name}: always sent, not required"));
                }
                mismatches(doc, property, inner, &format!("{at}.{name}"), strict, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                mismatches(doc, &schema["items"], item, &format!("{at}[{i}]"), strict, out);
            }
        }
        _ => {}
    }
}

/// The example with every optional part the shopper view can show.
fn full_example() -> Value {
    let mut order = example();
    order["shipments"][0]["more_tracking"] = json!([{"tracking_number": "BOX-2"}]);
    order["totals"]["tax_included"] = json!(true);
    order["shipping_address"]["first_name"] = json!("Ada");
    order
}

#[tokio::test]
async fn a_shopper_view_and_an_order_answer_as_the_document_declares() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let schemas = &doc["components"]["schemas"];
    // An order with every part, and one with none of the optional ones.
    let mut bare = example();
    bare["order_number"] = json!("#1002");
    for list in ["shipments", "returns", "timeline", "tags"] {
        bare[list] = json!([]);
    }
    bare["shipping_address"] = Value::Null;
    bare["line_items"][0]["variant"] = Value::Null;
    for (number, order) in [("#1001", full_example()), ("#1002", bare)] {
        let res = app.put("alpha", number, &app.alpha_key, order.to_string()).await;
        assert!(res.status().is_success(), "{number}: {}", res.status());

        let view = app.view("alpha", "ada@example.com", number).await;
        let mut found = vec![];
        mismatches(&doc, &schemas["ShopperView"], &view, "view", true, &mut found);
        assert_eq!(found, Vec::<String>::new(), "{number}: {view}");

        let stored = app.merchant_order("alpha", number).await;
        let mut found = vec![];
        mismatches(&doc, &schemas["Order"], &stored, "order", false, &mut found);
        assert_eq!(found, Vec::<String>::new(), "{number}: {stored}");
    }
    // The fields sent as `null` are among those checked.
    let view = app.view("alpha", "ada@example.com", "#1002").await;
    for field in ["cancel_reason", "hold_reason", "scheduled_at", "ship_to"] {
        assert_eq!(view[field], Value::Null, "{field}: {view}");
    }
}
