//! Table rows: a line whose cells are separated by tabs (as the PDF reader writes the rows of a
//! table, and as spreadsheet exports do) is a passage of its own, its cells kept apart by
//! [`CELL_SEPARATOR`], each cell knowing its column's header.
//!
//! Headers are the rows of words (no amounts) at the top of a table; several such rows stack
//! into one header per column (`Presupuesto` over `codificado`). A figure in a row gets the
//! row's label (its cells of words) and its column's header as its label and its
//! [`TableCell`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Figure, FigureKind};
use crate::analysis::text::{is_year, push_wrapped};

/// What stands between two cells in a row passage's text.
pub const CELL_SEPARATOR: &str = " | ";

/// Where a figure sits in a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TableCell {
    /// The row's label: its cells of words (`Sueldos y salarios`).
    pub row: String,
    /// The column's header (`Devengado`); empty when the table has none.
    pub column: String,
    /// What its table or column says its numbers are in (`Cifras en millones de dólares`,
    /// `millones USD`), as written, when the figure's value was read in them: `23.950,2` is
    /// 23,950.2 million dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
}

impl TableCell {
    /// What the figure's value is its number as written times: `1e6` in millions.
    pub fn factor(&self) -> f64 {
        self.units
            .as_deref()
            .and_then(units_in)
            .map_or(1.0, |u| u.factor)
    }
}

/// One cell of a row line: its column and its byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawCell {
    /// Index of its column in the row, from 0 (empty columns count).
    pub column: usize,
    /// Start of its text in the source.
    pub start: usize,
    /// End (exclusive) of its text in the source.
    pub end: usize,
}

/// The non-empty cells of the row `line`, which starts at byte `offset` of the source.
pub fn cells(line: &str, offset: usize) -> Vec<RawCell> {
    let mut out = Vec::new();
    let mut pos = 0;
    for (column, cell) in line.split('\t').enumerate() {
        let lead = cell.len() - cell.trim_start().len();
        let trimmed = cell.trim();
        if !trimmed.is_empty() {
            let start = offset + pos + lead;
            out.push(RawCell {
                column,
                start,
                end: start + trimmed.len(),
            });
        }
        pos += cell.len() + 1;
    }
    out
}

/// Whether a cell is a number rather than words: most of its characters are digits and the
/// marks numbers are written with.
pub fn is_numeric(cell: &str) -> bool {
    let (mut digits, mut other) = (0usize, 0usize);
    for c in cell.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_digit() {
            digits += 1;
        } else if matches!(
            c,
            '.' | ',' | '\'' | '’' | '-' | '(' | ')' | '%' | '$' | '+'
        ) {
        } else {
            other += 1;
        }
    }
    digits > 0 && other <= digits / 3
}

/// A row of labels and years only (`Indicador | 2019 | 2020`, `2007 | 2008 | 2009`): part of a
/// table's header. A year heads a column of figures far more often than it is one.
pub fn is_header_row(source: &str, cells: &[RawCell]) -> bool {
    cells.len() >= 2
        && cells.iter().all(|c| {
            let s = &source[c.start..c.end];
            is_year(s) || is_label(s)
        })
}

/// A piece of a column's label set on a line of its own between a table's header rows
/// (`Km2)` under `Área (miles`, `NBI` over four columns): one label, in a column that is not
/// the first. It stacks onto the header being read, and opens none.
pub fn is_header_piece(source: &str, cells: &[RawCell]) -> bool {
    matches!(cells, [c] if c.column > 0 && is_label(&source[c.start..c.end]))
}

/// Most words a column's label holds on one line: more is prose that a gap in the line (a
/// formula, an image) cut into cells.
const LABEL_WORDS: usize = 10;

/// A cell that can head a column: words, not a number, not a sentence or its start (too
/// long, or leading to what follows with a colon), and not a field with its value
/// (`Ejercicio: 2025`, `Hoja: 1 de 3`, a report's details set over a table).
fn is_label(cell: &str) -> bool {
    let words = cell.split_whitespace().count();
    let sentence = words > LABEL_WORDS || (words > 4 && cell.ends_with(':'));
    !is_numeric(cell)
        && cell.chars().any(char::is_alphabetic)
        && !sentence
        && !is_field(cell)
        && !is_connector(cell)
}

/// A capitalised word that only leads to what follows (`Al` of `Al 31 de diciembre del 2013`,
/// a gap between them): the start of a phrase, not a column's label. A header wrapped over
/// lines may hold one alone in lowercase or in capitals (`Monto` / `de` / `inversión`), and
/// single letters are labels (`a | b | c = a + b`).
fn is_connector(cell: &str) -> bool {
    const CONNECTORS: [&str; 13] = [
        "al", "de", "del", "el", "la", "las", "los", "en", "por", "para", "con", "desde", "hasta",
    ];
    let word = cell.trim();
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.all(char::is_lowercase)
        && crate::analysis::text::folds_to_one_of(word, &CONNECTORS)
}

