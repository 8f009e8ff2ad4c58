//! Reading scanned pages with Tesseract, in Spanish.
//!
//! A PDF page with no text layer, or one that is glyph garbage, is rendered to a grey image by
//! `pdftoppm` (poppler-utils) and read by `tesseract` (with its Spanish model), both run as
//! child processes under a time and a memory limit, one page a core at a time. Image files are
//! read the same way. Tesseract's word boxes (its TSV output) give the lines and, where words
//! stand far apart, the cells of a table, written as the PDF reader writes them (a tab between
//! cells). Every OCR'd page carries Tesseract's mean word confidence.
//!
//! OCR is slow, so every page read is kept in a cache folder (next to the index) under the
//! file's content hash and the OCR settings: a rebuild of an unchanged corpus runs no OCR.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::IngestError;

/// The Debian packages OCR needs, as said in every reason a scan is skipped for.
pub const INSTALL_HINT: &str = "apt-get install tesseract-ocr tesseract-ocr-spa poppler-utils";

/// How scans are read.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrSettings {
    /// Whether pages without text are read by OCR at all.
    pub enabled: bool,
    /// Tesseract's language (`spa`).
    pub lang: String,
    /// Resolution pages are rendered at.
    pub dpi: u32,
    /// Time allowed to render and read one page.
    pub page_time: Duration,
    /// Memory allowed to each OCR process.
    pub memory: u64,
    /// Pages read at once.
    pub threads: usize,
    /// Where pages read are kept across builds; `None`: no cache.
    pub cache: Option<PathBuf>,
}

impl Default for OcrSettings {
    fn default() -> Self {
        OcrSettings {
            enabled: true,
            lang: "spa".into(),
            dpi: 300,
            page_time: Duration::from_secs(180),
            memory: 1 << 30,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            cache: None,
        }
    }
}

/// One page read by OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrPage {
    /// The text read from the page.
    pub text: String,
    /// Tesseract's mean word confidence, from 0 to 1.
    pub confidence: f32,
}

/// Counters of OCR work, shared by a whole build.
#[derive(Debug, Default)]
pub struct OcrStats {
    /// Pages read by Tesseract.
    pub pages_run: AtomicUsize,
    /// Pages taken from the cache.
    pub pages_cached: AtomicUsize,
}

/// Whether a page's text layer is missing or garbage: too few letters and digits, or mostly
/// signs that are neither (a font without a Unicode map draws symbols, replacement characters
/// or private-use code points). A table of amounts is mostly digits: it has a text layer.
pub fn needs_ocr(page: &str) -> bool {
    let (mut alnum, mut letters, mut junk, mut visible) = (0usize, 0usize, 0usize, 0usize);
    for c in page.chars().filter(|c| !c.is_whitespace()) {
        visible += 1;
        alnum += usize::from(c.is_alphanumeric());
        letters += usize::from(c.is_alphabetic());
        junk += usize::from(c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(&c));
    }
    letters < 10 && alnum < 20 || alnum * 2 < visible || junk * 10 > visible * 3
}

/// Checks that `tesseract` (with the language) and, for PDFs, `pdftoppm` can be run; the
/// reason with the install command otherwise.
pub fn check_tools(settings: &OcrSettings, pdf: bool) -> Result<String, IngestError> {
    let missing = |what: &str| {
        IngestError::NoOcr(format!(
            "{what} is not installed; scanned pages need it ({INSTALL_HINT})"
        ))
    };
    let out = Command::new("tesseract")
        .arg("--list-langs")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| missing("tesseract"))?;
    let langs =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if !langs.lines().any(|l| l.trim() == settings.lang) {
        return Err(missing(&format!(
            "Tesseract's language '{}'",
            settings.lang
        )));
    }
    if pdf
        && Command::new("pdftoppm")
            .arg("-v")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
    {
        return Err(missing("pdftoppm"));
    }
    let version = Command::new("tesseract")
        .arg("--version")
        .output()
        .map(|o| {
            let all = String::from_utf8_lossy(&o.stdout).to_string()
                + &String::from_utf8_lossy(&o.stderr);
            all.lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_default();
    Ok(version)
}

/// What the cache keeps for one file: its pages read, by 1-based number.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheEntry {
    pages: BTreeMap<u32, OcrPage>,
}

