//! Memory given back to the system after a burst of it. An Argon2 hash (an
//! API key, a password, the dummy checked for an unknown one) fills 19 MiB for
//! a few tens of milliseconds on a blocking thread that then often waits idle;
//! the allocator (mimalloc, `main.rs`) returns what a thread freed only when
//! that thread allocates again, so the one hash made at start-up kept about
//! 20 MiB resident for the server's life ("Memory at rest" in
//! `docs/benchmarks.md`).

/// Gives what this thread's allocator holds free back to the system.
pub fn give_back() {
    // SAFETY: `mi_collect` takes no pointer and touches no memory in use; it
    // frees and decommits only what mimalloc itself holds free, and may be
    // called on any thread at any time (a thread that never allocated through
    // mimalloc, as in tests, which use the system's allocator, has nothing).
    unsafe { libmimalloc_sys::mi_collect(true) }
}
