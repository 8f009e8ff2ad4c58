//! Passages: a report's text, repaired from PDF extraction, cut into paragraph-sized units.
//!
//! Repairs: lines broken mid-sentence are joined (across blank lines and page breaks too, when
//! the sentence plainly goes on), broken words are mended (`comunica-` + `ción`, `modifica` +
//! `ciones`), page numbers and running headers are dropped, runs of spaces collapse. Cuts: at
//! paragraph ends, before each bullet or numbered item, and before source notes ("Fuente:");
//! the short lines of a flattened table stay together. A section's numbered heading keeps the
//! paragraph after it, and says where it ends ([`Draft::heading`]). A long paragraph is cut at
//! sentence ends.
//!
//! A line of tab-separated cells is a table row: a passage of its own whose cells stay apart
//! and know their column headers (see [`super::table`]).
//!
//! Each [`Draft`] keeps the way back to the text it came from: its byte range and a map from
//! its own offsets to the source's, so a figure found in a passage can be cited in the report.

use std::borrow::Cow;

use super::table::{self, RawCell, CELL_SEPARATOR};
use crate::analysis::text::{find_char, is_bullet, is_one_of, join_of, Join};

use rustc_hash::FxHashMap;

/// A passage before tagging: repaired text and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The repaired text, as shown to people.
    pub text: String,
    /// Byte range in the source text, from the first to just past the last character used:
    /// its start.
    pub start: usize,
    /// Its end (exclusive).
    pub end: usize,
    /// `(offset in text, offset in source)` where each stretch copied unchanged begins.
    segments: Vec<(usize, usize)>,
    /// For a table row: the column header of each cell of `text` (empty when none is known).
    pub columns: Vec<String>,
    /// For a table row: what its table says its numbers are in (`Cifras en millones de
    /// dólares`), the words of the line that says it ([`table::units_in`]).
    pub units: Option<String>,
    /// Bytes of `text` that are the numbered heading it opens with (`4. Recaudación y
    /// gestión de cartera`, then the section's first paragraph); 0 for none.
    pub heading: usize,
}

impl Draft {
    /// The source offset of byte `offset` of the passage text.
    pub fn source_offset(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|&(t, _)| t <= offset);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(t, s)) => s + (offset - t),
            None => self.start,
        }
    }
}

/// A passage longer than this (bytes) is cut at the next sentence end.
const SOFT_MAX: usize = 1200;
/// A passage longer than this is cut at the next line, sentence or not.
const HARD_MAX: usize = 3000;
/// A line this short (characters) may be a cell of a flattened table.
const SHORT_LINE: usize = 45;

/// Most lines of text a table holds between two rows (section names such as `GASTOS
/// CORRIENTES` over its rows, a wrapped cell); more, and the table has ended.
const TABLE_GAP: usize = 6;

/// Fewest words of a title line between a table's rows.
const TITLE_WORDS: usize = 4;

/// Splits `text` into repaired passages, in order.
pub fn split(text: &str) -> Vec<Draft> {
    let lines = lines(text);
    let noise = noise_lines(text, &lines);
    let width = typical_width(&lines);
    let paragraphs = blank_ends_paragraphs(&lines, &noise);
    let mut out = Vec::new();
    let mut current: Option<Builder> = None;
    // What stands between the previous content line and this one.
    let (mut blank_gap, mut page_gap) = (false, false);
    let mut header = table::Header::default();
    let mut units = TableUnits::default();
    // Lines of text read since the last table row.
    let mut since_row = 0usize;
    // Whether the last line was a numbered item (not after a table's row).
    let mut last_numbered = false;
    for (i, line) in lines.iter().enumerate() {
        let content = &text[line.start..line.end];
        if line.page_break {
            page_gap = true;
        }
        if content.is_empty() || noise[i] {
            blank_gap = true;
            continue;
        }
        if line.row {
            if let Some(b) = current.take() {
                out.extend(b.finish());
            }
            let cells = table::cells(content, line.start);
            if table::is_header_row(text, &cells) {
                header.add_row(text, &cells);
                units.read_header(text);
                out.push(row_draft(text, &cells, None));
            } else if !cells
                .iter()
                .any(|c| table::is_numeric(&text[c.start..c.end]))
            {
                // Neither labels nor figures: prose that a gap in the line (a formula, an
                // image) cut into cells. Whatever table came before has ended.
                header.clear();
                out.push(row_draft(text, &cells, None));
            } else {
                header.close();
                let mut draft = row_draft(text, &cells, Some(&header));
                draft.units = units.take_for_row(text);
                out.push(draft);
            }
            blank_gap = false;
            page_gap = false;
            since_row = 0;
            last_numbered = false;
            continue;
        }
        if let Some(cells) = header_piece(text, line, &header) {
            // A piece of a column's label on a line of its own, set in its column by tabs
            // before it (`\t\t\tÁrea`): it stacks onto the header being read.
            if let Some(b) = current.take() {
                out.extend(b.finish());
            }
            header.add_row(text, &cells);
            units.read_header(text);
            out.push(row_draft(text, &cells, None));
            blank_gap = false;
            page_gap = false;
            since_row = 0;
            last_numbered = false;
            continue;
        }
        since_row += 1;
        let ends = if content.len() > SHORT_LINE * 2 || since_row > TABLE_GAP {
            // Prose: whatever table came before has ended, even in a narrow column.
            header.clear();
            LineEnds::Table
        } else if content.split_whitespace().nth(TITLE_WORDS - 1).is_some() {
            // A title between rows (`CUMPLIMIENTO DE LA EJECUCIÓN PRESUPUESTARIA`), not a word
            // of a header set on a line of its own (`Km2)`, `% Población`): the next header row
            // starts a header of its own instead of stacking under the rows before it (a
            // table of words, as the policies of the accountability form).
            header.close();
            LineEnds::Title
        } else {
            LineEnds::Nothing
        };
        units.read_line(line.start, line.end, ends);
        let kind = LineKind::of(content);
        let numbered = kind == LineKind::Item && content.starts_with(|c: char| c.is_ascii_digit());
        match current.as_mut() {
            Some(b)
                if b.joins(
                    content,
                    kind,
                    blank_gap || page_gap,
                    blank_gap && !page_gap && paragraphs,
                    width,
                ) =>
            {
                b.push(text, line, width)
            }
            _ => {
                if let Some(b) = current.take() {
                    out.extend(b.finish());
                }
                let mut b = Builder::new(text, line, kind);
                // A numbered line after anything but another numbered item heads a section.
                b.numbered = numbered && !last_numbered;
                current = Some(b);
            }
        }
        blank_gap = false;
        page_gap = false;
        last_numbered = numbered;
    }
    if let Some(b) = current {
        out.extend(b.finish());
    }
    out
}

/// One line of the source: the byte range of its content without surrounding blanks.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    /// A form feed stands before this line.
    page_break: bool,
    /// Cells separated by tabs: a table row (its leading empty cells are kept in the range).
    row: bool,
}

/// The cell of `line`, not a row, when tabs before it set it in a column that is not the first
/// and it is a piece of a label under the header rows just read (see
/// [`table::is_header_piece`]).
fn header_piece(text: &str, line: &Line, header: &table::Header) -> Option<Vec<RawCell>> {
    if !header.is_open() {
        return None;
    }
    let tabs = text.as_bytes()[..line.start]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\t')
        .count();
    if tabs == 0 {
        return None;
    }
    let from = line.start - tabs;
    let cells = table::cells(&text[from..line.end], from);
    table::is_header_piece(text, &cells).then_some(cells)
}

