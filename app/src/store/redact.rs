//! Database URLs as they may be shown in a message or a log: without their
//! password, whether it is in the user part or in the query.

/// `url` with any password replaced by `***`. The user part is everything
/// between `://` and the last `@`, whatever it holds (a password may hold `/`,
/// `?` or `@`); where that cuts too much, more is hidden, never less.
pub fn shown_url(url: &str) -> String {
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => match rest.rfind('@').map(|at| rest.split_at(at)) {
            Some((user, host)) => match user.split_once(':') {
                Some((name, _)) => format!("{scheme}://{name}:***{host}"),
                None => url.to_string(),
            },
            None => url.to_string(),
        },
        None => url.to_string(),
    };
    let Some((base, query)) = shown.split_once('?') else {
        return shown;
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::shown_url;

    #[test]
    fn passwords_are_never_shown() {
        for (url, shown) in [
            (
                "postgres://lookout:s3cr%40t@db.example:5432/lookout",
                "postgres://lookout:***@db.example:5432/lookout",
            ),
            ("postgres://lookout:p@ss@db/x", "postgres://lookout:***@db/x"),
            (
                "postgres://lookout@db/x?sslmode=require&password=hunter2",
                "postgres://lookout@db/x?sslmode=require&password=***",
            ),
            ("postgres://db/x", "postgres://db/x"),
            ("sqlite://lookout.db?mode=rwc", "sqlite://lookout.db?mode=rwc"),
            ("sqlite:lookout.db", "sqlite:lookout.db"),
            ("postgres://u:p?ss@h/db", "postgres://u:***@h/db"),
            ("postgres://u:pa/ss@h/db", "postgres://u:***@h/db"),
            (
                "postgres://u:pa@ss@h/db?password=x",
                "postgres://u:***@h/db?password=***",
            ),
        ] {
            assert_eq!(shown_url(url), shown, "{url}");
        }
    }
}
