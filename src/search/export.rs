//! Figure exports and batch lookups, rendered as CSV (RFC 4180, UTF-8 with a byte-order mark so
//! that Excel reads the accents right; LibreOffice ignores the mark).

use std::io::Write;

use super::figures::{
    for_each_figure, run_figures_as_typed, FigureHit, FigureRequest, RawFigureRequest,
};
use super::{Cancel, SearchError};
use crate::index::Engine;

/// UTF-8 byte-order mark written before the header.
pub const BOM: &str = "\u{feff}";

/// Columns of a figure export, in order.
pub const FIGURE_COLUMNS: [&str; 19] = [
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
    "table_units",
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
        h.info.title.clone(),
        h.info.source.clone(),
        opt(h.info.year.map(|y| y.to_string())),
        opt(h.info.province.clone()),
        opt(h.info.unit.clone()),
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
        opt(h.table.as_ref().and_then(|t| t.units.clone())),
    ]
}

fn csv_error(e: csv::Error) -> SearchError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => SearchError::from(io),
        other => SearchError::BadQuery(format!("cannot write csv: {other:?}")),
    }
}

/// Writes the figures of `request` to `out` as CSV: every one, streamed, or the page its
/// `limit` and `offset` ask for (`cuentas figures --sort largest --limit 20 --format csv`), found
/// as a page of the API is, without reading the others. Returns how many figures match.
pub fn write_figures_csv(
    engine: &Engine,
    request: &FigureRequest,
    out: &mut dyn Write,
) -> Result<usize, SearchError> {
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(FIGURE_COLUMNS).map_err(csv_error)?;
    let n = if request.limit.is_some() {
        let page = run_figures_as_typed(engine, request)?;
        for hit in &page.figures {
            w.write_record(figure_cells(hit)).map_err(csv_error)?;
        }
        page.total
    } else {
        for_each_figure(engine, request, &mut |i, hit| {
            if i < request.offset {
                return Ok(());
            }
            w.write_record(figure_cells(&hit)).map_err(csv_error)
        })?
    };
    w.flush()?;
    Ok(n)
}

/// One line of a batch file: the query it holds, or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchLine {
    /// Line number in the file (1 for the first line).
    pub line: usize,
    /// The query, trimmed; `Err` with the reason when the line could not be read.
    pub query: Result<String, String>,
}

/// How much one batch may ask for.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    /// Most queries in a batch; more is refused before any runs.
    pub max_lines: usize,
    /// Most figures over the whole batch; lines past it are answered with an error.
    pub max_figures: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            max_lines: 1_000,
            max_figures: 100_000,
        }
    }
}

/// The queries of a batch file: a plain list (one figure or phrase a line), or a CSV whose
/// header has a `query` column. Blank lines and lines starting with `#` are skipped.
pub fn batch_queries(input: &str) -> Vec<BatchLine> {
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
                let line = r
                    .as_ref()
                    .ok()
                    .and_then(|r| r.position())
                    .map_or(i + 2, |p| p.line() as usize);
                let query = match r {
                    Ok(r) => Ok(r.get(col)?.trim().to_string()),
                    Err(e) => Err(format!("unreadable csv line: {e}")),
                };
                Some(BatchLine { line, query })
            })
            .filter(|l| l.query.as_ref().map_or(true, |q| !q.is_empty()))
            .collect();
    }
    input
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(line, l)| BatchLine {
            line,
            query: Ok(l.to_string()),
        })
        .collect()
}

/// The queries of `input`, refused whole when there are more than `limits` allow.
pub fn checked_batch(input: &str, limits: &BatchLimits) -> Result<Vec<BatchLine>, SearchError> {
    let lines = batch_queries(input);
    if lines.len() > limits.max_lines {
        return Err(SearchError::BadParameter {
            name: "batch",
            value: format!("{} queries", lines.len()),
            expected: format!("at most {} queries a batch: split it", limits.max_lines),
        });
    }
    Ok(lines)
}

/// One row of a batch result.
pub struct BatchRow {
    /// Line of the query in the batch file (1 for the first line).
    pub line: usize,
    /// The query of that line.
    pub query: String,
    /// Figures found for the query (counted up to the batch's limit).
    pub count: usize,
    /// Why the query failed or was cut short; `None` when it ran whole.
    pub error: Option<String>,
    /// One figure found; `None` on the one row of a query that found none or failed.
    pub hit: Option<FigureHit>,
}

