//! Finding listed names and keywords in text, word by word: the matcher behind the gazetteer
//! and the policy keywords.
//!
//! Words are compared folded (case and accents), with a rule per word for what folding would
//! blur: a capital letter for proper names (`Manta`, not `manta`), or the accents as written for
//! words whose accent is their meaning (`género`, not `generó`). At each word the longest entry
//! wins and matches never overlap.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::analysis::{fold_key, text::fold_into, text::words};

/// What a word of the text must look like besides folding to the entry's word.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WordRule {
    Any,
    /// Starts with a capital letter.
    Capital,
    /// Lowercased, it is exactly this (accents included), unless written in capitals.
    Accented(String),
}

#[derive(Debug, Clone)]
struct Entry<T> {
    words: Vec<String>,
    rules: Vec<WordRule>,
    value: T,
}

/// A set of phrases to find, each carrying a value.
#[derive(Debug, Clone)]
pub struct PhraseSet<T> {
    entries: Vec<Entry<T>>,
    /// Folded first word → entries, longest first.
    by_first: FxHashMap<String, Vec<usize>>,
    /// Folded first letters of entries, for words in any case and for capitalised words only:
    /// most words of a text are rejected by their first letter, before folding.
    initials: Initials,
}

#[derive(Debug, Clone, Default)]
struct Initials {
    /// One bit per ASCII byte.
    any_case: u128,
    capital: u128,
    /// An entry starts with a letter outside ASCII after folding: no quick reject.
    other: bool,
}

impl Initials {
    fn add(&mut self, folded_first: &str, capital: bool) {
        match folded_first.bytes().next() {
            Some(b) if b.is_ascii() => {
                let set = if capital {
                    &mut self.capital
                } else {
                    &mut self.any_case
                };
                *set |= 1 << b;
            }
            _ => self.other = true,
        }
    }

    /// Whether an entry may start at `word`.
    #[inline]
    fn may_start(&self, word: &str) -> bool {
        let Some(c) = word.chars().next() else {
            return false;
        };
        if self.other || !c.is_ascii() {
            return true;
        }
        let bit = 1u128 << (c.to_ascii_lowercase() as u8);
        self.any_case & bit != 0 || (!c.is_ascii_lowercase() && self.capital & bit != 0)
    }
}

/// How [`PhraseSet::add`] reads the case and accents of a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// Capitalised words must be capitalised in the text (place names).
    Proper,
    /// A one-word phrase with accents must keep them in the text (keywords); longer phrases
    /// match folded.
    Accents,
}

impl<T> Default for PhraseSet<T> {
    fn default() -> Self {
        PhraseSet {
            entries: Vec::new(),
            by_first: FxHashMap::default(),
            initials: Initials::default(),
        }
    }
}

/// A match: the entry's value and the byte range in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<'s, T> {
    pub value: &'s T,
    pub start: usize,
    pub end: usize,
}

impl<T> PhraseSet<T> {
    /// Adds `phrase`, read as `spelling` says. A phrase without words is ignored.
    pub fn add(&mut self, phrase: &str, spelling: Spelling, value: T) {
        let words: Vec<&str> = words(phrase).map(|(_, w)| w).collect();
        let Some(first) = words.first() else {
            return;
        };
        let rules: Vec<WordRule> = words
            .iter()
            .map(|w| match spelling {
                Spelling::Proper if w.chars().next().is_some_and(char::is_uppercase) => {
                    WordRule::Capital
                }
                Spelling::Accents if words.len() == 1 && !w.is_ascii() => {
                    WordRule::Accented(w.to_lowercase())
                }
                _ => WordRule::Any,
            })
            .collect();
        let first_key = fold_key(first);
        self.initials.add(&first_key, rules_first_capital(&rules));
        self.by_first
            .entry(first_key)
            .or_default()
            .push(self.entries.len());
        self.entries.push(Entry {
            words: words.iter().map(|w| fold_key(w)).collect(),
            rules,
            value,
        });
        let entries = &self.entries;
        if let Some(list) = self.by_first.get_mut(&fold_key(first)) {
            list.sort_by_key(|&e| std::cmp::Reverse(entries[e].words.len()));
        }
    }

