//! The search core shared by the CLI and the HTTP API: a [`Request`] in, a [`Response`] out.
//!
//! Owns the query language (`query`), filters and facets, ranking and highlight ranges (no
//! markup: faces render them). Knows the index and tantivy; knows nothing of clap or axum:
//! faces build a `Request` with [`Request::from_raw`] (which validates what people typed) and
//! render the `Response`.

mod acronyms;
pub mod amount;
mod bounded;
pub mod cache;
pub mod cancel;
mod collect;
pub mod export;
mod figure_passages;
pub mod figures;
pub mod highlight;
mod pairs;
pub mod query;
pub mod report;
mod request;
mod response;
pub mod suggest;
mod union;
mod word;

use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::Collector;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DocAddress, Searcher, SegmentOrdinal, Term};
use thiserror::Error;

pub use self::cancel::{Cancel, CancelGuard};
pub use self::figures::{
    for_each_figure, run_figures, FigureHit, FigureMode, FigureOrder, FigureRequest,
    FigureResponse, RawFigureRequest,
};
pub use self::report::{report_detail, reports, PassageView, ReportDetail, ReportSummary};
pub use self::request::{
    parse_count, parse_count_in, RawRequest, Request, RequestKey, DEFAULT_LIMIT, MAX_LIMIT,
};
pub use self::response::{FacetValue, Facets, Hit, Response};
pub use self::suggest::{suggest, Suggestion, Suggestions};

use crate::index::segment_threads::SegmentThreads;
use crate::index::word_tops::{Ranking, WordRanker, LISTED};
use crate::index::{Engine, Fields};

/// Longest excerpt of a hit, in bytes of the passage text.
const SNIPPET_BYTES: usize = 260;

/// Why a search could not be answered.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The query text cannot be understood; the message says how to fix it.
    #[error("{0}")]
    BadQuery(String),
    /// A parameter has a value outside what it accepts.
    #[error("invalid {name} {value:?}: {expected}")]
    BadParameter {
        /// The parameter's name as the faces take it (`limit`, `year`, `min`).
        name: &'static str,
        /// The value refused, as given.
        value: String,
        /// What the parameter accepts, for the person to fix it.
        expected: String,
    },
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The index failed; not the caller's fault.
    #[error("search failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The work was stopped: its deadline passed or nobody waits for it any more.
    #[error("the search was stopped: it took too long or its caller went away")]
    Cancelled,
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::Index(tantivy::TantivyError::from(e))
    }
}

impl SearchError {
    /// Whether the caller caused it (a 4xx), as opposed to the index (a 5xx).
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            SearchError::BadQuery(_) | SearchError::BadParameter { .. } | SearchError::NotFound(_)
        )
    }
}

/// Runs `request` against `engine`. When a query finds nothing, runs it again with the closest
/// spelling of its unknown words and its last word completed if cut short, or else with fewer
/// of its words ([`relaxed`]), and says so in `corrected_query`.
pub fn run(engine: &Engine, request: &Request) -> Result<Response, SearchError> {
    let _running = engine.running_search();
    let started = Instant::now();
    let mut response = run_once(engine, request)?;
    if response.total == 0 && !request.query.is_empty() {
        request.cancel.check()?;
        let respelt = suggest::correct(engine, &request.query)?;
        let typed = respelt.as_deref().unwrap_or(&request.query);
        // Completed first; spelt alone when the completion finds nothing.
        let completed = suggest::completed(engine, typed)?;
        for corrected in completed.into_iter().chain(respelt) {
            let mut again = request.clone();
            again.items = query::parse(&corrected)?;
            let mut retry = run_once(engine, &again)?;
            if retry.total > 0 {
                retry.query = request.query.clone();
                retry.corrected_query = Some(corrected);
                response = retry;
                break;
            }
        }
        if response.total == 0 {
            if let Some(retry) = relaxed(engine, request)? {
                response = retry;
            }
        }
    } else if response.total > 0 {
        response.suggested_query = better_spelt(engine, request, response.total)?;
    }
    response.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(response)
}

