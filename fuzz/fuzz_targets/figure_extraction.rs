//! Figure extraction never panics, and every figure's offsets slice its text out of the input.
#![no_main]

use cuentas::extract::figures::extract_figures;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for f in extract_figures(text) {
        let slice = text.get(f.start..f.end);
        assert!(
            slice.is_some(),
            "{text:?}: {}..{} is not a slice",
            f.start,
            f.end
        );
        assert!(f.value.is_finite());
    }
});
