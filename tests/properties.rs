//! Property tests (issue 11): invariants that must hold for any input, not only the examples.

use cuentas::analysis::numbers;
use cuentas::api::render::snippet_html;
use cuentas::extract::Extractor;
use cuentas::ingest::{Document, Encoding};
use cuentas::search::{self, query, Request};
use proptest::prelude::*;

use crate::support::engine;

/// Query-like text: words, accents, quotes, signs, OR, digits and separators.
fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("mora".to_string()),
        Just("año".to_string()),
        Just("OR".to_string()),
        Just("||".to_string()),
        Just("\"".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just(" ".to_string()),
        Just("4'803.665,69".to_string()),
        "[a-zñáé0-9.,'+-]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// An amount written the ways the reports write it, each with its value.
fn written_amount() -> impl Strategy<Value = (u64, u64, Vec<String>)> {
    (0u64..1_000_000_000_000, 0u64..100).prop_map(|(int, cents)| {
        let digits = int.to_string();
        let groups: Vec<&str> = {
            let first = digits.len() % 3;
            let mut g = Vec::new();
            if first > 0 {
                g.push(&digits[..first]);
            }
            let mut i = first;
            while i < digits.len() {
                g.push(&digits[i..i + 3]);
                i += 3;
            }
            g
        };
        let join = |sep: &str| groups.join(sep);
        // Apostrophe before the millions, dots between the other thousands.
        let apostrophe = if groups.len() > 2 {
            let (head, tail) = groups.split_at(groups.len() - 2);
            format!("{}'{}", head.join("."), tail.join("."))
        } else {
            join(".")
        };
        let forms = vec![
            format!("{digits}.{cents:02}"),
            format!("{},{cents:02}", join(".")),
            format!("{}.{cents:02}", join(",")),
            format!("{apostrophe},{cents:02}"),
            format!("{},{cents:02}", join(" ")),
        ];
        (int, cents, forms)
    })
}

proptest! {
    #[test]
    fn the_query_parser_never_panics_and_reads_back_what_it_prints(q in query_text()) {
        if let Ok(items) = query::parse(&q) {
            let printed = query::print(&items);
            prop_assert_eq!(query::parse(&printed).ok(), Some(items), "printed as {:?}", printed);
        }
    }

    #[test]
    fn the_query_parser_never_panics_on_any_text(q in any::<String>()) {
        let _ = query::parse(&q);
    }

    #[test]
    fn a_numbers_value_does_not_depend_on_how_it_is_written((int, cents, forms) in written_amount()) {
        let want = int as f64 + cents as f64 / 100.0;
        for form in &forms {
            let n = numbers::scan_number(form, 0);
            prop_assert!(n.is_some(), "{} is not read", form);
            let n = n.expect("checked");
            prop_assert_eq!(n.end, form.len(), "{} is not read whole", form);
            let close = |v: f64| (v - want).abs() <= 1e-9 * want.max(1.0);
            prop_assert!(n.readings.iter().any(|r| close(r.value)), "{} read as {:?}, want {}", form, n.readings, want);
            prop_assert_eq!(numbers::canonical(n.value()), numbers::canonical(want), "{}", form);
        }
    }

    #[test]
    fn figure_spans_slice_the_figure_out_of_the_report_text(
        lines in prop::collection::vec(
            (
                "[A-Za-zñáéíóú ]{0,40}",
                prop_oneof![
                    Just("USD 4'803.665,69".to_string()),
                    Just("132.76 %".to_string()),
                    Just("$45.000.000".to_string()),
                    Just("23 mil".to_string()),
                    Just("USD 550 millones".to_string()),
                    (1u32..1_000_000).prop_map(|n| format!("{n} atenciones")),
                ],
                "[a-záéíóúñ ,.]{0,30}",
            ),
            1..20,
        )
    ) {
        let text: String = lines
            .iter()
            .map(|(a, f, b)| format!("{a} {f} {b}\n"))
            .collect();
        let doc = Document {
            source: "p.txt".into(),
            path: "p.txt".into(),
            text: text.clone(),
            pages: Vec::new(),
            encoding: Encoding::Utf8,
            ocr: Vec::new(),
        };
        let report = Extractor::builtin().extract(&doc, None);
        let chars: Vec<char> = text.chars().collect();
        for p in &report.passages {
            for f in &p.figures {
                prop_assert!(f.span.0 <= f.span.1 && f.span.1 <= chars.len());
                let cited: String = chars[f.span.0..f.span.1].iter().collect();
                let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                prop_assert_eq!(squash(&cited), squash(&f.text), "in {:?}", text);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn snippets_are_cut_from_the_original_text(
        words in prop::collection::vec(
            prop_oneof![
                Just("salud"), Just("rendición"), Just("rendicion"), Just("MANABÍ"),
                Just("año"), Just("atención"), Just("4803665.69"), Just("afiliados"),
                Just("niños"), Just("mora"), Just("OR"),
            ],
            1..4,
        )
    ) {
        let mut request = Request::new(&words.join(" ")).expect("valid");
        request.limit = 20;
        let response = search::run(engine(), &request).expect("runs");
        for hit in &response.hits {
            let (start, end) = hit.excerpt;
            prop_assert!(hit.text.get(start..end).is_some(), "excerpt {:?} off {:?}", hit.excerpt, hit.text);
            let mut at = start;
            for &(s, e) in &hit.highlights {
                prop_assert!(at <= s && s < e && e <= end, "highlights {:?} out of order or outside {:?}", hit.highlights, hit.excerpt);
                prop_assert!(hit.text.get(s..e).is_some(), "highlight ({}, {}) off a character boundary", s, e);
                at = e;
            }
            let plain = snippet_html(hit)
                .replace("<mark>", "")
                .replace("</mark>", "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#x27;", "'")
                .replace("&amp;", "&");
            for part in plain.split('…').filter(|s| !s.is_empty()) {
                prop_assert!(hit.text.contains(part), "{:?} is not in the passage {:?}", part, hit.text);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A phrase matches no passage that its words, bare, do not: its function words leave a
    /// place for any word, never a passage without its other words.
    #[test]
    fn a_phrase_matches_within_what_its_bare_words_match(
        words in prop::collection::vec(
            prop_oneof![
                Just("de"), Just("la"), Just("del"), Just("y"), Just("en"), Just("rendición"),
                Just("cuentas"), Just("salud"), Just("mora"), Just("patronal"), Just("seguro"),
                Just("social"), Just("afiliados"), Just("año"),
            ],
            2..6,
        )
    ) {
        let total = |q: &str| {
            let request = Request::new(q).expect("valid");
            search::run(engine(), &request).expect("runs").total
        };
        let phrase = total(&format!("\"{}\"", words.join(" ")));
        let bare = total(&words.join(" "));
        prop_assert!(phrase <= bare, "{words:?}: phrase {phrase}, bare words {bare}");
    }
}

/// Text with what the parsers below care about: digits, separators, quotes, line breaks,
/// accents, percent-escapes, percentages and currencies in words, and odd characters.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,4}",
        Just(".".to_string()),
        Just(",".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just(" ".to_string()),
        Just("\u{c}".to_string()),
        Just("%C3%B3".to_string()),
        Just("%".to_string()),
        Just("&".to_string()),
        Just("=".to_string()),
        Just("USD".to_string()),
        Just("mil".to_string()),
        Just("Fuente:".to_string()),
        Just(" por ciento".to_string()),
        Just("POR CIEN".to_string()),
        Just("noventa y cinco".to_string()),
        Just(" dóalres".to_string()),
        Just("\u{a0}".to_string()),
        Just("- ".to_string()),
        "[a-zñáéíóú]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn figures_and_passages_stay_inside_any_text(text in tricky_text()) {
        for f in cuentas::extract::figures::extract_figures(&text) {
            prop_assert!(text.get(f.start..f.end).is_some(), "{}..{} in {:?}", f.start, f.end, text);
            prop_assert!(f.value.is_finite());
        }
        for d in cuentas::extract::passages::split(&text) {
            prop_assert!(d.start <= d.end && d.end <= text.len());
            prop_assert!(d.source_offset(d.text.len()) <= text.len());
        }
    }

    #[test]
    fn a_batch_body_reads_into_numbered_non_empty_queries(text in tricky_text()) {
        let lines = search::export::batch_queries(&text);
        let mut last = 0;
        for l in &lines {
            prop_assert!(l.line >= last, "line numbers go forward in {:?}", text);
            last = l.line;
            if let Ok(q) = &l.query {
                prop_assert!(!q.is_empty());
            }
        }
    }

    #[test]
    fn a_query_string_decodes_or_is_refused_without_panicking(text in tricky_text()) {
        let _ = cuentas::api::Params::parse(Some(&text), &["q", "year"]);
    }

    #[test]
    fn any_bytes_decode_or_are_refused_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok((text, _)) = cuentas::ingest::decode(&bytes) {
            let _ = cuentas::ingest::clean(&text);
        }
    }
}

/// The words of a generated passage: few, so that each is many times in many passages.
const POSITION_WORDS: [&str; 4] = ["mora", "patronal", "seguro", "social"];

/// Where `word` stands among `words`.
fn positions_of(words: &[&str], word: &str) -> Vec<u32> {
    (0..words.len() as u32)
        .filter(|&i| words[i as usize] == word)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A document's positions are where its words stand, however the postings are walked
    /// (tantivy is patched there: vendor/tantivy/NOTICE.md): through blocks of 128 documents,
    /// reading the positions of some documents and skipping others, by steps and by seeks,
    /// and so does a phrase match.
    #[test]
    fn positions_read_from_the_postings_are_where_the_words_stand(
        passages in prop::collection::vec(
            prop::collection::vec(prop::sample::select(&POSITION_WORDS[..]), 0..14),
            300..1500,
        ),
        walk in prop::collection::vec((0u32..5, 0usize..3), 1..400),
    ) {
        use tantivy::postings::Postings;
        use tantivy::schema::{IndexRecordOption, Schema, TEXT};
        use tantivy::{DocSet, Term, TERMINATED};

        let mut builder = Schema::builder();
        let field = builder.add_text_field("text", TEXT);
        let index = tantivy::Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for words in &passages {
            writer
                .add_document(tantivy::doc!(field => words.join(" ")))
                .expect("adds");
        }
        writer.commit().expect("commits");
        let searcher = index.reader().expect("reader").searcher();
        prop_assert_eq!(searcher.segment_readers().len(), 1);
        let word = POSITION_WORDS[0];
        let with_word: Vec<u32> = (0..passages.len() as u32)
            .filter(|&d| passages[d as usize].contains(&word))
            .collect();
        let inverted = searcher.segment_reader(0).inverted_index(field).expect("inverted");
        let term = Term::from_field_text(field, word);
        let mut postings = inverted
            .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
            .expect("reads")
            .expect("the word is indexed");
        let mut positions = Vec::new();
        // Each step reads the positions of the document it stands on not at all, once or
        // twice, then moves on by one document (0) or seeks 4, 16, 64 or 256 documents ahead,
        // within a block or past it.
        for &(jump, reads) in &walk {
            let doc = postings.doc();
            if doc == TERMINATED {
                break;
            }
            prop_assert!(with_word.binary_search(&doc).is_ok(), "document {}", doc);
            for _ in 0..reads {
                postings.positions(&mut positions);
                prop_assert_eq!(&positions, &positions_of(&passages[doc as usize], word));
            }
            if jump == 0 {
                postings.advance();
            } else {
                postings.seek(doc + (1 << (2 * jump)));
            }
        }

        let phrase = tantivy::query::PhraseQuery::new(vec![
            Term::from_field_text(field, POSITION_WORDS[0]),
            Term::from_field_text(field, POSITION_WORDS[1]),
        ]);
        let found = searcher
            .search(&phrase, &tantivy::collector::DocSetCollector)
            .expect("searches");
        let mut found: Vec<u32> = found.into_iter().map(|address| address.doc_id).collect();
        found.sort_unstable();
        let want: Vec<u32> = (0..passages.len() as u32)
            .filter(|&d| {
                passages[d as usize]
                    .windows(2)
                    .any(|pair| pair == &POSITION_WORDS[..2])
            })
            .collect();
        prop_assert_eq!(found, want);
    }
}
