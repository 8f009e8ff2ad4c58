use std::collections::HashMap;

use cuentas::api::render::snippet_html;
use cuentas::extract::{Extractor, FigureKind};
use cuentas::ingest;
use cuentas::search::export::write_figures_csv;
use cuentas::search::{
    run_figures, FigureMode, FigureOrder, FigureRequest, RawFigureRequest, RawRequest,
};

use crate::support::{corpus, engine, repo, search};

/// (text as written, value, kind) of a figure; text with whitespace collapsed.
type Key = (String, String, String);

fn key(text: &str, value: f64, kind: &str) -> Key {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (text, format!("{value:.4}"), kind.to_string())
}

/// The hand-made list of every figure of the sample reports, by file.
fn gold() -> HashMap<String, Vec<Key>> {
    let text = std::fs::read_to_string(repo().join("tests/figures_gold.tsv")).expect("gold list");
    let mut out: HashMap<String, Vec<Key>> = HashMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "bad gold line {line:?}");
        let value: f64 = cols[2].parse().expect("gold value");
        out.entry(cols[0].to_string())
            .or_default()
            .push(key(cols[1], value, cols[3]));
    }
    out
}

fn extracted(file: &str) -> Vec<Key> {
    let root = corpus();
    let doc = ingest::read(&root.join(file), &root).expect("reads");
    let report = Extractor::builtin().extract(&doc, None);
    report
        .passages
        .iter()
        .flat_map(|p| &p.figures)
        .map(|f| key(&f.text, f.value, f.kind.as_str()))
        .collect()
}

/// Matches as multisets: (true positives, extracted, gold, misses, false alarms).
fn compare(found: &[Key], gold: &[Key]) -> (usize, Vec<Key>, Vec<Key>) {
    let mut left: Vec<Option<&Key>> = gold.iter().map(Some).collect();
    let mut false_alarms = Vec::new();
    let mut tp = 0;
    for f in found {
        match left.iter().position(|g| *g == Some(f)) {
            Some(i) => {
                left[i] = None;
                tp += 1;
            }
            None => false_alarms.push(f.clone()),
        }
    }
    let misses = left.into_iter().flatten().cloned().collect();
    (tp, misses, false_alarms)
}

#[test]
fn extraction_matches_the_hand_made_list_of_every_figure() {
    let gold = gold();
    let (mut tp, mut n_found, mut n_gold) = (0, 0, 0);
    let mut report = String::new();
    let mut files: Vec<&String> = gold.keys().collect();
    files.sort();
    for file in files {
        let found = extracted(file);
        let (t, misses, alarms) = compare(&found, &gold[file]);
        tp += t;
        n_found += found.len();
        n_gold += gold[file].len();
        for m in misses {
            report.push_str(&format!("  missed in {file}: {m:?}\n"));
        }
        for a in alarms {
            report.push_str(&format!("  not a gold figure in {file}: {a:?}\n"));
        }
    }
    let precision = tp as f64 / n_found.max(1) as f64;
    let recall = tp as f64 / n_gold.max(1) as f64;
    eprintln!(
        "figure extraction on corpus/: precision {precision:.3} ({tp}/{n_found}), recall {recall:.3} ({tp}/{n_gold})\n{report}"
    );
    assert!(
        precision >= 0.98 && recall >= 0.98,
        "precision {precision:.3}, recall {recall:.3}:\n{report}"
    );
}

fn figures(q: &str, set: impl FnOnce(&mut RawFigureRequest)) -> cuentas::search::FigureResponse {
    figures_in(engine(), q, set)
}

/// [`figures`] on `engine`.
fn figures_in(
    engine: &cuentas::index::Engine,
    q: &str,
    set: impl FnOnce(&mut RawFigureRequest),
) -> cuentas::search::FigureResponse {
    run_figures(engine, &figure_request(q, set)).expect("runs")
}

/// The figure search of `q`, with what `set` asks besides.
fn figure_request(q: &str, set: impl FnOnce(&mut RawFigureRequest)) -> FigureRequest {
    let mut raw = RawFigureRequest {
        search: RawRequest {
            q: Some(q.to_string()),
            ..RawRequest::default()
        },
        ..RawFigureRequest::default()
    };
    set(&mut raw);
    FigureRequest::from_raw(&raw).expect("valid figure request")
}