/// The query of `request`, which found `total` passages as typed, with its slips spelt as the
/// reports mostly spell them (`suggest::better_spelling`), when that finds more passages.
fn better_spelt(
    engine: &Engine,
    request: &Request,
    total: usize,
) -> Result<Option<String>, SearchError> {
    let Some(better) = suggest::better_spelling(engine, &request.query)? else {
        return Ok(None);
    };
    request.cancel.check()?;
    let mut counts = request.clone();
    counts.items = query::parse(&better)?;
    counts.limit = 0;
    counts.offset = 0;
    let found = run_once(engine, &counts)?.total;
    Ok((found > total).then_some(better))
}

/// Shorter queries tried, at most, for a query that finds nothing (and one more, of its first
/// word alone, for a query of many words).
const MAX_RELAXED: usize = 6;

/// Words beyond which a query that finds nothing is cut to its first words only: leaving one
/// word out at a time would spend every try on the last few words of a pasted sentence.
const MANY_WORDS: usize = 5;

/// A query of plain words that found nothing, run again with fewer words until something is
/// found: first without the words that find nothing alone (a typing slip no spelling fixes, a
/// word no report uses), then without one more of its words, the one whose leaving out finds
/// the passage that scores highest (what a ranking of passages by any of the words puts first
/// among those with all words but one), then with only its rarest words, fewer and fewer, each
/// as typed and then spelt as the reports spell it. Not its first words: Spanish puts the
/// generic word first (`número de atenciones`), so the words that find fewest passages alone
/// say the most of what is meant. `plazo total ejecución obra` finds the contract's "plazo
/// total para la ejecución" as `plazo total ejecución`, where no passage holds all four words.
/// A query of more than [`MANY_WORDS`] words (a sentence pasted from a report or the press) is
/// run with the most first words that find something, found by halving: every word left finds
/// something alone, and each word more finds fewer passages. A number written in groups (`4
/// 803 665`) is one word, and so is a number with its currency and scale (`USD 4,8 millones`,
/// `2 mil millones`): `4,8` alone is another figure; so is an amount in words (`cuatro
/// millones`), and so is a percentage (`12,4 %`, `noventa por ciento`) and a bound on amounts
/// (`más de 4 millones`); a sign alone is no word.
/// `None` when nothing is found either, and for phrases, exclusions and `OR`, which say exactly
/// what is wanted.
fn relaxed(engine: &Engine, request: &Request) -> Result<Option<Response>, SearchError> {
    let [query::Item::Words(text)] = request.items.as_slice() else {
        return Ok(None);
    };
    // Each word, with where the number it ends with ends (a scale word may follow it).
    let mut words: Vec<(String, Option<usize>)> = Vec::new();
    // Where an amount written in words ends (`cuatro millones`): one word too.
    let mut in_words_until = 0;
    for token in text.split_whitespace() {
        let at = token.as_ptr() as usize - text.as_ptr() as usize;
        if at < in_words_until {
            if let Some((last, _)) = words.last_mut() {
                last.push(' ');
                last.push_str(token);
            }
            continue;
        }
        if let Some(n) = crate::analysis::numbers::is_number_word(token)
            .then(|| amount::rounded_at(text, at))
            .flatten()
        {
            in_words_until = n.end;
            words.push((token.to_string(), None));
            continue;
        }
        // A bound on amounts (`más de 4 millones`) is one word too.
        if let Some(bound) = amount::compared_at(text, at) {
            in_words_until = bound.end;
            words.push((token.to_string(), None));
            continue;
        }
        if !token.chars().any(char::is_alphanumeric) && !token.contains('$') {
            // A sign is no word of its own (`%` alone finds every passage): a percent sign
            // stays with its number, as `12,4 %` is one figure.
            if let Some((last, _)) = words.last_mut() {
                if token.starts_with('%') && last.ends_with(|c: char| c.is_ascii_digit()) {
                    last.push(' ');
                    last.push_str(token);
                }
            }
            continue;
        }
        let group = token.len() == 3 && token.bytes().all(|b| b.is_ascii_digit());
        if let Some((last, number_end)) = words.last_mut() {
            let currency = matches!(last.to_lowercase().as_str(), "usd" | "us$" | "$" | "usd$");
            let number = token.starts_with(|c: char| c.is_ascii_digit());
            if group && last.ends_with(|c: char| c.is_ascii_digit()) || currency && number {
                last.push(' ');
                last.push_str(token);
                *number_end = Some(last.len());
                continue;
            }
            if let Some(at) = *number_end {
                let joined = format!("{last} {token}");
                if crate::analysis::numbers::scale_after(&joined, at)
                    .is_some_and(|(end, _)| end == joined.len())
                {
                    *last = joined;
                    continue;
                }
            }
        }
        let number_end = token
            .ends_with(|c: char| c.is_ascii_digit())
            .then_some(token.len());
        words.push((token.to_string(), number_end));
    }
    // The words the query leaves out (`de`, `cuántos`) are not the ones meant, first or not.
    if words.iter().any(|(word, _)| !query::is_filler(word)) {
        words.retain(|(word, _)| !query::is_filler(word));
    }
    // A word that finds nothing alone, spelt as typed or as the index spells it, can only
    // empty the query: it is left out first, wherever it stands.
    let typed = words.len();
    let (mut found, mut counts) = (Vec::with_capacity(typed), Vec::with_capacity(typed));
    for (word, _) in words {
        request.cancel.check()?;
        if let Some(count) = passages_alone(engine, request, &word)? {
            found.push(word);
            counts.push(count);
        }
    }
    let words = found;
    let n = words.len();
    let mut tries = MAX_RELAXED;
    if n > 0 && n < typed {
        tries -= 1;
        if let Some(found) = run_instead(engine, request, words.join(" "))? {
            return Ok(Some(found));
        }
    }
    if n > MANY_WORDS {
        return first_words(engine, request, &words, tries);
    }
    // The words that find the most passages alone first, the last typed first among equals.
    let mut commonest: Vec<usize> = (0..n).collect();
    commonest.sort_by_key(|&i| std::cmp::Reverse((counts[i], i)));
    // The words at the places `keep` accepts, in the order typed.
    let kept = |keep: &dyn Fn(usize) -> bool| -> String {
        let words: Vec<&str> = (0..n)
            .filter(|&i| keep(i))
            .map(|i| words[i].as_str())
            .collect();
        words.join(" ")
    };
    // Each word left out in turn: the one whose best passage scores highest is answered, as
    // a ranking of passages by any of the words would put it first among those with all
    // words but one.
    let without_one: Vec<String> = commonest
        .iter()
        .take(tries)
        .map(|&left_out| kept(&|i| i != left_out))
        .collect();
    tries -= without_one.len();
    if let Some(best) = best_scoring(engine, request, without_one)? {
        return run_as(engine, request, best).map(Some);
    }
    // Then the rarest words alone, fewer and fewer: they say the most of what is meant.
    let rarest = (1..n.saturating_sub(1))
        .rev()
        .map(|keep| kept(&|i| commonest[n - keep..].contains(&i)));
    for shorter in rarest.take(tries) {
        if let Some(found) = run_instead(engine, request, shorter)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Of `candidates` (each run as typed or else spelt as the reports spell it), the one whose
/// best passage scores highest; the first among equals.
fn best_scoring(
    engine: &Engine,
    request: &Request,
    candidates: Vec<String>,
) -> Result<Option<String>, SearchError> {
    let mut best: Option<(f32, String)> = None;
    for candidate in candidates {
        let Some(attempt) = what_finds(engine, request, candidate)? else {
            continue;
        };
        let mut top = with_words(request, attempt.clone());
        top.limit = 1;
        top.offset = 0;
        let score = run_once(engine, &top)?
            .hits
            .first()
            .map_or(0.0, |h| h.score);
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, attempt));
        }
    }
    Ok(best.map(|(_, attempt)| attempt))
}

