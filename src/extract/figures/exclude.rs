//! What is not a figure: dates and ranges of years, phone numbers, times, web addresses, age
//! brackets and a table's multiplier (by pattern), references and identifiers (by the word
//! before them or the characters they are glued to), list, clause and item numbers, codes, and
//! four-digit years.

use std::sync::OnceLock;

use regex::Regex;

use super::{next_word, percent_after};
use crate::analysis::fold_key;
use crate::analysis::numbers;
use crate::analysis::text::floor_boundary;
use crate::analysis::text::is_one_of;
/// Byte ranges of dates, ranges of years, phone numbers, times, web addresses, age brackets and
/// a table's multiplier (`(x 1.000)`).
pub(super) fn excluded_ranges(text: &str) -> Vec<(usize, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let month = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
        let patterns = [
            // 15 de marzo de 2022, 1 de enero, 15 de marzo del 2022
            format!(r"(?i)\b\d{{1,2}}\s+(?:de\s+)?(?:{month})\b(?:\s+(?:de(?:l)?\s+)?\d{{4}})?"),
            // marzo de 2022, enero 2021, Enero-Diciembre 2021
            format!(r"(?i)\b(?:{month})(?:\s*[-–]\s*(?:{month}))?\s+(?:de(?:l)?\s+)?\d{{4}}\b"),
            // 14/05/2022, 14-05-2022, 2022-05-14
            r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b".to_string(),
            // 2018-2028, 2018 – 2028, 2020/2021
            r"\b(?:19|20)\d\d\s*[-–/]\s*(?:19|20)?\d\d\b".to_string(),
            // phones: (02) 398-1234, 02 398 1234, 0991234567, 1800-000-000; a city's seven
            // digits after its code in any grouping, (05) 2 634 567, and the country's code,
            // +593 2 398 1234, (593-2) 398-1234
            r"\(0\d\)\s*\d(?:[\s.-]?\d){6}\b|\b0\d[\s-]\d{3}[\s-]\d{4}\b|\b0?9\d{8}\b|\b1[\s-]?800[\s-]?\d{3}[\s-]?\d{3,4}\b|\b\d{3,4}-\d{4}\b".to_string(),
            r"(?:\+\s?593|\(\+?593)[\s-]?\(?0?\d{1,2}\)?[\s.-]?\d(?:[\s.-]?\d){6,7}\b".to_string(),
            // 08:00, 14h00, 24/7
            r"\b\d{1,2}:\d{2}\b|\b\d{1,2}h\d{2}\b|\b24\s*/\s*7\b".to_string(),
            // web and mail addresses
            r"(?i)\bhttps?://\S+|\bwww\.\S+|\S+@\S+\.\w+".to_string(),
            // a table's multiplier, where `extract::table` reads one: (x 1.000), (× 1000 USD),
            // (USD x 1.000), valores en x 1.000
            r"(?:\(|USD|\$|\b[eE][nN])\s*[xX×]\s?1(?:[.,' ]?000){1,3}\b".to_string(),
            // age brackets: de 1 a 4 años, menores de 1 año, 65 años y más, 10 a 19 años de edad
            r"(?i)\b(?:de|entre|desde)\s+\d{1,3}\s+(?:a|y|hasta|al)\s+\d{1,3}\s+años\b|\b(?:menores|mayores)\s+de\s+\d{1,3}\s+años?\b|\b\d{1,3}\s+años\s+(?:y|o)\s+más\b|\b\d{1,3}\s+a\s+\d{1,3}\s+años\b".to_string(),
        ];
        crate::extract::pattern(&patterns.join("|"))
    });
    re.find_iter(text).map(|m| (m.start(), m.end())).collect()
}

/// Words after which a number is a reference, an identifier or a label, not a quantity.
const REFERENCE_WORDS: [&str; 75] = [
    "articulo",
    "articulos",
    "art",
    "arts",
    "decreto",
    "decretos",
    "acuerdo",
    "acuerdos",
    "resolucion",
    "resoluciones",
    "oficio",
    "memorando",
    "circular",
    "ley",
    "leyes",
    "literal",
    "numeral",
    "inciso",
    "capitulo",
    "seccion",
    "titulo",
    "registro",
    "suplemento",
    "ruc",
    "cedula",
    "codigo",
    "nro",
    "no",
    "n",
    "nº",
    "num",
    "numero",
    "telefono",
    "telefonos",
    "telf",
    "tel",
    "fax",
    "celular",
    "ext",
    "extension",
    "casilla",
    "pagina",
    "paginas",
    "pag",
    "tabla",
    "grafico",
    "cuadro",
    "figura",
    "anexo",
    "zona",
    "distrito",
    "circuito",
    "provincia",
    "canton",
    "parroquia",
    "region",
    "sector",
    "etapa",
    "bloque",
    "modulo",
    "ejemplo",
    "version",
    "lote",
    "piso",
    "objetivo",
    "eje",
    "fase",
    "tipo",
    "nivel",
    "covid",
    "sars",
    "iso",
    "inen",
    "cie",
    "item",
];