/// A name, a colon and a value: `Ejercicio:2025`, `Período: enero - diciembre`.
fn is_field(cell: &str) -> bool {
    cell.split_once(':').is_some_and(|(name, value)| {
        name.chars().any(char::is_alphabetic) && !value.trim().is_empty()
    })
}

/// The header of each column, built from consecutive header rows.
#[derive(Debug, Default, Clone)]
pub struct Header {
    columns: Vec<String>,
    /// The last row read was a header row (the next one stacks under it).
    open: bool,
}

impl Header {
    /// Takes a header row: stacks under the rows just before it, or starts a new header.
    pub fn add_row(&mut self, source: &str, cells: &[RawCell]) {
        if !self.open {
            self.columns.clear();
        }
        self.open = true;
        for c in cells {
            if self.columns.len() <= c.column {
                self.columns.resize(c.column + 1, String::new());
            }
            // A word hyphenated across two lines of the header (`Ejecu-` over `tado`) is mended.
            push_wrapped(&mut self.columns[c.column], &source[c.start..c.end]);
        }
    }

    /// Whether the last row read was a header row, so that the next one stacks under it.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// A data row was read: the next header row starts a new header.
    pub fn close(&mut self) {
        self.open = false;
    }

    /// Forgets the header (the table ended).
    pub fn clear(&mut self) {
        self.columns.clear();
        self.open = false;
    }

    /// The header of `column`, empty when unknown.
    pub fn of(&self, column: usize) -> &str {
        self.columns.get(column).map_or("", String::as_str)
    }

    /// Whether no column has a header.
    pub fn is_empty(&self) -> bool {
        self.columns.iter().all(String::is_empty)
    }
}

/// Labels the figures of a row passage: `text` is the passage (cells joined by
/// [`CELL_SEPARATOR`]), `columns` the header of each of its cells, `units` what its table says
/// its numbers are in (`Cifras en millones de dólares`), when it says so.
pub fn label_figures(text: &str, columns: &[String], units: Option<&str>, figures: &mut [Figure]) {
    if columns.is_empty() {
        return;
    }
    let cells: Vec<(usize, &str)> = {
        let mut out = Vec::new();
        let mut pos = 0;
        for cell in text.split(CELL_SEPARATOR) {
            out.push((pos, cell));
            pos += cell.len() + CELL_SEPARATOR.len();
        }
        out
    };
    let row: Vec<&str> = cells
        .iter()
        .map(|&(_, c)| c.trim())
        .filter(|c| !is_numeric(c) && c.chars().any(char::is_alphabetic))
        .collect();
    let row = row.join(" ");
    // In a row of amounts of money, a plain number with cents (`-158.96`) is money too.
    let money = figures.iter().any(|f| f.kind == FigureKind::Usd);
    let table_units = units.and_then(|u| units_in(u).map(|found| (found, u)));
    // A row of shares or of counts (`Tasa de variación`) is not in the table's units.
    let row_apart = matches!(
        column_kind(&row),
        Some(ColumnKind::Share | ColumnKind::NotMoney)
    );
    let row_counted = names_counted(&row);
    for figure in figures {
        let index = cells
            .iter()
            .rposition(|&(start, _)| start <= figure.start)
            .unwrap_or(0);
        let column = columns.get(index).cloned().unwrap_or_default();
        let kind = column_kind(&column);
        if figure.kind == FigureKind::Count {
            match kind {
                Some(ColumnKind::Share) => as_percent(figure),
                Some(ColumnKind::Money) if has_cents(&figure.text) => as_money(figure),
                _ if money && has_cents(&figure.text) => as_money(figure),
                _ => {}
            }
        }
        // The column's own units (`Gasto (millones)`), else the table's, but not for a column
        // or a row of what is not money (`Número de GAD`) in a table of money.
        let applied = match (units_in(&column), table_units) {
            (Some(u), _) => Some((u, column.as_str())),
            (None, Some((u, note)))
                if !row_apart
                    && kind != Some(ColumnKind::NotMoney)
                    // People and things counted in a table of dollars (`Beneficiarios`).
                    && !(u.money
                        && kind != Some(ColumnKind::Money)
                        && (row_counted || names_counted(&column))) =>
            {
                Some((u, note))
            }
            _ => None,
        };
        let shown_units = applied
            .filter(|&(u, _)| in_units(figure, u, kind))
            .map(|(u, said)| said[u.start..u.end].to_string());
        match cell_label(&row, &column) {
            Some(label) => figure.label = Some(label),
            None if shown_units.is_none() => continue,
            None => {}
        }
        figure.table = Some(TableCell {
            row: row.clone(),
            column,
            units: shown_units,
        });
    }
}

