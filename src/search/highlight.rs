//! Highlighting: the words a query matched, found in a passage's original text, as byte
//! ranges of that text. No markup here: each face renders the ranges its own way (HTML with
//! `<mark>` in `api`, terminal colours in `cli`), walking the same [`pieces`].
//!
//! The passage is read as the body field's analyzer reads it, so folding, stems and numbers
//! count. The excerpt is the stretch of about `max_bytes` that holds the most of the query:
//! every run of matches that fits is scored by the rarity of the distinct query terms in it
//! (a term weighs `1 / (1 + df)`, counted once however often it repeats), and the first best
//! run is kept, with text around it up to `max_bytes`, widened to word boundaries and keeping
//! the punctuation that closes it. Offsets come from the analyzer and slice the original text,
//! so the accents shown are the report's.
//!
//! tantivy's `SnippetGenerator` is not used. It cuts a passage into fixed fragments, each
//! starting where the last one filled up, so two query words a few words apart may fall in two
//! fragments and the excerpt shows one of them. It also copies every token into a new
//! lowercase string to look it up in an ordered map, where the analyzer's tokens are lowercase
//! already.

use std::collections::BTreeSet;
use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::{Score, Searcher};

use super::amount::Rounded;
use super::SearchError;
use crate::analysis::fold::enye_twin;
use crate::analysis::numbers;
use crate::analysis::stem::with_stem;
use crate::analysis::text::fold_into;
use crate::analysis::{is_function_word, strip_exact, tokenizer};
use crate::extract::Figure;

/// Marks the matches of one query.
pub struct Highlighter {
    /// The query's terms on the field, as [`Terms`] reads them.
    terms: Terms,
    /// About how many bytes of text an excerpt holds.
    max_bytes: usize,
    /// Amounts asked for as rounded: a figure that rounds to one is a match.
    amounts: Vec<Rounded>,
}

/// A match's weight in an excerpt, and the query term it stands for: an excerpt's score counts
/// each term once.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Weight {
    score: Score,
    term: u32,
    /// The term is a function word (`de`, `la`), which a phrase holds.
    function: bool,
}

/// Weight in an excerpt of a figure that rounds to an amount asked for: that of a term no other
/// passage holds, so the excerpt shows it. Every such figure counts as one term.
const AMOUNT_MARK: Weight = Weight {
    score: 1.0,
    term: u32::MAX,
    function: false,
};

/// The query terms of the body field, each with its weight in an excerpt: `1 / (1 + df)`, so
/// that rare words choose the excerpt. Terms no passage holds are left out.
///
/// The body's analyzer gives, for every folded word, its exact form (marked) and, when it
/// differs, its stem. A passage is read up to its folded words, and a word is stemmed only if
/// its stem may be a query term: a stem keeps the first two characters of its word (see
/// `analysis::stem`), so a word whose first two are those of no stem asked for is passed by.
/// Stemming every word of the ten passages of a page took about a tenth of a query's time.
#[derive(Default)]
struct Terms {
    /// Exact forms, without their mark.
    exact: FxHashMap<String, Weight>,
    stems: FxHashMap<String, Weight>,
    /// The first two characters of every stem.
    stem_starts: Vec<(char, char)>,
    /// Some stem is shorter than two characters: every word is stemmed.
    short_stem: bool,
    /// The first character of every term, exact or stem.
    starts: Vec<char>,
    /// Some term starts with a digit: the passage's numbers must be read.
    numbers: bool,
    /// Some term is a function word (`de`), and some other is not: a passage's function words
    /// are marked only between its other matches ([`keep_function_words_inside`]).
    function_words: bool,
    other_words: bool,
}

