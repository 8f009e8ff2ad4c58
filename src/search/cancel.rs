//! Stopping work nobody waits for: a [`Cancel`] token set when a request's deadline passes or
//! its caller goes away, checked by the search core between small units of work (a block of
//! documents in a collector, a passage in a figure scan, a hit's snippet, a row of an export, a
//! line of a batch), so a cancelled search gives its thread back within milliseconds.
//!
//! The core knows nothing of HTTP: a face makes the token, keeps a [`CancelGuard`] alive as
//! long as someone waits for the answer, and the guard's drop cancels the work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Scorer, Weight};
use tantivy::{DocId, SegmentOrdinal, SegmentReader, COLLECT_BLOCK_BUFFER_LEN, TERMINATED};

use super::SearchError;

/// Documents a scoring collector takes between two checks of the token.
const CHECK_EVERY: u32 = COLLECT_BLOCK_BUFFER_LEN as u32;

/// Whether the work should stop. Cloning shares the token; the default never cancels.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Option<Arc<Inner>>,
}

#[derive(Debug)]
struct Inner {
    flag: AtomicBool,
    deadline: Option<Instant>,
}

impl Cancel {
    /// A token that is never set (the CLI, tests).
    pub fn never() -> Cancel {
        Cancel::default()
    }

    /// A token that is set by [`Cancel::cancel`] or once `deadline` has passed.
    pub fn with_deadline(deadline: Option<Instant>) -> Cancel {
        Cancel {
            inner: Some(Arc::new(Inner {
                flag: AtomicBool::new(false),
                deadline,
            })),
        }
    }

    /// Asks the work to stop.
    pub fn cancel(&self) {
        if let Some(inner) = &self.inner {
            inner.flag.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the work should stop: cancelled, or past its deadline.
    pub fn is_cancelled(&self) -> bool {
        let Some(inner) = &self.inner else {
            return false;
        };
        if inner.flag.load(Ordering::Relaxed) {
            return true;
        }
        if inner.deadline.is_some_and(|d| Instant::now() >= d) {
            inner.flag.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// `Err(Cancelled)` when the work should stop.
    pub fn check(&self) -> Result<(), SearchError> {
        if self.is_cancelled() {
            Err(SearchError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// A guard that cancels this token when dropped (with the future waiting for the answer).
    pub fn guard(&self) -> CancelGuard {
        CancelGuard {
            cancel: self.clone(),
            armed: true,
        }
    }

    /// Turns an index error met while cancelled into [`SearchError::Cancelled`].
    pub fn explain(&self, e: tantivy::TantivyError) -> SearchError {
        if self.is_cancelled() {
            SearchError::Cancelled
        } else {
            SearchError::Index(e)
        }
    }
}

/// Cancels its token when dropped, unless [`CancelGuard::disarm`]ed after the answer came.
#[derive(Debug)]
pub struct CancelGuard {
    cancel: Cancel,
    armed: bool,
}

impl CancelGuard {
    /// The answer arrived: dropping the guard no longer cancels.
    pub fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if self.armed {
            self.cancel.cancel();
        }
    }
}

/// Wraps a collector so that each segment's collection checks `cancel` once per block of
/// documents and stops with an error when it is set (see [`Cancel::explain`]).
pub struct Cancellable<C> {
    /// The collector doing the work.
    pub inner: C,
    /// Checked once per block of documents.
    pub cancel: Cancel,
}

/// The error a collector stops with when its token is set (see [`Cancel::explain`]).
pub(super) fn cancelled() -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError("search cancelled".into())
}

impl<C: Collector> Collector for Cancellable<C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<C::Child> {
        self.inner.for_segment(segment, reader)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }

    /// tantivy's own loop cannot be left halfway, so this one walks the scorer itself: by
    /// blocks of documents when no score is needed, one document at a time otherwise, with a
    /// check of the token every block.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
        if self.cancel.inner.is_none() {
            // Never cancelled (the command line): tantivy's own, possibly faster, loop.
            return self.inner.collect_segment(weight, segment, reader);
        }
        if self.cancel.is_cancelled() {
            return Err(cancelled());
        }
        let mut child = self.inner.for_segment(segment, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        if self.inner.requires_scoring() {
            collect_scored(&mut *scorer, &mut child, reader, &self.cancel)?;
        } else {
            collect_blocks(&mut *scorer, &mut child, reader, &self.cancel)?;
        }
        Ok(child.harvest())
    }
}

/// Gives `child` every document of `scorer` alive in `reader` with its score, checking
/// `cancel` every block of documents.
pub(super) fn collect_scored<S: SegmentCollector>(
    scorer: &mut dyn Scorer,
    child: &mut S,
    reader: &SegmentReader,
    cancel: &Cancel,
) -> tantivy::Result<()> {
    walk(scorer, reader, cancel, |doc, scorer| {
        child.collect(doc, scorer.score())
    })
}

/// Hands `each` every document of `scorer` alive in `reader`, with the scorer standing on it,
/// checking `cancel` every block of documents.
pub(super) fn walk(
    scorer: &mut dyn Scorer,
    reader: &SegmentReader,
    cancel: &Cancel,
    mut each: impl FnMut(DocId, &mut dyn Scorer),
) -> tantivy::Result<()> {
    let alive = reader.alive_bitset();
    let mut doc = scorer.doc();
    let mut since_check = 0;
    while doc != TERMINATED {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            each(doc, scorer);
        }
        since_check += 1;
        if since_check == CHECK_EVERY {
            since_check = 0;
            if cancel.is_cancelled() {
                return Err(cancelled());
            }
        }
        doc = scorer.advance();
    }
    Ok(())
}

/// Gives `child` the documents of `scorer` alive in `reader` a block at a time, without
/// scores, checking `cancel` every block.
pub(super) fn collect_blocks<S: SegmentCollector>(
    scorer: &mut dyn Scorer,
    child: &mut S,
    reader: &SegmentReader,
    cancel: &Cancel,
) -> tantivy::Result<()> {
    let alive = reader.alive_bitset();
    let mut buffer = [0 as DocId; COLLECT_BLOCK_BUFFER_LEN];
    let mut alive_docs: Vec<DocId> = Vec::new();
    loop {
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let n = scorer.fill_buffer(&mut buffer);
        let block = &buffer[..n];
        match alive {
            None => child.collect_block(block),
            Some(a) => {
                alive_docs.clear();
                alive_docs.extend(block.iter().copied().filter(|&d| a.is_alive(d)));
                child.collect_block(&alive_docs);
            }
        }
        if n != buffer.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_token_is_set_by_cancel_by_its_deadline_or_by_a_dropped_guard() {
        assert!(!Cancel::never().is_cancelled());
        Cancel::never().cancel();
        let t = Cancel::with_deadline(None);
        assert!(!t.is_cancelled());
        t.cancel();
        assert!(matches!(t.check(), Err(SearchError::Cancelled)));

        let past = Cancel::with_deadline(Instant::now().checked_sub(Duration::from_millis(1)));
        assert!(past.is_cancelled());

        let t = Cancel::with_deadline(None);
        drop(t.guard());
        assert!(t.is_cancelled(), "dropping the guard cancels");
        let t = Cancel::with_deadline(None);
        t.guard().disarm();
        assert!(!t.is_cancelled(), "a disarmed guard leaves the work alone");
    }
}
