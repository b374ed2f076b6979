//! A waker that counts its wake-ups, for unit tests of the hand-written futures and streams.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A [`Waker`] and the number of times it was woken.
pub(crate) struct WakeCounter {
    count: Arc<Count>,
    /// Hand `Context::from_waker(&counter.waker)` to what is polled.
    pub waker: Waker,
}

impl WakeCounter {
    pub fn new() -> Self {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        WakeCounter { count, waker }
    }

    /// Wake-ups so far.
    pub fn wakes(&self) -> usize {
        self.count.0.load(Ordering::SeqCst)
    }
}
