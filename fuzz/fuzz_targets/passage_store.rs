//! Damaged bytes never make the passage store panic: read as a record, or as a whole store
//! file, they give a record or an error.
#![no_main]

use cuentas::index::{passage_store::Store, record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = record::decode(data);
    let path = std::env::temp_dir().join(format!("cuentas-fuzz-store-{}", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        if let Ok(store) = Store::open(&path) {
            for number in 0..store.len().min(64) {
                if let Ok(bytes) = store.get(number) {
                    let _ = record::decode(&bytes);
                }
            }
        }
    }
});