#[test]
fn an_amount_as_the_press_rounds_it_finds_the_figures_that_round_to_it_nearest_first() {
    use cuentas::search::{FigureMode, FigureOrder};
    let written = |r: &cuentas::search::FigureResponse| -> Vec<String> {
        r.figures.iter().map(|f| f.text.clone()).collect()
    };
    // `USD 4'803.665,69` in a news item: 4,8 millones.
    for q in [
        "4,8 millones",
        "USD 4,8 millones de dólares",
        "$4.8M",
        "recaudado 4,8 millones",
    ] {
        let r = figures(q, |_| {});
        assert_eq!(
            (r.mode, r.sort, written(&r)),
            (
                FigureMode::Rounded,
                FigureOrder::Nearest,
                vec!["USD 4'803.665,69".to_string()]
            ),
            "{q}"
        );
    }
    assert!(figures("4,9 millones", |_| {}).figures.is_empty());
    // Written to three digits or more, an amount may have been cut: 1.193 millones is
    // 1.193.703.286, where 1.192 millones is not.
    assert_eq!(
        written(&figures("1.193 millones", |_| {})),
        ["USD 1.193.703.286"]
    );
    assert!(figures("1.192 millones", |_| {}).figures.is_empty());
    assert!(figures("vacunas 4,8 millones", |_| {}).figures.is_empty());
    // In words, as a news item may write it.
    let r = figures("cinco millones de dólares", |_| {});
    assert_eq!(
        (r.mode, written(&r)),
        (FigureMode::Rounded, vec!["USD 4'803.665,69".to_string()])
    );
    assert_eq!(
        written(&figures("cuatro millones", |_| {})),
        ["USD 3'618.310,04", "4'487.754"]
    );
    // A currency asks for money: the count 4'487.754 rounds to 4,5 millones, not to USD.
    assert_eq!(written(&figures("4,5 millones", |_| {})), ["4'487.754"]);
    assert!(figures("USD 4,5 millones", |_| {}).figures.is_empty());
    // Between 500.000 and 1,5 millions: the nearest to a million first, on every page; by
    // passage when asked.
    let nearest = ["893.463", "790.147", "613.269"].map(String::from);
    assert_eq!(written(&figures("1 millón", |_| {})), nearest);
    let page = figures("1 millón", |r| {
        r.limit = Some("1".into());
        r.offset = Some("1".into());
    });
    assert_eq!((page.total, written(&page)), (3, vec![nearest[1].clone()]));
    let by_passage = figures("1 millón", |r| r.sort = Some("passages".into()));
    let mut listed = written(&by_passage);
    listed.sort();
    assert_eq!(
        (by_passage.sort, listed),
        (
            FigureOrder::Passages,
            ["613.269", "790.147", "893.463"].map(String::from).to_vec()
        )
    );
    // A count written in words and one in digits, equally near: in index order.
    let mut nine = written(&figures("9 mil", |_| {}));
    nine.sort();
    assert_eq!(nine, ["9 mil".to_string(), "9.000".to_string()]);
}

#[test]
fn amounts_over_a_billion_are_the_two_health_billing_figures() {
    let r = figures("", |r| {
        r.kind = Some("usd".into());
        r.min = Some("1000000000".into());
    });
    let mut texts: Vec<&str> = r.figures.iter().map(|f| f.text.as_str()).collect();
    texts.sort();
    assert_eq!(texts, ["USD 1.029.539.608", "USD 1.193.703.286"]);
    assert!(r
        .figures
        .iter()
        .all(|f| f.info.province.as_deref() == Some("Nacional") && f.info.year == Some(2021)));
    // The same range typed in the formats people use.
    for min in ["1e9", "1.000'000.000", "mil millones"] {
        let again = figures("", |r| {
            r.kind = Some("usd".into());
            r.min = Some(min.into());
        });
        assert_eq!(again.total, 2, "--min {min}");
    }
}

#[test]
fn a_figure_search_finds_every_written_form_and_says_which_mode_ran() {
    for q in [
        "4803665.69",
        "4.803.665,69",
        "4'803.665,69",
        "USD 4803665,69",
    ] {
        let r = figures(q, |_| {});
        assert_eq!(r.mode, FigureMode::Value, "{q}");
        assert_eq!(r.total, 1, "{q}: {r:#?}");
        assert_eq!(r.figures[0].text, "USD 4'803.665,69");
        assert_eq!(r.figures[0].info.source, "000_7392a04fe1206fbf.txt");
    }
    let exact = figures("\"4'803.665,69\"", |_| {});
    assert_eq!((exact.mode, exact.total), (FigureMode::Exact, 1));
    let other_form = figures("\"4.803.665,69\"", |_| {});
    assert_eq!(
        (other_form.mode, other_form.total),
        (FigureMode::Exact, 0),
        "exact mode matches the written form only"
    );
}

#[test]
fn a_figure_search_for_an_amount_without_its_cents_finds_it_with_them() {
    for q in ["USD 4.803.665", "4803666"] {
        let r = figures(q, |_| {});
        assert_eq!(r.mode, FigureMode::Value, "{q}");
        let texts: Vec<&str> = r.figures.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["USD 4'803.665,69"], "{q}");
    }
    for q in ["4803664", "4.803.665,70"] {
        let r = figures(q, |_| {});
        assert_eq!(r.total, 0, "{q}: {r:#?}");
    }
}

