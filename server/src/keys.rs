//! API keys and webhook secrets: generation, Argon2id hashing, verification.
//!
//! A key looks like `lk_<16 hex prefix>_<64 hex secret>`. The prefix finds the
//! stored hash; only the Argon2id hash of the whole key is stored.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::rngs::OsRng;
use rand::RngCore;
use std::sync::OnceLock;

const PREFIX_HEX: usize = 16;

pub use crate::hash_gate::{Busy, HashGate};

/// A newly generated key: the full text (shown once) and its public prefix.
pub struct NewKey {
    pub key: String,
    pub prefix: String,
}

/// Why no key was made.
#[derive(Debug, thiserror::Error)]
pub enum NotMade {
    /// The form was used before; it made the key with this prefix (empty: it
    /// made no key).
    #[error("this form was used before")]
    FormUsed(String),
    #[error(
        "the shop holds {} live keys, the most it may; revoke one first",
        app::store::LIVE_KEYS
    )]
    Full,
    #[error(
        "the shop's console made {} keys in the last hour, the most it may; try again later",
        app::store::KEYS_PER_HOUR
    )]
    TooOften,
    #[error("a key's name may have at most {MAX_LABEL_CHARS} characters, and no control or invisible characters")]
    Label,
    #[error("the server is busy hashing; try again")]
    Busy,
    #[error("hashing the key failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Store(#[from] app::store::StoreError),
}

impl From<app::store::KeyRefusal> for NotMade {
    fn from(refusal: app::store::KeyRefusal) -> NotMade {
        match refusal {
            app::store::KeyRefusal::FormUsed(made) => NotMade::FormUsed(made),
            app::store::KeyRefusal::Full => NotMade::Full,
            app::store::KeyRefusal::TooOften => NotMade::TooOften,
        }
    }
}

/// The most characters a key's name may have.
pub const MAX_LABEL_CHARS: usize = 60;

/// A key's name as given, trimmed, if it is one: at most [`MAX_LABEL_CHARS`]
/// characters (checked by length first), no control characters, and none that
/// change how the text around them is shown without being seen themselves
/// (zero-width, joiners and direction marks, embeddings, overrides, isolates,
/// line and paragraph separators, soft hyphens, fillers, variation selectors,
/// tags), which could make a name in a list look like another.
pub fn label(text: &str) -> Option<&str> {
    let text = text.trim();
    let fits = text.len() <= 4 * MAX_LABEL_CHARS && text.chars().count() <= MAX_LABEL_CHARS;
    // None at all is a key without a name; a mark alone (U+0301) is no name.
    let shown = text.is_empty() || !app::normalize::shows_nothing(text);
    (fits && shown && !text.chars().any(app::normalize::is_unseen)).then_some(text)
}

/// Creates a key named `label` for the shop `shop_id`, hashed through `gate`,
/// and returns its text (shown once: only the hash is stored). `form` is the
/// console form's one-time token (`None` from the command line), `by` who
/// asks (recorded with the key in the shop's changes). The name and
/// the shop's room are checked before the hash is made, and the room again,
/// with the insert, after.
pub async fn create(
    store: &app::store::Store,
    gate: &HashGate,
    shop_id: i64,
    label: &str,
    form: Option<&str>,
    by: &app::store::By,
) -> Result<String, NotMade> {
    let label = self::label(label).ok_or(NotMade::Label)?;
    // The shop's turn from the check to the insert: a burst of forms hashes
    // no more keys than the shop has room for (other servers' forms are
    // still refused by the insert's own check).
    let _turn = store.shop_turn(shop_id).await?;
    store.key_room(shop_id, form).await??;
    let new = generate();
    let key = new.key.clone();
    let hash = gate
        .run(move || hash(&key))
        .await
        .map_err(|Busy| NotMade::Busy)?
        .map_err(|e| NotMade::Hashing(e.to_string()))?;
    store.insert_key(shop_id, &new.prefix, &hash, label, form, by).await??;
    Ok(new.key)
}

/// True for text shaped like a key's public prefix (16 hex digits).
pub fn is_prefix(text: &str) -> bool {
    text.len() == PREFIX_HEX && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Generates a new random key.
pub fn generate() -> NewKey {
    let prefix = random_hex(PREFIX_HEX / 2);
    let secret = random_hex(32);
    NewKey {
        key: format!("lk_{prefix}_{secret}"),
        prefix,
    }
}

/// A random webhook secret (32 bytes, hex).
/// How many characters a webhook secret given by hand has (the command line's
/// `--secret`, the console's pasted Shopify key): Shopify's are 64 hex digits,
/// an app's `shpss_` secret fewer.
pub const GIVEN_SECRET_LEN: std::ops::RangeInclusive<usize> = 16..=200;

pub fn webhook_secret() -> String {
    random_hex(32)
}

/// The public prefix of a presented key, if it has the right shape.
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("lk_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    (is_prefix(prefix) && secret.len() == 64 && hex(secret)).then_some(prefix)
}

/// The prefix an operator names a key by, however it was copied: the prefix
/// alone (`lookout key list`, the Changes page), as the console shows it
/// (`lk_<prefix>_…`), or the whole key.
pub fn prefix_named(text: &str) -> &str {
    let text = text.trim();
    let rest = text.strip_prefix("lk_").unwrap_or(text);
    rest.split('_').next().unwrap_or(rest)
}

/// The Argon2id hash (PHC string) of a key. Slow on purpose: call it off the async threads.
pub fn hash(key: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    then_give_back(|| Ok(Argon2::default().hash_password(key.as_bytes(), &salt)?.to_string()))
}

/// Checks a presented key against a stored hash. With no stored hash, checks against
/// a dummy so the time taken is the same, and answers false.
pub fn verify(key: &str, stored: Option<&str>) -> bool {
    let target = stored.unwrap_or_else(|| dummy_hash());
    let ok = PasswordHash::new(target)
        .map(|h| then_give_back(|| Argon2::default().verify_password(key.as_bytes(), &h).is_ok()))
        .unwrap_or(false);
    ok && stored.is_some()
}

/// Runs Argon2 work, then gives its memory (19 MiB at the default cost) back
/// to the system, rather than leaving it with a thread that may now wait idle.
fn then_give_back<T>(work: impl FnOnce() -> T) -> T {
    let out = work();
    crate::memory::give_back();
    out
}

/// Makes the dummy hash now (at start-up, off the async threads), so that the
/// first check of an unknown key or account takes no longer than the others.
pub fn prepare_dummy() {
    let _ = dummy_hash();
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&random_hex(32)).unwrap_or_default())
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_named_by_its_prefix_however_it_was_copied() {
        let key = format!("lk_0123456789abcdef_{}", "a".repeat(64));
        for named in [
            "0123456789abcdef",
            "lk_0123456789abcdef_…",
            "lk_0123456789abcdef_",
            " lk_0123456789abcdef ",
            &key,
        ] {
            assert_eq!(prefix_named(named), "0123456789abcdef", "{named}");
        }
        assert_eq!(prefix_named("nonsense"), "nonsense");
    }

    #[test]
    fn a_generated_key_verifies_against_its_hash_and_others_do_not() {
        let k = generate();
        assert_eq!(prefix_of(&k.key), Some(k.prefix.as_str()));
        let h = hash(&k.key).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&k.key, Some(&h)));
        assert!(!verify(&generate().key, Some(&h)));
        assert!(!verify(&k.key, None));
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        for bad in [
            "",
            "lk_",
            "lk_abc_def",
            "xx_0123456789abcdef_00",
            "lk_0123456789abcdeg_".repeat(2).as_str(),
        ] {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }
}
