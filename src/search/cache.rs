//! A cache bounded in bytes that drops the least recently used entry first. Report texts and
//! search results are kept in it; each caller says what an entry weighs.

use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use lru::LruCache;

/// Entries of type `V` under keys `K`, at most about `max_bytes` of them by their stated sizes.
pub struct ByteLru<K: Hash + Eq, V> {
    max_bytes: usize,
    state: Mutex<State<K, V>>,
}

struct State<K: Hash + Eq, V> {
    entries: LruCache<K, (Arc<V>, usize)>,
    bytes: usize,
}

impl<K: Hash + Eq, V> ByteLru<K, V> {
    /// A cache of at most `max_bytes`; 0 keeps nothing.
    pub fn new(max_bytes: usize) -> ByteLru<K, V> {
        ByteLru {
            max_bytes,
            state: Mutex::new(State {
                entries: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    /// Whether anything can be kept at all.
    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    fn lock(&self) -> MutexGuard<'_, State<K, V>> {
        match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The entry under `key`, now the most recently used.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        if !self.enabled() {
            return None;
        }
        self.lock().entries.get(key).map(|(v, _)| Arc::clone(v))
    }

    /// Keeps `value` under `key` as weighing `bytes`, dropping the least recently used entries
    /// until the total fits. A value larger than the whole cache is not kept.
    pub fn insert(&self, key: K, value: Arc<V>, bytes: usize) {
        if !self.enabled() || bytes > self.max_bytes {
            return;
        }
        let mut state = self.lock();
        if let Some((_, old)) = state.entries.put(key, (value, bytes)) {
            state.bytes -= old;
        }
        state.bytes += bytes;
        while state.bytes > self.max_bytes {
            let Some((_, (_, gone))) = state.entries.pop_lru() else {
                break;
            };
            state.bytes -= gone;
        }
    }

    /// Bytes held now, by the entries' stated sizes.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.entries.clear();
        state.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_goes_first_and_sizes_add_up() {
        let cache: ByteLru<&str, u32> = ByteLru::new(30);
        cache.insert("a", Arc::new(1), 10);
        cache.insert("b", Arc::new(2), 10);
        cache.insert("c", Arc::new(3), 10);
        assert_eq!(
            cache.get(&"a").as_deref(),
            Some(&1),
            "a is now the most recent"
        );
        cache.insert("d", Arc::new(4), 10);
        assert!(cache.get(&"b").is_none(), "b was the least recently used");
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.bytes(), 30);
        cache.insert("a", Arc::new(5), 5);
        assert_eq!(
            cache.get(&"a").as_deref(),
            Some(&5),
            "a key put again is replaced"
        );
        assert_eq!(cache.bytes(), 25);
        cache.insert("big", Arc::new(6), 31);
        assert!(
            cache.get(&"big").is_none(),
            "larger than the cache: not kept"
        );
        assert_eq!(cache.len(), 3, "and nothing was dropped for it");
        cache.clear();
        assert!(cache.is_empty());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn a_cache_of_no_bytes_keeps_nothing() {
        let cache: ByteLru<u8, u8> = ByteLru::new(0);
        cache.insert(1, Arc::new(1), 0);
        assert!(!cache.enabled());
        assert!(cache.get(&1).is_none());
    }
}
