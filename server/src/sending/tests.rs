use super::*;
use futures::task::noop_waker_ref;
use http_body_util::BodyExt;

fn watched(body: Body) -> (Arc<Sending>, Body, Arc<()>) {
    let (sending, held) = (Arc::new(Sending::default()), Arc::new(()));
    let body = sending.watch(body, held.clone());
    (sending, body, held)
}

fn later(by: Duration) -> Instant {
    Instant::now() + by
}

#[tokio::test]
async fn a_large_frame_goes_out_in_pieces_its_size_told_throughout() {
    let size = 2 * PIECE + PIECE / 2 + 100;
    let (_, mut body, _) = watched(Body::from(vec![b'x'; size]));
    assert_eq!(body.size_hint().exact(), Some(size as u64));
    let mut pieces = vec![];
    while let Some(frame) = body.frame().await {
        let data = frame.expect("no failure").into_data().expect("data");
        pieces.push(data.len());
        let left = size - pieces.iter().sum::<usize>();
        assert_eq!(
            body.size_hint().exact(),
            Some(left as u64),
            "what is left, after {pieces:?}"
        );
        assert_eq!(body.is_end_stream(), left == 0);
    }
    assert_eq!(pieces, [PIECE, PIECE, PIECE / 2 + 99, 1], "the last byte alone");
}

#[tokio::test]
async fn each_frames_last_byte_goes_alone() {
    let chunks = ["ok", "<html>", "!"].map(|c| Ok::<_, std::convert::Infallible>(c.to_string()));
    let (_, mut body, _) = watched(Body::from_stream(futures::stream::iter(chunks)));
    let mut pieces = vec![];
    while let Some(frame) = body.frame().await {
        let data = frame.expect("no failure").into_data().expect("data");
        pieces.push(String::from_utf8(data.to_vec()).expect("text"));
    }
    assert_eq!(pieces, ["o", "k", "<html", ">", "!"]);
}

#[tokio::test]
async fn an_answer_left_untaken_is_stalled_after_the_timeout_and_each_piece_taken_starts_it_again() {
    let timeout = Duration::from_secs(30);
    let (sending, mut body, held) = watched(Body::from(vec![b'x'; 2 * PIECE]));
    assert!(!sending.stalled(later(timeout / 2), timeout));
    assert!(
        sending.stalled(later(timeout * 2), timeout),
        "its first piece never asked for"
    );
    // The first piece taken, the second waits from now.
    std::thread::sleep(Duration::from_millis(20));
    let before = Instant::now();
    body.frame().await.expect("a piece").expect("no failure");
    assert!(!sending.stalled(before + timeout, timeout));
    assert!(sending.stalled(later(timeout + Duration::from_millis(1)), timeout));
    // The second piece taken, its last byte waits from then.
    std::thread::sleep(Duration::from_millis(20));
    let before = Instant::now();
    body.frame().await.expect("a piece").expect("no failure");
    assert!(!sending.stalled(before + timeout, timeout));
    assert!(sending.stalled(later(timeout + Duration::from_millis(1)), timeout));
    // Taken whole and dropped (the connection has handed it on): nothing waits.
    body.frame().await.expect("the last byte").expect("no failure");
    assert!(body.is_end_stream());
    assert_eq!(Arc::strong_count(&held), 2, "kept with the body");
    drop(body);
    assert_eq!(Arc::strong_count(&held), 1, "given back with it");
    assert!(!sending.stalled(later(timeout * 10), timeout));
}

#[tokio::test]
async fn an_answer_whose_next_piece_is_being_made_waits_for_nobody() {
    let timeout = Duration::from_secs(30);
    let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Bytes, std::io::Error>>();
    let (sending, mut body, _) = watched(Body::from_stream(rx));
    let mut cx = Context::from_waker(noop_waker_ref());
    assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
    assert!(
        !sending.stalled(later(timeout * 10), timeout),
        "the server is making it"
    );
    tx.unbounded_send(Ok(Bytes::from_static(b"<html>"))).expect("send");
    let frame = Pin::new(&mut body).poll_frame(&mut cx);
    assert!(matches!(frame, Poll::Ready(Some(Ok(_)))));
    assert!(
        sending.stalled(later(timeout * 2), timeout),
        "now it waits for the client"
    );
    let last_byte = Pin::new(&mut body).poll_frame(&mut cx);
    assert!(matches!(last_byte, Poll::Ready(Some(Ok(_)))));
    assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
    assert!(!sending.stalled(later(timeout * 10), timeout));
}

#[tokio::test]
async fn each_answer_of_a_connection_is_watched_apart() {
    let timeout = Duration::from_secs(30);
    let sending = Arc::new(Sending::default());
    let mut taken = sending.watch(Body::from("taken"), ());
    let untaken = sending.watch(Body::from("left"), ());
    taken.frame().await.expect("a frame").expect("no failure");
    drop(taken);
    assert!(sending.stalled(later(timeout * 2), timeout), "the other still waits");
    drop(untaken);
    assert!(!sending.stalled(later(timeout * 2), timeout));
}

#[tokio::test]
async fn an_answer_does_not_wait_for_its_client_while_a_write_waits_for_the_socket() {
    let timeout = Duration::from_secs(30);
    let (sending, mut body, _) = watched(Body::from(vec![b'x'; 2 * PIECE]));
    body.frame().await.expect("a piece").expect("no failure");
    let start = Instant::now();
    // The socket is full: the answer cannot be taken, however long.
    sending.blocked(start);
    assert!(!sending.stalled(start + timeout / 2, timeout));
    // Through after 10 minutes: the answer's wait goes on from where it was.
    let through = start + Duration::from_secs(600);
    sending.unblocked(through);
    assert!(!sending.stalled(through + timeout / 2, timeout));
    assert!(sending.stalled(through + timeout + Duration::from_millis(1), timeout));
}
