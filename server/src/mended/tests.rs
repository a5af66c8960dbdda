use super::*;

fn moved(uri: &str) -> Option<String> {
    mended(&uri.parse().unwrap()).map(|v| v.to_str().unwrap().to_string())
}

#[test]
fn a_shopper_page_or_a_console_page_with_one_trailing_slash_is_sent_without_it() {
    for (asked, meant) in [
        ("/track/demo/", "/track/demo"),
        (
            "/embed/demo/?locale=de&accent=%23c0ffee",
            "/embed/demo?locale=de&accent=%23c0ffee",
        ),
        ("/console/", "/console"),
        ("/console/shops/demo/settings/", "/console/shops/demo/settings"),
        ("/console/account/?x=1", "/console/account?x=1"),
    ] {
        assert_eq!(moved(asked).as_deref(), Some(meant), "{asked}");
    }
    for other in [
        "/track/demo",
        "/track/",
        "/track//",
        "/track/demo//",
        "/track/demo/x/",
        "/console//",
        "/console/shops//",
        "/consoles/",
        "/trackdemo/",
        "/api/v1/shops/demo/",
        "/",
    ] {
        assert_eq!(moved(other), None, "{other}");
    }
}

#[test]
fn a_shop_asked_in_capitals_is_sent_to_its_slug() {
    assert_eq!(moved("/track/Fjord-Knits").as_deref(), Some("/track/fjord-knits"));
    assert_eq!(moved("/embed/DEMO?locale=nb").as_deref(), Some("/embed/demo?locale=nb"));
    // Already a slug, not a slug in any case, not a shopper page: as asked.
    for uri in [
        "/track/demo",
        "/track/Bad_Slug",
        "/track/A/b",
        "/console/Demo",
        "/track/",
    ] {
        assert_eq!(moved(uri), None, "{uri}");
    }
}

#[test]
fn a_mailed_link_with_a_sentences_punctuation_after_its_token_is_sent_to_the_link() {
    let token = "0123456789abcdef".repeat(4);
    for (path, tail) in [
        ("/console/password", "."),
        ("/console/password", ")."),
        ("/console/password", "/"),
        ("/console/password", "%22"),
        ("/console/password", "%3E"),
        ("/track/demo/o", ","),
        ("/track/demo/o", "!"),
        ("/track/demo/o", "/"),
        ("/track/demo/o", "')"),
        ("/console/password", "%E3%80%82"),
        ("/console/password", "%EF%BC%89"),
        ("/console/password", "%E2%80%9D"),
        ("/console/password", "%20"),
        ("/console/password", "%C2%A0"),
        ("/console/password", "&gt;"),
        ("/console/password", "%E3%80%8D"),
        ("/console/password", "%EF%BC%8E"),
        ("/console/password", "%EF%BD%A1"),
    ] {
        let asked = format!("{path}/{token}{tail}");
        assert_eq!(moved(&asked), Some(format!("{path}/{token}")), "{asked}");
        let asked = format!("{path}/{token}{tail}?locale=de");
        assert_eq!(moved(&asked), Some(format!("{path}/{token}?locale=de")), "{asked}");
    }
    // After the query of a mailed order link, as a sentence leaves it.
    for (asked, meant) in [
        (
            format!("/track/demo/o/{token}?locale=de."),
            format!("/track/demo/o/{token}?locale=de"),
        ),
        (
            format!("/track/demo/o/{token}?locale=ja%E3%80%82"),
            format!("/track/demo/o/{token}?locale=ja"),
        ),
        (
            format!("/track/demo/o/{token}?locale=zh%e3%80%82"),
            format!("/track/demo/o/{token}?locale=zh"),
        ),
        (
            format!("/track/demo/o/{token}?locale=en%E2%80%9D"),
            format!("/track/demo/o/{token}?locale=en"),
        ),
        (
            format!("/track/demo/o/{token}.?locale=nb)."),
            format!("/track/demo/o/{token}?locale=nb"),
        ),
        (
            format!("/track/demo/o/{token}?locale=de%EF%BC%8C"),
            format!("/track/demo/o/{token}?locale=de"),
        ),
        (
            format!("/track/demo/o/{token}?locale=de%26gt;"),
            format!("/track/demo/o/{token}?locale=de"),
        ),
    ] {
        assert_eq!(moved(&asked), Some(meant), "{asked}");
    }
    assert_eq!(moved(&format!("/track/demo/o/{token}?locale=de")), None, "as mailed");
    // In capitals, as some readers of printed or scanned links make them.
    let upper = token.to_ascii_uppercase();
    for (asked, meant) in [
        (
            format!("/console/password/{upper}"),
            format!("/console/password/{token}"),
        ),
        (
            format!("/console/password/{upper}."),
            format!("/console/password/{token}"),
        ),
        (
            format!("/track/demo/o/{upper}?locale=de"),
            format!("/track/demo/o/{token}?locale=de"),
        ),
        (format!("/track/DEMO/o/{token}"), format!("/track/demo/o/{token}")),
        (format!("/track/Demo/o/{upper}."), format!("/track/demo/o/{token}")),
    ] {
        assert_eq!(moved(&asked), Some(meant), "{asked}");
    }
    for asked in [
        // The link itself, a token with a letter or a digit more, one too short.
        format!("/console/password/{token}"),
        format!("/console/password/{token}a"),
        format!("/console/password/{token}.x"),
        format!("/console/password/{}.", &token[1..]),
        format!("/console/password/{}z.", &token[1..]),
        // Not where a token link is.
        format!("/console/passwords/{token}."),
        format!("/track/demo/x/{token}."),
        format!("/track//o/{token}."),
        format!("/{token}."),
        format!("/console/password/{token}//"),
        format!("/console/password/{token}é"),
    ] {
        assert_eq!(moved(&asked), None, "{asked}");
    }
}
