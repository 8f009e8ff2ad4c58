//! The generation's reports as bytes (`reports.bin`), laid out so that opening an index reads
//! only what a search needs: the ids and where each report starts. A hit decodes its own
//! report's file, title, year, province and unit; the whole list is decoded when first listed.
//! (A JSON list of the 78,000 reports of 1 GB took 0.18 s to parse, most of what opening the
//! index cost a command-line search.)
//!
//! ```text
//! magic "CRL2" · count · per report: its length in bytes · id · source · title · year?
//!   · province? · unit? · path · evidence of the year?, the province?, the unit? · passages
//!   · figures
//! · CRC-32 of everything before it (4 bytes, little-endian)
//! ```
//!
//! Numbers are varints and strings length-prefixed ([`super::wire`]); a field marked `?` is a
//! byte, 0 for none or 1 followed by the value. A year is zigzag-encoded. A path is kept as the
//! bytes of the file system's name, which need not be UTF-8 (a report unpacked from an archive
//! made on Windows). The checksum makes any damage an error rather than other words.

use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::wire::{put_bytes, put_str, put_varint, Bytes, Reader};
use super::{ReportInfo, ReportMeta};
use crate::extract::{Evidence, MetadataEvidence};

const MAGIC: &[u8; 4] = b"CRL2";
const WHAT: &str = "report list";

/// The bytes of `reports`, in order.
pub(super) fn encode(reports: &[ReportMeta]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + reports.len() * 320);
    out.extend_from_slice(MAGIC);
    put_varint(&mut out, reports.len() as u64);
    let mut report = Vec::new();
    for r in reports {
        report.clear();
        put_report(&mut report, r);
        put_bytes(&mut out, &report);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn put_report(out: &mut Vec<u8>, r: &ReportMeta) {
    put_str(out, &r.report_id);
    put_str(out, &r.info.source);
    put_str(out, &r.info.title);
    put_option(out, r.info.year, |out, y| {
        put_varint(out, zigzag(i64::from(y)));
    });
    put_option(out, r.info.province.as_deref(), put_str);
    put_option(out, r.info.unit.as_deref(), put_str);
    put_bytes(out, path_bytes(&r.path).as_ref());
    for evidence in [&r.evidence.year, &r.evidence.province, &r.evidence.unit] {
        put_option(out, evidence.as_ref(), put_evidence);
    }
    put_varint(out, r.passages as u64);
    put_varint(out, r.figures as u64);
}

/// The reports of a generation, read from the bytes [`encode`] wrote.
pub(super) struct Reports {
    bytes: Bytes,
    /// Where each report's bytes are, in corpus order.
    ranges: Vec<(u32, u32)>,
    /// Position in `ranges` by report id.
    by_id: FxHashMap<Box<str>, u32>,
    /// Every report, decoded when first listed.
    all: OnceLock<Vec<ReportMeta>>,
}

impl Reports {
    /// Checks `bytes` whole (their checksum, so that damage is found when the index opens, not
    /// when a hit shows it) and finds each report in them, reading only its id.
    pub(super) fn read(bytes: Bytes) -> io::Result<Reports> {
        let damaged = |how: &str| super::wire::damaged(WHAT, how);
        let (body, crc) = bytes
            .split_last_chunk::<4>()
            .ok_or_else(|| damaged("cut short"))?;
        if crc32fast::hash(body) != u32::from_le_bytes(*crc) {
            return Err(damaged("checksum mismatch"));
        }
        let body_len = body.len();
        if body_len > u32::MAX as usize {
            return Err(damaged("larger than 4 GB"));
        }
        let body = body
            .strip_prefix(MAGIC)
            .ok_or_else(|| damaged("not a report list"))?;
        let mut r = Reader::new(body, WHAT);
        let count = r.size()?;
        // A report takes a dozen bytes at least: a count beyond that is damage, not a reason
        // to reserve memory.
        if count > r.left() / 12 {
            return Err(r.damaged("more reports than bytes"));
        }
        let mut ranges = Vec::with_capacity(count);
        let mut by_id = FxHashMap::default();
        by_id.reserve(count);
        for i in 0..count {
            let report = r.bytes()?;
            let start = body_len - r.left() - report.len();
            let id = Reader::new(report, WHAT).string()?;
            if by_id.insert(id.into_boxed_str(), i as u32).is_some() {
                return Err(r.damaged("a report id twice"));
            }
            ranges.push((start as u32, (start + report.len()) as u32));
        }
        if r.left() > 0 {
            return Err(r.damaged("bytes after the last report"));
        }
        Ok(Reports {
            bytes,
            ranges,
            by_id,
            all: OnceLock::new(),
        })
    }

    /// How many reports there are.
    pub(super) fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Every report, in corpus order.
    pub(super) fn all(&self) -> &[ReportMeta] {
        self.all.get_or_init(|| {
            (0..self.ranges.len())
                .filter_map(|i| self.decode(i))
                .collect()
        })
    }

    /// Report `id`, `None` when it is not in the list. Decoded from its bytes, which costs
    /// about what copying it from [`Self::all`] would.
    pub(super) fn get(&self, id: &str) -> Option<ReportMeta> {
        self.decode(*self.by_id.get(id)? as usize)
    }

    /// What readers see of report `id` beside a hit, `None` when it is not in the list.
    pub(super) fn info(&self, id: &str) -> Option<ReportInfo> {
        let i = *self.by_id.get(id)?;
        let mut r = self.reader(i as usize)?;
        r.bytes().ok()?;
        take_info(&mut r).ok()
    }

    fn reader(&self, i: usize) -> Option<Reader<'_>> {
        let &(start, end) = self.ranges.get(i)?;
        Some(Reader::new(
            self.bytes.get(start as usize..end as usize)?,
            WHAT,
        ))
    }

    /// Report `i`; `None` only for damage the checksum let through, which is logged.
    fn decode(&self, i: usize) -> Option<ReportMeta> {
        let decoded = self
            .reader(i)
            .ok_or_else(|| super::wire::damaged(WHAT, "a report out of range"))
            .and_then(|mut r| take_report(&mut r));
        decoded
            .map_err(|e| tracing::error!(error = %e, report = i, "reading the report list"))
            .ok()
    }
}