#[test]
fn a_percentage_as_the_press_rounds_it_finds_the_percentages_that_round_to_it() {
    // The reports write `132.76 %` and `91,8%`.
    for (q, text) in [
        ("133 %", "132.76 %"),
        ("132,8%", "132.76 %"),
        ("133 por ciento", "132.76 %"),
        ("92%", "91,8%"),
        // In words, as it is said.
        ("noventa y dos por ciento", "91,8%"),
        ("ciento treinta y tres por ciento", "132.76 %"),
    ] {
        let r = figures(q, |_| {});
        assert_eq!(r.mode, FigureMode::Rounded, "{q}");
        let texts: Vec<&str> = r.figures.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, [text], "{q}");
    }
    // Rounded, not cut; and a figure of another kind is not a percentage.
    for q in ["132 %", "132,7 %", "4803666 %", "noventa y uno por ciento"] {
        let r = figures(q, |_| {});
        assert_eq!(r.total, 0, "{q}: {r:#?}");
    }
    // Quoted, the written form only.
    assert_eq!(figures("\"133 %\"", |_| {}).total, 0);
}

#[test]
fn a_percentage_written_in_words_is_listed_found_and_marked() {
    let text = "Rendición de Cuentas 2021\nDirección Provincial IESS Loja\n\n\
        La ejecución presupuestaria alcanzó el noventa y cinco por ciento del presupuesto.\n\n\
        Se pagó el cincuenta por ciento (50%) del anticipo.\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "loja-2021.txt", text);
    let listed = |q: &str| -> Vec<(String, f64)> {
        let mut listed: Vec<(String, f64)> =
            figures_in(&engine, q, |raw| raw.kind = Some("percent".into()))
                .figures
                .iter()
                .map(|f| (f.text.clone(), f.value))
                .collect();
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        listed
    };
    // Restated in digits beside it, a percentage is the figure in digits alone.
    assert_eq!(
        listed(""),
        [
            ("50%".to_string(), 50.0),
            ("noventa y cinco por ciento".to_string(), 95.0)
        ]
    );
    assert_eq!(
        listed("95 %"),
        [("noventa y cinco por ciento".to_string(), 95.0)]
    );
    let r = crate::support::search_in(&engine, "ejecución del 95 %", &[]);
    let first = r.hits.first().expect("a passage");
    assert!(
        snippet_html(first).contains("<mark>noventa y cinco por ciento</mark>"),
        "{}",
        snippet_html(first)
    );
}

#[test]
fn a_bound_on_amounts_lists_the_figures_within_largest_first() {
    let r = figures("más de 4 millones", |_| {});
    assert_eq!(
        (r.mode, r.sort),
        (FigureMode::Rounded, FigureOrder::Largest)
    );
    let values: Vec<f64> = r.figures.iter().map(|f| f.value).collect();
    assert!(values.iter().all(|&v| v > 4e6), "{values:?}");
    assert!(values.is_sorted_by(|a, b| a >= b), "{values:?}");
    assert_eq!(r.figures[0].text, "USD 1.193.703.286");
    let r = figures("entre 1 y 5 millones de dólares", |_| {});
    let texts: Vec<&str> = r.figures.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, ["USD 4'803.665,69", "USD 3'618.310,04"]);
    let r = figures("hasta 15 %", |_| {});
    assert!(r.total > 0);
    assert!(
        r.figures
            .iter()
            .all(|f| f.kind == FigureKind::Percent && f.value <= 15.0),
        "{:#?}",
        r.figures
    );
    // As Spanish writes them: `de` and `a` joined to the article, an article before.
    let percents = |q: &str| -> Vec<String> {
        let r = figures(q, |_| {});
        assert_eq!(r.mode, FigureMode::Rounded, "{q}");
        r.figures.iter().map(|f| f.text.clone()).collect()
    };
    for q in ["más del 90 %", "superior al 90 %", "por encima del 90%"] {
        assert_eq!(percents(q), ["132.76 %", "91,8%"], "{q}");
    }
    for q in ["entre el 14 y el 15 %", "por debajo del 15,5 %"] {
        assert_eq!(percents(q), ["15%", "14%"], "{q}");
    }
}

#[test]
fn a_count_beside_a_percentage_in_a_flattened_table_is_two_figures() {
    // Spaces of thousands before a percent sign: a table's cells, not a percentage in thousands.
    let text = "Rendición de Cuentas 2011\nDirección Provincial IESS Los Ríos\n\n\
        Servicio Atenciones 2011 Meta Cumplimiento\n\
        Imagenología 425.998 841 130 %\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "los-rios-2011.txt", text);
    let r = figures_in(&engine, "Imagenología", |_| {});
    let read: Vec<(&str, f64, FigureKind)> = r
        .figures
        .iter()
        .map(|f| (f.text.as_str(), f.value, f.kind))
        .collect();
    assert_eq!(
        read,
        [
            ("425.998", 425_998.0, FigureKind::Count),
            ("841", 841.0, FigureKind::Count),
            ("130 %", 130.0, FigureKind::Percent)
        ]
    );
    assert_eq!(figures_in(&engine, "130 %", |_| {}).total, 1);
}

