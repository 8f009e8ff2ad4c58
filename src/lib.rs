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
