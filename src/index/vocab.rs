//! The accented spelling of folded words, for showing index terms to people.
//!
//! The index holds folded terms (`atencion`); suggestions and spelling corrections show the form
//! the reports use most (`atención`). Only words that folding changes are kept.

use std::collections::{BTreeMap, HashMap};

use crate::analysis::{fold_key, text::is_word_char};

/// Longest word kept, in characters.
const MAX_WORD_CHARS: usize = 32;

/// Counts the spellings of each folded word.
#[derive(Debug, Default)]
pub struct AccentCounter {
    counts: HashMap<String, HashMap<String, u32>>,
}

impl AccentCounter {
    /// Counts the non-ASCII words of `text`.
    pub fn add_text(&mut self, text: &str) {
        for word in text
            .split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_ascii() && w.chars().count() <= MAX_WORD_CHARS)
        {
            if !word.chars().all(char::is_alphabetic) {
                continue;
            }
            let lower = word.to_lowercase();
            let key = fold_key(&lower);
            if key == lower {
                continue;
            }
            *self
                .counts
                .entry(key)
                .or_default()
                .entry(lower)
                .or_default() += 1;
        }
    }

    /// The most frequent spelling of each folded word (ties: the first in sort order).
    pub fn finish(self) -> BTreeMap<String, String> {
        self.counts
            .into_iter()
            .filter_map(|(key, forms)| {
                forms
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|(form, _)| (key, form))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_common_accented_spelling() {
        let mut c = AccentCounter::default();
        c.add_text("Atención, atención y ATENCION; atencion. Manabí año");
        let map = c.finish();
        assert_eq!(map.get("atencion").map(String::as_str), Some("atención"));
        assert_eq!(map.get("manabi").map(String::as_str), Some("manabí"));
        assert_eq!(map.get("ano").map(String::as_str), Some("año"));
        assert!(!map.contains_key("y"));
    }
}
