//! Text of a PDF, page by page, from the position of every glyph.
//!
//! The content streams are interpreted by `pdf-extract`; this module only listens to the glyphs
//! it draws (text, position, width, size) and leaves words, cells, lines and tables to
//! [`layout`]. Parsing a hostile file can take unbounded time or memory, or panic: callers run
//! [`read_pages`] in a child process under limits (see `ingest::isolate`), never in the indexer
//! itself. A panic on one page loses that page, not the file.

pub mod layout;

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use self::layout::Glyph;
use super::IngestError;

thread_local! {
    /// Set while this thread runs the interpreter, so its panics are not printed.
    static EXTRACTING: Cell<bool> = const { Cell::new(false) };
}

/// The text of every page of a PDF, in order (an unreadable page is empty).
pub fn read_pages(bytes: &[u8]) -> Result<Vec<String>, IngestError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(IngestError::BrokenPdf("no %PDF header".into()));
    }
    quiet_panics();
    let loaded = guarded(|| pdf_extract::Document::load_mem(bytes));
    let mut doc = match loaded {
        Some(Ok(doc)) => doc,
        Some(Err(e)) => return Err(IngestError::BrokenPdf(first_line(&e.to_string()))),
        None => {
            return Err(IngestError::BrokenPdf(
                "the PDF parser failed on its structure".into(),
            ))
        }
    };
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(IngestError::BrokenPdf("encrypted with a password".into()));
    }
    let numbers: Vec<u32> =
        guarded(|| doc.get_pages().keys().copied().collect()).unwrap_or_default();
    if numbers.is_empty() {
        return Err(IngestError::BrokenPdf("no readable page".into()));
    }
    let mut device = Collector::new(numbers.len());
    let whole = guarded(|| pdf_extract::output_doc(&doc, &mut device));
    if !matches!(whole, Some(Ok(()))) {
        // Something failed part-way: read each page not read yet on its own.
        device.abandon_page();
        for &n in &numbers {
            if device.has(n) {
                continue;
            }
            let one = guarded(|| pdf_extract::output_doc_page(&doc, &mut device, n));
            if !matches!(one, Some(Ok(()))) {
                device.abandon_page();
            }
        }
    }
    Ok(device.finish(&numbers))
}

/// Runs `f` with the interpreter's panics caught and kept quiet; `None` when it panicked.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    EXTRACTING.with(|e| e.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    EXTRACTING.with(|e| e.set(false));
    result.ok()
}

/// Listens to the interpreter and keeps each page's glyphs.
struct Collector {
    pages: Vec<(u32, String)>,
    current: Option<u32>,
    glyphs: Vec<Glyph>,
    /// Glyphs drawn rotated (vertical labels), kept apart from the page's lines.
    rotated: Vec<Glyph>,
    space_pending: bool,
}

impl Collector {
    fn new(pages: usize) -> Collector {
        Collector {
            pages: Vec::with_capacity(pages),
            current: None,
            glyphs: Vec::new(),
            rotated: Vec::new(),
            space_pending: false,
        }
    }

    fn has(&self, page: u32) -> bool {
        self.pages.iter().any(|(n, _)| *n == page)
    }

    /// Drops what a failed page drew.
    fn abandon_page(&mut self) {
        self.current = None;
        self.glyphs.clear();
        self.rotated.clear();
    }

    fn finish(mut self, numbers: &[u32]) -> Vec<String> {
        self.pages.sort_by_key(|(n, _)| *n);
        numbers
            .iter()
            .map(|n| {
                self.pages
                    .binary_search_by_key(n, |(k, _)| *k)
                    .ok()
                    .map(|i| std::mem::take(&mut self.pages[i].1))
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.abandon_page();
        self.current = Some(page_num);
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        if let Some(n) = self.current.take() {
            let mut text = layout::page_text(std::mem::take(&mut self.glyphs));
            let rotated = layout::page_text(std::mem::take(&mut self.rotated));
            if !rotated.is_empty() {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(&rotated);
            }
            self.pages.push((n, text));
        }
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        if text.chars().all(char::is_whitespace) {
            self.space_pending = true;
            return Ok(());
        }
        let (a, b, c, d) = (trm.m11, trm.m12, trm.m21, trm.m22);
        let rotated = b.abs() > a.abs();
        let scale_x = a.hypot(b);
        let size = (font_size * c.hypot(d)).abs();
        let advance = (width * font_size * scale_x).abs();
        // Rotated text is laid out in its own frame: along its baseline, then across.
        let (x, y) = if rotated {
            (trm.m32 * b.signum(), -trm.m31 * b.signum())
        } else {
            (trm.m31, trm.m32)
        };
        let glyph = Glyph {
            text: normalize_glyph(text),
            x0: x as f32,
            x1: (x + advance.max(size * 0.05)) as f32,
            y: y as f32,
            size: size as f32,
            space_before: std::mem::take(&mut self.space_pending),
        };
        if glyph.text.is_empty() {
            return Ok(());
        }
        if rotated {
            self.rotated.push(glyph);
        } else {
            self.glyphs.push(glyph);
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Ligatures as their letters (`ﬁ` → `fi`), the minus sign as `-`, no control characters.
fn normalize_glyph(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("st"),
            '\u{2212}' => out.push('-'),
            // A ligature mapped to `fi ` or `f i` by its font: the letters, not the spaces.
            c if c.is_control() || c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("unreadable").trim().to_string()
}

/// Installs, once, a panic hook that stays silent for panics inside the interpreter and defers
/// to the previous hook for every other panic.
fn quiet_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !EXTRACTING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_pdf_is_refused() {
        let err = read_pages(b"hello").expect_err("not a pdf");
        assert!(err.to_string().contains("%PDF"), "{err}");
    }

    #[test]
    fn a_truncated_pdf_is_broken_not_a_panic() {
        let err =
            read_pages(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer <<")
                .expect_err("broken");
        assert!(err.to_string().starts_with("broken PDF"), "{err}");
    }

    #[test]
    fn a_cycle_of_parents_ends() {
        // Found by fuzzing: a page whose /Parent chain loops made the reader run forever.
        let bytes = include_bytes!("../../../fuzz/seeds/pdf_reader/parent-cycle");
        let _ = read_pages(bytes);
    }

    #[test]
    fn ligatures_and_minus_signs_are_plain_letters() {
        assert_eq!(normalize_glyph("\u{fb01}"), "fi");
        assert_eq!(normalize_glyph("\u{2212}"), "-");
        assert_eq!(normalize_glyph("fi "), "fi");
    }
}