    /// Every match in `text`, in order, longest first at each word, without overlaps.
    pub fn find_all<'s>(&'s self, text: &str) -> Vec<Found<'s, T>> {
        let mut next_words = words(text);
        // The word looked at and those after it read so far: no more than the longest entry.
        let mut window: VecDeque<(usize, &str)> = VecDeque::new();
        let mut out = Vec::new();
        // The folded word looked up, and the words after it, folded once for all the entries
        // that start with it (the gazetteer has some 150 names starting with "San").
        let mut key = String::new();
        let mut ahead: Vec<String> = Vec::new();
        // The word looked at: the first of the window, else the next of the text. It goes back
        // to the window only if an entry starts with it (most words are passed by).
        while let Some((start, word)) = window.pop_front().or_else(|| next_words.next()) {
            if !self.initials.may_start(word) {
                continue;
            }
            // Most words are folded already (lowercase ASCII): looked up as they are.
            let first = if word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                word
            } else {
                key.clear();
                fold_into(word, false, &mut key);
                key.as_str()
            };
            let Some(candidates) = self.by_first.get(first) else {
                continue;
            };
            window.push_front((start, word));
            let mut folded = 0;
            let hit = candidates.iter().find_map(|&e| {
                let entry = &self.entries[e];
                let n = entry.words.len();
                while window.len() < n {
                    match next_words.next() {
                        Some(w) => window.push_back(w),
                        None => break,
                    }
                }
                let fits = window.len() >= n
                    && rule_holds(&entry.rules[0], word)
                    && (1..n).all(|k| {
                        while folded < k {
                            if ahead.len() <= folded {
                                ahead.push(String::new());
                            }
                            ahead[folded].clear();
                            fold_into(window[folded + 1].1, false, &mut ahead[folded]);
                            folded += 1;
                        }
                        ahead[k - 1] == entry.words[k] && rule_holds(&entry.rules[k], window[k].1)
                    });
                fits.then_some((entry, n))
            });
            match hit {
                Some((entry, n)) => {
                    let (last_start, last) = window[n - 1];
                    out.push(Found {
                        value: &entry.value,
                        start,
                        end: last_start + last.len(),
                    });
                    window.drain(..n);
                }
                None => {
                    window.pop_front();
                }
            }
        }
        out
    }
}

fn rules_first_capital(rules: &[WordRule]) -> bool {
    matches!(rules.first(), Some(WordRule::Capital))
}

fn rule_holds(rule: &WordRule, word: &str) -> bool {
    match rule {
        WordRule::Any => true,
        WordRule::Capital => word.chars().next().is_some_and(char::is_uppercase),
        WordRule::Accented(lower) => {
            word.chars().all(|c| !c.is_lowercase()) || word.to_lowercase() == *lower
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_longest_phrase_wins_and_rules_apply() {
        let mut set = PhraseSet::default();
        set.add("Loja", Spelling::Proper, 1);
        set.add("Nueva Loja", Spelling::Proper, 2);
        let found: Vec<i32> = set
            .find_all("de NUEVA LOJA a Loja, no loja")
            .iter()
            .map(|f| *f.value)
            .collect();
        assert_eq!(found, [2, 1]);
    }

    #[test]
    fn accented_keywords_keep_their_accent() {
        let mut set = PhraseSet::default();
        set.add("género", Spelling::Accents, ());
        set.add("violencia de género", Spelling::Accents, ());
        assert_eq!(set.find_all("igualdad de Género").len(), 1);
        assert_eq!(set.find_all("POLÍTICAS DE GENERO").len(), 1);
        assert!(set.find_all("el hospital generó ingresos").is_empty());
        assert_eq!(
            set.find_all("violencia de genero").len(),
            1,
            "phrases match folded"
        );
    }

    #[test]
    fn offsets_cover_the_phrase() {
        let mut set = PhraseSet::default();
        set.add("adulto mayor", Spelling::Accents, ());
        let text = "centros del Adulto  Mayor.";
        let f = &set.find_all(text)[0];
        assert_eq!(&text[f.start..f.end], "Adulto  Mayor");
    }
}