impl Terms {
    fn insert(&mut self, text: &str, score: Score) {
        let term = (self.exact.len() + self.stems.len()) as u32;
        let word = strip_exact(text).unwrap_or(text);
        let function = is_function_word(word);
        self.function_words |= function;
        self.other_words |= !function;
        let weight = Weight {
            score,
            term,
            function,
        };
        let first = word.chars().next();
        if let Some(first) = first.filter(|c| !self.starts.contains(c)) {
            self.starts.push(first);
            self.numbers |= first.is_ascii_digit();
        }
        match strip_exact(text) {
            Some(exact) => {
                self.exact.insert(exact.to_string(), weight);
            }
            None => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(a), Some(b)) => self.stem_starts.push((a, b)),
                    _ => self.short_stem = true,
                }
                self.stems.insert(text.to_string(), weight);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.stems.is_empty()
    }

    /// Whether the stem of the folded word `word` may be one of the stems.
    fn may_stem_to_one(&self, word: &str) -> bool {
        if self.stems.is_empty() {
            return false;
        }
        let mut chars = word.chars();
        match (chars.next(), chars.next()) {
            (Some(a), Some(b)) => self.short_stem || self.stem_starts.contains(&(a, b)),
            _ => true,
        }
    }

    /// Whether a term may be read at the word `raw` as the segmenter cut it, before folding:
    /// some term starts with its first character as folded. A word whose first character is
    /// not ASCII is always read.
    fn may_match(&self, raw: &str) -> bool {
        match raw.as_bytes().first() {
            Some(&b) if b.is_ascii() => self.starts.contains(&char::from(b.to_ascii_lowercase())),
            _ => true,
        }
    }

    /// Calls `term` with the weight of each query term the body's analyzer gives at the folded
    /// word `word`, in its order: the exact form, then the stem if it differs.
    fn each(&self, word: &str, mut term: impl FnMut(Weight)) {
        if let Some(&w) = self.exact.get(word) {
            term(w);
        }
        if self.may_stem_to_one(word) {
            with_stem(word, |stem| {
                if stem != word {
                    if let Some(&w) = self.stems.get(stem) {
                        term(w);
                    }
                }
            });
        }
    }
}

/// The excerpt of `text` to show and the matches in it, as byte ranges `[start, end)` of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// What to show; text left out before or after it is shown as `…`.
    pub window: (usize, usize),
    /// The matched words inside `window`: in order, not overlapping, at character boundaries.
    pub highlights: Vec<(usize, usize)>,
}

