//! Text of a PDF, page by page, with a pure-Rust extractor (`pdf-extract`). The extractor can
//! panic on malformed files: the panic is caught, kept quiet, and the file reported as broken.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use super::IngestError;

thread_local! {
    /// Set while this thread runs the extractor, so its panics are not printed.
    static EXTRACTING: Cell<bool> = const { Cell::new(false) };
}

/// The text of every page, each ending with a form feed but the last.
pub fn extract(bytes: &[u8]) -> Result<String, IngestError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(IngestError::BrokenPdf("no %PDF header".into()));
    }
    quiet_panics();
    EXTRACTING.with(|e| e.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    }));
    EXTRACTING.with(|e| e.set(false));
    let pages = match result {
        Ok(Ok(pages)) => pages,
        Ok(Err(e)) => return Err(IngestError::BrokenPdf(first_line(&e.to_string()))),
        Err(_) => {
            return Err(IngestError::BrokenPdf(
                "the PDF parser failed on its structure".into(),
            ))
        }
    };
    if pages.is_empty() {
        return Err(IngestError::BrokenPdf("no readable page".into()));
    }
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
    Ok(text)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("unreadable").trim().to_string()
}

/// Installs, once, a panic hook that stays silent for panics inside the extractor and defers to
/// the previous hook for every other panic.
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
        let err = extract(b"hello").expect_err("not a pdf");
        assert!(err.to_string().contains("%PDF"), "{err}");
    }

    #[test]
    fn a_truncated_pdf_is_broken_not_a_panic() {
        let err =
            extract(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer <<")
                .expect_err("broken");
        assert!(err.to_string().starts_with("broken PDF"), "{err}");
    }
}
