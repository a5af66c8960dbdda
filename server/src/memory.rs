//! Memory given back to the system after a burst of it. An Argon2 hash (an
//! API key, a password, the dummy checked for an unknown one) fills 19 MiB for
//! a few tens of milliseconds on a blocking thread. The allocator (mimalloc,
//! `main.rs`) gives a freed block that large back to its arena to be purged
//! later, and the purge is carried out only by the process's next frees and
//! allocations: a server at rest makes none, so the one hash made at start-up
//! kept about 20 MiB resident for as long as the server stayed idle ("Memory
//! at rest" in `docs/benchmarks.md`).

/// Gives what the allocator holds free back to the system: this thread's
/// free pages, and every purge scheduled in any of the process's arenas, due
/// or not (mimalloc 3's `mi_collect` when forced).
pub fn give_back() {
    // SAFETY: `mi_collect` takes no pointer and touches no memory in use; it
    // frees and decommits only what mimalloc itself holds free, and may be
    // called on any thread at any time (in tests, which use the system's
    // allocator, mimalloc holds nothing).
    unsafe { libmimalloc_sys::mi_collect(true) }
}