/// Words between a reference word and its number (`Decreto Ejecutivo 111`, `Nro. 5`).
const REFERENCE_LINKS: [&str; 10] = [
    "ejecutivo",
    "ministerial",
    "interministerial",
    "oficial",
    "supremo",
    "organica",
    "organico",
    "nro",
    "no",
    "numero",
];

/// Whether the number at `start..end` is a reference: after a reference word, or listed after
/// one (`artículos 100 y 208`).
pub(super) fn is_reference(
    text: &str,
    start: usize,
    end: usize,
    last: Option<(usize, bool)>,
) -> bool {
    let before = &text[floor_boundary(text, start.saturating_sub(40))..start];
    if before.trim_end().ends_with('#') {
        return true;
    }
    let mut words = before
        .split(|c: char| !c.is_alphanumeric() && c != 'º')
        .filter(|w| !w.is_empty())
        .rev()
        .map(fold_key);
    let Some(prev) = words.next() else {
        return false;
    };
    if is_one_of(&prev, &REFERENCE_WORDS) {
        return true;
    }
    if is_one_of(&prev, &REFERENCE_LINKS) {
        if let Some(prev2) = words.next() {
            if is_one_of(&prev2, &REFERENCE_WORDS) {
                return true;
            }
        }
    }
    // An acronym right before a bare number names a standard or a system (`ISO 9001`).
    let raw_prev = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let bare = text[start..end].bytes().all(|b| b.is_ascii_digit());
    if bare
        && (2..=8).contains(&raw_prev.len())
        && raw_prev.chars().all(|c| c.is_ascii_uppercase())
        && !matches!(raw_prev, "USD" | "US" | "DE" | "EN" | "Y" | "A")
        && before.ends_with(' ')
        && !percent_or_scale_after(text, end)
    {
        return true;
    }
    // `artículos 100 y 208`: joined to a reference by `y`, `,`, `al`, `a`.
    if let Some((last_end, true)) = last {
        // A table's cells may stand between items of a list (`artículos 85, | 86, | 87`), but
        // cells alone do not make one: `Nº 520 | 676 | 676` is a row of figures.
        let gap = text.get(last_end..start).unwrap_or("");
        let joined = gap.len() <= 8
            && (!gap.contains('|') || gap.contains(','))
            && gap
                .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
                .all(|w| matches!(w, "" | "y" | "e" | "al" | "a" | "hasta"));
        if joined {
            return true;
        }
    }
    // `86 y 87 de la Ley`, `25 y 26 de su Reglamento`: articles of a law named after them.
    bare && law_after(text, end) && super::currency_before(text, start).is_none()
}

/// Whether a law, a regulation or a code follows the list of numbers that goes on from `end`:
/// `… y 87 de la Ley de Seguridad Social`.
fn law_after(text: &str, end: usize) -> bool {
    const LAWS: [&str; 12] = [
        "de la ley",
        "de esta ley",
        "de la presente ley",
        "de la losncp",
        "del reglamento",
        "de su reglamento",
        "de este reglamento",
        "de la constitucion",
        "del codigo",
        "del cootad",
        "de la ordenanza",
        "de la presente ordenanza",
    ];
    let mut rest = text.get(end..).unwrap_or("");
    // At most a few more numbers: `85, 86, 87, 88 y 89 de la LOSNCP`.
    for _ in 0..8 {
        let item = rest.trim_start_matches([' ', ',', '|', '\u{a0}']);
        let item = ["y ", "e ", "o "]
            .iter()
            .find_map(|link| item.strip_prefix(link))
            .unwrap_or(item);
        let digits = item.len() - item.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        rest = &item[digits..];
        if digits == 0 {
            break;
        }
    }
    // Every law above opens with `de`: most numbers are told without folding what follows.
    if !rest.starts_with(|c: char| c == 'd' || c == 'D' || !c.is_ascii()) {
        return false;
    }
    let head = fold_key(&rest[..floor_boundary(rest, 40)]);
    LAWS.iter().any(|law| head.starts_with(law))
}

fn percent_or_scale_after(text: &str, end: usize) -> bool {
    percent_after(text, end).is_some() || numbers::scale_after(text, end).is_some()
}

