//! Behaviour over the real sample reports in `corpus/`, one test binary of topical modules.

mod support;

// Searches a journalist runs on the sample reports.
mod search_corpus;
// Metadata, passages and policy tags of the three real reports.
mod extraction;
// Building: broken files, encodings, PDF, atomic rebuild.
mod building;
// Real and hostile PDFs: cells, signs, table labels, limits.
mod pdf_reading;
// Scans read by OCR: recall, pages, figures, the cache, missing Tesseract.
mod ocr;
// The `cuentas` binary as people run it.
mod command_line;
// The HTTP API, in-process and over a real socket.
mod api;
// Year, province and unit of real documents against a hand-made list (issue 13).
mod metadata_gold;
// Load shedding, deadlines, cancellation and limits of the HTTP API.
mod overload;
// Invariants checked on generated input (proptest).
mod properties;
// Figure extraction against a hand-made list, figure search and export.
mod figures;
// The search page driven in headless Chromium (skipped, saying so, without the browser).
mod page_browser;
