//! The query language of the search box and the CLI, and its translation to tantivy queries.
//!
//! ```text
//! mora patronal          every word must match (in any form: accents, plurals, numbers)
//! "muerte materna"       a phrase; exact wording ranks first, stemmed wording still matches
//! "fondos de reserva"    a function word inside a phrase holds a place any one word fills
//! -covid                 excludes passages with the word (or "-a phrase")
//! salud OR seguro        either side (binds the words next to it)
//! 4'803.665,69           a figure, in any written form
//! ```
//! The text is read into items ([`parse`]), which never fails on odd input but for an unclosed
//! quote or an overlong query, with a message. Words are analyzed with the same Spanish analyzer as the index (query flavour), then turned into
//! `TermQuery` / `PhraseQuery` trees on the text field: stems required, exact forms (marked
//! terms, `analysis::ExactAndStem`) a boost. A phrase of words side by side, none a function
//! word or a number, is matched on the field of word pairs instead (`super::pairs`).

use std::sync::Arc;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, BoostWeight, EnableScoring, Occur, PhraseQuery, Query,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, Token};
use tantivy::{Score, Searcher, Term};

mod context;
mod parse;

pub use parse::{parse, print, Item, MAX_QUERY_CHARS};

use super::pairs::PairPhrase;
use super::union::SeekUnion;
use super::word::{Boosted, StemSet, Word};
use crate::analysis;
use crate::analysis::pairs::{pair_term, pairs_word};
use crate::analysis::stem::stem_spanish;
use crate::analysis::{is_function_word, is_query_filler};
use crate::extract::FigureKind;
use crate::index::stem_sets::LazyStemSets;

/// Boost of a match on a word's exact form over a stemmed-only match.
const EXACT_BOOST: f32 = 1.5;
/// Weight of words matching the report's province or unit rather than the passage's text.
const CONTEXT_BOOST: f32 = 0.3;
/// Longest province name, in words, looked for in a query.
const MAX_PLACE_WORDS: usize = 5;
/// Ambiguous tokens in a phrase multiply into several phrases; beyond this, keep the first.
const MAX_PHRASE_VARIANTS: usize = 16;

/// The fields a text query runs against, and the index that says which terms exist.
#[derive(Clone, Copy)]
pub struct TextFields<'a> {
    /// The text: exact forms marked, stems plain.
    pub body: Field,
    /// Adjacent words' stems as one term (`analysis::pairs`).
    pub pairs: Field,
    /// The facets: a query may name a report's province or year instead of the text
    /// (`recaudación manabí 2021`).
    pub facets: Field,
    /// The figure columns, by kind (`FigureKind as usize`): a number written as a percentage
    /// (`15%`) asks for a passage's percentages, an amount with a scale word (`4,8 millones`)
    /// for its amounts that round to it.
    pub figures: [Field; FigureKind::ALL.len()],
    /// The index searched, to leave out terms it lacks.
    pub searcher: &'a Searcher,
    /// The passages of its most frequent stems, as sets (`index::stem_sets`).
    pub sets: Option<&'a Arc<LazyStemSets>>,
    /// The words of units' names that few units share, sorted (`index::schema::unit_names`):
    /// such a word may name the report rather than the text (`Chone`).
    pub units: Option<&'a [String]>,
}

impl<'a> TextFields<'a> {
    /// The text fields of an index, checked against `searcher`.
    pub fn of(f: &crate::index::Fields, searcher: &'a Searcher) -> TextFields<'a> {
        TextFields {
            body: f.body,
            pairs: f.pairs,
            facets: f.facets,
            figures: FigureKind::ALL.map(|k| f.figure_field(k)),
            searcher,
            sets: None,
            units: None,
        }
    }

    /// These fields, with the words of units' names that few units share (`Engine::unit_names`).
    pub fn with_units(self, names: &'a [String]) -> TextFields<'a> {
        TextFields {
            units: Some(names),
            ..self
        }
    }

    /// These fields, with the sets of frequent stems `sets` that words may match by.
    pub fn with_sets(self, sets: &'a Arc<LazyStemSets>) -> TextFields<'a> {
        TextFields {
            sets: Some(sets),
            ..self
        }
    }

    /// Where the passages of `stem` may be found as sets, segment by segment.
    fn set_of(&self, stem: &str) -> Option<StemSet> {
        self.sets.map(|sets| StemSet {
            sets: sets.clone(),
            stem: stem.into(),
        })
    }

    /// The figure column of `kind`.
    fn figure_column(&self, kind: FigureKind) -> Field {
        self.figures[kind as usize]
    }

    /// The term of the exact (folded, unstemmed) form `folded`.
    fn exact(&self, folded: &str) -> Term {
        Term::from_field_text(self.body, &analysis::exact_term(folded))
    }

    /// The terms that match the stem `stem` (`index::schema::stem_terms`). A term the index
    /// lacks costs nothing in a disjunction (tantivy drops its empty scorer).
    fn stems(&self, stem: &str) -> [Term; 2] {
        crate::index::schema::stem_terms(self.body, stem)
    }

    /// [`Self::stems`], but only those the index holds (for phrases, which multiply by them);
    /// when it holds neither, the plain term, which matches nothing.
    fn held_stems(&self, stem: &str) -> Vec<Term> {
        let [plain, marked] = self.stems(stem);
        let held = |t: &Term| self.searcher.doc_freq(t).is_ok_and(|n| n > 0);
        let found: Vec<Term> = [plain.clone(), marked].into_iter().filter(held).collect();
        if found.is_empty() {
            vec![plain]
        } else {
            found
        }
    }
}

/// Best matches whose phrase boosts are scored: the rest keep the score of their matching
/// part. A phrase's exact wording is checked by reading positions again, which doubled the
/// time of a phrase query when done for every match (BENCHMARKS.md, "Search, third round").
pub const RESCORE_WINDOW: usize = 100;

/// A tantivy query for parsed items; `None` when they hold no searchable word (browse mode).
///
/// Every unit (a word, a joined group, a phrase) is required by its stems, and its exact form
/// is an optional boost: a document with the exact words has their stems too, so matching is
/// the same, and tantivy scores the boosts only on documents that already match, which keeps
/// queries fast. Passage search ranks with [`build_ranked`], which keeps phrase boosts apart;
/// this is the whole query, scored whole (figure search, a report's snippets).
pub fn build(items: &[Item], fields: TextFields) -> Option<Box<dyn Query>> {
    let ranked = build_ranked(items, fields)?;
    Some(match ranked.rescore {
        None => ranked.matching,
        Some(boost) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, ranked.matching),
            (Occur::Should, boost),
        ])),
    })
}

