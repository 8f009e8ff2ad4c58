//! Amounts a query writes as the press rounds them (`4,8 millones`, `USD 9 mil`, `$1.5M`,
//! `cuatro millones`, `91 %`): the values that round or cut to them, and the passages whose
//! figures hold one.
//!
//! A scale word says an amount is rounded: the news item's "4,8 millones" is a report's
//! `USD 4'803.665,69`. So does a percent sign: the press writes `91 %` or `91,4 %` for a
//! report's `91,37 %`. Figure search lists the figures in those ranges (`super::figures`, mode
//! `rounded`). Passage search matches, beside the passages that write the amount, those whose
//! figures round to it ([`AmountQuery`]), the nearest first, and the highlighter marks the
//! figure ([`super::highlight::Highlighter::with_amounts`]).

use std::ops::Range;

use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Query, RangeQuery, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use super::union::explained;
use crate::analysis::is_article;
use crate::analysis::numbers::{self, AmountScale, Number};
use crate::extract::{Figure, FigureKind};

/// An amount written with a scale word or in words, as rounded.
#[derive(Debug, Clone, PartialEq)]
pub struct Rounded {
    /// Where it is written, its currency included (`USD 4,8 millones de dólares`): from…
    pub start: usize,
    /// …to (exclusive).
    pub end: usize,
    /// For each reading, the values that round or cut to it at the digits written:
    /// `4,8 millones` holds 4,750,000 to 4,850,000; `2.149 millones` both 2,148.5 to just
    /// under 2,150 millions and 2,148,500 to just under 2,150,000.
    pub ranges: Vec<AmountRange>,
    /// Whether a currency says it is money (`USD`, `$`, `de dólares`): then only amounts of
    /// money round to it, where otherwise counts do too (`15 mil afiliados`).
    pub money: bool,
    /// Whether it is written in words (`cuatro millones`).
    pub in_words: bool,
    /// Whether it is a percentage (`91 %`): then only percentages round to it.
    pub percent: bool,
    /// Whether it is a bound, not an amount (`más de 4 millones`, `entre 1 y 5 millones`:
    /// [`compared_at`]): every value within holds it alike.
    pub compared: bool,
}

/// How many units of its last digit an amount is at least, to be read as cut too: three digits.
const CUT_FROM: f64 = 100.0;

/// The values that round or cut to one reading of an amount, from `lo` to `hi`, both included;
/// `at` is the reading's own value (4,800,000 for `4,8 millones`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmountRange {
    /// The least value.
    pub lo: f64,
    /// The reading's value.
    pub at: f64,
    /// The greatest value.
    pub hi: f64,
}

impl AmountRange {
    /// The values that round or cut to `at`, written to a last digit worth `unit`. The press
    /// rounds (`4,8 millones` for 4,803,665) and, writing three digits or more, cuts too (`más
    /// de 1.193 millones` for 1,193,703,286): `1.193` millions is 1,192,500,000, rounded up, to
    /// just under 1,194,000,000, cut, where `4,8` millions is 4,750,000 to 4,850,000. With
    /// fewer digits a unit is more than a hundredth of the amount, and cutting would reach too
    /// far from it. A negative amount is cut towards zero.
    fn around(at: f64, unit: f64) -> AmountRange {
        let half = unit / 2.0;
        let (lo, hi) = if at.abs() < unit * CUT_FROM {
            (at - half, at + half)
        } else if at < 0.0 {
            // Cut towards zero; the next amount written, a unit further, is left out.
            ((at - unit).next_up(), at + half)
        } else {
            (at - half, (at + unit).next_down())
        };
        AmountRange { lo, at, hi }
    }

    /// The values that round to `at`, written to a last digit worth `unit`: a percentage,
    /// which the press rounds and does not cut (`91 %` is 90.5 to 91.5).
    fn rounding(at: f64, unit: f64) -> AmountRange {
        AmountRange {
            lo: at - unit / 2.0,
            at,
            hi: at + unit / 2.0,
        }
    }

    /// Whether `value` rounds or cuts to the reading.
    #[inline]
    pub fn holds(&self, value: f64) -> bool {
        self.lo <= value && value <= self.hi
    }

    /// How near `value` is to the reading, when it holds it: 1 at its value, ½ at either edge.
    fn closeness(&self, value: f64) -> Option<Score> {
        if !self.holds(value) {
            return None;
        }
        let edge = if value < self.at { self.lo } else { self.hi };
        let reach = (edge - self.at).abs().max(f64::MIN_POSITIVE);
        Some((1.0 - (value - self.at).abs() / reach / 2.0) as Score)
    }
}

