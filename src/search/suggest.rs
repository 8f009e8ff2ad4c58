//! Words from the index itself: completions while typing, and the closest spelling of a word
//! that is not in the index.
//!
//! Both read the index's words (`index::words`: the exact forms of the text field made of
//! letters), so they only ever offer words that really occur, and show them as the reports
//! spell them (`atencion` → `atención`).

use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::FuzzyTermQuery;
use tantivy::Term;
use utoipa::ToSchema;

use super::SearchError;
use crate::analysis::{fold_keep_enye, normalize_query};
use crate::index::Engine;

/// Completions offered at most.
pub const MAX_SUGGESTIONS: usize = 10;
/// Words read for one prefix; enough for a ranking by frequency.
const PREFIX_SCAN: usize = 5_000;
/// Candidate words read at most when looking for a spelling correction.
const CORRECTION_SCAN: usize = 10_000;
/// Shortest word that gets a spelling correction.
pub const MIN_CORRECTED_CHARS: usize = 5;
/// How many times more passages a spelling must be in than the word typed, to be offered in
/// its place when the word typed finds something: a slip the reports also make (`discapasidad`,
/// in 3 passages of the generated 100 MB corpus, beside `discapacidad` in 23,540).
const BETTER_SPELLING_RATIO: u64 = 20;
/// A word typed that is in more than one passage in this many is taken as meant, and no other
/// spelling is looked for: a slip is rare, and looking for the spellings near a word is a pass
/// over the index's words, about as much work as a whole search.
const SLIP_SHARE: u64 = 10_000;
/// Passages a word typed may be in and still be looked at as a slip, however few the passages
/// of the index.
const MIN_SLIP_PASSAGES: u64 = 2;

/// Completions of the last word of a query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestions {
    /// The query as given, in Unicode NFC.
    pub query: String,
    /// Completions, most frequent first.
    pub suggestions: Vec<Suggestion>,
}

/// One completion of the last word.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    /// The completed word as the reports spell it.
    pub word: String,
    /// The whole query with its last word completed.
    pub text: String,
    /// Passages containing the word.
    pub count: u64,
}

/// Completes the last word of `q` from the index vocabulary, most frequent first.
pub fn suggest(engine: &Engine, q: &str, limit: usize) -> Result<Suggestions, SearchError> {
    let q = normalize_query(q);
    let (head, last) = match q.rfind(char::is_whitespace) {
        Some(i) => (&q[..=i], &q[i + 1..]),
        None => ("", q.as_str()),
    };
    let prefix = fold_keep_enye(last.trim_start_matches(['-', '"', '+']));
    let mut out = Suggestions {
        query: q.clone(),
        suggestions: Vec::new(),
    };
    if prefix.chars().count() < 2 || !prefix.chars().all(char::is_alphabetic) {
        return Ok(out);
    }
    let freq = engine.words().with_prefix(&prefix, PREFIX_SCAN);
    // `año` and its twin `ano` show as one word: keep the larger count.
    let mut by_display: HashMap<String, u64> = HashMap::new();
    for (word, count) in freq {
        let display = engine.display_word(&word);
        let entry = by_display.entry(display).or_default();
        *entry = (*entry).max(count);
    }
    let mut ranked: Vec<(String, u64)> = by_display.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.suggestions = ranked
        .into_iter()
        .take(limit.min(MAX_SUGGESTIONS))
        .map(|(word, count)| Suggestion {
            text: format!("{head}{word}"),
            word,
            count,
        })
        .collect();
    Ok(out)
}

/// `q` with each word of five letters or more that the index lacks replaced by the most
/// frequent index word one edit away, or else by the most frequent word derived from its stem
/// ([`derived`]), and each slip the reports also make by the spelling they use
/// ([`better_spelling`]): the query found nothing, and what is run instead is said. `None`
/// when nothing needed or could be corrected.
pub fn correct(engine: &Engine, q: &str) -> Result<Option<String>, SearchError> {
    // The query found nothing: a word of a phrase may be corrected too.
    respell(engine, q, false, |folded, passages| {
        if passages > 0 {
            return slip_spelling(engine, folded, passages);
        }
        Ok(closest(engine, folded)?.or_else(|| derived(engine, folded)))
    })
}