/// The search of the most first words of `words` that find something, in at most `tries`
/// halvings and then the first word alone: all of `words` find nothing together, and each
/// finds something alone.
fn first_words(
    engine: &Engine,
    request: &Request,
    words: &[String],
    mut tries: usize,
) -> Result<Option<Response>, SearchError> {
    // The first `found` words find something (one word does), the first `empty` do not.
    let (mut found, mut empty) = (1, words.len());
    let mut best = None;
    while empty - found > 1 && tries > 0 {
        tries -= 1;
        let middle = found + (empty - found) / 2;
        match what_finds(engine, request, words[..middle].join(" "))? {
            Some(attempt) => {
                found = middle;
                best = Some(attempt);
            }
            None => empty = middle,
        }
    }
    match best {
        Some(attempt) => run_as(engine, request, attempt).map(Some),
        None => run_instead(engine, request, words[..found].join(" ")),
    }
}

/// `request` run with the words `shorter` in place of its own, as typed and then spelt as the
/// reports spell them: the first that finds something, saying what was run.
fn run_instead(
    engine: &Engine,
    request: &Request,
    shorter: String,
) -> Result<Option<Response>, SearchError> {
    match what_finds(engine, request, shorter)? {
        Some(attempt) => run_as(engine, request, attempt).map(Some),
        None => Ok(None),
    }
}