impl Rounded {
    /// Whether `fig` rounds to the amount: its value is in a range, and it is money, or a count
    /// when no currency is written.
    pub fn holds(&self, fig: &Figure) -> bool {
        self.kinds().contains(&fig.kind) && self.closeness(fig.value).is_some()
    }

    /// The kinds of figure that may round to the amount.
    fn kinds(&self) -> &'static [FigureKind] {
        if self.percent {
            &[FigureKind::Percent]
        } else if self.money {
            &[FigureKind::Usd]
        } else {
            &[FigureKind::Usd, FigureKind::Count]
        }
    }

    /// How near `value` is to the amount, when it rounds or cuts to it: 1 at a reading's
    /// value, ½ at the edge of its range.
    fn closeness(&self, value: f64) -> Option<Score> {
        if self.compared {
            return self.ranges.iter().any(|r| r.holds(value)).then_some(1.0);
        }
        self.ranges
            .iter()
            .filter_map(|r| r.closeness(value))
            .reduce(Score::max)
    }
}

/// The amount written at `start` of `q`, when a scale word follows its number and no percent
/// sign follows that (`4,8 millones`, not `4,8` nor `4,8 millones %`), or when it is written in
/// words with a scale (`cuatro millones`: 3,500,000 to 4,500,000, as `4 millones`); or the
/// percentage written there (`91 %`, `91,4 por ciento`, see [`percent`]).
pub fn rounded_at(q: &str, start: usize) -> Option<Rounded> {
    if !q.as_bytes().get(start)?.is_ascii_digit() {
        return in_words_at(q, start);
    }
    let n = numbers::scan_number(q, start)?;
    let Some(scale) = numbers::amount_scale_after(q, start, n.end) else {
        return percent(q, start, &n);
    };
    if crate::extract::figures::percent_after(q, scale.end).is_some() {
        return None;
    }
    rounded(q, start, &n, scale)
}

/// The percentage of number `n`, written at `start` of `q` with a percent sign or words
/// (`91 %`, `91,4 por ciento`): the values that round to it at the digits written, which the
/// press writes for a report's `91,37 %` (90.5 to 91.5, 91.35 to 91.45). Not cut, as
/// percentages are not.
pub fn percent(q: &str, start: usize, n: &Number) -> Option<Rounded> {
    let end = crate::extract::figures::percent_after(q, n.end)?;
    let written = &q[start..n.end];
    let ranges = n
        .readings
        .iter()
        .map(|r| AmountRange::rounding(r.value, unit_of(written, r.value, 1.0)))
        .collect();
    Some(Rounded {
        start,
        end,
        ranges,
        money: false,
        in_words: false,
        percent: true,
        compared: false,
    })
}

/// Which side of an amount a comparison keeps, and whether the amount itself.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Above { inclusive: bool },
    Below { inclusive: bool },
    Between,
}

/// The words that compare an amount (`más de`, `hasta`, `entre`), as folded, and the side
/// each keeps; with `de` and `a` joined to an article as Spanish writes them (`más del 90 %`,
/// `superior al 95 %`).
const COMPARISONS: [(&str, Side); 37] = [
    ("mas de", Side::Above { inclusive: false }),
    ("mas del", Side::Above { inclusive: false }),
    ("mayor a", Side::Above { inclusive: false }),
    ("mayor al", Side::Above { inclusive: false }),
    ("mayor que", Side::Above { inclusive: false }),
    ("mayores a", Side::Above { inclusive: false }),
    ("mayores al", Side::Above { inclusive: false }),
    ("mayores que", Side::Above { inclusive: false }),
    ("superior a", Side::Above { inclusive: false }),
    ("superior al", Side::Above { inclusive: false }),
    ("superiores a", Side::Above { inclusive: false }),
    ("superiores al", Side::Above { inclusive: false }),
    ("por encima de", Side::Above { inclusive: false }),
    ("por encima del", Side::Above { inclusive: false }),
    ("al menos", Side::Above { inclusive: true }),
    ("como minimo", Side::Above { inclusive: true }),
    ("desde", Side::Above { inclusive: true }),
    ("menos de", Side::Below { inclusive: false }),
    ("menos del", Side::Below { inclusive: false }),
    ("menor a", Side::Below { inclusive: false }),
    ("menor al", Side::Below { inclusive: false }),
    ("menor que", Side::Below { inclusive: false }),
    ("menores a", Side::Below { inclusive: false }),
    ("menores al", Side::Below { inclusive: false }),
    ("menores que", Side::Below { inclusive: false }),
    ("inferior a", Side::Below { inclusive: false }),
    ("inferior al", Side::Below { inclusive: false }),
    ("inferiores a", Side::Below { inclusive: false }),
    ("inferiores al", Side::Below { inclusive: false }),
    ("por debajo de", Side::Below { inclusive: false }),
    ("por debajo del", Side::Below { inclusive: false }),
    ("hasta", Side::Below { inclusive: true }),
    ("como maximo", Side::Below { inclusive: true }),
    ("no mas de", Side::Below { inclusive: true }),
    ("no mas del", Side::Below { inclusive: true }),
    ("entre", Side::Between),
    ("de entre", Side::Between),
];