/// `COVID-19`, `AS-400`, `IESS-DP-2021-001`: a number glued by `-`, `.`, `/` or `_` to a word.
pub(super) fn glued_to_identifier(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match (before.next(), before.next()) {
        (Some('-' | '.' | '/' | '_' | '\u{2010}' | '\u{2011}'), Some(c)) => c.is_alphanumeric(),
        _ => false,
    }
}

/// `1. Las 101 Unidades`: a list number opening a passage or a line.
pub(super) fn is_list_number(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '\t']);
    let opens = before.is_empty()
        || before.ends_with(['\n', ':', ';'])
        || before.chars().all(|c| !c.is_alphanumeric());
    let after = &text[end..];
    opens
        && end - start <= 2
        && (after.starts_with(". ") || after.starts_with(") ") || after.starts_with(".\t"))
}

/// A number that opens a clause, a part of an article or an item of a list instead of counting
/// anything: `5.01.- El valor`, `21.01.-Si`, `72.1) Contribuyentes`, `y, 5)Por muerte`, and at
/// the start of a line `6.13.Pagos`, `6.05.` alone or `15.01 Por causas`. Contracts, ordinances
/// and numbered reports write their clauses so.
pub(super) fn is_section_number(text: &str, start: usize, end: usize) -> bool {
    marks_a_clause(text, start, end) && super::currency_before(text, start).is_none()
}

/// [`is_section_number`] but for the currency, which is looked for last: most numbers are
/// told by their shape and the characters after them.
fn marks_a_clause(text: &str, start: usize, end: usize) -> bool {
    let written = &text[start..end];
    let digits = |s: &str, most: usize| {
        (1..=most).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    // Clauses are numbered `5`, `21`, `5.1`, `5.01`, `191.2`; an amount is not (`1.500`, `$ 5`,
    // its currency looked for by the caller).
    let clause_like = match written.split_once('.') {
        None => digits(written, 3),
        Some((whole, part)) => digits(whole, 3) && digits(part, 2),
    };
    if !clause_like {
        return false;
    }
    let after = &text[end..];
    if [".-", ".–", ".—"]
        .iter()
        .any(|mark| after.starts_with(mark))
    {
        return true;
    }
    // A level of a numbered heading (`3.2.1 Estimación`, `4.7.1. Índice`): no quantity has a
    // second decimal point, and grouped thousands (`1.234.567`) are read whole before this.
    if after
        .strip_prefix('.')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    {
        return true;
    }
    let capital_at = |rest: &str| rest.chars().next().is_some_and(char::is_uppercase);
    // A closing parenthesis that nothing opened, then a capital: `3)El contexto`,
    // `73.1): Tasa`. Not `quince (15) días`, nor accounting's `(1.234,56)`.
    if let Some(rest) = after.strip_prefix(')') {
        let opened = text[..start].trim_end().ends_with('(');
        return !opened && capital_at(rest.trim_start_matches([':', ' ', '\t']));
    }
    // `15.01`, `6.05`: a point and two digits, as the clauses of a contract are numbered.
    let shaped = written
        .split_once('.')
        .is_some_and(|(_, part)| part.len() == 2);
    // Then a capitalised word that is no currency (`2.50 Dólares`), scale (`1.50 Millones`) nor
    // percentage (`12.50 Por ciento`).
    let next = after.strip_prefix('.').unwrap_or(after);
    let mut word = next.strip_prefix(' ').unwrap_or("").chars();
    let capitalised = word.next().is_some_and(char::is_uppercase)
        && word.next().is_some_and(char::is_lowercase)
        && super::currency_after(text, end).is_none()
        && numbers::scale_after(text, end).is_none()
        && percent_after(text, end).is_none();
    // Only blanks between the start of its line and the number: read back over them alone.
    let opens_line = text[..start]
        .trim_end_matches(|c: char| c.is_whitespace() && c != '\n')
        .chars()
        .next_back()
        .is_none_or(|c| c == '\n');
    // Or after the end of a sentence, where a heading joined to the paragraph before it
    // starts: `… del 100%. 4.7. Cumplimiento de metas`.
    let opens_heading = opens_line || text[..start].trim_end().ends_with('.');
    if opens_heading {
        // At the start of a line: `6.13.Pagos`, and for a clause's number `6.05.` alone,
        // `6.05. El pago`, `4.7. Cumplimiento` or `15.01 Por causas`.
        if let Some(rest) = after.strip_prefix('.') {
            if capital_at(rest) || (capital_at(rest.trim_start_matches(' ')) && capitalised) {
                return true;
            }
            let rest = rest.trim_start_matches([' ', '\t']);
            if opens_line && shaped && (rest.is_empty() || rest.starts_with(['\n', '\r'])) {
                return true;
            }
        }
        // A heading's number with one decimal (`5.1 Cálculo de la población`): a word in
        // capitals and two more after it, where a table's line holds a number and one word.
        // Not a whole number: `101 Unidades Médicas del IESS` counts them.
        let decimal = written.contains('.');
        return capitalised && (shaped || (decimal && words_on_line(after) >= 3));
    }
    if !(shaped && capitalised) {
        return false;
    }
    // After a clause's heading: `TRABAJO.- 15.01 Por causas`, `DEL CONTRATISTA 17.01 El Ing.`
    // (a word in capitals), but not in a table row.
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim_end();
    let heading = before.ends_with(".-")
        || before
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.chars().count() >= 4 && w.chars().all(char::is_uppercase));
    heading && !text[line_start..start].contains('|')
}