/// A text query in two parts, for ranking: [`build`]'s query is `matching` with `rescore` as
/// an optional boost.
pub struct RankedQuery {
    /// What matches, with every boost that reads no positions.
    pub matching: Box<dyn Query>,
    /// The exact-wording boosts of phrases, to add to the score of the best
    /// [`RESCORE_WINDOW`] matches only (as a search engine's rescoring of its top hits).
    pub rescore: Option<Box<dyn Query>>,
    /// The stem whose passages are exactly those matched, when the query is one word (with
    /// the facet it names, for a year or a province: `index::word_counts::context_key`), or
    /// the words of a province's name of several with its facet: the index may hold their
    /// counts (`index::word_counts`).
    pub stem: Option<String>,
    /// The query's one word as the analyzer gives it, when the query is a single word, or its
    /// words joined by spaces when they name a province (`los rios`): the index may hold its
    /// best passages (`index::word_tops`).
    pub word: Option<String>,
    /// The terms, each with its boost, whose BM25 scores add up to every score `matching`
    /// gives, or to more, when it is a conjunction of words (or of words' alternatives, as a
    /// province in the text or the report's): what bounds a passage's score before it is
    /// scored (`index::score_bounds`).
    pub scored: Option<Vec<Boosted>>,
}

/// [`build`] in two parts: see [`RankedQuery`].
pub fn build_ranked(items: &[Item], fields: TextFields) -> Option<RankedQuery> {
    let mut analyzer = analysis::query_exact();
    // The words of a query of bare words, folded: the index may hold the best passages of one
    // word, or of a province's name of several. The words of a question and prepositions are
    // left out, as the query leaves them out (`cuántos afiliados` is answered as `afiliados`);
    // function words stay, as a province's name holds them (`los rios`).
    let words = match items {
        [Item::Words(text)] => {
            let mut words = tokens(&mut analyzer, text);
            if words.iter().any(|t| !is_query_filler(&t.text)) {
                words.retain(|t| !analysis::is_query_only_filler(&t.text));
            }
            Some(words)
        }
        _ => None,
    };
    let mut required: Vec<(Occur, Unit)> = Vec::new();
    // When an `OR` was just read, the next unit joins the previous positive one.
    let mut pending_or = false;
    for item in items {
        match item {
            Item::Or => pending_or = true,
            Item::Not(inner) => {
                for u in units(inner, fields, &mut analyzer) {
                    required.push((Occur::MustNot, u));
                }
                pending_or = false;
            }
            Item::Words(_) | Item::Phrase(_) => {
                for (i, u) in units(item, fields, &mut analyzer).into_iter().enumerate() {
                    if i == 0 && pending_or {
                        if let Some(pos) = required.iter().rposition(|(o, _)| *o == Occur::Must) {
                            let (_, prev) = required.remove(pos);
                            required.insert(pos, (Occur::Must, Unit::either(vec![prev, u])));
                            continue;
                        }
                    }
                    required.push((Occur::Must, u));
                }
                pending_or = false;
            }
        }
    }
    if required.is_empty() {
        return None;
    }
    // The stem of a query of one unit, whose matches it names.
    let mut stem = None;
    if let [(Occur::Must, unit)] = required.as_mut_slice() {
        stem = unit.stem.take();
    }
    let word = match words.as_deref() {
        Some([token]) => Some(token.text.clone()),
        // Several words make one unit with kept counts when they name a province.
        Some(tokens) if stem.is_some() && tokens.len() > 1 => Some(
            tokens
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    };
    if let [(Occur::Must, unit)] = required.as_mut_slice() {
        if let Some(matching) = unit.alone.take() {
            return Some(RankedQuery {
                matching,
                rescore: None,
                stem,
                word,
                scored: None,
            });
        }
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut boosts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut rescore: Vec<Box<dyn Query>> = Vec::new();
    let multiple = required.len() > 1;
    let mut scored: Option<Vec<Boosted>> = Some(Vec::new());
    for (occur, mut unit) in required {
        if multiple {
            if let Some(sought) = unit.sought.take() {
                unit.required = sought;
            }
        }
        if occur == Occur::Must {
            scored = joined(scored, unit.scored);
        }
        match unit.boost {
            Some(b) if occur == Occur::Must && unit.positional => {
                clauses.push((occur, unit.required));
                rescore.push(b);
            }
            // Each unit carries its own boost: scored by seeking one scorer to the unit's
            // matches, where one union of every unit's boost had to be moved to each match.
            Some(b) if occur == Occur::Must && multiple => clauses.push((
                occur,
                unit.together.unwrap_or_else(|| {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, unit.required),
                        (Occur::Should, b),
                    ]))
                }),
            )),
            Some(b) if occur == Occur::Must => {
                clauses.push((occur, unit.required));
                boosts.push((Occur::Should, b));
            }
            _ => clauses.push((occur, unit.required)),
        }
    }
    let rescore = (!rescore.is_empty()).then(|| either(rescore));
    let scored = scored.filter(|terms| !terms.is_empty() && rescore.is_none() && boosts.is_empty());
    if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
        // Only exclusions: exclude from everything.
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if clauses.len() == 1 && boosts.is_empty() && clauses[0].0 == Occur::Must {
        let matching = clauses.pop().map(|(_, q)| q)?;
        return Some(RankedQuery {
            matching,
            rescore,
            stem,
            word,
            scored,
        });
    }
    clauses.extend(boosts);
    Some(RankedQuery {
        matching: Box::new(BooleanQuery::new(clauses)),
        rescore,
        stem,
        word,
        scored,
    })
}