/// An amount that plainly is one, from `start` of `q` (its currency may stand before it): its
/// value, scaled, with where it ends (its currency, scale and percent sign included), and
/// whether it has a currency, a scale, a percent sign.
struct Plain {
    value: f64,
    /// Its number's value, before its scale.
    written: f64,
    /// Its scale's factor (1 without).
    factor: f64,
    end: usize,
    money: bool,
    scaled: bool,
    percent: bool,
}

/// The amount at the first digit after `from` in `q`, with only a currency, an article or
/// nothing but spaces between (`USD 4 millones`, `$1.5M`, `15 %`, `el 15 %`, `4`).
fn plain_after(q: &str, from: usize) -> Option<Plain> {
    let rest = q.get(from..)?;
    if let Some(in_words) = in_words_after(q, from) {
        return Some(in_words);
    }
    let digit = from + rest.find(|c: char| c.is_ascii_digit())?;
    let n = numbers::scan_number(q, digit)?;
    let scale = numbers::amount_scale_after(q, digit, n.end);
    let end = scale.map_or(n.end, |s| s.end);
    // Its currency, before or after it, as a rounded amount's.
    let written = with_currency(q, digit..end, Vec::new(), false);
    let between = q[from..written.start].trim();
    if !between.is_empty() && !is_article(between) {
        return None;
    }
    let percent = crate::extract::figures::percent_after(q, end);
    let factor = scale.map_or(1.0, |s| s.factor);
    Some(Plain {
        value: numbers::scaled(n.value(), factor),
        written: n.value(),
        factor,
        end: percent.unwrap_or(written.end),
        money: written.money,
        scaled: scale.is_some(),
        percent: percent.is_some(),
    })
}

/// The amount or percentage written in words right after `from` in `q`, an article apart
/// (`cuatro millones de dólares`, `el noventa por ciento`): see [`in_words_at`].
fn in_words_after(q: &str, from: usize) -> Option<Plain> {
    let mut words = crate::analysis::text::words(&q[from..]);
    let (mut at, mut word) = words.next()?;
    if is_article(word) {
        (at, word) = words.next()?;
    }
    let between = q[from..from + at].trim();
    if !(between.is_empty() || is_article(between)) || !numbers::is_number_word(word) {
        return None;
    }
    let amount = in_words_at(q, from + at)?;
    let value = amount.ranges.first()?.at;
    Some(Plain {
        value,
        written: value,
        factor: 1.0,
        end: amount.end,
        money: amount.money,
        scaled: !amount.percent,
        percent: amount.percent,
    })
}