/// A table row's passage: its cells joined by [`CELL_SEPARATOR`], each with its header.
fn row_draft(source: &str, cells: &[RawCell], header: Option<&table::Header>) -> Draft {
    let mut text = String::new();
    let mut segments = Vec::with_capacity(cells.len());
    let mut columns = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            text.push_str(CELL_SEPARATOR);
        }
        segments.push((text.len(), cell.start));
        text.push_str(&source[cell.start..cell.end]);
        // A row of a table without a header still has columns, all unnamed: its figures are
        // labelled by the row.
        if let Some(h) = header {
            columns.push(h.of(cell.column).to_string());
        }
    }
    Draft {
        text,
        start: cells.first().map_or(0, |c| c.start),
        end: cells.last().map_or(0, |c| c.end),
        segments,
        columns,
        units: None,
        heading: 0,
    }
}

/// What the table being read says its numbers are in: a line of its own over the table
/// (`Cifras en millones de dólares`) or its title (`Presupuesto 2021 (en miles de dólares)`).
/// It holds for the rows under it until prose ends the table, or another table starts: a
/// caption (`Tabla 23:`), two titles, or a title and a header row. One title between rows may
/// be a row's label wrapped over two lines. Before any row, prose or a few lines end it too.
#[derive(Debug, Default)]
struct TableUnits {
    /// The words that say it, as written.
    note: Option<String>,
    /// Whether a row took it.
    used: bool,
    /// Titles read since the last row that took it.
    titles: usize,
    /// Lines read since it was set: while no row has taken it, more than a table holds before
    /// its rows end it.
    waiting: usize,
    /// The byte ranges of the lines read since the last row or prose, and what each ends: read
    /// only when a row comes, so that prose costs nothing.
    pending: Vec<(usize, usize, LineEnds)>,
}

/// How a line that is not a table row bears on the table before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnds {
    /// Nothing: a short line, a section name between rows.
    Nothing,
    /// Maybe: a title, of the next table or of a row's label wrapped.
    Title,
    /// The table: prose, or more lines than a table holds between its rows.
    Table,
}

impl TableUnits {
    /// Notes a line that is not a table row, `start..end` of the text.
    fn read_line(&mut self, start: usize, end: usize, ends: LineEnds) {
        if end - start > SHORT_LINE * 2 {
            // Prose: whatever came before has ended with its table, and it says no units.
            self.forget();
            self.pending.clear();
        } else {
            self.pending.push((start, end, ends));
        }
    }

    /// Reads the lines noted since the last row, in order.
    fn settle(&mut self, text: &str) {
        let pending = std::mem::take(&mut self.pending);
        for &(start, end, ends) in &pending {
            self.apply(&text[start..end], ends);
        }
        self.pending = pending;
        self.pending.clear();
    }

    fn apply(&mut self, line: &str, ends: LineEnds) {
        // `(miles hab.)` alone may be a piece of a column's header: a table's units are
        // introduced (`Cifras en`, `(en miles`) or said in its title.
        let found = (line.len() <= SHORT_LINE * 2)
            .then(|| table::units_in(line))
            .flatten()
            .filter(|u| u.introduced || line.split_whitespace().nth(TITLE_WORDS - 1).is_some());
        if let Some(u) = found {
            self.forget();
            self.note = Some(line[u.start..u.end].to_string());
            return;
        }
        if self.note.is_none() {
            return;
        }
        self.waiting += 1;
        if self.used {
            if ends == LineEnds::Title {
                self.titles += 1;
            }
            if ends == LineEnds::Table || self.titles >= 2 || is_caption(line) {
                self.forget();
            }
        } else if self.waiting > TABLE_GAP {
            self.forget();
        }
    }

    fn forget(&mut self) {
        self.note = None;
        self.used = false;
        self.titles = 0;
        self.waiting = 0;
    }

    /// Reads a header row: after a title, another table's.
    fn read_header(&mut self, text: &str) {
        self.settle(text);
        if self.titles > 0 {
            self.forget();
        }
    }

    /// The note for a row of data of the table.
    fn take_for_row(&mut self, text: &str) -> Option<String> {
        self.settle(text);
        self.used |= self.note.is_some();
        self.titles = 0;
        self.note.clone()
    }
}

/// A table's or a chart's caption: `Tabla 23: Ponderación`, `Cuadro N° 4`, `Gráfico 2.`
fn is_caption(line: &str) -> bool {
    let mut words = crate::analysis::text::words(line).map(|(_, w)| w);
    let first = words.next().is_some_and(|w| {
        crate::analysis::text::folds_to_one_of(
            w,
            &["tabla", "cuadro", "grafico", "figura", "anexo"],
        )
    });
    first
        && words.next().is_some_and(|w| {
            w.starts_with(|c: char| c.is_ascii_digit()) || w.eq_ignore_ascii_case("n")
        })
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The offset of the first blank at or after `at` that a passage collapses into one space (any
/// blank but the no-break space), or the end of `s`.
fn next_collapsed_blank(s: &str, at: usize) -> usize {
    find_char(
        s,
        at,
        |b| is_blank(char::from(b)),
        |c| is_blank(c) && c != '\u{a0}',
    )
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut page_break = false;
    // Both ends are ASCII bytes, which never occur inside a multi-byte character.
    let ends = memchr::memchr2_iter(b'\n', 0x0c, text.as_bytes())
        .map(|i| (i, char::from(text.as_bytes()[i])))
        .chain(std::iter::once((text.len(), '\n')));
    for (i, c) in ends {
        let raw = &text[start..i];
        let trimmed = raw.trim_matches(is_blank);
        // Two cells or more: keep the leading tabs that say which columns are empty.
        let row = trimmed.contains('\t');
        let trimmed = if row {
            raw.trim_matches(|c| c != '\t' && is_blank(c))
        } else {
            trimmed
        };
        let lead = raw.len()
            - raw
                .trim_start_matches(|c| is_blank(c) && !(row && c == '\t'))
                .len();
        out.push(Line {
            start: start + lead,
            end: start + lead + trimmed.len(),
            page_break,
            row,
        });
        page_break = c == '\u{c}';
        start = i + c.len_utf8();
    }
    out
}

/// The usual length of a full line, in bytes: lines near it were wrapped, not ended.
fn typical_width(lines: &[Line]) -> usize {
    let mut widths: Vec<usize> = lines
        .iter()
        .map(|l| l.end - l.start)
        .filter(|&w| w > 0)
        .collect();
    if widths.is_empty() {
        return 80;
    }
    widths.sort_unstable();
    widths[(widths.len() * 9 / 10).min(widths.len() - 1)].max(60)
}

/// Whether a blank line marks the end of a paragraph in this report: not when most lines of
/// text are followed by one, as in exports that set a blank between every two lines.
fn blank_ends_paragraphs(lines: &[Line], noise: &[bool]) -> bool {
    let text = |i: usize| !noise[i] && lines[i].end > lines[i].start && !lines[i].row;
    let (mut lines_of_text, mut before_blank) = (0usize, 0usize);
    for i in 0..lines.len().saturating_sub(1) {
        if text(i) {
            lines_of_text += 1;
            before_blank += usize::from(lines[i + 1].end == lines[i + 1].start);
        }
    }
    before_blank * 2 <= lines_of_text
}

/// Which lines are page furniture: page numbers, and running headers or footers (a short
/// line repeated next to page breaks: two times out of three, or both times of two).
fn noise_lines(text: &str, lines: &[Line]) -> Vec<bool> {
    let mut noise: Vec<bool> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let s = &text[l.start..l.end];
            is_page_number(s) && isolated(lines, i)
        })
        .collect();
    // Lines next to a page boundary (a form feed or a page number), by text.
    let near_boundary = |i: usize| {
        let lo = i.saturating_sub(3);
        let hi = (i + 3).min(lines.len() - 1);
        (lo..=hi).any(|j| lines[j].page_break || (j != i && noise[j]))
    };
    // A row of a table's header with more rows under it: a table repeated on every page
    // repeats it there, and its columns need it (`Asignación | Saldo x` over `Inicial |
    // Comprometer`).
    let heads_rows = |i: usize| {
        let (l, s) = (&lines[i], &text[lines[i].start..lines[i].end]);
        l.row
            && lines[i + 1..]
                .iter()
                .find(|next| next.start != next.end)
                .is_some_and(|next| next.row)
            && table::is_header_row(text, &table::cells(s, l.start))
    };
    // Each line as running lines are compared (`None`: not a candidate).
    let keys: Vec<Option<Cow<str>>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let s = &text[l.start..l.end];
            (!s.is_empty() && s.len() <= 120 && !noise[i] && !heads_rows(i)).then(|| running_key(s))
        })
        .collect();
    let mut seen: FxHashMap<&str, (usize, usize, bool)> = FxHashMap::default();
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key else {
            continue;
        };
        let e = seen.entry(key).or_default();
        e.0 += 1;
        e.1 += usize::from(near_boundary(i));
        e.2 = matches!(key, Cow::Owned(_));
    }
    let furniture: rustc_hash::FxHashSet<&str> = seen
        .into_iter()
        .filter(|&(_, (n, near, numbered))| {
            // A line with its page number repeats on many pages; two lines alike but for a
            // number (`Afiliados 2009`, `Afiliados 2010`) are a table's.
            (n >= 3 && near * 3 >= n * 2) || (n == 2 && near == 2 && !numbered)
        })
        .map(|(s, _)| s)
        .collect();
    // The first line after a page break that names the report ("Rendición de Cuentas 2021 –
    // IESS Guayas") is its running header, even on a document too short to repeat it.
    let after_break = |i: usize| {
        lines[..i]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, l)| l.start != l.end)
            .is_some_and(|(j, _)| noise[j])
            || lines[i].page_break
    };
    let mut headers = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let s = &text[l.start..l.end];
        if keys[i].as_deref().is_some_and(|k| furniture.contains(k))
            || (i > 0 && s.len() <= 100 && after_break(i) && is_report_header(s))
        {
            headers.push(i);
        }
    }
    for i in headers {
        noise[i] = true;
    }
    noise
}