/// The scored terms of two parts of a query together, when both have them.
fn joined(all: Option<Vec<Boosted>>, more: Option<Vec<Boosted>>) -> Option<Vec<Boosted>> {
    all.zip(more).map(|(mut all, more)| {
        all.extend(more);
        all
    })
}

/// What one word, group or phrase of a query asks: a required match of its stems, and the same
/// words exactly as a boost.
struct Unit {
    required: Box<dyn Query>,
    /// `required` as it is best sought beside other units, when it differs.
    sought: Option<Box<dyn Query>>,
    boost: Option<Box<dyn Query>>,
    /// `required` and `boost` as one query, matching and scoring as the two would together
    /// (a word: [`Word`]).
    together: Option<Box<dyn Query>>,
    /// Whether the boost reads positions (a phrase's exact wording).
    positional: bool,
    /// The terms whose scores, each boosted, add up to the unit's score beside other units
    /// (a word's: [`Word`]), or to more (alternatives: a passage may match some of them).
    scored: Option<Vec<Boosted>>,
    /// The same matches and scores as one query, for when the unit is the whole query.
    alone: Option<Box<dyn Query>>,
    /// The stem whose passages the unit matches, for a word, a year or a province
    /// ([`RankedQuery::stem`]).
    stem: Option<String>,
}

impl Unit {
    /// This unit's matches that `filter` matches too, scored as before (`filter` scores 0).
    /// What the index keeps of a word (its counts, and so its best passages) is not of these
    /// matches: the unit names no stem.
    fn filtered(self, filter: Box<dyn Query>) -> Unit {
        let both = |q: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (Occur::Must, filter.box_clone()),
            ]))
        };
        Unit {
            required: both(self.required),
            sought: self.sought.map(both),
            together: self.together.map(both),
            alone: self.alone.map(both),
            stem: None,
            ..self
        }
    }

    /// A unit matching what every one of `units` matches, scored as their sum.
    fn all_of(mut units: Vec<Unit>) -> Unit {
        if units.len() == 1 {
            if let Some(unit) = units.pop() {
                return unit;
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(units.len());
        let mut scored: Option<Vec<Boosted>> = Some(Vec::new());
        for u in units {
            scored = joined(scored, u.scored);
            let scoring = match (u.together, u.boost) {
                (Some(together), _) => together,
                (None, Some(boost)) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, u.required),
                    (Occur::Should, boost),
                ])),
                (None, None) => u.required,
            };
            clauses.push((Occur::Must, scoring));
        }
        Unit {
            required: Box::new(BooleanQuery::new(clauses)),
            sought: None,
            boost: None,
            together: None,
            positional: false,
            scored,
            alone: None,
            stem: None,
        }
    }

    /// A unit matching any of `units`.
    fn either(mut units: Vec<Unit>) -> Unit {
        if units.len() == 1 {
            if let Some(unit) = units.pop() {
                return unit;
            }
        }
        let mut required = Vec::with_capacity(units.len());
        let mut boosts = Vec::new();
        let mut positional = false;
        // A passage matching some of the alternatives scores the sum of theirs.
        let mut scored: Option<Vec<Boosted>> = Some(Vec::new());
        for u in units {
            required.push(u.required);
            positional |= u.positional && u.boost.is_some();
            boosts.extend(u.boost);
            scored = joined(scored, u.scored);
        }
        Unit {
            // Beside other words, which lead, an alternative as frequent as a year's or a
            // province's facet is asked for a few of its passages: sought, where tantivy's
            // buffered union scored all of them, 4,096 passages at a time. Alone, the
            // buffered union steps through them faster.
            sought: Some(Box::new(SeekUnion::beside(
                required.iter().map(|q| q.box_clone()).collect(),
            ))),
            required: either(required),
            boost: (!boosts.is_empty()).then(|| either(boosts)),
            positional,
            together: None,
            scored,
            alone: None,
            stem: None,
        }
    }
}