/// The words `shorter`, as typed or else spelt as the reports spell them, if they find
/// something in place of the words of `request`.
fn what_finds(
    engine: &Engine,
    request: &Request,
    shorter: String,
) -> Result<Option<String>, SearchError> {
    request.cancel.check()?;
    let spelt = suggest::correct(engine, &shorter)?;
    for attempt in std::iter::once(shorter).chain(spelt) {
        if matches_any(engine, &with_words(request, attempt.clone()))? {
            return Ok(Some(attempt));
        }
    }
    Ok(None)
}

/// `request` run with the words `attempt` in place of its own, saying so.
fn run_as(engine: &Engine, request: &Request, attempt: String) -> Result<Response, SearchError> {
    let mut response = run_once(engine, &with_words(request, attempt.clone()))?;
    response.query = request.query.clone();
    response.corrected_query = Some(attempt);
    Ok(response)
}

/// How many passages `word` alone finds with the request's filters; 0 when it finds none but
/// has a closer spelling that may (a slip is of a word meant); `None` when neither.
fn passages_alone(
    engine: &Engine,
    request: &Request,
    word: &str,
) -> Result<Option<usize>, SearchError> {
    let mut alone = with_words(request, word.to_string());
    alone.limit = 0;
    alone.offset = 0;
    let total = run_once(engine, &alone)?.total;
    if total > 0 {
        return Ok(Some(total));
    }
    Ok(suggest::correct(engine, word)?.map(|_| 0))
}

/// Whether `request` matches a passage: what `run_once(request).total > 0` says, found at the
/// first match of each segment rather than by counting them all.
fn matches_any(engine: &Engine, request: &Request) -> Result<bool, SearchError> {
    let searcher = engine.searcher();
    let f = &engine.fields;
    let text =
        query::build_ranked(&request.items, text_fields(engine, &searcher)).map(|r| r.matching);
    let full = filtered(text.as_deref(), request, f, None);
    let cancel = &request.cancel;
    let weight = full
        .weight(EnableScoring::disabled_from_searcher(&searcher))
        .map_err(|e| cancel.explain(e))?;
    for reader in searcher.segment_readers() {
        cancel.check()?;
        let mut scorer = weight.scorer(reader, 1.0).map_err(|e| cancel.explain(e))?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                return Ok(true);
            }
            doc = scorer.advance();
        }
    }
    Ok(false)
}

/// The fields a query's text is read into, with what the index knows of its words.
fn text_fields<'a>(engine: &'a Engine, searcher: &'a Searcher) -> query::TextFields<'a> {
    query::TextFields::of(&engine.fields, searcher)
        .with_sets(engine.stem_sets())
        .with_units(engine.unit_names())
}

/// `request` with the words `words` in place of its own.
fn with_words(request: &Request, words: String) -> Request {
    let mut again = request.clone();
    again.items = vec![query::Item::Words(words)];
    again
}