/// A line as a running header or footer repeats it from page to page: a short line with its
/// page number (its one number, of at most three digits, at one end, beside words: `Guía
/// Metodológica | 12`, `26 | Guía Metodológica`) as `#`.
fn running_key(line: &str) -> Cow<'_, str> {
    let bytes = line.as_bytes();
    if bytes.len() > RUNNING_LINE {
        return Cow::Borrowed(line);
    }
    let digit = |b: &u8| b.is_ascii_digit();
    let (first, end) = if bytes.first().is_some_and(digit) {
        (
            0,
            bytes.iter().position(|b| !digit(b)).unwrap_or(bytes.len()),
        )
    } else if bytes.last().is_some_and(digit) {
        let start = bytes.iter().rposition(|b| !digit(b)).map_or(0, |i| i + 1);
        (start, bytes.len())
    } else {
        return Cow::Borrowed(line);
    };
    let elsewhere = bytes[..first].iter().chain(&bytes[end..]).any(digit);
    if end - first <= 3 && !elsewhere && line.chars().any(char::is_alphabetic) {
        Cow::Owned(format!("{}#{}", &line[..first], &line[end..]))
    } else {
        Cow::Borrowed(line)
    }
}

/// Longest running header or footer with a page number, in bytes.
const RUNNING_LINE: usize = 60;

/// A short line naming the accountability report, without a sentence end.
fn is_report_header(s: &str) -> bool {
    s.len() <= 100
        && !s.ends_with(['.', ',', ';', ':'])
        && crate::analysis::fold_key(s).contains("rendicion de cuentas")
}

/// A line that is blank-separated from its neighbours (or at a page edge).
fn isolated(lines: &[Line], i: usize) -> bool {
    let blank = |j: Option<usize>| match j.and_then(|j| lines.get(j)) {
        None => true,
        Some(l) => l.start == l.end,
    };
    blank(i.checked_sub(1)) || blank(Some(i + 1)) || lines[i].page_break
}

/// `12`, `Página 3 de 20`, `Pág. 3`, `- 3 -`, `3 | P á g i n a`, `3/20`.
fn is_page_number(s: &str) -> bool {
    if s.len() > 40 || !s.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = crate::analysis::fold_key(&compact);
    let digits_only =
        |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    if digits_only(&lower) {
        return lower.len() <= 3;
    }
    if let Some(rest) = lower.strip_prefix('-').and_then(|r| r.strip_suffix('-')) {
        return digits_only(rest);
    }
    for suffix in ["|pagina", "pagina"] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            return digits_only(rest.trim_end_matches('|'));
        }
    }
    for prefix in ["pagina", "pag.", "pag", "p."] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let (a, b) = rest
                .split_once("de")
                .or_else(|| rest.split_once('/'))
                .unwrap_or((rest, "1"));
            return digits_only(a) && digits_only(b);
        }
    }
    if let Some((a, b)) = lower.split_once('/') {
        return digits_only(a) && digits_only(b) && a.len() <= 3;
    }
    false
}

/// What a line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// `- item`, `• item`, `1. item`, `a) item`.
    Item,
    /// `Fuente: …`, `Elaborado por: …`, `Fecha de corte: …`.
    SourceNote,
    /// A labelled value: `Unidad: Hospital General Manta`, `Teléfono: (04) 314-4802`.
    Field,
    Text,
}

impl LineKind {
    fn of(line: &str) -> LineKind {
        if is_item(line) {
            LineKind::Item
        } else if is_source_note(line) {
            LineKind::SourceNote
        } else if is_field(line) {
            LineKind::Field
        } else {
            LineKind::Text
        }
    }
}

fn is_item(line: &str) -> bool {
    // `1. `, `12) `, `a. `, `b) `, `iv. `: the marker is four bytes at most, so its end is
    // among the first five.
    is_item_marked(
        line,
        line.bytes().take(5).position(|b| b == b'.' || b == b')'),
    )
}

/// [`is_item`], given where the first `.` or `)` of `line` is, if it is soon enough to end a
/// marker.
fn is_item_marked(line: &str, marker_end: Option<usize>) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if is_bullet(first) {
        // `-5 %` is a number, `- item` a bullet.
        return !chars.next().is_some_and(|c| c.is_ascii_digit());
    }
    // A marker followed by a capital or a quote.
    let Some(end) = marker_end else {
        return false;
    };
    let marker = &line[..end];
    let numbered =
        !marker.is_empty() && marker.len() <= 2 && marker.bytes().all(|b| b.is_ascii_digit());
    let lettered = marker.len() == 1 && marker.bytes().all(|b| b.is_ascii_lowercase());
    let roman = !marker.is_empty()
        && marker.len() <= 4
        && marker.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'));
    if !(numbered || lettered || roman) {
        return false;
    }
    let rest = &line[end + 1..];
    rest.starts_with(' ')
        && rest
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || matches!(c, '"' | '“' | '«'))
}

