//! Words from the index itself: completions while typing, and the closest spelling of a word
//! that is not in the index.
//!
//! Both read the index's words (`index::words`: the exact forms of the text field made of
//! letters), so they only ever offer words that really occur, and show them as the reports
//! spell them (`atencion` → `atención`).

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::FuzzyTermQuery;
use tantivy::Term;
use utoipa::ToSchema;

use super::SearchError;
use crate::analysis::pairs::{pair_term, pairs_word};
use crate::analysis::stem::stem_spanish;
use crate::analysis::text::within_one_edit;
use crate::analysis::{fold_keep_enye, is_query_filler, normalize_query};
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
    /// Completions, those that most often follow the word before first, then the most
    /// frequent; words a query leaves out (`de`, `cual`) last.
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

/// Completions ranked by how often they follow the word before: the most frequent ones, enough
/// for a page of suggestions whatever the word before (each is one lookup of a word pair).
const PAIRED_CANDIDATES: usize = 32;

/// Passages in which a completion must follow the word before to be ranked by them.
const MIN_PAIRED: u64 = 2;

/// A completion of the last word, as [`suggest`] ranks it.
struct Candidate {
    /// Folded, as the index has it.
    folded: String,
    display: String,
    count: u64,
    /// A word a query of bare words leaves out (`analysis::is_query_filler`).
    filler: bool,
    /// Passages where it follows the word before, as a pair of stems.
    after_previous: u64,
}

/// Completes the last word of `q` from the index vocabulary. Completions that follow the
/// query's word before in the reports, side by side, come first, most often first
/// (`atenciones med` → `médicas` before the more frequent `medicamentos`); then the most
/// frequent. A word a query leaves out comes last, and a slip the reports make (`jubilción`
/// beside `jubilación`) is not offered.
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
    let mut ranked = candidates(engine, &prefix);
    if let Some(previous) = previous_word(head, last) {
        let searcher = engine.searcher();
        let previous = stem_spanish(&previous);
        for candidate in ranked.iter_mut().take(PAIRED_CANDIDATES) {
            if !candidate.filler {
                let pair = pair_term(&previous, &stem_spanish(&candidate.folded));
                let term = Term::from_field_text(engine.fields.pairs, &pair);
                // Pairs are of stems: the word itself follows in its passages at most; and
                // once may be chance.
                let after = searcher.doc_freq(&term)?.min(candidate.count);
                candidate.after_previous = if after >= MIN_PAIRED { after } else { 0 };
            }
        }
        ranked.sort_by_key(|c| (c.filler, Reverse(c.after_previous)));
    }
    out.suggestions = ranked
        .into_iter()
        .take(limit.min(MAX_SUGGESTIONS))
        .map(|c| Suggestion {
            text: format!("{head}{}", c.display),
            word: c.display,
            count: c.count,
        })
        .collect();
    Ok(out)
}

/// The index words beginning with `prefix`, as the reports spell them, words a query leaves
/// out last and the most frequent first, without the slips the reports make ([`is_slip`]).
fn candidates(engine: &Engine, prefix: &str) -> Vec<Candidate> {
    let freq = engine.words().with_prefix(prefix, PREFIX_SCAN);
    // `año` and its twin `ano` show as one word: keep the larger count.
    let mut by_display: HashMap<String, (String, u64)> = HashMap::new();
    for (word, count) in freq {
        let display = engine.display_word(&word);
        let entry = by_display.entry(display).or_default();
        if count > entry.1 || entry.0.is_empty() {
            *entry = (word, count);
        }
    }
    let mut all: Vec<Candidate> = by_display
        .into_iter()
        .map(|(display, (folded, count))| Candidate {
            filler: is_query_filler(&folded),
            folded,
            display,
            count,
            after_previous: 0,
        })
        .collect();
    all.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.display.cmp(&b.display))
    });
    // Only the first ones may be shown, whatever the word before: slips are looked for
    // among them.
    let slip = slip_passages(engine);
    let mut keep = vec![false; all.len()];
    let mut words = 0;
    for i in 0..all.len() {
        if words >= PAIRED_CANDIDATES {
            break;
        }
        if !is_slip(&all[i], &all[..i], slip) {
            keep[i] = true;
            words += usize::from(!all[i].filler);
        }
    }
    let mut kept: Vec<Candidate> = all
        .into_iter()
        .zip(keep)
        .filter_map(|(candidate, keep)| keep.then_some(candidate))
        .collect();
    kept.sort_by_key(|c| c.filler);
    kept
}

