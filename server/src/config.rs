//! The optional config file, `--config FILE` (or `LOOKOUT_CONFIG`), in TOML. Its
//! keys are the long flag names (`database-url`, `addr`,
//! `failed-lookups-per-client`, …). Precedence: a flag, then its `LOOKOUT_*`
//! variable, then the file, then the default. The file's values are handed to
//! the command line parser as the settings' variables wherever those are unset,
//! so one parser checks every value and names the setting when one is bad.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The config file named by `--config FILE`, `--config=FILE` or `LOOKOUT_CONFIG`.
pub fn path_from(args: &[OsString]) -> Option<PathBuf> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.as_bytes().strip_prefix(b"--config=") {
            return Some(PathBuf::from(std::ffi::OsStr::from_bytes(path)));
        }
    }
    std::env::var_os("LOOKOUT_CONFIG").map(PathBuf::from)
}

/// The file's settings as (variable, value) pairs. `settings` maps each long flag
/// name to its variable.
pub fn read(path: &Path, settings: &BTreeMap<String, String>) -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the config file {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("the config file {} is not valid TOML", path.display()))?;
    let mut out = vec![];
    for (key, value) in table {
        let Some(var) = settings.get(&key) else {
            let known: Vec<&str> = settings.keys().map(String::as_str).collect();
            bail!(
                "unknown setting {key:?} in the config file {} (settings: {})",
                path.display(),
                known.join(", ")
            );
        };
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s.clone()),
                    _ => bail!("setting {key:?} in {}: a list holds text only", path.display()),
                })
                .collect::<Result<Vec<_>>>()?
                .join(","),
            _ => bail!(
                "setting {key:?} in {}: expected text, a whole number, true/false or a list of text",
                path.display()
            ),
        };
        out.push((var.clone(), text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> BTreeMap<String, String> {
        [("addr", "LOOKOUT_ADDR"), ("allowed-origin", "LOOKOUT_ALLOWED_ORIGINS")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_file_is_read_into_the_settings_variables() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lookout.toml");
        std::fs::write(
            &file,
            "addr = \"0.0.0.0:80\"\nallowed-origin = [\"https://a.example\", \"https://b.example\"]\n",
        )
        .unwrap();
        let mut got = read(&file, &settings()).unwrap();
        got.sort();
        assert_eq!(
            got,
            [
                ("LOOKOUT_ADDR".to_string(), "0.0.0.0:80".to_string()),
                (
                    "LOOKOUT_ALLOWED_ORIGINS".to_string(),
                    "https://a.example,https://b.example".to_string()
                )
            ]
        );
        std::fs::write(&file, "adr = \"x\"\n").unwrap();
        let err = read(&file, &settings()).unwrap_err().to_string();
        assert!(err.contains("unknown setting \"adr\"") && err.contains("addr"), "{err}");
        std::fs::write(&file, "addr = [1]\n").unwrap();
        assert!(read(&file, &settings()).is_err());
        std::fs::write(&file, "addr = \n").unwrap();
        assert!(read(&file, &settings())
            .unwrap_err()
            .to_string()
            .contains("not valid TOML"));
    }

    #[test]
    fn the_config_flag_beats_the_variable() {
        let args: Vec<OsString> = ["lookout", "serve", "--config", "a.toml"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(path_from(&args), Some(PathBuf::from("a.toml")));
        let args: Vec<OsString> = ["lookout", "--config=b.toml"].iter().map(OsString::from).collect();
        assert_eq!(path_from(&args), Some(PathBuf::from("b.toml")));
    }
}
