//! An answer's body that keeps a place (`app::renders::Place`) until the
//! connection has taken its last bytes, or the body is dropped: the work the
//! place bounds (making the page, compressing it whole) is done by then, and
//! what a client leaves unread is bounded by its requests in flight
//! (`serve`), not by the places, so that one client's unread answers cannot
//! hold them for every shop.

use axum::body::Body;
use axum::response::Response;
use hyper::body::{Body as HttpBody, Bytes, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};

/// `response` with `place` kept until its body's last bytes are taken.
pub fn until_taken<P: Send + Unpin + 'static>(response: Response, place: P) -> Response {
    response.map(|inner| {
        Body::new(Placed {
            inner,
            place: Some(place),
        })
    })
}

struct Placed<P> {
    inner: Body,
    place: Option<P>,
}

impl<P: Send + Unpin + 'static> HttpBody for Placed<P> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        // The last frame taken (or none left, or a failure): the place goes.
        let done = match &polled {
            Poll::Ready(Some(Ok(_))) => self.inner.is_end_stream(),
            Poll::Ready(_) => true,
            Poll::Pending => false,
        };
        if done {
            self.place = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::Arc;

    fn answer(body: Body) -> (Response, Arc<()>) {
        let place = Arc::new(());
        (until_taken(Response::new(body), place.clone()), place)
    }

    #[tokio::test]
    async fn the_place_goes_once_the_last_bytes_are_taken_not_when_the_body_is_dropped() {
        let (response, place) = answer(Body::from("a page"));
        assert_eq!(Arc::strong_count(&place), 2, "held while the page waits to be sent");
        let mut body = response.into_body();
        assert_eq!(body.size_hint().exact(), Some(6), "its size is still told");
        let frame = body.frame().await.expect("a frame").expect("no failure");
        assert_eq!(frame.into_data().ok().as_deref(), Some(&b"a page"[..]));
        // The body is still here (a connection that waits to send what it took).
        assert_eq!(Arc::strong_count(&place), 1, "given back with the last bytes");
        assert!(body.is_end_stream());
    }

    #[tokio::test]
    async fn a_body_of_several_frames_keeps_it_to_the_end_and_a_dropped_one_gives_it_back() {
        let chunks = ["<html>", "<body>", "</html>"].map(|c| Ok::<_, std::convert::Infallible>(c.to_string()));
        let (response, place) = answer(Body::from_stream(futures::stream::iter(chunks)));
        let mut body = response.into_body();
        body.frame().await.expect("a frame").expect("no failure");
        assert_eq!(Arc::strong_count(&place), 2, "more to come");
        while body.frame().await.is_some() {}
        assert_eq!(Arc::strong_count(&place), 1);

        let (response, place) = answer(Body::from("never sent"));
        drop(response);
        assert_eq!(Arc::strong_count(&place), 1);
    }
}
