//! Reading report files: walking corpus folders, decoding text, reading PDF pages.
//!
//! Owns the way from bytes on disk to a [`Document`]: NFC text with `\n` line ends and, when
//! the source has pages (a PDF, or a text export with form feeds), where each page starts. The
//! cells of a table row are separated by tabs. Knows nothing of passages, metadata, tantivy or
//! the faces. A file that cannot be read gives an [`IngestError`] saying why; the caller skips
//! it and goes on. PDFs are read in a child process under [`Limits`] (see [`isolate`]).

pub mod isolate;
pub mod ocr;
pub mod pdf;
mod text;

use std::path::{Path, PathBuf};

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

pub use self::isolate::Limits;
pub use self::ocr::{OcrSettings, OcrStats};
pub use self::text::{decode, Encoding};

/// Largest file read, in bytes; bigger files are skipped (a report is a few MB at most).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why a file could not be read.
#[derive(Debug, Error)]
pub enum IngestError {
    /// A corpus folder cannot be listed.
    #[error("corpus folder {path}: {source}")]
    Root {
        /// The corpus folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A corpus path (given) exists but is not a folder.
    #[error("corpus folder {0} is not a folder")]
    NotAFolder(PathBuf),
    /// The file cannot be opened or read.
    #[error("cannot read: {0}")]
    Read(#[from] std::io::Error),
    /// The file holds no text.
    #[error("empty file")]
    Empty,
    /// The file is over the size limit (`reading.max_file_mb`).
    #[error("too large ({size} MB; the limit is {limit} MB)")]
    TooLarge {
        /// Size of the file, in MiB (rounded down).
        size: u64,
        /// The limit, in MiB.
        limit: u64,
    },
    /// A `.txt` file holds binary content; the text says what was found.
    #[error("not text: {0}")]
    Binary(&'static str),
    /// The PDF cannot be parsed, is encrypted or has no readable page (the reason).
    #[error("broken PDF: {0}")]
    BrokenPdf(String),
    /// A scanned PDF, and OCR is off.
    #[error("PDF without a text layer, and OCR is off (--no-ocr or reading.ocr = false)")]
    NoTextLayer,
    /// Scanned pages could not be read by OCR: the tools are missing or found no text (the reason).
    #[error("scanned pages not read: {0}")]
    NoOcr(String),
    /// An image file, and OCR is off.
    #[error("an image, and OCR is off (--no-ocr or reading.ocr = false)")]
    ImageWithoutOcr,
    /// Not a `.txt`, `.pdf` or image file.
    #[error("not a report file: only .txt, .pdf and images (.png .jpg .tif) are read")]
    Unsupported,
    /// Reading took longer or used more memory than allowed (which limit, and how to raise it).
    #[error("over a reading limit: {0}")]
    OverLimit(String),
    /// The child process that reads PDFs could not be run or gave no usable answer.
    #[error("cannot run the PDF reader {program}: {reason}")]
    Reader {
        /// The program run as `PROGRAM read-pdf FILE`.
        program: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// A report file read into text.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Path relative to its corpus folder, `/`-separated (`informes/manta.pdf`).
    pub source: String,
    /// The file read.
    pub path: PathBuf,
    /// The text: NFC, `\n` line ends, control characters removed; pages end with a form feed.
    pub text: String,
    /// Byte offset in `text` where each page starts; empty when the source has no pages.
    pub pages: Vec<usize>,
    /// How the file was decoded.
    pub encoding: Encoding,
    /// For each page (as in `pages`), Tesseract's mean word confidence (0 to 1) when the page
    /// was read by OCR; empty when no page was.
    pub ocr: Vec<Option<f32>>,
}

impl Document {
    /// The OCR confidence of the page holding byte `offset`, when that page was read by OCR.
    pub fn ocr_at(&self, offset: usize) -> Option<f32> {
        let page = self.page_at(offset)?;
        self.ocr.get(page as usize - 1).copied().flatten()
    }

    /// The 1-based page holding byte `offset` of the text, if the source has pages.
    pub fn page_at(&self, offset: usize) -> Option<u32> {
        if self.pages.is_empty() {
            return None;
        }
        let n = self.pages.partition_point(|&start| start <= offset);
        u32::try_from(n.max(1)).ok()
    }
}

/// A report file found by [`walk`].
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// The file, under `root`.
    pub path: PathBuf,
    /// The corpus folder it was found in.
    pub root: PathBuf,
}

/// A file left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why, for people (`empty file`, `broken PDF: no readable page`).
    pub reason: String,
}

/// What [`walk`] found.
#[derive(Debug, Default)]
pub struct Walk {
    /// `.txt` and `.pdf` files, sorted by path within each folder.
    pub files: Vec<SourceFile>,
    /// Other files and unreadable entries, with the reason.
    pub skipped: Vec<Skipped>,
}

/// Lists the report files under each folder, recursively. A folder that does not exist is an
/// error; an entry inside one that cannot be read is skipped with its reason. Hidden files and
/// the file names in `quiet` (files that belong in a corpus folder but are not reports) are
/// neither listed nor skipped.
pub fn walk(roots: &[PathBuf], quiet: &[&str]) -> Result<Walk, IngestError> {
    let mut out = Walk::default();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|source| IngestError::Root {
            path: root.clone(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(IngestError::NotAFolder(root.clone()));
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    out.skipped.push(Skipped {
                        path,
                        reason: format!(
                            "cannot read: {}",
                            e.io_error()
                                .map_or_else(|| e.to_string(), |io| io.to_string())
                        ),
                    });
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.') || quiet.contains(&name.as_ref()) {
                continue;
            }
            if Format::of(entry.path()).is_some() {
                out.files.push(SourceFile {
                    path: entry.path().to_path_buf(),
                    root: root.clone(),
                });
            } else {
                out.skipped.push(Skipped {
                    path: entry.path().to_path_buf(),
                    reason: IngestError::Unsupported.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// The kinds of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Pdf,
    /// A scan or photo, read by OCR.
    Image,
}

impl Format {
    fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "pdf" => Some(Format::Pdf),
            "png" | "jpg" | "jpeg" | "tif" | "tiff" => Some(Format::Image),
            _ => None,
        }
    }
}

/// Reads report files under [`Limits`], PDFs through a child process, scans through OCR.
#[derive(Debug, Clone)]
pub struct Reader {
    /// Time, memory and size limits on one file.
    pub limits: Limits,
    /// The program run as `PROGRAM read-pdf FILE` to read a PDF (normally this executable).
    pub program: PathBuf,
    /// Whether and how scanned pages and images are read.
    pub ocr: OcrSettings,
    /// Counts OCR work across the files read, when set.
    pub ocr_stats: Option<std::sync::Arc<OcrStats>>,
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new(Limits::default())
    }
}

impl Reader {
    /// A reader with `limits` that runs this executable to read PDFs.
    pub fn new(limits: Limits) -> Reader {
        Reader {
            limits,
            program: isolate::default_program(),
            ocr: OcrSettings::default(),
            ocr_stats: None,
        }
    }

    /// The same reader with these OCR settings.
    pub fn with_ocr(mut self, ocr: OcrSettings) -> Reader {
        self.ocr = ocr;
        self
    }

    /// The same reader running `program` to read PDFs.
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Reader {
        self.program = program.into();
        self
    }

    /// Reads one report file found under `root`.
    pub fn read(&self, path: &Path, root: &Path) -> Result<Document, IngestError> {
        let format = Format::of(path).ok_or(IngestError::Unsupported)?;
        let size = std::fs::metadata(path)?.len();
        if size > self.limits.max_file {
            return Err(IngestError::TooLarge {
                size: size >> 20,
                limit: self.limits.max_file >> 20,
            });
        }
        match format {
            Format::Text => {
                let bytes = std::fs::read(path)?;
                if bytes.is_empty() {
                    return Err(IngestError::Empty);
                }
                let (raw, encoding) = text::decode(&bytes)?;
                document(&raw, encoding, format, Vec::new(), path, root)
            }
            Format::Pdf => {
                if size == 0 {
                    return Err(IngestError::Empty);
                }
                let mut pages = isolate::read_pdf(&self.program, path, &self.limits)?;
                let ocr = self.ocr_scanned_pages(path, &mut pages)?;
                document(&join_pages(&pages), Encoding::Pdf, format, ocr, path, root)
            }
            Format::Image => {
                if !self.ocr.enabled {
                    return Err(IngestError::ImageWithoutOcr);
                }
                let hash = fnv1a_hex(&std::fs::read(path)?);
                let stats = self.ocr_stats.as_deref();
                let mut read = ocr::read_pages(path, false, &[1], &hash, &self.ocr, stats)?;
                let page = read.remove(&1).unwrap_or(ocr::OcrPage {
                    text: String::new(),
                    confidence: 0.0,
                });
                let confidence = Some(page.confidence);
                document(
                    &page.text,
                    Encoding::Ocr,
                    format,
                    vec![confidence],
                    path,
                    root,
                )
            }
        }
    }

    /// Reads by OCR the pages of a PDF whose text layer is missing or garbage, in place; the
    /// confidence of each page (`None` for pages with a text layer).
    fn ocr_scanned_pages(
        &self,
        path: &Path,
        pages: &mut [String],
    ) -> Result<Vec<Option<f32>>, IngestError> {
        let scanned: Vec<u32> = (1u32..)
            .zip(pages.iter())
            .filter(|(_, text)| ocr::needs_ocr(text))
            .map(|(n, _)| n)
            .collect();
        let all_scanned = scanned.len() == pages.len();
        if scanned.is_empty() {
            return Ok(Vec::new());
        }
        if !self.ocr.enabled {
            return if all_scanned && pages.iter().all(|p| p.trim().is_empty()) {
                Err(IngestError::NoTextLayer)
            } else {
                Ok(Vec::new())
            };
        }
        let hash = fnv1a_hex(&std::fs::read(path)?);
        let stats = self.ocr_stats.as_deref();
        let read = match ocr::read_pages(path, true, &scanned, &hash, &self.ocr, stats) {
            Ok(read) => read,
            // Without OCR, a PDF with some text is still worth its text.
            Err(e) if all_scanned => return Err(e),
            Err(_) => return Ok(Vec::new()),
        };
        let mut confidence = vec![None; pages.len()];
        for (n, page) in read {
            let i = n as usize - 1;
            if let Some(slot) = pages.get_mut(i) {
                *slot = page.text;
                confidence[i] = Some(page.confidence);
            }
        }
        Ok(confidence)
    }
}

/// FNV-1a (64 bits) of some bytes, in hex: report ids and OCR cache keys.
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Reads one report file found under `root` with the default limits.
pub fn read(path: &Path, root: &Path) -> Result<Document, IngestError> {
    Reader::default().read(path, root)
}

/// Pages joined into one text, a form feed before each page but the first.
pub fn join_pages(pages: &[String]) -> String {
    let mut text = String::new();
    for (i, page) in pages.iter().enumerate() {
        if i > 0 {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push('\u{c}');
        }
        text.push_str(page.trim_matches(|c: char| c == '\n' || c == '\u{c}'));
    }
    text
}

fn document(
    raw: &str,
    encoding: Encoding,
    format: Format,
    ocr: Vec<Option<f32>>,
    path: &Path,
    root: &Path,
) -> Result<Document, IngestError> {
    let mut text = clean(raw);
    if format == Format::Text {
        // Tables laid out with spaces become rows of cells, as the PDF reader writes them.
        if let Some(tabled) = pdf::layout::text_tables(&text) {
            text = tabled;
        }
    }
    if text.trim().is_empty() {
        return Err(match format {
            Format::Pdf => IngestError::NoTextLayer,
            Format::Image => IngestError::NoOcr("OCR found no text in the image".into()),
            Format::Text => IngestError::Empty,
        });
    }
    let mut pages = page_starts(&text);
    if pages.is_empty() && format != Format::Text {
        // A PDF of one page, or an image: page 1.
        pages.push(0);
    }
    Ok(Document {
        source: relative_source(path, root),
        path: path.to_path_buf(),
        text,
        pages,
        encoding,
        ocr,
    })
}

/// NFC, `\n` line ends, no control characters but tab, line feed and form feed.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while !rest.is_empty() {
        // Runs of printable ASCII, line feeds and tabs are copied as they are: nearly all text.
        let run = rest
            .bytes()
            .position(|b| !matches!(b, b' '..=b'~' | b'\n' | b'\t'))
            .unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        match c {
            '\r' => {
                if !chars.as_str().starts_with('\n') {
                    out.push('\n');
                }
            }
            '\u{c}' => out.push(c),
            '\u{feff}' | '\u{ad}' | '\u{200b}' => {} // BOM, soft hyphen, zero-width space
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        rest = chars.as_str();
    }
    // Below U+0300 every character is a starter that NFC keeps: the check starts at the first
    // character from there on, the first byte from 0xCC (U+0300 is CC 80).
    let Some(from) = out.bytes().position(|b| b >= 0xCC) else {
        return out;
    };
    match unicode_normalization::is_nfc_quick(out[from..].chars()) {
        unicode_normalization::IsNormalized::Yes => out,
        _ => out.nfc().collect(),
    }
}

/// Where pages start: after each form feed, when there is one.
fn page_starts(text: &str) -> Vec<usize> {
    if !text.contains('\u{c}') {
        return Vec::new();
    }
    let mut starts = vec![0];
    starts.extend(text.match_indices('\u{c}').map(|(i, _)| i + 1));
    // A trailing form feed opens no page.
    if starts.last() == Some(&text.len()) {
        starts.pop();
    }
    starts
}

/// `path` relative to `root`, `/`-separated.
pub fn relative_source(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Cleaning a character at a time: what [`clean`] must give.
    fn clean_by_chars(raw: &str) -> String {
        let mut out = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' if chars.peek() == Some(&'\n') => {}
                '\r' => out.push('\n'),
                '\n' | '\t' | '\u{c}' => out.push(c),
                '\u{feff}' | '\u{ad}' | '\u{200b}' => {}
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
        out.nfc().collect()
    }

    proptest! {
        #[test]
        fn cleaning_is_the_same_as_a_character_at_a_time(raw in "[a-z \r\n\t\u{0}\u{7f}\u{c}\u{85}\u{feff}\u{ad}\u{200b}ó\u{301}]{0,50}|\\PC{0,30}") {
            prop_assert_eq!(clean(&raw), clean_by_chars(&raw));
        }
    }

    #[test]
    fn pages_start_after_form_feeds() {
        let doc = Document {
            source: "a.txt".into(),
            path: PathBuf::from("a.txt"),
            text: "uno\n\u{c}dos\n\u{c}tres".into(),
            pages: page_starts("uno\n\u{c}dos\n\u{c}tres"),
            encoding: Encoding::Utf8,
            ocr: Vec::new(),
        };
        assert_eq!(doc.pages, [0, 5, 10]);
        assert_eq!(doc.page_at(0), Some(1));
        assert_eq!(doc.page_at(5), Some(2));
        assert_eq!(doc.page_at(12), Some(3));
        assert_eq!(page_starts("sin páginas"), Vec::<usize>::new());
    }

    #[test]
    fn cleaning_normalises_line_ends_controls_and_composes_accents() {
        assert_eq!(clean("a\r\nb\rc\u{0}d"), "a\nb\nc d");
        assert_eq!(clean("Rendicio\u{301}n"), "Rendición");
        assert_eq!(clean("\u{feff}infor\u{ad}me"), "informe");
    }

    #[test]
    fn sources_are_relative_and_slash_separated() {
        assert_eq!(
            relative_source(Path::new("/c/x/y.pdf"), Path::new("/c")),
            "x/y.pdf"
        );
    }

    #[test]
    fn walking_lists_reports_and_skips_other_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        for name in [
            "b.txt",
            "sub/a.PDF",
            "notes.docx",
            "cuentas.csv",
            ".hidden.txt",
        ] {
            std::fs::write(root.join(name), "x").expect("write");
        }
        let walk = walk(std::slice::from_ref(&root), &["cuentas.csv"]).expect("walks");
        let files: Vec<String> = walk
            .files
            .iter()
            .map(|f| relative_source(&f.path, &root))
            .collect();
        assert_eq!(files, ["b.txt", "sub/a.PDF"]);
        assert_eq!(walk.skipped.len(), 1);
        assert!(walk.skipped[0].path.ends_with("notes.docx"));
        assert!(super::walk(&[root.join("missing")], &[]).is_err());
    }
}
