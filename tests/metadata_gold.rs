//! Year, province and unit of real documents against `tests/fixtures/metadata/gold.tsv`
//! (issue 13): the three sample reports, the text of the real PDFs of `fixtures/metadata/pdf/`
//! and openings written down from public reports (`fixtures/metadata/openings/`). Every miss is
//! explained in BENCHMARKS.md; at least 95% of the values must be right.

use cuentas::analysis::fold_key;
use cuentas::extract::Extractor;
use cuentas::ingest;

use crate::support::{corpus, fixtures};

/// Share of the values (three per document) that must be right.
const REQUIRED: f64 = 0.95;

struct Row {
    file: String,
    year: Option<i32>,
    province: Option<String>,
    unit: Option<String>,
}

fn gold() -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures().join("metadata/gold.tsv")).expect("gold.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert_eq!(cells.len(), 4, "gold.tsv row needs 4 cells: {l}");
            let cell = |i: usize| Some(cells[i].to_string()).filter(|c| !c.is_empty());
            Row {
                file: cells[0].to_string(),
                year: cell(1).map(|y| y.parse().expect("year is a number")),
                province: cell(2),
                unit: cell(3),
            }
        })
        .collect()
}

/// Units compared by their words, folded: "JUNTA PARROQUIAL DE BELLAMARIA" is "Junta
/// Parroquial de Bellamaría".
fn words(s: &str) -> String {
    fold_key(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn metadata_of_real_documents_is_right_at_least_95_percent() {
    let extractor = Extractor::builtin();
    let (mut right, mut total) = (0, 0);
    let mut misses = Vec::new();
    for row in gold() {
        let path = match row.file.strip_prefix("corpus/") {
            Some(name) => corpus().join(name),
            None => fixtures().join("metadata").join(&row.file),
        };
        let root = path.parent().unwrap_or(&path).to_path_buf();
        let doc = ingest::read(&path, &root).expect("fixture reads");
        let r = extractor.extract(&doc, None);
        let checks = [
            ("year", r.year == row.year, format!("{:?}", r.year)),
            (
                "province",
                r.province == row.province,
                format!("{:?}", r.province),
            ),
            (
                "unit",
                r.unit.as_deref().map(words) == row.unit.as_deref().map(words),
                format!("{:?}", r.unit),
            ),
        ];
        for (field, ok, got) in checks {
            total += 1;
            if ok {
                right += 1;
            } else {
                misses.push(format!("{} {field}: got {got}", row.file));
            }
        }
        // Every value found comes with evidence whose span points at its quote.
        for e in [&r.evidence.year, &r.evidence.province, &r.evidence.unit]
            .into_iter()
            .flatten()
        {
            let (a, b) = e.span.expect("extracted values have a span");
            let quoted: String = r.text.chars().skip(a).take(b - a).collect();
            let quoted = quoted.split_whitespace().collect::<Vec<_>>().join(" ");
            let shown = e.quote.trim_end_matches('…').trim_end();
            assert!(
                quoted.starts_with(shown) && (e.quote.ends_with('…') || quoted == shown),
                "{}: the span must cut the quote {:?} from the text, found {quoted:?}",
                row.file,
                e.quote
            );
            assert!((0.0..=1.0).contains(&e.confidence));
        }
    }
    let share = f64::from(right) / f64::from(total);
    assert!(
        share >= REQUIRED,
        "{right}/{total} values right ({share:.3}); misses:\n{}",
        misses.join("\n")
    );
    assert!(total >= 51, "the list covers at least 17 documents");
}