impl Highlighter {
    /// For `query` on `field`; excerpts hold about `max_bytes` of text around the matches.
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_bytes: usize,
    ) -> Result<Highlighter, SearchError> {
        let mut asked = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                asked.insert(term.clone());
            }
        });
        let mut terms = Terms::default();
        for term in asked {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(&term)?;
            if doc_freq > 0 {
                terms.insert(text, 1.0 / (1.0 + doc_freq as Score));
            }
        }
        Ok(Highlighter {
            terms,
            max_bytes,
            amounts: Vec::new(),
        })
    }

    /// This highlighter, marking too the figures that round to `amounts`
    /// (`query::rounded_amounts`), which the query matched by their values.
    pub fn with_amounts(self, amounts: Vec<Rounded>) -> Highlighter {
        Highlighter { amounts, ..self }
    }

    /// The excerpt of `text` (a passage with `figures`) around its matches, cut at word
    /// boundaries; `None` when nothing in it matched. A figure of a table row matches when its
    /// column's header holds a query term: the row was found by that header (the index holds a
    /// row's headers with it), and the figure is what answers.
    pub fn excerpt(&self, text: &str, figures: &[Figure]) -> Option<Excerpt> {
        let found = self.found(text, figures);
        let run = best_run(&found, self.max_bytes)?;
        let covered = found[run.start].0.start
            ..found[run]
                .iter()
                .map(|(at, _)| at.end)
                .max()
                .unwrap_or_default();
        let window = around(text, covered, self.max_bytes);
        let marks: Vec<Range<usize>> = found.into_iter().map(|(at, _)| at).collect();
        Some(Excerpt {
            window,
            highlights: clean(text, window, &marks),
        })
    }

    /// The matches anywhere in `text` (a passage with `figures`, as in [`Self::excerpt`]), and
    /// whether there was any.
    pub fn whole(&self, text: &str, figures: &[Figure]) -> (Vec<(usize, usize)>, bool) {
        let marks: Vec<Range<usize>> = self
            .found(text, figures)
            .into_iter()
            .map(|(at, _)| at)
            .collect();
        let any = !marks.is_empty();
        (clean(text, (0, text.len()), &marks), any)
    }

    /// Every match in `text` (a passage with `figures`), in order: the query's terms and the
    /// figures that answer it ([`Self::cells`]), each with its weight.
    fn found(&self, text: &str, figures: &[Figure]) -> Vec<(Range<usize>, Weight)> {
        if self.terms.is_empty() && self.amounts.is_empty() {
            return Vec::new();
        }
        let cells = self.cells(text, figures);
        let mut out = Vec::with_capacity(cells.len() + 8);
        let mut cells = cells.into_iter().peekable();
        self.read(text, |at, weight| {
            while let Some(cell) = cells.next_if(|(cell, _)| cell.start < at.start) {
                out.push(cell);
            }
            out.push((at, weight));
        });
        out.extend(cells);
        if self.terms.function_words && self.terms.other_words {
            keep_function_words_inside(text, &mut out);
        }
        out
    }

    /// The figures of `figures` that round to an amount asked for, and those whose column header
    /// holds a query term, or whose value in its table's units is one (`212,4` under
    /// `(x 1.000)` for `212400`), in order, each with the weight of the rarest such term. The
    /// index holds both with the row.
    fn cells(&self, text: &str, figures: &[Figure]) -> Vec<(Range<usize>, Weight)> {
        let mut out: Vec<(Range<usize>, Weight)> = Vec::new();
        // The figures of one column share its header: each header is read once.
        let mut read: FxHashMap<&str, Option<Weight>> = FxHashMap::default();
        for fig in figures {
            if self.amounts.iter().any(|a| a.holds(fig)) {
                out.push((amount_in(text, fig), AMOUNT_MARK));
                continue;
            }
            let Some(table) = fig.table.as_ref() else {
                continue;
            };
            let column = table.column.as_str();
            let by_column = if column.is_empty() {
                None
            } else {
                *read.entry(column).or_insert_with(|| self.best_term(column))
            };
            let by_value = table.units.as_ref().and_then(|_| {
                let scaled = crate::extract::table::values_in_units(std::slice::from_ref(fig));
                self.best_term(&scaled)
            });
            if let Some(weight) = by_column.into_iter().chain(by_value).reduce(rarer) {
                out.push((fig.start..fig.end, weight));
            }
        }
        out.sort_by_key(|(range, _)| range.start);
        out
    }

    /// Calls `each` with the offsets of every token of `text` a query term matches, as the
    /// body's analyzer reads it up to its folded words (`analysis::index_exact`), and the
    /// term's weight, in the analyzer's order.
    fn read(&self, text: &str, mut each: impl FnMut(Range<usize>, Weight)) {
        let mut folded = String::new();
        let wanted = |raw: &str| self.terms.may_match(raw);
        tokenizer::visit(text, self.terms.numbers, wanted, |raw, at| {
            // As `analysis::Folder::index` folds: the word, then its `n` twin if it has `ñ`.
            folded.clear();
            if raw.is_ascii() {
                folded.push_str(raw);
                folded.make_ascii_lowercase();
            } else {
                fold_into(raw, true, &mut folded);
            }
            self.terms.each(&folded, |weight| each(at.clone(), weight));
            if let Some(twin) = enye_twin(&folded) {
                self.terms.each(&twin, |weight| each(at.clone(), weight));
            }
        });
    }

    /// The weight of the rarest query term in `text`, if any is in it.
    fn best_term(&self, text: &str) -> Option<Weight> {
        let mut best: Option<Weight> = None;
        self.read(text, |_, weight| {
            best = Some(best.map_or(weight, |b| rarer(b, weight)));
        });
        best
    }
}

/// Leaves out the function words of `found` (matches in order of where they start) but those
/// inside a run of matches that only spaces part and that holds another word: a phrase's `de`
/// is marked in `Rendición de Cuentas`, not in every `de` of the passage, nor before
/// `Rendición` or after a comma.
fn keep_function_words_inside(text: &str, found: &mut Vec<(Range<usize>, Weight)>) {
    let side_by_side = |a: &Range<usize>, b: &Range<usize>| {
        b.start <= a.end
            || text
                .get(a.end..b.start)
                .is_some_and(|gap| gap.trim().is_empty())
    };
    let mut keep = vec![true; found.len()];
    let mut start = 0;
    while start < found.len() {
        let mut end = start + 1;
        while end < found.len() && side_by_side(&found[end - 1].0, &found[end].0) {
            end += 1;
        }
        let run = &found[start..end];
        let first = run.iter().position(|(_, w)| !w.function);
        let last = run.iter().rposition(|(_, w)| !w.function);
        for (i, (_, weight)) in run.iter().enumerate() {
            let inside = first.is_some_and(|f| i >= f) && last.is_some_and(|l| i <= l);
            keep[start + i] = !weight.function || inside;
        }
        start = end;
    }
    let mut kept = keep.into_iter();
    found.retain(|_| kept.next().unwrap_or(true));
}