/// `Label: value`, the label a capitalised run of at most five words.
fn is_field(line: &str) -> bool {
    // The label is 40 bytes at most: its colon is among the first 41.
    is_field_at(line, line.bytes().take(41).position(|b| b == b':'))
}

/// [`is_field`], given where the first colon of `line` is, if it is soon enough to end a
/// label.
fn is_field_at(line: &str, colon: Option<usize>) -> bool {
    let Some(colon) = colon else {
        return false;
    };
    let (label, value) = (&line[..colon], &line[colon + 1..]);
    let words = label.split_whitespace().count();
    label.chars().next().is_some_and(char::is_uppercase)
        && (1..=5).contains(&words)
        && label.len() <= 40
        && !label.chars().any(|c| c.is_ascii_digit())
        && value.starts_with(' ')
        && !value.trim().is_empty()
}

/// How source notes open, folded.
const NOTE_OPENINGS: [&str; 6] = [
    "fuente:",
    "fuentes:",
    "elaborado por",
    "elaboracion:",
    "fecha de corte",
    "nota:",
];

fn is_source_note(line: &str) -> bool {
    // Every note opens with f, e or n: other lines are passed by before any folding.
    if line
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii() && !matches!(b.to_ascii_lowercase(), b'f' | b'e' | b'n'))
    {
        return false;
    }
    opens_a_note(line)
}

/// Whether the folded start of `line` is one of [`NOTE_OPENINGS`].
fn opens_a_note(line: &str) -> bool {
    let head: String = line.chars().take(24).collect();
    let key = crate::analysis::fold_key(&head);
    NOTE_OPENINGS.iter().any(|p| key.starts_with(p))
}

/// Words after which a sentence cannot end.
const CONNECTORS: [&str; 33] = [
    "de", "del", "la", "las", "el", "los", "y", "e", "o", "u", "en", "con", "por", "para", "a",
    "al", "que", "su", "sus", "un", "una", "unos", "unas", "entre", "sobre", "desde", "hasta",
    "como", "se", "lo", "sin", "ante", "usd",
];

/// Whether `line` ends with a word that needs one after it: a connector, or a currency before
/// its amount (`por USD` + `161,3 millones`, across a page break).
fn ends_with_connector(line: &str) -> bool {
    if line.ends_with('$') {
        return true;
    }
    let last = line
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let lower = last.to_lowercase();
    is_one_of(&lower, &CONNECTORS)
}

/// A passage being built from lines.
struct Builder {
    text: String,
    start: usize,
    end: usize,
    segments: Vec<(usize, usize)>,
    kind: LineKind,
    /// Characters of the last line added.
    last_len: usize,
    /// Whether every line so far was short (a table or a heading block).
    all_short: bool,
    /// Lines so far.
    lines: usize,
    /// A numbered line that no other item came before: a section's heading, if a line of
    /// text follows it.
    numbered: bool,
    /// Bytes of `text` that are that heading, once the paragraph after it joined.
    heading: usize,
}

impl Builder {
    fn new(source: &str, line: &Line, kind: LineKind) -> Builder {
        let mut b = Builder {
            text: String::new(),
            start: line.start,
            end: line.end,
            segments: Vec::new(),
            kind,
            last_len: 0,
            all_short: true,
            lines: 1,
            numbered: false,
            heading: 0,
        };
        let mut start = line.start;
        if kind == LineKind::Item {
            // Drop the bullet glyph (not numbering) from what people read.
            let content = &source[line.start..line.end];
            if let Some(first) = content.chars().next().filter(|&c| is_bullet(c)) {
                let rest = &content[first.len_utf8()..];
                start += first.len_utf8() + (rest.len() - rest.trim_start().len());
            }
        }
        b.start = start;
        b.append(source, start, line.end);
        b
    }

    /// Whether the line `next` (of `kind`) continues this passage. `gap`: a blank line or a
    /// page break stands before it; `paragraph`: a blank line that ends paragraphs in this
    /// report (see [`blank_ends_paragraphs`]), and no page break.
    fn joins(&self, next: &str, kind: LineKind, gap: bool, paragraph: bool, width: usize) -> bool {
        if self.text.len() >= HARD_MAX {
            return false;
        }
        let prev = self.text.trim_end();
        let first = next.chars().next().unwrap_or(' ');
        let prev_last = prev.chars().next_back().unwrap_or(' ');
        let ends_sentence = matches!(prev_last, '.' | '!' | '?' | ':' | ';');
        if self.text.len() >= SOFT_MAX && ends_sentence {
            return false;
        }
        match kind {
            LineKind::Item => return false,
            LineKind::SourceNote | LineKind::Field => return self.kind == kind,
            LineKind::Text => {}
        }
        if prev.ends_with('-') && prev_last == '-' {
            return true;
        }
        if prev_last == ',' || ends_with_connector(prev) {
            return true;
        }
        if matches!(self.kind, LineKind::SourceNote | LineKind::Field) {
            // Only what plainly goes on: `Fecha de corte: Enero-Diciembre` + `2021.`
            return first.is_lowercase() || first.is_ascii_digit();
        }
        if first.is_lowercase() || matches!(first, ',' | ';' | ')' | '%') {
            return !ends_sentence || !gap;
        }
        let next_len = next.chars().count();
        if ends_sentence {
            // A full line ending a sentence was wrapped there by chance; a short one ended the
            // paragraph.
            return !gap && self.last_len * 10 >= width * 8;
        }
        if !gap && self.last_len * 10 >= width * 8 {
            return true;
        }
        // A section's numbered heading keeps the paragraph that opens the section, whatever
        // its length: `4. Recaudación y gestión de cartera` + `La cartera vencida…`.
        if self.heads_paragraph(next, width) {
            return true;
        }
        // An item ends at a paragraph's blank line when a short line with a capital follows:
        // the next section's heading (`➢ Convenios suscritos: 842` + `Recaudación y
        // gestión`), not a cell of a table. A full line after it is the body of a numbered
        // heading (`10. Procesos de contratación` + `Se declararon desiertos…`), a figure
        // alone still belongs to the item, and an item's wrapped line goes on.
        if paragraph
            && self.kind == LineKind::Item
            && self.last_len * 10 < width * 8
            && next_len * 10 < width * 8
            && !first.is_ascii_digit()
        {
            return false;
        }
        // Prose without a sentence end goes on, even past a blank line or a page break:
        // headings and table cells are short lines.
        // ... but a lone line before a blank is a heading ("NARRATIVA RENDICIÓN DE CUENTAS").
        let heading = gap && self.lines == 1 && self.kind == LineKind::Text;
        if !self.all_short && !heading {
            return true;
        }
        // Short lines without sentence ends: cells of a flattened table, kept together.
        // A full-width line after them is a paragraph's first line, not a cell.
        let cell = next_len <= SHORT_LINE * 2 && next_len * 10 < width * 8;
        self.all_short && self.last_len <= SHORT_LINE && cell
            || first.is_ascii_digit() && self.last_len <= SHORT_LINE
    }

    /// Whether this is a section's numbered heading alone so far (one line, not wrapped,
    /// ending with no figure and no sentence) and `next` the full line of text that opens
    /// its section's paragraph.
    fn heads_paragraph(&self, next: &str, width: usize) -> bool {
        if !self.numbered || self.lines > 1 || self.last_len * 10 >= width * 8 {
            return false;
        }
        let last = self.text.trim_end().chars().next_back().unwrap_or(' ');
        !last.is_ascii_digit()
            && !matches!(last, '.' | '!' | '?' | ':' | ';' | ',')
            && next.starts_with(char::is_uppercase)
            && next.chars().count() * 10 >= width * 8
    }

