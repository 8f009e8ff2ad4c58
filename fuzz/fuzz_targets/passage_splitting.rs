//! Passage splitting never panics; each passage's range and source offsets stay inside the
//! text.
#![no_main]

use cuentas::extract::passages::split;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for d in split(text) {
        assert!(
            d.start <= d.end && d.end <= text.len(),
            "{text:?}: {}..{}",
            d.start,
            d.end
        );
        for i in 0..=d.text.len() {
            assert!(d.source_offset(i) <= text.len());
        }
    }
});