/// A bound on amounts written at `start` of `q`: `más de 4 millones`, `menos de USD 500 mil`,
/// `hasta 10 %`, `entre 1 y 5 millones de dólares`, `más del noventa por ciento`. The amount
/// must plainly be one, with a scale word, a currency or a percent sign (`más de 2020` and
/// `entre 2020 y 2022` are not bounds on amounts); in `entre … y …`, the first number takes
/// the second's scale when it has none (`entre 1 y 5 millones`). Every figure within holds it
/// alike (`Rounded::compared`): money only with a currency, percentages only with a percent
/// sign.
pub fn compared_at(q: &str, start: usize) -> Option<Rounded> {
    let rest = q.get(start..)?;
    let (at, first) = crate::analysis::text::words(rest).next()?;
    // Nearly every word of a query starts no comparison: told by its first word alone.
    let starts = crate::analysis::text::with_fold_key(first, |first| {
        COMPARISONS
            .iter()
            .any(|(words_of, _)| words_of.split(' ').next() == Some(first))
    });
    if at != 0 || !starts {
        return None;
    }
    let words: Vec<(usize, &str)> = crate::analysis::text::words(rest).take(3).collect();
    let folded: Vec<String> = words
        .iter()
        .map(|(_, w)| crate::analysis::text::fold_key(w))
        .collect();
    // The longest comparison that starts here.
    let (side, after) = COMPARISONS
        .iter()
        .filter_map(|&(words_of, side)| {
            let n = words_of.split(' ').count();
            let matches =
                folded.len() >= n && words_of.split(' ').zip(&folded).all(|(a, b)| a == b);
            matches.then(|| (side, n, start + words[n - 1].0 + words[n - 1].1.len()))
        })
        .max_by_key(|&(_, n, _)| n)
        .map(|(side, _, end)| (side, end))?;
    let (lo, hi, last) = match side {
        Side::Between => {
            let first = plain_after(q, after)?;
            let (gap, and) = crate::analysis::text::words(&q[first.end..]).next()?;
            if !matches!(and, "y" | "Y" | "a") || !q[first.end..first.end + gap].trim().is_empty() {
                return None;
            }
            let second = plain_after(q, first.end + gap + and.len())?;
            // `entre 1 y 5 millones`: the first number is in the second's scale.
            let from = if first.scaled {
                first.value
            } else {
                numbers::scaled(first.written, second.factor)
            };
            let (lo, hi) = if from <= second.value {
                (from, second.value)
            } else {
                (second.value, from)
            };
            let second = Plain {
                money: second.money || first.money,
                percent: second.percent || first.percent,
                ..second
            };
            (lo, hi, second)
        }
        Side::Above { inclusive } => {
            let amount = plain_after(q, after)?;
            let lo = if inclusive {
                amount.value
            } else {
                amount.value.next_up()
            };
            (lo, f64::MAX, amount)
        }
        Side::Below { inclusive } => {
            let amount = plain_after(q, after)?;
            let hi = if inclusive {
                amount.value
            } else {
                amount.value.next_down()
            };
            (-f64::MAX, hi, amount)
        }
    };
    if !(last.scaled || last.money || last.percent) {
        return None;
    }
    let at = match side {
        Side::Above { .. } => lo,
        Side::Below { .. } => hi,
        Side::Between => (lo + hi) / 2.0,
    };
    Some(Rounded {
        start,
        end: last.end,
        ranges: vec![AmountRange { lo, at, hi }],
        money: last.money,
        in_words: false,
        percent: last.percent,
        compared: true,
    })
}

/// The amount written in words from `start` of `q` (see [`rounded_at`]), or the percentage
/// (`noventa por ciento`, `noventa y cinco por ciento`: rounded at its units, as `90 %`).
fn in_words_at(q: &str, start: usize) -> Option<Rounded> {
    if let Some((n, end)) = numbers::words_value_at(q, start)
        .and_then(|n| Some((n, crate::extract::figures::percent_after(q, n.end)?)))
    {
        return Some(Rounded {
            start,
            end,
            ranges: vec![AmountRange::rounding(n.value, n.unit)],
            money: false,
            in_words: true,
            percent: true,
            compared: false,
        });
    }
    // With a scale, not a percentage (read above).
    let n = numbers::words_number_at(q, start)?;
    let ranges = vec![AmountRange::around(n.value, n.unit)];
    Some(with_currency(q, start..n.end, ranges, true))
}

/// The amount written at `at` of `q` (its number and scale) that rounds to `ranges`, with the
/// currency around it.
fn with_currency(q: &str, at: Range<usize>, ranges: Vec<AmountRange>, in_words: bool) -> Rounded {
    let before = numbers::currency_before(q, at.start);
    let end = currency_after(q, at.end);
    let symbol = q[at.clone()].contains('$');
    Rounded {
        start: before.unwrap_or(at.start),
        end,
        ranges,
        money: before.is_some() || end > at.end || symbol,
        in_words,
        percent: false,
        compared: false,
    }
}

