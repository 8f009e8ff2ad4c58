//! Figures: every amount, percentage and count of a text, with its value, kind and label.
//!
//! A figure is a number (read by [`numbers::scan_number`], so `4'803.665,69`, `1.193.703.286`,
//! `123 456` and `45,3` all read right) with what is written around it:
//! - a currency before or after (`USD`, `US$`, `USD $`, `$`, `dólares`; `USD` glued to it as in
//!   `USD1.234`) makes it `usd`;
//! - `%`, `por ciento` or `puntos porcentuales` after makes it `percent`; anything else is a
//!   `count`;
//! - a scale word multiplies it (`187 mil`, `USD 550 millones`, `$ 12 millones 345 mil`).
//!
//! A percentage written in words (`el noventa y cinco por ciento`) is a figure too, unless the
//! same percentage in digits restates it beside it (`cincuenta por ciento (50%)`).
//!
//! Numbers that are not figures are left out: years and dates (`2021`, `15 de marzo de 2022`,
//! `14/05/2022`, `2018-2028`), identifiers and references (`RUC.0968599020001`,
//! `artículo 90`, `Decreto Ejecutivo 111`, `Zona 9`, `Provincia 4`, `COVID-19`, `AS-400`,
//! `998029499_5101050`, long digit runs),
//! phone numbers, times, web addresses, list numbering (`1. `), the numbers of clauses and
//! items (`5.01.- El valor`, `72.1) Contribuyentes`, `3)El contexto`), codes with padded numbers
//! (`MCO – GPB- 002 – 2013`), the cents after an amount in words (`CON 18/100`) and age
//! brackets of tables (`De 1 a 4 años`). A form that stays truly ambiguous (`1.199` with
//! nothing to decide it) keeps its second reading in `alt_value`.

mod exclude;
mod label;

use self::exclude::{
    excluded_ranges, glued_to_identifier, is_code_part, is_list_number, is_long_identifier,
    is_reference, is_section_number, is_year_like,
};
use self::label::{label, words_after};
use super::model::{Figure, FigureKind};
pub(super) use crate::analysis::numbers::currency_before;
use crate::analysis::text::{floor_boundary, with_fold_key, within_one_edit};
use crate::analysis::{fold_key, numbers};

/// Every figure of `text`, in order, labelled; offsets are byte offsets into `text`.
pub fn extract_figures(text: &str) -> Vec<Figure> {
    let mut out = in_digits(text);
    in_words(text, &mut out);
    out
}

/// The figures written in digits of `text`, in order.
fn in_digits(text: &str) -> Vec<Figure> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let excluded = excluded_ranges(text);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // The end of the last number seen, and whether it was a reference (`artículos 100 y 208`).
    let mut last: Option<(usize, bool)> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && is_alnum_before(text, i) && !usd_before(text, i))
        {
            i += 1;
            continue;
        }
        let Some(number) = numbers::scan_number(text, i) else {
            i += 1;
            continue;
        };
        let end = number.end;
        if letter_at(text, end)
            && !numbers::usd_ends_at(text, end)
            && numbers::amount_scale_after(text, i, end).is_none()
        {
            // `2do`, `4x4`, `10mg`: not a figure; skip the whole run.
            i = skip_word(text, end);
            continue;
        }
        let reference = is_reference(text, i, end, last);
        let skip = reference
            || excluded.iter().any(|&(s, e)| i < e && end > s)
            || glued_to_identifier(text, i)
            || is_list_number(text, i, end)
            || is_section_number(text, i, end)
            || is_code_part(text, i, end)
            || (is_long_identifier(text, i, end) && currency_before(text, i).is_none());
        if !skip {
            if let Some(figure) = figure_at(text, i, &number) {
                let next = figure.end.max(end);
                last = Some((next, false));
                out.push(figure);
                i = next;
                continue;
            }
        }
        last = Some((end, reference));
        i = end;
    }
    out
}

/// Bytes at most between a percentage in words and the same percentage in digits that
/// restates it in the same sentence (`cincuenta por ciento (50%)`, `(50%) cincuenta por
/// ciento`, `el uno por ciento del presupuesto (1 %)`).
const RESTATED_WITHIN: usize = 40;

/// Adds to `figures` (those of `text` in digits, in order) the percentages written in words
/// (`el noventa y cinco por ciento`), unless restated in digits beside them, as contracts and
/// ordinances write them: `cincuenta por ciento (50%)` is one figure, the one in digits.
fn in_words(text: &str, figures: &mut Vec<Figure>) {
    static CIEN: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::LazyLock::new(|| ["cien", "CIEN", "Cien"].map(memchr::memmem::Finder::new));
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for cien in CIEN.iter().flat_map(|finder| finder.find_iter(bytes)) {
        let Some(por) = cien.checked_sub(4) else {
            continue;
        };
        if !bytes[por..cien].eq_ignore_ascii_case(b"por ") {
            continue;
        }
        let Some((start, n, end)) = words_before(text, por) else {
            continue;
        };
        let restated = figures.iter().any(|f| {
            f.kind == FigureKind::Percent
                && f.value == n
                && (f.end <= start && restates(&text[f.end..start])
                    || f.start >= end && restates(&text[end..f.start]))
        });
        if restated {
            continue;
        }
        found.push(Figure {
            text: text[start..end].to_string(),
            value: n,
            kind: FigureKind::Percent,
            alt_value: None,
            label: label(text, start, end, FigureKind::Percent),
            start,
            end,
            span: (0, 0),
            table: None,
        });
    }
    if !found.is_empty() {
        figures.extend(found);
        figures.sort_by_key(|f| f.start);
    }
}

/// Whether two figures with `between` between them stand close in one sentence: no full stop,
/// semicolon or line between.
fn restates(between: &str) -> bool {
    between.len() <= RESTATED_WITHIN
        && !between.contains(['\n', ';'])
        && !between.contains(". ")
        && !between.ends_with('.')
}

/// The number in words that ends right before ` por ciento` at byte `por` of `text` and reads
/// as a percentage (`noventa y cinco`): where it starts, its value and where its `por ciento`
/// ends. Its words are looked for at most `MAX_WORDS` back.
fn words_before(text: &str, por: usize) -> Option<(usize, f64, usize)> {
    const MAX_WORDS: usize = 8;
    // The starts of the number words (and `y`) right before `por`, nearest first.
    let mut starts = Vec::new();
    let mut at = text[..por].trim_end().len();
    while starts.len() < MAX_WORDS {
        let Some((word_start, _)) = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphabetic())
            .last()
        else {
            break;
        };
        let word = &text[word_start..at];
        if !(numbers::is_number_word(word) || word.eq_ignore_ascii_case("y")) {
            break;
        }
        starts.push(word_start);
        let before = text[..word_start].trim_end_matches([' ', '\u{a0}']);
        if before.len() == word_start {
            break;
        }
        at = before.len();
    }
    // The longest reading that ends at `por ciento`.
    starts.iter().rev().find_map(|&start| {
        let n = numbers::words_value_at(text, start)?;
        let end = percent_after(text, n.end)?;
        (text[..por].trim_end().len() == n.end).then_some((start, n.value, end))
    })
}