/// The label a table row gives its figures: the row's words and the column's header
/// (`Sueldos y salarios · Devengado`), either alone when the other is empty; `None` when both
/// are.
pub fn cell_label(row: &str, column: &str) -> Option<String> {
    match (row.is_empty(), column.is_empty()) {
        (false, false) => Some(format!("{row} · {column}")),
        (false, true) => Some(row.to_string()),
        (true, false) => Some(column.to_string()),
        (true, true) => None,
    }
}

/// What a table or a column says its numbers are in: `Cifras en millones de dólares`,
/// `(en miles de USD)`, `Valores en dólares`, `(USD millones)`, `(millones)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Units {
    /// Byte range of the words that say it: from a word that introduces them (`Cifras`) or
    /// the `en` or `(` before them, to the last of them.
    pub start: usize,
    /// Its end (exclusive).
    pub end: usize,
    /// What each number is multiplied by: 1 when only the currency is said.
    pub factor: f64,
    /// Whether the numbers are amounts of money.
    pub money: bool,
    /// Whether words introduce them (`Cifras en`, `(en`): a line that says only `(miles)` or
    /// `(USD)` may be a piece of a column's header set on a line of its own.
    pub introduced: bool,
}

/// The units that `text` declares for the numbers of a table or a column, if it declares any:
/// `en` or `(` followed by a scale (`miles`, `millones`, `miles de millones`, or a multiplier,
/// `x 1.000`), a currency (`dólares`, `USD`, `US$`, `$`) or both, in either order. A scale
/// after a number (`14,4 millones de dólares`) is an amount, not a declaration.
pub fn units_in(text: &str) -> Option<Units> {
    // Every short line of a report and every figure of a table row asks of its column: most
    // have no scale or currency, or nothing before it.
    if !may_declare_units(text.as_bytes()) {
        return None;
    }
    let tokens = unit_tokens(text);
    for (i, &(start, token)) in tokens.iter().enumerate() {
        let mut j = i + 1;
        let mut introduced = token == UnitToken::En;
        match token {
            UnitToken::Open => {
                if matches!(tokens.get(j), Some((_, UnitToken::En))) {
                    j += 1;
                    introduced = true;
                }
            }
            UnitToken::En => {}
            _ => continue,
        }
        // `(x 1.000)`: a multiplier says what it is without other words.
        if matches!(tokens.get(j), Some((_, UnitToken::Times))) {
            j += 1;
            introduced = true;
        }
        let (mut factor, mut money, mut end) = (None, false, start);
        // Up to one scale and one currency, with `de` or `x` between them (`USD x 1.000`).
        for _ in 0..4 {
            match tokens.get(j) {
                Some(&(_, UnitToken::Scale(f, e))) if factor.is_none() => {
                    factor = Some(f);
                    end = e;
                }
                Some(&(_, UnitToken::Money(e))) if !money => {
                    money = true;
                    end = e;
                }
                Some((_, UnitToken::De)) if factor.is_some() && !money => {}
                Some((_, UnitToken::Times)) if factor.is_none() && money => introduced = true,
                _ => break,
            }
            j += 1;
        }
        if factor.is_none() && !money {
            continue;
        }
        // `(millones USD)` whole, with its closing parenthesis.
        if let (UnitToken::Open, Some(&(close, UnitToken::Close))) = (token, tokens.get(j)) {
            end = close + 1;
        }
        // `Cifras en millones`: the word that introduces the declaration is part of it.
        let start = match i.checked_sub(1).map(|k| tokens[k]) {
            Some((s, UnitToken::Intro)) if token == UnitToken::En => s,
            _ => start,
        };
        return Some(Units {
            start,
            end,
            factor: factor.unwrap_or(1.0),
            money,
            introduced,
        });
    }
    None
}

/// Whether `text` holds a start of a scale or a currency (`mil`es, `mil`lones, dó`lar`es,
/// `usd`, `$`) and a `(` or an `en`, in one pass over its bytes.
fn may_declare_units(text: &[u8]) -> bool {
    let (mut unit, mut intro) = (false, false);
    let next = |i: usize, part: &[u8]| {
        text.get(i + 1..i + 1 + part.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(part))
    };
    for (i, &b) in text.iter().enumerate() {
        match b.to_ascii_lowercase() {
            b'$' => unit = true,
            b'm' => unit |= next(i, b"il"),
            b'l' => unit |= next(i, b"ar"),
            b'u' => unit |= next(i, b"sd"),
            // `x 1.000`, `× 1000`: a multiplier.
            b'x' | 0x97 => unit |= next(i, b" 1") || next(i, b"1"),
            b'(' => intro = true,
            b'e' => intro |= next(i, b"n ") && (i == 0 || text[i - 1] == b' '),
            _ => {}
        }
        if unit && intro {
            return true;
        }
    }
    false
}