/// The units of one item: one per word (or per joined group), or one per phrase.
fn units(item: &Item, fields: TextFields, analyzer: &mut TextAnalyzer) -> Vec<Unit> {
    match item {
        Item::Words(text) => {
            let text = analysis::normalize_query(text);
            word_units(&text, &tokens(analyzer, &text), fields)
        }
        Item::Phrase(text) => {
            let text = analysis::normalize_query(text);
            let tokens = tokens(analyzer, &text);
            // Its percentages are figures too (`"subió 15%"`).
            let mut positions: Vec<usize> = tokens.iter().map(|t| t.position).collect();
            positions.dedup();
            let filters = positions.into_iter().filter_map(|pos| {
                let here: Vec<&Token> = tokens.iter().filter(|t| t.position == pos).collect();
                context::percentage(&text, &here, fields, false).map(|(filter, _)| filter)
            });
            let filters: Vec<Box<dyn Query>> = filters.collect();
            phrase_unit(&tokens, fields)
                .map(|unit| filters.into_iter().fold(unit, Unit::filtered))
                .into_iter()
                .collect()
        }
        Item::Not(inner) => units(inner, fields, analyzer),
        Item::Or => Vec::new(),
    }
}

/// The amounts the query's words write with a scale word or in words (`4,8 millones`,
/// `cuatro millones`), outside phrases and exclusions: the passages whose figures round to
/// them match too (`context::rounded_amount`, `context::amount_in_words`), and those
/// figures are what a hit marks.
pub fn rounded_amounts(items: &[Item]) -> Vec<crate::search::amount::Rounded> {
    let mut out = Vec::new();
    for item in items {
        if let Item::Words(text) = item {
            out.extend(crate::search::amount::rounded_in(
                &analysis::normalize_query(text),
            ));
        }
    }
    out
}

/// Whether a query of bare words leaves out `word` as typed (`¿Cuántos`, `de`) when it holds
/// other words: see [`analysis::is_query_filler`].
pub fn is_filler(word: &str) -> bool {
    let tokens = tokens(&mut analysis::query_exact(), word);
    !tokens.is_empty() && tokens.iter().all(|t| is_query_filler(&t.text))
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let text = analysis::normalize_query(text);
    let mut stream = analyzer.token_stream(&text);
    let mut out = Vec::new();
    stream.process(&mut |t| out.push(t.clone()));
    out
}

/// Groups tokens by position into units: a joined token (`covid19`, `187000` over `187 mil`)
/// stands for the positions it covers, as an alternative to the phrase of its parts. Function
/// words, the words of a question and prepositions are left out unless the tokens hold nothing
/// else ([`analysis::is_query_filler`]). The words read in their context (a year, a province, an
/// acronym's name, a currency, a percentage) are read by [`context`]. `text` is what the
/// tokens' offsets point into.
fn word_units(text: &str, tokens: &[Token], fields: TextFields) -> Vec<Unit> {
    let mut units = Vec::new();
    let skip_fillers = tokens.iter().any(|t| !is_query_filler(&t.text));
    // Where the last percentage's words (`por ciento`) end: they are part of its figure.
    let mut percent_end = 0;
    let Some(last) = tokens.iter().map(|t| t.position).max() else {
        return units;
    };
    let mut pos = tokens.iter().map(|t| t.position).min().unwrap_or(0);
    while pos <= last {
        let here: Vec<&Token> = tokens.iter().filter(|t| t.position == pos).collect();
        if here.is_empty() {
            pos += 1;
            continue;
        }
        if here.iter().all(|t| t.offset_to <= percent_end) {
            pos += 1;
            continue;
        }
        if let Some((unit, words)) = context::year_range_unit(text, tokens, pos, fields)
            .or_else(|| context::compared_amount(text, tokens, pos, fields))
            .or_else(|| context::report_context_unit(tokens, pos, fields))
        {
            units.push(unit);
            pos += words;
            continue;
        }
        let span = here
            .iter()
            .map(|t| t.position_length.max(1))
            .max()
            .unwrap_or(1);
        if let Some((unit, words)) = context::acronym_unit(tokens, pos, last, fields) {
            units.push(unit);
            pos += words;
            continue;
        }
        if let Some((unit, words)) = context::amount_in_words(text, tokens, pos, fields) {
            units.push(unit);
            pos += words;
            continue;
        }
        if skip_fillers && span == 1 && here.iter().all(|t| is_query_filler(&t.text)) {
            pos += 1;
            continue;
        }
        if span == 1 && context::currency_beside_number(tokens, pos) {
            pos += 1;
            continue;
        }
        let mut alternatives: Vec<Unit> = here
            .iter()
            .filter(|t| t.position_length.max(1) == span)
            .map(|t| word_unit(&t.text, fields))
            .collect();
        if span == 1 {
            alternatives.extend(
                here.first()
                    .and_then(|t| context::unit_name(&t.text, fields)),
            );
            // `cuatro dispensarios` finds `4 dispensarios`; the `ciento` of `por ciento` is
            // no hundred.
            let per_cent = pos > 0 && single_at(tokens, pos - 1).is_some_and(|t| t.text == "por");
            if let Some(v) = here
                .first()
                .and_then(|t| analysis::numbers::small_number_word(&t.text))
                .filter(|&v| !(per_cent && v == 100))
            {
                alternatives.push(word_unit(&v.to_string(), fields));
            }
        }
        if span > 1 {
            alternatives.extend(phrase_unit(&parts(tokens, pos, span), fields));
        }
        alternatives.extend(context::rounded_amount(text, &here, fields));
        let unit = Unit::either(alternatives);
        units.push(match context::percentage(text, &here, fields, true) {
            Some((filter, end)) => {
                percent_end = end;
                unit.filtered(filter)
            }
            None => unit,
        });
        pos += span;
    }
    units
}