/// Reads the figure whose number starts at `start`, labelled; `None` for a year.
fn figure_at(text: &str, start: usize, number: &numbers::Number) -> Option<Figure> {
    let raw = &text[start..number.end];
    let prefix = currency_before(text, start);
    let letter_cents = letter_cents_after(text, number.end);
    let mut end = letter_cents.unwrap_or(number.end);
    let mut factor = 1.0;
    let mut alt_factor = None;
    let mut extra = 0.0;
    if let Some(scale) = numbers::amount_scale_after(text, start, end) {
        factor = scale.factor;
        alt_factor = scale.alt_factor;
        end = scale.end;
        // `12 millones 345 mil`: a thousands part after millions; `45 mil 300`: the units
        // after thousands, as amounts are spoken and written in the press (only after `mil`:
        // `12 millones 300` and `2 mil millones 300` are two figures; after an abbreviation,
        // `US$ 250K 10`, too).
        let mut ends_in_thousands = scale.word && factor == 1e3;
        if scale.word && factor >= 1e6 {
            if let Some((more, more_end)) = thousands_after(text, end) {
                extra = more;
                end = more_end;
                ends_in_thousands = true;
            }
        }
        if ends_in_thousands {
            if let Some((more, more_end)) = units_after(text, end) {
                extra += more;
                end = more_end;
            }
        }
    }
    let percent_end = percent_after(text, end);
    let currency_end = if percent_end.is_none() {
        currency_after(text, end)
    } else {
        None
    };
    let kind = if percent_end.is_some() {
        FigureKind::Percent
    } else if prefix.is_some()
        || currency_end.is_some()
        || letter_cents.is_some()
        || money_like(raw)
    {
        FigureKind::Usd
    } else {
        FigureKind::Count
    };
    let plain = raw.bytes().all(|b| b.is_ascii_digit());
    if let Some(after) = percent_end.filter(|_| plain && raw.len() == 4) {
        // A year before the `%` of the next column's header (`Devengado 2019 % Ejecución`):
        // the sign is the header's, the number a year.
        let header = text[after..]
            .trim_start()
            .starts_with(|c: char| c.is_uppercase());
        if header && (1990.0..=2100.0).contains(&number.value()) {
            return None;
        }
    }
    let end = percent_end.or(currency_end).unwrap_or(end);
    if kind == FigureKind::Count
        && factor == 1.0
        && plain
        && raw.len() == 4
        && is_year_like(text, start, end, number.value())
    {
        return None;
    }
    let start_with_prefix = prefix.unwrap_or(start);
    let (value, alt) = resolve(text, number, kind, factor > 1.0, end);
    let (sign_start, sign_end, negative) = match sign(text, start, start_with_prefix, end) {
        Some((s, e)) => (s, e, true),
        None => (start_with_prefix, end, false),
    };
    let scale_by = |v: f64, factor: f64| {
        let v = numbers::scaled(v, factor) + extra;
        if negative {
            -v
        } else {
            v
        }
    };
    let scale = |v: f64| scale_by(v, factor);
    // An abbreviation read two ways (`$1.5M`) gives the other reading when the number has none.
    let alt_value = alt
        .map(scale)
        .or_else(|| alt_factor.map(|f| scale_by(value, f)));
    Some(Figure {
        text: text[sign_start..sign_end].to_string(),
        value: scale(value),
        kind,
        alt_value,
        // The clause before a sign (`variación: -2,3%`) says what the figure counts.
        label: label(text, sign_start, end, kind),
        start: sign_start,
        end: sign_end,
        span: (0, 0),
        table: None,
    })
}

/// The end of cents written with the letter o after an amount (`USD 1.500,oo`, `$ 2.300.OO`),
/// a habit of typed documents: the figure takes them in, and they make it money. Its value is
/// the amount's, whole dollars.
fn letter_cents_after(text: &str, end: usize) -> Option<usize> {
    match text.as_bytes().get(end..)? {
        [b',' | b'.', b'o' | b'O', b'o' | b'O', rest @ ..]
            if rest.first().is_none_or(|b| !b.is_ascii_alphanumeric()) =>
        {
            Some(end + 3)
        }
        _ => None,
    }
}

/// A negative figure's written range: `-1.234,56`, `$ -1.234`, `-$1.234`, `- 1.234` opening a
/// table cell, or accounting parentheses `(1.234,56)` filling a table cell. `digits` is where
/// the number starts, `start` where the figure starts (its currency, if any), `end` its end.
fn sign(text: &str, digits: usize, start: usize, end: usize) -> Option<(usize, usize)> {
    let before = |at: usize| text[..at].chars().next_back();
    let opens_cell = |at: usize| {
        let head = text[..at].trim_end_matches(' ');
        head.is_empty() || head.ends_with('|')
    };
    let closes_cell = |at: usize| {
        let tail = text[at..].trim_start_matches(' ');
        tail.is_empty() || tail.starts_with('|')
    };
    // A minus sign right before the digits, or before the currency.
    for at in [digits, start] {
        let Some(c) = before(at) else { continue };
        if c == '-' || c == '\u{2212}' {
            let minus = at - c.len_utf8();
            let prev = before(minus);
            if prev.is_none_or(|p| !(p.is_alphanumeric() || matches!(p, '-' | '/' | '.' | ','))) {
                return Some((minus.min(start), end));
            }
        }
    }
    // The rest needs a table row, looked for last: most figures have no sign.
    let in_row = || text.contains(crate::extract::table::CELL_SEPARATOR);
    // `- 1.234,56` opening a table cell.
    let head = text[..start].trim_end_matches(' ');
    if head.len() < start && head.ends_with(['-', '\u{2212}']) && in_row() {
        let minus = head.len() - head.chars().next_back().map_or(1, char::len_utf8);
        if opens_cell(minus) {
            return Some((minus, end));
        }
    }
    // `(1.234,56)` filling a table cell.
    if before(start) == Some('(') && text[end..].starts_with(')') && in_row() {
        let open = start - 1;
        if opens_cell(open) && closes_cell(end + 1) {
            return Some((open, end + 1));
        }
    }
    None
}