/// The words from the start of `rest` to the end of its line.
fn words_on_line(rest: &str) -> usize {
    rest.split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .split_whitespace()
        .count()
}

/// Part of a code or a fraction of cents rather than a quantity: a number written with a
/// leading zero beside a dash or slash (`MCO – GPB- 002 – 2013`, `Nº 0045/2021`), and the cents
/// after an amount in words (`CINCUENTA DÓLARES CON 18/100`).
pub(super) fn is_code_part(text: &str, start: usize, end: usize) -> bool {
    let written = &text[start..end];
    let after = text[end..].trim_start_matches([' ', '\u{a0}']);
    if after.starts_with("/100") && written.len() <= 2 {
        // `… SETENTA CON, 18/100`: what follows an amount in words. Not a score (`85/100`).
        let word_before = text[..start]
            .trim_end_matches([' ', ',', '\u{a0}'])
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        return word_before.eq_ignore_ascii_case("con");
    }
    let padded = written.len() >= 2
        && written.starts_with('0')
        && written.bytes().all(|b| b.is_ascii_digit());
    let dash = ['-', '–', '—', '/'];
    padded && (text[..start].trim_end().ends_with(dash) || after.starts_with(dash))
}

/// A run of digits without separators that no quantity is written as: ten or more (RUC,
/// cédula, account numbers), or seven or more after a leading zero (a landline with its
/// area code, `032961500`; a code).
pub(super) fn is_long_identifier(text: &str, start: usize, end: usize) -> bool {
    let digits = &text[start..end];
    let long = digits.len() >= 10 || (digits.len() >= 7 && digits.starts_with('0'));
    long && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A four-digit number that reads as a year: no plural noun after it, or a year word before.
pub(super) fn is_year_like(text: &str, start: usize, end: usize, value: f64) -> bool {
    if !(1950.0..=2100.0).contains(&value) {
        return false;
    }
    const YEAR_WORDS: [&str; 24] = [
        "ano",
        "anos",
        "en",
        "de",
        "del",
        "el",
        "periodo",
        "ejercicio",
        "gestion",
        "hasta",
        "desde",
        "a",
        "al",
        "y",
        "fiscal",
        "plan",
        "agenda",
        "cuentas",
        "durante",
        "para",
        "entre",
        "diciembre",
        "enero",
        "corte",
    ];
    let prev = text[..start]
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .map(fold_key);
    if prev.as_deref().is_some_and(|p| is_one_of(p, &YEAR_WORDS)) {
        return true;
    }
    // A column header flattened into the text: `Afiliados 2011 Afiliados 2012`.
    if prev
        .as_deref()
        .is_some_and(|p| header_repeats_with_later_year(text, end, value, p))
    {
        return true;
    }
    // `1980 pacientes` counts; `2021 se ejecutó` is a year.
    !next_word(text, end).is_some_and(|w| w.len() > 3 && w.ends_with('s') && !w.ends_with("mos"))
}

/// The words after the number at `end` end with `prev`, the word before it, then a later year
/// of the same decade, written plain: the number is one of a row of column headers, each the
/// same words and a year (`Afiliados 2011 Afiliados 2012`, `Nº de casos 2020 Nº de casos 2021`).
fn header_repeats_with_later_year(text: &str, end: usize, value: f64, prev: &str) -> bool {
    let mut before: Option<String> = None;
    for token in text[end..].split_whitespace().take(6) {
        let digits = token.trim_end_matches(|c: char| !c.is_ascii_digit());
        if digits.starts_with(|c: char| c.is_ascii_digit()) {
            return digits.len() == 4
                && digits.bytes().all(|b| b.is_ascii_digit())
                && before.as_deref() == Some(prev)
                && digits
                    .parse::<f64>()
                    .is_ok_and(|later| later > value && later - value <= 10.0);
        }
        before = Some(fold_key(token.trim_matches(|c: char| !c.is_alphanumeric())));
    }
    false
}
