//! Reading a batch body (a plain list or a CSV with a query column) never panics, gives
//! increasing line numbers inside the body, and no query is empty.
#![no_main]

use cuentas::search::export::batch_queries;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = batch_queries(text);
    let total = text.lines().count().max(1);
    let mut last = 0;
    for l in &lines {
        assert!(
            l.line >= 1 && l.line <= total + 1,
            "{text:?}: line {}",
            l.line
        );
        assert!(l.line >= last, "{text:?}: lines out of order");
        last = l.line;
        if let Ok(q) = &l.query {
            assert!(!q.is_empty());
        }
    }
});
