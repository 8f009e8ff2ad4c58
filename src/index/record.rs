//! What the index keeps of a passage to show it again, and how it is written as bytes: the
//! text, where it comes from (report, ordinal, page, span), its policies, its figures as
//! extraction read them (so that showing a hit reads none again) and a table row's column
//! headers.
//!
//! A figure keeps its value, kind, label and table cell; what the passage already holds is
//! kept as a reference to it: its written form as a length from its start, a label made of
//! its table row and column as a flag, the column as the index of the row's header that
//! names it. (Labels from sentences are words of the text, but finding them there cost more
//! build time than the 2 % of the store they take.)
//!
//! Numbers are LEB128 varints and strings are length-prefixed UTF-8. Decoding checks every
//! length against what is left, so damaged bytes give an error, never a panic or a huge
//! allocation.

use std::io;

use super::wire::{put_str, put_varint, Reader};
use crate::extract::table::TableCell;
use crate::extract::{Figure, FigureKind, Passage, Policy};

/// A passage as read back from its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Id of the report the passage belongs to.
    pub report_id: String,
    /// Ordinal within the report, from 0.
    pub ordinal: u64,
    /// The passage text as shown to people.
    pub text: String,
    /// 1-based page, 0 when the source has no pages or it is unknown.
    pub page: u64,
    /// Character span `[start, end)` in the report's text.
    pub span: (u64, u64),
    /// Equality policies the passage is about.
    pub policies: Vec<Policy>,
    /// The figures of the passage, in order, as extraction gave them.
    pub figures: Vec<Figure>,
    /// For a table row: the header of each cell (empty for prose).
    pub columns: Vec<String>,
    /// OCR confidence (0 to 1) of a passage read by OCR.
    pub ocr_confidence: Option<f32>,
}

// The flags byte of a figure: its kind in the two low bits, then what follows it.
const KIND_BITS: u8 = 0b11;
/// An alternative value follows the value.
const ALT: u8 = 1 << 2;
/// The figure's written form is not its span of the passage's text, and follows as a string.
const TEXT_APART: u8 = 1 << 3;
/// A label follows as a string.
const LABEL: u8 = 1 << 4;
/// The label is the figure's table row and column, as [`table_label`] joins them.
const LABEL_OF_TABLE: u8 = 1 << 5;
/// A table cell follows.
const TABLE: u8 = 1 << 6;
/// The cell's row follows as a string; without this flag, it is the last row read.
const NEW_ROW: u8 = 1 << 7;

fn kind_code(kind: FigureKind) -> u8 {
    match kind {
        FigureKind::Usd => 0,
        FigureKind::Percent => 1,
        FigureKind::Count => 2,
    }
}

/// The label a table gives a figure from its cell ([`crate::extract::table::cell_label`]).
fn table_label(cell: &TableCell) -> Option<String> {
    crate::extract::table::cell_label(&cell.row, &cell.column)
}

/// Appends figure `f` of a passage whose text is `text` and whose columns are `columns`;
/// `last_row` is the row of the last figure written in a table cell.
fn encode_figure<'p>(
    f: &'p Figure,
    text: &str,
    columns: &[String],
    last_row: &mut Option<&'p str>,
    out: &mut Vec<u8>,
) {
    let mut flags = kind_code(f.kind);
    if f.alt_value.is_some() {
        flags |= ALT;
    }
    let written_here = f.end >= f.start && text.get(f.start..f.end) == Some(f.text.as_str());
    if !written_here {
        flags |= TEXT_APART;
    }
    let of_table = f.table.as_ref().and_then(table_label);
    match (&f.label, &of_table) {
        (Some(label), Some(derived)) if label == derived => flags |= LABEL_OF_TABLE,
        (Some(_), _) => flags |= LABEL,
        (None, _) => {}
    }
    if let Some(cell) = &f.table {
        flags |= TABLE;
        if *last_row != Some(cell.row.as_str()) {
            flags |= NEW_ROW;
        }
    }
    out.push(flags);
    put_varint(out, f.start as u64);
    put_varint(out, f.span.0 as u64);
    put_varint(out, f.span.1.wrapping_sub(f.span.0) as u64);
    if written_here {
        put_varint(out, (f.end - f.start) as u64);
    } else {
        put_varint(out, f.end as u64);
        put_str(out, &f.text);
    }
    put_value(out, f.value);
    if let Some(alt) = f.alt_value {
        put_value(out, alt);
    }
    if flags & LABEL != 0 {
        put_str(out, f.label.as_deref().unwrap_or(""));
    }
    if let Some(cell) = &f.table {
        if flags & NEW_ROW != 0 {
            put_str(out, &cell.row);
            *last_row = Some(cell.row.as_str());
        }
        // The column as the index of the header that names it, from 1; 0 and the name when
        // no header does.
        match columns.iter().position(|c| *c == cell.column) {
            Some(i) => put_varint(out, i as u64 + 1),
            None => {
                put_varint(out, 0);
                put_str(out, &cell.column);
            }
        }
        match &cell.units {
            Some(units) => {
                out.push(1);
                put_str(out, units);
            }
            None => out.push(0),
        }
    }
}