/// A word or sign of a declaration of units, with its end where it needs one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum UnitToken {
    Open,
    Close,
    En,
    De,
    /// `Cifras`, `Valores`, `Montos`, `Expresado`: words that introduce units.
    Intro,
    /// A scale and where its words end.
    Scale(f64, usize),
    /// A currency and where it ends.
    Money(usize),
    /// `x` or `×` before a multiplier (`x 1.000`), which follows as a scale.
    Times,
    Other,
}

/// The words and signs of `text` as [`UnitToken`]s, each with its start.
fn unit_tokens(text: &str) -> Vec<(usize, UnitToken)> {
    let mut out: Vec<(usize, UnitToken)> = Vec::new();
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let start = at;
        if !crate::analysis::text::is_word_char(c) {
            at += c.len_utf8();
            let token = match c {
                '(' => UnitToken::Open,
                ')' => UnitToken::Close,
                '$' => UnitToken::Money(at),
                '×' => UnitToken::Times,
                _ if c.is_whitespace() => continue,
                _ => UnitToken::Other,
            };
            // `US$`: the currency is the word and its sign.
            if let (UnitToken::Money(end), Some((_, UnitToken::Money(last)))) =
                (token, out.last_mut())
            {
                if *last == start {
                    *last = end;
                    continue;
                }
            }
            out.push((start, token));
            continue;
        }
        // `1.000` after `x`: a multiplier, read as a scale.
        if let (true, Some((factor, end))) = (
            matches!(out.last(), Some((_, UnitToken::Times))),
            multiplier(&text[start..]),
        ) {
            at = start + end;
            out.push((start, UnitToken::Scale(factor, at)));
            continue;
        }
        let end = text[at..]
            .find(|c: char| !crate::analysis::text::is_word_char(c))
            .map_or(text.len(), |i| at + i);
        at = end;
        let token = crate::analysis::text::with_fold_key(&text[start..end], |w| match w {
            "en" => UnitToken::En,
            "de" => UnitToken::De,
            "cifras" | "valores" | "montos" | "importes" | "datos" | "expresado" | "expresados"
            | "expresadas" => UnitToken::Intro,
            "miles" => UnitToken::Scale(1e3, end),
            "millones" => UnitToken::Scale(1e6, end),
            "dolares" | "dolar" | "usd" | "us" => UnitToken::Money(end),
            "x" => UnitToken::Times,
            _ => UnitToken::Other,
        });
        // `miles de millones`: a thousand millions.
        if let (
            UnitToken::Scale(1e6, end),
            [.., (_, UnitToken::Scale(1e3, _)), (_, UnitToken::De)],
        ) = (token, out.as_slice())
        {
            out.pop();
            if let Some(last) = out.last_mut() {
                last.1 = UnitToken::Scale(1e9, end);
            }
            continue;
        }
        out.push((start, token));
    }
    out
}

/// The power of a thousand that `text` starts with (`1.000`, `1000`, `1'000.000`, `1 000`),
/// with where it ends.
fn multiplier(text: &str) -> Option<(f64, usize)> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'1') {
        return None;
    }
    let (mut zeros, mut end) = (0, 1);
    while end < bytes.len() {
        match bytes[end] {
            b'0' => zeros += 1,
            // A separator between groups of three zeros.
            b'.' | b',' | b'\'' | b' ' if zeros % 3 == 0 && bytes.get(end + 1) == Some(&b'0') => {}
            _ => break,
        }
        end += 1;
    }
    let glued = bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric());
    match zeros {
        3 | 6 | 9 if !glued => Some((10f64.powi(zeros), end)),
        _ => None,
    }
}

/// Puts `figure` in the units `units` of its table or column, whose header says `kind`:
/// scaled by the factor (a figure with a scale of its own, `USD 14,4 millones`, keeps its
/// value), and money when the units are. Shares are never in a table's units. Returns whether
/// the figure took them.
fn in_units(figure: &mut Figure, units: Units, kind: Option<ColumnKind>) -> bool {
    if figure.kind == FigureKind::Percent || kind == Some(ColumnKind::Share) {
        return false;
    }
    if has_scale_word(&figure.text) {
        return false;
    }
    // A scale says that the numbers are amounts; under a header of money, amounts of money.
    if figure.kind == FigureKind::Count
        && (units.money || (units.factor > 1.0 && kind == Some(ColumnKind::Money)))
    {
        figure.kind = FigureKind::Usd;
    }
    figure.value = crate::analysis::numbers::scaled(figure.value, units.factor);
    if let Some(alt) = figure.alt_value.as_mut() {
        *alt = crate::analysis::numbers::scaled(*alt, units.factor);
    }
    true
}

