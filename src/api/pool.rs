//! The search pool: a fixed number of threads and bounded queues for every piece of search
//! work, as Elasticsearch's search thread pools. When a queue is full a request is refused at
//! once (429 with `Retry-After`) instead of making every search slower together; work whose
//! token is cancelled while it waits is dropped without running. Routes that must answer
//! under load (`/healthz`, `/readyz`, `/metrics`, the page) never use it.
//!
//! Two lanes, each with its own threads and queue, so that one kind of work cannot starve the
//! other: [`Lane::Interactive`] for what a person waits for at the search box (searches,
//! suggestions, facets, report views: a page of best hits, milliseconds each) and
//! [`Lane::Bulk`] for figure lookups, exports and batches, which read every matching passage
//! and can take seconds each on a large index.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use tokio::sync::oneshot;

use crate::search::Cancel;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Counters of the pool, shown by `/metrics`.
#[derive(Debug, Default)]
pub struct PoolStats {
    /// Threads of the pool.
    pub threads: AtomicU64,
    /// Places in the queue.
    pub capacity: AtomicU64,
    /// Jobs waiting now.
    pub queued: AtomicU64,
    /// Jobs running now.
    pub busy: AtomicU64,
    /// Jobs refused because the queue was full.
    pub rejected: AtomicU64,
    /// Jobs stopped by their token: dropped before they ran, or ended early by it.
    pub cancelled: AtomicU64,
    /// Jobs run to their end.
    pub completed: AtomicU64,
}

/// The queue was full: the work was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected;

/// What became of a job taken by the pool.
#[derive(Debug)]
pub enum Outcome<T> {
    /// It ran; here is what it returned.
    Done(T),
    /// It was not run: its token was cancelled while it waited.
    Skipped,
    /// It panicked (a bug); the thread lives on.
    Panicked,
}

/// Which threads and queue a piece of work goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Searches, suggestions, facets, report views.
    Interactive,
    /// Figure lookups, exports, batches.
    Bulk,
}

/// A fixed pool of search threads fed by bounded queues, one pair per [`Lane`]. Dropping it
/// lets the threads finish the queued work and end.
pub struct SearchPool {
    interactive: Sender<Job>,
    bulk: Sender<Job>,
    stats: Arc<PoolStats>,
}

impl SearchPool {
    /// Starts `threads` threads for searches and half as many (at least one) for bulk work,
    /// each lane behind a queue of `queue` places. Searches get every core: bulk work is
    /// what must not take them all.
    pub fn new(threads: usize, queue: usize, stats: Arc<PoolStats>) -> std::io::Result<SearchPool> {
        let interactive_threads = threads.max(1);
        let bulk_threads = (threads / 2).max(1);
        stats.threads.store(
            (bulk_threads + interactive_threads) as u64,
            Ordering::Relaxed,
        );
        stats.capacity.store(2 * queue as u64, Ordering::Relaxed);
        Ok(SearchPool {
            interactive: lane("search", interactive_threads, queue)?,
            bulk: lane("figures", bulk_threads, queue)?,
            stats,
        })
    }

    /// The pool's counters.
    pub fn stats(&self) -> &Arc<PoolStats> {
        &self.stats
    }

    /// Queues `work` in `lane`, or refuses it at once when that queue is full. The receiver
    /// gets what the work returned; the work is skipped when `cancel` is set before a thread
    /// takes it.
    pub fn try_run<T, F>(
        &self,
        lane: Lane,
        cancel: Cancel,
        work: F,
    ) -> Result<oneshot::Receiver<Outcome<T>>, Rejected>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, answer) = oneshot::channel();
        let stats = Arc::clone(&self.stats);
        let job: Job = Box::new(move || {
            stats.queued.fetch_sub(1, Ordering::Relaxed);
            if cancel.is_cancelled() {
                stats.cancelled.fetch_add(1, Ordering::Relaxed);
                let _ = done.send(Outcome::Skipped);
                return;
            }
            stats.busy.fetch_add(1, Ordering::Relaxed);
            let result = catch_unwind(AssertUnwindSafe(work));
            stats.busy.fetch_sub(1, Ordering::Relaxed);
            let outcome = match result {
                Ok(value) => {
                    let counter = if cancel.is_cancelled() {
                        &stats.cancelled
                    } else {
                        &stats.completed
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    Outcome::Done(value)
                }
                Err(_) => {
                    tracing::error!("a search job panicked");
                    Outcome::Panicked
                }
            };
            let _ = done.send(outcome);
        });
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        let tx = match lane {
            Lane::Interactive => &self.interactive,
            Lane::Bulk => &self.bulk,
        };
        match tx.try_send(job) {
            Ok(()) => Ok(answer),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.stats.queued.fetch_sub(1, Ordering::Relaxed);
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                Err(Rejected)
            }
        }
    }
}

/// Starts the `threads` threads of one lane behind a queue of `queue` places.
fn lane(name: &str, threads: usize, queue: usize) -> std::io::Result<Sender<Job>> {
    let (tx, rx) = crossbeam_channel::bounded::<Job>(queue);
    for i in 0..threads {
        let rx: Receiver<Job> = rx.clone();
        std::thread::Builder::new()
            .name(format!("{name}-{i}"))
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                }
            })?;
    }
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn a_full_queue_refuses_and_a_cancelled_job_is_skipped() {
        let stats = Arc::new(PoolStats::default());
        let pool = SearchPool::new(1, 1, Arc::clone(&stats)).expect("pool");
        let (release, wait) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel::<()>();
        let blocker = pool
            .try_run(Lane::Interactive, Cancel::never(), move || {
                let _ = started.send(());
                let _ = wait.recv();
            })
            .expect("taken");
        running.recv().expect("the blocker runs");
        let token = Cancel::with_deadline(None);
        let queued = pool
            .try_run(Lane::Interactive, token.clone(), || 7)
            .expect("queued");
        assert_eq!(
            pool.try_run(Lane::Interactive, Cancel::never(), || 8).err(),
            Some(Rejected)
        );
        assert_eq!(stats.rejected.load(Ordering::Relaxed), 1);
        token.cancel();
        release.send(()).expect("release");
        assert!(matches!(blocker.blocking_recv(), Ok(Outcome::Done(()))));
        assert!(matches!(queued.blocking_recv(), Ok(Outcome::Skipped)));
        assert_eq!(stats.cancelled.load(Ordering::Relaxed), 1);
        let again = pool
            .try_run(Lane::Interactive, Cancel::never(), || 9)
            .expect("room again");
        assert!(matches!(again.blocking_recv(), Ok(Outcome::Done(9))));
        let panics = pool
            .try_run(Lane::Interactive, Cancel::never(), || -> u8 {
                panic!("a bug")
            })
            .expect("taken");
        assert!(matches!(panics.blocking_recv(), Ok(Outcome::Panicked)));
        let after = pool
            .try_run(Lane::Interactive, Cancel::never(), || 10)
            .expect("the thread lives on");
        assert!(matches!(after.blocking_recv(), Ok(Outcome::Done(10))));
        // The other lane has threads of its own: the same blocker there leaves this one free.
        let (release, wait) = mpsc::channel::<()>();
        let bulk = pool
            .try_run(Lane::Bulk, Cancel::never(), move || {
                let _ = wait.recv();
            })
            .expect("taken");
        let quick = pool
            .try_run(Lane::Interactive, Cancel::never(), || 11)
            .expect("taken");
        assert!(matches!(quick.blocking_recv(), Ok(Outcome::Done(11))));
        release.send(()).expect("release");
        assert!(matches!(bulk.blocking_recv(), Ok(Outcome::Done(()))));
    }
}