/// `96.338,93`, `1'628.354,46`, and `31,068.00` as accounting systems print it: grouped
/// thousands with two decimals and no unit is an amount of money in these reports (counts have
/// no cents, percentages their sign).
fn money_like(raw: &str) -> bool {
    let spanish = raw
        .rsplit_once(',')
        .is_some_and(|(int, cents)| cents.len() == 2 && int.contains(['.', '\'', '’', '´']));
    let english = raw.rsplit_once('.').is_some_and(|(int, cents)| {
        cents.len() == 2 && cents.bytes().all(|b| b.is_ascii_digit()) && int.contains(',')
    });
    spanish || english
}

/// The value and, when still ambiguous, the other reading. Money has no three-decimal cents,
/// percentages are not in the thousands, counted plural things are not fractional, `9.000`
/// is nine thousand.
fn resolve(
    text: &str,
    number: &numbers::Number,
    kind: FigureKind,
    scaled: bool,
    end: usize,
) -> (f64, Option<f64>) {
    let readings = &number.readings;
    let first = readings.first().map_or(0.0, |r| r.value);
    let Some(second) = readings.get(1).map(|r| r.value) else {
        return (first, None);
    };
    let (grouped, decimal) = if first >= second {
        (first, second)
    } else {
        (second, first)
    };
    if decimal.fract() == 0.0 || kind == FigureKind::Usd || scaled {
        return (grouped, None);
    }
    if kind == FigureKind::Percent {
        return if grouped > 1000.0 {
            (decimal, None)
        } else {
            (first, Some(second))
        };
    }
    if noun_after(text, end).is_some_and(|w| w.len() > 3 && w.ends_with('s')) {
        return (grouped, None);
    }
    (first, Some(second))
}

// ---------------------------------------------------------------------------------------------
// Units around a number

/// End of `%`, `por ciento`, `por cien` or `puntos porcentuales` after `end`.
pub fn percent_after(text: &str, end: usize) -> Option<usize> {
    let rest = text.get(end..)?;
    let spaces = rest.len() - rest.trim_start_matches([' ', '\u{a0}', '\u{202f}']).len();
    if spaces <= 2 && rest[spaces..].starts_with('%') {
        return Some(end + spaces + 1);
    }
    // Percentage points (`subió 12,5 puntos porcentuales`) are a percentage too.
    for words in [
        " por ciento",
        " por cien",
        " puntos porcentuales",
        " punto porcentual",
    ] {
        if rest
            .get(..words.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(words))
            && !rest[words.len()..].starts_with(|c: char| c.is_alphabetic())
        {
            return Some(end + words.len());
        }
    }
    None
}

/// End of `dólares`, `de dólares`, `USD` after `end`.
pub(super) fn currency_after(text: &str, end: usize) -> Option<usize> {
    let rest = text.get(end..)?;
    if numbers::usd_ends_at(text, end) {
        // `1.234,56USD`.
        return Some(end + 3);
    }
    // Every form opens with a space, which only a space folds to, then `d` or `u`, which no
    // other ASCII character folds to: most numbers are followed by none of them.
    let second = rest.as_bytes().get(1).copied().unwrap_or(b' ');
    let may_start = !second.is_ascii() || matches!(second, b'd' | b'D' | b'u' | b'U');
    if !rest.starts_with(' ') || !may_start {
        return None;
    }
    let written = with_fold_key(&rest[..floor_boundary(rest, 48)], |lower| {
        // Longest first: `dólares americanos` is one currency, not `dólares` and a word.
        [
            " de dolares de los estados unidos de america",
            " dolares de los estados unidos de america",
            " de dolares americanos",
            " dolares americanos",
            " de dolares estadounidenses",
            " dolares estadounidenses",
            " de dolares",
            " dolares",
            " usd",
            " de usd",
            " dolar",
        ]
        .into_iter()
        .find(|words| {
            lower.starts_with(words)
                && !lower[words.len()..].starts_with(|c: char| c.is_alphabetic())
        })
        .map(|words| words.chars().count())
        .or_else(|| slip_of_dolares(lower))
    })?;
    // Folding keeps one character for one (`ó` → `o`): count characters, not bytes.
    let written = rest
        .char_indices()
        .nth(written)
        .map_or(rest.len(), |(i, _)| i);
    Some(end + written)
}

/// In `lower` (folded, from the space after a number), `dólares` or `de dólares` typed with a
/// slip (`dóalres`, `dlares`, `dóólares`: one letter more, less, other or swapped), as typed
/// and scanned reports have them: how many characters it takes. Not `dolores`.
fn slip_of_dolares(lower: &str) -> Option<usize> {
    let from = if lower.starts_with(" de ") { 4 } else { 1 };
    let word_len = lower[from..]
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(lower.len() - from);
    let word = &lower[from..from + word_len];
    (word != "dolores" && within_one_edit(word, "dolares"))
        .then(|| lower[..from + word_len].chars().count())
}

/// Where the next part of a spoken amount starts: after one or two spaces from `end`.
fn next_part(text: &str, end: usize) -> Option<usize> {
    let rest = text.get(end..)?;
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    (1..=2).contains(&spaces).then_some(end + spaces)
}

/// `345 mil` after a millions amount: its value and end.
fn thousands_after(text: &str, end: usize) -> Option<(f64, usize)> {
    let start = next_part(text, end)?;
    let n = numbers::scan_number(text, start)?;
    let (scale_end, factor) = numbers::scale_after(text, n.end)?;
    (factor == 1e3 && n.value() < 1000.0).then(|| (n.value() * 1e3, scale_end))
}

