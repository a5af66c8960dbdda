//! Console changes, per account: every form an account posts to a shop's
//! console (settings, keys, secrets, the team, its password and browsers) takes
//! one from its allowance after its session and
//! CSRF token are checked and before the form's own reads and writes, so that a
//! page or script posting with an owner's cookie in a loop cannot keep the
//! database's write lock, which every shop shares on SQLite, busy. Not given
//! back: a refused form costs little, but a loop of them is still a loop. Kept
//! in this process's memory. Support-view searches (which write the audit log)
//! take from an allowance of their own of the same size, so that a day of
//! helping shoppers never leaves an owner unable to revoke a key, change a
//! password or sign out a browser they do not know.

use super::{LimitKey, LookupLimits};
use std::time::Duration;

impl LookupLimits {
    /// Takes one console change from the allowance of account `user_id`.
    pub fn reserve_console_write(&self, user_id: i64) -> Result<(), Duration> {
        self.take_one(&self.console, self.console_key(user_id), self.console_rule)
    }

    /// Takes one support-view search from the allowance of account `user_id`.
    pub fn reserve_console_search(&self, user_id: i64) -> Result<(), Duration> {
        self.take_one(&self.console, self.search_key(user_id), self.console_rule)
    }

    fn console_key(&self, user_id: i64) -> LimitKey {
        self.key(b'm', &[&user_id.to_le_bytes()])
    }

    fn search_key(&self, user_id: i64) -> LimitKey {
        self.key(b'q', &[&user_id.to_le_bytes()])
    }
}
