//! How a query's words are read in their context: a year, a province or a word of a unit's
//! name that may name the report rather than the text, a range of years, the name of an
//! acronym of the reports, a currency beside a number, a number written as a percentage, an
//! amount as the press rounds it or writes it in words. Each gives the unit of the words it
//! takes, or says they need none (see [`super::word_units`]).

use std::ops::Bound;

use tantivy::query::{BoostQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::Term;

use super::{
    either, parts, phrase_unit, single_at, word_unit, TextFields, Unit, CONTEXT_BOOST,
    MAX_PLACE_WORDS,
};
use crate::analysis::is_function_word;
use crate::analysis::numbers;
use crate::analysis::stem::stem_spanish;
use crate::extract::{FigureKind, Gazetteer};
use crate::index::word_counts::context_key;
use crate::search::amount::{self, AmountQuery};

/// When the number at one position (its readings `here`) is written as a percentage in
/// `text`, the query of passages holding a percentage of that value, and where its sign or
/// words end. A percentage is a figure the index knows (`15%`, `15 %`, `15 por ciento`), so
/// `15%` does not find `15 salarios`. With `rounded`, the percentages that round to it at the
/// digits written are held too (`91 %` holds `91,37 %`: `amount::percent`); a phrase holds
/// the value alone.
pub(super) fn percentage(
    text: &str,
    here: &[&Token],
    fields: TextFields,
    rounded: bool,
) -> Option<(Box<dyn Query>, usize)> {
    let end = here.iter().map(|t| t.offset_to).max()?;
    let percent_end = crate::extract::figures::percent_after(text, end)?;
    let column = fields.figure_column(FigureKind::Percent);
    let range = |lo: f64, hi: f64| {
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(column, lo)),
            Bound::Included(Term::from_field_f64(column, hi)),
        )) as Box<dyn Query>
    };
    let start = here.iter().map(|t| t.offset_from).min()?;
    let percent = amount::rounded_at(text, start).filter(|a| rounded && a.percent);
    let ranges: Vec<Box<dyn Query>> = match percent {
        Some(percent) => percent.ranges.iter().map(|r| range(r.lo, r.hi)).collect(),
        None => here
            .iter()
            .filter(|t| t.text.starts_with(|c: char| c.is_ascii_digit()))
            .filter_map(|t| t.text.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .map(|v| {
                // The value as the figure column holds it, to the precision figures compare at.
                let slack = 1e-9 * v.abs().max(1.0);
                range(v - slack, v + slack)
            })
            .collect(),
    };
    if ranges.is_empty() {
        return None;
    }
    Some((Box::new(BoostQuery::new(either(ranges), 0.0)), percent_end))
}

/// When the number at one position (its readings `here`) is an amount with a scale word in
/// `text` (`4,8 millones`, `USD 9 mil`), the passages whose figures round to it: a news item's
/// amount finds the report's `USD 4'803.665,69`. An alternative to the amount as written, which
/// ranks above it: a passage that writes the amount matches both.
pub(super) fn rounded_amount(text: &str, here: &[&Token], fields: TextFields) -> Option<Unit> {
    let start = here.iter().map(|t| t.offset_from).min()?;
    if !text.as_bytes().get(start)?.is_ascii_digit() {
        return None;
    }
    let amount = amount::rounded_at(text, start)?;
    // A percentage written to its hundredths (`132.76 %`) is what reports write: its term
    // finds it, without a pass over the figure column (`percentage` holds it to the value).
    let hundredths = amount.percent && amount.ranges.iter().all(|r| r.hi - r.lo <= 0.0101);
    if hundredths {
        return None;
    }
    let query = AmountQuery::new(amount, |kind| fields.figure_column(kind));
    Some(rounded_unit(Box::new(query)))
}

