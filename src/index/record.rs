//! What the index keeps of a passage to show it again, and how it is written as bytes: the
//! text, where it comes from (report, ordinal, page, span), its policies, where its figures are
//! and a table row's column headers and units. The figures themselves are read again from the text when
//! shown, at the offsets kept (the same reading, so the same figures in the same order).
//!
//! Numbers are LEB128 varints and strings are length-prefixed UTF-8. Decoding checks every
//! length against what is left, so damaged bytes give an error, never a panic or a huge
//! allocation.

use std::io;

use super::wire::{put_str, put_varint, Reader};
use crate::extract::{Passage, Policy};

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
    /// Where each figure of the passage is, in order.
    pub figures: Vec<FigureAt>,
    /// For a table row: the header of each cell (empty for prose).
    pub columns: Vec<String>,
    /// For a table row: what its table says its numbers are in, when it says so.
    pub table_units: Option<String>,
    /// OCR confidence (0 to 1) of a passage read by OCR.
    pub ocr_confidence: Option<f32>,
}

/// Where a figure of a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureAt {
    /// Byte offset in the passage's text where the figure as written starts.
    pub start: u64,
    /// Character span `[start, end)` in the report's text.
    pub span: (u64, u64),
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
    put_varint(out, p.figures.len() as u64);
    for f in &p.figures {
        put_varint(out, f.start as u64);
        put_varint(out, f.span.0 as u64);
        put_varint(out, f.span.1 as u64);
    }
    put_str(out, &crate::extract::table::join_columns(&p.columns));
    put_str(out, p.table_units.as_deref().unwrap_or(""));
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
    let count = r.varint()?;
    // Each figure takes three bytes at least: a count beyond that is damage, not a reason to
    // reserve memory.
    if count > r.left() as u64 / 3 {
        return Err(r.damaged("more figures than bytes"));
    }
    let mut figures = Vec::with_capacity(count as usize);
    for _ in 0..count {
        figures.push(FigureAt {
            start: r.varint()?,
            span: (r.varint()?, r.varint()?),
        });
    }
    let columns = crate::extract::table::split_columns(&r.string()?);
    let table_units = Some(r.string()?).filter(|u| !u.is_empty());
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
        table_units,
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
        assert_eq!(
            r.figures,
            vec![
                FigureAt {
                    start: 9,
                    span: (1009, 1021)
                },
                FigureAt {
                    start: 300,
                    span: (2, 300_000)
                }
            ]
        );
        assert_eq!(r.columns, p.columns);
        assert_eq!(r.table_units.as_deref(), Some("en miles de dólares"));
        assert_eq!(r.ocr_confidence, Some(0.5));
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
        assert_eq!(r.table_units, None);
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
        fn damaged_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes);
        }
    }
}