impl BatchRow {
    fn failed(line: usize, query: String, error: String) -> BatchRow {
        BatchRow {
            line,
            query,
            count: 0,
            error: Some(error),
            hit: None,
        }
    }
}

/// Runs each line of a batch as a figure search with the shared `filters` (min, max, kind,
/// year, province, policy); a bad query gives a row with its error and the batch goes on.
/// Once the batch has found `limits.max_figures` figures, the line that crossed it keeps the
/// figures that fit and every later line is answered with an error instead of being run.
/// `cancel` stops the batch between lines and inside each search.
pub fn run_batch(
    engine: &Engine,
    lines: &[BatchLine],
    filters: &RawFigureRequest,
    limits: &BatchLimits,
    cancel: &Cancel,
    sink: &mut dyn FnMut(BatchRow) -> Result<(), SearchError>,
) -> Result<usize, SearchError> {
    let mut budget = limits.max_figures;
    let over = || {
        format!(
            "not run: the batch reached its limit of {} figures; send the rest in another batch",
            limits.max_figures
        )
    };
    for BatchLine { line, query } in lines {
        cancel.check()?;
        let line = *line;
        let query = match query {
            Ok(q) => q.clone(),
            Err(e) => {
                sink(BatchRow::failed(line, String::new(), e.clone()))?;
                continue;
            }
        };
        if budget == 0 {
            sink(BatchRow::failed(line, query, over()))?;
            continue;
        }
        let mut raw = filters.clone();
        raw.search.q = Some(query.clone());
        raw.limit = None;
        raw.offset = None;
        let mut request = match FigureRequest::from_raw(&raw) {
            Ok(r) => r,
            Err(e) if e.is_caller_error() => {
                sink(BatchRow::failed(line, query, e.to_string()))?;
                continue;
            }
            Err(e) => return Err(e),
        };
        request.search.cancel = cancel.clone();
        let mut hits = Vec::new();
        let mut cut = false;
        for_each_figure(engine, &request, &mut |_, h| {
            if hits.len() == budget {
                cut = true;
                return Err(SearchError::Cancelled);
            }
            hits.push(h);
            Ok(())
        })
        .or_else(|e| match e {
            SearchError::Cancelled if cut => Ok(0),
            e => Err(e),
        })?;
        budget -= hits.len();
        let count = hits.len();
        let error = cut.then(|| {
            format!(
                "stopped at the batch's limit of {} figures: the figures shown are the first ones",
                limits.max_figures
            )
        });
        if hits.is_empty() {
            sink(BatchRow {
                line,
                query: query.clone(),
                count,
                error: error.clone(),
                hit: None,
            })?;
        }
        for hit in hits {
            sink(BatchRow {
                line,
                query: query.clone(),
                count,
                error: error.clone(),
                hit: Some(hit),
            })?;
        }
    }
    Ok(lines.len())
}

/// Runs a batch and writes it as CSV: [`BATCH_COLUMNS`] then [`FIGURE_COLUMNS`].
pub fn write_batch_csv(
    engine: &Engine,
    lines: &[BatchLine],
    filters: &RawFigureRequest,
    limits: &BatchLimits,
    cancel: &Cancel,
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
    let n = run_batch(engine, lines, filters, limits, cancel, &mut |row| {
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
        let pairs = |input: &str| -> Vec<(usize, Result<String, String>)> {
            batch_queries(input)
                .into_iter()
                .map(|l| (l.line, l.query))
                .collect()
        };
        assert_eq!(
            pairs("4803665.69\n\n# comment\n\"mora patronal\"\n"),
            [
                (1, Ok("4803665.69".to_string())),
                (4, Ok("\"mora patronal\"".to_string()))
            ]
        );
        assert_eq!(
            pairs("id,query\n1,\"4.803.665,69\"\n2,ventiladores\n"),
            [
                (2, Ok("4.803.665,69".to_string())),
                (3, Ok("ventiladores".to_string()))
            ]
        );
    }
}
