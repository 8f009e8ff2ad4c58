//! Reading numbers never panics, ends inside the text on a char boundary, and a value read
//! is finite with a canonical text that reads back to the same value.
#![no_main]

use cuentas::analysis::numbers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for start in 0..text.len().min(64) {
        if let Some(n) = numbers::scan_number(text, start) {
            assert!(n.end > start && n.end <= text.len() && text.is_char_boundary(n.end));
            for r in &n.readings {
                assert!(r.value.is_finite(), "{text:?} at {start}: {}", r.value);
            }
            let _ = numbers::scale_after(text, n.end);
        }
    }
    let _ = numbers::parse_amount(text);
});