/// The rarer of two terms: the one that weighs more, `a` if they weigh the same.
fn rarer(a: Weight, b: Weight) -> Weight {
    if b.score > a.score {
        b
    } else {
        a
    }
}

/// The run of `found` (matches in order of where they start) that fits in `max_bytes` and
/// holds the rarest query terms: the highest sum of its distinct terms' weights, the first such
/// run if several tie. A match longer than `max_bytes` is a run alone.
fn best_run(found: &[(Range<usize>, Weight)], max_bytes: usize) -> Option<Range<usize>> {
    // Each term's weight and how many matches of it the run holds, in the order first seen.
    let mut held: Vec<(Weight, usize)> = Vec::new();
    let mut best: Option<(Score, Range<usize>)> = None;
    let mut end = 0;
    for start in 0..found.len() {
        let from = found[start].0.start;
        while end < found.len()
            && (end == start || found[end].0.end <= from.saturating_add(max_bytes))
        {
            let weight = found[end].1;
            match held.iter_mut().find(|(w, _)| w.term == weight.term) {
                Some((_, n)) => *n += 1,
                None => held.push((weight, 1)),
            }
            end += 1;
        }
        // Summed afresh in one order, so that runs holding the same terms score the same.
        let score: Score = held
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(w, _)| w.score)
            .sum();
        if score > 0.0 && best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, start..end));
        }
        if let Some((_, n)) = held.iter_mut().find(|(w, _)| w.term == found[start].1.term) {
            *n -= 1;
        }
    }
    best.map(|(_, run)| run)
}

/// The window of `text` to show around `covered`, the bytes of the matches kept: about
/// `max_bytes` in all, widened to word boundaries. The room left goes half before the matches
/// and half after, or all after when the passage starts within it.
fn around(text: &str, covered: Range<usize>, max_bytes: usize) -> (usize, usize) {
    let spare = max_bytes.saturating_sub(covered.len());
    let mut start = if covered.start <= spare {
        0
    } else {
        covered.start - spare / 2
    };
    let end = start
        .saturating_add(max_bytes)
        .max(covered.end)
        .min(text.len());
    if end == text.len() {
        // Near the passage's end, the room goes before the matches.
        start = start.min(text.len().saturating_sub(max_bytes));
    }
    (
        word_start(text, floor_char(text, start)),
        word_end(text, floor_char(text, end)),
    )
}

/// Where `fig` writes its amount in `text`, the passage it stands in: its number and scale,
/// without the currency around them (`4'803.665,69` of `USD 4'803.665,69`, `9 mil`), as a
/// query's number is marked; the whole figure if it cannot be read again.
fn amount_in(text: &str, fig: &Figure) -> Range<usize> {
    let whole = fig.start..fig.end;
    let Some(written) = text.get(whole.clone()) else {
        return whole;
    };
    let Some(digit) = written.find(|c: char| c.is_ascii_digit()) else {
        return whole;
    };
    let start = fig.start + digit;
    let Some(n) = numbers::scan_number(text, start) else {
        return whole;
    };
    let end = numbers::amount_scale_after(text, start, n.end).map_or(n.end, |s| s.end);
    start..end.min(fig.end)
}

/// The start of `text` as an excerpt without matches: at most `max_bytes`, cut at a character
/// boundary (browse mode, or a passage whose match is in another field).
pub fn lead(text: &str, max_bytes: usize) -> Excerpt {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Excerpt {
        window: (0, end),
        highlights: Vec::new(),
    }
}

