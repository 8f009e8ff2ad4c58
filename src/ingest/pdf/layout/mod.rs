//! From glyphs placed on a page to lines of text, each line its cells in reading order.
//!
//! Nothing here trusts the order or the spaces of the content stream: words and cells come from
//! the gaps between glyphs, as a reader sees them. Lines are glyphs sharing a baseline, sorted
//! left to right; a gap wider than [`WORD_GAP`] of the font size separates words, one wider than
//! [`CELL_GAP`] separates cells, unless the gaps of the line are those of justified prose (all
//! of one width, or two or three times it). Consecutive lines of several cells form a table
//! region whose columns are found by aligning the cells of its fullest rows, so each row is
//! written with one tab between columns (empty columns kept), and the columns line up from row
//! to row. Runs of letter-spaced single letters (`R e n d i c i ó n`) are joined back into
//! words.
//!
//! A text export's tables laid out with spaces are the same problem with every character in a
//! fixed column: [`text_tables`] reads them with the same regions and columns.

use crate::analysis::text::{is_bullet, push_wrapped};

mod text;

pub use text::text_tables;

/// A glyph as drawn: its text, where it starts and ends on the baseline, and its size, in the
/// page's units (points, y growing upwards).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The character(s) drawn.
    pub text: String,
    /// Where it starts on the baseline.
    pub x0: f32,
    /// Where it ends on the baseline.
    pub x1: f32,
    /// Height of the baseline.
    pub y: f32,
    /// Font size.
    pub size: f32,
    /// A space was drawn just before it in the content stream.
    pub space_before: bool,
}

/// A gap wider than this share of the font size separates two words.
pub const WORD_GAP: f32 = 0.14;
/// A gap wider than this share of the font size separates two cells of a table.
pub const CELL_GAP: f32 = 1.1;
/// Lines whose baselines are closer than this share of the font size are one line.
const SAME_LINE: f32 = 0.45;
/// A vertical gap larger than this many line heights ends a paragraph (a blank line).
const PARAGRAPH_GAP: f32 = 1.9;

/// One line of a page: its cells, each made of words.
#[derive(Debug, Clone)]
struct Line {
    y: f32,
    size: f32,
    cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
struct Cell {
    x0: f32,
    x1: f32,
    text: String,
    /// The words of the cell: where each starts and ends, and its byte range in `text`.
    words: Vec<(f32, f32, usize, usize)>,
}

/// The text of one page: lines separated by `\n`, a blank line where a paragraph ends, cells of
/// a table separated by `\t`.
pub fn page_text(mut glyphs: Vec<Glyph>) -> String {
    glyphs.retain(|g| g.size.is_finite() && g.x0.is_finite() && g.y.is_finite());
    if glyphs.is_empty() {
        return String::new();
    }
    let lines = group_lines(glyphs);
    let lines: Vec<Line> = lines.into_iter().map(build_line).collect();
    render(&lines)
}

/// Groups glyphs into lines by baseline, top to bottom, each sorted left to right.
fn group_lines(mut glyphs: Vec<Glyph>) -> Vec<Vec<Glyph>> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut line_y = f32::NAN;
    let mut line_size = 0.0f32;
    for g in glyphs {
        let tolerance = SAME_LINE * line_size.max(g.size).max(1.0);
        if lines.is_empty() || (line_y - g.y).abs() > tolerance {
            line_y = g.y;
            line_size = g.size;
            lines.push(vec![g]);
        } else if let Some(line) = lines.last_mut() {
            line_size = line_size.max(g.size);
            line.push(g);
        }
    }
    for line in &mut lines {
        line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        dedupe_overdrawn(line);
    }
    lines
}

/// Drops glyphs drawn twice at almost the same place (fake bold, shadows).
fn dedupe_overdrawn(line: &mut Vec<Glyph>) {
    let mut out: Vec<Glyph> = Vec::with_capacity(line.len());
    for g in line.drain(..) {
        let twice = out.iter().rev().take(3).any(|p| {
            p.text == g.text && (p.x0 - g.x0).abs() < 0.15 * g.size.max(1.0) && p.y == g.y
                || p.text == g.text && (p.x0 - g.x0).abs() < 0.05 * g.size.max(1.0)
        });
        if !twice {
            out.push(g);
        }
    }
    *line = out;
}

/// Whether a cell of a text export is a figure: an amount, a count or a share
/// (`1.234,56`, `(134.567,89)`, `-50`, `12,5%`, `$ 300`), nothing else.
fn is_figure_cell(cell: &Cell) -> bool {
    is_figure(&cell.text)
}

/// Whether `text` is a figure (see [`is_figure_cell`]).
fn is_figure(text: &str) -> bool {
    let body = text
        .trim_start_matches(['-', '+', '(', '$', ' '])
        .trim_end_matches([')', '%', ' ']);
    body.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'\'' | b' '))
}

/// Whether a cell of a table holds a figure as a table sets it: first (`245 partos
/// atendidos`, `4% de la nómina`), or as half of its words or more (`1.234,56`, `USD 300`,
/// `Cantón 1`). A header or a clause that names a number does not (`(promedio 3 últimos
/// años)`, `sea más cercano a 1, el GAD`).
fn holds_figures(cell: &Cell) -> bool {
    let (mut words, mut figures) = (0, 0);
    for word in cell.text.split(' ') {
        let figure = is_figure(word);
        if figure && words == 0 {
            return true;
        }
        words += 1;
        figures += usize::from(figure);
    }
    figures > 0 && 2 * figures >= words
}

/// Whether `next`, one space after `prev`, may be its next group of thousands (`1 234,50`):
/// three digits, perhaps with decimals, after a number without decimals.
fn continues_thousands(prev: &str, next: &str) -> bool {
    let cents = |w: &str| {
        w.trim_end_matches([')', '%'])
            .rsplit_once([',', '.'])
            .is_some_and(|(_, d)| (1..=2).contains(&d.len()))
    };
    let mut parts = next.trim_end_matches([')', '%']).split([',', '.']);
    let group = parts.next().is_some_and(|g| g.len() == 3 && is_digits(g));
    let decimals = parts
        .next()
        .is_none_or(|d| (1..=2).contains(&d.len()) && is_digits(d));
    group && decimals && parts.next().is_none() && !cents(prev)
}

