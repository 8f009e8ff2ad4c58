//! A text export's tables laid out with spaces, read as a PDF page's: every character of a
//! text export stands in a fixed column, so its place on the line is its place on the page. The
//! regions, tables and columns are the PDF reader's ([`super`]); what a text export lacks, the
//! vertical pitch of its lines, has rules of its own here: which lines are a table's header
//! ([`headers`]) and which continue the row above them ([`wrapped_ends`]).

use super::{
    column_bands, continues_thousands, holds_figures, is_amount, is_figure, is_figure_cell, joined,
    justified, merged_slots, region_end, tables, write_row, write_slots, Cell, Line,
};
use crate::analysis::text::is_year;
/// Tables laid out with spaces in a text export (as `pdftotext -layout` and report generators
/// write them), rewritten as [`page_text`](super::page_text) writes the tables of a PDF: a tab between columns,
/// empty columns kept, the columns lined up from row to row. A text export's characters stand
/// in fixed columns, so a character's column is its place on the line: two spaces or more
/// between words separate cells, one space separates words, and two amounts one space apart
/// (`0,00 2.095.500,70`, columns too wide for their gap) are two cells. Justified prose keeps
/// its words; the lines of a region stay as written unless two of its rows of cells hold
/// figures. `None` when nothing changed.
pub fn text_tables(text: &str) -> Option<String> {
    if !has_cell_gap(text) {
        return None;
    }
    let raw: Vec<&str> = text.split('\n').collect();
    // Blank lines stand between a table's header and its rows as a PDF's gaps do: regions are
    // found over the other lines, and blank lines are written back where they were.
    let (at, lines): (Vec<usize>, Vec<Line>) = raw
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i, text_line(l, i)))
        .unzip();
    let mut out = String::with_capacity(text.len() + 64);
    let mut written = 0;
    let mut changed = false;
    let mut i = 0;
    while i < lines.len() {
        let end = region_end(&lines, i);
        let rows = &lines[i..end];
        let figure_row = |r: &Line| r.cells.len() >= 2 && r.cells[1..].iter().any(is_figure_cell);
        // A region without two rows of figures holds none from any of its lines on: it is
        // passed by whole (line by line, a long one would be read again from each line).
        if rows.iter().filter(|r| figure_row(r)).count() < 2 {
            i = end.max(i + 1);
            continue;
        }
        // Tables set one under the other, each under its own title, get columns of their own
        // (see [`tables`]); a region too long to weigh each cut in it is one table.
        let parts = if rows.len() <= TEXT_REGION_CUTS {
            tables(rows)
        } else {
            std::iter::once(0..rows.len()).collect()
        };
        let header = headers(rows, &at[i..end], figure_row);
        for part in parts {
            let table = &rows[part.clone()];
            let table_at = &at[i + part.start..i + part.end];
            let bands = column_bands(table);
            // Rows of figures and their headers; the other lines (prose the region ran into)
            // stay as written.
            let row = |k: usize| figure_row(&table[k]) || header[part.start + k];
            let ends = wrapped_ends(table, table_at, &raw, row);
            let mut k = 0;
            while k < table.len() {
                let line_at = table_at[k];
                for before in &raw[written..line_at] {
                    out.push_str(before);
                    out.push('\n');
                }
                let end = ends[k];
                if end > k + 1 {
                    // A row and the lines of its wrapped cells: one row, each cell whole, then
                    // a blank line for each line it took.
                    write_slots(&mut out, merged_slots(&table[k..end], &bands));
                    out.extend(std::iter::repeat_n('\n', end - k));
                } else {
                    if row(k) {
                        write_row(&mut out, &table[k], &bands);
                    } else {
                        out.push_str(raw[line_at]);
                    }
                    out.push('\n');
                }
                written = table_at[end - 1] + 1;
                k = end;
            }
        }
        changed = true;
        i = end;
    }
    if !changed {
        return None;
    }
    for rest in &raw[written..] {
        out.push_str(rest);
        out.push('\n');
    }
    out.pop();
    Some(out)
}