    fn push(&mut self, source: &str, line: &Line, width: usize) {
        let content = &source[line.start..line.end];
        if self.heads_paragraph(content, width) {
            self.heading = self.text.len();
        }
        // `comunica-` + `ción` and `modifica` + `ciones` mend a word, `2021-` + `2025` a
        // range; everything else gets one space.
        match join_of(&self.text, content) {
            Join::Unhyphenated => {
                self.text.pop();
            }
            Join::Glued => {}
            Join::Space => self.text.push(' '),
        }
        self.append(source, line.start, line.end);
        self.end = line.end;
        self.lines += 1;
        let len = content.chars().count();
        self.all_short &= len <= SHORT_LINE;
    }

    /// Copies `source[from..to]`, collapsing runs of blanks into one space. A lone space
    /// between two characters is copied with them, so a stretch of words starts one segment.
    fn append(&mut self, source: &str, from: usize, to: usize) {
        let slice = &source[from..to];
        self.text.reserve(slice.len() + 1);
        let mut in_blank = false;
        // Start of the stretch copied unchanged that is not yet in `text`.
        let mut stretch = 0;
        let mut at = 0;
        while at < slice.len() {
            let run_end = next_collapsed_blank(slice, at);
            let Some(blank) = slice[run_end..].chars().next() else {
                break;
            };
            let blank_end = run_end + blank.len_utf8();
            // One space between characters of the stretch, the next one not a blank: kept.
            let lone_space = blank == ' '
                && run_end > stretch
                && slice[blank_end..]
                    .chars()
                    .next()
                    .is_some_and(|c| !(is_blank(c) && c != '\u{a0}'));
            if lone_space {
                at = blank_end;
                continue;
            }
            if run_end > stretch {
                self.segments.push((self.text.len(), from + stretch));
                self.text.push_str(&slice[stretch..run_end]);
                in_blank = false;
            }
            if !in_blank {
                self.text.push(' ');
                in_blank = true;
            }
            at = blank_end;
            stretch = at;
        }
        if slice.len() > stretch {
            self.segments.push((self.text.len(), from + stretch));
            self.text.push_str(&slice[stretch..]);
        }
        self.last_len = slice.chars().count();
        self.all_short &= self.last_len <= SHORT_LINE;
    }

    fn finish(self) -> Vec<Draft> {
        let draft = Draft {
            text: self.text,
            start: self.start,
            end: self.end,
            segments: self.segments,
            columns: Vec::new(),
            units: None,
            heading: self.heading,
        };
        if draft.text.len() <= HARD_MAX {
            vec![draft]
        } else {
            cut_long(draft)
        }
    }
}

