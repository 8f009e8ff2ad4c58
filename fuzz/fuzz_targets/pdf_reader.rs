//! Reading a PDF's pages from any bytes never panics out of the reader. Run with libFuzzer's
//! own limits (`-rss_limit_mb=1024 -timeout=10`), as `cuentas read-pdf` runs under a memory
//! cap and a deadline: a file over them is skipped by the indexer, not a bug here.
#![no_main]

use cuentas::ingest::pdf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pages) = pdf::read_pages(data) {
        for page in &pages {
            let _ = cuentas::ingest::ocr::needs_ocr(page);
        }
    }
});