fn run_once(engine: &Engine, request: &Request) -> Result<Response, SearchError> {
    let started = Instant::now();
    let searcher = engine.searcher();
    let f = &engine.fields;
    let ranked = query::build_ranked(&request.items, text_fields(engine, &searcher));
    let browse = ranked.is_none();
    let (text, rescore, stem, word, scored) = match ranked {
        Some(r) => (Some(r.matching), r.rescore, r.stem, r.word, r.scored),
        None => (None, None, None, None, None),
    };
    let full = filtered(text.as_deref(), request, f, None);
    // Phrase boosts are scored on the best matches only, then the page is taken from them. The
    // window grows by whole windows, so that every page within one sees the same order.
    let rescore = rescore.filter(|_| request.limit > 0);
    let wanted = match rescore {
        Some(_) => collect::Passages {
            limit: (request.offset + request.limit).div_ceil(query::RESCORE_WINDOW)
                * query::RESCORE_WINDOW,
            offset: 0,
            ranked: true,
        },
        None => collect::Passages {
            limit: request.limit,
            offset: request.offset,
            // Browsing lists passages in report order: no score to speak of.
            ranked: !browse,
        },
    };
    let cancel = &request.cancel;
    let threads = engine.alone();
    // Counts the index holds are those of the unfiltered query.
    let unfiltered = !Dimension::ALL.iter().any(|&d| request.has_filter(d));
    let known = stem
        .as_deref()
        .filter(|&stem| unfiltered && engine.word_counts().holds(stem))
        .map(|stem| (engine.word_counts(), stem));
    // So may be the best passages of a word whose counts are kept.
    let held = collect::Held {
        counts: known,
        best: word
            .as_deref()
            .filter(|_| known.is_some())
            .map(|word| (engine.word_tops(), word)),
    };
    // A query whose counts are kept need not count: it goes the pruned way too, whatever its
    // shape (a year or a province is not a disjunction of terms).
    let prunable = query::term_union(&*full) || known.is_some();
    // A conjunction of words scores only the matches its bounds let onto the page.
    let bounding = match &scored {
        Some(terms) if wanted.ranked && wanted.limit > 0 && !prunable => {
            bounded::Bounding::new(&searcher, engine.score_bounds(), f.body, terms)
                .map_err(|e| cancel.explain(e))?
        }
        _ => None,
    };
    // Counts alone go this way only when the index holds them.
    let mut collected = if wanted.ranked && (wanted.limit > 0 || known.is_some()) && prunable {
        let this_thread = SegmentThreads::caller();
        let threads = threads.unwrap_or(&this_thread);
        collect::pruned(&searcher, &*full, &wanted, cancel, threads, held)
            .map_err(|e| cancel.explain(e))?
    } else if let Some(bounding) = &bounding {
        let this_thread = SegmentThreads::caller();
        let threads = threads.unwrap_or(&this_thread);
        bounded::collect(&searcher, &*full, &wanted, bounding, cancel, threads)
            .map_err(|e| cancel.explain(e))?
    } else {
        search_with(&searcher, &*full, wanted, cancel, threads)?
    };
    if let Some(boost) = &rescore {
        let best = std::mem::take(&mut collected.top);
        let best = collect::rescore(&searcher, &**boost, best).map_err(|e| cancel.explain(e))?;
        collected.top = best
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
    }
    let province = |id| engine.province_name(id);
    let mut facets = Facets::from_counts(&collected.counts, province);
    // Counts of a filtered dimension leave out its own filter, so a portal can offer the
    // other values of it (Manabí checked, Guayas still listed with its count).
    for dim in Dimension::ALL {
        if request.has_filter(dim) {
            let without = filtered(text.as_deref(), request, f, Some(dim));
            let counts = collect::Passages::counts();
            let counts = search_with(&searcher, &*without, counts, cancel, threads)?;
            facets.replace(dim, Facets::from_counts(&counts.counts, province));
        }
    }
    let (top, total) = (collected.top, collected.counts.total);

    // No snippets to make when browsing or when only counts are asked for.
    let snippets = if browse || request.limit == 0 {
        None
    } else {
        // Marks what the boosts found too: the exact words of a phrase.
        let with_boost = rescore.map(|boost| {
            BooleanQuery::new(vec![
                (Occur::Must, full.box_clone()),
                (Occur::Should, boost),
            ])
        });
        let marked: &dyn Query = match &with_boost {
            Some(q) => q,
            None => &*full,
        };
        Some(
            highlight::Highlighter::new(&searcher, marked, f.body, SNIPPET_BYTES)?
                .with_amounts(query::rounded_amounts(&request.items)),
        )
    };
    let mut hits = Vec::with_capacity(top.len());
    if request.limit > 0 {
        for (score, address) in top {
            cancel.check()?;
            hits.push(hit(engine, address, score, snippets.as_ref())?);
        }
    }
    Ok(Response {
        query: request.query.clone(),
        corrected_query: None,
        suggested_query: None,
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        hits,
        facets,
    })
}