/// A bound on amounts from position `pos` (`más de 4 millones`, `entre 1 y 5 millones de
/// dólares`, `hasta 10 %`: `amount::compared_at`): the passages with a figure within, with how
/// many positions its words take.
pub(super) fn compared_amount(
    text: &str,
    tokens: &[Token],
    pos: usize,
    fields: TextFields,
) -> Option<(Unit, usize)> {
    let first = single_at(tokens, pos)?;
    if first.text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let amount = amount::compared_at(text, first.offset_from)?;
    let taken = positions_before(tokens, pos, amount.end);
    let query = AmountQuery::new(amount, |kind| fields.figure_column(kind));
    Some((rounded_unit(Box::new(query)), taken))
}

/// How many positions from `pos` hold tokens that start before byte `end` (at least one).
fn positions_before(tokens: &[Token], pos: usize, end: usize) -> usize {
    tokens
        .iter()
        .filter(|t| t.position >= pos && t.offset_from < end)
        .map(|t| t.position + 1)
        .max()
        .unwrap_or(pos + 1)
        - pos
}

/// The unit of an amount's [`AmountQuery`].
fn rounded_unit(query: Box<dyn Query>) -> Unit {
    Unit {
        required: query,
        sought: None,
        boost: None,
        together: None,
        positional: false,
        // Its score is not a term's: a query holding it is not bounded by terms' scores.
        scored: None,
        alone: None,
        stem: None,
    }
}

/// An amount written in words from position `pos` (`cuatro millones`, `dos mil millones de
/// dólares`): its words as a phrase, its value as written in digits (`4000000`), or the
/// passages whose figures round to it; with how many positions it takes, its currency too. A
/// percentage in words (`noventa por ciento`): its words as a phrase, or the passages with a
/// percentage that rounds to it.
pub(super) fn amount_in_words(
    text: &str,
    tokens: &[Token],
    pos: usize,
    fields: TextFields,
) -> Option<(Unit, usize)> {
    let first = single_at(tokens, pos)?;
    if !numbers::is_number_word(&first.text) {
        return None;
    }
    let start = first.offset_from;
    let amount = amount::rounded_at(text, start)?;
    let taken = positions_before(tokens, pos, amount.end);
    let mut alternatives: Vec<Unit> = Vec::new();
    if amount.percent {
        // `noventa por ciento` as the words say it, or any percentage that rounds to it.
        alternatives.extend(phrase_unit(&parts(tokens, pos, taken), fields));
    } else {
        let n = numbers::words_number_at(text, start)?;
        let words = positions_before(tokens, pos, n.end);
        alternatives.extend(phrase_unit(&parts(tokens, pos, words), fields));
        alternatives.push(word_unit(&numbers::canonical(n.value), fields));
    }
    let query = AmountQuery::new(amount, |kind| fields.figure_column(kind));
    alternatives.push(rounded_unit(Box::new(query)));
    Some((Unit::either(alternatives), taken))
}

/// The year a folded word names, as a query reads years (`2021`).
fn year_of(word: &str) -> Option<u16> {
    let year = word.parse::<u16>().ok()?;
    ((1990..=2100).contains(&year) && word.len() == 4).then_some(year)
}

/// Weight of a year asked for as the year of the passage's report: about twice the year
/// named in a passage's text. A report accounts for its year; the passages of other years'
/// reports that name it mostly plan for it or compare with it (`durante el año 2020`).
const YEAR_BOOST: f32 = 2.0;

/// The report's facet `facet` (its province, its unit), weighed below the text.
fn context_unit(facet: &Facet, fields: TextFields) -> Unit {
    weighed_context_unit(facet, fields, CONTEXT_BOOST)
}

/// The report's facet `facet`, weighed `boost`.
fn weighed_context_unit(facet: &Facet, fields: TextFields, boost: f32) -> Unit {
    let term = Term::from_facet(fields.facets, facet);
    Unit {
        required: Box::new(BoostQuery::new(
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
            boost,
        )),
        boost: None,
        positional: false,
        together: None,
        sought: None,
        scored: Some(vec![(term, boost)]),
        alone: None,
        stem: None,
    }
}

