//! Tests of the shop settings' checks.

use super::*;

#[test]
fn a_logo_is_an_https_address_a_browser_asks_for_as_it_is() {
    for (typed, kept) in [
        (
            " https://cdn.shop.example/logo.svg ",
            "https://cdn.shop.example/logo.svg",
        ),
        (
            "HTTPS://cdn.shop.example:8443/a%20b.png?v=2#x",
            "https://cdn.shop.example:8443/a%20b.png?v=2#x",
        ),
        (
            "https://xn--bcher-kva.example/logo.png",
            "https://xn--bcher-kva.example/logo.png",
        ),
    ] {
        assert_eq!(check_logo_url(typed), Ok(Some(kept.to_string())), "{typed}");
    }
    assert_eq!(check_logo_url("  "), Ok(None));
    let long = format!("https://cdn.shop.example/{}", "a".repeat(MAX_LOGO_URL_LEN));
    for bad in [
        "http://cdn.shop.example/logo.svg",
        "javascript:alert(1)",
        "data:image/svg+xml,<svg/>",
        "//cdn.shop.example/logo.svg",
        "/logo.svg",
        "https://",
        "https://user:pass@cdn.shop.example/logo.svg",
        "https://cdn.shop.example/a b.svg",
        "https://cdn.shop.example/\"onerror=\"x",
        "https://cdn.shop.example/<b>",
        "https://bücher.example/logo.png",
        "https://cdn..example/logo.svg",
        "https://cdn.shop.example:99999/logo.svg",
        "https://cdn.shop.example\\logo.svg",
        // Addresses, not names on the internet: a browser reads some as another.
        "https://[2001:db8::1]/logo.png",
        "https://1.2.3.4/logo.png",
        "https://1.2.3.4.5/logo.png",
        "https://0x7f.1/logo.png",
        "https://0x7f.0x1/logo.png",
        "https://0xc0.0xa8.0x0.0X1/logo.png",
        "https://cdn.0x/logo.png",
        "https://2130706433/logo.png",
        "https://localhost/logo.png",
        "https://cdn.localhost:8443/logo.png",
        "https://intranet/logo.png",
        long.as_str(),
    ] {
        assert!(check_logo_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn slugs() {
    assert!(check_slug("demo").is_ok());
    assert!(check_slug("my-shop-2").is_ok());
    for bad in ["", "Demo", "my shop", "a_b", &"a".repeat(65)] {
        assert!(check_slug(bad).is_err(), "{bad}");
    }
}

#[test]
fn an_origin_is_kept_as_a_browser_names_it() {
    for (given, kept) in [
        ("https://shop.example", "https://shop.example"),
        ("https://shop.example/", "https://shop.example"),
        ("HTTPS://Shop.Example:443", "https://shop.example"),
        ("http://shop.example:80/", "http://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("http://shop.example:443", "http://shop.example:443"),
        ("https://shop.example/pages/track-order?x=1#top", "https://shop.example"),
        ("https://[::1]:443", "https://[::1]"),
        (" https://127.0.0.1:3000 ", "https://127.0.0.1:3000"),
        // Names in other scripts, as an address bar shows them: as browsers send them.
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://BÜCHER.example:8443/x", "https://xn--bcher-kva.example:8443"),
        ("https://お店.jp", "https://xn--t8jz70l.jp"),
        ("https://ærø-shop.dk", "https://xn--r-shop-oua9l.dk"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ] {
        assert_eq!(check_origin(given).as_deref(), Ok(kept), "{given}");
    }
    for bad in [
        "shop.example",
        "ftp://shop.example",
        "https://",
        "https:///x",
        "https://user@shop.example",
        "https://shop example",
        "https://bü cher.example",
        // 254 characters once in its `xn--` form.
        format!(
            "https://{}.ü.example",
            ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(46)].join(".")
        )
        .as_str(),
        "https://bücher..example",
        "https://\u{202e}shop.example",
        // `xn--` labels that stand for no name in another script.
        "https://xn--zz.example",
        "https://shop.XN--ZZ",
        "https://xn--.example",
        "https://xn--bcher-kva-.example",
    ] {
        assert!(check_origin(bad).is_err(), "{bad}");
    }
}

#[test]
fn accents_and_locales() {
    assert_eq!(check_accent("#0A7C59").unwrap(), "#0a7c59");
    assert_eq!(check_accent("fff").unwrap(), "#fff");
    assert!(check_accent("red").is_err());
    assert!(check_locale("nb").is_ok());
    assert_eq!(check_locale("pt"), Ok(Locale::Pt));
    assert!(check_locale("fi").is_err());
}

#[test]
fn names() {
    assert_eq!(check_name("  Nordlys AS ").unwrap(), "Nordlys AS");
    // Emoji sequences and scripts keep their joiners and selectors.
    for good in [
        "I \u{2764}\u{FE0F} Oslo",
        "\u{1F469}\u{200D}\u{1F373} Kitchen",
        "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} Tea",
        "\u{06A9}\u{062A}\u{0627}\u{0628}\u{200C}\u{0641}\u{0631}\u{0648}\u{0634}\u{06CC}",
    ] {
        assert_eq!(check_name(good), Ok(good), "{good:?}");
    }
    assert_eq!(
        check_name(&"ø".repeat(MAX_NAME_CHARS)).unwrap().chars().count(),
        MAX_NAME_CHARS
    );
    // A shop whose name reads like another's: right-to-left override, zero-width space, an isolate.
    for bad in [
        "",
        "   ",
        "\u{2800}",
        "\u{2800} \u{2800}",
        "\u{301}",
        "\u{64E}",
        "\u{483}\u{591}",
        " \u{1D173}\u{1D174} ",
        "\u{1BCA0}",
        "Nord\nlys",
        "a\tb",
        &"x".repeat(MAX_NAME_CHARS + 1),
        "Nordlys \u{202E}SA",
        "Nord\u{200B}lys",
        "Nordlys \u{2067}SA\u{2069}",
        "Nord\u{FEFF}lys",
    ] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn origins() {
    let many: Vec<String> = (0..=MAX_ORIGINS).map(|i| format!("https://s{i}.example")).collect();
    assert_eq!(check_origins(&many[..MAX_ORIGINS]).unwrap().len(), MAX_ORIGINS);
    assert_eq!(check_origins(&many), Err(OriginsProblem::TooMany));
    // One origin written three ways is one, and counts once.
    let same = ["https://a.example", "https://A.example:443", "https://a.example/"].map(String::from);
    assert_eq!(check_origins(&same).unwrap(), ["https://a.example"]);
    let repeated: Vec<String> = many[..MAX_ORIGINS]
        .iter()
        .chain(&many[..MAX_ORIGINS])
        .cloned()
        .collect();
    assert_eq!(check_origins(&repeated).unwrap().len(), MAX_ORIGINS);
    assert_eq!(
        check_origins(&vec![same[0].clone(); 4 * MAX_ORIGINS + 1]),
        Err(OriginsProblem::TooMany)
    );
    assert_eq!(check_origin("https://Shop.Example/").unwrap(), "https://shop.example");
    assert_eq!(check_origin("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
    assert_eq!(check_origin("https://a.example:080").unwrap(), "https://a.example:80");
    assert_eq!(check_origin("http://a.example:080").unwrap(), "http://a.example");
    assert_eq!(check_origin("https://[::1]:8443").unwrap(), "https://[::1]:8443");
    assert_eq!(check_origin("https://[::1]").unwrap(), "https://[::1]");
    for bad in [
        "shop.example",
        "ftp://x",
        "https://",
        "javascript:alert(1)",
        "https://a.example:99999",
        "https://a.example:0",
        "https://a.example:",
        "https://a.example:+80",
        "https://a.example:8a",
        "https://a..example",
        "https://-a.example",
        "https://a.example::80",
        "https://[nothost]",
        "https://[::1",
        "https://a:b:c",
        &format!("https://{}.example", "a".repeat(300)),
    ] {
        assert!(check_origin(bad).is_err(), "{bad}");
    }
}