/// Runs `collector` over `query`, stopping between blocks of documents when `cancel` is set.
/// The segments are searched side by side on `threads` when given (see [`Engine::alone`]).
fn search_with<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: C,
    cancel: &Cancel,
    threads: Option<&SegmentThreads>,
) -> Result<C::Fruit, SearchError> {
    let wrapped = cancel::Cancellable {
        inner: collector,
        cancel: cancel.clone(),
    };
    let scoring = if wrapped.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let this_thread = SegmentThreads::caller();
    let threads = threads.unwrap_or(&this_thread);
    // tantivy's `Searcher::search_with_executor`, on threads the caller takes part in.
    let search = || -> tantivy::Result<C::Fruit> {
        let weight = query.weight(scoring)?;
        let fruits = threads.map(
            |(ord, reader)| wrapped.collect_segment(weight.as_ref(), ord as SegmentOrdinal, reader),
            searcher.segment_readers().iter().enumerate(),
        )?;
        wrapped.merge_fruits(fruits)
    };
    search().map_err(|e| cancel.explain(e))
}

/// The three facet dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// The reported year.
    Year,
    /// The province (or `Nacional`).
    Province,
    /// The equality policy.
    Policy,
}

impl Dimension {
    /// Every dimension, in the order facets are listed.
    pub const ALL: [Dimension; 3] = [Dimension::Year, Dimension::Province, Dimension::Policy];
}

/// The text query with the request's filters (all of them, or all but one dimension's);
/// everything when there is neither.
fn filtered(
    text: Option<&dyn Query>,
    request: &Request,
    f: &Fields,
    except: Option<Dimension>,
) -> Box<dyn Query> {
    with_filters_except(text.map(|q| q.box_clone()), request, f, except)
}

