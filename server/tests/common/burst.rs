//! Bursts of requests at one target, counted as a client that sends again
//! what was shed.
//!
//! On a busy machine the server sheds a request that waited too long for a
//! database connection or a hashing turn: 503, before anything was done. A
//! burst test counts what the server decided, so each shed request is sent
//! again, one at a time after the burst, as a client would, before the
//! answers are counted. A request shed every time stays 503 and fails the
//! test's count.

use std::future::Future;
use std::time::Duration;

/// Times a shed request is sent again.
const TRIES: usize = 10;

/// Sends `send(i)` for every `i` in `0..n` at once; then each answered 503
/// (`status` reads an answer's status), again, one at a time, until it is not.
pub async fn burst<T, F, Fut>(n: usize, send: F, status: impl Fn(&T) -> u16) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T>,
{
    let mut answers = futures::future::join_all((0..n).map(&send)).await;
    for (i, answer) in answers.iter_mut().enumerate() {
        for _ in 0..TRIES {
            if status(answer) != 503 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            *answer = send(i).await;
        }
    }
    answers
}

/// The status itself, for bursts that keep only statuses.
pub fn status(answer: &u16) -> u16 {
    *answer
}