/// Words and cells of one line, from the gaps between its glyphs.
fn build_line(glyphs: Vec<Glyph>) -> Line {
    let size = median(glyphs.iter().map(|g| g.size)).max(1.0);
    let y = glyphs.first().map_or(0.0, |g| g.y);
    // Words first: (x0, x1, text).
    let mut words: Vec<(f32, f32, String)> = Vec::new();
    let mut prev_x1 = f32::NEG_INFINITY;
    for g in glyphs {
        let gap = g.x0 - prev_x1;
        // A space drawn with no room for it (after a ligature, say) separates nothing.
        let size = g.size.max(1.0);
        let new_word =
            words.is_empty() || gap > WORD_GAP * size || g.space_before && gap > 0.05 * size;
        if new_word {
            words.push((g.x0, g.x1, g.text));
        } else if let Some(w) = words.last_mut() {
            w.1 = w.1.max(g.x1);
            w.2.push_str(&g.text);
        }
        prev_x1 = prev_x1.max(g.x1);
    }
    let words = join_letter_spaced(words, size);
    let mut cells: Vec<Cell> = Vec::new();
    let mut prev_spaced = false;
    for (x0, x1, text, spaced) in words {
        // Letter-spaced words stand far apart without being cells.
        let limit = if spaced || prev_spaced { 3.0 } else { CELL_GAP };
        prev_spaced = spaced;
        // Two amounts side by side are two cells, unless the second is a group of thousands.
        let amounts = cells.last().is_some_and(|c| {
            let prev = c.words.last().map_or("", |&(_, _, a, b)| &c.text[a..b]);
            is_amount(prev) && is_amount(&text) && !continues_thousands(prev, &text)
                // Digits far apart: a space of thousands is one space wide, cells are further.
                || is_digits(prev) && is_digits(&text) && x0 - c.x1 > 0.4 * size
        });
        let wide = cells
            .last()
            .is_none_or(|c| x0 - c.x1 > limit * size || amounts);
        if wide {
            let words = vec![(x0, x1, 0, text.len())];
            cells.push(Cell {
                x0,
                x1,
                text,
                words,
            });
        } else if let Some(c) = cells.last_mut() {
            c.x1 = c.x1.max(x1);
            c.text.push(' ');
            let start = c.text.len();
            c.text.push_str(&text);
            c.words.push((x0, x1, start, c.text.len()));
        }
    }
    if justified(&cells, size) {
        cells = vec![joined(cells)];
    }
    Line { y, size, cells }
}

/// Whether the cells of a line are the words of justified prose. Justification spreads a
/// line's spare room evenly between its words, so a short line of long words gets gaps wider
/// than [`CELL_GAP`], all of one width, or two or three times it where the text had two or
/// three spaces (`cuando  sea`). The gaps between a table's columns follow the widths of their
/// cells, and its words inside a cell stand one plain space apart. So: every gap between the
/// words of the line one, two or three times the narrowest, at least two of them, and most
/// words without digits. The line's first gap is set aside when it follows a list mark alone
/// in its cell (`1) | Los importes`, a tab stop) or a first word that shares its cell
/// (`d) Los | Directores`).
fn justified(cells: &[Cell], size: f32) -> bool {
    if cells.len() < 2 {
        return false;
    }
    let first = &cells[0];
    let mark_alone =
        matches!(first.words.as_slice(), [(_, _, a, b)] if is_list_mark(&first.text[*a..*b]));
    let mut gaps = Vec::new();
    let (mut words, mut wordy) = (0usize, 0usize);
    for (k, cell) in cells.iter().enumerate() {
        if k > 1 || (k == 1 && !mark_alone) {
            gaps.push(cell.x0 - cells[k - 1].x1);
        }
        for (i, pair) in cell.words.windows(2).enumerate() {
            if k > 0 || i > 0 {
                gaps.push(pair[1].0 - pair[0].1);
            }
        }
        for &(_, _, a, b) in &cell.words {
            words += 1;
            if !cell.text[a..b].chars().any(|c| c.is_ascii_digit()) {
                wordy += 1;
            }
        }
    }
    if gaps.len() < 2 || wordy * 2 <= words {
        return false;
    }
    let narrowest = gaps.iter().copied().fold(f32::INFINITY, f32::min);
    let widest = gaps.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    narrowest > 0.0
        && widest <= JUSTIFIED_WIDEST * size
        && gaps.iter().all(|&gap| {
            (1..=3).any(|times| (gap - times as f32 * narrowest).abs() <= JUSTIFIED_SPREAD * size)
        })
}

/// A list's mark: a bullet alone, or up to three letters or digits closed by `)` or `.` (`a)`,
/// `10)`, `(b)`, `1.`, `IV.`).
fn is_list_mark(word: &str) -> bool {
    let mut chars = word.chars();
    if chars.next().is_some_and(is_bullet) && chars.next().is_none() {
        return true;
    }
    let inner = word.strip_prefix('(').unwrap_or(word);
    let Some(body) = inner.strip_suffix([')', '.']) else {
        return false;
    };
    (1..=3).contains(&body.chars().count()) && body.chars().all(char::is_alphanumeric)
}

/// Most difference between a gap of a justified line and a whole number of its narrowest, as a
/// share of the font size (justified PDFs differ by rounding only, a hundredth of it).
const JUSTIFIED_SPREAD: f32 = 0.05;
/// Widest gap between the words of a justified line, as a share of the font size.
const JUSTIFIED_WIDEST: f32 = 4.0;

/// The cells of a line as one, their words kept apart by one space.
fn joined(cells: Vec<Cell>) -> Cell {
    let mut all = Cell {
        x0: cells.first().map_or(0.0, |c| c.x0),
        x1: cells.last().map_or(0.0, |c| c.x1),
        text: String::new(),
        words: Vec::new(),
    };
    for cell in cells {
        if !all.text.is_empty() {
            all.text.push(' ');
        }
        let base = all.text.len();
        all.text.push_str(&cell.text);
        all.words.extend(
            cell.words
                .iter()
                .map(|&(x0, x1, a, b)| (x0, x1, base + a, base + b)),
        );
    }
    all
}

/// Joins runs of single letters drawn apart (`R e n d i c i ó n  d e`) into words: inside a
/// run of four or more one-character words, a gap clearly wider than the run's narrowest gap
/// separates words, the others are letter spacing. Words from such runs are marked `true`.
fn join_letter_spaced(words: Vec<(f32, f32, String)>, size: f32) -> Vec<(f32, f32, String, bool)> {
    let single = |w: &(f32, f32, String)| {
        let mut chars = w.2.chars();
        chars.next().is_some_and(char::is_alphanumeric) && chars.next().is_none()
    };
    if words.iter().filter(|w| single(w)).count() < 4 {
        return words
            .into_iter()
            .map(|(a, b, t)| (a, b, t, false))
            .collect();
    }
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j < words.len()
            && single(&words[j])
            && (j == i || words[j].0 - words[j - 1].1 < size * 1.5)
        {
            j += 1;
        }
        if j - i < 4 {
            let (a, b, t) = words[i].clone();
            out.push((a, b, t, false));
            i += 1;
            continue;
        }
        let run = &words[i..j];
        let gaps: Vec<f32> = run.windows(2).map(|w| w[1].0 - w[0].1).collect();
        let narrow = gaps.iter().copied().fold(f32::INFINITY, f32::min).max(0.0);
        let (a, b, t) = run[0].clone();
        let mut word = (a, b, t, true);
        for (next, gap) in run[1..].iter().zip(gaps) {
            if gap > narrow * 1.8 + 0.12 * size {
                let (a, b, t) = next.clone();
                out.push(std::mem::replace(&mut word, (a, b, t, true)));
            } else {
                word.1 = next.1;
                word.2.push_str(&next.2);
            }
        }
        out.push(word);
        i = j;
    }
    out
}

/// Writes the lines of a page, aligning the columns of table regions.
fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let end = region_end(lines, i);
        if end > i {
            let end = wrapped_tail_end(lines, i, end);
            for table in tables(&lines[i..end]) {
                let start = i + table.start;
                let rows = &lines[start..i + table.end];
                let bands = column_bands(rows);
                let header = header_lines(rows);
                let mut k = 0;
                for group in row_groups(rows, &bands) {
                    paragraph_break(&mut out, lines, start + k);
                    let group_lines = &rows[k..k + group];
                    if group == 1 && group_lines[0].cells.len() < 2 {
                        let line = &group_lines[0];
                        if header.contains(&k) && is_header_piece(line, &bands) {
                            write_row(&mut out, line, &bands);
                        } else if let Some(cell) = line.cells.first() {
                            out.push_str(&cell.text);
                        }
                    } else {
                        write_slots(&mut out, merged_slots(group_lines, &bands));
                    }
                    out.push('\n');
                    k += group;
                }
            }
            i = end;
            continue;
        }
        paragraph_break(&mut out, lines, i);
        if let Some(cell) = lines[i].cells.first() {
            out.push_str(&cell.text);
        }
        out.push('\n');
        i += 1;
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