/// The amount of number `n`, written at `start` of `q`, with its scale `scale`; `None` for
/// zero (`0 millones` rounds nothing: it would hold every small count).
pub fn rounded(q: &str, start: usize, n: &Number, scale: AmountScale) -> Option<Rounded> {
    if n.readings.iter().all(|r| r.value == 0.0) {
        return None;
    }
    let written = &q[start..n.end];
    let mut ranges = Vec::new();
    for factor in [Some(scale.factor), scale.alt_factor].into_iter().flatten() {
        ranges.extend(
            n.readings
                .iter()
                .map(|r| rounding_to(written, r.value, factor)),
        );
    }
    Some(with_currency(q, start..scale.end, ranges, false))
}

/// The values that round or cut to `value` (a reading of the number `written`) times `factor`,
/// at the digits written: `4,8` millions is 4,750,000 to 4,850,000; `2.149` millions read as
/// 2149 is 2,148,500,000 to just under 2,150,000,000.
fn rounding_to(written: &str, value: f64, factor: f64) -> AmountRange {
    AmountRange::around(
        numbers::scaled(value, factor),
        unit_of(written, value, factor),
    )
}

/// What the last digit of `written`, read as `value`, is worth times `factor`: `4,8` millions'
/// is 100,000; `2.149` read as 2149, 1; read as 2.149, a thousandth.
fn unit_of(written: &str, value: f64, factor: f64) -> f64 {
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    let whole = digits.parse::<f64>().unwrap_or(value);
    // Read as a whole number (`2.149` as 2149), its last digit is a unit; read as a decimal,
    // the digits after its last mark are decimals.
    let decimals = if (whole - value).abs() < 0.5 {
        0
    } else {
        written
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .map_or(0, str::len)
    };
    factor * 10f64.powi(-(decimals as i32))
}

/// Where a currency written after an amount's scale ends (`de dólares`, ` USD`), or `end`.
fn currency_after(q: &str, end: usize) -> usize {
    let rest = &q[end..];
    let words: Vec<(usize, &str)> = crate::analysis::text::words(rest).take(2).collect();
    let is_currency = |w: &str| {
        crate::analysis::text::with_fold_key(w, |w| matches!(w, "dolares" | "dolar" | "usd"))
    };
    match words.as_slice() {
        [(at, first), ..] if is_currency(first) => end + at + first.len(),
        [(_, de), (at, second), ..]
            if crate::analysis::text::with_fold_key(de, |w| w == "de") && is_currency(second) =>
        {
            end + at + second.len()
        }
        _ => end,
    }
}

/// The amounts written with a scale word, or in words, in `q`, in order.
pub fn rounded_in(q: &str) -> Vec<Rounded> {
    let mut out = Vec::new();
    // Where the last number or amount read ends: its words are not read again.
    let mut next = 0;
    for (at, word) in crate::analysis::text::words(q) {
        if at < next {
            continue;
        }
        if let Some(amount) = compared_at(q, at).or_else(|| rounded_at(q, at)) {
            next = amount.end;
            out.push(amount);
        } else if word.starts_with(|c: char| c.is_ascii_digit()) {
            next = numbers::scan_number(q, at).map_or(at + 1, |n| n.end);
        }
    }
    out
}

/// Weight of a passage's figure that rounds to an amount asked for, at the amount's value:
/// about a rare word's. Nearer its range's edge, it weighs down to half as much.
const AMOUNT_WEIGHT: Score = 3.0;

/// Matches the passages with a figure that rounds to an amount (in the figure columns of its
/// kinds), scored by how near the nearest such figure is (see `AMOUNT_WEIGHT`).
#[derive(Clone, Debug)]
pub struct AmountQuery {
    amount: Rounded,
    /// The figure columns of its kinds, as `index::schema` names them.
    columns: Vec<Field>,
}

impl AmountQuery {
    /// The passages whose figures round to `amount`; `column` gives the field of a kind's
    /// figure column.
    pub fn new(amount: Rounded, column: impl Fn(FigureKind) -> Field) -> AmountQuery {
        let columns = amount.kinds().iter().map(|&k| column(k)).collect();
        AmountQuery { amount, columns }
    }
}

impl Query for AmountQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut ranges: Vec<Box<dyn Query>> = Vec::new();
        for &column in &self.columns {
            for &AmountRange { lo, hi, .. } in &self.amount.ranges {
                ranges.push(Box::new(RangeQuery::new(
                    std::ops::Bound::Included(Term::from_field_f64(column, lo)),
                    std::ops::Bound::Included(Term::from_field_f64(column, hi)),
                )));
            }
        }
        // Which passages match is read from the columns; how near their figures are, too.
        let unscored = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        let matching = BooleanQuery::union(ranges).weight(unscored)?;
        Ok(Box::new(AmountWeight {
            matching,
            amount: self.amount.clone(),
            columns: self.columns.clone(),
        }))
    }
}