/// `q` with the words of five letters or more that `spell` (given a word folded and the
/// passages it is in) spells otherwise replaced, as the reports show them. With
/// `keep_phrases`, the words inside quotes are meant as typed; a word that holds a quote mark
/// always is. `None` when no word was replaced.
fn respell(
    engine: &Engine,
    q: &str,
    keep_phrases: bool,
    mut spell: impl FnMut(&str, u64) -> Result<Option<String>, SearchError>,
) -> Result<Option<String>, SearchError> {
    let mut changed = false;
    let mut out = Vec::new();
    let mut in_quotes = false;
    for word in q.split_whitespace() {
        let quoted = keep_phrases && in_quotes;
        if word.matches('"').count() % 2 == 1 {
            in_quotes = !in_quotes;
        }
        let folded = fold_keep_enye(word);
        let plain = !quoted && folded.chars().all(char::is_alphabetic);
        if !plain || folded.chars().count() < MIN_CORRECTED_CHARS {
            out.push(word.to_string());
            continue;
        }
        match spell(&folded, engine.words().passages(&folded))? {
            Some(better) => {
                changed = true;
                out.push(engine.display_word(&better));
            }
            None => out.push(word.to_string()),
        }
    }
    Ok(changed.then(|| out.join(" ")))
}

/// Shortest stem whose derived words are offered: shorter ones begin too many unrelated words.
const MIN_DERIVED_STEM_CHARS: usize = 6;

/// The most frequent index word that begins with the stem of `word`, a word the reports use in
/// none of its forms: a word derived from it, which stemming keeps apart (`presupuesto` →
/// `presupuestaria`, where the reports only write the adjective).
fn derived(engine: &Engine, word: &str) -> Option<String> {
    let stem = crate::analysis::stem::stem_spanish(word);
    if stem.chars().count() < MIN_DERIVED_STEM_CHARS {
        return None;
    }
    most_frequent(engine.words().with_prefix(&stem, PREFIX_SCAN), word)
}

/// `q` with each word the reports spell otherwise far more often replaced by that spelling
/// ([`slip_spelling`]), as a query that found something may be offered: `None` when every word
/// of five letters or more outside quotes is spelt as the reports mostly spell it.
pub fn better_spelling(engine: &Engine, q: &str) -> Result<Option<String>, SearchError> {
    respell(engine, q, true, |folded, passages| {
        slip_spelling(engine, folded, passages)
    })
}

/// The spelling the reports use for `word`, in `passages` passages, when `word` is a slip they
/// also make: it is in a few passages (one in [`SLIP_SHARE`] at most, or
/// [`MIN_SLIP_PASSAGES`]), and a word one edit away ([`near`]) is in
/// [`BETTER_SPELLING_RATIO`] times more and is not one of its own forms (a search for a word
/// finds the words of its stem already). A word in no passage is no slip: when a query found
/// something with it, its stem found it, so it is a form of a word the reports use.
fn slip_spelling(
    engine: &Engine,
    word: &str,
    passages: u64,
) -> Result<Option<String>, SearchError> {
    let slip = (engine.searcher().num_docs() / SLIP_SHARE).max(MIN_SLIP_PASSAGES);
    if !(1..=slip).contains(&passages) {
        return Ok(None);
    }
    let wanted = passages.saturating_mul(BETTER_SPELLING_RATIO);
    let stem = crate::analysis::stem::stem_spanish(word);
    near(engine, word, |candidate, passages| {
        passages >= wanted && crate::analysis::stem::stem_spanish(candidate) != stem
    })
}

/// The most frequent index word at edit distance 1 from `word` (a transposition counts as
/// one).
fn closest(engine: &Engine, word: &str) -> Result<Option<String>, SearchError> {
    near(engine, word, |_, _| true)
}

/// The most frequent index word that `keep` accepts (given the word and its passages) at edit
/// distance 1 from `word`, found by running a Levenshtein automaton over the index's words
/// (`index::words`).
fn near(
    engine: &Engine,
    word: &str,
    keep: impl Fn(&str, u64) -> bool,
) -> Result<Option<String>, SearchError> {
    let term = Term::from_field_text(engine.fields.body, word);
    let automaton = FuzzyTermQuery::new(term, 1, true).automaton()?;
    let mut candidates = engine.words().matching(automaton, CORRECTION_SCAN);
    candidates.retain(|(candidate, passages)| keep(candidate, *passages));
    Ok(most_frequent(candidates, word))
}

/// The word of `candidates` (words with their passage counts) found in most passages, other
/// than `word`; of two as frequent, the first in byte order.
fn most_frequent(candidates: Vec<(String, u64)>, word: &str) -> Option<String> {
    candidates
        .into_iter()
        .filter(|(candidate, _)| candidate != word)
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(w, _)| w)
}