/// Appends a figure's value: as a number of hundredths when that is the value exactly (most
/// amounts have cents at most: a few bytes), else as the 8 bytes of the float.
fn put_value(out: &mut Vec<u8>, v: f64) {
    let hundredths = (v * 100.0).round();
    let n = hundredths as i64;
    if hundredths.abs() < 2f64.powi(53) && (n as f64 / 100.0).to_bits() == v.to_bits() {
        // Zigzag, then one bit to say which form follows.
        put_varint(out, (((n << 1) ^ (n >> 63)) as u64) << 1);
    } else {
        put_varint(out, 1);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads a value written by [`put_value`].
fn read_value(r: &mut Reader<'_>) -> io::Result<f64> {
    let tag = r.varint()?;
    if tag == 1 {
        return Ok(f64::from_le_bytes(r.array()?));
    }
    if tag & 1 != 0 {
        return Err(r.damaged("bad value form"));
    }
    let zigzag = tag >> 1;
    let n = (zigzag >> 1) as i64 ^ -((zigzag & 1) as i64);
    Ok(n as f64 / 100.0)
}

/// Reads a figure written by [`encode_figure`].
fn decode_figure(
    r: &mut Reader<'_>,
    text: &str,
    columns: &[String],
    last_row: &mut Option<String>,
) -> io::Result<Figure> {
    let flags = r.byte()?;
    let kind = match flags & KIND_BITS {
        0 => FigureKind::Usd,
        1 => FigureKind::Percent,
        2 => FigureKind::Count,
        _ => return Err(r.damaged("bad figure kind")),
    };
    let start = r.size()?;
    let span_start = r.size()?;
    let span = (span_start, span_start.wrapping_add(r.size()?));
    let (end, written) = if flags & TEXT_APART == 0 {
        let end = start
            .checked_add(r.size()?)
            .ok_or_else(|| r.damaged("a figure past its passage"))?;
        let written = text
            .get(start..end)
            .ok_or_else(|| r.damaged("a figure past its passage"))?;
        (end, written.to_string())
    } else {
        (r.size()?, r.string()?)
    };
    let value = read_value(r)?;
    let alt_value = if flags & ALT != 0 {
        Some(read_value(r)?)
    } else {
        None
    };
    let mut label = if flags & LABEL != 0 {
        Some(r.string()?)
    } else {
        None
    };
    let table = if flags & TABLE != 0 {
        if flags & NEW_ROW != 0 {
            *last_row = Some(r.string()?);
        }
        let row = last_row
            .clone()
            .ok_or_else(|| r.damaged("a table cell before any row"))?;
        let column = match r.size()? {
            0 => r.string()?,
            i => columns
                .get(i - 1)
                .cloned()
                .ok_or_else(|| r.damaged("a column past the row's headers"))?,
        };
        let units = match r.byte()? {
            0 => None,
            1 => Some(r.string()?),
            _ => return Err(r.damaged("bad units flag")),
        };
        Some(TableCell { row, column, units })
    } else {
        None
    };
    if flags & LABEL_OF_TABLE != 0 {
        label = table.as_ref().and_then(table_label);
        if label.is_none() {
            return Err(r.damaged("a table's label without its table"));
        }
    }
    Ok(Figure {
        text: written,
        value,
        kind,
        alt_value,
        label,
        start,
        end,
        span,
        table,
    })
}

/// Appends the bytes of passage `p` of report `report_id` to `out`.
pub fn encode(report_id: &str, p: &Passage, out: &mut Vec<u8>) {
    put_str(out, report_id);
    put_varint(out, p.ordinal as u64);
    put_str(out, &p.text);
    put_varint(out, p.page.map_or(0, u64::from));
    put_varint(out, p.span.0 as u64);
    put_varint(out, p.span.1 as u64);
    let mut slugs = String::new();
    for policy in &p.policies {
        let slug = policy.slug();
        if !slugs.split(' ').any(|s| s == slug) {
            if !slugs.is_empty() {
                slugs.push(' ');
            }
            slugs.push_str(slug);
        }
    }
    put_str(out, &slugs);
    put_str(out, &crate::extract::table::join_columns(&p.columns));
    put_varint(out, p.figures.len() as u64);
    // Columns are named by their index only where the stored list reads back as written
    // (see `join_columns`).
    let reads_back = !(p.columns.iter().any(|c| c.contains('\u{1f}'))
        || matches!(p.columns.as_slice(), [only] if only.is_empty()));
    let columns: &[String] = if reads_back { &p.columns } else { &[] };
    let mut last_row = None;
    for f in &p.figures {
        encode_figure(f, &p.text, columns, &mut last_row, out);
    }
    match p.ocr_confidence {
        Some(c) => {
            out.push(1);
            out.extend_from_slice(&c.to_le_bytes());
        }
        None => out.push(0),
    }
}

/// Reads a record written by [`encode`].
pub fn decode(bytes: &[u8]) -> io::Result<Record> {
    let mut r = Reader::new(bytes, "passage record");
    let report_id = r.string()?;
    let ordinal = r.varint()?;
    let text = r.string()?;
    let page = r.varint()?;
    let span = (r.varint()?, r.varint()?);
    let policies = r
        .string()?
        .split_whitespace()
        .filter_map(Policy::parse)
        .collect();
    let columns = crate::extract::table::split_columns(&r.string()?);
    let count = r.varint()?;
    // Each figure takes six bytes at least: a count beyond that is damage, not a reason to
    // reserve memory.
    if count > r.left() as u64 / 6 {
        return Err(r.damaged("more figures than bytes"));
    }
    let mut figures = Vec::with_capacity(count as usize);
    let mut last_row = None;
    for _ in 0..count {
        figures.push(decode_figure(&mut r, &text, &columns, &mut last_row)?);
    }
    let ocr_confidence = match r.byte()? {
        0 => None,
        1 => Some(f32::from_le_bytes(r.array()?)),
        _ => return Err(r.damaged("bad OCR flag")),
    };
    if r.left() > 0 {
        return Err(r.damaged("bytes after the record"));
    }
    Ok(Record {
        report_id,
        ordinal,
        text,
        page,
        span,
        policies,
        figures,
        columns,
        ocr_confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Figure, FigureKind};
    use proptest::prelude::*;

    fn passage(text: &str, figures: Vec<(usize, usize, usize)>, ocr: Option<f32>) -> Passage {
        Passage {
            id: "r-0003".into(),
            ordinal: 3,
            text: text.into(),
            page: Some(12),
            span: (1_000, 1_000 + text.chars().count()),
            policies: vec![Policy::Genero, Policy::Discapacidades, Policy::Genero],
            figures: figures
                .into_iter()
                .map(|(start, from, to)| Figure {
                    text: "1".into(),
                    value: 1.0,
                    kind: FigureKind::Count,
                    alt_value: None,
                    label: None,
                    start,
                    end: start + 1,
                    span: (from, to),
                    table: None,
                })
                .collect(),
            columns: vec!["Provincia".into(), "Monto USD".into()],
            table_units: Some("en miles de dólares".into()),
            ocr_confidence: ocr,
        }
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let p = passage(
            "Manabí | 4'803.665,69",
            vec![(9, 1009, 1021), (300, 2, 300_000)],
            Some(0.5),
        );
        let mut bytes = Vec::new();
        encode("7392a04fe1206fbf", &p, &mut bytes);
        let r = decode(&bytes).expect("decodes");
        assert_eq!(r.report_id, "7392a04fe1206fbf");
        assert_eq!(r.ordinal, 3);
        assert_eq!(r.text, p.text);
        assert_eq!(r.page, 12);
        assert_eq!(r.span, (1_000, 1_021));
        assert_eq!(r.policies, vec![Policy::Genero, Policy::Discapacidades]);
        assert_eq!(r.figures, p.figures);
        assert_eq!(r.columns, p.columns);
        assert_eq!(r.ocr_confidence, Some(0.5));
    }

    #[test]
    fn figures_read_back_with_their_values_labels_and_table_cells() {
        let text = "Provincia 7 | 449 | 1.199 | 12,5% | USD 3 millones";
        let at = |written: &str| text.find(written).expect("in the text");
        let figure = |written: &str, value: f64, kind: FigureKind| Figure {
            text: written.into(),
            value,
            kind,
            alt_value: None,
            label: None,
            start: at(written),
            end: at(written) + written.len(),
            span: (50 + at(written), 50 + at(written) + written.len()),
            table: None,
        };
        let cell = |row: &str, column: &str, units: Option<&str>| TableCell {
            row: row.into(),
            column: column.into(),
            units: units.map(str::to_string),
        };
        let mut p = passage(text, vec![], None);
        p.columns = vec![
            String::new(),
            "Población Urbana (miles) 2007".into(),
            "Casos".into(),
            "Tasa".into(),
            "Monto".into(),
        ];
        let mut urban = figure("449", 449.0, FigureKind::Count);
        urban.table = Some(cell("Provincia 7", &p.columns[1], Some("(miles)")));
        urban.label = Some("Provincia 7 · Población Urbana (miles) 2007".into());
        let mut cases = figure("1.199", 1199.0, FigureKind::Count);
        cases.alt_value = Some(1.199);
        cases.table = Some(cell("Provincia 7", "Casos nuevos", None));
        cases.label = Some("casos atendidos".into());
        let mut rate = figure("12,5%", 12.5, FigureKind::Percent);
        rate.table = Some(cell("Otra fila", "", None));
        rate.label = Some("Otra fila".into());
        let mut amount = figure("USD 3 millones", 3e6, FigureKind::Usd);
        amount.table = Some(cell("", "", None));
        amount.label = Some("Provincia 7".into());
        let mut apart = figure("449", -449.0, FigureKind::Usd);
        apart.text = "(449)".into();
        apart.label = Some("déficit".into());
        p.figures = vec![urban, cases, rate, amount, apart];
        let mut bytes = Vec::new();
        encode("r", &p, &mut bytes);
        let r = decode(&bytes).expect("decodes");
        assert_eq!(r.figures, p.figures);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn a_record_without_page_figures_columns_or_ocr_reads_back_empty() {
        let mut p = passage("Sin cifras.", vec![], None);
        p.page = None;
        p.columns.clear();
        p.table_units = None;
        p.policies.clear();
        let mut bytes = Vec::new();
        encode("r", &p, &mut bytes);
        let r = decode(&bytes).expect("decodes");
        assert_eq!((r.page, r.ocr_confidence), (0, None));
        assert!(r.figures.is_empty() && r.columns.is_empty() && r.policies.is_empty());
    }

    #[test]
    fn every_cut_of_a_record_is_an_error() {
        let p = passage("Manabí 132.76 %", vec![(8, 7, 15)], Some(0.9));
        let mut bytes = Vec::new();
        encode("r", &p, &mut bytes);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        bytes.push(0);
        assert!(decode(&bytes).is_err(), "a byte too many");
    }

    proptest! {
        #[test]
        fn values_read_back_bit_for_bit(
            v in prop_oneof![
                any::<f64>(),
                (-10_000_000_000i64..10_000_000_000).prop_map(|n| n as f64 / 100.0),
                Just(-0.0),
                Just(f64::NAN),
            ]
        ) {
            let mut bytes = Vec::new();
            put_value(&mut bytes, v);
            let mut r = Reader::new(&bytes, "value");
            prop_assert_eq!(read_value(&mut r).expect("reads").to_bits(), v.to_bits());
            prop_assert_eq!(r.left(), 0);
        }

        #[test]
        fn damaged_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes);
        }
    }
}
