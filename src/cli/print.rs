//! What the commands print for people: hit lists, figure lists and the build summary.

use std::io::Write;

use crate::index::BuildSummary;
use crate::search::highlight::Piece;
use crate::search::{self, Response};

pub fn print_figures(out: &mut impl Write, r: &search::FigureResponse) -> std::io::Result<()> {
    let mode = match r.mode {
        search::FigureMode::All => "every figure",
        search::FigureMode::Value => "figures of that value, however written",
        search::FigureMode::Rounded => "figures within the amounts asked for",
        search::FigureMode::Exact => "that exact written form",
    };
    let order = match r.sort {
        search::FigureOrder::Passages => "",
        search::FigureOrder::Largest => ", largest first",
        search::FigureOrder::Smallest => ", smallest first",
        search::FigureOrder::Nearest => ", nearest first",
    };
    let noun = if r.total == 1 { "figure" } else { "figures" };
    writeln!(
        out,
        "{} {noun} ({mode}{order}, {:.1} ms)",
        r.total, r.took_ms
    )?;
    if let Some(corrected) = &r.corrected_query {
        writeln!(out, "(nothing for {:?}: showing {corrected:?})", r.query)?;
    }
    if let Some(suggested) = &r.suggested_query {
        writeln!(out, "(did you mean {suggested:?}?)")?;
    }
    for f in &r.figures {
        let place = f.info.province.as_deref().unwrap_or("?");
        let year = f.info.year.map_or("?".to_string(), |y| y.to_string());
        let page = f.page.map(|p| format!(" p. {p}")).unwrap_or_default();
        let label = f
            .label
            .as_deref()
            .map(|l| format!(" · {l}"))
            .unwrap_or_default();
        writeln!(out)?;
        writeln!(
            out,
            "{:>18} {:<7} {}{}{label}",
            format_value(f.value),
            f.kind.as_str(),
            f.text,
            units_note(f.table.as_ref())
        )?;
        writeln!(
            out,
            "    {place} · {year} · {}{page} · chars {}-{}",
            f.info.source, f.span.0, f.span.1
        )?;
        writeln!(out, "    «{}»", f.sentence)?;
        if let Some(c) = f.ocr_confidence {
            writeln!(out, "    {}", ocr_warning(c))?;
        }
    }
    Ok(())
}

/// The units a table's note gave a figure, after it as written: `23.950,2 (Cifras en millones
/// de dólares)`, `212,4 (x 1.000)`, so that its value reads as the note says.
fn units_note(table: Option<&crate::extract::table::TableCell>) -> String {
    match table.and_then(|t| t.units.as_deref()) {
        Some(u) if u.starts_with('(') => format!(" {u}"),
        Some(u) => format!(" ({u})"),
        None => String::new(),
    }
}

/// What a journalist must know of text read by OCR.
pub fn ocr_warning(confidence: f32) -> String {
    format!(
        "texto reconocido por OCR (confianza {:.0} %): verifique la cifra en el documento",
        confidence * 100.0
    )
}

/// A value with thousands grouped for reading: 4803665.69 → 4,803,665.69.
pub fn format_value(v: f64) -> String {
    let s = if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    };
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

