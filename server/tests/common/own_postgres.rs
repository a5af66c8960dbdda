//! A PostgreSQL cluster of a test's own (scripts/pg.sh), so it can be
//! stopped, or given a replica, without disturbing the other tests.

/// The cluster: its folder and port, and its replica's port if it has one.
pub struct OwnPostgres {
    dir: String,
    port: String,
    standby_port: Option<String>,
}

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pg.sh")
}

impl OwnPostgres {
    pub fn start() -> OwnPostgres {
        OwnPostgres::started("pg_start >&2 && echo \"$PG_DIR $PG_PORT\"")
    }

    /// The cluster and a streaming replica of it (`pg_standby_start`).
    pub fn with_standby() -> OwnPostgres {
        OwnPostgres::started(
            "pg_start >&2 && { pg_standby_start >&2 || { pg_stop; exit 1; }; } \
             && echo \"$PG_DIR $PG_PORT $PG_STANDBY_PORT\"",
        )
    }

    fn started(commands: &str) -> OwnPostgres {
        let out = std::process::Command::new("bash")
            .args(["-c", &format!("source {} && {commands}", script())])
            .output()
            .expect("run scripts/pg.sh");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let mut words = text.split_whitespace().map(str::to_string);
        OwnPostgres {
            dir: words.next().expect("a folder"),
            port: words.next().expect("a port"),
            standby_port: words.next(),
        }
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The replica's URL (of a cluster started [`OwnPostgres::with_standby`]).
    pub fn standby_url(&self) -> String {
        let port = self.standby_port.as_deref().expect("a cluster with a replica");
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }

    pub fn ctl(&self, action: &str) {
        let out = std::process::Command::new("bash")
            .args([
                "-c",
                &format!(
                    "source {} && PG_DIR={} PG_PORT={} pg_ctl_{action}",
                    script(),
                    self.dir,
                    self.port
                ),
            ])
            .output()
            .expect("run scripts/pg.sh");
        assert!(
            out.status.success(),
            "{action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .args(["-c", &format!("source {} && PG_DIR={} pg_stop", script(), self.dir)])
            .status();
    }
}
