//! The query parser never panics, and what it parsed prints back to a query that parses the
//! same.
#![no_main]

use cuentas::search::query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(items) = query::parse(text) {
        let printed = query::print(&items);
        let again = query::parse(&printed);
        assert_eq!(
            again.ok().as_ref(),
            Some(&items),
            "{text:?} printed as {printed:?}"
        );
    }
});
