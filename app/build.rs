//! Rebuilds the crate when a translation changes (rust-i18n reads
//! `locales/*.yml` at compile time, and cargo does not track those files
//! itself), and lists the migrations of `../migrations/{sqlite,postgres}` for
//! the store to compile in (`store/migrations.rs`): sqlx's `migrate!` macro
//! would do the same, but building it compiles sqlx's drivers, SQLite's C
//! library included, a second time, for the compiler.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut code = String::new();
    for (name, dir) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = Path::new(&manifest).join("../migrations").join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| {
                let path = entry.expect("a directory entry").path();
                let file = path.file_name()?.to_str()?.to_string();
                let (version, rest) = file.split_once('_')?;
                let description = rest.strip_suffix(".sql")?.replace('_', " ");
                let version = version
                    .parse()
                    .unwrap_or_else(|_| panic!("{file}: a migration's name starts with its version"));
                Some((version, description, path.display().to_string()))
            })
            .collect();
        files.sort();
        writeln!(code, "/// (version, description, SQL) of each migration, by version.").unwrap();
        writeln!(code, "const {name}: &[(i64, &str, &str)] = &[").unwrap();
        for (version, description, path) in files {
            writeln!(code, "    ({version}, {description:?}, include_str!({path:?})),").unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    std::fs::write(Path::new(&out).join("migrations.rs"), code).expect("write the migration list");
}
