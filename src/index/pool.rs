//! The extraction pool: items worked on by a fixed number of threads, results handed one at a
//! time to the calling thread (which feeds the index writer, or counts).
//!
//! Each worker keeps a state of its own (`init`), returned at the end for the caller to merge,
//! so per-thread tallies need no locks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work` over `items` on `threads` threads; `sink` receives each result with the item's
/// index, on the calling thread, in the order they finish. Returns every worker's state.
pub fn run<I, S, T>(
    items: &[I],
    threads: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &I) -> T + Sync,
    mut sink: impl FnMut(usize, T),
) -> Vec<S>
where
    I: Sync,
    S: Send,
    T: Send,
{
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, T)>(64);
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let tx = tx.clone();
                let (next, init, work) = (&next, &init, &work);
                scope.spawn(move || {
                    let mut state = init();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        if tx.send((i, work(&mut state, item))).is_err() {
                            break;
                        }
                    }
                    state
                })
            })
            .collect();
        drop(tx);
        for (i, result) in rx {
            sink(i, result);
        }
        workers.into_iter().filter_map(|w| w.join().ok()).collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_is_worked_once_and_states_come_back() {
        let items: Vec<u64> = (1..=100).collect();
        let mut seen = vec![false; items.len()];
        let states = super::run(
            &items,
            3,
            || 0u64,
            |sum, x| {
                *sum += x;
                x * 2
            },
            |i, doubled| {
                assert_eq!(doubled, items[i] * 2);
                seen[i] = true;
            },
        );
        assert!(seen.iter().all(|&s| s));
        assert_eq!(states.len(), 3);
        assert_eq!(states.iter().sum::<u64>(), 5050);
    }
}
