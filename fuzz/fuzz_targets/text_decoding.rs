//! Decoding a text file's bytes (UTF-8 with or without a mark, UTF-16, Windows-1252) never
//! panics, and cleaning what it gives never panics either.
#![no_main]

use cuentas::ingest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((text, _)) = ingest::decode(data) {
        let _ = ingest::clean(&text);
    }
});