/// `marks` cut to `window`, in order, and only those at character boundaries; a mark that
/// overlaps the one before joins it (a figure's `4,8 millones` over its word `4,8` is one mark,
/// not `4,8` and ` millones`).
fn clean(text: &str, window: (usize, usize), marks: &[Range<usize>]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(marks.len());
    for m in marks {
        let (s, e) = (m.start.max(window.0), m.end.min(window.1));
        if s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        match out.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// A piece of an excerpt, in reading order, for a face to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text was left out here: shown as `…`.
    Cut,
    /// Text that did not match.
    Plain(&'a str),
    /// A word the query matched.
    Match(&'a str),
}

/// The pieces of `text[window]` with `highlights` marked, and a [`Piece::Cut`] on each side
/// where the window leaves text out. Ranges that are out of order, outside the window or not at
/// character boundaries are skipped (their text shows plain); a window past the text is cut to
/// it.
pub fn pieces<'a>(
    text: &'a str,
    window: (usize, usize),
    highlights: &[(usize, usize)],
) -> Vec<Piece<'a>> {
    let end = floor_char(text, window.1);
    let start = floor_char(text, window.0.min(end));
    let mut out = Vec::with_capacity(2 * highlights.len() + 3);
    if start > 0 {
        out.push(Piece::Cut);
    }
    let mut at = start;
    for &(s, e) in highlights {
        let (s, e) = (s.max(at), e.min(end));
        if s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        if at < s {
            out.push(Piece::Plain(&text[at..s]));
        }
        out.push(Piece::Match(&text[s..e]));
        at = e;
    }
    if at < end {
        out.push(Piece::Plain(&text[at..end]));
    }
    if end < text.len() {
        out.push(Piece::Cut);
    }
    out
}

/// The last character boundary of `text` at or before byte `i`.
fn floor_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Back to the start of the word holding byte `i`.
fn word_start(text: &str, i: usize) -> usize {
    text[..i.min(text.len())]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(j, c)| j + c.len_utf8())
}