/// Which lines of a table region of a text export are headers, written in their table's
/// columns: the lines of cells above its first row of figures, and those of a stretch of
/// lines without figures right above a later one, when the stretch stands apart from the row
/// above it (under a title, or after a blank line): the header of a table under its own title
/// (a budget under its title, below the address of a form; a header repeated at the top of a
/// page). Lines of cells right under a row are its wrapped cells ([`wrapped_ends`]). A row of
/// years (`2007  2008  2009`) is a line of a header. `at` holds each line's number in the
/// text.
fn headers(rows: &[Line], at: &[usize], figure_row: impl Fn(&Line) -> bool) -> Vec<bool> {
    let first = rows.iter().position(&figure_row);
    let mut header: Vec<bool> = (0..rows.len())
        .map(|k| first.is_some_and(|f| k < f) && rows[k].cells.len() >= 2)
        .collect();
    let years = |line: &Line| {
        line.cells
            .iter()
            .all(|c| !is_figure(&c.text) || is_year(&c.text))
    };
    let figures = |k: usize| figure_row(&rows[k]) && !years(&rows[k]);
    let mut k = 0;
    while k < rows.len() {
        if figures(k) {
            k += 1;
            continue;
        }
        let start = k;
        while k < rows.len() && !figures(k) {
            k += 1;
        }
        let apart = start == 0 || rows[start].cells.len() < 2 || at[start] > at[start - 1] + 1;
        if apart && k < rows.len() {
            for (line, header) in rows[start..k].iter().zip(&mut header[start..k]) {
                *header |= line.cells.len() >= 2;
            }
        }
    }
    header
}

/// For each line of a table of a text export, the end of the lines it spans: the row itself,
/// and the lines of its wrapped cells right under it. A line continues a row when it stands
/// right under it (no blank line, no page break), holds no figure, and each of its cells
/// starts where one of the row's cells starts, fewer cells than the row: a cell's text wraps
/// to the cell's left edge, between words. A line of one cell under the row's first cell (`PÚBLICAS DE
/// GÉNERO` under `IMPLEMENTACIÓN DE POLÍTICAS`) may as well be a section's name between rows
/// (`GASTOS DE INVERSIÓN`): it continues a row only in a table whose rows are seen to wrap
/// their first cell with others. A line that is no row spans itself.
fn wrapped_ends(
    table: &[Line],
    at: &[usize],
    raw: &[&str],
    row: impl Fn(usize) -> bool,
) -> Vec<usize> {
    // Some((cells, under the first cell)) when line `j` may continue row `k`.
    let continues = |k: usize, j: usize| -> Option<(usize, bool)> {
        let (r, l) = (&table[k], &table[j]);
        if at[j] != at[j - 1] + 1
            || raw[at[j]].contains('\u{c}')
            || l.cells.is_empty()
            || l.cells.len() >= r.cells.len()
            || l.cells.iter().any(holds_figures)
        {
            return None;
        }
        let mut next = 0;
        let mut first = false;
        for cell in &l.cells {
            let at_edge = r.cells[next..]
                .iter()
                .position(|c| (c.x0 - cell.x0).abs() < 1.0)?;
            // A cell of one word wraps when its next word did not fit: the two together take
            // more than half the room up to the next cell. `SI` over the next row's `NO` (the
            // rest of that row empty) had room for both.
            let under = next + at_edge;
            let above = &r.cells[under];
            if !above.text.contains(' ') && !above.text.ends_with('-') {
                let room = r
                    .cells
                    .get(under + 1)
                    .map_or(f32::INFINITY, |c| c.x0 - above.x0);
                let word = cell.text.split(' ').next().map_or(0, |w| w.chars().count());
                let together = (above.text.chars().count() + 1 + word) as f32;
                if 2.0 * together <= room {
                    return None;
                }
            }
            first |= under == 0;
            next = under + 1;
        }
        Some((l.cells.len(), first))
    };
    let wraps_first = (1..table.len())
        .any(|j| row(j - 1) && continues(j - 1, j).is_some_and(|(n, first)| n >= 2 && first));
    let mut ends: Vec<usize> = (1..=table.len()).collect();
    for k in (0..table.len()).filter(|&k| row(k)) {
        let mut end = k + 1;
        while end < table.len()
            && continues(k, end).is_some_and(|(n, first)| n >= 2 || !first || wraps_first)
        {
            end += 1;
        }
        ends[k] = end;
    }
    ends
}