struct AmountWeight {
    /// The passages with a value in a range, unscored.
    matching: Box<dyn Weight>,
    amount: Rounded,
    columns: Vec<Field>,
}

impl Weight for AmountWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut columns = Vec::with_capacity(self.columns.len());
        for &field in &self.columns {
            let name = reader.schema().get_field_name(field);
            // A segment without a figure of a kind has no column for it.
            columns.extend(reader.fast_fields().column_opt::<f64>(name)?);
        }
        Ok(Box::new(AmountScorer {
            matching: self.matching.scorer(reader, 1.0)?,
            amount: self.amount.clone(),
            columns,
            weight: AMOUNT_WEIGHT * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explained(self, reader, doc, "figure that rounds to an amount")
    }
}

struct AmountScorer {
    matching: Box<dyn Scorer>,
    amount: Rounded,
    columns: Vec<Column<f64>>,
    weight: Score,
}

impl DocSet for AmountScorer {
    fn advance(&mut self) -> DocId {
        self.matching.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.matching.seek(target)
    }

    fn doc(&self) -> DocId {
        self.matching.doc()
    }

    fn size_hint(&self) -> u32 {
        self.matching.size_hint()
    }
}

impl Scorer for AmountScorer {
    fn score(&mut self) -> Score {
        let doc = self.matching.doc();
        let nearest = self
            .columns
            .iter()
            .flat_map(|c| c.values_for_doc(doc))
            .filter_map(|v| self.amount.closeness(v))
            .reduce(Score::max)
            .unwrap_or(0.5);
        self.weight * nearest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ends of each range of `a`.
    fn ends(a: &Rounded) -> Vec<(f64, f64)> {
        a.ranges.iter().map(|r| (r.lo, r.hi)).collect()
    }

    fn figure(value: f64, kind: FigureKind) -> Figure {
        Figure {
            text: String::new(),
            value,
            kind,
            alt_value: None,
            label: None,
            start: 0,
            end: 0,
            span: (0, 0),
            table: None,
        }
    }

    #[test]
    fn an_amount_with_a_scale_word_rounds_to_the_digits_written() {
        let q = "recaudado USD 4,8 millones";
        let a = rounded_at(q, 14).expect("an amount");
        assert_eq!((a.start, a.end, a.money), (10, q.len(), true));
        assert_eq!(ends(&a), [(4_750_000.0, 4_850_000.0)]);
        assert_eq!(a.ranges[0].at, 4_800_000.0);
        let a = rounded_at("4,80 millones de dólares en 2021", 0).expect("an amount");
        assert_eq!((a.end, a.money), ("4,80 millones de dólares".len(), true));
        assert_eq!(ends(&a), [(4_795_000.0, 4_810_000f64.next_down())]);
        // Both readings of an ambiguous number; the `$` of `$1.5M` says money.
        let a = rounded_at("2.149 millones", 0).expect("an amount");
        assert_eq!(a.ranges.len(), 2);
        assert!(!a.money);
        assert!(rounded_at("$1.5M", 1).is_some_and(|a| a.money));
        // Without a scale word, or as a percentage, a number is not rounded.
        assert_eq!(rounded_at("4803665,69", 0), None);
        assert_eq!(rounded_at("4,8 millones %", 0), None);
        assert_eq!(rounded_at("4,8", 0), None);
        assert_eq!(rounded_at("0 millones", 0), None);
        assert_eq!(rounded_at("0,0 mil", 0), None);
    }

    #[test]
    fn an_amount_of_three_digits_or_more_is_read_as_cut_too() {
        let a = rounded_at("USD 1.193 millones", 4).expect("an amount");
        let r = a.ranges[0];
        assert_eq!(
            (r.lo, r.at, r.hi),
            (
                1_192_500_000.0,
                1_193_000_000.0,
                1_194_000_000f64.next_down()
            )
        );
        // Nearest at the amount, half as near at either end.
        assert_eq!(a.closeness(1_193_000_000.0), Some(1.0));
        assert_eq!(a.closeness(1_193_500_000.0), Some(0.75));
        assert_eq!(a.closeness(1_192_500_000.0), Some(0.5));
        assert_eq!(a.closeness(1_194_000_000.0), None);
        // A negative amount is cut towards zero.
        let r = AmountRange::around(-480.0, 1.0);
        assert_eq!((r.lo, r.hi), ((-481f64).next_up(), -479.5));
        assert!(r.holds(-480.9) && !r.holds(-481.0) && !r.holds(-479.4));
        // Fewer digits are read as rounded only.
        let r = AmountRange::around(48.0, 1.0);
        assert_eq!((r.lo, r.hi), (47.5, 48.5));
    }

    #[test]
    fn an_amount_in_words_rounds_to_what_its_last_word_counts() {
        let q = "USD cuatro millones de dólares";
        let a = rounded_at(q, 4).expect("an amount");
        assert_eq!(
            (a.start, a.end, a.money, a.in_words),
            (0, q.len(), true, true)
        );
        assert_eq!(ends(&a), [(3_500_000.0, 4_500_000.0)]);
        let a = rounded_at("un millón doscientos mil afiliados", 0).expect("an amount");
        assert_eq!(
            (ends(&a), a.money),
            (vec![(1_199_500.0, 1_201_000f64.next_down())], false)
        );
        assert_eq!(rounded_at("cuatro dispensarios", 0), None);
    }

    #[test]
    fn a_percentage_in_words_rounds_at_its_units_and_holds_percentages_only() {
        let q = "un noventa y cinco por ciento de ejecución";
        let at = q.find("noventa").expect("a number");
        let a = rounded_at(q, at).expect("a percentage");
        assert_eq!(&q[a.start..a.end], "noventa y cinco por ciento");
        assert!(a.percent && a.in_words && !a.money);
        assert_eq!(ends(&a), [(94.5, 95.5)]);
        assert!(a.holds(&figure(95.3, FigureKind::Percent)));
        assert!(!a.holds(&figure(95.0, FigureKind::Count)));
        assert!(!a.holds(&figure(95.6, FigureKind::Percent)));
        // Read where the query's amounts are, the article left out.
        let found = rounded_in(q);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].end), (a.start, a.end));
        // Without `por ciento`, a number in words below a thousand is no amount.
        assert_eq!(rounded_at("noventa días", 0), None);
    }

    #[test]
    fn the_amounts_of_a_query_are_read_in_order() {
        let found = rounded_in("15 mil afiliados, 4,8 millones de dólares, 15% y 2021");
        let spans: Vec<(usize, usize)> = found.iter().map(|a| (a.start, a.end)).collect();
        assert_eq!(spans, [(0, 6), (18, 42), (44, 47)]);
        assert_eq!(ends(&found[0]), [(14_500.0, 15_500.0)]);
        assert!(found[2].percent && !found[0].percent && !found[1].percent);
        // `8M` within `$4.8M` is not another amount.
        let found = rounded_in("dos millones y $4.8M");
        let spans: Vec<(usize, usize)> = found.iter().map(|a| (a.start, a.end)).collect();
        assert_eq!(spans, [(0, 12), (15, 20)]);
    }

    #[test]
    fn a_percentage_rounds_to_the_digits_written_and_holds_percentages_only() {
        let q = "ejecución del 91 %";
        let at = q.find("91").expect("a number");
        let a = rounded_at(q, at).expect("a percentage");
        assert_eq!(
            (a.start, a.end, a.percent, a.money),
            (at, q.len(), true, false)
        );
        assert_eq!(ends(&a), [(90.5, 91.5)]);
        assert!(a.holds(&figure(91.37, FigureKind::Percent)));
        assert!(!a.holds(&figure(91.37, FigureKind::Usd)));
        assert!(!a.holds(&figure(91.6, FigureKind::Percent)));
        // Not cut: `133 %` is not 133.9 %.
        let a = rounded_at("133 por ciento", 0).expect("a percentage");
        assert_eq!(ends(&a), [(132.5, 133.5)]);
        let a = rounded_at("91,4%", 0).expect("a percentage");
        let (lo, hi) = ends(&a)[0];
        assert!(
            (lo - 91.35).abs() < 1e-9 && (hi - 91.45).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert!(a.holds(&figure(91.37, FigureKind::Percent)));
        assert!(!a.holds(&figure(91.3, FigureKind::Percent)));
    }

    #[test]
    fn a_bound_on_amounts_holds_what_lies_within_alike() {
        let q = "más de 4 millones";
        let a = compared_at(q, 0).expect("a bound");
        assert_eq!(
            (a.end, a.compared, a.money, a.percent),
            (q.len(), true, false, false)
        );
        assert_eq!(ends(&a), [(4_000_000f64.next_up(), f64::MAX)]);
        assert_eq!(a.closeness(4_803_665.69), Some(1.0));
        assert_eq!(a.closeness(1.2e9), Some(1.0));
        assert_eq!(a.closeness(4_000_000.0), None);
        let a = compared_at("menos de USD 500 mil", 0).expect("a bound");
        assert!(a.money);
        assert_eq!(ends(&a), [(-f64::MAX, 500_000f64.next_down())]);
        let a = compared_at("hasta 10 %", 0).expect("a bound");
        assert!(a.percent && a.holds(&figure(10.0, FigureKind::Percent)));
        assert!(!a.holds(&figure(9.0, FigureKind::Count)));
        let q = "entre 1 y 5 millones de dólares";
        let a = compared_at(q, 0).expect("a bound");
        assert_eq!((a.end, a.money), (q.len(), true));
        assert_eq!(ends(&a), [(1_000_000.0, 5_000_000.0)]);
        let a = compared_at("entre 10 % y 20 %", 0).expect("a bound");
        assert!(a.percent);
        assert_eq!(ends(&a), [(10.0, 20.0)]);
        let a = compared_at("al menos $ 2.500", 0).expect("a bound");
        assert_eq!(ends(&a), [(2_500.0, f64::MAX)]);
        // In words too.
        let q = "más de cuatro millones de dólares";
        let a = compared_at(q, 0).expect("a bound");
        assert_eq!((a.end, a.money, a.percent), (q.len(), true, false));
        assert_eq!(ends(&a), [(4_000_000f64.next_up(), f64::MAX)]);
        // `de` and `a` joined to the article, an article before the amount.
        for (q, lo, hi) in [
            ("más del 90 %", 90f64.next_up(), f64::MAX),
            ("superior al 95 %", 95f64.next_up(), f64::MAX),
            ("por debajo del 10%", -f64::MAX, 10f64.next_down()),
            ("hasta el 10 %", -f64::MAX, 10.0),
            ("entre el 10 y el 20 %", 10.0, 20.0),
            ("más del noventa por ciento", 90f64.next_up(), f64::MAX),
        ] {
            let a = compared_at(q, 0).expect("a bound");
            assert_eq!((a.end, a.percent), (q.len(), true), "{q}");
            assert_eq!(ends(&a), [(lo, hi)], "{q}");
        }
        // Not plainly an amount, or not a comparison.
        for q in [
            "más de 2020",
            "entre 2020 y 2022",
            "hasta 2022",
            "desde 2019",
            "más de la mitad",
            "mora de 4 millones",
            "entre 1 o 5 millones",
            "más del 2020",
            "hasta el 2022",
            "más de lo 4 millones",
            "más de cuatro",
            "más de noventa",
        ] {
            assert_eq!(compared_at(q, 0), None, "{q}");
        }
        // A query's bounds are read whole, their numbers not read again as amounts.
        let found = rounded_in("recaudado más de 4 millones y 15%");
        let spans: Vec<(usize, usize, bool)> =
            found.iter().map(|a| (a.start, a.end, a.compared)).collect();
        assert_eq!(spans, [(10, 28, true), (31, 34, false)]);
    }

    #[test]
    fn money_rounds_to_an_amount_of_money_and_counts_to_a_plain_one() {
        let plain = rounded_at("4,8 millones", 0).expect("an amount");
        let money = rounded_at("USD 4,8 millones", 4).expect("an amount");
        let usd = figure(4_803_665.69, FigureKind::Usd);
        let count = figure(4_803_665.0, FigureKind::Count);
        assert!(plain.holds(&usd) && plain.holds(&count) && money.holds(&usd));
        assert!(!money.holds(&count));
        assert!(!plain.holds(&figure(4.8, FigureKind::Percent)));
        assert!(!plain.holds(&figure(4_900_000.0, FigureKind::Usd)));
        // Nearer the amount, nearer 1; at the edge of its range, ½.
        assert_eq!(plain.closeness(4_800_000.0), Some(1.0));
        assert_eq!(plain.closeness(4_750_000.0), Some(0.5));
        assert!(plain.closeness(4_803_665.69) > plain.closeness(4_840_000.0));
        assert_eq!(plain.closeness(4_740_000.0), None);
    }
}
