//! `cuentas`: search for the public accountability reports ("Rendición de Cuentas") of
//! Ecuador's social security institute (IESS), in Spanish and with figures.
//!
//! Data flows one way, one module per layer:
//! ```text
//! ingest (files → Document) → extract (Document → Report) → index (Report → tantivy, swap)
//!   → search (Request → Response) → cli / api
//! ```
//! `analysis` is the Spanish analyzer used by `index` and `search` alike; `config` merges the
//! configuration once for the faces.

#![warn(missing_docs)]

pub mod analysis;
pub mod api;
pub mod cli;
pub mod config;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod search;

/// What tests share.
#[cfg(test)]
pub(crate) mod test_support {
    /// The text of every report bundled in `corpus/`, in the order of their names.
    pub fn bundled_reports() -> Vec<String> {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(corpus)
            .expect("the bundled corpus")
            .map(|entry| entry.expect("a corpus entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|path| std::fs::read_to_string(path).expect("a UTF-8 report"))
            .collect()
    }
}
