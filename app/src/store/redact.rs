//! Database URLs as they may be shown in a message or a log: without their
//! password, whether it is in the user part or in the query.

/// `url` with any password replaced by `***`.
pub fn shown_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut shown = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let authority = match authority.rsplit_once('@') {
                Some((user, host)) => match user.split_once(':') {
                    Some((name, _)) => format!("{name}:***@{host}"),
                    None => authority.to_string(),
                },
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_string(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                _ => pair.to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
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
        ] {
            assert_eq!(shown_url(url), shown, "{url}");
        }
    }
}