pub fn print_summary(s: &BuildSummary) {
    let mut err = std::io::stderr().lock();
    let size = if s.text_bytes < 1_000_000 {
        format!("{:.1} kB", s.text_bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", s.text_bytes as f64 / 1e6)
    };
    let _ = writeln!(
        err,
        "indexed {} reports, {} passages, {} figures ({size} of text) in {:.1}s into {}",
        s.reports,
        s.passages,
        s.figures,
        s.elapsed.as_secs_f64(),
        s.generation.display()
    );
    if s.ocr_pages_run + s.ocr_pages_cached > 0 {
        let _ = writeln!(
            err,
            "OCR: {} scanned pages, {} read now, {} from the cache",
            s.ocr_pages_run + s.ocr_pages_cached,
            s.ocr_pages_run,
            s.ocr_pages_cached
        );
    }
    if !s.skipped.is_empty() {
        let files = if s.skipped.len() == 1 {
            "file"
        } else {
            "files"
        };
        let _ = writeln!(err, "skipped {} {files}:", s.skipped.len());
        for sk in &s.skipped {
            let _ = writeln!(err, "  {}: {}", sk.path.display(), sk.reason);
        }
    }
    for w in &s.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
}

pub fn print_hits(
    out: &mut impl Write,
    r: &Response,
    offset: usize,
    color: bool,
) -> std::io::Result<()> {
    let (on, off) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let what = if r.query.is_empty() {
        String::new()
    } else {
        format!(" for {:?}", r.query)
    };
    let noun = if r.total == 1 { "passage" } else { "passages" };
    writeln!(out, "{} {noun}{} ({:.1} ms)", r.total, what, r.took_ms)?;
    if let Some(corrected) = &r.corrected_query {
        writeln!(out, "(nothing for {:?}: showing {corrected:?})", r.query)?;
    }
    if let Some(suggested) = &r.suggested_query {
        writeln!(out, "(did you mean {suggested:?}?)")?;
    }
    for (i, h) in r.hits.iter().enumerate() {
        let place = h.info.province.as_deref().unwrap_or("?");
        let year = h.info.year.map_or("?".to_string(), |y| y.to_string());
        let page = h.page.map(|p| format!(" · p. {p}")).unwrap_or_default();
        writeln!(out)?;
        writeln!(
            out,
            "{:>3}. {place} · {year} · {}{page} · {}",
            offset + i + 1,
            h.info.source,
            h.passage_id
        )?;
        writeln!(out, "     {}", h.info.title)?;
        if let Some(c) = h.ocr_confidence {
            writeln!(out, "     {}", ocr_warning(c))?;
        }
        writeln!(out, "     {}", marked_text(h, on, off))?;
        if !h.figures.is_empty() {
            writeln!(out, "     figures: {}", figures_line(h))?;
        }
    }
    let dims = [
        ("year", &r.facets.year),
        ("province", &r.facets.province),
        ("policy", &r.facets.policy),
    ];
    writeln!(out)?;
    for (name, values) in dims {
        if values.is_empty() {
            continue;
        }
        let list: Vec<String> = values
            .iter()
            .map(|v| format!("{} ({})", v.label, v.count))
            .collect();
        writeln!(out, "{name}: {}", list.join(", "))?;
    }
    Ok(())
}

/// Most figures listed under a hit.
const FIGURES_SHOWN: usize = 6;

/// A hit's figures, those the query marked first (in a table row, the figures under the
/// column headers it named), each with its column when it sits in a table:
/// `2.403.544,30 = 2403544.3 usd [Devengado]`.
fn figures_line(h: &search::Hit) -> String {
    let marked =
        |f: &crate::extract::Figure| h.highlights.iter().any(|&(s, e)| s < f.end && f.start < e);
    let (first, rest): (Vec<_>, Vec<_>) = h.figures.iter().partition(|f| marked(f));
    first
        .into_iter()
        .chain(rest)
        .take(FIGURES_SHOWN)
        .map(|f| {
            let column = f
                .table
                .as_ref()
                .map(|t| t.column.as_str())
                .filter(|c| !c.is_empty())
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default();
            let units = units_note(f.table.as_ref());
            format!(
                "{}{units} = {} {}{column}",
                f.text,
                f.value,
                f.kind.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A hit's excerpt as plain text, with `on` and `off` around each match.
fn marked_text(h: &search::Hit, on: &str, off: &str) -> String {
    let mut out = String::new();
    for piece in search::highlight::pieces(&h.text, h.excerpt, &h.highlights) {
        match piece {
            Piece::Cut => out.push('…'),
            Piece::Plain(s) => out.push_str(s),
            Piece::Match(s) => {
                out.push_str(on);
                out.push_str(s);
                out.push_str(off);
            }
        }
    }
    out
}

/// The reports to check by hand (`cuentas reports --review`): each weak or missing value with
/// its evidence, then the `cuentas.csv` line to write, filled with what was extracted.
pub fn review(out: &mut impl Write, reports: &[search::ReportSummary]) -> std::io::Result<()> {
    let noun = if reports.len() == 1 {
        "report"
    } else {
        "reports"
    };
    writeln!(
        out,
        "{} {noun} to review; correct the values in cuentas.csv beside the reports",
        reports.len()
    )?;
    if !reports.is_empty() {
        writeln!(
            out,
            "(header of that file: source,year,province,unit,title)"
        )?;
    }
    for r in reports {
        writeln!(out)?;
        writeln!(out, "{}  {}", r.info.source, r.report_id)?;
        let weak = r.evidence.weak_fields();
        let fields = [
            ("year", r.info.year.map(|y| y.to_string()), &r.evidence.year),
            ("province", r.info.province.clone(), &r.evidence.province),
            ("unit", r.info.unit.clone(), &r.evidence.unit),
        ];
        for (name, value, evidence) in fields {
            let mark = if weak.contains(&name) { "check" } else { "ok" };
            let value = value.unwrap_or_else(|| "-".to_string());
            match evidence {
                Some(e) => {
                    let at = e
                        .span
                        .map(|(a, b)| format!(" chars {a}-{b}"))
                        .unwrap_or_default();
                    let note = e
                        .note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "  {mark:<5} {name:<8} {value}  confidence {:.2}{at}  «{}»{note}",
                        e.confidence, e.quote
                    )?;
                }
                None => writeln!(out, "  {mark:<5} {name:<8} {value}  (no cue in the text)")?,
            }
        }
        let cells = [
            r.info.source.clone(),
            r.info.year.map(|y| y.to_string()).unwrap_or_default(),
            r.info.province.clone().unwrap_or_default(),
            r.info.unit.clone().unwrap_or_default(),
            String::new(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "  cuentas.csv: {}", line.join(","))?;
    }
    Ok(())
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_grouped_for_reading() {
        assert_eq!(format_value(4803665.69), "4,803,665.69");
        assert_eq!(format_value(1193703286.0), "1,193,703,286");
        assert_eq!(format_value(132.76), "132.76");
    }

    #[test]
    fn a_figure_s_units_are_said_once_in_parentheses() {
        let cell = |units: &str| crate::extract::table::TableCell {
            row: String::new(),
            column: String::new(),
            units: Some(units.to_string()),
        };
        assert_eq!(
            units_note(Some(&cell("Cifras en millones de dólares"))),
            " (Cifras en millones de dólares)"
        );
        assert_eq!(units_note(Some(&cell("(x 1.000)"))), " (x 1.000)");
        assert_eq!(units_note(None), "");
    }
}