#[test]
fn a_percentage_asked_for_finds_percentages_and_a_number_finds_every_kind() {
    let text = "Rendición de Cuentas 2021\nDirección Provincial IESS Manabí\n\n\
        Se atendió a 15 pacientes en el dispensario de Jipijapa.\n\n\
        La cobertura de vacunación subió 15% frente al año anterior, con 15 brigadas.\n\n\
        El 15 por ciento de las citas se dio por teléfono.\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "manabi-2021.txt", text);
    let figures = |q: &str| {
        let request = FigureRequest::from_raw(&RawFigureRequest {
            search: RawRequest {
                q: Some(q.to_string()),
                ..RawRequest::default()
            },
            ..RawFigureRequest::default()
        })
        .expect("valid figure request");
        run_figures(&engine, &request).expect("runs")
    };
    let kinds = |r: &cuentas::search::FigureResponse| {
        let mut kinds: Vec<FigureKind> = r.figures.iter().map(|f| f.kind).collect();
        kinds.sort_by_key(|k| k.as_str());
        kinds
    };
    use FigureKind::{Count, Percent};
    assert_eq!(kinds(&figures("15")), [Count, Count, Percent, Percent]);
    for q in ["15%", "15 %", "15 por ciento", "\"15%\"", "vacunación 15%"] {
        let r = figures(q);
        assert!(r.total > 0, "{q}");
        assert!(
            kinds(&r).iter().all(|&k| k == Percent),
            "{q}: {:?}",
            r.figures
        );
    }
    assert_eq!(figures("15%").total, 2);
}

#[test]
fn a_text_search_for_a_percentage_finds_passages_that_hold_it() {
    let holds = |r: &cuentas::search::Response, s: &str| r.hits.iter().any(|h| h.text.contains(s));
    let number = search("15", &[]);
    assert!(holds(&number, "15% más") && holds(&number, "De 15 a 19 años"));
    for q in ["15%", "15 %", "15 por ciento", "facturación 15%"] {
        let percent = search(q, &[]);
        assert!(holds(&percent, "15% más"), "{q}");
        assert!(!holds(&percent, "De 15 a 19 años"), "{q}");
        assert!(percent.total < number.total, "{q}");
    }
    // Quoted, too.
    for q in ["\"15%\"", "\"15 %\"", "\"representa 15%\""] {
        let percent = search(q, &[]);
        assert!(holds(&percent, "15% más"), "{q}");
        assert!(!holds(&percent, "De 15 a 19 años"), "{q}");
    }
    // Written either way, a percentage is found.
    let r = search("132,76%", &[]);
    assert_eq!(r.total, 1);
    assert!(r.hits[0].text.contains("132.76 %"));
    // A word beside it is still required: no passage holds both, and the answer says so.
    assert!(search("mora 15%", &[]).corrected_query.is_some());
}

#[test]
fn a_percentage_of_a_frequent_number_is_not_answered_from_what_the_index_keeps_of_it() {
    // `15` in more passages than the index keeps counts and best passages for; `15%` in few.
    let mut text = String::from("Rendición de Cuentas 2021\nDirección Provincial IESS Manabí\n\n");
    for i in 0..2_500 {
        text += &format!("Se atendió a 15 pacientes en la brigada {i}.\n\n");
    }
    for i in 0..60 {
        text += &format!("La cobertura de la zona {i} subió 15% en el año.\n\n");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "manabi-2021.txt", &text);
    assert!(engine.word_tops().holds("15"));
    let number = crate::support::search_in(&engine, "15", &[]);
    assert_eq!(number.total, 2_560);
    for q in ["15%", "15 por ciento"] {
        let r = crate::support::search_in(&engine, q, &[]);
        assert_eq!(r.total, 60, "{q}");
        assert!(r.hits.iter().all(|h| h.text.contains("15%")), "{q}");
        let counted = crate::support::search_in(&engine, q, &[("limit", "0")]);
        assert_eq!(counted.total, 60, "{q}");
    }
}

#[test]
fn every_figure_hit_carries_its_citation() {
    let r = figures("mora patronal", |_| {});
    let bolivar: Vec<_> = r
        .figures
        .iter()
        .filter(|f| f.info.province.as_deref() == Some("Bolívar"))
        .collect();
    assert_eq!(bolivar.len(), 3, "{r:#?}");
    let text = engine()
        .report(&bolivar[0].report_id)
        .map(|m| std::fs::read_to_string(&m.path).expect("source"));
    let chars: Vec<char> = text.expect("report").chars().collect();
    for f in bolivar {
        assert!(
            f.sentence.contains(&f.text),
            "the sentence quotes the figure: {f:?}"
        );
        assert_eq!(f.info.source, "000_7392a04fe1206fbf.txt");
        assert_eq!((f.info.year, f.info.title.is_empty()), (Some(2021), false));
        let cited: String = chars[f.span.0..f.span.1].iter().collect();
        assert_eq!(
            cited, f.text,
            "the span points at the figure in the report's text"
        );
    }
}