fn take_info(r: &mut Reader<'_>) -> io::Result<ReportInfo> {
    let source = r.string()?;
    let title = r.string()?;
    let year = match take_option(r, |r| r.varint())? {
        Some(z) => Some(i32::try_from(unzigzag(z)).map_err(|_| r.damaged("bad year"))?),
        None => None,
    };
    Ok(ReportInfo {
        source,
        title,
        year,
        province: take_option(r, Reader::string)?,
        unit: take_option(r, Reader::string)?,
    })
}

fn take_report(r: &mut Reader<'_>) -> io::Result<ReportMeta> {
    let report_id = r.string()?;
    let info = take_info(r)?;
    let path = path_from(r.bytes()?);
    let evidence = MetadataEvidence {
        year: take_option(r, take_evidence)?,
        province: take_option(r, take_evidence)?,
        unit: take_option(r, take_evidence)?,
    };
    let passages = r.size()?;
    let figures = r.size()?;
    if r.left() > 0 {
        return Err(r.damaged("bytes after a report"));
    }
    Ok(ReportMeta {
        report_id,
        info,
        path,
        evidence,
        passages,
        figures,
    })
}

fn put_option<T>(out: &mut Vec<u8>, value: Option<T>, put: impl FnOnce(&mut Vec<u8>, T)) {
    match value {
        Some(v) => {
            out.push(1);
            put(out, v);
        }
        None => out.push(0),
    }
}

fn take_option<'a, T>(
    r: &mut Reader<'a>,
    take: impl FnOnce(&mut Reader<'a>) -> io::Result<T>,
) -> io::Result<Option<T>> {
    match r.byte()? {
        0 => Ok(None),
        1 => take(r).map(Some),
        _ => Err(r.damaged("bad flag")),
    }
}

fn put_evidence(out: &mut Vec<u8>, e: &Evidence) {
    put_str(out, &e.quote);
    put_option(out, e.span, |out, (start, end)| {
        put_varint(out, start as u64);
        put_varint(out, end as u64);
    });
    out.extend_from_slice(&e.confidence.to_le_bytes());
    put_option(out, e.note.as_deref(), put_str);
}

fn take_evidence(r: &mut Reader<'_>) -> io::Result<Evidence> {
    Ok(Evidence {
        quote: r.string()?,
        span: take_option(r, |r| Ok((r.size()?, r.size()?)))?,
        confidence: f64::from_le_bytes(r.array()?),
        note: take_option(r, Reader::string)?,
    })
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

#[cfg(unix)]
fn path_bytes(path: &std::path::Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().into()
}

#[cfg(unix)]
fn path_from(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).into()
}

#[cfg(not(unix))]
fn path_bytes(path: &std::path::Path) -> std::borrow::Cow<'_, [u8]> {
    match path.to_string_lossy() {
        std::borrow::Cow::Borrowed(s) => s.as_bytes().into(),
        std::borrow::Cow::Owned(s) => s.into_bytes().into(),
    }
}

