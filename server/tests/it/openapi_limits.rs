//! The OpenAPI document's limits are the server's: every `maxLength` and
//! `maxItems` of the order (and the lookup's body) is found in the served
//! document, and the validator takes a value at the limit and refuses one
//! past it, naming the field.

use crate::common;

use common::{TestApp, EXAMPLE};
use serde_json::{json, Value};

/// One step into an order body: a property, or a list's first entry.
#[derive(Clone, Debug)]
enum Step {
    Field(String),
    First,
}

/// A limit the document gives, and where in an order it applies.
#[derive(Debug)]
struct Limit {
    at: Vec<Step>,
    /// `maxLength` (a string) or `maxItems` (a list).
    max: usize,
    list: bool,
}

/// The field's name as the validator's errors give it: `shipments[0].events[0].message`.
fn field(at: &[Step]) -> String {
    let mut out = String::new();
    for step in at {
        match step {
            Step::Field(name) if out.is_empty() => out.push_str(name),
            Step::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::First => out.push_str("[0]"),
        }
    }
    out
}

/// Every limit below `schema`, following references into `doc`'s components.
fn limits(doc: &Value, schema: &Value, at: Vec<Step>, out: &mut Vec<Limit>) {
    if let Some(name) = schema["$ref"].as_str() {
        let name = name.trim_start_matches("#/components/schemas/");
        return limits(doc, &doc["components"]["schemas"][name], at, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for variant in schema[key].as_array().into_iter().flatten() {
            limits(doc, variant, at.clone(), out);
        }
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        out.push(Limit {
            at: at.clone(),
            max: max as usize,
            list: false,
        });
    }
    if let Some(max) = schema["maxItems"].as_u64() {
        out.push(Limit {
            at: at.clone(),
            max: max as usize,
            list: true,
        });
    }
    if schema.get("items").is_some() {
        let mut inner = at.clone();
        inner.push(Step::First);
        limits(doc, &schema["items"], inner, out);
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut inner = at.clone();
        inner.push(Step::Field(name.clone()));
        limits(doc, property, inner, out);
    }
}

/// The example order with every part the limits reach: a second box, a full address.
fn full_order() -> Value {
    let mut order: Value = serde_json::from_str(EXAMPLE).expect("the example is JSON");
    order["shipments"][0]["more_tracking"] = json!([{"tracking_number": "BOX-2"}]);
    for part in ["first_name", "last_name", "address2", "province", "phone"] {
        order["shipping_address"][part] = json!("x");
    }
    order["line_items"][0]["image_url"] = json!("https://img.example/1.png");
    order["cancel_reason"] = json!("customer");
    order
}

fn place<'a>(order: &'a mut Value, at: &[Step]) -> &'a mut Value {
    at.iter().fold(order, |value, step| match step {
        Step::Field(name) => &mut value[name.as_str()],
        Step::First => &mut value[0],
    })
}

/// A value of `n` characters that the field takes when it is not too long.
fn text_of(at: &[Step], n: usize) -> String {
    let name = match at.last() {
        Some(Step::Field(name)) => name.as_str(),
        _ => "",
    };
    match name {
        _ if name.ends_with("url") => format!("https://t.example/{}", "a".repeat(n.saturating_sub(18))),
        "currency" => "NOKX".chars().take(n).collect(),
        "country_code" => "NOX".chars().take(n).collect(),
        // Local part at most 64, labels at most 63: the rest in labels of the domain.
        "email" => {
            let mut domain = String::from("example");
            while 65 + domain.len() + 1 < n {
                let label = (n - 65 - domain.len() - 1).min(63);
                domain = format!("{}.{domain}", "b".repeat(label));
            }
            let local = "a".repeat(n.saturating_sub(domain.len() + 1).min(64));
            format!("{local}@{domain}")
        }
        _ => "a".repeat(n),
    }
}

fn refusals(order: &Value) -> Vec<(String, String)> {
    match app::order::parse_order(order.to_string().as_bytes()) {
        Ok(_) => vec![],
        Err(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
    }
}

#[tokio::test]
async fn every_limit_the_document_gives_is_the_validators() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let mut found = vec![];
    limits(&doc, &doc["components"]["schemas"]["Order"], vec![], &mut found);
    // Every text a merchant sends is bounded, every list capped.
    let named: Vec<String> = found.iter().map(|l| field(&l.at)).collect();
    for expected in [
        "order_number",
        "note",
        "line_items",
        "line_items[0].title",
        "shipments[0].more_tracking",
        "shipments[0].more_tracking[0].tracking_url",
        "shipments[0].events[0].message",
        "returns[0].line_items[0].id",
        "timeline[0].kind",
        "shipping_address.zip",
        "tags",
        "tags[0]",
    ] {
        assert!(named.iter().any(|n| n == expected), "no limit on {expected}: {named:?}");
    }
    assert!(found.len() >= 40, "{} limits: {named:?}", found.len());
    assert!(refusals(&full_order()).is_empty(), "{:?}", refusals(&full_order()));

    for limit in &found {
        let name = field(&limit.at);
        let mut order = full_order();
        if limit.list {
            // One past the cap: refused as too many, naming the list.
            let slot = place(&mut order, &limit.at);
            let first = slot[0].clone();
            *slot = Value::Array(vec![first; limit.max + 1]);
            let refused = refusals(&order);
            assert!(
                refused.iter().any(|(f, c)| f == &name && c == "too_many"),
                "{name}: {} entries not refused as too many: {refused:?}",
                limit.max + 1
            );
            continue;
        }
        // At the limit: taken. A line item's id and the parcel's and the
        // return's references to it change together.
        let set = |order: &mut Value, n: usize| {
            let value = json!(text_of(&limit.at, n));
            if name.ends_with("line_items[0].id") {
                for item in [
                    "line_items[0].id",
                    "shipments[0].line_items[0].id",
                    "returns[0].line_items[0].id",
                ] {
                    let at = found.iter().find(|l| field(&l.at) == item).map(|l| l.at.clone());
                    *place(order, &at.expect("every reference has its limit")) = value.clone();
                }
            } else {
                *place(order, &limit.at) = value;
            }
        };
        set(&mut order, limit.max);
        assert_eq!(refusals(&order), vec![], "{name}: {} characters refused", limit.max);
        // One past it: refused, naming the field.
        set(&mut order, limit.max + 1);
        let refused = refusals(&order);
        assert!(
            refused.iter().any(|(f, _)| f == &name),
            "{name}: {} characters taken: {refused:?}",
            limit.max + 1
        );
    }

    // The lookup's body: the same limits as the order's keys.
    let lookup = &doc["components"]["schemas"]["LookupRequest"]["properties"];
    assert_eq!(lookup["email"]["maxLength"], 254, "{lookup}");
    assert_eq!(lookup["order_number"]["maxLength"], 64, "{lookup}");
    for (email, number, field) in [
        (
            text_of(&[Step::Field("email".into())], 255),
            "#1001".to_string(),
            "email",
        ),
        ("ada@example.com".to_string(), "1".repeat(65), "order_number"),
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/shops/alpha/lookup"))
            .json(&json!({"email": email, "order_number": number}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{field}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}
