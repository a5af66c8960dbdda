//! Something to say at most once in a while however often it happens (a
//! warning in the log, say): due the first time, then again once its
//! interval has passed. Shared by every caller: of those asking at once,
//! exactly one is told it is due.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// When the next saying is due.
#[derive(Debug)]
pub struct Reminder {
    every: u64,
    /// Seconds of [`now_secs`] from which it is due (0: at once).
    next: AtomicU64,
}

impl Reminder {
    /// Due at once, then at most once every `every` (in whole seconds).
    pub const fn new(every: Duration) -> Reminder {
        Reminder {
            every: every.as_secs(),
            next: AtomicU64::new(0),
        }
    }

    /// True for exactly one caller once the time due has come, which then
    /// moves on by the interval.
    pub fn due(&self) -> bool {
        self.due_at(now_secs())
    }

    fn due_at(&self, now: u64) -> bool {
        let next = self.next.load(Ordering::Relaxed);
        now >= next
            && self
                .next
                .compare_exchange(
                    next,
                    now.saturating_add(self.every),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

/// Seconds since the process first asked: a clock that never goes back.
fn now_secs() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3600;

    #[test]
    fn due_once_then_once_the_interval_has_passed() {
        let r = Reminder::new(Duration::from_secs(HOUR));
        assert!(r.due_at(1_000));
        assert!(!r.due_at(1_000));
        assert!(!r.due_at(1_000 + HOUR - 1));
        assert!(r.due_at(1_000 + HOUR));
        assert!(!r.due_at(1_000 + HOUR));
    }

    #[test]
    fn of_many_callers_at_once_one_is_told_it_is_due() {
        let r = Reminder::new(Duration::from_secs(HOUR));
        let told: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16).map(|_| s.spawn(|| usize::from(r.due_at(5_000)))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        assert_eq!(told, 1);
    }
}