/// Reads `pages` (1-based) of the PDF or image at `path` by OCR, from the cache when they are in
/// it. `bytes_hash` identifies the file's content.
pub fn read_pages(
    path: &Path,
    pdf: bool,
    pages: &[u32],
    bytes_hash: &str,
    settings: &OcrSettings,
    stats: Option<&OcrStats>,
) -> Result<BTreeMap<u32, OcrPage>, IngestError> {
    let version = check_tools(settings, pdf)?;
    let key = format!(
        "{bytes_hash}-{}",
        &super::fnv1a_hex(format!("{}|{}|{version}", settings.lang, settings.dpi).as_bytes())[..8]
    );
    let cache_file = settings
        .cache
        .as_ref()
        .map(|dir| dir.join(format!("{key}.json")));
    let mut entry: CacheEntry = cache_file
        .as_ref()
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let todo: Vec<u32> = pages
        .iter()
        .copied()
        .filter(|p| !entry.pages.contains_key(p))
        .collect();
    if let Some(stats) = stats {
        stats
            .pages_cached
            .fetch_add(pages.len() - todo.len(), Ordering::Relaxed);
    }
    if !todo.is_empty() {
        let next = AtomicUsize::new(0);
        let results: Vec<(u32, Result<OcrPage, IngestError>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..settings.threads.clamp(1, todo.len()))
                .map(|_| {
                    scope.spawn(|| {
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(&page) = todo.get(i) else { break };
                            let read = read_one(path, pdf, page, settings);
                            if let Some(stats) = stats {
                                stats.pages_run.fetch_add(1, Ordering::Relaxed);
                            }
                            out.push((page, read));
                        }
                        out
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        let mut first_error = None;
        for (page, read) in results {
            match read {
                Ok(p) => {
                    entry.pages.insert(page, p);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(file) = &cache_file {
            // A cache that cannot be written only costs time on the next build.
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Ok(json) = serde_json::to_vec(&entry) {
                let tmp = file.with_extension("json.tmp");
                if std::fs::write(&tmp, json).is_ok() {
                    let _ = std::fs::rename(&tmp, file);
                }
            }
        }
        if let Some(e) = first_error {
            if !pages.iter().any(|p| entry.pages.contains_key(p)) {
                return Err(e);
            }
        }
    }
    Ok(entry
        .pages
        .into_iter()
        .filter(|(p, _)| pages.contains(p))
        .collect())
}

/// Renders (for a PDF) and reads one page.
fn read_one(
    path: &Path,
    pdf: bool,
    page: u32,
    settings: &OcrSettings,
) -> Result<OcrPage, IngestError> {
    let started = Instant::now();
    let tmp = tempdir()?;
    let image = if pdf {
        let prefix = tmp.join("page");
        let n = page.to_string();
        let dpi = settings.dpi.to_string();
        let args = [
            "-r",
            &dpi,
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
        ];
        let mut command = Command::new("pdftoppm");
        command.args(args).arg(path).arg(&prefix);
        run(command, settings.page_time, settings.memory, "pdftoppm")?;
        prefix.with_extension("png")
    } else {
        path.to_path_buf()
    };
    let left = settings.page_time.saturating_sub(started.elapsed());
    let mut command = Command::new("tesseract");
    command
        .arg(&image)
        .arg("stdout")
        .args(["-l", &settings.lang, "--psm", "3", "tsv"])
        .env("OMP_THREAD_LIMIT", "1");
    let tsv = run(
        command,
        left.max(Duration::from_secs(1)),
        settings.memory,
        "tesseract",
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(from_tsv(&tsv?))
}

/// Runs a command under a deadline and a memory cap; its stdout.
fn run(
    mut command: Command,
    time: Duration,
    memory: u64,
    what: &str,
) -> Result<String, IngestError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = super::isolate::run_limited(command, time, memory, 64 << 20)?;
    match output {
        None => Err(IngestError::OverLimit(format!(
            "OCR of a page took longer than {} s (the limit; see --ocr-page-timeout)",
            time.as_secs()
        ))),
        Some((status, out, err)) if status.success() => {
            let _ = err;
            Ok(String::from_utf8_lossy(&out).into_owned())
        }
        Some((status, _, err)) => Err(IngestError::BrokenPdf(format!(
            "{what} failed ({status}): {}",
            String::from_utf8_lossy(&err)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
        ))),
    }
}

fn tempdir() -> Result<PathBuf, IngestError> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cuentas-ocr-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One word of Tesseract's TSV.
struct Word<'a> {
    block: u32,
    par: u32,
    line: u32,
    left: i64,
    width: i64,
    height: i64,
    conf: f32,
    text: &'a str,
}

/// A page from Tesseract's TSV: its lines in reading order, a blank line between paragraphs,
/// a tab where words stand apart like table cells; and the mean word confidence.
pub fn from_tsv(tsv: &str) -> OcrPage {
    let mut words: Vec<Word> = Vec::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<i64>().unwrap_or(0);
        let text = cols[11].trim();
        if text.is_empty() {
            continue;
        }
        words.push(Word {
            block: num(2) as u32,
            par: num(3) as u32,
            line: num(4) as u32,
            left: num(6),
            width: num(8),
            height: num(9),
            conf: cols[10].trim().parse().unwrap_or(-1.0),
            text,
        });
    }
    let confs: Vec<f32> = words.iter().map(|w| w.conf).filter(|c| *c >= 0.0).collect();
    let confidence = if confs.is_empty() {
        0.0
    } else {
        confs.iter().sum::<f32>() / confs.len() as f32 / 100.0
    };
    let mut text = String::new();
    let mut i = 0;
    let mut last_par = None;
    while i < words.len() {
        let key = (words[i].block, words[i].par, words[i].line);
        let mut j = i;
        while j < words.len() && (words[j].block, words[j].par, words[j].line) == key {
            j += 1;
        }
        let mut line: Vec<&Word> = words[i..j].iter().collect();
        line.sort_by_key(|w| w.left);
        let height = line.iter().map(|w| w.height).max().unwrap_or(10).max(1);
        if !text.is_empty() {
            text.push('\n');
            if last_par != Some((key.0, key.1)) {
                text.push('\n');
            }
        }
        last_par = Some((key.0, key.1));
        let mut prev_end: Option<i64> = None;
        for w in line {
            if let Some(end) = prev_end {
                // Words further apart than two line heights are in different cells.
                text.push(if w.left - end > 2 * height { '\t' } else { ' ' });
            }
            text.push_str(w.text);
            prev_end = Some(w.left + w.width);
        }
        i = j;
    }
    OcrPage { text, confidence }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_without_letters_need_ocr_and_pages_of_prose_do_not() {
        assert!(needs_ocr(""));
        assert!(needs_ocr("12\n"));
        assert!(needs_ocr("��������������������������������� ab"));
        assert!(!needs_ocr(
            "El GAD parroquial rural de Bellamaría rinde cuentas."
        ));
    }

    #[test]
    fn tesseract_tsv_becomes_lines_cells_and_a_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t90\tActa\n\
            5\t1\t1\t1\t1\t2\t65\t10\t30\t20\t80\tde\n\
            5\t1\t1\t1\t2\t1\t10\t40\t60\t20\t70\tTotal\n\
            5\t1\t1\t1\t2\t2\t300\t40\t90\t20\t60\t1.250,00\n\
            5\t1\t2\t1\t1\t1\t10\t90\t60\t20\t100\tFirma\n";
        let page = from_tsv(tsv);
        assert_eq!(page.text, "Acta de\nTotal\t1.250,00\n\nFirma");
        assert!((page.confidence - 0.8).abs() < 1e-6);
    }
}
