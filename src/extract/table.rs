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
/// [`CELL_SEPARATOR`]), `columns` the header of each of its cells.
pub fn label_figures(text: &str, columns: &[String], figures: &mut [Figure]) {
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
    for figure in figures {
        let index = cells
            .iter()
            .rposition(|&(start, _)| start <= figure.start)
            .unwrap_or(0);
        let column = columns.get(index).cloned().unwrap_or_default();
        if figure.kind == FigureKind::Count {
            match column_kind(&column) {
                Some(FigureKind::Percent) => as_percent(figure),
                Some(FigureKind::Usd) if has_cents(&figure.text) => as_money(figure),
                _ if money && has_cents(&figure.text) => as_money(figure),
                _ => {}
            }
        }
        let label = match (row.is_empty(), column.is_empty()) {
            (false, false) => format!("{row} · {column}"),
            (false, true) => row.clone(),
            (true, false) => column.clone(),
            (true, true) => continue,
        };
        figure.label = Some(label);
        figure.table = Some(TableCell {
            row: row.clone(),
            column,
        });
    }
}

/// The kind that a column's header gives the plain numbers under it:
/// - a share: a `%` of its own (`% Cumplimiento`, `Ejecución (%)`; not the `27%` of a name
///   such as `Gobiernos Provinciales (27%)`), or `porcentaje`;
/// - money: the words of budgets and accounts (`Asignación Inicial`, `Codificado`,
///   `Devengado`, `Saldo por comprometer`, `Monto`, `USD`). Only numbers with cents take it
///   (`255.05`): a column of `Ingresos` may count hospital admissions, never with cents.
///
/// A share wins over money (`% Ejecución presupuestaria`).
fn column_kind(header: &str) -> Option<FigureKind> {
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
    /// Starts of the folded words of a header over numbers made from money but not money.
    const NOT_MONEY: [&str; 8] = [
        "logaritm",
        "indice",
        "indicador",
        "coeficient",
        "tasa",
        "numero",
        "cantidad",
        "nro",
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
            return Some(FigureKind::Percent);
        }
        // What is computed from money is not always money (`Logaritmo del Ingreso`).
        if words().any(|w| NOT_MONEY.iter().any(|m| w.starts_with(m))) {
            return None;
        }
        if header.contains('$') || words().any(|w| MONEY.iter().any(|m| w.starts_with(m))) {
            return Some(FigureKind::Usd);
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
        label_figures(text, &columns, &mut figures);
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
                column: "Devengado".into()
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
            label_figures(text, &columns, &mut figures);
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
        label_figures(text, &columns, &mut figures);
        let share = figures.last().expect("a figure");
        assert_eq!((share.kind, share.value), (Percent, 12.5));
        // A share in a name is no column of shares.
        assert_eq!(column_kind("Gobiernos Provinciales (27%)"), None);
        assert_eq!(column_kind("Ejecución (%)"), Some(Percent));
        assert_eq!(column_kind("PRESUPUESTO CODIFICADO"), Some(Usd));
        assert_eq!(column_kind("Valor US$"), Some(Usd));
        assert_eq!(column_kind("% Ejecución presupuestaria"), Some(Percent));
    }
}