/// The values of a table row's figures that its table's or column's units scaled
/// (`23.950,2` in millions is `23950200000`), as the text the index holds with the row: a
/// search for the amount finds the cell that writes it in millions, and marks it.
pub fn values_in_units(figures: &[Figure]) -> String {
    let mut out = String::new();
    for f in figures {
        if f.table.as_ref().is_some_and(|t| t.units.is_some()) {
            for value in std::iter::once(f.value).chain(f.alt_value) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&crate::analysis::numbers::canonical(value.abs()));
            }
        }
    }
    out
}

/// Whether a figure as written carries a scale of its own (`14,4 millones`, `$1.5M`, `250K`).
fn has_scale_word(written: &str) -> bool {
    written.split(|c: char| !c.is_alphabetic()).any(|w| {
        matches!(w, "M" | "MM" | "K" | "k")
            || crate::analysis::text::with_fold_key(w, |w| {
                matches!(
                    w,
                    "mil" | "miles" | "millon" | "millones" | "billon" | "billones"
                )
            })
    })
}

/// Whether a header or a row's label names people or things counted (`Beneficiarios`,
/// `Atenciones médicas`, `Afiliados`): a table of dollars does not make their numbers money.
fn names_counted(header: &str) -> bool {
    /// Starts of the folded words of what the reports count.
    const COUNTED: [&str; 14] = [
        "beneficiari",
        "afiliad",
        "atencion",
        "paciente",
        "poblacion",
        "habitante",
        "personas",
        "jubilad",
        "pensionista",
        "usuario",
        "consulta",
        "servidor",
        "emplead",
        "trabajador",
    ];
    !header.is_empty()
        && crate::analysis::text::with_fold_key(header, |folded| {
            crate::analysis::text::words(folded)
                .any(|(_, w)| COUNTED.iter().any(|c| w.starts_with(c)))
        })
}

/// What a column's header says of the plain numbers under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    /// Shares: its numbers are percentages.
    Share,
    /// Amounts of money: its numbers with cents are money.
    Money,
    /// What is computed from money or counted, not money (`Logaritmo del Ingreso`, `Número`).
    NotMoney,
}

/// What a column's header (or a row's label) says of the plain numbers under it:
/// - a share: a `%` of its own (`% Cumplimiento`, `Ejecución (%)`; not the `27%` of a name
///   such as `Gobiernos Provinciales (27%)`), or `porcentaje`;
/// - money: the words of budgets and accounts (`Asignación Inicial`, `Codificado`,
///   `Devengado`, `Saldo por comprometer`, `Monto`, `USD`). Only numbers with cents take it
///   (`255.05`): a column of `Ingresos` may count hospital admissions, never with cents.
///
/// A share wins over money (`% Ejecución presupuestaria`).
fn column_kind(header: &str) -> Option<ColumnKind> {
    /// Starts of the folded words of a header over amounts of money.
    const MONEY: [&str; 24] = [
        "presupuest",
        "asignacion",
        "asignado",
        "codificad",
        "devengad",
        "pagad",
        "comprom",
        "reforma",
        "saldo",
        "monto",
        "costo",
        "precio",
        "dolar",
        "usd",
        "recaud",
        "ingreso",
        "egreso",
        "gasto",
        "inversion",
        "credito",
        "remuneracion",
        "sueldo",
        "salario",
        "importe",
    ];
    /// Starts of the folded words of a header over numbers made from money but not money, or
    /// over codes (`Partida`, `Grupo`).
    const NOT_MONEY: [&str; 12] = [
        "logaritm",
        "indice",
        "indicador",
        "coeficient",
        "tasa",
        "numero",
        "cantidad",
        "nro",
        "partida",
        "grupo",
        "codigo",
        "item",
    ];
    if header.is_empty() {
        return None;
    }
    let own_percent = header.char_indices().any(|(i, c)| {
        c == '%'
            && !header[..i]
                .trim_end()
                .ends_with(|c: char| c.is_ascii_digit())
    });
    // Folded into the thread's buffer: every figure of a table row asks of its column.
    crate::analysis::text::with_fold_key(header, |folded| {
        let words = || crate::analysis::text::words(folded).map(|(_, w)| w);
        if own_percent || words().any(|w| w.starts_with("porcentaj") || w == "porcentual") {
            return Some(ColumnKind::Share);
        }
        // What is computed from money is not always money (`Logaritmo del Ingreso`).
        if words().any(|w| NOT_MONEY.iter().any(|m| w.starts_with(m))) {
            return Some(ColumnKind::NotMoney);
        }
        if header.contains('$') || words().any(|w| MONEY.iter().any(|m| w.starts_with(m))) {
            return Some(ColumnKind::Money);
        }
        None
    })
}