/// The first token at position `pos` that is a word of its own, not a joined one.
fn single_at(tokens: &[Token], pos: usize) -> Option<&Token> {
    tokens
        .iter()
        .find(|t| t.position == pos && t.position_length <= 1)
}

/// The single tokens at positions `pos..pos + span`.
fn parts(tokens: &[Token], pos: usize, span: usize) -> Vec<Token> {
    tokens
        .iter()
        .filter(|t| t.position >= pos && t.position < pos + span && t.position_length <= 1)
        .cloned()
        .collect()
}

/// A word: its stem required, its exact (folded) form a boost.
fn word_unit(folded: &str, fields: TextFields) -> Unit {
    let stemmed = stem_spanish(folded);
    let [plain, marked] = fields.stems(&stemmed);
    if stemmed == folded {
        // The word is its own stem: its exact form is one of the stem's two terms, boosted in
        // place rather than scored a second time.
        let stems = vec![(plain.clone(), 1.0), (marked.clone(), 1.0 + EXACT_BOOST)];
        return Unit {
            required: Box::new(
                Word::new(stems.clone(), Vec::new()).matched_by(fields.set_of(&stemmed)),
            ),
            boost: None,
            together: None,
            sought: None,
            scored: Some(stems),
            positional: false,
            // Alone, the disjunction tantivy ranks by block-max WAND ([`term_union`]).
            alone: Some(Box::new(SeekUnion::ranked(vec![
                term_query(plain),
                Box::new(BoostedTerm::new(marked, 1.0 + EXACT_BOOST)),
            ]))),
            stem: Some(stemmed.into_owned()),
        };
    }
    let exact = fields.exact(folded);
    let stems = vec![(plain.clone(), 1.0), (marked.clone(), 1.0)];
    Unit {
        // Beside other words, which lead: sought from match to match ([`Word`]).
        required: Box::new(
            Word::new(stems.clone(), Vec::new()).matched_by(fields.set_of(&stemmed)),
        ),
        boost: Some(Box::new(BoostedTerm::new(exact.clone(), EXACT_BOOST))),
        // Beside other words, the boost costs less scored only where they all match.
        sought: None,
        together: Some(Box::new(
            Word::new(stems.clone(), vec![(exact.clone(), EXACT_BOOST)])
                .matched_by(fields.set_of(&stemmed)),
        )),
        scored: Some(
            stems
                .into_iter()
                .chain([(exact.clone(), EXACT_BOOST)])
                .collect(),
        ),
        positional: false,
        // A passage holding the exact form holds its stem at the same position
        // (`analysis::ExactAndStem`), so the exact term may join the stem's terms without
        // changing what matches or how it scores. Alone in a query, that disjunction of terms
        // is what tantivy can rank without scoring every match ([`term_union`]).
        alone: Some(Box::new(SeekUnion::ranked(vec![
            term_query(plain),
            term_query(marked),
            Box::new(BoostedTerm::new(exact, EXACT_BOOST)),
        ]))),
        stem: Some(stemmed.into_owned()),
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// A term whose score counts `boost` times. tantivy scores it as a `BoostQuery` around a
/// `TermQuery` (the boost goes into the term's BM25 weight), but [`term_union`] can recognise
/// it.
#[derive(Debug, Clone)]
pub struct BoostedTerm {
    term: Term,
    boost: Score,
}

impl BoostedTerm {
    /// `term`, read with its frequencies, scoring `boost` times.
    pub fn new(term: Term, boost: Score) -> BoostedTerm {
        BoostedTerm { term, boost }
    }
}

impl Query for BoostedTerm {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weight = TermQuery::new(self.term.clone(), IndexRecordOption::WithFreqs)
            .weight(enable_scoring)?;
        if enable_scoring.is_scoring_enabled() {
            Ok(Box::new(BoostWeight::new(weight, self.boost)))
        } else {
            Ok(weight)
        }
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// Whether `query` is a term or a disjunction of terms, each scored from its frequencies: the
/// shape whose best hits tantivy finds by block-max WAND, skipping the blocks of documents that
/// cannot beat the worst hit kept so far.
pub fn term_union(query: &dyn Query) -> bool {
    // Every bare `TermQuery` of a text query reads frequencies ([`term_query`]); facet terms
    // come inside a `BoostQuery`.
    let is_term = |q: &dyn Query| {
        q.downcast_ref::<BoostedTerm>().is_some() || q.downcast_ref::<TermQuery>().is_some()
    };
    if is_term(query) {
        return true;
    }
    if let Some(union) = query.downcast_ref::<SeekUnion>() {
        return !union.queries().is_empty() && union.queries().iter().all(|q| is_term(q.as_ref()));
    }
    query.downcast_ref::<BooleanQuery>().is_some_and(|b| {
        !b.clauses().is_empty()
            && b.clauses()
                .iter()
                .all(|(occur, q)| *occur == Occur::Should && is_term(q.as_ref()))
    })
}

/// A phrase: stemmed required, exact a boost; positions with several readings multiply into
/// several phrases.
fn phrase_unit(tokens: &[Token], fields: TextFields) -> Option<Unit> {
    // Joined tokens duplicate their parts inside a phrase: keep the parts.
    let tokens: Vec<&Token> = tokens.iter().filter(|t| t.position_length <= 1).collect();
    let first = tokens.iter().map(|t| t.position).min()?;
    let last = tokens.iter().map(|t| t.position).max()?;
    let mut slots: Vec<Vec<&str>> = Vec::new();
    for pos in first..=last {
        let here: Vec<&str> = tokens
            .iter()
            .filter(|t| t.position == pos)
            .map(|t| t.text.as_str())
            .collect();
        if !here.is_empty() {
            slots.push(here);
        }
    }
    if slots.len() == 1 {
        return Some(Unit::either(
            slots[0].iter().map(|w| word_unit(w, fields)).collect(),
        ));
    }
    let kept = matched_slots(&slots);
    let variants = choices(&slots);
    let mut required: Vec<Box<dyn Query>> = Vec::new();
    let mut boosts: Vec<Box<dyn Query>> = Vec::new();
    for words in variants {
        let exact: Vec<Term> = words.iter().map(|w| fields.exact(w)).collect();
        boosts.push(Box::new(BoostQuery::new(
            Box::new(PhraseQuery::new(exact)),
            EXACT_BOOST * 2.0,
        )));
        let stemmed: Vec<_> = kept.iter().map(|&i| stem_spanish(words[i])).collect();
        // A stem may be held as a plain term, a marked one, or both: one phrase per choice.
        let stems: Vec<Vec<Term>> = stemmed.iter().map(|s| fields.held_stems(s)).collect();
        // Words side by side, none a function word or a number: matched by their pairs.
        let kept_words: Vec<&str> = kept.iter().map(|&i| words[i]).collect();
        if let Some(by_pairs) = pair_phrase(&kept, &kept_words, &stemmed, &stems, fields) {
            required.push(Box::new(by_pairs));
            continue;
        }
        required.extend(choices(&stems).into_iter().map(|terms| {
            let placed = kept.iter().copied().zip(terms).collect();
            Box::new(PhraseQuery::new_with_offset(placed)) as Box<dyn Query>
        }));
    }
    Some(Unit {
        required: either(required),
        boost: Some(either(boosts)),
        positional: true,
        together: None,
        sought: None,
        scored: None,
        alone: None,
        stem: None,
    })
}

/// The phrase of the words `words` at the places `places` (stemmed `stemmed`, each held as the
/// terms `stems`) matched by its word pairs where two of them stand side by side and neither
/// is a function word or a number, and by the stems of the others: the same passages as the
/// phrases of every choice of `stems`, scored as the first choice's phrase. `None` when no two
/// words pair, or when a word left unpaired is held as more than one term.
fn pair_phrase<S: AsRef<str>>(
    places: &[usize],
    words: &[&str],
    stemmed: &[S],
    stems: &[Vec<Term>],
    fields: TextFields,
) -> Option<PairPhrase> {
    let mut pieces = Vec::with_capacity(places.len());
    let mut paired = vec![false; places.len()];
    for k in 1..places.len() {
        if places[k - 1] + 1 == places[k] && pairs_word(words[k - 1]) && pairs_word(words[k]) {
            let pair = pair_term(stemmed[k - 1].as_ref(), stemmed[k].as_ref());
            pieces.push((Term::from_field_text(fields.pairs, &pair), places[k - 1]));
            paired[k - 1] = true;
            paired[k] = true;
        }
    }
    if pieces.is_empty() {
        return None;
    }
    for (k, held) in stems.iter().enumerate() {
        if !paired[k] {
            let [only] = held.as_slice() else {
                return None;
            };
            pieces.push((only.clone(), places[k]));
        }
    }
    pieces.sort_by_key(|&(_, place)| place);
    let pieces = pieces
        .into_iter()
        .map(|(term, place)| (term, place as u32))
        .collect();
    let scored = stems
        .iter()
        .filter_map(|held| held.first().cloned())
        .collect();
    let shown = stems.iter().flatten().cloned().collect();
    Some(PairPhrase::new(pieces, scored, shown))
}

/// The slots of a phrase whose stems must match in place: all but the function words inside
/// it, whose places stay (any one word matches there), as a search engine leaves out its stop
/// words. A function word is in nearly every passage, and reading its many positions in each
/// one took most of a phrase's time (`"tiempos de espera"`); the exact wording, function words
/// and all, still ranks first. Function words at either end are kept (left out, they would
/// bound nothing), and so is every slot of a phrase of fewer than two other words.
fn matched_slots(slots: &[Vec<&str>]) -> Vec<usize> {
    let function = |i: usize| slots[i].iter().all(|w| is_function_word(w));
    let content = (0..slots.len()).filter(|&i| !function(i)).count();
    (0..slots.len())
        .filter(|&i| content < 2 || i == 0 || i + 1 == slots.len() || !function(i))
        .collect()
}

/// Every way of taking one item from each slot, in order: at most `MAX_PHRASE_VARIANTS`, the
/// first ones kept.
fn choices<T: Clone>(slots: &[Vec<T>]) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = vec![Vec::new()];
    for slot in slots {
        let mut next = Vec::new();
        for prefix in &out {
            for item in slot {
                if next.len() < MAX_PHRASE_VARIANTS {
                    let mut v = prefix.clone();
                    v.push(item.clone());
                    next.push(v);
                }
            }
        }
        out = next;
    }
    out
}

/// One query matching any of `alternatives`.
fn either(mut alternatives: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if alternatives.len() == 1 {
        if let Some(q) = alternatives.pop() {
            return q;
        }
    }
    Box::new(BooleanQuery::new(
        alternatives
            .into_iter()
            .map(|q| (Occur::Should, q))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::word_counts::context_key;
    use tantivy::schema::Facet;

    /// The query built for `q` on an empty index, and the index's body field.
    fn built(q: &str) -> (Box<dyn Query>, Field) {
        let (schema, fields) = crate::index::schema::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(index.tokenizers());
        let reader = index.reader().expect("reader");
        let searcher = reader.searcher();
        let query = build(
            &parse(q).expect("parses"),
            TextFields::of(&fields, &searcher),
        )
        .expect("a text query");
        (query, fields.body)
    }

    /// The folded texts of the terms `q` asks of the body field.
    fn body_terms(q: &str) -> Vec<String> {
        let (query, body) = built(q);
        let mut terms = Vec::new();
        query.query_terms(&mut |t, _| {
            if t.field() == body {
                if let Some(text) = t.value().as_str() {
                    terms.push(text.trim_start_matches('\u{1}').to_string());
                }
            }
        });
        terms.sort();
        terms.dedup();
        terms
    }

    #[test]
    fn a_province_or_year_alone_names_the_counts_the_index_keeps_of_it() {
        let (schema, fields) = crate::index::schema::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(index.tokenizers());
        let searcher = index.reader().expect("reader").searcher();
        let ranked = |q: &str| {
            build_ranked(
                &parse(q).expect("parses"),
                TextFields::of(&fields, &searcher),
            )
        };
        let key = |q: &str| ranked(q).and_then(|r| r.stem);
        let province = |name: &str| Facet::from_path(["province", name]);
        let rios = context_key("los rios", &province("Los Ríos"));
        for q in ["Los Ríos", "los rios", "LOS RIOS"] {
            assert_eq!(key(q).as_ref(), Some(&rios), "{q}");
            // Its best passages are kept under its words (`index::word_tops`).
            let word = ranked(q).and_then(|r| r.word);
            assert_eq!(word.as_deref(), Some("los rios"), "{q}");
        }
        let oro = context_key("el oro", &province("El Oro"));
        assert_eq!(key("El Oro"), Some(oro));
        let manabi = context_key(&stem_spanish("manabi"), &province("Manabí"));
        assert_eq!(key("Manabí"), Some(manabi));
        let year = context_key("2021", &Facet::from_path(["year", "2021"]));
        assert_eq!(key("2021"), Some(year));
        // Beside other words, the counts are the search's own.
        assert_eq!(key("salud Los Ríos"), None);
        assert_eq!(key("Los Ríos OR Manabí"), None);
    }

    #[test]
    fn a_query_of_one_word_is_a_disjunction_of_terms_tantivy_can_prune() {
        for q in ["afiliación", "covid", "pensiones", "de"] {
            assert!(term_union(&*built(q).0), "{q}");
        }
        for q in [
            "mora patronal",
            "\"mora patronal\"",
            "manabi",
            "2021",
            "a OR b",
            "-covid",
        ] {
            assert!(!term_union(&*built(q).0), "{q}");
        }
        // The exact form is one of the terms, boosted: it still ranks first.
        assert!(body_terms("afiliaciones").contains(&"afiliaciones".to_string()));
        // A word's stems beside other words are sought from match to match, not pruned.
        let (_, fields) = crate::index::schema::schema();
        let stems = crate::index::schema::stem_terms(fields.body, "afili");
        let word = Word::new(stems.iter().map(|t| (t.clone(), 1.0)).collect(), Vec::new());
        assert!(!term_union(&word));
        assert!(term_union(&SeekUnion::ranked(
            stems.into_iter().map(term_query).collect()
        )));
    }

    #[test]
    fn function_words_are_not_required_among_other_words() {
        let terms = body_terms("fondos de reserva");
        assert!(!terms.iter().any(|t| t == "de"), "{terms:?}");
        assert!(terms.iter().any(|t| t == "reserva"), "{terms:?}");
        // A query of function words alone still looks for them; a phrase keeps them.
        assert!(body_terms("de la").iter().any(|t| t == "de"));
        assert!(body_terms("\"fondos de reserva\"")
            .iter()
            .any(|t| t == "de"));
    }

    #[test]
    fn the_words_of_a_question_and_prepositions_are_not_required_among_other_words() {
        let terms = body_terms("¿Cuántos afiliados hay en Manabí?");
        for asked in ["cuantos", "cuant", "hay", "en"] {
            assert!(!terms.iter().any(|t| t == asked), "{asked}: {terms:?}");
        }
        assert!(terms.iter().any(|t| t == "afiliados"), "{terms:?}");
        // Asked alone, they are looked for; a phrase keeps them.
        assert!(body_terms("cuántos").iter().any(|t| t == "cuant"));
        assert!(body_terms("\"donde hay\"").iter().any(|t| t == "hay"));
        // Prepositions of time and place, too.
        let terms = body_terms("mora patronal entre 2020 y 2022");
        assert!(!terms.iter().any(|t| t == "entre"), "{terms:?}");
        let terms = body_terms("afiliados desde 2020 hasta 2022");
        assert!(
            !terms.iter().any(|t| t == "desde" || t == "hasta"),
            "{terms:?}"
        );
        // As typed, with their marks and capitals.
        assert!(is_filler("¿Cuántos") && is_filler("de") && is_filler("FUE"));
        assert!(!is_filler("afiliados") && !is_filler("2021") && !is_filler(""));
    }

    #[test]
    fn a_currency_beside_a_number_is_not_required() {
        for q in [
            "USD 45 millones",
            "US$ 12,5",
            "45 millones de dólares",
            "4.8 millones USD",
        ] {
            let terms = body_terms(q);
            assert!(
                !terms
                    .iter()
                    .any(|t| ["usd", "us", "dolar", "dolares"].contains(&t.as_str())),
                "{q}: {terms:?}"
            );
        }
        assert!(body_terms("45 millones de dólares")
            .iter()
            .any(|t| t == "45000000"));
        // Beside other words, or alone, it is a word.
        for q in ["USD", "facturación USD", "dólares de facturación 2021"] {
            let terms = body_terms(q);
            assert!(
                terms.iter().any(|t| t == "usd" || t == "dolar"),
                "{q}: {terms:?}"
            );
        }
    }

    /// The words passages are written with, and the phrases asked of them: plurals, `ñ` read
    /// both ways, case, a function word and a number between them.
    const PASSAGE_WORDS: [&str; 14] = [
        "seguro",
        "Seguros",
        "social",
        "sociales",
        "campesino",
        "campesinos",
        "año",
        "años",
        "ANOS",
        "mora",
        "patronal",
        "de",
        "2021",
        "social.",
    ];
    const PHRASE_WORDS: [&str; 10] = [
        "seguro",
        "seguros",
        "social",
        "campesino",
        "año",
        "anos",
        "mora",
        "patronal",
        "de",
        "2021",
    ];

    /// Every passage `query` matches in `searcher`, with its score.
    fn scored(searcher: &Searcher, query: &dyn Query) -> Vec<(u32, Score)> {
        let top = tantivy::collector::TopDocs::with_limit(1000).order_by_score();
        let mut hits: Vec<(u32, Score)> = searcher
            .search(query, &top)
            .expect("searches")
            .into_iter()
            .map(|(score, address)| (address.doc_id, score))
            .collect();
        hits.sort_by_key(|&(doc, _)| doc);
        hits
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// A phrase matched by its pairs (and the stems of words left unpaired, across the
        /// gaps of function words) finds the passages the phrases of its stems find, and where
        /// each word's stem is held one way, with the same score.
        #[test]
        fn a_phrase_of_pairs_matches_and_scores_as_the_phrase_of_its_stems(
            passages in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::sample::select(&PASSAGE_WORDS[..]), 0..8),
                    0u8..4,
                    proptest::collection::vec(proptest::sample::select(&PASSAGE_WORDS[..]), 0..8),
                ),
                1..40,
            ),
            phrase in proptest::collection::vec(proptest::sample::select(&PHRASE_WORDS[..]), 2..5),
        ) {
            let (schema, fields) = crate::index::schema::schema();
            let index = tantivy::Index::create_in_ram(schema);
            crate::analysis::register(index.tokenizers());
            let mut writer: tantivy::IndexWriter =
                index.writer_with_num_threads(1, 15_000_000).expect("writer");
            // Between random words, a passage may hold the phrase (1), the phrase with another
            // word for its function words (2), or the phrase with a word out of place (3).
            for (before, with, after) in &passages {
                let mut words = before.clone();
                match with {
                    1 => words.extend(phrase.iter().copied()),
                    2 => words.extend(phrase.iter().map(|&w| if w == "de" { "mora" } else { w })),
                    3 => words.extend(phrase.iter().rev().copied()),
                    _ => {}
                }
                words.extend(after.iter().copied());
                let text = words.join(" ");
                let mut doc = tantivy::TantivyDocument::default();
                doc.add_text(fields.body, &text);
                doc.add_text(fields.pairs, &text);
                writer.add_document(doc).expect("adds");
            }
            writer.commit().expect("commits");
            let searcher = index.reader().expect("reader").searcher();
            let text = TextFields::of(&fields, &searcher);
            // The places a phrase of the query keeps: its function words inside are gaps.
            let slots: Vec<Vec<&str>> = phrase.iter().map(|&w| vec![w]).collect();
            let places = matched_slots(&slots);
            let words: Vec<&str> = places.iter().map(|&i| phrase[i]).collect();
            let stemmed: Vec<_> = words.iter().map(|w| stem_spanish(w)).collect();
            let stems: Vec<Vec<Term>> = stemmed.iter().map(|s| text.held_stems(s)).collect();
            let by_stems = either(
                choices(&stems)
                    .into_iter()
                    .map(|terms| {
                        let placed = places.iter().copied().zip(terms).collect();
                        Box::new(PhraseQuery::new_with_offset(placed)) as Box<dyn Query>
                    })
                    .collect(),
            );
            let by_pairs = pair_phrase(&places, &words, &stemmed, &stems, text);
            // Only a phrase with two words side by side, neither a function word nor a number,
            // is matched by pairs.
            let pairs = places.windows(2).zip(words.windows(2)).any(|(at, two)| {
                at[0] + 1 == at[1] && two.iter().all(|w| pairs_word(w))
            });
            let Some(by_pairs) = by_pairs else {
                // Else a word left unpaired is held two ways.
                proptest::prop_assert!(!pairs || stems.iter().any(|h| h.len() > 1), "{:?}", phrase);
                return Ok(());
            };
            let (want, got) = (scored(&searcher, &*by_stems), scored(&searcher, &by_pairs));
            let docs = |hits: &[(u32, Score)]| hits.iter().map(|h| h.0).collect::<Vec<_>>();
            proptest::prop_assert_eq!(docs(&want), docs(&got), "{:?}", phrase);
            if stems.iter().all(|held| held.len() == 1) {
                proptest::prop_assert_eq!(want, got, "{:?}", phrase);
            }
        }
    }
}