/// On to the end of the word holding byte `i`, closing punctuation included.
fn word_end(text: &str, i: usize) -> usize {
    let i = i.min(text.len());
    text[i..]
        .char_indices()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(text.len(), |(j, _)| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fragment and the marks of tantivy's own generator, for `text`.
    fn tantivys(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_bytes: usize,
        text: &str,
    ) -> Option<(Range<usize>, Vec<Range<usize>>)> {
        let mut generator =
            tantivy::snippet::SnippetGenerator::create(searcher, query, field).expect("generator");
        generator.set_max_num_chars(max_bytes);
        let snippet = generator.snippet(text);
        let start = snippet.fragment_range().start;
        let marks: Vec<Range<usize>> = snippet
            .highlighted()
            .iter()
            .map(|r| start + r.start..start + r.end)
            .collect();
        (!marks.is_empty()).then(|| (snippet.fragment_range(), marks))
    }

    /// The weight of the distinct query terms `found` holds inside `window`.
    fn held(found: &[(Range<usize>, Weight)], window: Range<usize>) -> Score {
        let mut terms: Vec<Weight> = Vec::new();
        for (at, w) in found {
            if window.start <= at.start && at.end <= window.end && !terms.contains(w) {
                terms.push(*w);
            }
        }
        terms.iter().map(|w| w.score).sum()
    }

    /// An index in memory of `texts`, one passage each, in the body field.
    fn index_of(texts: &[String]) -> (Searcher, crate::index::schema::Fields) {
        let (schema, fields) = crate::index::schema::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(index.tokenizers());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for text in texts {
            writer
                .add_document(tantivy::doc!(fields.body => text.as_str()))
                .expect("adds");
        }
        writer.commit().expect("commits");
        (index.reader().expect("reader").searcher(), fields)
    }

    fn highlighter(
        searcher: &Searcher,
        fields: &crate::index::schema::Fields,
        q: &str,
        max_bytes: usize,
    ) -> (Highlighter, Box<dyn Query>) {
        let items = super::super::query::parse(q).expect("parses");
        let text_fields = super::super::query::TextFields::of(fields, searcher);
        let query = super::super::query::build(&items, text_fields).expect("a text query");
        let ours =
            Highlighter::new(searcher, &*query, fields.body, max_bytes).expect("highlighter");
        (ours, query)
    }

    #[test]
    fn excerpts_hold_at_least_the_query_terms_of_tantivys_fragments() {
        let texts: Vec<String> = crate::test_support::bundled_reports()
            .iter()
            .flat_map(|text| text.split("\n\n").map(str::to_string).collect::<Vec<_>>())
            .collect();
        let (searcher, fields) = index_of(&texts);
        let (mut marked, mut more) = (0, 0);
        for q in [
            "rendicion de cuentas",
            "MANABI",
            "discapacidad",
            "\"seguro social\"",
            "afiliados pensiones jubilación",
            "2021",
            "de",
            "zzzz",
            "afiliadas años",
            "capacitaciones OR atención",
            "e-SIGEF",
            "a",
            // Words whose first letter is folded, or is `ñ`; numbers; hyphens joined.
            "ÉXITO Área",
            "niños ano",
            "ninos",
            "economica",
            "socioeconomico",
            "covid19",
            "4803665.69",
            "mora patronal recaudado",
            "atención afiliados SSC",
        ] {
            for max_bytes in [40, 220, usize::MAX >> 1] {
                let (ours, query) = highlighter(&searcher, &fields, q, max_bytes);
                for text in &texts {
                    let theirs = tantivys(&searcher, &*query, fields.body, max_bytes, text);
                    let excerpt = ours.excerpt(text, &[]);
                    // The same passages have matches, and the same words are marked.
                    assert_eq!(excerpt.is_some(), theirs.is_some(), "{q} in {text:?}");
                    let (Some(excerpt), Some((fragment, _))) = (excerpt, theirs) else {
                        continue;
                    };
                    let found = ours.found(text, &[]);
                    let (window, fragment) = (excerpt.window.0..excerpt.window.1, fragment);
                    let (ours_held, theirs_held) =
                        (held(&found, window.clone()), held(&found, fragment));
                    assert!(ours_held >= theirs_held, "{q} in {text:?}: {window:?}");
                    more += usize::from(ours_held > theirs_held);
                    marked += 1;
                    // Every mark in the window, at a match.
                    assert!(!excerpt.highlights.is_empty(), "{q} in {text:?}");
                    for &(s, e) in &excerpt.highlights {
                        assert!(window.start <= s && e <= window.end);
                        assert!(found.iter().any(|(at, _)| at.start <= s && e <= at.end));
                    }
                }
            }
        }
        assert!(marked > 100, "the queries mark something: {marked}");
        assert!(
            more > 0,
            "some excerpts hold more of the query than tantivy's"
        );
    }

    #[test]
    fn an_excerpt_holds_two_words_that_fit_wherever_they_stand() {
        let filler = |n: usize| "texto de relleno ".repeat(n);
        let near = format!("{}mora {}patronal {}", filler(12), filler(3), filler(20));
        let far = format!("mora {}patronal fin.", filler(30));
        let mut texts = vec![near.clone(), far.clone()];
        texts.extend((0..8).map(|i| format!("mora {i}")));
        let (searcher, fields) = index_of(&texts);
        let (ours, _) = highlighter(&searcher, &fields, "mora patronal", 120);
        let marked = |text: &str| -> Vec<String> {
            let e = ours.excerpt(text, &[]).expect("an excerpt");
            e.highlights
                .iter()
                .map(|&(s, e)| text[s..e].to_string())
                .collect()
        };
        // Both words, with text before and after them, where tantivy's fragments part them.
        assert_eq!(marked(&near), ["mora", "patronal"]);
        let (_, query) = highlighter(&searcher, &fields, "mora patronal", 120);
        let (_, theirs) = tantivys(&searcher, &*query, fields.body, 120, &near).expect("marks");
        assert_eq!(theirs.len(), 1, "{theirs:?}");
        let e = ours.excerpt(&near, &[]).expect("an excerpt");
        let m = near.find("mora").unwrap_or(0);
        assert!(
            e.window.0 > 0 && e.window.0 < m && e.window.1 > near.find("patronal").unwrap_or(0) + 8
        );
        assert!(
            e.window.1 - e.window.0 <= 120 + 2 * "relleno ".len(),
            "{:?}",
            e.window
        );
        // Too far apart: the rarer word, to the passage's end.
        assert_eq!(marked(&far), ["patronal"]);
        let e = ours.excerpt(&far, &[]).expect("an excerpt");
        assert_eq!(e.window.1, far.len());
        // A match near the start shows the passage from its start.
        let (ours, _) = highlighter(&searcher, &fields, "mora", 120);
        assert_eq!(ours.excerpt(&far, &[]).expect("an excerpt").window.0, 0);
        // With no limit, the whole passage.
        let (ours, _) = highlighter(&searcher, &fields, "mora patronal", usize::MAX);
        let e = ours.excerpt(&near, &[]).expect("an excerpt");
        assert_eq!((e.window, e.highlights.len()), ((0, near.len()), 2));
    }

    #[test]
    fn a_phrase_marks_its_function_words_only_inside_its_matches() {
        let text = "La exposición de Rendición de Cuentas, de la Rendición. Cuentas de 2021.";
        let (searcher, fields) = index_of(&[text.to_string(), "de la".to_string()]);
        let marked = |q: &str| -> Vec<&str> {
            let (ours, _) = highlighter(&searcher, &fields, q, 1000);
            let (marks, _) = ours.whole(text, &[]);
            marks.iter().map(|&(from, to)| &text[from..to]).collect()
        };
        assert_eq!(
            marked("\"rendición de cuentas\""),
            ["Rendición", "de", "Cuentas", "Rendición", "Cuentas"]
        );
        // Function words side by side with other function words only are left out too.
        assert_eq!(
            marked("\"rendición de la cuentas\""),
            ["Rendición", "de", "Cuentas", "Rendición", "Cuentas"]
        );
        // A query of function words alone marks them all.
        assert_eq!(marked("\"de la\""), ["La", "de", "de", "de", "la", "de"]);
    }

    #[test]
    fn word_bounds_keep_closing_punctuation() {
        let text = "Uno <b> dos mora patronal.";
        let m = text.find("mora").unwrap_or(0);
        assert_eq!(word_end(text, text.len() - 1), text.len());
        assert_eq!(word_start(text, m + 2), m);
    }

    #[test]
    fn pieces_mark_ranges_and_show_cuts() {
        let text = "Uno dos mora patronal tres";
        let m = text.find("mora").unwrap_or(0);
        let p = text.find("tres").unwrap_or(0);
        assert_eq!(
            pieces(text, (4, p - 1), &[(m, m + 4)]),
            [
                Piece::Cut,
                Piece::Plain("dos "),
                Piece::Match("mora"),
                Piece::Plain(" patronal"),
                Piece::Cut
            ]
        );
        assert_eq!(
            pieces(text, (0, text.len()), &[]),
            [Piece::Plain(text)],
            "no cut where nothing is left out"
        );
    }

    #[test]
    fn pieces_skip_ranges_off_character_boundaries_in_multibyte_text() {
        let text = "Rendición año niñez";
        let a = text.find("año").unwrap_or(0);
        // "ñ" is two bytes: a range ending inside it is not a match.
        assert_eq!(
            pieces(text, (0, text.len()), &[(a, a + 2), (a, a + 4)]),
            [
                Piece::Plain("Rendición "),
                Piece::Match("año"),
                Piece::Plain(" niñez")
            ]
        );
        // A window cut inside a character starts and ends at the character before.
        let n = text.find("niñez").unwrap_or(0);
        assert_eq!(
            pieces(text, (n + 3, text.len() + 10), &[]),
            [Piece::Cut, Piece::Plain("ñez")]
        );
    }

    #[test]
    fn cleaned_marks_stay_in_the_window_in_order_without_overlap() {
        let text = "mora mora patronal";
        let marks = [0..4, 2..9, 5..9, 10..18, 17..30];
        assert_eq!(
            clean(text, (0, 9), &marks),
            [(0, 9)],
            "overlapping marks join"
        );
        let marks = [0..4, 5..9, 7..9, 10..18];
        assert_eq!(clean(text, (2, 12), &marks), [(2, 4), (5, 9), (10, 12)]);
        assert_eq!(lead("año", 2).window, (0, 1), "cut before the two-byte ñ");
    }
}