/// The year `year` (its digits) in the text, or as the report's year.
fn year_unit(year: &str, fields: TextFields) -> Unit {
    let facet = Facet::from_path(["year", year]);
    Unit::either(vec![
        word_unit(year, fields),
        weighed_context_unit(&facet, fields, YEAR_BOOST),
    ])
}

/// Most years a range of years in a query may hold.
const MAX_YEARS: u16 = 30;

/// A range of years at `pos` (`2020-2022`, `2020 a 2022`, `de 2020 al 2022`, `desde 2020 hasta
/// 2022`, `entre 2020 y 2022`): the passages of any year in it, each year found as alone
/// (`report_context_unit`). Returns the unit and the positions it took. Two years with nothing
/// between them (`2020 2021`), or with `y` and no `entre` before, are two years, both required.
pub(super) fn year_range_unit(
    text: &str,
    tokens: &[Token],
    pos: usize,
    fields: TextFields,
) -> Option<(Unit, usize)> {
    let first = |p: usize| single_at(tokens, p);
    let from = first(pos)?;
    let from_year = year_of(&from.text)?;
    let next = first(pos + 1)?;
    let last = if year_of(&next.text).is_some() {
        let between = text.get(from.offset_to..next.offset_from)?.trim();
        matches!(between, "-" | "–" | "—" | "/").then_some(pos + 1)?
    } else {
        let entre = pos > 0 && first(pos - 1).is_some_and(|t| t.text == "entre");
        let connector =
            matches!(next.text.as_str(), "a" | "al" | "hasta") || (next.text == "y" && entre);
        connector.then_some(pos + 2)?
    };
    let to_year = year_of(&first(last)?.text)?;
    if to_year <= from_year || to_year - from_year >= MAX_YEARS {
        return None;
    }
    let years = (from_year..=to_year)
        .map(|year| year_unit(&year.to_string(), fields))
        .collect();
    Some((Unit::either(years), last + 1 - pos))
}

/// A province (`manabi`, `los rios`) or a year (`2021`) at `pos`: found in the text, or naming
/// the report's province or year, which weighs less. Returns the unit and the words it took.
pub(super) fn report_context_unit(
    tokens: &[Token],
    pos: usize,
    fields: TextFields,
) -> Option<(Unit, usize)> {
    let first = |p: usize| single_at(tokens, p);
    let facet = |facet: &Facet| context_unit(facet, fields);
    let word = first(pos)?;
    if year_of(&word.text).is_some() {
        let year = Facet::from_path(["year", &word.text]);
        let mut unit = year_unit(&word.text, fields);
        unit.stem = Some(context_key(&stem_spanish(&word.text), &year));
        return Some((unit, 1));
    }
    for n in (1..=MAX_PLACE_WORDS).rev() {
        let words: Option<Vec<&str>> = (pos..pos + n)
            .map(|p| first(p).map(|t| t.text.as_str()))
            .collect();
        let Some(words) = words else { continue };
        if words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
            continue;
        }
        if let Some(province) = Gazetteer::shared().province(&words.join(" ")) {
            let province = Facet::from_path(["province", province]);
            // The function words at the ends of a name (`los` of `Los Ríos`) hold no place a
            // passage must fill, as among bare words: the rest is a word, or a phrase.
            let named = without_end_function_words(parts(tokens, pos, n));
            let in_text = match named.as_slice() {
                [word] => Some(word_unit(&word.text, fields)),
                _ => phrase_unit(&named, fields),
            };
            let mut unit = Unit::either(in_text.into_iter().chain([facet(&province)]).collect());
            // The index keeps the counts of a province's name, under the stem of one word or
            // the folded words of several (`index::word_counts`).
            let name = match words.as_slice() {
                [word] => stem_spanish(word).into_owned(),
                _ => words.join(" "),
            };
            unit.stem = Some(context_key(&name, &province));
            return Some((unit, n));
        }
    }
    None
}