#[test]
fn a_figure_search_that_finds_nothing_is_run_spelt_as_the_reports_spell_it() {
    // The reports write `discapacidad`, never `discapasidad`.
    let r = figures("discapasidad", |_| {});
    assert_eq!(r.corrected_query.as_deref(), Some("discapacidad"));
    assert_eq!(r.query, "discapasidad");
    let meant = figures("discapacidad", |_| {});
    assert!(r.total > 0);
    assert_eq!(r.total, meant.total);
    // The amounts of a rounded query keep selecting the figures.
    for (typed, meant) in [
        ("recaudaod 4,8 millones", "recaudado 4,8 millones"),
        // A scale word spelt right makes an amount of the number.
        ("recaudado 4,8 milones", "recaudado 4,8 millones"),
    ] {
        let r = figures(typed, |_| {});
        assert_eq!(r.corrected_query.as_deref(), Some(meant), "{typed}");
        assert_eq!(r.mode, FigureMode::Rounded, "{typed}");
        let texts: Vec<&str> = r.figures.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["USD 4'803.665,69"], "{typed}");
    }
    // A query that finds something is run as typed; one no spelling helps finds nothing.
    assert_eq!(figures("discapacidad", |_| {}).corrected_query, None);
    let r = figures("zzzqqq", |_| {});
    assert_eq!((r.total, r.corrected_query), (0, None));
    // An export holds what was asked: it has no place to say the query was changed.
    let request = figure_request("discapasidad", |_| {});
    let mut out = Vec::new();
    assert_eq!(
        write_figures_csv(engine(), &request, &mut out).expect("exports"),
        0
    );
}

#[test]
fn a_figure_search_with_a_slip_the_reports_also_make_offers_their_spelling() {
    let mut text = String::from(
        "INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL\nRendición de Cuentas 2021\n\
         Dirección Provincial del Azuay\n\n",
    );
    for i in 1..=30 {
        text += &format!(
            "En la brigada de la semana se entregaron {} ayudas técnicas a personas con \
             discapacidad.\n\n",
            100 + i
        );
    }
    text += "Por error se registraron 7 ayudas técnicas a personas con discapasidad.\n\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "2021_azuay_informe.txt", &text);
    let r = figures_in(&engine, "discapasidad", |_| {});
    let values: Vec<f64> = r.figures.iter().map(|f| f.value).collect();
    assert_eq!(
        values,
        [7.0],
        "the figures stay those of the query as typed"
    );
    assert_eq!(r.suggested_query.as_deref(), Some("discapacidad"));
    assert_eq!(r.corrected_query, None);
    let r = figures_in(&engine, "discapacidad", |_| {});
    assert_eq!((r.total, r.suggested_query), (30, None));
    // Not when the spelling would find no more figures with the rest of the request (7, and
    // 101 of the 30 between 101 and 130).
    let r = figures_in(&engine, "discapasidad", |r| {
        r.min = Some("7".into());
        r.max = Some("101".into());
    });
    assert_eq!((r.total, r.suggested_query), (1, None));
    // Nor when the query holds a value: counting would read every passage found.
    let r = figures_in(&engine, "discapasidad 7", |_| {});
    assert_eq!((r.total, r.suggested_query), (1, None));
}

#[test]
fn the_csv_export_is_valid_and_holds_the_quoted_sentences() {
    let request = figure_request("mora patronal", |_| {});
    let mut out = Vec::new();
    let n = write_figures_csv(engine(), &request, &mut out).expect("exports");
    let text = String::from_utf8(out).expect("utf-8");
    let body = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheets");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "figure");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid row")).collect();
    assert_eq!(rows.len(), n);
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let amounts: Vec<&str> = rows
        .iter()
        .filter(|r| &r[col("province")] == "Bolívar")
        .map(|r| &r[col("figure")])
        .collect();
    assert!(
        amounts.contains(&"USD 4'803.665,69") && amounts.contains(&"USD 3'618.310,04"),
        "{amounts:?}"
    );
    for r in &rows {
        assert!(r[col("sentence")].contains(&r[col("figure")]), "{r:?}");
    }
}

#[test]
fn a_text_search_for_a_scaled_value_finds_it_written_in_words() {
    let r = search("187000", &[]);
    let first = r.hits.first().expect("a hit");
    assert!(
        first.text.contains("187 mil atenciones médicas virtuales"),
        "{}",
        first.text
    );
    assert!(
        snippet_html(first).contains("<mark>187 mil</mark>"),
        "{}",
        snippet_html(first)
    );
}

