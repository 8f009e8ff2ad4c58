//! The accented spelling of folded words, for showing index terms to people.
//!
//! The index holds folded terms (`atencion`); suggestions and spelling corrections show the form
//! the reports use most (`atención`). Only words that folding changes are kept.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::analysis::text::{fold_into, fold_keep_enye, non_ascii_words};

/// Longest word kept, in characters.
const MAX_WORD_CHARS: usize = 32;

/// Counts the spellings of each folded word.
#[derive(Debug, Default)]
pub struct AccentCounter {
    /// Each non-ASCII word as written: how often it was seen, and whether it is a spelling to
    /// count (letters only, not too long, changed by folding). A word is judged once, when
    /// first seen; after that, counting it is one lookup.
    words: FxHashMap<String, Seen>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    times: u32,
    counts: bool,
}

impl AccentCounter {
    /// Counts the non-ASCII words of `text`.
    pub fn add_text(&mut self, text: &str) {
        for (_, word) in non_ascii_words(text) {
            match self.words.get_mut(word) {
                Some(seen) => seen.times += 1,
                None => {
                    let counts = word.chars().count() <= MAX_WORD_CHARS
                        && word.chars().all(char::is_alphabetic)
                        && {
                            let lower = lowercase(word);
                            folded(&lower) != lower
                        };
                    self.words
                        .insert(word.to_string(), Seen { times: 1, counts });
                }
            }
        }
    }

    /// Adds the counts of `other` (another thread's).
    pub fn merge(&mut self, other: AccentCounter) {
        for (word, seen) in other.words {
            self.words
                .entry(word)
                .and_modify(|mine| mine.times += seen.times)
                .or_insert(seen);
        }
    }

    /// The most frequent spelling of each folded word (ties: the first in sort order), leaving
    /// out the words the reports mostly write without an accent. Spellings without one are not
    /// counted (that would be every word of every passage): an accented spelling seen fewer
    /// times than half the passages of its word (`passages`, given the word folded as the
    /// index's words are, every spelling of it counted) is outnumbered by them, and the word is
    /// shown as the index holds it (`documento`, not the verb `documentó`).
    pub fn finish(self, passages: impl Fn(&str) -> u64) -> BTreeMap<String, String> {
        let mut spellings: FxHashMap<String, FxHashMap<String, u32>> = FxHashMap::default();
        for (word, seen) in self.words.into_iter().filter(|(_, seen)| seen.counts) {
            let lower = lowercase(&word);
            *spellings
                .entry(folded(&lower))
                .or_default()
                .entry(lower)
                .or_default() += seen.times;
        }
        spellings
            .into_iter()
            .filter_map(|(key, forms)| {
                forms
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .filter(|(form, times)| {
                        u64::from(*times).saturating_mul(2) >= passages(&fold_keep_enye(form))
                    })
                    .map(|(form, _)| (key, form))
            })
            .collect()
    }
}

fn lowercase(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

fn folded(lower: &str) -> String {
    let mut key = String::with_capacity(lower.len());
    fold_into(lower, false, &mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_common_accented_spelling() {
        let mut c = AccentCounter::default();
        c.add_text("Atención, atención y ATENCION; atencion. Manabí año");
        let map = c.finish(|_| 0);
        assert_eq!(map.get("atencion").map(String::as_str), Some("atención"));
        assert_eq!(map.get("manabi").map(String::as_str), Some("manabí"));
        assert_eq!(map.get("ano").map(String::as_str), Some("año"));
        assert!(!map.contains_key("y"));
    }

    #[test]
    fn counts_add_up_across_threads_and_cases() {
        let mut a = AccentCounter::default();
        a.add_text("Gestión gestión gestion GESTIÓN año");
        let mut b = AccentCounter::default();
        b.add_text(
            "gestion gestion gestion gestion Gestión Gestión Añoñoñoñoñoñoñoñoñoñoñoñoñoñoñoño x2ó",
        );
        a.merge(b);
        let map = a.finish(|_| 0);
        // `gestión`, `Gestión` and `GESTIÓN` are one spelling, 5 times; `gestion`, which
        // folding does not change, is none. A word past 32 letters and one with a digit are
        // not counted.
        assert_eq!(map.get("gestion").map(String::as_str), Some("gestión"));
        assert_eq!(map.get("ano").map(String::as_str), Some("año"));
        assert_eq!(map.len(), 2, "{map:?}");
    }

    #[test]
    fn a_word_mostly_written_without_its_accent_is_shown_without_it() {
        let mut c = AccentCounter::default();
        c.add_text("documentó documentó atención atención atención año año Perú");
        // Passages of each word, every spelling counted, as the index's words hold them.
        let passages = |word: &str| match word {
            "documento" => 100,
            "atencion" => 6,
            "año" => 2,
            "peru" => 3,
            _ => 0,
        };
        let map = c.finish(passages);
        // 2 of 100: the verb, beside the noun written without an accent.
        assert_eq!(map.get("documento"), None);
        // 3 of 6: as often as the spellings without an accent can be, at most.
        assert_eq!(map.get("atencion").map(String::as_str), Some("atención"));
        assert_eq!(map.get("ano").map(String::as_str), Some("año"));
        assert_eq!(map.get("peru"), None);
    }

    #[test]
    fn the_most_frequent_spelling_wins_once_counts_are_merged() {
        let mut a = AccentCounter::default();
        a.add_text("Perú Perú");
        let mut b = AccentCounter::default();
        b.add_text("Pérú Pérú Pérú");
        let before_merge = {
            let mut c = AccentCounter::default();
            c.add_text("Perú Perú");
            c.finish(|_| 0)
        };
        assert_eq!(before_merge.get("peru").map(String::as_str), Some("perú"));
        a.merge(b);
        assert_eq!(
            a.finish(|_| 0).get("peru").map(String::as_str),
            Some("pérú")
        );
    }
}