/// Adds the filters of `request` to the text query (or to everything in browse mode), but for
/// those of `except`. Filters don't score: they are boosted by zero.
fn with_filters_except(
    text: Option<Box<dyn Query>>,
    request: &Request,
    f: &Fields,
    except: Option<Dimension>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let facet_filter = |facets: Vec<Facet>| -> Box<dyn Query> {
        let terms: Vec<(Occur, Box<dyn Query>)> = facets
            .iter()
            .map(|facet| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_facet(f.facets, facet),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        Box::new(BoostQuery::new(Box::new(BooleanQuery::new(terms)), 0.0))
    };
    if !request.years.is_empty() && except != Some(Dimension::Year) {
        let facets = request
            .years
            .iter()
            .map(|y| Facet::from_path(["year", &y.to_string()]))
            .collect();
        clauses.push((Occur::Must, facet_filter(facets)));
    }
    if !request.provinces.is_empty() && except != Some(Dimension::Province) {
        let facets = request
            .provinces
            .iter()
            .map(|p| Facet::from_path(["province", p.as_str()]))
            .collect();
        clauses.push((Occur::Must, facet_filter(facets)));
    }
    if !request.policies.is_empty() && except != Some(Dimension::Policy) {
        let facets = request
            .policies
            .iter()
            .map(|p| Facet::from_path(["policy", p.slug()]))
            .collect();
        clauses.push((Occur::Must, facet_filter(facets)));
    }
    match text {
        Some(q) if clauses.is_empty() => q,
        Some(q) => {
            clauses.push((Occur::Must, q));
            Box::new(BooleanQuery::new(clauses))
        }
        None if clauses.is_empty() => Box::new(AllQuery),
        None => Box::new(BooleanQuery::new(clauses)),
    }
}

/// The search core's ranking of a query of one word, and its query of a province named by
/// several words, for a build to keep their best passages and counts (`index::word_tops`,
/// `index::word_counts`).
pub fn word_ranker() -> WordRanker {
    WordRanker {
        rank: Arc::new(rank_word),
        place: Arc::new(place_query),
    }
}

/// The query of a search of `name` alone, unfiltered, with the key of its counts
/// (`index::word_counts::count_places`): `None` when such a search keeps no counts.
fn place_query(
    searcher: &Searcher,
    name: &str,
) -> tantivy::Result<Option<(String, Box<dyn Query>)>> {
    let fields = Fields::from_schema(searcher.schema())?;
    let items = [query::Item::Words(name.to_string())];
    let ranked = query::build_ranked(&items, query::TextFields::of(&fields, searcher));
    Ok(ranked.and_then(|r| Some((r.stem?, r.matching))))
}

/// The best passages of segment `segment` for a search of `word` alone, unfiltered: `None`
/// when such a search would not rank `word` itself (it is not one word to the analyzer, or its
/// query has boosts scored apart), or when its counts are not `counted` in the segment.
fn rank_word(
    searcher: &Searcher,
    segment: SegmentOrdinal,
    word: &str,
    counted: &dyn Fn(&str) -> bool,
) -> tantivy::Result<Option<Ranking>> {
    let fields = Fields::from_schema(searcher.schema())?;
    let items = [query::Item::Words(word.to_string())];
    let Some(ranked) = query::build_ranked(&items, query::TextFields::of(&fields, searcher)) else {
        return Ok(None);
    };
    if ranked.rescore.is_some() || ranked.word.as_deref() != Some(word) {
        return Ok(None);
    }
    let Some(counts_key) = ranked.stem.filter(|key| counted(key)) else {
        return Ok(None);
    };
    let best = collect::best_in_segment(searcher, &*ranked.matching, segment, LISTED)?;
    Ok(Some(Ranking { counts_key, best }))
}

/// The text query with every filter of `request` (figure search uses it too).
fn with_filters(text: Option<Box<dyn Query>>, request: &Request, f: &Fields) -> Box<dyn Query> {
    with_filters_except(text, request, f, None)
}

/// Reads one hit's passage and joins its report's metadata.
fn hit(
    engine: &Engine,
    address: DocAddress,
    score: f32,
    snippets: Option<&highlight::Highlighter>,
) -> Result<Hit, SearchError> {
    let p = engine.passage(address)?;
    let excerpt = snippets
        .and_then(|h| h.excerpt(&p.text, &p.figures))
        .unwrap_or_else(|| highlight::lead(&p.text, SNIPPET_BYTES));
    Ok(Hit {
        info: engine.report_info(&p.report_id),
        report_id: p.report_id,
        passage_id: p.passage_id,
        page: p.page,
        span: p.span,
        policies: p.policies,
        text: p.text,
        excerpt: excerpt.window,
        highlights: excerpt.highlights,
        figures: p.figures,
        score,
        ocr: p.ocr_confidence.is_some(),
        ocr_confidence: p.ocr_confidence,
    })
}

/// Facet counts over every passage of the index (for a portal's filters).
pub fn all_facets(engine: &Engine) -> Result<Facets, SearchError> {
    let searcher = engine.searcher();
    let counts = searcher.search(&AllQuery, &collect::Passages::counts())?;
    Ok(Facets::from_counts(&counts.counts, |id| {
        engine.province_name(id)
    }))
}