/// Whether `candidate`, in `slip` passages at most, is a slip ([`slip_of`]) in writing one of
/// `more_frequent` that is in [`BETTER_SPELLING_RATIO`] times more passages.
fn is_slip(candidate: &Candidate, more_frequent: &[Candidate], slip: u64) -> bool {
    if candidate.count > slip {
        return false;
    }
    let wanted = candidate.count.saturating_mul(BETTER_SPELLING_RATIO);
    more_frequent
        .iter()
        .take_while(|other| other.count >= wanted)
        .any(|other| slip_of(&candidate.folded, &other.folded))
}

/// Whether the folded word `word` may be a slip in writing `other`: one edit away, and not a
/// form of the same word. Words of one stem are forms when they differ in a last letter added
/// (`afiliado`, `afiliados`) or in one of their last two letters (`médico`, `médica`;
/// `generados`, `generadas`); elsewhere they are slips (`generaas`, `jubilaad`, `socialees`).
fn slip_of(word: &str, other: &str) -> bool {
    if !within_one_edit(word, other) || word == other {
        return false;
    }
    if stem_spanish(word) != stem_spanish(other) {
        return true;
    }
    let (word, other): (Vec<char>, Vec<char>) = (word.chars().collect(), other.chars().collect());
    let same = word.iter().zip(&other).take_while(|(a, b)| a == b).count();
    if word.len() != other.len() {
        return same + 1 < word.len().max(other.len());
    }
    let swapped = word.get(same + 1) != other.get(same + 1);
    swapped || same + 2 < word.len()
}

/// The word before the last of a query (`head` and `last`), folded, when the two stand side
/// by side as plain words that the index pairs (`analysis::pairs`): not a function word, not
/// a number, not across a quote.
fn previous_word(head: &str, last: &str) -> Option<String> {
    if last.starts_with('"') {
        return None;
    }
    let word = head.split_whitespace().next_back()?;
    let word = word.trim_start_matches(['-', '"', '+']);
    let folded = fold_keep_enye(word);
    (folded.chars().all(char::is_alphabetic) && pairs_word(&folded)).then_some(folded)
}

/// Shortest last word that is completed when a query finds nothing.
const MIN_COMPLETED_CHARS: usize = 3;

/// `q` with its last word, a plain word of [`MIN_COMPLETED_CHARS`] letters or more in a few
/// passages at most (as a slip is, [`SLIP_SHARE`]), completed as [`suggest`] would first
/// complete it (`seguro soc` → `seguro social`): a query cut short while typing. `None` for a
/// word of the reports, or one without a completion.
pub fn completed(engine: &Engine, q: &str) -> Result<Option<String>, SearchError> {
    let Some(last) = q.split_whitespace().next_back() else {
        return Ok(None);
    };
    let folded = fold_keep_enye(last);
    if folded.chars().count() < MIN_COMPLETED_CHARS
        || !folded.chars().all(char::is_alphabetic)
        || engine.words().passages(&folded) > slip_passages(engine)
    {
        return Ok(None);
    }
    let first = suggest(engine, q, 1)?.suggestions.into_iter().next();
    Ok(first
        .filter(|s| fold_keep_enye(&s.word) != folded)
        .map(|s| s.text))
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
    if !(1..=slip_passages(engine)).contains(&passages) {
        return Ok(None);
    }
    let wanted = passages.saturating_mul(BETTER_SPELLING_RATIO);
    let stem = crate::analysis::stem::stem_spanish(word);
    near(engine, word, |candidate, passages| {
        passages >= wanted && crate::analysis::stem::stem_spanish(candidate) != stem
    })
}

/// Passages a word may be in and be a slip the reports make ([`SLIP_SHARE`]).
fn slip_passages(engine: &Engine) -> u64 {
    (engine.searcher().num_docs() / SLIP_SHARE).max(MIN_SLIP_PASSAGES)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_is_one_edit_from_another_word_or_within_its_stem() {
        for (slip, word) in [
            ("jubilción", "jubilación"),
            ("jubilaados", "jubilados"),
            ("socialees", "sociales"),
            ("jubilaad", "jubilada"),
            ("generaas", "generadas"),
            ("medis", "medios"),
            ("discapacidd", "discapacidad"),
        ] {
            assert!(slip_of(slip, word), "{slip} {word}");
        }
        for (form, word) in [
            ("afiliado", "afiliados"),
            ("medica", "medico"),
            ("generadas", "generados"),
            ("jubilada", "jubilado"),
            ("sociales", "sociales"),
            ("soce", "social"),
        ] {
            assert!(!slip_of(form, word), "{form} {word}");
        }
    }
}
