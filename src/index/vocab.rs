//! The accented spelling of folded words, for showing index terms to people.
//!
//! The index holds folded terms (`atencion`); suggestions and spelling corrections show the form
//! the reports use most (`atención`). Only words that folding changes are kept.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::analysis::text::{fold_into, non_ascii_words};

/// Longest word kept, in characters.
const MAX_WORD_CHARS: usize = 32;

/// Counts the spellings of each folded word.
#[derive(Debug, Default)]
pub struct AccentCounter {
    counts: FxHashMap<String, FxHashMap<String, u32>>,
    lower: String,
    key: String,
}

impl AccentCounter {
    /// Counts the non-ASCII words of `text`.
    pub fn add_text(&mut self, text: &str) {
        for (_, word) in non_ascii_words(text).filter(|(_, w)| w.chars().count() <= MAX_WORD_CHARS)
        {
            if !word.chars().all(char::is_alphabetic) {
                continue;
            }
            self.lower.clear();
            self.lower.extend(word.chars().flat_map(char::to_lowercase));
            self.key.clear();
            fold_into(&self.lower, false, &mut self.key);
            if self.key == self.lower {
                continue;
            }
            let forms = match self.counts.get_mut(self.key.as_str()) {
                Some(forms) => forms,
                None => self.counts.entry(self.key.clone()).or_default(),
            };
            match forms.get_mut(self.lower.as_str()) {
                Some(n) => *n += 1,
                None => {
                    forms.insert(self.lower.clone(), 1);
                }
            }
        }
    }

    /// Adds the counts of `other` (another thread's).
    pub fn merge(&mut self, other: AccentCounter) {
        for (key, forms) in other.counts {
            let mine = self.counts.entry(key).or_default();
            for (form, n) in forms {
                *mine.entry(form).or_default() += n;
            }
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