/// A page of figures counted from the figure columns holds the same figures, in the same order
/// and with the same total, as reading every candidate passage (what an export does).
#[test]
fn a_page_counted_from_the_figure_columns_equals_a_full_scan() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("", &[]),
        ("", &[("kind", "usd")]),
        ("", &[("kind", "percent")]),
        ("", &[("kind", "count"), ("max", "100")]),
        ("", &[("min", "1000000")]),
        ("", &[("min", "-1"), ("max", "0")]),
        ("", &[("min", "0")]),
        ("atenciones", &[("min", "0")]),
        ("", &[("year", "2021")]),
        ("atenciones", &[]),
        ("servicio OR atencion", &[("kind", "usd")]),
        ("salud", &[("min", "0"), ("province", "Manabí")]),
    ];
    let engine = engine();
    for (q, params) in cases {
        let raw = |limit: Option<&str>, offset: Option<&str>| {
            let mut raw = RawFigureRequest {
                search: RawRequest {
                    q: Some((*q).into()),
                    ..RawRequest::default()
                },
                limit: limit.map(Into::into),
                offset: offset.map(Into::into),
                ..RawFigureRequest::default()
            };
            for (k, v) in *params {
                match *k {
                    "kind" => raw.kind = Some((*v).into()),
                    "min" => raw.min = Some((*v).into()),
                    "max" => raw.max = Some((*v).into()),
                    "year" => raw.search.year = vec![(*v).into()],
                    "province" => raw.search.province = vec![(*v).into()],
                    other => panic!("no parameter {other}"),
                }
            }
            FigureRequest::from_raw(&raw).expect("valid request")
        };
        let everything = run_figures(engine, &raw(None, None)).expect("scan");
        let ids = |r: &cuentas::search::FigureResponse| -> Vec<(String, (usize, usize))> {
            r.figures
                .iter()
                .map(|f| (f.passage_id.clone(), f.span))
                .collect()
        };
        let all_ids = ids(&everything);
        for (limit, offset) in [(10, 0), (7, 3), (25, 20), (0, 0), (5, 100_000)] {
            let page = run_figures(
                engine,
                &raw(Some(&limit.to_string()), Some(&offset.to_string())),
            )
            .expect("page");
            assert_eq!(page.total, everything.total, "total of {q:?} {params:?}");
            let expected: Vec<_> = all_ids.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(
                ids(&page),
                expected,
                "page {offset}+{limit} of {q:?} {params:?}"
            );
        }
    }
}

/// Figures by value are the figures of the search in passage order, sorted: every one once, the
/// largest (or smallest) first, and a page is the same slice of them with the same total.
#[test]
fn figures_by_value_are_every_figure_of_the_search_largest_or_smallest_first() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        ("", None, None),
        ("", Some("usd"), None),
        ("", Some("count"), Some("1000")),
        ("atenciones", None, None),
        ("servicio OR atencion", Some("usd"), None),
        ("4803665.69", None, None),
    ];
    let engine = engine();
    for &(q, kind, min) in cases {
        let raw = |sort: Option<&str>, limit: Option<usize>, offset: usize| {
            FigureRequest::from_raw(&RawFigureRequest {
                search: RawRequest {
                    q: Some(q.into()),
                    ..RawRequest::default()
                },
                kind: kind.map(Into::into),
                min: min.map(Into::into),
                sort: sort.map(Into::into),
                limit: limit.map(|l| l.to_string()),
                offset: Some(offset.to_string()),
                ..RawFigureRequest::default()
            })
            .expect("valid request")
        };
        let ids = |r: &cuentas::search::FigureResponse| -> Vec<(String, (usize, usize))> {
            r.figures
                .iter()
                .map(|f| (f.passage_id.clone(), f.span))
                .collect()
        };
        let unsorted = run_figures(engine, &raw(None, None, 0)).expect("scan");
        assert!(unsorted.total > 0, "{q:?} finds figures");
        for sort in ["largest", "smallest"] {
            let all = run_figures(engine, &raw(Some(sort), None, 0)).expect("sorted");
            assert_eq!(all.total, unsorted.total, "{q:?} {sort}");
            let values: Vec<f64> = all.figures.iter().map(|f| f.value).collect();
            let mut expected: Vec<f64> = unsorted.figures.iter().map(|f| f.value).collect();
            expected.sort_by(|a, b| match sort {
                "largest" => b.total_cmp(a),
                _ => a.total_cmp(b),
            });
            assert_eq!(values, expected, "{q:?} {sort}");
            let (mut a, mut b) = (ids(&all), ids(&unsorted));
            a.sort();
            b.sort();
            assert_eq!(a, b, "{q:?} {sort}: the same figures");
            for (limit, offset) in [(1, 0), (10, 0), (7, 3), (25, 20), (0, 0), (5, 100_000)] {
                let page =
                    run_figures(engine, &raw(Some(sort), Some(limit), offset)).expect("page");
                assert_eq!(page.total, all.total, "total of {q:?} {sort}");
                let expected: Vec<_> = ids(&all).into_iter().skip(offset).take(limit).collect();
                assert_eq!(ids(&page), expected, "{q:?} {sort} {offset}+{limit}");
            }
        }
    }
    let bad = FigureRequest::from_raw(&RawFigureRequest {
        sort: Some("mayor".into()),
        ..RawFigureRequest::default()
    });
    assert!(bad.is_err_and(|e| e.to_string().contains("largest")));
}