/// Cuts a passage longer than [`HARD_MAX`] at sentence ends, in pieces of about [`SOFT_MAX`].
fn cut_long(draft: Draft) -> Vec<Draft> {
    let text = &draft.text;
    let mut cuts = Vec::new();
    let mut piece_start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let long = i - piece_start >= SOFT_MAX;
        let sentence_end = matches!(bytes[i], b'.' | b'!' | b'?' | b';')
            && bytes.get(i + 1) == Some(&b' ')
            && bytes
                .get(i + 2)
                .is_some_and(|b| b.is_ascii_uppercase() || *b >= 0x80);
        if (long && sentence_end) || i - piece_start >= HARD_MAX && bytes[i] == b' ' {
            cuts.push(i + 1);
            piece_start = i + 1;
        }
        i += 1;
    }
    let mut out = Vec::new();
    let mut from = 0;
    for to in cuts.into_iter().chain(std::iter::once(text.len())) {
        let piece = &text[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            let t0 = from + lead;
            let t1 = t0 + trimmed.len();
            let last_len = trimmed.chars().next_back().map_or(1, char::len_utf8);
            let mut segments: Vec<(usize, usize)> = vec![(0, draft.source_offset(t0))];
            segments.extend(
                draft
                    .segments
                    .iter()
                    .filter(|&&(t, _)| t > t0 && t < t1)
                    .map(|&(t, s)| (t - t0, s)),
            );
            out.push(Draft {
                text: trimmed.to_string(),
                start: draft.source_offset(t0),
                end: draft.source_offset(t1 - last_len) + last_len,
                segments,
                columns: Vec::new(),
                units: None,
                // The heading stays with the first piece.
                heading: if t0 == 0 { draft.heading } else { 0 },
            });
        }
        from = to;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The line tests as first written, looking through whole lines for the end of a marker
    // or a label: what the quick ones must answer.
    fn item_by_chars(line: &str) -> bool {
        let end = line
            .char_indices()
            .find(|&(_, c)| c == '.' || c == ')')
            .map(|(i, _)| i);
        is_item_marked(line, end)
    }

    fn field_by_chars(line: &str) -> bool {
        is_field_at(line, line.find(':'))
    }

    fn note_by_chars(line: &str) -> bool {
        opens_a_note(line)
    }

    #[test]
    fn markers_and_labels_at_their_longest_are_read() {
        for line in [
            "viii. Objetivos",
            "xiv) “Plan”",
            "12) Meta",
            "a. Uno",
            "viiii. No",
        ] {
            assert_eq!(is_item(line), item_by_chars(line), "{line}");
        }
        assert!(is_item("viii. Objetivos"));
        let label = format!("Unidad {}: IESS", "x".repeat(33));
        assert_eq!(label.find(':'), Some(40));
        assert!(is_field(&label) && field_by_chars(&label));
        let longer = format!("Unidad {}: IESS", "x".repeat(34));
        assert!(!is_field(&longer) && !field_by_chars(&longer));
    }

    proptest! {
        #[test]
        fn line_kinds_are_read_as_from_the_whole_line(
            line in "(Fuente:|fuentes:|Elaborado por|ELABORACIÓN:|Fecha de corte|Nota:|nota|Élaborado|[0-9ivxabIV]{0,5}[.)]? ?)?[A-Za-zÉéñ\"“ ]{0,8}[a-zé ]{0,40}:? ?[A-Za-z0-9 ]{0,6}",
        ) {
            prop_assert_eq!(is_item(&line), item_by_chars(&line), "item {:?}", line);
            prop_assert_eq!(is_field(&line), field_by_chars(&line), "field {:?}", line);
            prop_assert_eq!(is_source_note(&line), note_by_chars(&line), "note {:?}", line);
        }
    }

    proptest! {
        /// Runs copied whole give what copying a character at a time gives.
        #[test]
        fn appending_collapses_blanks_as_a_character_at_a_time(
            pre in "[a ]{0,3}",
            line in "[a-z ñé\t\u{a0}\u{2003}\u{feff}.,]{0,40}",
        ) {
            let source = format!("{pre}{line}");
            let from = pre.len();
            let mut b = Builder {
                text: String::new(),
                start: from,
                end: source.len(),
                segments: Vec::new(),
                kind: LineKind::Field,
                last_len: 0,
                all_short: true,
                lines: 1,
                numbered: false,
                heading: 0,
            };
            b.append(&source, from, source.len());
            let (mut text, mut segments, mut in_blank, mut open) = (String::new(), Vec::new(), false, false);
            for (i, c) in line.char_indices() {
                if is_blank(c) && c != '\u{a0}' {
                    if !in_blank {
                        text.push(' ');
                        in_blank = true;
                    }
                    open = false;
                    continue;
                }
                if !open {
                    segments.push((text.len(), from + i));
                    open = true;
                }
                in_blank = false;
                text.push(c);
            }
            prop_assert_eq!(&b.text, &text);
            prop_assert!(b.segments.len() <= segments.len());
            // Fewer segments, the same offsets: every byte of the text maps to the same place
            // in the source.
            let draft = |segments: Vec<(usize, usize)>| Draft {
                text: text.clone(),
                start: from,
                end: source.len(),
                segments,
                columns: Vec::new(),
                units: None,
                heading: 0,
            };
            let (ours, by_chars) = (draft(b.segments.clone()), draft(segments));
            for offset in 0..=text.len() {
                prop_assert_eq!(ours.source_offset(offset), by_chars.source_offset(offset), "at {}", offset);
            }
            prop_assert_eq!(b.last_len, line.chars().count());
        }
    }

    fn texts(s: &str) -> Vec<String> {
        split(s).into_iter().map(|d| d.text).collect()
    }

    #[test]
    fn lines_broken_mid_sentence_are_joined_across_blank_lines() {
        let t = texts("visitas personales a los mayores\n\ndeudores de cada cantón, cumpliendo la meta.\n\n- Feria Inclusiva");
        assert_eq!(
            t,
            [
                "visitas personales a los mayores deudores de cada cantón, cumpliendo la meta.",
                "Feria Inclusiva"
            ]
        );
    }

    #[test]
    fn hyphenated_words_and_year_ranges_are_mended() {
        assert_eq!(
            texts("la comunica-\nción interna"),
            ["la comunicación interna"]
        );
        assert_eq!(
            texts("Agenda 2021-\n\n2025 de discapacidades"),
            ["Agenda 2021-2025 de discapacidades"]
        );
        // A word a narrow column broke without a hyphen, before an ending that is no word.
        assert_eq!(
            texts("las modifica\nciones del presupuesto"),
            ["las modificaciones del presupuesto"]
        );
    }

    #[test]
    fn bullets_and_numbered_items_are_passages_of_their_own() {
        let t = texts("Logros:\n- Uno, con\nsu detalle.\n- Dos.\n1. Tres.\n2. Cuatro.\na. Políticas públicas interculturales\n\u{f0b7} Cinco");
        assert_eq!(
            t,
            [
                "Logros:",
                "Uno, con su detalle.",
                "Dos.",
                "1. Tres.",
                "2. Cuatro.",
                "a. Políticas públicas interculturales",
                "Cinco"
            ]
        );
    }

    #[test]
    fn a_numbered_heading_keeps_the_paragraph_that_opens_its_section() {
        let paragraph = "La cartera vencida por mora patronal se ubicó en $249.000, correspondiente a\n\
                         247 empleadores en mora. La recaudación total alcanzó 340.100.255 dólares.\n";
        let heading = "4. Recaudación y gestión de cartera";
        let report = format!(
            "Texto de la sección anterior, que termina aquí con una frase completa y larga.\n\n\
             {heading}\n\n\n{paragraph}\n\
             Ejes del año:\n1. Afiliación\n2. Recaudación\n\n{paragraph}\n\
             5. Afiliados activos: 1.234\n\n{paragraph}\n\
             - Afiliados voluntarios: 940\n\n{heading}\n\n{paragraph}"
        );
        let drafts = split(&report);
        let texts: Vec<&str> = drafts.iter().map(|d| d.text.as_str()).collect();
        let body =
            "La cartera vencida por mora patronal se ubicó en $249.000, correspondiente a 247 \
                    empleadores en mora. La recaudación total alcanzó 340.100.255 dólares.";
        assert_eq!(
            texts,
            [
                "Texto de la sección anterior, que termina aquí con una frase completa y larga.",
                format!("{heading} {body}").as_str(),
                "Ejes del año:",
                // The last item of a list is no heading.
                "1. Afiliación",
                "2. Recaudación",
                body,
                // Nor is an item that ends with its figure.
                "5. Afiliados activos: 1.234",
                body,
                // A bullet before it makes no list of it.
                "Afiliados voluntarios: 940",
                format!("{heading} {body}").as_str(),
            ]
        );
        assert_eq!(drafts[1].heading, heading.len());
        assert_eq!(drafts[9].heading, heading.len());
        // A numbered item that a narrow column wrapped is no heading.
        let wrapped = split(
            "Texto de la sección anterior, que termina aquí con una frase completa y larga.\n\n\
                             1. Se brindó atención en\nidioma kichwa a 300 pacientes.\n",
        );
        assert_eq!(
            wrapped[1].text,
            "1. Se brindó atención en idioma kichwa a 300 pacientes."
        );
        assert_eq!(wrapped[1].heading, 0);
        assert!(drafts
            .iter()
            .enumerate()
            .all(|(i, d)| i == 1 || i == 9 || d.heading == 0));
    }

    #[test]
    fn an_item_ends_before_the_next_heading_but_not_where_blanks_set_every_line() {
        let report = "➢ Recaudación total: USD 1'596.599,93\n\
                      ➢ Cartera vencida: USD 125'998.213,55\n\
                      ➢ Convenios de purga de mora suscritos: 842\n\n\
                      Recaudación y gestión de cartera\n\n\
                      La recaudación total alcanzó 414.144.810 dólares, cifra superior en 1,5 %\n\
                      a la del ejercicio fiscal 2017. El Juzgado de Coactiva efectuó 18\n\
                      notificaciones, 9 embargos y 159 retenciones de cuentas bancarias.\n\n\
                      10. Procesos de contratación pública de bienes y servicios\n\n\
                      Se declararon desiertos 19 procesos por falta de ofertas o por\n\
                      incumplimiento de requisitos, conforme a la Ley Orgánica del Sistema.\n";
        assert_eq!(
            texts(report),
            [
                "Recaudación total: USD 1'596.599,93",
                "Cartera vencida: USD 125'998.213,55",
                "Convenios de purga de mora suscritos: 842",
                "Recaudación y gestión de cartera",
                "La recaudación total alcanzó 414.144.810 dólares, cifra superior en 1,5 % a la \
                 del ejercicio fiscal 2017. El Juzgado de Coactiva efectuó 18 notificaciones, 9 \
                 embargos y 159 retenciones de cuentas bancarias.",
                // A numbered heading keeps its body.
                "10. Procesos de contratación pública de bienes y servicios Se declararon \
                 desiertos 19 procesos por falta de ofertas o por incumplimiento de requisitos, \
                 conforme a la Ley Orgánica del Sistema."
            ]
        );
        // An export with a blank between every two lines: the blank says nothing.
        let spaced = "Inclusión efectiva en la atención de\n\nsalud para su libertad.\n\n\
                      \u{f0b7} Total, Beneficiarios Seguro\n\nGeneral de Salud = 6'614,115\n\n\
                      Fuente: MIS AS-400.\n";
        assert_eq!(
            texts(spaced),
            [
                "Inclusión efectiva en la atención de salud para su libertad.",
                "Total, Beneficiarios Seguro General de Salud = 6'614,115",
                "Fuente: MIS AS-400."
            ]
        );
    }

    #[test]
    fn page_numbers_and_running_headers_are_dropped() {
        let page = |n: usize| {
            format!("Rendición de Cuentas 2021 – IESS Loja\nTexto de la página {n} que sigue\n\n{n}\n\n")
        };
        let text: String = (1..=4).map(page).collect();
        let t = texts(&text);
        assert!(t.iter().all(|p| !p.contains("IESS Loja")), "{t:?}");
        assert!(t.iter().all(|p| p.trim() != "3"), "{t:?}");
        assert!(is_page_number("Página 3 de 20"));
        assert!(is_page_number("- 7 -"));
        assert!(is_page_number("12 | P á g i n a"));
        assert!(!is_page_number("1'634.129"));
        assert!(!is_page_number("2021"));
    }

    #[test]
    fn a_running_footer_with_its_page_number_is_dropped() {
        // The guide's footer: its title and the page number, in cells, sides swapping.
        let page = |n: usize| {
            let footer = if n.is_multiple_of(2) {
                format!("{n}\tGuía Metodológica")
            } else {
                format!("Guía Metodológica\t{n}")
            };
            format!("Los recursos se reparten entre los gobiernos autónomos de la página {n}.\n\n{footer}\n\x0c")
        };
        let text: String = (10..=17).map(page).collect();
        let t = texts(&text);
        assert_eq!(t.len(), 8, "{t:?}");
        assert!(t.iter().all(|p| !p.contains("Guía")), "{t:?}");
        // A small table at the foot of pages, its rows with two numbers each, stays.
        let page = |n: usize| format!("Texto de la página {n}.\n\nCantón {n}\t2,{n}\n\x0c");
        let text: String = (1..=4).map(page).collect();
        assert_eq!(texts(&text).len(), 8);
        // Two headings alike but for their year, each near a page's end, stay.
        let text = "Texto de la primera página.\n\nAfiliados 2009\n\x0cAfiliados 2010\nTexto de la segunda página.";
        let t = texts(text);
        assert!(
            t.iter().any(|p| p.contains("2009")) && t.iter().any(|p| p.contains("2010")),
            "{t:?}"
        );
    }

    #[test]
    fn a_running_header_after_a_page_number_is_dropped_even_once() {
        let text = "Texto que termina aquí.\n\n1 | P á g i n a\n\nRendición de Cuentas 2011 – IESS Guayas\nEl Juzgado de Coactiva efectuó 121 embargos.";
        let t = texts(text);
        assert_eq!(
            t,
            [
                "Texto que termina aquí.",
                "El Juzgado de Coactiva efectuó 121 embargos."
            ]
        );
        assert_eq!(
            texts("Rendición de Cuentas 2021\nDirección Nacional"),
            ["Rendición de Cuentas 2021 Dirección Nacional"]
        );
    }

    #[test]
    fn an_amount_goes_on_after_its_currency_across_a_page_break() {
        for currency in ["USD", "US$", "$"] {
            let text = format!(
                "Texto que termina aquí.\n\nA través del BIESS se otorgaron 6.930 préstamos quirografarios por {currency}\n\n7\n\nRendición de Cuentas 2022 – IESS Los Ríos\n161,3 millones y 18 préstamos hipotecarios."
            );
            assert_eq!(
                texts(&text),
                [
                    "Texto que termina aquí.".to_string(),
                    format!("A través del BIESS se otorgaron 6.930 préstamos quirografarios por {currency} 161,3 millones y 18 préstamos hipotecarios.")
                ],
                "{currency}"
            );
        }
    }

    #[test]
    fn a_sentence_end_at_a_short_line_ends_the_paragraph() {
        let long = "x".repeat(70);
        let text =
            format!("{long} uno.\n{long} dos\ncontinúa aquí.\nCorto final.\nNuevo párrafo {long}");
        let t = texts(&text);
        assert_eq!(t.len(), 3, "{t:#?}");
        assert!(t[0].ends_with("dos continúa aquí."), "{t:#?}");
        assert_eq!(t[1], "Corto final.");
    }

    #[test]
    fn a_heading_does_not_swallow_its_paragraph_or_a_source_note() {
        let long = "palabra ".repeat(11);
        let text = format!("Ejecución presupuestaria\nEl presupuesto {long}\nsigue aquí.\nElaborado por: Unidad Financiera\nPrestaciones económicas\nEl seguro {long}");
        let t = texts(&text);
        assert_eq!(t.len(), 5, "{t:#?}");
        assert_eq!(t[0], "Ejecución presupuestaria");
        assert_eq!(t[3], "Prestaciones económicas");
    }

    #[test]
    fn labelled_values_are_a_block_of_their_own() {
        let t = texts("Rendición de Cuentas 2011\nDirección Provincial IESS Guayas\nPeríodo: enero a diciembre de 2011\nDATOS GENERALES\nUnidad: Dirección Provincial IESS Guayas\nDirección: Calle Olmedo y 24 de Mayo,\nSimón Bolívar\nPresentación\nEl Instituto Ecuatoriano de Seguridad Social presenta el informe de Rendición de Cuentas de la Dirección.");
        assert_eq!(
            t,
            [
                "Rendición de Cuentas 2011 Dirección Provincial IESS Guayas",
                "Período: enero a diciembre de 2011",
                "DATOS GENERALES",
                "Unidad: Dirección Provincial IESS Guayas Dirección: Calle Olmedo y 24 de Mayo, Simón Bolívar",
                "Presentación",
                "El Instituto Ecuatoriano de Seguridad Social presenta el informe de Rendición de Cuentas de la Dirección."
            ]
        );
    }

    #[test]
    fn a_lone_line_before_a_blank_is_a_heading() {
        let t = texts("NARRATIVA RENDICIÓN DE CUENTAS DIRECCIÓN PROVINCIAL MANABI\n\nEstimados afiliados, el Instituto");
        assert_eq!(t.len(), 2, "{t:#?}");
        let t = texts("- Las 10 Unidades Médicas del Seguro General y los 135 Dispensarios del Seguro\n\nCampesino, brindaron atención.");
        assert_eq!(t.len(), 1, "an item goes on: {t:#?}");
    }

    #[test]
    fn flattened_table_cells_stay_together() {
        let t = texts("Grupos de Edad\n\nAtenciones\nMenores de 1 año       273.242\n\nDe 1 a 4 años              790.147\n\nFuente: MIS AS-400 / SOAM.\n\nFecha de corte: Enero-Diciembre\n2021.");
        assert_eq!(
            t,
            [
                "Grupos de Edad Atenciones Menores de 1 año 273.242 De 1 a 4 años 790.147",
                "Fuente: MIS AS-400 / SOAM. Fecha de corte: Enero-Diciembre 2021."
            ]
        );
    }

    /// The column headers of each row passage of `text`.
    fn columns(text: &str) -> Vec<Vec<String>> {
        split(text)
            .into_iter()
            .filter(|d| d.text.contains(table::CELL_SEPARATOR))
            .map(|d| d.columns)
            .collect()
    }

    #[test]
    fn a_table_s_header_ends_with_the_table_even_in_a_narrow_column() {
        // A row of words, then prose in short lines, then a table without a header.
        let mut text = String::from("determinación y fiscalización de los\tgravámenes.-\n");
        for _ in 0..8 {
            text.push_str("sobre el monto total constituido por el tributo\n");
        }
        text.push_str("Más de 30 y hasta 60 días de mora\t5%\n");
        assert_eq!(
            columns(&text).last(),
            Some(&vec![String::new(), String::new()]),
            "no header"
        );
        // Section names between a header and its rows keep the header.
        let text = "Descripción\tDevengado\nGASTOS\nGASTOS CORRIENTES\nGastos de consumo\nRemuneraciones\nSueldos y salarios\t2.095.500,70\n";
        assert_eq!(
            columns(text).last(),
            Some(&vec!["Descripción".to_string(), "Devengado".to_string()])
        );
    }

    #[test]
    fn a_title_after_a_table_of_words_starts_the_next_tables_header() {
        // The accountability form: its policies are a table of words, then a title, then the
        // budget's header and rows.
        let text = "Política\tAplica\tResultados\n\
                    Políticas interculturales\tSI\tPartos atendidos\n\
                    Políticas de género\tSI\tTalleres dictados\n\
                    CUMPLIMIENTO DE LA EJECUCIÓN PRESUPUESTARIA\n\
                    Tipo\tCodificado\tEjecutado\n\
                    Gasto corriente\t25.345.678,90\t24.987.123,45\n";
        assert_eq!(
            columns(text).last(),
            Some(&vec![
                "Tipo".to_string(),
                "Codificado".to_string(),
                "Ejecutado".to_string()
            ])
        );
        // A word of a header on a line of its own keeps the header whole.
        let text = "\tPoblación\tDensidad\nProvincia\n\t2009\t2009\nProvincia 1\t354\t0,27\n";
        assert_eq!(
            columns(text).last(),
            Some(&vec![
                String::new(),
                "Población 2009".to_string(),
                "Densidad 2009".to_string()
            ])
        );
    }

    #[test]
    fn a_piece_of_a_header_set_in_its_column_joins_that_column_s_label() {
        // As the PDF reader writes a census table's header: `Área`, `% Población`, `Km2)` and
        // `NBI` on lines of their own, each in its column.
        let text = "\t\t\tPoblación Urbana\tÍndice\n\t\t\t\tNBI\n\t\tÁrea\n\t% Población\n\
                    \tFronteriza\t(miles\t2007\t2007\n\t\tKm2)\n\
                    Provincia 1\t0\t8,0\t354\t0,27\n";
        assert_eq!(
            columns(text).last(),
            Some(&vec![
                String::new(),
                "% Población Fronteriza".to_string(),
                "Área (miles Km2)".to_string(),
                "Población Urbana 2007".to_string(),
                "Índice NBI 2007".to_string(),
            ])
        );
        // Without a header being read, a line set in by tabs is prose, as it was.
        let text = "Un informe.\n\tEl párrafo sangrado\nProvincia\t2007\nProvincia 1\t354\n";
        assert!(split(text)
            .iter()
            .any(|d| d.text == "El párrafo sangrado" && d.columns.is_empty()));
        assert_eq!(
            columns(text).last(),
            Some(&vec!["Provincia".to_string(), "2007".to_string()])
        );
    }

    #[test]
    fn years_over_columns_head_them_and_prose_cut_into_cells_ends_a_table() {
        let columns = |text: &str| -> Vec<(String, Vec<String>)> {
            split(text)
                .into_iter()
                .filter(|d| d.text.contains(table::CELL_SEPARATOR))
                .map(|d| (d.text, d.columns))
                .collect()
        };
        let strings = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = columns("Indicador\t2019\t2020\nAfiliados activos\t15.230\t16.480\n");
        assert_eq!(rows[1].1, strings(&["Indicador", "2019", "2020"]));
        // Years alone over the columns stack under the labels above them.
        let rows = columns("Provincia\tGasto\tGasto\n\t2008\t2009\nProvincia 1\t354\t375\n");
        assert_eq!(
            rows[2].1,
            strings(&["Provincia", "Gasto 2008", "Gasto 2009"])
        );
        // A sentence cut in two by a formula is no row of the table above it, nor is the row
        // after it.
        let rows = columns(
            "Descripción\tDevengado\nSueldos\t1.250,00\n\
             En este criterio de asignación, mientras el\tsea más cercano a 1, el GAD recibirá una mayor asig-\n\
             Otros\t5,00\n",
        );
        assert_eq!(rows[1].1, strings(&["Descripción", "Devengado"]));
        assert!(rows[2].0.starts_with("En este criterio"));
        assert!(rows[2].1.is_empty(), "{:?}", rows[2]);
        assert_eq!(rows[3].1, strings(&["", ""]));
    }

    #[test]
    fn offsets_map_back_to_the_source() {
        let src = "  Se recaudó   USD 4'803.665,69\n\nen total.";
        let d = &split(src)[0];
        assert_eq!(d.text, "Se recaudó USD 4'803.665,69 en total.");
        let at = d.text.find("4'803").expect("figure");
        let s = d.source_offset(at);
        assert_eq!(&src[s..s + 12], "4'803.665,69");
        let en = d.text.find("en total").expect("words");
        assert_eq!(
            &src[d.source_offset(en)..d.source_offset(en) + 8],
            "en total"
        );
        assert_eq!(
            &src[d.start..d.end],
            "Se recaudó   USD 4'803.665,69\n\nen total."
        );
    }

    #[test]
    fn long_paragraphs_are_cut_at_sentence_ends() {
        let sentence = "Esta es una oración de prueba con varias palabras. ";
        let text = sentence.repeat(120);
        let parts = split(&text);
        assert!(parts.len() > 2);
        for p in &parts {
            assert!(p.text.len() <= HARD_MAX, "{}", p.text.len());
            assert!(p.text.ends_with('.'), "{}", p.text);
            let s = p.source_offset(0);
            assert_eq!(&text[s..s + 4], "Esta");
        }
    }

    #[test]
    fn a_table_s_units_hold_for_its_rows_until_another_table_starts() {
        let text = "Tabla 1: Ingresos del Estado\n\
            Cifras en millones de dólares\n\
            \t2011\t2012\n\
            Ingresos totales\t23.950,2\t26.109,3\n\
            Gobiernos Municipales y Distritos\n\
            \t1.434,7\t1.500,0\n\
            Metropolitanos (67%)\n\
            Total\t2.238,9\t2.449,1\n\
            Tabla 2: Ponderación de la población\n\
            Población (miles hab.)\n\
            Provincia 1\t624,4\n\n\
            Valores en dólares\n\n\
            Un párrafo de prosa que sigue a la nota sin ninguna tabla debajo de ella, largo como una línea de informe.\n\
            Otro cuadro\t15\n";
        let rows: Vec<(String, Option<String>)> = split(text)
            .into_iter()
            .filter(|d| !d.columns.is_empty())
            .map(|d| (d.text, d.units))
            .collect();
        let millions = || Some("Cifras en millones de dólares".to_string());
        assert_eq!(
            rows,
            [
                (
                    "Ingresos totales | 23.950,2 | 26.109,3".to_string(),
                    millions()
                ),
                // A row's label wrapped round its numbers keeps the table.
                ("1.434,7 | 1.500,0".to_string(), millions()),
                ("Total | 2.238,9 | 2.449,1".to_string(), millions()),
                // A caption starts another table; a piece of a header is no note.
                ("Provincia 1 | 624,4".to_string(), None),
                // A note that prose follows is no table's.
                ("Otro cuadro | 15".to_string(), None),
            ]
        );
        // A table's note and header lines long after the last table's rows.
        let text = "Total\t2.238,9\nFuente: Ministerio\nuna\ndos\ntres\ncuatro\ncinco\n\
            Tabla 3: Gastos\nCifras en miles de dólares\nAsignación\nConcepto\t2011\nGastos\t4,5\n";
        let last = split(text).pop().expect("passages");
        assert_eq!(
            (last.text.as_str(), last.units.as_deref()),
            ("Gastos | 4,5", Some("Cifras en miles de dólares"))
        );
        // A caption's multiplier holds for its rows.
        let text = "Tabla 4. Atenciones por servicio (x 1.000)
Servicio	2022	2023
            Consulta externa	212,4	245,7
";
        let last = split(text).pop().expect("passages");
        assert_eq!(
            (last.text.as_str(), last.units.as_deref()),
            ("Consulta externa | 212,4 | 245,7", Some("(x 1.000)"))
        );
    }
}
