//! Console changes, per account: every form an account posts to a shop's
//! console (settings, keys, secrets, the team, support-view searches, which
//! write the audit log) takes one from its allowance after its session and
//! CSRF token are checked and before the form's own reads and writes, so that a
//! page or script posting with an owner's cookie in a loop cannot keep the
//! database's write lock, which every shop shares on SQLite, busy. Not given
//! back: a refused form costs little, but a loop of them is still a loop. Kept
//! in this process's memory.

use super::{LimitKey, LookupLimits};
use std::time::Duration;

impl LookupLimits {
    /// Takes one console change from the allowance of account `user_id`.
    pub fn reserve_console_write(&self, user_id: i64) -> Result<(), Duration> {
        self.take_one(&self.console, self.console_key(user_id), self.console_rule)
    }

    fn console_key(&self, user_id: i64) -> LimitKey {
        self.key(b'm', &[&user_id.to_le_bytes()])
    }
}