/// Hundreds of equal amounts, several in each passage, over several segments: listed by value,
/// each figure comes once (the passages are read in runs, and a passage's run of one value can
/// go on into the next run).
#[test]
fn equal_values_listed_by_value_come_once_each() {
    use cuentas::index::{Engine, IndexDir};

    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::from(
        "Informe de Rendición de Cuentas 2021\nDirección Provincial del IESS Loja\n\n",
    );
    // More equal values than the figures whose passages are read together (4,096).
    for month in 1..=60 {
        text.push_str(&format!("En el mes {month} la agencia pagó"));
        for agency in 1..=80 {
            text.push_str(&format!(" USD 1.000,00 a la oficina {agency},"));
        }
        text.push_str(&format!(" y USD {month}.500,00 en total.\n\n"));
    }
    let corpus = crate::support::one_report(tmp.path(), "loja.txt", &text);
    let dir = tmp.path().join("index");
    crate::support::build_in_segments(&[corpus], &dir).expect("indexes");
    let engine = Engine::open(&IndexDir::new(&dir)).expect("opens");
    let raw = |sort: &str| {
        FigureRequest::from_raw(&RawFigureRequest {
            sort: Some(sort.into()),
            kind: Some("usd".into()),
            ..RawFigureRequest::default()
        })
        .expect("valid")
    };
    let keys = |r: &cuentas::search::FigureResponse| -> Vec<(String, (usize, usize))> {
        let mut k: Vec<_> = r
            .figures
            .iter()
            .map(|f| (f.passage_id.clone(), f.span))
            .collect();
        k.sort();
        k
    };
    let unsorted = run_figures(&engine, &raw("passages")).expect("scan");
    assert_eq!(unsorted.total, 60 * 81);
    for sort in ["largest", "smallest"] {
        let sorted = run_figures(&engine, &raw(sort)).expect("sorted");
        assert_eq!(keys(&sorted), keys(&unsorted), "{sort}");
        let thousands = sorted.figures.iter().filter(|f| f.value == 1000.0).count();
        assert_eq!(thousands, 60 * 80, "{sort}");
    }
}

/// The figure columns hold what reading every stored passage again finds: the total of a
/// figure search without words equals a count over every passage of the index.
#[test]
fn figure_totals_equal_a_count_over_every_stored_passage() {
    use cuentas::extract::FigureKind;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::AllQuery;

    let engine = engine();
    let searcher = engine.searcher();
    let passages: Vec<_> = searcher
        .search(&AllQuery, &DocSetCollector)
        .expect("every passage")
        .into_iter()
        .map(|address| engine.passage(address).expect("stored"))
        .collect();
    let cases: &[(Option<FigureKind>, Option<f64>, Option<f64>)] = &[
        (None, None, None),
        (Some(FigureKind::Usd), None, None),
        (Some(FigureKind::Percent), Some(50.0), None),
        (Some(FigureKind::Count), None, Some(1000.0)),
        (None, Some(1e6), Some(1e9)),
        // Ranges that hold every value of some columns, counted without reading values.
        (None, Some(0.0), None),
        (Some(FigureKind::Count), Some(-1e15), Some(1e15)),
    ];
    for &(kind, min, max) in cases {
        let expected: usize = passages
            .iter()
            .flat_map(|p| &p.figures)
            .filter(|f| kind.is_none_or(|k| f.kind == k))
            .filter(|f| min.is_none_or(|m| f.value >= m) && max.is_none_or(|m| f.value <= m))
            .count();
        let r = figures("", |r| {
            r.kind = kind.map(|k| k.as_str().into());
            r.min = min.map(|m| m.to_string());
            r.max = max.map(|m| m.to_string());
            r.limit = Some("1".into());
        });
        assert!(expected > 0, "{kind:?} {min:?} {max:?} finds something");
        assert_eq!(r.total, expected, "{kind:?} {min:?} {max:?}");
    }
}

#[test]
fn a_contract_s_clause_and_item_numbers_are_not_figures() {
    let pdfs = crate::support::fixtures().join("pdf");
    let doc = crate::support::reader()
        .read(&pdfs.join("06_bellamaria-contrato-san-carlos.pdf"), &pdfs)
        .expect("reads");
    let report = Extractor::builtin().extract(&doc, None);
    let mut found = Vec::new();
    for p in &report.passages {
        for f in &p.figures {
            let after = &p.text[f.end..];
            let before = p.text[..f.start].trim_end();
            // `5.01.- El valor`, `1)Por cabal cumplimiento`, `MCO – GPB- 002 – 2013`.
            assert!(!after.starts_with(".-"), "clause number {:?}", f.text);
            let item = after.strip_prefix(')').is_some_and(|rest| {
                rest.trim_start_matches([':', ' '])
                    .starts_with(char::is_uppercase)
            });
            assert!(
                !item || before.ends_with('('),
                "item number {:?} in {:?}",
                f.text,
                p.text
            );
            assert!(!f.text.starts_with("00"), "code {:?}", f.text);
            found.push((f.text.clone(), f.kind.as_str()));
        }
    }
    // The contract's amount, its percentages and its terms in days are still there.
    for (text, kind) in [
        ("USD $ 53.570,18", "usd"),
        ("50%", "percent"),
        ("5%", "percent"),
        ("90", "count"),
    ] {
        assert!(
            found.iter().any(|(t, k)| t.starts_with(text) && *k == kind),
            "{text} missing from {found:?}"
        );
    }
}