/// Most lines of a text export's table region cut into tables of their own: the cuts are
/// weighed against the table above each, work growing with the square of the region's lines.
const TEXT_REGION_CUTS: usize = 400;

/// Whether some line holds two spaces between two words: a text without can hold no table
/// laid out with spaces, and is passed by at the cost of one look at each byte.
fn has_cell_gap(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i + 2 < bytes.len() {
        if bytes[i] == b' ' && bytes[i + 1] == b' ' && !matches!(bytes[i - 1], b' ' | b'\n') {
            let mut j = i + 2;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() && !matches!(bytes[j], b'\n' | b'\t') {
                return true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
}

/// Font size given to a line of a text export, one character wide per column: words one
/// space apart stay together in [`write_row`] (a gap of half a size or less).
const TEXT_SIZE: f32 = 2.0;

/// Line `i` of a text export as cells of words, each at its columns (see [`text_tables`]). A
/// line with a tab or a page break is left as one cell: it is not laid out with spaces.
fn text_line(line: &str, i: usize) -> Line {
    let y = -(i as f32) * 3.0 * TEXT_SIZE;
    let mut words: Vec<(f32, f32, &str)> = Vec::new();
    let mut col = 0usize;
    let mut start: Option<(usize, usize)> = None;
    for (at, c) in line.char_indices() {
        if c == ' ' {
            if let Some((x0, a)) = start.take() {
                words.push((x0 as f32, col as f32, &line[a..at]));
            }
        } else if start.is_none() {
            start = Some((col, at));
        }
        col += 1;
    }
    if let Some((x0, a)) = start {
        words.push((x0 as f32, col as f32, &line[a..]));
    }
    let plain = !line.contains(['\t', '\u{c}']);
    let mut cells: Vec<Cell> = Vec::new();
    for (x0, x1, word) in words {
        let apart = cells.last().is_none_or(|c| {
            let prev = c.words.last().map_or("", |&(_, _, a, b)| &c.text[a..b]);
            plain
                && (x0 - c.x1 >= 2.0
                    || is_amount(prev) && is_amount(word) && !continues_thousands(prev, word))
        });
        if apart {
            cells.push(Cell {
                x0,
                x1,
                text: word.to_string(),
                words: vec![(x0, x1, 0, word.len())],
            });
        } else if let Some(c) = cells.last_mut() {
            c.x1 = x1;
            c.text.push(' ');
            let a = c.text.len();
            c.text.push_str(word);
            c.words.push((x0, x1, a, c.text.len()));
        }
    }
    if justified(&cells, TEXT_SIZE) {
        cells = vec![joined(cells)];
    }
    Line {
        y,
        size: TEXT_SIZE,
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_laid_out_with_spaces_becomes_rows_of_cells() {
        // Columns of numbers set right, one space apart where the numbers are widest.
        let text = "Ejecución presupuestaria por grupo de gasto.\n\
                    \n\
                    Cuenta                Presupuesto    Ejecutado    Variación\n\
                    \n\
                    Gastos en personal   1.234.567,89 1.100.000,00 (134.567,89)\n\
                    Bienes y servicios     500.000,00   520.000,00    20.000,00\n\
                    Obras                  300.000,00 2.500.000,00   -50.000,00\n\
                    Fuente: Dirección Financiera";
        let out = text_tables(text).expect("a table");
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(
            lines,
            [
                "Ejecución presupuestaria por grupo de gasto.",
                "",
                "Cuenta\tPresupuesto\tEjecutado\tVariación",
                "",
                "Gastos en personal\t1.234.567,89\t1.100.000,00\t(134.567,89)",
                "Bienes y servicios\t500.000,00\t520.000,00\t20.000,00",
                "Obras\t300.000,00\t2.500.000,00\t-50.000,00",
                "Fuente: Dirección Financiera",
            ],
            "two amounts one space apart are two cells; blank lines and prose stay"
        );
    }

    #[test]
    fn a_text_export_s_header_under_its_title_is_written_in_its_table_s_columns() {
        // The accountability form as `pdftotext -layout` writes it: the address, one row under
        // a header of as many cells, and the budget under its title. The budget's header, below
        // the address's row of figures, stayed a line of words: no amount stood under it.
        let text = "                         DOMICILIO\n\
            PROVINCIA          CANTÓN       PARROQUIA           DIRECCIÓN                              CORREO ELECTRÓNICO                    TELÉFONO\n\
            CHIMBORAZO         RIOBAMBA     LIZARZABURU         AV. UNIDAD NACIONAL Y CHILE            hospital.riobamba@iess.gob.ec         032961500\n\
            \n\
            CUMPLIMIENTO DE LA EJECUCIÓN PRESUPUESTARIA\n\
            \n\
            \x20        TIPO                DESCRIPCIÓN        PRESUPUESTO CODIFICADO                  PRESUPUESTO EJECUTADO              % CUMPLIMIENTO\n\
            GASTO CORRIENTE             PERSONAL          25.345.678,90                          24.987.123,45                    98,59%\n\
            GASTO DE INVERSIÓN          EQUIPAMIENTO      3.456.789,00                           2.987.654,32                     86,43%\n\
            TOTAL                                         28.802.467,90                          27.974.777,77                    97,13%";
        let out = text_tables(text).expect("tables");
        let rows: Vec<Vec<&str>> = out.split('\n').map(|l| l.split('\t').collect()).collect();
        let row = |first: &str| {
            rows.iter()
                .find(|r| r[0] == first)
                .unwrap_or_else(|| panic!("a row {first}: {out}"))
        };
        let column = |r: &[&str], cell: &str| r.iter().position(|c| *c == cell);
        let (header, total) = (row("TIPO"), row("TOTAL"));
        for (title, amount) in [
            ("PRESUPUESTO CODIFICADO", "28.802.467,90"),
            ("PRESUPUESTO EJECUTADO", "27.974.777,77"),
            ("% CUMPLIMIENTO", "97,13%"),
        ] {
            assert!(column(header, title).is_some(), "{out}");
            assert_eq!(column(header, title), column(total, amount), "{out}");
        }
        assert_eq!(
            column(header, "DESCRIPCIÓN"),
            column(row("GASTO CORRIENTE"), "PERSONAL"),
            "{out}"
        );
    }

    #[test]
    fn a_text_export_s_wrapped_cells_join_their_row() {
        // A row's cells wrapped over two lines, each line starting at its cell's left edge:
        // one row, each cell whole, and a blank line where the second line stood (it heads no
        // column of the rows below).
        let text = "Programa              Unidad         Codificado     Ejecutado\n\
                    Atención a            Hospital       1.000,00       900,00\n\
                    adultos mayores       General\n\
                    Prevención            Centro         2.000,00       1.500,00";
        let out = text_tables(text).expect("a table");
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(
            lines,
            [
                "Programa\tUnidad\tCodificado\tEjecutado",
                "Atención a adultos mayores\tHospital General\t1.000,00\t900,00",
                "",
                "Prevención\tCentro\t2.000,00\t1.500,00",
            ]
        );
    }

    #[test]
    fn a_line_under_a_row_s_first_cell_alone_joins_it_where_rows_wrap_their_first_cell() {
        // The form's policies wrap their first cell with others, so a first cell's last line
        // alone (`PÚBLICAS DE GÉNERO`) is still the row's.
        let form = "IMPLEMENTACIÓN DE POLÍTICAS              SI           Atención con pertinencia      Parto culturalmente        245 partos atendidos\n\
                    PÚBLICAS INTERCULTURALES                              intercultural                 adecuado en la sala de\n\
                    IMPLEMENTACIÓN DE POLÍTICAS              SI           Prevención de violencia       Talleres de prevención     320 mujeres capacitadas\n\
                    PÚBLICAS DE GÉNERO\n\
                    IMPLEMENTACIÓN DE POLÍTICAS              NO           NO APLICA                     NO APLICA                  NO APLICA";
        let rows = |text: &str| -> Vec<String> {
            let lines: Vec<Line> = text
                .split('\n')
                .enumerate()
                .map(|(i, l)| text_line(l, i))
                .collect();
            let at: Vec<usize> = (0..lines.len()).collect();
            let raw: Vec<&str> = text.split('\n').collect();
            let ends = wrapped_ends(&lines, &at, &raw, |k| lines[k].cells.len() >= 2);
            let mut out = Vec::new();
            let mut k = 0;
            while k < lines.len() {
                out.push(
                    raw[k..ends[k]]
                        .iter()
                        .map(|l| l.trim())
                        .collect::<Vec<_>>()
                        .join(" / "),
                );
                k = ends[k];
            }
            out
        };
        let form_rows = rows(form);
        assert_eq!(form_rows.len(), 3, "{form_rows:#?}");
        assert!(
            form_rows[1].ends_with("/ PÚBLICAS DE GÉNERO"),
            "{form_rows:#?}"
        );
        // A policy not implemented, its cells empty but its `NO` under the `SI` above: the
        // row of a policy of its own, not lines of the one above.
        let not_implemented = format!(
            "{form}\n{}\n{}",
            "IMPLEMENTACIÓN DE POLÍTICAS              NO", "PÚBLICAS DE MOVILIDAD HUMANA"
        );
        let rows_then = rows(&not_implemented);
        assert_eq!(rows_then.len(), 4, "{rows_then:#?}");
        assert!(
            rows_then[3].starts_with("IMPLEMENTACIÓN DE POLÍTICAS"),
            "{rows_then:#?}"
        );
        // A budget whose rows do not wrap: a section's name between two rows is no row's.
        let budget = "Gastos en personal        1.000,00       900,00\n\
                      GASTOS DE INVERSIÓN\n\
                      Obras públicas            2.000,00     1.500,00";
        assert_eq!(rows(budget).len(), 3, "{:#?}", rows(budget));
    }

    proptest::proptest! {
        /// Whatever the text, its tables rewritten keep every character but spaces, and its
        /// lines (a row's wrapped cells joined take the characters of its lines in the order
        /// of its cells).
        #[test]
        fn text_tables_lose_nothing(
            text in "([A-Za-zñó]{1,8}|[0-9]{1,3}([.,][0-9]{2,3}){0,2}|\\(|\\)|-|%| {1,6}|\n){0,80}",
        ) {
            if let Some(out) = text_tables(&text) {
                let kept = |s: &str| {
                    let mut kept: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
                    kept.sort_unstable();
                    kept
                };
                proptest::prop_assert_eq!(kept(&out), kept(&text));
                proptest::prop_assert_eq!(out.matches('\n').count(), text.matches('\n').count());
            }
        }
    }

    #[test]
    fn a_long_text_in_two_columns_is_read_once() {
        // 40,000 lines of two columns of words, one region: sought again from each of its
        // lines, it took time growing with the square of its lines.
        let text = "Primera columna de texto      segunda columna de texto\n".repeat(40_000);
        assert_eq!(text_tables(&text), None);
    }

    #[test]
    fn prose_labels_and_spaced_thousands_stay_as_written() {
        for text in [
            // Justified prose: gaps of one, two or three spaces.
            "Durante  el  año  se  atendieron  a  los  afiliados  de  la  provincia\ny  se  cumplió  la  meta  prevista  en  el  plan  anual",
            // Labels with no figure.
            "Elaborado por:     Dirección Financiera\nRevisado por:      Dirección General",
            // One line of cells with figures is no table.
            "Total   1.234.567,89\nSe atendieron 1 234 afiliados.",
            // Indented lines and single spaces only.
            "   Rendición de Cuentas 2021   \n Hospital General   \n",
            "",
        ] {
            assert_eq!(text_tables(text), None, "{text:?}");
        }
        let spaced = "Atenciones      12 345      23 456\nCirugías         1 234       2 345";
        let out = text_tables(spaced).expect("a table");
        assert_eq!(
            out, "Atenciones\t12 345\t23 456\nCirugías\t1 234\t2 345",
            "a space of thousands is no gap between cells"
        );
    }
}
