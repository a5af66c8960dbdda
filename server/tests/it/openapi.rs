//! The OpenAPI document: it lists every operation the API serves and no other,
//! and every example in it gets, from the real server, the answer it documents.

use crate::common;

use app::store::NewShop;
use common::shopify::{request, sign};
use common::TestApp;
use serde_json::Value;

/// Every operation, in the order the examples are tried (the PUT creates the
/// order the others read; the DELETE erases it last).
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/api/v1/openapi.json"),
    ("put", "/api/v1/shops/{shop}/orders/{order_number}"),
    ("get", "/api/v1/shops/{shop}/orders/{order_number}"),
    ("post", "/api/v1/shops/{shop}/lookup"),
    ("post", "/api/v1/shops/{shop}/webhooks/shopify"),
    ("get", "/api/v1/shops/{shop}/settings"),
    ("patch", "/api/v1/shops/{shop}/settings"),
    ("delete", "/api/v1/shops/{shop}/orders/{order_number}"),
];

async fn document(app: &TestApp) -> Value {
    app.openapi().await
}

fn documented(doc: &Value) -> Vec<(String, String)> {
    let mut ops = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                ops.push((method.to_string(), path.clone()));
            }
        }
    }
    ops.sort();
    ops
}

#[tokio::test]
async fn the_document_lists_exactly_the_operations_the_server_answers() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    // Its words are for the API's readers: no link of the code's own docs.
    let text = doc.to_string();
    assert!(!text.contains("[`"), "a Rust doc link in the document");
    // A quantity is as large as the server takes, not an int32's.
    let quantity = &doc["components"]["schemas"]["LineItem"]["properties"]["quantity"];
    assert_eq!(quantity["format"], "int64", "{quantity}");
    assert_eq!(quantity["maximum"], 4294967295u64, "{quantity}");
    let mut expected: Vec<(String, String)> = OPERATIONS.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    expected.sort();
    assert_eq!(documented(&doc), expected);
    // On every documented path, a method the document does not list is not served.
    for (_, path) in &expected {
        let concrete = path.replace("{shop}", "alpha").replace("{order_number}", "1001");
        for method in ["GET", "PUT", "POST", "DELETE", "PATCH"] {
            let listed = doc["paths"][path].get(method.to_lowercase()).is_some();
            let res = app
                .client
                .request(method.parse().unwrap(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status() == 405,
                !listed,
                "{method} {path}: {} (listed: {listed})",
                res.status()
            );
        }
    }
}

/// The example of a parameter, for its place in a path.
fn path_with_examples(path: &str, operation: &Value) -> String {
    let mut concrete = path.to_string();
    for p in operation["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "path" {
            let example = p["example"].as_str().expect("every path parameter has an example");
            concrete = concrete.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), example);
        }
    }
    concrete
}

#[tokio::test]
async fn every_example_gets_the_answer_the_document_gives() {
    let app = TestApp::spawn().await;
    app.store
        .create_shop(&NewShop {
            slug: "demo".into(),
            name: "Demo".into(),
            locale: "en".into(),
            accent: None,
            allowed_origins: vec![],
            webhook_secret: common::shopify::SECRET.into(),
        })
        .await
        .unwrap();
    let key = server::cli::create_key(&app.store, "demo", "").await.unwrap();
    let doc = document(&app).await;
    let mut examples = 0;
    for (method, path) in OPERATIONS {
        let operation = &doc["paths"][path][method];
        let url = app.url(&path_with_examples(path, operation));
        let body = &operation["requestBody"]["content"]["application/json"]["example"];
        let bytes = if body.is_null() {
            vec![]
        } else {
            serde_json::to_vec(body).unwrap()
        };
        let mut req = if path.ends_with("/webhooks/shopify") {
            let header = |name: &str| {
                operation["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["name"] == name)
                    .and_then(|p| p["example"].as_str())
                    .unwrap_or_else(|| panic!("{name} has an example"))
                    .to_string()
            };
            let hmac = sign(common::shopify::SECRET, &bytes);
            request(
                &app.client,
                url,
                &header("X-Shopify-Topic"),
                &header("X-Shopify-Webhook-Id"),
                bytes,
                &hmac,
            )
        } else {
            let req = app.client.request(method.to_uppercase().parse().unwrap(), url);
            let req = if body.is_null() {
                req
            } else {
                req.header("content-type", "application/json").body(bytes)
            };
            if operation.get("security").is_some() {
                req.bearer_auth(&key)
            } else {
                req
            }
        };
        req = req.header("sec-fetch-site", "same-origin");
        let res = req.send().await.unwrap();
        let status = res.status().as_u16().to_string();
        let answer = &operation["responses"][&status];
        assert!(
            answer.is_object(),
            "{method} {path}: {status} is not a documented answer"
        );
        assert!(status.starts_with('2'), "{method} {path}: the example got {status}");
        if status == "201" {
            // The new order's address: where its GET answers.
            let location = res.headers()["location"].to_str().unwrap().to_owned();
            assert_eq!(app.url(&location), res.url().as_str(), "{method} {path}");
        }
        let content = &answer["content"]["application/json"];
        let example = &content["example"];
        let text = res.text().await.unwrap();
        if !content["schema"].is_null() {
            let got: Value = serde_json::from_str(&text).unwrap();
            let mut out = vec![];
            invalid(&doc, &content["schema"], &got, "answer", &mut out);
            invalid(&doc, &content["schema"], example, "example", &mut out);
            assert!(out.is_empty(), "{method} {path}: breaks its schema: {out:?}");
        }
        if !example.is_null() {
            let got: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                &got, example,
                "{method} {path}: the answer differs from the documented example"
            );
            examples += 1;
        }
    }
    assert_eq!(
        examples, 6,
        "the PUT, GET, lookup, webhook and settings answers are documented by example"
    );
}