/// The end of the table region starting at line `i` (`i` itself when none starts there): lines
/// of several cells, and the short single lines between them (section names such as `GASTOS
/// CORRIENTES`, a wrapped cell), up to [`REGION_GAP`] of them in a row.
fn region_end(lines: &[Line], i: usize) -> usize {
    let multi = |k: usize| lines.get(k).is_some_and(|l| l.cells.len() >= 2);
    let short = |k: usize| {
        lines
            .get(k)
            .is_some_and(|l| l.cells.len() == 1 && l.cells[0].text.chars().count() <= 60)
    };
    if !multi(i) {
        return i;
    }
    let mut end = i + 1;
    loop {
        if multi(end) {
            end += 1;
            continue;
        }
        let mut k = end;
        while k < end + REGION_GAP && short(k) {
            k += 1;
        }
        if k > end && multi(k) {
            end = k + 1;
        } else {
            return end;
        }
    }
}

/// Most short single lines a table region spans.
const REGION_GAP: usize = 6;

/// The tables of a region, as ranges of its lines, each laid out in columns of its own.
///
/// A form sets several tables one under the other, each under a title on a line of its own
/// (`DOMICILIO`, `CUMPLIMIENTO DE LA EJECUCIÓN PRESUPUESTARIA`). One set of columns for them
/// all can put a budget's type and description in one column, where the table of policies
/// above has a single wide cell, and a total's first amount under the description. The region
/// is cut before each line of cells that follows a single line (a title, or the last line of a
/// wrapped cell). Two parts stay one table unless the columns of the two together put in one
/// column cells of a part's rows of figures that its own columns keep apart
/// ([`disturbed`]). A budget's section names (`GASTOS CORRIENTES`), wrapped cells,
/// headers of several lines and a running head do not cut a table.
fn tables(rows: &[Line]) -> Vec<std::ops::Range<usize>> {
    let mut starts: Vec<usize> = (1..rows.len())
        .filter(|&k| rows[k].cells.len() >= 2 && rows[k - 1].cells.len() < 2)
        .collect();
    starts.push(rows.len());
    let mut tables = Vec::new();
    let mut current = 0..starts[0];
    for pair in starts.windows(2) {
        let part = pair[0]..pair[1];
        let (head, tail) = (&rows[current.clone()], &rows[part.clone()]);
        let joined = column_bands(&rows[current.start..part.end]);
        if disturbed(head, &joined) || disturbed(tail, &joined) {
            tables.push(current);
            current = part;
        } else {
            current.end = part.end;
        }
    }
    tables.push(current);
    tables
}

/// Whether a line is a row of a table's body: cells, one holding a figure.
fn is_body_row(line: &Line) -> bool {
    line.cells.len() >= 2 && line.cells.iter().any(holds_figures)
}

/// The lines of a table's header that may hold a piece of it set on a line of its own: those
/// after its first line of several cells and before its first row of figures (years head
/// columns: `2007 | 2008` is a line of the header).
fn header_lines(rows: &[Line]) -> std::ops::Range<usize> {
    let first = rows
        .iter()
        .position(|l| l.cells.len() >= 2)
        .unwrap_or(rows.len());
    let body = rows
        .iter()
        .position(|l| {
            is_body_row(l)
                && l.cells
                    .iter()
                    .any(|c| holds_figures(c) && !crate::analysis::text::is_year(c.text.trim()))
        })
        .unwrap_or(rows.len());
    (first + 1)..body.max(first + 1)
}

/// Whether a line of one cell between a table's header lines is a piece of a column's label
/// (`Área`, `% Población`, `Km2)` stacked over a column, `NBI` over four): a few words without
/// a figure, set over a column that is not the first. Written in its column, it joins the
/// label of the column under it; written alone, it was lost to every column.
fn is_header_piece(line: &Line, bands: &[(f32, f32)]) -> bool {
    let [cell] = line.cells.as_slice() else {
        return false;
    };
    bands.len() >= 2
        && !is_figure(&cell.text)
        && cell.text.split_whitespace().count() <= 4
        && band_of(cell.x0, cell.x1, bands) > 0
}

/// Whether the columns `joined` put two cells of a part of a table region in one column, where
/// the part's own columns keep them apart, in two of its body rows (or its one body row): then
/// the part is a table of its own. A part is a table when it holds two body rows, or one
/// under a header of as many cells, each over its own (an address under `PROVINCIA`,
/// `CANTÓN`…); a header, a title or a running head with its page number is not.
fn disturbed(part: &[Line], joined: &[(f32, f32)]) -> bool {
    let body: Vec<&Line> = part.iter().filter(|r| is_body_row(r)).collect();
    let headed = |k: usize| {
        k > 0 && {
            let (header, row) = (&part[k - 1].cells, &part[k].cells);
            header.len() == row.len()
                && header
                    .iter()
                    .zip(row)
                    .all(|(h, c)| h.x1.min(c.x1) > h.x0.max(c.x0))
        }
    };
    let table = match body.len() {
        0 => false,
        1 => part.iter().position(is_body_row).is_some_and(headed),
        _ => true,
    };
    if !table {
        return false;
    }
    let own = column_bands(part);
    let together = |row: &Line, bands: &[(f32, f32)]| {
        let mut last: Option<usize> = None;
        row.cells.iter().any(|cell| {
            let band = band_of(cell.x0, cell.x1, bands);
            let falls = last.is_some_and(|l| band <= l);
            last = Some(band);
            falls
        })
    };
    let put_together = body
        .iter()
        .filter(|r| together(r, joined) && !together(r, &own))
        .count();
    put_together >= body.len().min(2)
}

/// A blank line before line `k` when it stands well below the line before it.
fn paragraph_break(out: &mut String, lines: &[Line], k: usize) {
    if k == 0 {
        return;
    }
    let (prev, line) = (&lines[k - 1], &lines[k]);
    let height = prev.size.max(line.size).max(1.0);
    if prev.y - line.y > PARAGRAPH_GAP * height * 1.2 {
        out.push('\n');
    }
}

/// The columns of a table region, as x ranges: the stretches of the page that the cells of
/// its rows cover, between the gaps that (almost) no row covers. Columns of amounts are found
/// from the amounts alone (they line up well), columns of words from the other cells, cut
/// where they run into a column of amounts. Rows of words (headers, centred over several
/// columns; `(promedio 3 últimos años)`; a line of prose cut by a formula) do not vote when
/// there are rows of figures.
fn column_bands(rows: &[Line]) -> Vec<(f32, f32)> {
    let multi: Vec<&Line> = rows.iter().filter(|r| r.cells.len() >= 2).collect();
    let numeric = |r: &&Line| r.cells.iter().any(holds_figures);
    let voters: Vec<&Line> = if multi.iter().filter(|r| numeric(r)).count() >= 2 {
        multi.iter().copied().filter(numeric).collect()
    } else {
        multi
    };
    let tolerance = voters.len() / 10;
    let cells = || voters.iter().flat_map(|r| r.cells.iter());
    let amounts = covered(cells().filter(|c| is_amount(&c.text)), tolerance);
    let words = covered(cells().filter(|c| !is_amount(&c.text)), tolerance);
    let mut bands = amounts.clone();
    for (mut x0, x1) in words {
        for &(a0, a1) in &amounts {
            if a0 <= x0 && x0 < a1 {
                x0 = a1;
            }
        }
        let cut = amounts
            .iter()
            .filter(|&&(a0, _)| a0 > x0 && a0 < x1)
            .map(|&(a0, _)| a0)
            .fold(x1, f32::min);
        if cut - x0 > 2.0 {
            bands.push((x0, cut));
        }
    }
    bands.sort_by(|a, b| a.0.total_cmp(&b.0));
    bands
}