/// Makes `figure`, read as a count, an amount of money: its cents leave one reading.
fn as_money(figure: &mut Figure) {
    figure.kind = FigureKind::Usd;
    figure.alt_value = None;
}

/// Makes `figure`, read as a count, a share: of two readings, a share in the thousands is
/// the one with decimals (`12.500` is 12.5 %), as for a figure written with `%`.
fn as_percent(figure: &mut Figure) {
    figure.kind = FigureKind::Percent;
    if let Some(alt) = figure.alt_value {
        let (grouped, decimal) = if alt.abs() > figure.value.abs() {
            (alt, figure.value)
        } else {
            (figure.value, alt)
        };
        if grouped.abs() > 1000.0 {
            figure.value = decimal;
            figure.alt_value = None;
        }
    }
}

/// `158.96`, `(2.500,00)`: two decimals after the last mark.
fn has_cents(text: &str) -> bool {
    let digits = text.trim_end_matches(')');
    match digits.rfind(['.', ',']) {
        Some(i) => {
            let cents = &digits[i + 1..];
            cents.len() == 2 && cents.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Column headers as stored in the index: joined by a unit separator.
pub fn join_columns(columns: &[String]) -> String {
    columns.join("\u{1f}")
}

/// The inverse of [`join_columns`].
pub fn split_columns(stored: &str) -> Vec<String> {
    if stored.is_empty() {
        return Vec::new();
    }
    stored.split('\u{1f}').map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_their_columns_and_offsets() {
        let line = "Sueldos\t\t1.250,00\t 85,50";
        let cells = cells(line, 10);
        assert_eq!(
            cells.iter().map(|c| c.column).collect::<Vec<_>>(),
            [0, 2, 3]
        );
        assert_eq!(cells[2].start, 10 + line.find("85").expect("in line"));
    }

    #[test]
    fn numbers_and_words_are_told_apart() {
        assert!(is_numeric("1.250.000,00"));
        assert!(is_numeric("(1.234,56)"));
        assert!(is_numeric("-85,5 %"));
        assert!(!is_numeric("Sueldos y salarios"));
        assert!(!is_numeric("Presupuesto 2013"));
    }

    #[test]
    fn labels_and_years_make_a_header_row_prose_does_not() {
        let row = |line: &str| is_header_row(line, &cells(line, 0));
        assert!(row("Indicador\t2019\t2020"));
        assert!(row("2007\t2008\t2009"));
        assert!(row("Crédito Vig.\t- Devengado"));
        assert!(!row("Afiliados\t15.230\t2020"));
        assert!(!row("Total\t2.403.544,30"));
        assert!(!row("Provincia 1\t1990\t354"));
        // Sentences that a gap in the line cut into cells.
        assert!(!row(
            "El valor se calcula con cualquier paquete econométrico estimando la regresión entre\tlos"
        ));
        assert!(!row(
            "del criterio Capacidad fiscal se calcula aplicando las siguientes fórmulas:\tZ"
        ));
        // A report's details set over a table, fields with their values.
        assert!(!row(
            "Carmen de Areco\t\t\tDel 02/01/2025 al 30/06/2025\t\t\tEjercicio:2025"
        ));
        assert!(!row("Hoja: 1 de 3\tFecha: 10/07/2025"));
        assert!(row("Meta:\tAvance"));
        // A title and a date that a gap cut after its first word.
        assert!(!row(
            "CEDULA PRESUPUESTARIA DE GASTOS\t\t\tAl\t31 de diciembre del 2013"
        ));
        assert!(row("a\tb\tc = a + b"));
        assert!(row("Monto\tde\tDE"));
    }

    #[test]
    fn header_rows_stack_and_a_new_table_starts_a_new_header() {
        let source = "Presupuesto\tEjecución\ncodificado\tdevengado";
        let mut h = Header::default();
        let first = cells(&source[..22], 0);
        let second = cells(&source[23..], 23);
        h.add_row(source, &first);
        h.add_row(source, &second);
        assert_eq!(h.of(0), "Presupuesto codificado");
        assert_eq!(h.of(1), "Ejecución devengado");
        h.close();
        h.add_row(source, &second);
        assert_eq!(h.of(0), "codificado");
        // A word hyphenated across the header's lines is mended; a dash between words is not.
        let source = "Gasto Ejecu-\tCrédito Vig. -\ntado\tDevengado";
        let mut h = Header::default();
        h.add_row(source, &cells(&source[..28], 0));
        h.add_row(source, &cells(&source[29..], 29));
        assert_eq!(h.of(0), "Gasto Ejecutado");
        assert_eq!(h.of(1), "Crédito Vig. - Devengado");
    }

    #[test]
    fn figures_in_a_row_get_the_row_and_column_as_label() {
        let text = "5.1.01 | Sueldos y salarios | 92.594.092,94 | 85.30";
        let mut figures = crate::extract::figures::extract_figures(text);
        let columns: Vec<String> = ["Partida", "Descripción", "Codificado", "Devengado"]
            .map(String::from)
            .to_vec();
        label_figures(text, &columns, None, &mut figures);
        let last = figures.last().expect("a figure");
        assert_eq!(last.value, 85.3);
        assert_eq!(
            last.label.as_deref(),
            Some("Sueldos y salarios · Devengado")
        );
        assert_eq!(
            last.table,
            Some(TableCell {
                row: "Sueldos y salarios".into(),
                column: "Devengado".into(),
                units: None,
            })
        );
    }

    #[test]
    fn a_column_s_header_says_whether_its_plain_numbers_are_money_or_shares() {
        let columns: Vec<String> = [
            "Partida",
            "Descripción",
            "Población",
            "Devengado E",
            "% Ejecución",
            "Ingresos",
            "Logaritmo del Ingreso",
        ]
        .map(String::from)
        .to_vec();
        let kinds = |text: &str| -> Vec<(String, FigureKind)> {
            let mut figures = crate::extract::figures::extract_figures(text);
            label_figures(text, &columns, None, &mut figures);
            figures.into_iter().map(|f| (f.text, f.kind)).collect()
        };
        use FigureKind::{Count, Percent, Usd};
        // A parish's budget: amounts under a thousand have no mark of thousands, and the row
        // no amount that has one.
        assert_eq!(
            kinds("5301 | Servicios Basicos | 20.00 | 255.05 | 93.75 | 12.50 | 5.57"),
            [
                ("5301".into(), Count),
                ("20.00".into(), Count),
                ("255.05".into(), Usd),
                ("93.75".into(), Percent),
                ("12.50".into(), Usd),
                ("5.57".into(), Count),
            ]
        );
        // Whole numbers under money stay counts: admissions are `Ingresos` too.
        assert_eq!(
            kinds("5301 | Hospital | 20 | 255 | 93 | 1.250 | 5"),
            [
                ("5301".into(), Count),
                ("20".into(), Count),
                ("255".into(), Count),
                ("93".into(), Percent),
                ("1.250".into(), Count),
                ("5".into(), Count),
            ]
        );
        // A share in the thousands has its decimals (`12.500` is 12.5 %).
        let text = "1 | Cobertura | 1 | 2 | 12.500";
        let mut figures = crate::extract::figures::extract_figures(text);
        label_figures(text, &columns, None, &mut figures);
        let share = figures.last().expect("a figure");
        assert_eq!((share.kind, share.value), (Percent, 12.5));
        // A share in a name is no column of shares.
        assert_eq!(column_kind("Gobiernos Provinciales (27%)"), None);
        assert_eq!(column_kind("Ejecución (%)"), Some(ColumnKind::Share));
        assert_eq!(
            column_kind("PRESUPUESTO CODIFICADO"),
            Some(ColumnKind::Money)
        );
        assert_eq!(column_kind("Valor US$"), Some(ColumnKind::Money));
        assert_eq!(
            column_kind("% Ejecución presupuestaria"),
            Some(ColumnKind::Share)
        );
    }

    #[test]
    fn a_table_or_a_column_says_what_its_numbers_are_in() {
        fn units(text: &str) -> Option<(&str, f64, bool)> {
            units_in(text).map(|u| (&text[u.start..u.end], u.factor, u.money))
        }
        assert_eq!(
            units("Cifras en millones de dólares"),
            Some(("Cifras en millones de dólares", 1e6, true))
        );
        assert_eq!(
            units("Tabla 5: Presupuesto 2021 (en miles de USD)"),
            Some(("(en miles de USD)", 1e3, true))
        );
        assert_eq!(
            units("Valores en dólares"),
            Some(("Valores en dólares", 1.0, true))
        );
        assert_eq!(
            units("Gasto de Inversión (millones USD)"),
            Some(("(millones USD)", 1e6, true))
        );
        assert_eq!(units("Monto (US$)"), Some(("(US$)", 1.0, true)));
        assert_eq!(
            units("Población (miles hab.)"),
            Some(("(miles", 1e3, false))
        );
        assert_eq!(
            units("en miles de millones de dólares"),
            Some(("en miles de millones de dólares", 1e9, true))
        );
        // An amount is no declaration, nor is a share in a name.
        assert_eq!(
            units("el Monto A se incrementó en 14,4 millones de dólares"),
            None
        );
        assert_eq!(units("Gobiernos Provinciales (27%)"), None);
        assert_eq!(units("Presupuesto codificado"), None);
        // Introduced, or only a piece of a header that may sit on a line of its own.
        assert!(units_in("(en miles)").is_some_and(|u| u.introduced));
        assert!(units_in("(miles)").is_some_and(|u| !u.introduced));
        // A multiplier says what it is.
        assert_eq!(
            units("Atenciones por servicio (x 1.000)"),
            Some(("(x 1.000)", 1e3, false))
        );
        assert_eq!(units("(× 1000 USD)"), Some(("(× 1000 USD)", 1e3, true)));
        assert_eq!(units("(x 1'000.000)"), Some(("(x 1'000.000)", 1e6, false)));
        assert_eq!(
            units("Valor (USD x 1.000)"),
            Some(("(USD x 1.000)", 1e3, true))
        );
        assert!(units_in("(x 1.000)").is_some_and(|u| u.introduced));
        assert!(units_in("(USD x 1.000)").is_some_and(|u| u.introduced));
        assert_eq!(
            units("Valores en x 1.000"),
            Some(("Valores en x 1.000", 1e3, false))
        );
        assert_eq!(units("(En × 1000)"), Some(("(En × 1000)", 1e3, false)));
        assert_eq!(units("Área (x 1.500)"), None);
        assert_eq!(units("(x 10.000)"), None);
    }

    #[test]
    fn numbers_in_a_table_of_millions_are_millions_but_shares_counts_and_amounts_in_words() {
        let columns: Vec<String> = ["Concepto", "2011", "Número de GAD"]
            .map(String::from)
            .to_vec();
        let read = |text: &str| -> Vec<(String, f64, FigureKind, Option<String>)> {
            let mut figures = crate::extract::figures::extract_figures(text);
            label_figures(
                text,
                &columns,
                Some("Cifras en millones de dólares"),
                &mut figures,
            );
            figures
                .into_iter()
                .map(|f| (f.text, f.value, f.kind, f.table.and_then(|t| t.units)))
                .collect()
        };
        let note = || Some("Cifras en millones de dólares".to_string());
        use FigureKind::{Count, Percent, Usd};
        assert_eq!(
            read("Ingresos totales | 23.950,2 | 221"),
            [
                ("23.950,2".into(), 23_950_200_000.0, Usd, note()),
                ("221".into(), 221.0, Count, None),
            ]
        );
        // A share, a row of rates, an amount with its own scale.
        assert_eq!(
            read("21% Ingresos permanentes | 1.918,1 | 3"),
            [
                ("21%".into(), 21.0, Percent, None),
                ("1.918,1".into(), 1_918_100_000.0, Usd, note()),
                ("3".into(), 3.0, Count, None),
            ]
        );
        assert_eq!(
            read("Tasa de variación | 3,5 | 1"),
            [
                ("3,5".into(), 3.5, Count, None),
                ("1".into(), 1.0, Count, None)
            ]
        );
        assert_eq!(
            read("Beneficiarios | 1.250 | 4"),
            [
                ("1.250".into(), 1250.0, Count, None),
                ("4".into(), 4.0, Count, None)
            ]
        );
        assert_eq!(
            read("Compensación | USD 14,4 millones | 2"),
            [
                ("USD 14,4 millones".into(), 14_400_000.0, Usd, None),
                ("2".into(), 2.0, Count, None)
            ]
        );
        // A column of codes is not in the table's units.
        let codes: Vec<String> = ["Grupo", "Descripción", "Devengado"]
            .map(String::from)
            .to_vec();
        let text = "53 | Bienes y servicios | 27.450.300";
        let mut figures = crate::extract::figures::extract_figures(text);
        label_figures(text, &codes, Some("(en dólares)"), &mut figures);
        let read: Vec<_> = figures.iter().map(|f| (f.value, f.kind)).collect();
        assert_eq!(read, [(53.0, Count), (27_450_300.0, Usd)]);
        // A column's own units, without a note over the table.
        let columns: Vec<String> = [
            "Provincia",
            "Población (miles)",
            "Ingresos Propios (millones USD)",
        ]
        .map(String::from)
        .to_vec();
        let text = "Provincia 1 | 517 | 28";
        let mut figures = crate::extract::figures::extract_figures(text);
        label_figures(text, &columns, None, &mut figures);
        let read: Vec<_> = figures
            .iter()
            .map(|f| (f.value, f.kind, f.table.as_ref().map(TableCell::factor)))
            .collect();
        assert_eq!(
            read,
            [
                (517_000.0, Count, Some(1e3)),
                (28_000_000.0, Usd, Some(1e6))
            ]
        );
    }
}
