//! Every field of the passage index, in one place, with why it is indexed or fast.
//!
//! One tantivy document is one passage; its report's metadata rides along so that filters and
//! facets need no join.

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STRING,
};
use tantivy::Term;

use crate::analysis;
use crate::extract::FigureKind;

/// Handles to the fields of [`schema`].
///
/// tantivy stores no field: what a hit shows is read from the passage store
/// (`passage_store`), by the number in `record`.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Report id: a raw term, to list a report's passages.
    pub report_id: Field,
    /// Position of the passage in its report: fast, to order a report's passages.
    pub ordinal: Field,
    /// Number of the passage's record in the passage store: fast, read once per hit shown.
    pub record: Field,
    /// Year, province, policies and ranking weight packed in one number (see `key`): fast, read
    /// once per matching passage to rank it and count it in the facets.
    pub key: Field,
    /// The passage text, with positions for phrases, through one analyzer that gives each word's
    /// exact folded form (marked) and, when it differs, its stem at the same position
    /// (`analysis::ExactAndStem`): stems match, exact forms and phrases rank first.
    pub body: Field,
    /// Every two adjacent words' stems as one term, with positions and no lengths
    /// (`analysis::pairs`): a quoted phrase of frequent words reads the few passages where
    /// its words stand side by side, not every passage holding them all.
    pub pairs: Field,
    /// Facets `/year/2021`, `/province/Manabí`, `/policy/genero`: filters and counts.
    pub facets: Field,
    /// Reported year: fast and indexed, for ranges and sorting.
    pub year: Field,
    /// Each figure's value, in the column of its kind (`figure_usd`, `figure_percent`,
    /// `figure_count`): multi-valued fast fields, so that figure search counts and ranks
    /// passages by range and kind without reading a passage. Passages with figures of a kind
    /// also carry the facet `/figure/<kind>`, to find them without a scan.
    pub figure_usd: Field,
    /// Values of the passage's percentages (see `figure_usd`).
    pub figure_percent: Field,
    /// Values of the passage's counts (see `figure_usd`).
    pub figure_count: Field,
}

/// Name of the column of record numbers (see [`Fields::record`]).
pub const RECORD_COLUMN: &str = "record";

/// The terms of text field `body` that match the stem `stem`: plain (words that stem to it) and
/// marked (the word itself, indexed only as its exact form: `analysis::ExactAndStem`). What a
/// query of one word matches, and what `word_counts` counts for it.
pub fn stem_terms(body: Field, stem: &str) -> [Term; 2] {
    [
        Term::from_field_text(body, stem),
        Term::from_field_text(body, &analysis::exact_term(stem)),
    ]
}

/// Name of the column of packed passage keys (see [`Fields::key`]).
pub const KEY_COLUMN: &str = "key";

/// Builds the schema and returns it with its field handles.
pub fn schema() -> (Schema, Fields) {
    let mut sb = Schema::builder();
    let body = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::BODY)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // A phrase matched on its pairs is scored with the body's lengths.
    let pairs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::pairs::PAIRS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        report_id: sb.add_text_field("report_id", STRING),
        ordinal: sb.add_u64_field("ordinal", FAST),
        record: sb.add_u64_field(RECORD_COLUMN, FAST),
        key: sb.add_u64_field(KEY_COLUMN, FAST),
        body: sb.add_text_field("body", body),
        pairs: sb.add_text_field("pairs", pairs),
        facets: sb.add_facet_field("facets", FacetOptions::default()),
        year: sb.add_u64_field("year", INDEXED | FAST),
        figure_usd: sb.add_f64_field(figure_column(FigureKind::Usd), FAST),
        figure_percent: sb.add_f64_field(figure_column(FigureKind::Percent), FAST),
        figure_count: sb.add_f64_field(figure_column(FigureKind::Count), FAST),
    };
    (sb.build(), fields)
}

/// Name of the column of figure values of `kind`.
pub fn figure_column(kind: FigureKind) -> &'static str {
    match kind {
        FigureKind::Usd => "figure_usd",
        FigureKind::Percent => "figure_percent",
        FigureKind::Count => "figure_count",
    }
}

/// The facet of passages holding a figure of `kind` (`/figure/usd`), or any figure (`/figure`).
pub fn figure_facet(kind: Option<FigureKind>) -> Facet {
    match kind {
        Some(k) => Facet::from_path(["figure", k.as_str()]),
        None => Facet::from_path(["figure"]),
    }
}

/// The facet of the passages of reports whose unit's name holds the folded word `word`
/// (`/unit/chone`): a query may name the unit rather than the text.
pub fn unit_facet(word: &str) -> Facet {
    Facet::from_path(["unit", word])
}

/// The words of a unit's name that may name it in a query (`Hospital Básico Chone` gives
/// `hospital`, `basico`, `chone`): folded, of four letters or more, no function word, each once.
pub fn unit_words(unit: &str) -> Vec<String> {
    let folded = crate::analysis::text::fold_key(unit);
    let mut out: Vec<String> = Vec::new();
    for (_, word) in crate::analysis::text::words(&folded) {
        let letters = word.chars().all(char::is_alphabetic);
        if letters
            && word.chars().count() >= 4
            && !crate::analysis::is_function_word(word)
            && !out.iter().any(|w| w == word)
        {
            out.push(word.to_string());
        }
    }
    out
}

/// Most reports, in hundredths of the index's, whose units a word may name (and at least
/// [`UNIT_REPORTS_FLOOR`]): `Chone` or `Bellamaría` names a unit, `hospital` or `provincial`
/// a kind of unit, which the text says better.
const UNIT_REPORTS_PERCENT: usize = 1;
/// Reports whose units a word may always name: in a small index, the parish of three reports.
const UNIT_REPORTS_FLOOR: usize = 3;

/// The words of the units' names `units` (one per report, `None` for a report of no known
/// unit) that few of them share, sorted: those a query word may name the report by.
pub fn unit_names<'a>(units: impl ExactSizeIterator<Item = Option<&'a str>>) -> Vec<String> {
    let most = (units.len() * UNIT_REPORTS_PERCENT / 100).max(UNIT_REPORTS_FLOOR);
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for unit in units.flatten() {
        for word in unit_words(unit) {
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut names: Vec<String> = counts
        .into_iter()
        .filter(|&(_, n)| n <= most)
        .map(|(word, _)| word)
        .collect();
    names.sort_unstable();
    names
}

impl Fields {
    /// The column field of figure values of `kind`.
    pub fn figure_field(&self, kind: FigureKind) -> Field {
        match kind {
            FigureKind::Usd => self.figure_usd,
            FigureKind::Percent => self.figure_percent,
            FigureKind::Count => self.figure_count,
        }
    }

    /// Looks the fields up by name in an opened index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            report_id: f("report_id")?,
            ordinal: f("ordinal")?,
            record: f(RECORD_COLUMN)?,
            key: f("key")?,
            body: f("body")?,
            pairs: f("pairs")?,
            facets: f("facets")?,
            year: f("year")?,
            figure_usd: f(figure_column(FigureKind::Usd))?,
            figure_percent: f(figure_column(FigureKind::Percent))?,
            figure_count: f(figure_column(FigureKind::Count))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_s_name_gives_its_words_of_four_letters_or_more_once_each() {
        assert_eq!(
            unit_words("Hospital del Día IESS Chone, Hospital Básico"),
            ["hospital", "iess", "chone", "basico"]
        );
        assert_eq!(
            unit_words("GADPR de Bellamaría 2013"),
            ["gadpr", "bellamaria"]
        );
    }
}
