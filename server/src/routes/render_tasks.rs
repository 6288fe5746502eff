//! Stops what a request spawned through Leptos when its client goes away.
//!
//! Leptos runs the loading parts of a page (resources, `Suspend`) as tasks
//! of its executor. When the client closes the connection mid-page, the
//! response body is dropped and with it the page's reactive owner and its
//! context, but those tasks go on and render components that then find
//! no context, disposed signals or actions, and panic
//! (leptos-rs/leptos#4698; at the end of every wrk run, or when someone
//! reloads a page while it loads). Nothing reaches the user, who has
//! gone, but every such panic is a backtrace in the log and wasted work.
//!
//! So the executor Leptos uses is ours ([`init`]): a task spawned while a
//! request is handled, or while its body is sent, belongs to that request
//! ([`scope`]) and is aborted when the body is dropped, finished or not.
//! Tasks spawned outside a request (none today; background jobs use
//! `tokio::spawn` directly) run as before.
//!
//! An abort takes effect at the task's next poll, so a task being polled
//! on the other worker thread at the moment the client leaves can still
//! meet the disposed page (4 panics in 200 pages abandoned mid-render,
//! against 26 without the abort). The panic hook stays quiet for a panic
//! in a task whose request is over (a debug line instead of a backtrace);
//! every other panic is reported as before.

use std::cell::RefCell;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use any_spawner::{CustomExecutor, PinnedFuture, PinnedLocalFuture};
use axum::body::{Body, Bytes};
use futures_util::future::{AbortHandle, Abortable};

tokio::task_local! {
    static REQUEST: Arc<Tasks>;
}

thread_local! {
    /// The request whose task this thread is polling, for the panic hook.
    static POLLING: RefCell<Option<Arc<Tasks>>> = const { RefCell::new(None) };
}

/// The tasks spawned for one request.
struct Tasks {
    /// `None` once the request is over: later spawns are aborted at once.
    handles: Mutex<Option<Vec<AbortHandle>>>,
}

impl Tasks {
    fn new() -> Arc<Tasks> {
        Arc::new(Tasks { handles: Mutex::new(Some(Vec::new())) })
    }

    fn add(&self, handle: AbortHandle) {
        let mut handles = self.handles.lock().unwrap_or_else(|e| e.into_inner());
        match handles.as_mut() {
            Some(list) => list.push(handle),
            None => handle.abort(),
        }
    }

    fn is_over(&self) -> bool {
        self.handles.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    fn abort_all(&self) {
        let taken = self.handles.lock().unwrap_or_else(|e| e.into_inner()).take();
        for handle in taken.into_iter().flatten() {
            handle.abort();
        }
    }
}

/// A spawned task polled inside its request's scope, so that what it
/// spawns in turn belongs to the request too.
struct InRequest {
    tasks: Arc<Tasks>,
    fut: Abortable<PinnedFuture<()>>,
}

impl std::future::Future for InRequest {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        /// Clears [`POLLING`] after the poll, unwinding or not.
        struct Polling;
        impl Drop for Polling {
            fn drop(&mut self) {
                POLLING.with(|p| p.borrow_mut().take());
            }
        }
        let this = self.get_mut();
        POLLING.with(|p| *p.borrow_mut() = Some(Arc::clone(&this.tasks)));
        let _clear = Polling;
        REQUEST.sync_scope(Arc::clone(&this.tasks), || Pin::new(&mut this.fut).poll(cx)).map(|_| ())
    }
}

/// Leptos's executor: tokio, with request-bound spawns.
struct Executor;

impl CustomExecutor for Executor {
    fn spawn(&self, fut: PinnedFuture<()>) {
        match REQUEST.try_with(Arc::clone) {
            Ok(tasks) => {
                let (handle, registration) = AbortHandle::new_pair();
                tasks.add(handle);
                tokio::spawn(InRequest { tasks, fut: Abortable::new(fut, registration) });
            }
            Err(_) => {
                tokio::spawn(fut);
            }
        }
    }

    fn spawn_local(&self, fut: PinnedLocalFuture<()>) {
        tokio::task::spawn_local(fut);
    }

    fn poll_local(&self) {}
}

/// Makes ours the executor of Leptos; before any page route is listed or
/// built (`generate_route_list` sets tokio's, unless one is set already).
pub fn init() {
    // Err only when one is set already: in unit tests that build the
    // router more than once (the hook is then set already too).
    if any_spawner::Executor::init_custom_executor(Executor).is_err() {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let abandoned = POLLING.with(|p| p.borrow().as_ref().is_some_and(|t| t.is_over()));
        if abandoned {
            tracing::debug!(panic = %info, "a page's render stopped: its client had gone");
        } else {
            previous(info);
        }
    }));
}

/// The middleware: the request's handler and its body run in the
/// request's scope; dropping the body aborts the request's tasks, and so
/// does dropping the handler before it answers (a client gone early).
pub async fn scope(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let tasks = Tasks::new();
    let handler = Handler {
        tasks: Arc::clone(&tasks),
        fut: Box::pin(REQUEST.scope(Arc::clone(&tasks), next.run(req))),
        answered: false,
    };
    let res = handler.await;
    res.map(|inner| Body::new(ScopedBody { inner, tasks }))
}

/// The handler's future; aborts the request's tasks when dropped before
/// it answers. `Drop::drop` runs before the fields are dropped, so the
/// tasks are stopped before the page's owner is disposed of.
struct Handler<F> {
    tasks: Arc<Tasks>,
    fut: Pin<Box<F>>,
    answered: bool,
}

impl<F: std::future::Future> std::future::Future for Handler<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let out = this.fut.as_mut().poll(cx);
        this.answered = out.is_ready();
        out
    }
}

impl<F> Drop for Handler<F> {
    fn drop(&mut self) {
        if !self.answered {
            self.tasks.abort_all();
        }
    }
}

/// A response body sent in its request's scope; its tasks are stopped
/// when it is dropped, before the page (in `inner`) is.
struct ScopedBody {
    inner: Body,
    tasks: Arc<Tasks>,
}

impl Drop for ScopedBody {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

impl http_body::Body for ScopedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        REQUEST.sync_scope(Arc::clone(&this.tasks), || Pin::new(&mut this.inner).poll_frame(cx))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A task spawned in a request's scope stops when the request's body
    /// is dropped; one spawned outside any request runs on.
    #[tokio::test]
    async fn tasks_of_a_request_stop_with_its_body() {
        init();
        let (tx_in, mut rx_in) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let (tx_out, mut rx_out) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let tasks = Tasks::new();
        let body = ScopedBody { inner: Body::empty(), tasks: Arc::clone(&tasks) };
        REQUEST.sync_scope(Arc::clone(&tasks), || {
            any_spawner::Executor::spawn(async move {
                for n in 0.. {
                    if tx_in.send(n).is_err() {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            });
        });
        any_spawner::Executor::spawn(async move {
            for n in 0..3 {
                let _ = tx_out.send(n);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        });
        assert_eq!(rx_in.recv().await, Some(0));
        drop(body);
        // Aborted: within 100 ms (20 of its rounds) it sends at most the
        // one it was in the middle of.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let mut after = 0;
        while rx_in.try_recv().is_ok() {
            after += 1;
        }
        assert!(after <= 1, "the task went on after its request ended ({after} more)");
        // The other runs to its end.
        let mut outside = Vec::new();
        while let Some(n) = rx_out.recv().await {
            outside.push(n);
        }
        assert_eq!(outside, vec![0, 1, 2]);
    }
}
