//! The threads one search hands its segments to: the calling thread and helpers.
//!
//! tantivy's `Executor` runs every segment on its pool while the calling thread waits: each
//! search wakes every pool thread and puts the caller to sleep and wakes it again, and on two
//! cores the pool's threads, spinning for more work as a search ends, take the core the caller
//! needs to go on. Here the caller searches segments too, taking the next one as the helpers
//! do, so a pool of one thread fills two cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// The calling thread and, when there are any, helper threads that search segments with it.
#[derive(Debug)]
pub struct SegmentThreads {
    helpers: Option<rayon::ThreadPool>,
}

impl SegmentThreads {
    /// The calling thread alone.
    pub fn caller() -> SegmentThreads {
        SegmentThreads { helpers: None }
    }

    /// `threads` threads in all: the caller and `threads - 1` helpers named `prefix` and their
    /// number.
    pub fn new(
        threads: usize,
        prefix: &'static str,
    ) -> Result<SegmentThreads, tantivy::TantivyError> {
        if threads < 2 {
            return Ok(SegmentThreads::caller());
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads - 1)
            .thread_name(move |n| format!("{prefix}{n}"))
            .build()
            .map_err(|e| tantivy::TantivyError::SystemError(e.to_string()))?;
        Ok(SegmentThreads {
            helpers: Some(pool),
        })
    }

    /// `f` of every item of `args`, in their order; the first error if any fails. The caller
    /// and the helpers each take the next item until none is left; a panic in `f` reaches the
    /// caller.
    pub fn map<A, R, F>(&self, f: F, args: impl Iterator<Item = A>) -> tantivy::Result<Vec<R>>
    where
        A: Send,
        R: Send,
        F: Fn(A) -> tantivy::Result<R> + Sync,
    {
        let args: Vec<A> = args.collect();
        let helpers = match &self.helpers {
            Some(pool) if args.len() > 1 => pool,
            _ => return args.into_iter().map(f).collect(),
        };
        let n = args.len();
        let items: Vec<Mutex<Option<A>>> = args.into_iter().map(|a| Mutex::new(Some(a))).collect();
        let fruits: Vec<Mutex<Option<tantivy::Result<R>>>> =
            std::iter::repeat_with(|| Mutex::new(None))
                .take(n)
                .collect();
        let next = AtomicUsize::new(0);
        let work = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return;
            };
            // Each slot is taken once: its lock is never contended.
            let taken = item.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(arg) = taken {
                let fruit = f(arg);
                *fruits[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(fruit);
            }
        };
        helpers.in_place_scope(|scope| {
            for _ in 0..helpers.current_num_threads().min(n - 1) {
                scope.spawn(|_| work());
            }
            work();
        });
        fruits
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .unwrap_or_else(|| {
                        Err(tantivy::TantivyError::InternalError(
                            "a segment was not searched".into(),
                        ))
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_mapped_once_in_order_by_the_caller_and_its_helpers() {
        let threads = SegmentThreads::new(3, "test-segment-").expect("pool");
        let caller = std::thread::current().id();
        for n in [0, 1, 2, 7, 50] {
            let seen = Mutex::new(Vec::new());
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let both = |seen: &[std::thread::ThreadId]| {
                seen.contains(&caller) && seen.iter().any(|t| *t != caller)
            };
            let out = threads
                .map(
                    |i: usize| {
                        seen.lock().expect("seen").push(std::thread::current().id());
                        // Each item waits until the caller and a helper have both taken one:
                        // the other takes the next item meanwhile, whichever started first.
                        while n > 1
                            && !both(&seen.lock().expect("seen"))
                            && std::time::Instant::now() < deadline
                        {
                            std::thread::sleep(std::time::Duration::from_millis(1));
                        }
                        Ok(i * 10)
                    },
                    0..n,
                )
                .expect("map");
            assert_eq!(out, (0..n).map(|i| i * 10).collect::<Vec<_>>());
            let seen = seen.into_inner().expect("seen");
            assert_eq!(seen.len(), n);
            if n > 1 {
                assert!(both(&seen), "the caller and a helper both search");
            }
        }
    }

    #[test]
    fn the_first_error_is_returned_and_a_panic_reaches_the_caller() {
        let threads = SegmentThreads::new(2, "test-segment-").expect("pool");
        let failed = threads.map(
            |i: usize| {
                if i % 3 == 1 {
                    Err(tantivy::TantivyError::InvalidArgument(format!("item {i}")))
                } else {
                    Ok(i)
                }
            },
            0..8,
        );
        match failed {
            Err(tantivy::TantivyError::InvalidArgument(m)) => assert_eq!(m, "item 1"),
            other => panic!("expected the first error, got {other:?}"),
        }
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            threads.map(
                |i: usize| {
                    assert!(i != 5, "item 5");
                    Ok(i)
                },
                0..8,
            )
        }));
        assert!(panicked.is_err());
        // The threads still serve after a panic.
        assert_eq!(threads.map(Ok, 0..4).expect("map"), [0, 1, 2, 3]);
    }

    #[test]
    fn the_caller_alone_maps_in_place() {
        let caller = SegmentThreads::caller();
        let here = std::thread::current().id();
        let out = caller
            .map(|i: usize| Ok((i, std::thread::current().id())), 0..3)
            .expect("map");
        assert!(out.iter().all(|(_, t)| *t == here));
    }
}
