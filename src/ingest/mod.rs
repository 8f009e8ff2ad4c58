//! Reading report files: walking corpus folders, decoding text, extracting PDF text by page.
//!
//! Owns the way from bytes on disk to a [`Document`]: NFC text with `\n` line ends and, when
//! the source has pages (a PDF, or a text export with form feeds), where each page starts.
//! Knows nothing of passages, metadata, tantivy or the faces. A file that cannot be read gives
//! an [`IngestError`] saying why; the caller skips it and goes on.

mod pdf;
mod text;

use std::path::{Path, PathBuf};

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

pub use self::text::{decode, Encoding};

/// Largest file read, in bytes; bigger files are skipped (a report is a few MB at most).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why a file could not be read.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("corpus folder {path}: {source}")]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("corpus folder {0} is not a folder")]
    NotAFolder(PathBuf),
    #[error("cannot read: {0}")]
    Read(#[from] std::io::Error),
    #[error("empty file")]
    Empty,
    #[error("too large ({0} MB; at most 256 MB)")]
    TooLarge(u64),
    #[error("not text: {0}")]
    Binary(&'static str),
    #[error("broken PDF: {0}")]
    BrokenPdf(String),
    #[error("PDF without a text layer (scanned pages need OCR first)")]
    NoTextLayer,
    #[error("not a report file: only .txt and .pdf are read")]
    Unsupported,
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
}

impl Document {
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
    pub path: PathBuf,
    /// The corpus folder it was found in.
    pub root: PathBuf,
}

/// A file left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub path: PathBuf,
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
}

impl Format {
    fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
}

/// Reads one report file found under `root`.
pub fn read(path: &Path, root: &Path) -> Result<Document, IngestError> {
    let format = Format::of(path).ok_or(IngestError::Unsupported)?;
    let size = std::fs::metadata(path)?.len();
    if size > MAX_FILE_BYTES {
        return Err(IngestError::TooLarge(size >> 20));
    }
    let bytes = std::fs::read(path)?;
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    let (raw, encoding) = match format {
        Format::Text => text::decode(&bytes)?,
        Format::Pdf => (pdf::extract(&bytes)?, Encoding::Pdf),
    };
    let text = clean(&raw);
    if text.trim().is_empty() {
        return Err(match format {
            Format::Pdf => IngestError::NoTextLayer,
            Format::Text => IngestError::Empty,
        });
    }
    let pages = page_starts(&text);
    Ok(Document {
        source: relative_source(path, root),
        path: path.to_path_buf(),
        text,
        pages,
        encoding,
    })
}

/// NFC, `\n` line ends, no control characters but tab, line feed and form feed.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' | '\u{c}' => out.push(c),
            '\u{feff}' | '\u{ad}' | '\u{200b}' => {} // BOM, soft hyphen, zero-width space
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    match unicode_normalization::is_nfc_quick(out.chars()) {
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

    #[test]
    fn pages_start_after_form_feeds() {
        let doc = Document {
            source: "a.txt".into(),
            path: PathBuf::from("a.txt"),
            text: "uno\n\u{c}dos\n\u{c}tres".into(),
            pages: page_starts("uno\n\u{c}dos\n\u{c}tres"),
            encoding: Encoding::Utf8,
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