#[test]
fn a_budget_s_small_amounts_and_shares_are_found_by_their_kind() {
    // A parish's budget: amounts under a thousand have no mark of thousands, and the share of
    // execution no `%`; their columns' headers say what they are.
    let text = "Rendición de Cuentas 2013\nGobierno Parroquial de Bellamaría, El Oro\n\n\
        CÉDULA PRESUPUESTARIA DE GASTOS\n\
        Partida\tDescripción\tCodificado\tDevengado\t% Ejecución\n\
        5301\tServicios Básicos\t490.00\t255.05\t52.05\n\
        5302\tServicios Generales\t535.20\t529.76\t98.98\n\
        5\tGASTOS CORRIENTES\t57,709.76\t56,372.07\t97.68\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "bellamaria-2013.txt", text);
    let figures = |kind: &str| {
        let request = FigureRequest::from_raw(&RawFigureRequest {
            kind: Some(kind.to_string()),
            ..RawFigureRequest::default()
        })
        .expect("valid figure request");
        let r = run_figures(&engine, &request).expect("runs");
        // The kind the figure columns filtered on is the kind the passage shows.
        assert!(r.figures.iter().all(|f| f.kind.as_str() == kind), "{kind}");
        let mut texts: Vec<String> = r.figures.iter().map(|f| f.text.clone()).collect();
        texts.sort();
        texts
    };
    assert_eq!(
        figures("usd"),
        [
            "255.05",
            "490.00",
            "529.76",
            "535.20",
            "56,372.07",
            "57,709.76"
        ]
    );
    assert_eq!(figures("percent"), ["52.05", "97.68", "98.98"]);
    assert_eq!(figures("count"), ["5", "5301", "5302"]);
}

#[test]
fn a_table_of_millions_gives_its_numbers_in_dollars_found_as_written_and_as_amounts() {
    // Pages 34 and 35 of the guide: `Tabla 22`, under `Cifras en millones de dólares`, then
    // `Tabla 23`, of population, which says nothing of millions.
    use cuentas::index::{Engine, IndexDir};
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("corpus");
    std::fs::create_dir(&folder).expect("corpus folder");
    let name = "01_senplades-guia-met-5p.pdf";
    std::fs::copy(
        repo().join("tests/fixtures/pdf").join(name),
        folder.join(name),
    )
    .expect("copied");
    let index = tmp.path().join("index");
    crate::support::build(&[folder], &index).expect("indexes");
    let engine = Engine::open(&IndexDir::new(&index)).expect("opens");
    // Provincia 1's total spending of 2008, written `2.149`: by its amount, in words, as written.
    for q in ["2149000000", "2.149 millones", "2.149"] {
        let r = figures_in(&engine, q, |_| {});
        assert_eq!(r.figures.len(), 1, "{q}: {:?}", r.figures);
        let f = &r.figures[0];
        assert_eq!(
            (f.text.as_str(), f.value, f.kind),
            ("2.149", 2_149_000_000.0, FigureKind::Usd)
        );
        assert_eq!(f.page, Some(4));
        let table = f.table.as_ref().expect("in a table");
        assert_eq!(
            table.units.as_deref(),
            Some("Cifras en millones de dólares")
        );
        assert!(table.column.starts_with("Gasto Total"), "{table:?}");
    }
    // The amounts over a billion are Tabla 22's; the population of Tabla 23 keeps its count.
    let large = figures_in(&engine, "", |raw| {
        raw.kind = Some("usd".into());
        raw.min = Some("1000000000".into());
    });
    assert!(!large.figures.is_empty());
    assert!(
        large.figures.iter().all(|f| f.page == Some(4)),
        "{:?}",
        large.figures
    );
    let population = figures_in(&engine, "624,4", |_| {});
    assert!(!population.figures.is_empty());
    assert!(population
        .figures
        .iter()
        .all(|f| f.kind == FigureKind::Count && f.value == 624.4 && f.page == Some(5)));
    // A search of passages finds the row by the amount too, and marks the cell that writes it.
    let hits = crate::support::search_in(&engine, "2149000000", &[]);
    assert_eq!(hits.total, 1);
    let hit = &hits.hits[0];
    assert!(
        hit.text.starts_with("Provincia 1 | 28 | 87"),
        "{}",
        hit.text
    );
    let marked: Vec<&str> = hit
        .highlights
        .iter()
        .map(|&(a, b)| &hit.text[a..b])
        .collect();
    assert_eq!(marked, ["2.149"], "{}", hit.text);
}
