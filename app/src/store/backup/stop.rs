//! Stopping a backup or a restore under way.

use super::{BackupError, E};
use rusqlite::Connection;
use std::sync::{Arc, Mutex};

/// Stops a backup or a restore under way (Ctrl-C): what it was writing is
/// removed, and a restore changes nothing.
#[derive(Clone, Default)]
pub struct Stop(Arc<Mutex<(bool, Vec<rusqlite::InterruptHandle>)>>);

impl Stop {
    pub fn now(&self) {
        let mut stop = self.0.lock().unwrap_or_else(|e| e.into_inner());
        stop.0 = true;
        for handle in &stop.1 {
            handle.interrupt();
        }
    }

    /// Lets [`Stop::now`] interrupt `conn`; refused once it was asked.
    pub(super) fn watch(&self, conn: &Connection) -> Result<(), BackupError> {
        let mut stop = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if stop.0 {
            return Err(E::Stopped);
        }
        stop.1.push(conn.get_interrupt_handle());
        Ok(())
    }
}