/// Where `value` breaks `schema`, as paths with what is wrong: a required field
/// left out, a value of another type, a word not in its `enum`, a number under
/// its `minimum`; `$ref`s, arrays and `oneOf`/`anyOf` choices followed (enough
/// of JSON Schema for what utoipa writes).
fn invalid(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return invalid(doc, &doc["components"]["schemas"][name], value, at, out);
    }
    for choices in ["oneOf", "anyOf"] {
        if let Some(choices) = schema[choices].as_array() {
            let errors: Vec<Vec<String>> = choices
                .iter()
                .map(|choice| {
                    let mut errors = vec![];
                    invalid(doc, choice, value, at, &mut errors);
                    errors
                })
                .collect();
            if !errors.iter().any(Vec::is_empty) {
                out.push(format!("{at}: none of the {} choices: {errors:?}", choices.len()));
            }
        }
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind_of = |kind: &str| match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => panic!("{at}: a type this check does not know: {kind}"),
    };
    if !kinds.is_empty() && !kinds.iter().any(|kind| kind_of(kind)) {
        out.push(format!("{at}: {value} is not {kinds:?}"));
        return;
    }
    if let Some(words) = schema["enum"].as_array() {
        if !words.contains(value) {
            out.push(format!("{at}: {value} is not one of {words:?}"));
        }
    }
    if let (Some(minimum), Some(number)) = (schema["minimum"].as_f64(), value.as_f64()) {
        if number < minimum {
            out.push(format!("{at}: {number} is under the minimum {minimum}"));
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for (i, v) in values.iter().enumerate() {
            invalid(doc, items, v, &format!("{at}[{i}]"), out);
        }
    }
    let Some(object) = value.as_object() else { return };
    for name in schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(name) {
            out.push(format!("{at}.{name}: required, left out"));
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        if let Some(v) = object.get(name) {
            invalid(doc, property, v, &format!("{at}.{name}"), out);
        }
    }
}

/// A request example the server accepts holds every field the document says
/// is required (the order body's defaults are not required), and a body that
/// leaves out every field with a default is still accepted.
#[tokio::test]
async fn request_examples_hold_every_required_field_and_no_more_are_required() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    for (method, path) in OPERATIONS {
        let body = &doc["paths"][path][method]["requestBody"]["content"]["application/json"];
        if body["example"].is_null() {
            continue;
        }
        let mut out = vec![];
        invalid(&doc, &body["schema"], &body["example"], "body", &mut out);
        assert!(
            out.is_empty(),
            "{method} {path}: the example breaks its schema: {out:?}"
        );
    }
    // Only what the schema requires: accepted.
    let order = &doc["components"]["schemas"]["Order"];
    let required: Vec<&str> = order["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut minimal: Value = serde_json::from_str(common::EXAMPLE).unwrap();
    minimal
        .as_object_mut()
        .unwrap()
        .retain(|k, _| required.contains(&k.as_str()));
    assert!(!required.contains(&"line_items") && !required.contains(&"return_status"));
    let res = app.put("alpha", "#1001", &app.alpha_key, minimal.to_string()).await;
    let status = res.status();
    assert_eq!(status, 201, "{minimal}: {}", res.text().await.unwrap());
}

/// The status words the document gives are the ones the API reads and writes
/// (a client generated from it sends them), each list in full.
#[tokio::test]
async fn the_documents_status_words_are_the_contracts() {
    use app::status::*;
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let words = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
    macro_rules! lists {
        ($($kind:ident),+) => {
            [$((stringify!($kind), $kind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())),+]
        };
    }
    let lists = lists!(
        OrderStatus,
        PaymentStatus,
        FulfillmentStatus,
        ShipmentStatus,
        ReturnStatus,
        RefundStatus,
        Visibility
    );
    // docs/api.md lists the same words, in the same order, one row a field.
    let api_md = include_str!("../../../docs/api.md");
    let rows = [
        "| `status` |",
        "| `payment_status` |",
        "| `fulfillment_status` |",
        "| `shipments[].status`",
        "| `return_status`",
        "| `returns[].refund.status` |",
        "| `timeline[].visibility` |",
    ];
    for ((name, list), row) in lists.iter().zip(rows) {
        assert_eq!(words(name), serde_json::json!(list), "{name}");
        let line = api_md
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("docs/api.md lists the words of {row}"));
        let said = line.rsplit(" | ").next().expect("the row's words");
        let said: Vec<&str> = said.split('`').skip(1).step_by(2).collect();
        assert_eq!(&said, list, "docs/api.md, {row}");
    }
    assert!(words("PaymentStatus")
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("partially_paid")));
}