/// The name of an acronym of the reports starting at `pos` (`seguro social campesino`): its
/// words as bare words find them, or its acronym (`ssc`), as reports write both
/// (`search::acronyms`). Returns the unit and the positions it took; `last` is the last position
/// of `tokens`. The acronym alone is searched as it is written: finding its name too would take
/// the name as a phrase (its words apart are other things: `servicio nacional … contratación
/// pública` is also the `Sistema Nacional de Contratación Pública`), and a phrase of several
/// words at every match made a one-word search of `CPCCS` 50 times slower.
pub(super) fn acronym_unit(
    tokens: &[Token],
    pos: usize,
    last: usize,
    fields: TextFields,
) -> Option<(Unit, usize)> {
    let word_at = |p: usize| single_at(tokens, p).map_or("", |t| t.text.as_str());
    let words: Vec<&str> = (pos..=last).map(word_at).collect();
    let (short, taken) = crate::search::acronyms::acronym_at(&words)?;
    let name = (pos..pos + taken)
        .map(word_at)
        .filter(|w| !is_function_word(w))
        .map(|w| word_unit(w, fields))
        .collect();
    let acronym = word_unit(short, fields);
    Some((Unit::either(vec![Unit::all_of(name), acronym]), taken))
}

/// The word `word` (as the query analyzer folds it) naming the report's unit (`Bellamaría 2013
/// gastos`), weighed as a province is: the passages of the reports of the few units whose
/// names hold it (`index::schema::unit_names`). `None` for a word of no unit's name, or of
/// many.
pub(super) fn unit_name(word: &str, fields: TextFields) -> Option<Unit> {
    let folded = crate::analysis::text::fold_key(word);
    fields.units?.binary_search(&folded).ok()?;
    Some(context_unit(
        &crate::index::schema::unit_facet(&folded),
        fields,
    ))
}

/// Currency words as the analyzer folds them (`US$` gives `us`).
const CURRENCY_WORDS: [&str; 4] = ["dolar", "dolares", "us", "usd"];

/// Whether the word at `pos` is a currency beside a number, function words apart (`USD 45
/// millones`, `45 millones de dólares`, `USD cuatro millones`). The number finds its figure however written, `$45.000.000`
/// too, where the currency has no word: the figure is what is asked for, and the currency is
/// not required.
pub(super) fn currency_beside_number(tokens: &[Token], pos: usize) -> bool {
    let at = |p: usize| tokens.iter().filter(move |t| t.position == p);
    if !at(pos).all(|t| CURRENCY_WORDS.contains(&t.text.as_str())) {
        return false;
    }
    // Whether a number stands at `p`, a scale word (`millones`) counting as part of it.
    let number = |p: usize| {
        tokens.iter().any(|t| {
            (t.position..t.position + t.position_length.max(1)).contains(&p)
                && (t.text.bytes().any(|b| b.is_ascii_digit()) || numbers::is_number_word(&t.text))
        })
    };
    let function = |p: usize| at(p).next().is_some() && at(p).all(|t| is_function_word(&t.text));
    let before = (0..pos).rev().find(|&p| !function(p));
    let after = (pos + 1..=pos + tokens.len()).find(|&p| !function(p));
    before.is_some_and(number) || after.is_some_and(number)
}

/// `tokens` (in order) without the function words at their start and end, unless nothing
/// else is left.
fn without_end_function_words(mut tokens: Vec<Token>) -> Vec<Token> {
    while tokens.len() > 1 && tokens.first().is_some_and(|t| is_function_word(&t.text)) {
        tokens.remove(0);
    }
    while tokens.len() > 1 && tokens.last().is_some_and(|t| is_function_word(&t.text)) {
        tokens.pop();
    }
    tokens
}