/// `300` after a thousands amount (`45 mil 300`): up to three plain digits, one or two spaces
/// after, and not a number of its own (`45 mil 300 mil`, `45 mil 300,5`, `45 mil 30%`).
fn units_after(text: &str, end: usize) -> Option<(f64, usize)> {
    let start = next_part(text, end)?;
    let digits = text[start..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let units_end = start + digits;
    let after = &text[units_end..];
    let goes_on = after.starts_with(|c: char| c.is_alphanumeric())
        || (after.starts_with(['.', ',', '\''])
            && after[1..].starts_with(|c: char| c.is_ascii_digit()))
        || numbers::scale_after(text, units_end).is_some()
        || percent_after(text, units_end).is_some();
    if goes_on {
        return None;
    }
    text[start..units_end]
        .parse::<f64>()
        .ok()
        .map(|v| (v, units_end))
}

/// The first word after `end` that is not `de`, `del`, `en` or an article (`155.600 de fondos`).
fn noun_after(text: &str, end: usize) -> Option<String> {
    words_after(text, end)
        .as_slice()
        .iter()
        .map(|w| fold_key(w))
        .find(|w| {
            !matches!(
                w.as_str(),
                "de" | "del" | "en" | "el" | "la" | "los" | "las" | "un" | "una"
            )
        })
        .filter(|w| w.chars().all(char::is_alphabetic))
}

pub(super) fn next_word(text: &str, end: usize) -> Option<String> {
    let rest = text.get(end..)?.trim_start();
    let w: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    (!w.is_empty()).then(|| fold_key(&w))
}

/// A letter, a digit or `_` stands right before byte `i`: the number there is part of a word
/// or an identifier.
fn is_alnum_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// `USD` glued right before byte `i` (`USD1.234`), a word of its own.
fn usd_before(text: &str, i: usize) -> bool {
    i >= 3 && numbers::usd_at(text, i - 3) && !is_alnum_before(text, i - 3)
}

/// A letter or `_` starts at byte `at`: the number before it is part of a word (`2do`, `10mg`)
/// or of an identifier (`998029499_5101050`, a budget line's code).
fn letter_at(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn skip_word(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(text.len(), |(i, _)| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text as written, value, kind) of every figure in `s`.
    fn figures(s: &str) -> Vec<(String, f64, &'static str)> {
        extract_figures(s)
            .into_iter()
            .map(|f| (f.text, f.value, f.kind.as_str()))
            .collect()
    }

    fn one(s: &str) -> (String, f64, &'static str) {
        let all = figures(s);
        assert_eq!(all.len(), 1, "{s}: {all:?}");
        all.into_iter().next().unwrap_or_default()
    }

    fn approx(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn a_currency_after_a_number_is_read_in_any_case_and_spelling() {
        let after = |rest: &str| currency_after(&format!("1.234{rest}"), 5).map(|end| end - 5);
        for (rest, written) in [
            (" USD en total", " USD"),
            (" usd.", " usd"),
            (" Usd", " Usd"),
            (" dólares", " dólares"),
            (" DÓLARES de aportes", " DÓLARES"),
            (" Dolares americanos", " Dolares americanos"),
            (" de dólares estadounidenses", " de dólares estadounidenses"),
            (" De Dólares", " De Dólares"),
        ] {
            assert_eq!(after(rest), Some(written.len()), "{rest:?}");
        }
        for rest in [
            " días",
            " personas",
            " u otros",
            " dolarización",
            " de afiliados",
            "",
        ] {
            assert_eq!(after(rest), None, "{rest:?}");
        }
    }

    #[test]
    fn every_listed_format_reads_right() {
        let cases: [(&str, &str, f64, &str); 44] = [
            (
                "El monto fue USD 1.500,oo en total.",
                "USD 1.500,oo",
                1_500.0,
                "usd",
            ),
            ("y 2.300.OO de anticipo", "2.300.OO", 2_300.0, "usd"),
            (
                "por 12.000,oo dólares",
                "12.000,oo dólares",
                12_000.0,
                "usd",
            ),
            (
                "y 4.803.665,69 dólares americanos en pensiones",
                "4.803.665,69 dólares americanos",
                4_803_665.69,
                "usd",
            ),
            (
                "por 12.500 dólares de los Estados Unidos de América.",
                "12.500 dólares de los Estados Unidos de América",
                12_500.0,
                "usd",
            ),
            (
                "recaudado de USD 4'803.665,69.",
                "USD 4'803.665,69",
                4_803_665.69,
                "usd",
            ),
            (
                "con $45.000.000 en recaudaciones",
                "$45.000.000",
                45_000_000.0,
                "usd",
            ),
            (
                "facturación de USD 1.193.703.286, que",
                "USD 1.193.703.286",
                1_193_703_286.0,
                "usd",
            ),
            (
                "un total de 7'123.456 dólares",
                "7'123.456 dólares",
                7_123_456.0,
                "usd",
            ),
            (
                "se atendieron 2’345.678 consultas",
                "2’345.678",
                2_345_678.0,
                "count",
            ),
            ("con 1´234.000 afiliados", "1´234.000", 1_234_000.0, "count"),
            (
                "pagó $ 1.234’567.890 en pensiones",
                "$ 1.234’567.890",
                1_234_567_890.0,
                "usd",
            ),
            (
                "inversión de USD. 12´345.678,90 en obras",
                "USD. 12´345.678,90",
                12_345_678.90,
                "usd",
            ),
            (
                "11.852.096 de atenciones",
                "11.852.096",
                11_852_096.0,
                "count",
            ),
            (
                "Atención: 175.280 presenciales",
                "175.280",
                175_280.0,
                "count",
            ),
            (
                "se pagaron 123 456 dólares",
                "123 456 dólares",
                123_456.0,
                "usd",
            ),
            (
                "para 234\u{a0}567 personas",
                "234\u{a0}567",
                234_567.0,
                "count",
            ),
            ("se emitieron 1456 certificados", "1456", 1456.0, "count"),
            (
                "mora patronal en un 132.76 %",
                "132.76 %",
                132.76,
                "percent",
            ),
            ("una cobertura del 45,3%", "45,3%", 45.3, "percent"),
            ("alcanzó el 92,15 % de la meta", "92,15 %", 92.15, "percent"),
            ("un incremento (15%) frente a", "15%", 15.0, "percent"),
            ("Más de 9 mil atenciones", "9 mil", 9000.0, "count"),
            (
                "y 187 mil atenciones médicas",
                "187 mil",
                187_000.0,
                "count",
            ),
            (
                "con USD 550 millones de facturación",
                "USD 550 millones",
                550_000_000.0,
                "usd",
            ),
            (
                "unos 3.5 millones de habitantes",
                "3.5 millones",
                3_500_000.0,
                "count",
            ),
            (
                "se invirtió $ 12 millones 345 mil en",
                "$ 12 millones 345 mil",
                12_345_000.0,
                "usd",
            ),
            (
                "suma 1,234.567 dólares",
                "1,234.567 dólares",
                1_234_567.0,
                "usd",
            ),
            (
                "Beneficiarios = 6'614,115",
                "6'614,115",
                6_614_115.0,
                "count",
            ),
            ("el 30 por ciento de", "30 por ciento", 30.0, "percent"),
            ("US$ 1.234,56 por afiliado", "US$ 1.234,56", 1234.56, "usd"),
            ("y USD$ 12.500,50 en", "USD$ 12.500,50", 12_500.5, "usd"),
            ("pagó USD1.234 en insumos", "USD1.234", 1234.0, "usd"),
            (
                "subió 12,5 puntos porcentuales en el año",
                "12,5 puntos porcentuales",
                12.5,
                "percent",
            ),
            ("y 1.234,56USD en papel", "1.234,56USD", 1234.56, "usd"),
            ("pagó US $ 300 al", "US $ 300", 300.0, "usd"),
            (
                "3,5 millones de dólares en",
                "3,5 millones de dólares",
                3_500_000.0,
                "usd",
            ),
            ("23 mil dólares", "23 mil dólares", 23_000.0, "usd"),
            ("en 2020 (10.372.269)", "10.372.269", 10_372_269.0, "count"),
            ("De 5 a 9 años 1'634.129", "1'634.129", 1_634_129.0, "count"),
            (
                "mil millones: 2 mil millones de dólares",
                "2 mil millones de dólares",
                2e9,
                "usd",
            ),
            (
                "un total de 45 mil 300 afiliados",
                "45 mil 300",
                45_300.0,
                "count",
            ),
            (
                "USD 1 millón 250 mil 500 en obras",
                "USD 1 millón 250 mil 500",
                1_250_500.0,
                "usd",
            ),
            (
                "con USD 2,3 MM de ingresos",
                "USD 2,3 MM",
                2_300_000.0,
                "usd",
            ),
        ];
        for (input, text, value, kind) in cases {
            let (t, v, k) = one(input);
            assert_eq!((t.as_str(), k), (text, kind), "{input}");
            assert!(approx(v, value), "{input}: {v} != {value}");
        }
    }

    #[test]
    fn an_abbreviated_scale_after_a_currency_scales_the_amount() {
        let all = |s: &str| -> Vec<(String, f64, Option<f64>)> {
            extract_figures(s)
                .into_iter()
                .map(|f| (f.text, f.value, f.alt_value))
                .collect()
        };
        assert_eq!(
            all("invirtió $1.5M en equipos y US$ 250K en obras"),
            [
                ("$1.5M".to_string(), 1.5e6, Some(1_500.0)),
                ("US$ 250K".to_string(), 250_000.0, None),
            ]
        );
        assert_eq!(
            all("un ajuste de -$2M"),
            [("-$2M".to_string(), -2e6, Some(-2_000.0))]
        );
        // An amount does not go on after an abbreviation as it does after a scale word.
        assert_eq!(
            all("US$ 250K 10 contratos y $2M 300 mil"),
            [
                ("US$ 250K".to_string(), 250_000.0, None),
                ("10".to_string(), 10.0, None),
                ("$2M".to_string(), 2e6, Some(2_000.0)),
                ("300 mil".to_string(), 300_000.0, None),
            ]
        );
        // Without a currency, letters glued to a number make a name of it.
        assert_eq!(
            all("500 mascarillas 3M y la 5K"),
            [("500".to_string(), 500.0, None)]
        );
    }

    #[test]
    fn units_after_thousands_join_only_a_plain_number_of_their_own() {
        let f = |s: &str| -> Vec<f64> { figures(s).into_iter().map(|(_, v, _)| v).collect() };
        assert_eq!(f("45 mil 300 afiliados"), [45_300.0]);
        assert_eq!(f("45 mil 30% de ellos"), [45_000.0, 30.0]);
        assert_eq!(f("45 mil 300.000 personas"), [45_000.0, 300_000.0]);
        assert_eq!(f("45 mil 300 mil"), [45_000.0, 300_000.0]);
        assert_eq!(f("45 mil 1234 personas"), [45_000.0, 1234.0]);
        assert_eq!(f("45 mil, 300 más"), [45_000.0, 300.0]);
        assert_eq!(f("45 mil 300m de vía"), [45_000.0]);
        assert_eq!(f("12 millones 300 personas"), [12e6, 300.0]);
        assert_eq!(f("2 mil millones 300 personas"), [2e9, 300.0]);
    }

    #[test]
    fn the_numbers_of_headings_are_not_figures() {
        for s in [
            "4.7. Cumplimiento de metas del Plan Nacional",
            "5.1 Cálculo de la población",
            "3.2.1 Estimación del NBI",
            "4.7.1.2 Prioridad de metas",
            "de la inversión. 4.7.1. Índice de cumplimiento",
            "sobre el total. 4.7. Cumplimiento de metas",
        ] {
            assert_eq!(figures(s), [], "{s} has no figure");
        }
        assert_eq!(
            figures("de la inversión del 100%. 4.7.1. Índice"),
            [("100%".to_string(), 100.0, "percent")]
        );
    }

    #[test]
    fn clause_and_item_numbers_are_not_figures() {
        let contract =
            "Cláusula Quinta.- PRECIO DEL CONTRATO 5.01.- El valor es de USD $ 53.570,18 \
            dólares.\n5.02.- Los precios acordados.\n6.13.Pagos Indebidos.- El Gobierno\n6.05.\n\
            21.01.-Si se suscitaren divergencias\n15.01 Por causas justificadas, en 15 días\n\
            72.1) Contribuyentes: Son los 3 titulares.\n1)Por cabal cumplimiento; 2) Por mutuo \
            acuerdo, 3)El contexto y, 5)Por muerte\nARTICULO 73: Base Imponible 73.1): Tasa\n\
            6.06. El pago\nÓRDENES DE TRABAJO.- 15.02 Por causas\nDEL CONTRATISTA 17.01 El Ing.\n\
            MCO – GPB- 002 – 2013, contrato 0045/2021, SETENTA CON 18/100";
        assert_eq!(
            figures(contract),
            [
                ("USD $ 53.570,18 dólares".to_string(), 53570.18, "usd"),
                ("15".to_string(), 15.0, "count"),
                ("3".to_string(), 3.0, "count"),
            ]
        );
        // What stays a figure: a parenthesis opened before it, a sentence ending on it, an
        // amount or a scale at the start of a line, a heading without its clause mark.
        for (s, value) in [
            ("en un plazo de quince (15) días", 15.0),
            ("por un valor de (1.234,56) al cierre", 1234.56),
            ("El saldo final fue 6.05.", 6.05),
            ("2.50 Dólares por cada afiliado", 2.5),
            ("1.50 Millones de personas", 1_500_000.0),
            ("12.50 en promedio", 12.5),
            ("(ver el total de 45) y los demás", 45.0),
            ("se atendió a\n1.234. Además", 1234.0),
            ("TOTAL | 12.50 Personas", 12.5),
            ("con 002 vehículos", 2.0),
            ("obtuvo 85/100 puntos en la evaluación", 85.0),
            ("los 15 días de la Ley de Presupuesto", 15.0),
            ("Artículo 5 | 676 | en total", 676.0),
            ("el saldo llegó a USD 1.500.- Los demás rubros", 1500.0),
            ("el saldo llegó a 1.500.- Los demás rubros", 1500.0),
            ("(en total 1.234) Los demás", 1234.0),
            ("101 Unidades Médicas del IESS atendieron", 101.0),
            ("El índice subió a 4.7. Luego bajó.", 4.7),
            ("Meta: 15.25 Horas de capacitación", 15.25),
            ("4.5 Hectáreas", 4.5),
        ] {
            let found = figures(s);
            assert_eq!(found.len(), 1, "{s}: {found:?}");
            assert_eq!(found[0].1, value, "{s}");
        }
    }

    #[test]
    fn dates_years_and_references_are_not_figures() {
        for s in [
            "el 15 de marzo de 2022 se firmó",
            "plan estratégico 2018-2028;",
            "Plan Estratégico 2018 – 2028",
            "durante el año 2021",
            "Rendición de Cuentas 2021",
            "RUC.0968599020001",
            "RUC: 1760004650001",
            "del artículo 90 de la Ley",
            "los artículos 100 y 208 de la Constitución",
            "Decreto Ejecutivo 111",
            "según los 86 y 87 de la Ley de Seguridad Social",
            "los artículos 24, 25 y 26 de su Reglamento General",
            "artículos 85, | 86, | 87, 88 y 89 de la LOSNCP",
            "según los artículos 85, | 86, | 87",
            "Resolución Nro. 505",
            "llame al (02) 398-1234 o al 0991234567",
            "CHIMBORAZO | hospital.riobamba@iess.gob.ec | 032961500",
            "Teléfono (05) 2 634 567 o (02) 2.634.567",
            "PBX: +593 2 398 1234, (593-2) 398-1234, +593 99 123 4567",
            "de 08:00 a 16:30",
            "fecha 14/05/2022",
            "Zona 9 de Salud",
            "virus COVID-19 y COVID19 y COVID.19",
            "MIS AS-400 / SOAM.",
            "https://www.youtube.com/watch?v=MJuwhzmM4xA",
            "niñas de 10 a 19 años de edad",
            "Menores de 1 año",
            "De 65 años y más",
            "norma ISO 9001",
            "Enero-Diciembre 2021.",
            "998029499_5101050 | Remuneraciones Unificadas",
            "Ejemplo 9: Estimación de Z",
            "el cantón 24 de Mayo",
            "Atenciones por servicio (x 1.000)",
            "Valores (× 1000 USD)",
            "Valor (USD x 1.000)",
            "Valores en x 1.000",
            "(En × 1000)",
        ] {
            assert_eq!(figures(s), [], "{s} has no figure");
        }
        // The number of a row's label names the row; its cells hold the figures.
        assert_eq!(
            figures("Provincia 4 | 15 | Parroquia 2 |"),
            [("15".to_string(), 15.0, "count")]
        );
        assert_eq!(
            figures("1. Las 101 Unidades Médicas"),
            [("101".to_string(), 101.0, "count")]
        );
    }

    #[test]
    fn a_row_of_headers_each_with_a_year_holds_no_figure() {
        let found = figures("Cantón Afiliados 2011 Afiliados 2012 Variación Jipijapa 224.410");
        assert_eq!(found, [("224.410".to_string(), 224410.0, "count")]);
        let found = figures("Nº de casos 2020 Nº de casos 2021 Quito 1.234");
        assert_eq!(found, [("1.234".to_string(), 1234.0, "count")]);
        // Counts of four digits beside each other stay counts.
        let found = figures("se atendieron 2011 pacientes, 2015 pacientes nuevos");
        assert_eq!(found.len(), 2, "{found:?}");
        let found = figures("Pacientes 2015 pacientes 2011");
        assert_eq!(
            found,
            [("2015".to_string(), 2015.0, "count")],
            "an earlier year after it does not make it a header"
        );
    }

    #[test]
    fn a_truly_ambiguous_form_keeps_both_readings() {
        let f = &extract_figures("el índice llegó a 1.199 en total")[0];
        assert_eq!((f.value, f.alt_value), (1199.0, Some(1.199)));
        let f = &extract_figures("1.199 avisos de entrada")[0];
        assert_eq!(
            (f.value, f.alt_value),
            (1199.0, None),
            "plural things are whole"
        );
        let f = &extract_figures("con USD 1.199 de saldo")[0];
        assert_eq!(f.alt_value, None);
        let f = &extract_figures("brindó 9.000 atenciones")[0];
        assert_eq!((f.value, f.alt_value), (9000.0, None));
    }

    #[test]
    fn labels_say_what_is_counted() {
        let label = |s: &str| extract_figures(s).into_iter().next().and_then(|f| f.label);
        assert_eq!(
            label("1.199 avisos de entrada durante el año").as_deref(),
            Some("avisos de entrada")
        );
        assert_eq!(
            label("obteniendo un monto total recaudado de USD 4'803.665,69.").as_deref(),
            Some("monto total recaudado")
        );
        assert_eq!(
            label("se pagaron 4.803.665,69 dólares americanos en pensiones").as_deref(),
            Some("pensiones")
        );
        assert_eq!(
            label("el incremento del 30% de ventiladores para").as_deref(),
            Some("ventiladores")
        );
        assert_eq!(
            label("187 mil atenciones médicas virtuales asistidas").as_deref(),
            Some("atenciones médicas virtuales asistidas")
        );
        assert_eq!(
            label("Atenciones por enfermedades catastróficas: 394.173").as_deref(),
            Some("Atenciones por enfermedades catastróficas")
        );
        // A list of labels and values flattened into one line: the words after a value are
        // the next value's label.
        let labels = |s: &str| -> Vec<Option<String>> {
            extract_figures(s).into_iter().map(|f| f.label).collect()
        };
        assert_eq!(
            labels(
                "Afiliados activos: 898640 Jubilados y pensionistas: 21.526 Afiliados del Seguro \
                 Social Campesino: 1 mil Empleadores activos: 1.042"
            ),
            [
                Some("Afiliados activos".to_string()),
                Some("Jubilados y pensionistas".to_string()),
                Some("Afiliados del Seguro Social Campesino".to_string()),
                Some("Empleadores activos".to_string()),
            ]
        );
        // After a colon that introduces a list, what a count counts still follows it.
        assert_eq!(
            label("Resultados: 45 pacientes con discapacidad atendidos.").as_deref(),
            Some("pacientes")
        );
        assert_eq!(
            label("$45.000.000 en recaudaciones, 600").as_deref(),
            Some("recaudaciones")
        );
        assert_eq!(
            label("una operatividad del 91,8%, que").as_deref(),
            Some("operatividad")
        );
        assert_eq!(
            label("Grupos 273.242 De 1 a 4 años 790.147").as_deref(),
            Some("Grupos")
        );
        // The participle of a compound tense is the verb, not what is counted.
        assert_eq!(
            label("Las atenciones médicas han aumentado en 14% respecto al año anterior.")
                .as_deref(),
            Some("atenciones médicas")
        );
        assert_eq!(
            label("Los créditos hipotecarios se han reducido hasta 3.400.").as_deref(),
            Some("créditos hipotecarios")
        );
        assert_eq!(
            label("no podrá exhumarse antes de haber transcurrido por lo menos 5 (cinco) años")
                .as_deref(),
            Some("años")
        );
        assert_eq!(
            label("cumplido el servicio dentro de los 15 (quince) días de haberse notificado")
                .as_deref(),
            Some("días")
        );
        // `de` joins only what a label may hold: not a verb (here a misspelt noun that reads as
        // one).
        assert_eq!(
            label("se atendieron 52.797 solicitudes de correccinó de datos").as_deref(),
            Some("solicitudes")
        );
        // Up to four words read forward, joined by `de` or a preposition followed by another.
        assert_eq!(
            label("Se habilitaron 12 camas de Unidad de Cuidados Intensivos en el hospital")
                .as_deref(),
            Some("camas de Unidad de Cuidados Intensivos")
        );
        assert_eq!(
            label("se detectaron 1.250 trabajadores sin afiliación al IESS").as_deref(),
            Some("trabajadores sin afiliación")
        );
        assert_eq!(
            label("dentro de los 15 días salvo que la ley disponga otro plazo").as_deref(),
            Some("días")
        );
        let executed =
            extract_figures("El presupuesto fue de USD 1.234.567,89 y se ha ejecutado el 87,5 %.");
        assert_eq!(executed[1].label, None);
        let row = extract_figures("Grupos 273.242 De 1 a 4 años 790.147");
        assert_eq!(row[1].label.as_deref(), Some("De 1 a 4 años"));
        assert_eq!(
            label("Total Atenciones Internos y Externos=17.940.211").as_deref(),
            Some("Atenciones Internos y Externos")
        );
        assert_eq!(
            label("efectuándose: 300 inspecciones por zona de enero a diciembre").as_deref(),
            Some("inspecciones")
        );
        assert_eq!(
            label("Se devengó el 87,5% del presupuesto.").as_deref(),
            Some("presupuesto")
        );
        assert_eq!(
            label("no exceda del 30% del valor total del contrato principal").as_deref(),
            Some("valor total del contrato principal")
        );
        // A stretch of time after an amount says when, not what: the words before it say what.
        for (text, said) in [
            ("El déficit fue de USD 1.234,56 en el año.", Some("déficit")),
            (
                "La recaudación fue de USD 45.000,00 en el primer semestre de 2021.",
                Some("recaudación"),
            ),
            ("Se recaudaron USD 45.000,00 en el período.", None),
            ("El aporte es de USD 87,50 por mes.", Some("aporte")),
            // Where it went is still what it counts.
            (
                "Se invirtieron USD 1.200,00 en el equipamiento del hospital.",
                Some("equipamiento del hospital"),
            ),
            ("USD 500,00 en el mes de enero", None),
        ] {
            assert_eq!(label(text).as_deref(), said, "{text}");
        }
        // A unit before the words is the figure's before: `USD` of `1.234,56 USD`, `ciento` of
        // a table's `14 por ciento`.
        let both = extract_figures("El déficit fue de 1.234,56 USD y la variación de -2,3 %.");
        assert_eq!(both[1].label.as_deref(), Some("variación"));
        let row = extract_figures("Variación Logroño 161.018 14 por ciento Tiwintza 273.598");
        assert_eq!(row[2].label.as_deref(), Some("Tiwintza"));
        let money =
            extract_figures("se otorgaron 77 mil préstamos quirografarios por $ 146.926,70");
        assert_eq!(money[1].label.as_deref(), Some("préstamos quirografarios"));
        // A count in parentheses after the number in words: what it counts comes after.
        for (text, said) in [
            (
                "en un plazo máximo de noventa (90) días, contados",
                Some("días"),
            ),
            (
                "La falta de pago de tres (3) cuotas consecutivas producirá",
                Some("cuotas consecutivas"),
            ),
            ("utilizando la fórmula (3): donde", None),
        ] {
            assert_eq!(label(text).as_deref(), said, "{text}");
        }
        // `total` after a noun joins its label.
        assert_eq!(
            label("Monto total: USD 5.000,00.").as_deref(),
            Some("Monto total")
        );
        assert_eq!(
            label("Valor total del contrato USD 45.000,00").as_deref(),
            Some("Valor total del contrato")
        );
        // A sign stands between the figure and the words before it.
        assert_eq!(label("variación: -2,3%.").as_deref(), Some("variación"));
        assert_eq!(
            label("Resultado del ejercicio: -USD 12.345,67").as_deref(),
            Some("Resultado del ejercicio")
        );
        // The unit of the figure before is not this one's label.
        let two = extract_figures("Se invirtieron 1,2 millones de dólares y USD 0,5 millones.");
        assert_eq!(two[1].label, None);
        for text in [
            "Se destinaron 1,2 billones de dólares estadounidenses y USD 0,5 billones.",
            "Se destinaron 1.200 dólares estadounidenses y USD 500.",
        ] {
            assert_eq!(extract_figures(text)[1].label, None, "{text}");
        }
        assert_eq!(
            label("Presupuesto de dólares: 1.234").as_deref(),
            Some("Presupuesto de dólares")
        );
        // `por un monto de`: what the amount pays for comes before it.
        let last = |s: &str| extract_figures(s).into_iter().last().and_then(|f| f.label);
        for (text, said) in [
            (
                "se adjudicaron 872 procesos de contratación pública por un monto de USD 1.234.567,89",
                "procesos de contratación pública",
            ),
            (
                "Se suscribieron convenios de pago por un monto total de USD 2'345.678,00 con",
                "convenios de pago",
            ),
            (
                "Se pagaron pensiones por un valor de USD 45.600.000 a",
                "pensiones",
            ),
            (
                "Se entregaron créditos hipotecarios con un monto de USD 3.000.000",
                "créditos hipotecarios",
            ),
            // After a break, or a verb before `por`, the amount's own noun stays.
            (
                "benefició a 222 familias, con un monto de USD 42.518,88.",
                "monto",
            ),
            ("La Dirección invirtió por un monto de USD 500.000.", "monto"),
            ("Monto total: USD 5.000,00.", "Monto total"),
            ("Asumamos que se determinó el valor de $30 millones", "valor"),
        ] {
            assert_eq!(last(text).as_deref(), Some(said), "{text}");
        }
    }

    #[test]
    fn the_verb_that_reports_a_figure_is_not_its_label() {
        let label = |s: &str| extract_figures(s).into_iter().last().and_then(|f| f.label);
        for (text, said) in [
            (
                "La cartera vencida por mora patronal se ubicó en 25609 mil dólares.",
                Some("cartera vencida por mora patronal"),
            ),
            (
                "las indemnizaciones por incapacidad permanente sumaron 289.686,39 dólares.",
                Some("indemnizaciones por incapacidad permanente"),
            ),
            (
                "Los jubilados y pensionistas de la provincia ascendieron a 6.983, de los cuales",
                Some("jubilados y pensionistas de la provincia"),
            ),
            (
                "La recaudación total alcanza USD 4'803.665,69.",
                Some("recaudación total"),
            ),
            ("el aporte se fijó en USD 87,50 mensuales", Some("aporte")),
            // Nothing said of what it counts is better than the verb.
            (
                "Del total de afiliados, 57 mil corresponden a mujeres",
                None,
            ),
            ("327 intervenciones, de las cuales el 56,3 % fueron", None),
            ("del cual se devengó USD 15'423.902,25", None),
            // A year before the verb belongs to the subject, which says what is counted.
            (
                "El presupuesto codificado de la unidad para el ejercicio fiscal 2010 fue de \
                 USD 119'138.907,93, del cual",
                Some("presupuesto codificado"),
            ),
            (
                "El número de afiliados activos en 2021 fue de 12.345.",
                Some("número de afiliados activos"),
            ),
            ("En el año 2021 se recaudó USD 4'803.665,69.", None),
            (
                "3. Gestión financiera El presupuesto de la unidad para 2010 fue de USD 5.000,00.",
                Some("presupuesto"),
            ),
            ("Meta 2 de USD 500.", None),
            (
                "se entregará a los municipios de Guayas el 6%",
                Some("municipios de Guayas"),
            ),
            ("Los municipios recibirán el 6%", Some("municipios")),
        ] {
            assert_eq!(label(text).as_deref(), said, "{text}");
        }
        // A verb stops the words of a label.
        let f =
            &extract_figures("con lo cual 40 empleadores cancelaron obligaciones por USD 1.825,62")
                [1];
        assert_eq!(f.label.as_deref(), Some("obligaciones"));
    }

    #[test]
    fn grouped_amounts_with_cents_are_money() {
        let all = figures("Bienes de consumo 96.338,93 70.761,79 73.45 %");
        assert_eq!(
            all.iter().map(|f| f.2).collect::<Vec<_>>(),
            ["usd", "usd", "percent"]
        );
        assert_eq!(one("un promedio de 3,25 consultas").2, "count");
        // As accounting systems print them, thousands grouped by commas.
        let all = figures("Remuneraciones Basicas | 31,068.00 | 4,998.96 | 3.5");
        assert_eq!(
            all.iter().map(|f| (f.1, f.2)).collect::<Vec<_>>(),
            [(31_068.0, "usd"), (4_998.96, "usd"), (3.5, "count")]
        );
        assert_eq!(one("1,234.5 kilómetros").2, "count");
        let f = &extract_figures("594 solicitudes y 155.600 de fondos de reserva")[1];
        assert_eq!((f.value, f.alt_value), (155_600.0, None));
    }

    #[test]
    fn offsets_slice_the_figure_as_written() {
        let text = "Se logró USD 4'803.665,69 y el 132.76 % de la meta.";
        for f in extract_figures(text) {
            assert_eq!(&text[f.start..f.end], f.text);
        }
    }

    #[test]
    fn dolares_typed_with_a_slip_is_a_currency() {
        let kind = |t: &str| extract_figures(t).first().map(|f| (f.text.clone(), f.kind));
        for t in [
            "12579 mil dóalres",
            "6,1 millones dlares",
            "1229 mil de dólraes",
            "300 dóólares",
            "300 dólaes",
        ] {
            assert_eq!(kind(t), Some((t.to_string(), FigureKind::Usd)), "{t}");
        }
        for t in ["300 dolores", "300 dólmenes", "300 dos", "300 dosis"] {
            assert_eq!(kind(t).map(|(_, k)| k), Some(FigureKind::Count), "{t}");
        }
    }

    #[test]
    fn a_year_before_a_headers_percent_sign_is_no_percentage() {
        let read =
            |t: &str| -> Vec<String> { extract_figures(t).into_iter().map(|f| f.text).collect() };
        assert_eq!(
            read("Grupo de gasto Devengado 2019 % Ejecución Personal 2.456.028,84 82.81 %"),
            ["2.456.028,84", "82.81 %"]
        );
        // A percentage of that size in a sentence stays one.
        assert_eq!(
            read("las consultas crecieron 2000 % en dos años"),
            ["2000 %"]
        );
        assert_eq!(read("un alza de 1250 % Total"), ["1250 %"]);
    }

    #[test]
    fn a_percentage_in_words_is_a_figure_unless_restated_in_digits() {
        let read = |t: &str| -> Vec<(String, f64, FigureKind)> {
            extract_figures(t)
                .into_iter()
                .map(|f| (f.text, f.value, f.kind))
                .collect()
        };
        let percent = |t: &str, v: f64| (t.to_string(), v, FigureKind::Percent);
        assert_eq!(
            read("Se ejecutó el noventa y cinco por ciento del presupuesto."),
            [percent("noventa y cinco por ciento", 95.0)]
        );
        assert_eq!(
            read("Cubre el CIEN POR CIENTO de la obra y un 3% de imprevistos."),
            [percent("CIEN POR CIENTO", 100.0), percent("3%", 3.0)]
        );
        // Restated in digits before or after, in the same sentence: the figure in digits
        // alone.
        for t in [
            "el cincuenta por ciento (50%), se cancelará",
            "un Derecho equivalente al (50%) cincuenta por ciento del importe",
            "Se asignó el cincuenta por ciento del presupuesto (50%) a capacitación.",
        ] {
            assert_eq!(read(t), [percent("50%", 50.0)], "{t}");
        }
        assert_eq!(
            read("El avance fue del cero por ciento."),
            [percent("cero por ciento", 0.0)]
        );
        assert_eq!(
            read("La meta fue 50 %. Se ejecutó el cincuenta por ciento de la obra."),
            [percent("50 %", 50.0), percent("cincuenta por ciento", 50.0)]
        );
        // The words must be a number ending right at `por ciento`; `doscientos` and a
        // `ciento` of its own are no percentage.
        for t in [
            "dos (2%) por ciento sobre el monto",
            "pagado por cientos de afiliados",
            "por ciento de los casos",
            "los doscientos casos",
            "un por ciento",
        ] {
            assert!(
                read(t)
                    .iter()
                    .all(|(text, _, _)| !text.contains("por ciento")),
                "{t}: {:?}",
                read(t)
            );
        }
        // A label as for digits: what the clause before says.
        let f = extract_figures("Ejecución presupuestaria: noventa por ciento.");
        assert_eq!(f[0].label.as_deref(), Some("Ejecución presupuestaria"));
    }
}