#[cfg(not(unix))]
fn path_from(bytes: &[u8]) -> PathBuf {
    String::from_utf8_lossy(bytes).into_owned().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reports written by [`encode`], all decoded; an error when the bytes are not such a
    /// list, whole.
    fn decode(bytes: &[u8]) -> io::Result<Vec<ReportMeta>> {
        let reports = Reports::read(Bytes::Owned(bytes.to_vec()))?;
        (0..reports.len())
            .map(|i| {
                let mut r = reports
                    .reader(i)
                    .ok_or_else(|| crate::index::wire::damaged(WHAT, "out of range"))?;
                take_report(&mut r)
            })
            .collect()
    }

    #[test]
    fn a_report_is_found_by_id_before_and_after_the_list_is_read() {
        let list = reports();
        let read = Reports::read(Bytes::Owned(encode(&list))).expect("reads");
        assert_eq!(read.len(), 2);
        for _ in 0..2 {
            assert_eq!(read.get("r2"), Some(list[1].clone()));
            assert_eq!(read.info("3dd65174071a9112"), Some(list[0].info.clone()));
            assert_eq!((read.get("r3"), read.info("r3")), (None, None));
            assert_eq!(read.all(), &list[..]);
        }
        let mut twice = list.clone();
        twice.push(list[0].clone());
        assert!(
            Reports::read(Bytes::Owned(encode(&twice))).is_err(),
            "an id twice"
        );
    }

    fn evidence(quote: &str, span: Option<(usize, usize)>, note: Option<&str>) -> Evidence {
        Evidence {
            quote: quote.into(),
            span,
            confidence: 0.88,
            note: note.map(Into::into),
        }
    }

    fn reports() -> Vec<ReportMeta> {
        vec![
            ReportMeta {
                report_id: "3dd65174071a9112".into(),
                info: ReportInfo {
                    source: "2010/azuay_cuenca.txt".into(),
                    title: "Rendición de Cuentas 2010".into(),
                    year: Some(2010),
                    province: Some("Azuay".into()),
                    unit: Some("Centro de Atención Ambulatoria IESS Cuenca".into()),
                },
                path: "/datos/2010/azuay_cuenca.txt".into(),
                evidence: MetadataEvidence {
                    year: Some(evidence("Rendición de Cuentas 2010", Some((42, 67)), None)),
                    province: Some(evidence("", None, Some("outside Ecuador: no province"))),
                    unit: None,
                },
                passages: 36,
                figures: 84,
            },
            ReportMeta {
                report_id: "r2".into(),
                info: ReportInfo {
                    year: Some(-1),
                    ..ReportInfo::default()
                },
                path: PathBuf::new(),
                evidence: MetadataEvidence::default(),
                passages: 0,
                figures: 0,
            },
        ]
    }

    #[test]
    fn a_list_reads_back_as_written() {
        let list = reports();
        assert_eq!(decode(&encode(&list)).expect("decodes"), list);
        assert_eq!(decode(&encode(&[])).expect("decodes"), Vec::new());
    }

    /// A report that cannot be decoded though the checksum holds (a bug of the writer) is left
    /// out of the list, and the others are still found by their ids.
    #[test]
    fn a_report_that_cannot_be_read_leaves_the_others_found() {
        let list = reports();
        let mut bytes = encode(&list);
        let first_end = Reports::read(Bytes::Owned(bytes.clone()))
            .expect("reads")
            .ranges[0]
            .1;
        // The first report's last number now runs past its end.
        bytes[first_end as usize - 1] = 0x80;
        let body = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_le_bytes());
        let read = Reports::read(Bytes::Owned(bytes)).expect("the ids read");
        assert_eq!(read.all(), &list[1..]);
        assert_eq!(read.get("3dd65174071a9112"), None);
        assert_eq!(read.get("r2"), Some(list[1].clone()));
        assert_eq!(read.info("r2"), Some(list[1].info.clone()));
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_reads_back_as_the_same_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let mut list = reports();
        list[0].path = std::ffi::OsStr::from_bytes(b"/datos/Rendici\xf3n 2021.txt").into();
        assert_eq!(
            decode(&encode(&list)).expect("decodes")[0].path,
            list[0].path
        );
    }

    #[test]
    fn every_cut_and_every_changed_byte_is_an_error() {
        let bytes = encode(&reports());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x20;
            assert!(decode(&bad).is_err(), "byte {at} changed");
        }
        let mut longer = bytes.clone();
        longer.insert(bytes.len() - 4, 0);
        assert!(decode(&longer).is_err(), "a byte too many");
    }

    proptest! {
        #[test]
        fn damaged_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
            let _ = decode(&bytes);
            let mut framed = MAGIC.to_vec();
            framed.extend_from_slice(&bytes);
            let crc = crc32fast::hash(&framed);
            framed.extend_from_slice(&crc.to_le_bytes());
            let _ = decode(&framed);
        }

        #[test]
        fn years_read_back(y in any::<i32>()) {
            prop_assert_eq!(unzigzag(zigzag(i64::from(y))), i64::from(y));
        }
    }
}
