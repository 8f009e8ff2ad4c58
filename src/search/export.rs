//! Figure exports and batch lookups, rendered as CSV (RFC 4180, UTF-8 with a byte-order mark so
//! that Excel reads the accents right; LibreOffice ignores the mark).

use std::io::Write;

use super::figures::{for_each_figure, FigureHit, FigureRequest, RawFigureRequest};
use super::SearchError;
use crate::index::Engine;

/// UTF-8 byte-order mark written before the header.
pub const BOM: &str = "\u{feff}";

/// Columns of a figure export, in order.
pub const FIGURE_COLUMNS: [&str; 18] = [
    "figure",
    "value",
    "kind",
    "label",
    "sentence",
    "title",
    "source",
    "year",
    "province",
    "unit",
    "page",
    "span_start",
    "span_end",
    "passage_id",
    "report_id",
    "table_row",
    "table_column",
    "ocr_confidence",
];

/// Columns of a batch lookup: the query, its line, its count and error, then a figure's.
pub const BATCH_COLUMNS: [&str; 4] = ["line", "query", "count", "error"];

/// The cells of one figure, in [`FIGURE_COLUMNS`] order.
pub fn figure_cells(h: &FigureHit) -> Vec<String> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    vec![
        h.text.clone(),
        h.value.to_string(),
        h.kind.as_str().to_string(),
        opt(h.label.clone()),
        h.sentence.clone(),
        h.title.clone(),
        h.source.clone(),
        opt(h.year.map(|y| y.to_string())),
        opt(h.province.clone()),
        opt(h.unit.clone()),
        opt(h.page.map(|p| p.to_string())),
        h.span.0.to_string(),
        h.span.1.to_string(),
        h.passage_id.clone(),
        h.report_id.clone(),
        h.table.as_ref().map(|t| t.row.clone()).unwrap_or_default(),
        h.table
            .as_ref()
            .map(|t| t.column.clone())
            .unwrap_or_default(),
        opt(h.ocr_confidence.map(|c| format!("{c:.2}"))),
    ]
}

fn csv_error(e: csv::Error) -> SearchError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => SearchError::from(io),
        other => SearchError::BadQuery(format!("cannot write csv: {other:?}")),
    }
}

/// Streams every figure of `request` to `out` as CSV; returns how many were written.
pub fn write_figures_csv(
    engine: &Engine,
    request: &FigureRequest,
    out: &mut dyn Write,
) -> Result<usize, SearchError> {
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(FIGURE_COLUMNS).map_err(csv_error)?;
    let n = for_each_figure(engine, request, &mut |_, hit| {
        w.write_record(figure_cells(&hit)).map_err(csv_error)
    })?;
    w.flush()?;
    Ok(n)
}

/// The queries of a batch file: a plain list (one figure or phrase a line), or a CSV whose
/// header has a `query` column. Blank lines and lines starting with `#` are skipped. Each item
/// is (line number, query).
pub fn batch_queries(input: &str) -> Vec<(usize, String)> {
    let input = input.strip_prefix(BOM).unwrap_or(input);
    let first = input.lines().next().unwrap_or("");
    let header: Vec<String> = first
        .split(',')
        .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    if let Some(col) = header.iter().position(|h| h == "query") {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(input.as_bytes());
        return reader
            .records()
            .enumerate()
            .filter_map(|(i, r)| {
                let line = i + 2;
                match r {
                    Ok(r) => r.get(col).map(|q| (line, q.trim().to_string())),
                    Err(e) => Some((line, format!("\u{0}{e}"))),
                }
            })
            .filter(|(_, q)| !q.is_empty())
            .collect();
    }
    input
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// One row of a batch result.
pub struct BatchRow {
    pub line: usize,
    pub query: String,
    /// Figures found for the query.
    pub count: usize,
    pub error: Option<String>,
    pub hit: Option<FigureHit>,
}

/// Runs each query of `input` as a figure search with the shared `filters` (min, max, kind,
/// year, province, policy); a bad query gives a row with its error and the batch goes on.
pub fn run_batch(
    engine: &Engine,
    input: &str,
    filters: &RawFigureRequest,
    sink: &mut dyn FnMut(BatchRow) -> Result<(), SearchError>,
) -> Result<usize, SearchError> {
    let queries = batch_queries(input);
    for (line, query) in &queries {
        let (line, query) = (*line, query.clone());
        if let Some(bad) = query.strip_prefix('\u{0}') {
            sink(BatchRow {
                line,
                query: String::new(),
                count: 0,
                error: Some(format!("unreadable csv line: {bad}")),
                hit: None,
            })?;
            continue;
        }
        let mut raw = filters.clone();
        raw.search.q = Some(query.clone());
        raw.limit = None;
        raw.offset = None;
        let request = match FigureRequest::from_raw(&raw) {
            Ok(r) => r,
            Err(e) if e.is_caller_error() => {
                sink(BatchRow {
                    line,
                    query,
                    count: 0,
                    error: Some(e.to_string()),
                    hit: None,
                })?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut hits = Vec::new();
        for_each_figure(engine, &request, &mut |_, h| {
            hits.push(h);
            Ok(())
        })?;
        let count = hits.len();
        if hits.is_empty() {
            sink(BatchRow {
                line,
                query: query.clone(),
                count,
                error: None,
                hit: None,
            })?;
        }
        for hit in hits {
            sink(BatchRow {
                line,
                query: query.clone(),
                count,
                error: None,
                hit: Some(hit),
            })?;
        }
    }
    Ok(queries.len())
}

/// Runs a batch and writes it as CSV: [`BATCH_COLUMNS`] then [`FIGURE_COLUMNS`].
pub fn write_batch_csv(
    engine: &Engine,
    input: &str,
    filters: &RawFigureRequest,
    out: &mut dyn Write,
) -> Result<usize, SearchError> {
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    let header: Vec<&str> = BATCH_COLUMNS
        .iter()
        .chain(FIGURE_COLUMNS.iter())
        .copied()
        .collect();
    w.write_record(&header).map_err(csv_error)?;
    let n = run_batch(engine, input, filters, &mut |row| {
        let mut cells = vec![
            row.line.to_string(),
            row.query,
            row.count.to_string(),
            row.error.unwrap_or_default(),
        ];
        match &row.hit {
            Some(h) => cells.extend(figure_cells(h)),
            None => cells.extend(std::iter::repeat_n(String::new(), FIGURE_COLUMNS.len())),
        }
        w.write_record(&cells).map_err(csv_error)
    })?;
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_list_and_a_csv_with_a_query_column_both_read() {
        assert_eq!(
            batch_queries("4803665.69\n\n# comment\n\"mora patronal\"\n"),
            [
                (1, "4803665.69".to_string()),
                (4, "\"mora patronal\"".to_string())
            ]
        );
        assert_eq!(
            batch_queries("id,query\n1,\"4.803.665,69\"\n2,ventiladores\n"),
            [
                (2, "4.803.665,69".to_string()),
                (3, "ventiladores".to_string())
            ]
        );
    }
}
