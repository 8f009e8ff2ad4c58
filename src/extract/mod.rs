//! From a read [`Document`] to a [`Report`]: metadata, passages, policy tags and figures.
//!
//! Plain functions over text, one file per concern: `passages` (repair and split), `metadata`
//! (year, province, unit, title, with the `gazetteer`), `policy` (equality-policy tags),
//! `figures` (every figure with its value), `overrides` (the metadata file users correct
//! extraction with). Knows nothing of tantivy, HTTP or the command line.

pub mod figures;
pub mod gazetteer;
pub mod metadata;
pub mod model;
pub mod overrides;
pub mod passages;
mod phrases;
pub mod policy;
pub mod table;

pub use self::gazetteer::Gazetteer;
pub use self::model::{Evidence, Figure, FigureKind, MetadataEvidence, Passage, Policy, Report};
pub use self::overrides::{Override, Overrides};
pub use self::policy::PolicyTagger;

use crate::ingest::Document;

/// Everything extraction needs besides the text: the place names and the policy keywords.
#[derive(Clone)]
pub struct Extractor {
    /// Provinces, cantons, parishes and known places, to read a report's province.
    pub gazetteer: Gazetteer,
    /// Keywords of each equality policy, to tag passages.
    pub policies: PolicyTagger,
}

impl Extractor {
    /// The extractor with the gazetteer and keyword lists shipped in `config/`.
    pub fn builtin() -> Extractor {
        Extractor {
            gazetteer: Gazetteer::builtin(),
            policies: PolicyTagger::builtin(),
        }
    }

    /// Extracts a report from `doc`; `fix` overrides metadata fields that are set in it.
    pub fn extract(&self, doc: &Document, fix: Option<&Override>) -> Report {
        let id = report_id(&doc.text);
        let mut meta = metadata::extract_metadata(&doc.text, &self.gazetteer);
        if let Some(fix) = fix {
            fix.apply(&mut meta);
        }
        let drafts = passages::split(&doc.text);
        let texts: Vec<(&str, usize)> = drafts
            .iter()
            .map(|d| (d.text.as_str(), d.heading))
            .collect();
        let tags = self.policies.tag_sections(&texts);
        drop(texts);
        let mut chars = CharCounter::new(&doc.text);
        let passages = drafts
            .into_iter()
            .zip(tags)
            .enumerate()
            .map(|(ordinal, (draft, policies))| {
                // Offsets only grow through a passage, so one counter serves them all.
                let start = chars.at(draft.start);
                let mut figures = figures::extract_figures(&draft.text);
                // A row labels its figures with its column headers; in a row of money it also
                // makes plain numbers with cents money.
                table::label_figures(
                    &draft.text,
                    &draft.columns,
                    draft.units.as_deref(),
                    &mut figures,
                );
                for f in &mut figures {
                    let from = chars.at(draft.source_offset(f.start));
                    let to = chars.at(draft.source_offset(f.end.saturating_sub(1)) + 1);
                    f.span = (from, to.max(from));
                }
                Passage {
                    id: model::passage_id(&id, ordinal as u64),
                    ordinal,
                    page: doc.page_at(draft.start),
                    ocr_confidence: doc.ocr_at(draft.start),
                    span: (start, chars.at(draft.end)),
                    text: draft.text,
                    policies,
                    figures,
                    columns: draft.columns,
                    table_units: draft.units,
                }
            })
            .collect();
        Report {
            id,
            source: doc.source.clone(),
            title: meta.title,
            year: meta.year,
            province: meta.province,
            unit: meta.unit,
            evidence: meta.evidence,
            text: doc.text.clone(),
            passages,
        }
    }
}

/// Compiles one of extraction's patterns with ASCII word boundaries and digits, which the
/// regex engine runs several times faster than Unicode ones (the patterns only put boundaries
/// next to digits and ASCII words).
pub(crate) fn pattern(source: &str) -> regex::Regex {
    let ascii = source.replace(r"\b", r"(?-u:\b)").replace(r"\d", "[0-9]");
    // Every pattern is a constant of this crate, checked by its module's tests.
    regex::Regex::new(&ascii).expect("extraction pattern compiles")
}

/// A report's id: FNV-1a (64 bits) of its text, in hex. Stable across rebuilds and moves.
pub fn report_id(text: &str) -> String {
    crate::ingest::fnv1a_hex(text.as_bytes())
}

/// Turns increasing byte offsets into character offsets in one pass.
pub struct CharCounter<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl<'t> CharCounter<'t> {
    /// A counter over `text`, starting at its beginning.
    pub fn new(text: &'t str) -> CharCounter<'t> {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// Character offset of byte offset `byte` (clamped to the text, rounded down to a char
    /// boundary). Cheap when called with increasing offsets; restarts otherwise.
    pub fn at(&mut self, byte: usize) -> usize {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_are_stable_and_differ_by_content() {
        assert_eq!(report_id("a"), report_id("a"));
        assert_ne!(report_id("a"), report_id("b"));
        assert_eq!(report_id("").len(), 16);
    }

    #[test]
    fn char_counter_counts_accented_characters_once() {
        let text = "año más";
        let mut c = CharCounter::new(text);
        assert_eq!(c.at(0), 0);
        assert_eq!(c.at(4), 3);
        assert_eq!(c.at(text.len()), 7);
        assert_eq!(c.at(1), 1);
    }
}