/// The stretches of x that more than `tolerance` of `cells` cover.
fn covered<'c>(cells: impl Iterator<Item = &'c Cell> + Clone, tolerance: usize) -> Vec<(f32, f32)> {
    let lo = cells.clone().map(|c| c.x0).fold(f32::INFINITY, f32::min);
    let hi = cells
        .clone()
        .map(|c| c.x1)
        .fold(f32::NEG_INFINITY, f32::max);
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 20_000.0 {
        return Vec::new();
    }
    // Coverage in half-point bins.
    let bins = ((hi - lo) * 2.0).ceil() as usize + 1;
    let bin = |x: f32| (((x - lo) * 2.0) as usize).min(bins - 1);
    let mut cover = vec![0usize; bins];
    for cell in cells {
        for c in &mut cover[bin(cell.x0)..=bin(cell.x1)] {
            *c += 1;
        }
    }
    let mut bands: Vec<(f32, f32)> = Vec::new();
    let mut open: Option<usize> = None;
    for (b, &n) in cover.iter().enumerate() {
        match (open, n > tolerance) {
            (None, true) => open = Some(b),
            (Some(start), false) => {
                bands.push((lo + start as f32 / 2.0, lo + b as f32 / 2.0));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        bands.push((lo + start as f32 / 2.0, hi));
    }
    bands
}

/// The band a stretch belongs to: the one it overlaps most, or the nearest.
fn band_of(x0: f32, x1: f32, bands: &[(f32, f32)]) -> usize {
    let mut best = (0usize, f32::NEG_INFINITY);
    for (i, &(b0, b1)) in bands.iter().enumerate() {
        let overlap = x1.min(b1) - x0.max(b0);
        if overlap > best.1 {
            best = (i, overlap);
        }
    }
    best.0
}

/// Most a line may stand below the one before it, as a share of the region's tightest line
/// pitch, to be the same row's next line (a cell's text wrapped).
const WRAPPED_PITCH: f32 = 1.15;

/// The smallest distance between two lines next to each other in `lines` (more than half a
/// font size: lines closer are one line drawn twice); `None` without two such lines.
fn tightest_pitch(lines: &[Line]) -> Option<f32> {
    let size = lines.first()?.size;
    lines
        .windows(2)
        .map(|pair| pair[0].y - pair[1].y)
        .filter(|&p| p > 0.5 * size)
        .min_by(f32::total_cmp)
}

/// The end of a table region with the short single lines after it that stand at its tightest
/// pitch: the wrapped cells of its last row (`movilidad humana` under `Políticas públicas
/// de`). Lines that are not are written as text, as outside a region.
fn wrapped_tail_end(lines: &[Line], start: usize, end: usize) -> usize {
    let pitch = |k: usize| lines[k - 1].y - lines[k].y;
    let Some(tightest) = tightest_pitch(&lines[start..end]) else {
        return end;
    };
    let mut tail = end;
    while tail < lines.len()
        && tail - end < REGION_GAP
        && lines[tail].cells.len() == 1
        && lines[tail].cells[0].text.chars().count() <= 60
        && pitch(tail) <= WRAPPED_PITCH * tightest
    {
        tail += 1;
    }
    tail
}

/// Most lines a row of a table region holds on average, when its rows wrap: more, and the
/// tight lines are the rows of a table without borders, apart from its header by a wider gap.
const WRAPPED_LINES: usize = 6;

/// The rows of a table region, as counts of lines: a row's cells may wrap over several lines,
/// set closer together than the rows are (rows drawn with borders and padding). A line goes on
/// the row above when it stands at the region's tightest pitch, fills no more columns than the
/// row's first line (cells are set from the top) and holds no number. A line at that pitch
/// that is not such (a row of figures right under another, as tables without borders set
/// them) shows that rows stand that close: then each line is a row. So is each line of a
/// region that this cuts into fewer than three rows, or into rows of many lines.
fn row_groups(rows: &[Line], bands: &[(f32, f32)]) -> Vec<usize> {
    let singles = vec![1; rows.len()];
    if bands.len() < 2 || rows.len() < 2 {
        return singles;
    }
    let pitch = |k: usize| rows[k - 1].y - rows[k].y;
    let Some(tightest) = tightest_pitch(rows) else {
        return singles;
    };
    let filled = |line: &Line| {
        row_slots(line, bands)
            .iter()
            .filter(|s| !s.is_empty())
            .count()
    };
    let has_number = |line: &Line| {
        line.cells
            .iter()
            .flat_map(|c| c.words.iter().map(move |&(_, _, a, b)| &c.text[a..b]))
            .any(|w| is_amount(w) || is_digits(w.trim_end_matches('%')))
    };
    let mut groups: Vec<usize> = Vec::new();
    let mut first_filled = 0;
    for (k, line) in rows.iter().enumerate() {
        let fills = filled(line);
        let tight = k > 0
            && pitch(k) <= WRAPPED_PITCH * tightest
            && (line.size - rows[k - 1].size).abs() <= 0.1 * line.size;
        let wrapped = tight && fills <= first_filled && !has_number(line);
        if tight && !wrapped {
            // A row set at the tightest pitch: rows stand that close, no line wraps.
            return singles;
        }
        match groups.last_mut() {
            Some(n) if wrapped => *n += 1,
            _ => {
                groups.push(1);
                first_filled = fills;
            }
        }
    }
    if groups.len() < 3 || rows.len() > WRAPPED_LINES * groups.len() {
        return singles;
    }
    groups
}

/// The cells of a row whose text wraps over `lines`, at their columns. The row's cells are
/// those of its first line (cells are set from the top) when each cell of the lines below
/// stands under exactly one of them: it goes on that cell, its lines joined with a space (a
/// word hyphenated at a line's end mended). Else (a cell set lower than the others, prose
/// wrapped across the row) the region's columns decide, as [`merged_by_columns`].
fn merged_slots(lines: &[Line], bands: &[(f32, f32)]) -> Vec<String> {
    let Some((first, below)) = lines.split_first() else {
        return Vec::new();
    };
    if below.is_empty() {
        return row_slots(first, bands);
    }
    let mut cells: Vec<(f32, f32, String)> = first
        .cells
        .iter()
        .map(|c| (c.x0, c.x1, c.text.clone()))
        .collect();
    let under = |x0: f32, x1: f32| -> Option<usize> {
        let mut overlapping = cells
            .iter()
            .enumerate()
            .filter(|(_, &(c0, c1, _))| x1.min(c1) > x0.max(c0))
            .map(|(k, _)| k);
        match (overlapping.next(), overlapping.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    };
    let mut placed: Vec<Vec<(usize, &str)>> = Vec::with_capacity(below.len());
    for line in below {
        let mut line_placed = Vec::with_capacity(line.cells.len());
        for cell in &line.cells {
            let Some(k) = under(cell.x0, cell.x1) else {
                return merged_by_columns(lines, bands);
            };
            line_placed.push((k, cell.text.as_str()));
        }
        placed.push(line_placed);
    }
    for line_placed in placed {
        let mut added = vec![String::new(); cells.len()];
        for (k, text) in line_placed {
            if !added[k].is_empty() {
                added[k].push(' ');
            }
            added[k].push_str(text);
        }
        for (cell, more) in cells.iter_mut().zip(added) {
            if !more.is_empty() {
                push_wrapped(&mut cell.2, &more);
            }
        }
    }
    if bands.len() < 2 {
        return cells.into_iter().map(|(_, _, text)| text).collect();
    }
    let mut slots = vec![String::new(); bands.len()];
    let mut last = 0;
    for (x0, x1, text) in cells {
        let mut band = band_of(x0, x1, bands).max(last);
        if !slots[band].is_empty() {
            // Two cells in one column: the next column when it is free, else kept apart.
            if band + 1 < bands.len() && slots[band + 1].is_empty() {
                band += 1;
            } else {
                slots[band].push_str("  ");
            }
        }
        slots[band].push_str(&text);
        last = band;
    }
    slots
}

/// The cells of a row whose text wraps over `lines`, by the region's columns: each column's
/// lines joined with a space (a word hyphenated at a line's end mended).
fn merged_by_columns(lines: &[Line], bands: &[(f32, f32)]) -> Vec<String> {
    let mut merged: Vec<String> = Vec::new();
    // Where each column's text of the row starts, from the line that opened it.
    let mut starts: Vec<Option<f32>> = Vec::new();
    for line in lines {
        for (band, (piece, x0)) in placed_slots(line, bands).into_iter().enumerate() {
            if piece.is_empty() {
                continue;
            }
            if merged.len() <= band {
                merged.resize(band + 1, String::new());
                starts.resize(band + 1, None);
            }
            // A wrapped line starts where its cell's first line did, even where the columns
            // of the region cut that cell in two (words after a column of amounts).
            let column = if merged[band].is_empty() {
                starts
                    .iter()
                    .position(|s| s.is_some_and(|at| (at - x0).abs() <= 0.5 * line.size))
                    .unwrap_or(band)
            } else {
                band
            };
            starts[column].get_or_insert(x0);
            push_wrapped(&mut merged[column], &piece);
        }
    }
    merged
}

/// Writes a row's cells, a tab between columns, without empty columns at its end.
fn write_slots(out: &mut String, mut slots: Vec<String>) {
    while slots.last().is_some_and(String::is_empty) {
        slots.pop();
    }
    out.push_str(&slots.join("\t"));
}

/// Writes a row's cells at their columns, a tab between columns.
fn write_row(out: &mut String, line: &Line, bands: &[(f32, f32)]) {
    write_slots(out, row_slots(line, bands));
}

/// A row's cells at their columns. A cell that spans a gap between columns (two cells drawn
/// too close to be told apart) is split at the gap. Without columns, the cells as they stand.
fn row_slots(line: &Line, bands: &[(f32, f32)]) -> Vec<String> {
    placed_slots(line, bands)
        .into_iter()
        .map(|(text, _)| text)
        .collect()
}

/// [`row_slots`], each with where its first word starts.
fn placed_slots(line: &Line, bands: &[(f32, f32)]) -> Vec<(String, f32)> {
    if bands.len() < 2 {
        return line.cells.iter().map(|c| (c.text.clone(), c.x0)).collect();
    }
    let mut slots: Vec<(String, f32)> = vec![(String::new(), f32::NAN); bands.len()];
    let mut last = 0;
    for cell in &line.cells {
        let mut previous: Option<(usize, f32)> = None;
        let together = |end: f32, next: f32| next - end <= 0.5 * line.size;
        for (k, &(x0, x1, a, b)) in cell.words.iter().enumerate() {
            // Words keep their order: a word never goes left of the one before it; words one
            // space apart stay together (a title over several columns is not cut). A phrase
            // whose first word stands between columns goes where the phrase stands: a header
            // centred over a column of numbers may start nearer the column before it.
            let mut band = match previous {
                Some((band, end)) if together(end, x0) => band,
                _ if bands.iter().any(|&(b0, b1)| x1.min(b1) > x0.max(b0)) => {
                    band_of(x0, x1, bands).max(last)
                }
                _ => {
                    let mut phrase_end = x1;
                    for &(next0, next1, _, _) in &cell.words[k + 1..] {
                        if !together(phrase_end, next0) {
                            break;
                        }
                        phrase_end = next1;
                    }
                    band_of(x0, phrase_end, bands).max(last)
                }
            };
            let previous_band = previous.map(|(band, _)| band);
            let joined = previous_band == Some(band);
            if !joined && !slots[band].0.is_empty() {
                // Two cells in one column would read as one number: keep them apart.
                if band + 1 < bands.len() && slots[band + 1].0.is_empty() {
                    band += 1;
                } else {
                    slots[band].0.push_str("  ");
                }
            } else if joined {
                slots[band].0.push(' ');
            }
            let slot = &mut slots[band];
            if slot.0.is_empty() {
                slot.1 = x0;
            }
            slot.0.push_str(&cell.text[a..b]);
            previous = Some((band, x1));
            last = band;
        }
    }
    slots
}

/// A written amount: digits with a decimal or grouping mark (`1,337.69`, `-0,50`, `12,5%`).
fn is_amount(word: &str) -> bool {
    let body = word
        .trim_start_matches(['-', '(', '$'])
        .trim_end_matches([')', '%']);
    body.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'\''))
        && body.bytes().any(|b| matches!(b, b'.' | b','))
}

fn is_digits(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut v: Vec<f32> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Glyphs of `text` drawn from `x` on baseline `y`, each character `w` wide, `gap` apart.
    fn run(text: &str, x: f32, y: f32, w: f32, gap: f32) -> Vec<Glyph> {
        let mut out = Vec::new();
        let mut x = x;
        let mut space = false;
        for c in text.chars() {
            if c == ' ' {
                space = true;
                x += w;
                continue;
            }
            out.push(Glyph {
                text: c.to_string(),
                x0: x,
                x1: x + w,
                y,
                size: 10.0,
                space_before: space,
            });
            space = false;
            x += w + gap;
        }
        out
    }

    #[test]
    fn words_come_from_spaces_and_gaps_not_from_the_stream_order() {
        let mut glyphs = run("Rendición", 10.0, 700.0, 5.0, 0.0);
        glyphs.extend(run("de", 62.0, 700.0, 5.0, 0.0));
        glyphs.reverse();
        assert_eq!(page_text(glyphs), "Rendición de");
    }

    #[test]
    fn lines_go_top_to_bottom_and_far_lines_are_paragraphs() {
        let mut glyphs = run("abajo", 10.0, 600.0, 5.0, 0.0);
        glyphs.extend(run("medio", 10.0, 688.0, 5.0, 0.0));
        glyphs.extend(run("arriba", 10.0, 700.0, 5.0, 0.0));
        assert_eq!(page_text(glyphs), "arriba\nmedio\n\nabajo");
    }

    #[test]
    fn cells_apart_are_never_glued() {
        // `0,00` and `4.137.297.527,65` with a wide gap and no space glyph between them.
        let mut glyphs = run("0,00", 100.0, 500.0, 5.0, 0.0);
        glyphs.extend(run("4.137.297.527,65", 140.0, 500.0, 5.0, 0.0));
        assert_eq!(page_text(glyphs), "0,00\t4.137.297.527,65");
    }

    #[test]
    fn two_amounts_one_space_apart_are_two_cells_unless_the_second_groups_the_first() {
        // A group of thousands has no cents before it: `300.000,00` is whole, so `250.000,00`
        // after it is the next column's amount, not its thousands.
        assert_eq!(
            page_text(run("300.000,00 250.000,00", 10.0, 500.0, 5.0, 0.0)),
            "300.000,00\t250.000,00"
        );
        assert_eq!(
            page_text(run("12,5% 250,00", 10.0, 500.0, 5.0, 0.0)),
            "12,5%\t250,00"
        );
        // A space of thousands (`1 234,50`) stays inside its number.
        assert_eq!(
            page_text(run("1 234,50", 10.0, 500.0, 5.0, 0.0)),
            "1 234,50"
        );
    }
    #[test]
    fn table_columns_line_up_with_empty_cells_kept() {
        let mut glyphs = Vec::new();
        glyphs.extend(run("Partida", 10.0, 700.0, 5.0, 0.0));
        glyphs.extend(run("Codificado", 150.0, 700.0, 5.0, 0.0));
        glyphs.extend(run("Devengado", 250.0, 700.0, 5.0, 0.0));
        glyphs.extend(run("Sueldos", 10.0, 688.0, 5.0, 0.0));
        glyphs.extend(run("1.250,00", 155.0, 688.0, 5.0, 0.0));
        glyphs.extend(run("85,50", 265.0, 688.0, 5.0, 0.0));
        glyphs.extend(run("Horas extra", 10.0, 676.0, 5.0, 0.0));
        glyphs.extend(run("12,00", 270.0, 676.0, 5.0, 0.0));
        assert_eq!(
            page_text(glyphs),
            "Partida\tCodificado\tDevengado\nSueldos\t1.250,00\t85,50\nHoras extra\t\t12,00"
        );
    }

    #[test]
    fn a_row_whose_cells_wrap_over_lines_is_one_row() {
        // A table drawn with borders: the lines of a cell 12 apart, the rows 16.
        let glyphs = placed(&[
            ("Política", 10.0, 700.0),
            ("Aplica", 160.0, 700.0),
            ("Resultados obtenidos", 220.0, 700.0),
            ("Políticas públicas", 10.0, 684.0),
            ("SI", 160.0, 684.0),
            ("245 partos", 220.0, 684.0),
            ("interculturales", 10.0, 672.0),
            ("atendidos", 220.0, 672.0),
            ("Políticas públicas", 10.0, 656.0),
            ("SI", 160.0, 656.0),
            ("1.250 adultos", 220.0, 656.0),
            ("generacio-", 10.0, 644.0),
            ("mayores atendidos", 220.0, 644.0),
            ("nales", 10.0, 632.0),
            ("Políticas públicas de", 10.0, 616.0),
            ("NO", 160.0, 616.0),
            ("No aplica", 220.0, 616.0),
            ("movilidad humana", 10.0, 604.0),
        ]);
        assert_eq!(
            page_text(glyphs),
            "Política\tAplica\tResultados obtenidos\n\
             Políticas públicas interculturales\tSI\t245 partos atendidos\n\
             Políticas públicas generacionales\tSI\t1.250 adultos mayores atendidos\n\
             Políticas públicas de movilidad humana\tNO\tNo aplica"
        );
    }

    #[test]
    fn rows_set_close_without_borders_stay_rows() {
        // The header apart from the rows, the rows at one pitch: rows of figures, then rows of
        // words, none a wrapped line of the one above.
        let glyphs = placed(&[
            ("Cuenta", 10.0, 700.0),
            ("Tipo", 160.0, 700.0),
            ("Monto", 260.0, 700.0),
            ("Sueldos", 10.0, 680.0),
            ("Planta", 160.0, 680.0),
            ("1.250,00", 260.0, 680.0),
            ("Horas extra", 10.0, 668.0),
            ("Contrato", 160.0, 668.0),
            ("85,50", 260.0, 668.0),
            ("Viáticos", 10.0, 656.0),
            ("Planta", 160.0, 656.0),
            ("Dietas", 10.0, 644.0),
            ("Contrato", 160.0, 644.0),
        ]);
        assert_eq!(
            page_text(glyphs),
            "Cuenta\tTipo\tMonto\nSueldos\tPlanta\t1.250,00\nHoras extra\tContrato\t85,50\n\
             Viáticos\tPlanta\nDietas\tContrato"
        );
    }

    #[test]
    fn headers_and_prose_with_a_number_do_not_merge_columns_of_figures() {
        // Headers centred over columns of counts right-aligned, each starting nearer the
        // column before; a header and the line of prose after the table each holding a number
        // (the prose cut in two by a formula's symbol).
        let glyphs = placed(&[
            ("Gasto en inversión", 125.0, 700.0),
            ("Gasto en inversión", 250.0, 700.0),
            ("ejecutado", 152.0, 690.0),
            ("presupuestado", 262.0, 690.0),
            ("GAD", 20.0, 680.0),
            ("(promedio 3 últimos años)", 100.0, 680.0),
            ("(promedio 3 últimos años)", 240.0, 680.0),
            ("a", 170.0, 665.0),
            ("b", 300.0, 665.0),
            ("c=a/b", 370.0, 665.0),
            ("Cantón Santa Rosa", 20.0, 645.0),
            ("400", 210.0, 645.0),
            ("440", 335.0, 645.0),
            ("0,91", 375.0, 645.0),
            ("Cantón Pasaje", 20.0, 625.0),
            ("500", 210.0, 625.0),
            ("600", 335.0, 625.0),
            ("0,83", 375.0, 625.0),
            ("En este criterio de asignación, mientras el", 10.0, 590.0),
            ("sea más cercano a 1, el GAD recibirá", 250.0, 590.0),
        ]);
        let text = page_text(glyphs);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.contains(&"Cantón Santa Rosa\t400\t440\t0,91"),
            "{text}"
        );
        assert!(lines.contains(&"Cantón Pasaje\t500\t600\t0,83"), "{text}");
        assert!(
            lines.contains(&"\tGasto en inversión\tGasto en inversión"),
            "{text}"
        );
    }

    #[test]
    fn a_wide_header_starting_over_its_column_stays_there() {
        // Left-aligned over a narrow column of amounts, the header runs further over the next.
        let glyphs = placed(&[
            ("Partida", 20.0, 700.0),
            ("Presupuesto codificado total", 100.0, 700.0),
            ("Sueldos", 20.0, 688.0),
            ("1.250,00", 100.0, 688.0),
            ("12.345.678,90", 150.0, 688.0),
            ("Horas", 20.0, 676.0),
            ("3.100,00", 100.0, 676.0),
            ("45.678,90", 170.0, 676.0),
        ]);
        assert_eq!(
            page_text(glyphs),
            "Partida\tPresupuesto codificado total\nSueldos\t1.250,00\t12.345.678,90\n\
             Horas\t3.100,00\t45.678,90"
        );
    }

    #[test]
    fn a_piece_of_a_header_on_a_line_of_its_own_is_set_in_its_column() {
        // As a census table sets its header: `Área` over `(miles` over `Km2)` in one column,
        // lines of one cell between lines of several.
        let glyphs = placed(&[
            ("Población", 150.0, 730.0),
            ("Índice", 250.0, 730.0),
            ("Área", 100.0, 715.0),
            ("Provincia", 20.0, 700.0),
            ("(miles", 100.0, 700.0),
            ("Total", 150.0, 700.0),
            ("NBI", 250.0, 700.0),
            ("Km2)", 100.0, 685.0),
            ("Provincia 1", 20.0, 670.0),
            ("8,0", 100.0, 670.0),
            ("354", 150.0, 670.0),
            ("0,27", 250.0, 670.0),
            ("Provincia 2", 20.0, 655.0),
            ("4,0", 100.0, 655.0),
            ("33", 150.0, 655.0),
            ("0,46", 250.0, 655.0),
        ]);
        assert_eq!(
            page_text(glyphs),
            "\t\tPoblación\tÍndice\n\tÁrea\nProvincia\t(miles\tTotal\tNBI\n\tKm2)\n\
             Provincia 1\t8,0\t354\t0,27\nProvincia 2\t4,0\t33\t0,46"
        );
        // Before the header's first line of several cells, and among the rows, a line of one
        // cell stays a line of its own: a title, a section's name.
        let glyphs = placed(&[
            ("Cifras en miles", 150.0, 745.0),
            ("Población", 150.0, 730.0),
            ("Índice", 250.0, 730.0),
            ("Provincia", 20.0, 715.0),
            ("Total", 150.0, 715.0),
            ("NBI", 250.0, 715.0),
            ("Provincia 1", 20.0, 700.0),
            ("354", 150.0, 700.0),
            ("0,27", 250.0, 700.0),
            ("Sierra", 150.0, 685.0),
            ("Provincia 2", 20.0, 670.0),
            ("33", 150.0, 670.0),
            ("0,46", 250.0, 670.0),
        ]);
        let text = page_text(glyphs);
        assert!(text.contains("\nSierra\n"), "{text}");
        assert!(!text.contains("\tCifras"), "{text}");
    }

    /// The printed form's address: a header and one row (text, `x0`, `x1`, baseline `y`).
    const FORM_ADDRESS: &[(&str, f32, f32, f32)] = &[
        ("PROVINCIA", 36.0, 77.0, 647.25),
        ("CANTÓN", 103.7, 135.7, 647.25),
        ("DIRECCIÓN", 227.6, 269.8, 647.25),
        ("CORREO ELECTRÓNICO", 374.2, 462.4, 647.25),
        ("TELÉFONO", 522.6, 562.6, 647.25),
        ("CHIMBORAZO", 36.0, 87.6, 635.25),
        ("RIOBAMBA", 103.7, 144.0, 635.25),
        ("AV. UNIDAD NACIONAL Y CHILE", 227.6, 343.7, 635.25),
        ("hospital.riobamba@iess.gob.ec", 374.2, 491.7, 635.25),
        ("032961500", 522.6, 565.5, 635.25),
    ];

    /// The printed form's table of policies, each result starting with its count.
    const FORM_POLICIES: &[(&str, f32, f32, f32)] = &[
        ("POLÍTICA", 42.4, 178.9, 582.75),
        ("SI O NO", 190.5, 231.4, 582.75),
        ("DESCRIPCIÓN", 240.9, 337.7, 582.75),
        ("ACCIONES", 353.5, 447.0, 582.75),
        ("RESULTADOS", 463.5, 571.0, 582.75),
        ("INTERCULTURALES", 36.0, 156.9, 562.5),
        ("SI", 189.1, 196.0, 562.5),
        ("Atención con pertinencia", 236.5, 330.0, 562.5),
        ("Parto culturalmente", 345.8, 420.2, 562.5),
        ("245 partos atendidos", 458.5, 538.5, 562.5),
        ("GENERACIONALES", 36.0, 156.9, 534.0),
        ("SI", 189.1, 196.0, 534.0),
        ("Atención al adulto mayor", 236.5, 331.0, 534.0),
        ("Club del adulto mayor", 345.8, 429.0, 534.0),
        ("1.250 adultos mayores", 458.5, 544.8, 534.0),
        ("DE GÉNERO", 36.0, 156.9, 493.5),
        ("SI", 189.1, 196.0, 493.5),
        ("Prevención de violencia", 236.5, 325.3, 493.5),
        ("Talleres de prevención", 345.8, 429.8, 493.5),
        ("320 mujeres capacitadas", 458.5, 552.9, 493.5),
    ];

    /// The printed form's budget: a header and two rows of amounts.
    const FORM_BUDGET: &[(&str, f32, f32, f32)] = &[
        ("TIPO", 75.1, 94.9, 429.0),
        ("DESCRIPCIÓN", 143.1, 200.4, 429.0),
        ("PRESUPUESTO CODIFICADO", 220.0, 336.8, 429.0),
        ("PRESUPUESTO EJECUTADO", 361.2, 472.9, 429.0),
        ("% CUMPLIMIENTO", 493.7, 569.1, 429.0),
        ("GASTO CORRIENTE", 36.0, 108.0, 417.0),
        ("PERSONAL", 137.8, 177.8, 417.0),
        ("25.345.678,90", 209.4, 264.3, 417.0),
        ("24.987.123,45", 351.1, 406.0, 417.0),
        ("98,59%", 486.7, 515.3, 417.0),
        ("GASTO DE INVERSIÓN", 36.0, 118.9, 405.0),
        ("EQUIPAMIENTO", 137.8, 194.8, 405.0),
        ("3.456.789,00", 209.4, 259.5, 405.0),
        ("2.987.654,32", 351.1, 401.2, 405.0),
        ("86,43%", 486.7, 515.3, 405.0),
    ];

    #[test]
    fn a_form_of_several_tables_keeps_each_table_in_its_columns() {
        // A printed accountability form (Chromium, 8 pt): an address row holding a phone
        // number, a table of policies whose results start with their count, and a budget
        // table, one region. Each text spans `x0..x1` on baseline `y`.
        let glyphs: Vec<Glyph> = [FORM_ADDRESS, FORM_POLICIES, FORM_BUDGET]
            .concat()
            .iter()
            .flat_map(|&(text, x0, x1, y)| cell_glyphs(text, x0, x1, y))
            .collect();
        let text = page_text(glyphs);
        let column = |start: &str, cell: &str| -> Option<usize> {
            let line = text.lines().find(|l| l.starts_with(start))?;
            line.split('\t').position(|c| c == cell)
        };
        let results = column("POLÍTICA", "RESULTADOS");
        assert!(results.is_some(), "{text}");
        for (row, cell) in [
            ("INTERCULTURALES", "245 partos atendidos"),
            ("GENERACIONALES", "1.250 adultos mayores"),
            ("DE GÉNERO", "320 mujeres capacitadas"),
        ] {
            assert_eq!(column(row, cell), results, "{text}");
        }
        let executed = column("TIPO", "PRESUPUESTO EJECUTADO");
        assert!(executed.is_some(), "{text}");
        assert_eq!(
            column("GASTO CORRIENTE", "24.987.123,45"),
            executed,
            "{text}"
        );
        assert_eq!(
            column("GASTO DE INVERSIÓN", "2.987.654,32"),
            executed,
            "{text}"
        );
    }

    /// The glyphs of `text` set from `x0` to `x1` on baseline `y` at 8 pt, as Chromium prints a
    /// table cell: spaces 2 wide, the other characters sharing the rest.
    fn cell_glyphs(text: &str, x0: f32, x1: f32, y: f32) -> Vec<Glyph> {
        let spaces = text.matches(' ').count();
        let w = (x1 - x0 - 2.0 * spaces as f32) / (text.chars().count() - spaces) as f32;
        let mut x = x0;
        let mut glyphs = Vec::new();
        for word in text.split(' ') {
            for c in word.chars() {
                glyphs.push(Glyph {
                    text: c.to_string(),
                    x0: x,
                    x1: x + w,
                    y,
                    size: 8.0,
                    space_before: x > x0 && glyphs.last().is_some_and(|g: &Glyph| x - g.x1 > 1.0),
                });
                x += w;
            }
            x += 2.0;
        }
        glyphs
    }

    #[test]
    fn a_table_under_its_own_title_gets_its_own_columns() {
        // The printed form's table of policies, then its budget under a title, the total's
        // description empty. One set of columns for both put the budget's type and description
        // in one column, and the total's first amount under `DESCRIPCIÓN`.
        let title = [(
            "CUMPLIMIENTO DE LA EJECUCIÓN PRESUPUESTARIA",
            33.0,
            228.0,
            455.0,
        )];
        let total = [
            ("TOTAL", 36.0, 59.0, 393.0),
            ("28.802.467,90", 209.4, 264.3, 393.0),
            ("27.974.777,77", 351.1, 406.0, 393.0),
            ("97,13%", 486.7, 515.3, 393.0),
        ];
        let glyphs: Vec<Glyph> = [FORM_POLICIES, &title, FORM_BUDGET, &total]
            .concat()
            .iter()
            .flat_map(|&(text, x0, x1, y)| cell_glyphs(text, x0, x1, y))
            .collect();
        let text = page_text(glyphs);
        let row = |start: &str| -> Vec<&str> {
            let line = text.lines().find(|l| l.starts_with(start));
            line.map(|l| l.split('\t').collect()).unwrap_or_default()
        };
        assert_eq!(
            row("TIPO"),
            [
                "TIPO",
                "DESCRIPCIÓN",
                "PRESUPUESTO CODIFICADO",
                "PRESUPUESTO EJECUTADO",
                "% CUMPLIMIENTO"
            ],
            "{text}"
        );
        assert_eq!(
            row("GASTO CORRIENTE"),
            [
                "GASTO CORRIENTE",
                "PERSONAL",
                "25.345.678,90",
                "24.987.123,45",
                "98,59%"
            ],
            "{text}"
        );
        assert_eq!(
            row("TOTAL"),
            ["TOTAL", "", "28.802.467,90", "27.974.777,77", "97,13%"],
            "{text}"
        );
        // The policies keep their columns, a result under its header.
        let results = row("POLÍTICA").iter().position(|c| *c == "RESULTADOS");
        assert!(results.is_some(), "{text}");
        let counted = row("DE GÉNERO")
            .iter()
            .position(|c| *c == "320 mujeres capacitadas");
        assert_eq!(counted, results, "{text}");
    }

    /// Glyphs of each text at its place, each character 5 wide.
    fn placed(texts: &[(&str, f32, f32)]) -> Vec<Glyph> {
        texts
            .iter()
            .flat_map(|&(text, x, y)| run(text, x, y, 5.0, 0.0))
            .collect()
    }

    /// Glyphs of `words` on one baseline, each character 5 wide, `gap` between words.
    fn spread(words: &[&str], y: f32, gap: f32) -> Vec<Glyph> {
        let mut glyphs = Vec::new();
        let mut x = 10.0;
        for w in words {
            glyphs.extend(run(w, x, y, 5.0, 0.0));
            x += 5.0 * w.chars().count() as f32 + gap;
        }
        glyphs
    }

    #[test]
    fn justified_prose_is_words_not_cells() {
        // Gaps of 1.3 font sizes, all the same: a line spread to the margin.
        let words = [
            "un",
            "interés",
            "punitorio",
            "que",
            "no",
            "superará",
            "la",
            "tasa",
        ];
        assert_eq!(
            page_text(spread(&words, 700.0, 13.0)),
            "un interés punitorio que no superará la tasa"
        );
        // Gaps as wide, but of different widths: columns.
        let mut glyphs = run("Gasto", 10.0, 700.0, 5.0, 0.0);
        glyphs.extend(run("corriente", 48.0, 700.0, 5.0, 0.0));
        glyphs.extend(run("total", 111.0, 700.0, 5.0, 0.0));
        assert_eq!(page_text(glyphs), "Gasto\tcorriente\ttotal");
        // Evenly spread numbers are a table's columns (years heading columns of amounts).
        assert_eq!(
            page_text(spread(&["2019", "2020", "2021", "2022"], 700.0, 30.0)),
            "2019\t2020\t2021\t2022"
        );
        // Two words alone cannot tell: cells.
        assert_eq!(
            page_text(spread(&["Total", "general"], 700.0, 13.0)),
            "Total\tgeneral"
        );
        // Two spaces typed in justified text: a gap twice the others.
        let mut glyphs = spread(&["procedimiento", "para", "su", "cuando"], 700.0, 9.4);
        glyphs.extend(run(
            "sea",
            10.0 + 5.0 * 25.0 + 3.0 * 9.4 + 18.8,
            700.0,
            5.0,
            0.0,
        ));
        assert_eq!(page_text(glyphs), "procedimiento para su cuando sea");
        // A list mark set apart, then justified words.
        let mut glyphs = run("d)", 10.0, 700.0, 5.0, 0.0);
        for g in spread(&["Los", "Directores,", "Gerentes", "y"], 700.0, 14.0) {
            glyphs.push(Glyph {
                x0: g.x0 + 12.0,
                x1: g.x1 + 12.0,
                ..g
            });
        }
        assert_eq!(page_text(glyphs), "d) Los Directores, Gerentes y");
        // A list mark at a tab stop, then the item's words.
        let mut glyphs = run("1)", 10.0, 700.0, 5.0, 0.0);
        glyphs.extend(run(
            "Los importes correspondientes a Impuestos",
            40.0,
            700.0,
            5.0,
            0.0,
        ));
        assert_eq!(
            page_text(glyphs),
            "1) Los importes correspondientes a Impuestos"
        );
        // Row numbers of a table with amounts stay cells.
        let mut glyphs = run("1", 10.0, 700.0, 5.0, 0.0);
        glyphs.extend(run("Sueldos", 40.0, 700.0, 5.0, 0.0));
        glyphs.extend(run("1.250,00", 120.0, 700.0, 5.0, 0.0));
        assert_eq!(page_text(glyphs), "1\tSueldos\t1.250,00");
        // A column of words, then one of words: a plain space inside a cell, a wide gap
        // between the columns.
        let mut glyphs = run("Elaborado por:", 10.0, 700.0, 5.0, 0.0);
        glyphs.extend(run("Soraya Jarrín Feijóo", 110.0, 700.0, 5.0, 0.0));
        assert_eq!(page_text(glyphs), "Elaborado por:\tSoraya Jarrín Feijóo");
    }

    #[test]
    fn letter_spaced_headings_are_joined_into_words() {
        let mut glyphs = run("Rendición", 10.0, 700.0, 5.0, 3.0);
        glyphs.extend(run("de", 90.0, 700.0, 5.0, 3.0));
        glyphs.extend(run("2019", 120.0, 700.0, 5.0, 3.0));
        assert_eq!(page_text(glyphs), "Rendición de 2019");
    }

    #[test]
    fn overdrawn_glyphs_count_once() {
        let mut glyphs = run("Total", 10.0, 700.0, 5.0, 0.0);
        glyphs.extend(run("Total", 10.3, 700.0, 5.0, 0.0));
        assert_eq!(page_text(glyphs), "Total");
    }
}
