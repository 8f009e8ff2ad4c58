use cuentas::api::render::snippet_html;

use crate::support::search;

const BOLIVAR: &str = "000_7392a04fe1206fbf.txt";
const MANABI: &str = "003_ba189c1830490d8b.txt";
const NACIONAL: &str = "004_a8a0011ab6fa9785.txt";

#[test]
fn rendicion_de_cuentas_finds_every_report() {
    let r = search("rendicion de cuentas", &[]);
    let mut sources: Vec<&str> = r.hits.iter().map(|h| h.info.source.as_str()).collect();
    sources.sort();
    sources.dedup();
    assert_eq!(sources, [BOLIVAR, MANABI, NACIONAL], "{r:#?}");
}

#[test]
fn mora_patronal_in_2021_puts_the_recovered_amount_first() {
    let r = search("mora patronal", &[("year", "2021")]);
    let first = r.hits.first().expect("a hit");
    assert_eq!(first.info.source, BOLIVAR);
    assert!(first.text.contains("USD 4'803.665,69"), "{}", first.text);
    assert!(
        snippet_html(first).contains("<mark>mora</mark> <mark>patronal</mark>"),
        "{}",
        snippet_html(first)
    );
    assert!(r.hits.iter().all(|h| h.info.year == Some(2021)));
}

/// The excerpt of the first hit of `q`, which must find something, as the page shows it.
fn first_snippet(q: &str) -> String {
    let r = search(q, &[]);
    let first = r
        .hits
        .first()
        .unwrap_or_else(|| panic!("{q} finds nothing"));
    snippet_html(first)
}

/// Asserts that no hit of `q` holds `text`.
fn no_hit_holds(q: &str, text: &str) {
    let r = search(q, &[]);
    assert!(
        r.hits.iter().all(|h| !h.text.contains(text)),
        "{q}: {:#?}",
        r.hits
    );
}

#[test]
fn an_amount_cited_without_its_cents_finds_the_figure_with_them() {
    // The press drops the cents: cut (`4.803.665`) or rounded (`4'803.666`).
    for q in ["USD 4.803.665", "4803665", "monto recaudado $ 4'803.666"] {
        let html = first_snippet(q);
        assert!(
            html.contains("<mark>4&#x27;803.665,69</mark>"),
            "{q}: the figure must be found and marked as written: {html}"
        );
    }
    // Another whole amount, or other cents, is another figure.
    for q in ["4.803.664", "4.803.667", "4.803.665,70"] {
        no_hit_holds(q, "4'803.665,69");
    }
}

/// Whether `q`, run as typed, shows first a passage whose excerpt holds `marked`.
fn marks_first_as_typed(q: &str, marked: &str) {
    let html = first_snippet(q);
    assert!(html.contains(marked), "{q}: {html}");
    assert_eq!(search(q, &[]).corrected_query, None, "{q}");
}

#[test]
fn a_percentage_as_the_press_rounds_it_finds_the_passage_and_marks_the_figure() {
    for (q, marked) in [
        ("133 %", "<mark>132.76</mark> %"),
        ("mora 132,8 por ciento", "<mark>132.76</mark> %"),
        ("92%", "<mark>91,8</mark>%"),
    ] {
        marks_first_as_typed(q, marked);
    }
    // Rounded to the digits written, not cut; in a phrase, the value written.
    for q in ["132 %", "132,7 %", "\"133 %\""] {
        no_hit_holds(q, "132.76 %");
    }
}

#[test]
fn a_percentage_in_words_finds_the_percentages_that_round_to_it() {
    // The reports write `91,8%` and `40%`, in digits.
    for (q, marked) in [
        ("noventa y dos por ciento", "<mark>91,8</mark>%"),
        (
            "operatividad del noventa y dos por ciento",
            "<mark>91,8</mark>%",
        ),
        ("cuarenta por ciento", "<mark>40</mark>%"),
    ] {
        marks_first_as_typed(q, marked);
    }
    // Rounded at its units: 91,8 % is not ninety-one per cent.
    no_hit_holds("noventa y uno por ciento", "91,8%");
    // A number in words is a percentage only with `por ciento`, whose `ciento` is no hundred.
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(
        tmp.path(),
        "informe-2021.txt",
        "Se contrató a 90 médicos.\n\nSe atendió a 100 personas.\n\n\
         Se ejecutó un cincuenta por ciento (50%) del presupuesto.\n\n\
         La mora bajó al uno por ciento de los empleadores.\n\n\
         El avance de la obra fue del cero por ciento.\n",
    );
    let texts = |q: &str| -> Vec<String> {
        let r = crate::support::search_in(&engine, q, &[]);
        r.hits.iter().map(|h| h.text.clone()).collect()
    };
    let mut per_cent = texts("por ciento");
    per_cent.sort();
    assert_eq!(
        per_cent,
        [
            "El avance de la obra fue del cero por ciento.",
            "La mora bajó al uno por ciento de los empleadores.",
            "Se ejecutó un cincuenta por ciento (50%) del presupuesto."
        ]
    );
    assert_eq!(texts("noventa"), ["Se contrató a 90 médicos."]);
    assert!(texts("noventa por ciento").is_empty());
    // `uno por ciento` is one per cent, in the reports and in queries (`un` is an article), and
    // `cero por ciento` none.
    for q in ["1 %", "uno por ciento"] {
        assert_eq!(
            texts(q),
            ["La mora bajó al uno por ciento de los empleadores."],
            "{q}"
        );
    }
    for q in ["0 %", "cero por ciento"] {
        assert_eq!(
            texts(q),
            ["El avance de la obra fue del cero por ciento."],
            "{q}"
        );
    }
}

#[test]
fn a_bound_on_amounts_finds_the_passages_with_a_figure_within() {
    // The reports write `USD 4'803.665,69`, `USD 3'618.310,04`, `$45.000.000`,
    // `USD 1.193.703.286`; and `15%`, `14%`.
    let r = search("más de 4 millones de dólares", &[]);
    assert_eq!(r.corrected_query, None);
    let shown: Vec<String> = r.hits.iter().map(snippet_html).collect();
    for marked in ["<mark>4&#x27;803.665,69</mark>", "<mark>45.000.000</mark>"] {
        assert!(
            shown.iter().any(|s| s.contains(marked)),
            "{marked}: {shown:#?}"
        );
    }
    assert!(
        shown
            .iter()
            .all(|s| !s.contains("<mark>3&#x27;618.310,04</mark>")),
        "{shown:#?}"
    );
    let r = search("entre 1 y 5 millones de dólares", &[]);
    assert_eq!(r.total, 1, "{:#?}", r.hits);
    let html = snippet_html(&r.hits[0]);
    for marked in [
        "<mark>3&#x27;618.310,04</mark>",
        "<mark>4&#x27;803.665,69</mark>",
    ] {
        assert!(html.contains(marked), "{marked}: {html}");
    }
    assert!(!html.contains("<mark>132.76</mark>"), "{html}");
    let r = search("mora patronal entre 1 y 5 millones de dólares", &[]);
    assert_eq!(r.total, 1, "{:#?}", r.hits);
    assert!(r.hits[0].text.contains("4'803.665,69"));
    let r = search("menos de 20 %", &[]);
    let html: Vec<String> = r.hits.iter().map(snippet_html).collect();
    assert!(
        html.iter().any(|s| s.contains("<mark>15</mark>%")),
        "{html:#?}"
    );
    assert!(
        html.iter().all(|s| !s.contains("<mark>40</mark>")),
        "{html:#?}"
    );
    // `de` joined to the article, as Spanish writes it.
    marks_first_as_typed("operatividad de más del 90 %", "<mark>91,8</mark>%");
    // A year is no amount: `más de 2020` looks for its words.
    let r = search("más de 2020", &[]);
    assert!(r.total > 0);
    assert!(
        r.hits.iter().all(|h| h.text.to_lowercase().contains("más")),
        "{:#?}",
        r.hits
    );
}

#[test]
fn a_figure_is_found_in_any_written_form() {
    for q in ["4803665.69", "4.803.665,69", "4'803.665,69", "4803665,69"] {
        let r = search(q, &[]);
        let first = r
            .hits
            .first()
            .unwrap_or_else(|| panic!("{q} finds nothing"));
        assert!(
            first.text.contains("USD 4'803.665,69"),
            "{q}: {}",
            first.text
        );
        assert!(
            snippet_html(first).contains("<mark>4&#x27;803.665,69</mark>"),
            "{q}: the figure must be marked as written: {}",
            snippet_html(first)
        );
    }
}

#[test]
fn a_count_written_with_dots_is_found_without_them() {
    let r = search("11852096", &[]);
    let first = r.hits.first().expect("a hit");
    assert_eq!(first.info.source, NACIONAL);
    assert!(first.text.contains("11.852.096"));
}

#[test]
fn discapacidad_in_the_disability_policy_finds_its_plural() {
    let r = search("discapacidad", &[("policy", "discapacidades")]);
    assert!(r.total > 0);
    assert!(r
        .hits
        .iter()
        .all(|h| h.policies.iter().any(|p| p.slug() == "discapacidades")));
    assert!(
        r.hits
            .iter()
            .any(|h| snippet_html(h).contains("<mark>Discapacidad</mark>")
                || snippet_html(h).contains("<mark>discapacidades</mark>")),
        "{r:#?}"
    );
}

/// Snowball takes the `-ad` of `unidad` for a verb's ending and leaves that of `unidades`: a
/// noun in `-dad` must still find its plural, and the plural its singular.
#[test]
fn unidad_finds_unidades_and_back() {
    let singular = search("unidad medica", &[]);
    assert!(
        singular
            .hits
            .iter()
            .any(|h| h.text.contains("Unidades Médicas")),
        "{singular:#?}"
    );
    let plural = search("unidades", &[]);
    assert!(
        plural
            .hits
            .iter()
            .any(|h| h.text.contains("unidad de transición")),
        "{plural:#?}"
    );
}

#[test]
fn a_phrase_finds_its_exact_words() {
    let r = search("\"muerte materna\"", &[]);
    let first = r.hits.first().expect("a hit");
    assert!(
        snippet_html(first).contains("<mark>muerte</mark> <mark>materna</mark>"),
        "{}",
        snippet_html(first)
    );
    assert_eq!(first.info.source, NACIONAL);
}

#[test]
fn hospital_manta_is_in_manabi_2020() {
    let r = search("hospital manta", &[]);
    let first = r.hits.first().expect("a hit");
    assert_eq!(
        (first.info.province.as_deref(), first.info.year),
        (Some("Manabí"), Some(2020))
    );
}

#[test]
fn a_province_filter_without_accents_keeps_only_that_report() {
    let r = search("", &[("province", "manabi"), ("limit", "100")]);
    assert!(r.total > 0);
    assert!(r.hits.iter().all(|h| h.info.source == MANABI), "{r:#?}");
    assert_eq!(
        r.facets.year.len(),
        1,
        "other facets count only Manabí's passages"
    );
    let manabi = r
        .facets
        .province
        .iter()
        .find(|v| v.label == "Manabí")
        .expect("Manabí listed");
    assert_eq!(manabi.count as usize, r.total);
    assert_eq!(
        r.facets.province.len(),
        3,
        "the province facet offers the other provinces too"
    );
}

#[test]
fn headings_rank_below_passages_that_say_something() {
    let r = search("rendicion de cuentas", &[("province", "manabi")]);
    let first = r.hits.first().expect("a hit");
    assert!(first.text.split_whitespace().count() > 12, "{}", first.text);
}

#[test]
fn snippets_keep_the_closing_punctuation_and_show_cuts() {
    let r = search("mora patronal", &[("province", "manabi")]);
    let h = r.hits.first().expect("a hit");
    assert!(
        snippet_html(h).ends_with("<mark>patronal</mark>."),
        "{}",
        snippet_html(h)
    );
    let long = search("cooperación interinstitucional", &[("province", "bolivar")]);
    let s = &snippet_html(long.hits.first().expect("a hit"));
    assert!(s.ends_with('…') || s.ends_with('.'), "{s}");
}

#[test]
fn accents_and_case_do_not_matter() {
    let a = search("rendicion", &[]).total;
    assert!(a > 0);
    assert_eq!(search("RENDICIÓN", &[]).total, a);
    assert_eq!(search("Rendición", &[]).total, a);
    let r = search("rendicion", &[("province", "MANABÍ")]);
    assert!(r
        .hits
        .iter()
        .all(|h| h.info.province.as_deref() == Some("Manabí")));
    assert!(
        r.hits
            .iter()
            .any(|h| snippet_html(h).contains("<mark>Rendición</mark>")),
        "the accented original is marked: {r:#?}"
    );
}

#[test]
fn facets_count_every_match_not_just_the_page() {
    let r = search("salud", &[("limit", "1")]);
    assert_eq!(r.hits.len(), 1);
    let by_year: u64 = r.facets.year.iter().map(|v| v.count).sum();
    assert_eq!(
        by_year as usize, r.total,
        "year facet counts must add up to the total"
    );
}

#[test]
fn excluding_a_word_removes_its_passages() {
    let with = search("atenciones", &[]).total;
    let without = search("atenciones -covid", &[]);
    assert!(without.total < with);
    assert!(without
        .hits
        .iter()
        .all(|h| !h.text.to_lowercase().contains("covid")));
}

#[test]
fn or_widens_a_search() {
    let a = search("ventiladores", &[]).total;
    let b = search("telemedicina OR ventiladores", &[]).total;
    assert!(b >= a && a > 0);
}

#[test]
fn scaled_amounts_are_found_by_their_value() {
    let r = search("187000", &[]);
    let first = r.hits.first().expect("a hit");
    assert!(
        snippet_html(first).contains("<mark>187 mil</mark>"),
        "{}",
        snippet_html(first)
    );
}

#[test]
fn an_amount_asked_with_its_currency_finds_it_written_with_another() {
    // The report writes `$45.000.000`: no word says dollars.
    for q in [
        "USD 45 millones",
        "USD 45.000.000",
        "US$ 45 millones",
        "45 millones de dólares",
        "recaudaciones 45 millones dólares",
    ] {
        let r = search(q, &[]);
        assert_eq!(r.corrected_query, None, "{q}");
        let first = r
            .hits
            .first()
            .unwrap_or_else(|| panic!("{q} finds nothing"));
        assert!(
            snippet_html(first).contains("$<mark>45.000.000</mark>"),
            "{q}: {}",
            snippet_html(first)
        );
    }
    // Away from a number, a currency is a word like any other.
    let usd = search("USD", &[]);
    assert!(usd.total > 0 && usd.hits.iter().all(|h| h.text.contains("USD")));
    let r = search("facturación USD", &[]);
    assert!(r.total > 0 && r.hits.iter().all(|h| h.text.contains("USD")));
}

#[test]
fn an_amount_as_the_press_rounds_it_finds_the_passages_whose_figures_round_to_it() {
    // The reports write `USD 4'803.665,69`, `USD 1.193.703.286`, `17.940.211`, and the counts
    // 893.463, 790.147 and 613.269 in one table; a news item rounds them.
    for (q, marked) in [
        ("4,8 millones", "USD <mark>4&#x27;803.665,69</mark>"),
        ("USD 4,8 millones", "USD <mark>4&#x27;803.665,69</mark>"),
        (
            "4,8 millones de dólares",
            "USD <mark>4&#x27;803.665,69</mark>",
        ),
        (
            "recaudado 4,80 millones",
            "USD <mark>4&#x27;803.665,69</mark>",
        ),
        ("USD 1.194 millones", "USD <mark>1.193.703.286</mark>"),
        ("1,2 mil millones", "USD <mark>1.193.703.286</mark>"),
        ("18 millones", "<mark>17.940.211</mark>"),
        // Written to three digits or more, it may be cut rather than rounded.
        (
            "más de 1.193 millones de dólares",
            "USD <mark>1.193.703.286</mark>",
        ),
    ] {
        let r = search(q, &[]);
        assert_eq!((r.total, r.corrected_query.as_deref()), (1, None), "{q}");
        let html = snippet_html(&r.hits[0]);
        assert!(html.contains(marked), "{q}: {html}");
    }
    // Written to more digits, or as another amount, nothing rounds or cuts to it; a figure is
    // not cut upwards, nor one written to fewer than three digits.
    for q in [
        "4,9 millones",
        "4,81 millones",
        "1.192 millones",
        "17 millones",
    ] {
        assert_eq!(search(q, &[]).total, 0, "{q}");
    }
    // A currency asks for money: the count 4'487.754 rounds to 4,5 millones, not to USD.
    assert_eq!(search("4,5 millones", &[]).total, 1);
    assert_eq!(search("USD 4,5 millones", &[]).total, 0);
    // A wide amount finds every figure that rounds to it, the nearest first.
    let r = search("1 millón", &[]);
    let rows: Vec<&str> = r.hits.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (row, figure) in rows.iter().zip(["893.463", "790.147", "613.269"]) {
        assert!(row.ends_with(figure), "{rows:?}");
    }
}

#[test]
fn an_amount_or_a_number_written_in_words_finds_it_in_digits() {
    // 3'618.310,04 (money) and 4'487.754 (a count) round to four millions.
    let marked = |q: &str| -> Vec<String> {
        let mut marks: Vec<String> = search(q, &[])
            .hits
            .iter()
            .flat_map(|h| h.highlights.iter().map(|&(s, e)| h.text[s..e].to_string()))
            .collect();
        marks.sort();
        marks
    };
    assert_eq!(marked("cuatro millones"), ["3'618.310,04", "4'487.754"]);
    assert_eq!(marked("USD cuatro millones"), ["3'618.310,04"]);
    assert_eq!(marked("cinco millones de dólares"), ["4'803.665,69"]);
    // 550 millones rounds to mil millones too, at one digit.
    assert_eq!(
        marked("mil millones"),
        ["1.029.539.608", "1.193.703.286", "550 millones"]
    );
    // A number word below a thousand finds its digits.
    assert_eq!(marked("cuatro dispensarios"), ["4", "dispensarios"]);
    // Nothing rounds to ocho millones; an article is not a number.
    assert_eq!(search("ocho millones", &[]).total, 0);
    assert!(search("un informe", &[])
        .hits
        .iter()
        .all(|h| h.text.to_lowercase().contains("inform")));
}

#[test]
fn covid_is_found_however_it_is_written() {
    for q in ["covid19", "COVID-19", "covid 19", "covid"] {
        assert!(search(q, &[]).total > 0, "{q}");
    }
}

#[test]
fn paging_moves_through_the_hits() {
    let all = search("salud", &[("limit", "100")]);
    let page2 = search("salud", &[("limit", "2"), ("offset", "2")]);
    let ids: Vec<_> = all.hits[2..4].iter().map(|h| &h.passage_id).collect();
    let ids2: Vec<_> = page2.hits.iter().map(|h| &h.passage_id).collect();
    assert_eq!(ids, ids2);
}

#[test]
fn snippets_escape_html_from_reports() {
    for h in search("salud", &[("limit", "100")]).hits {
        let stripped = snippet_html(&h)
            .replace("<mark>", "")
            .replace("</mark>", "");
        assert!(
            !stripped.contains('<'),
            "unescaped markup in {}",
            snippet_html(&h)
        );
    }
}

#[test]
fn a_query_word_may_name_the_reports_province_or_year() {
    // The passage says neither "Manabí" nor "2020": its report does.
    let r = search("recaudaciones manabi 2020", &[]);
    let first = r.hits.first().expect("a hit");
    assert!(
        first.text.contains("$45.000.000 en recaudaciones"),
        "{}",
        first.text
    );
    assert_eq!(first.info.province.as_deref(), Some("Manabí"));
    // A province named in the text still ranks above one only named by the report.
    let r = search("universidad manabi", &[]);
    assert!(
        r.hits[0].text.contains("Universidad Técnica de Manabí"),
        "{:#?}",
        r.hits[0]
    );
}

#[test]
fn a_year_asked_for_ranks_its_reports_above_the_plans_of_another_years() {
    let report = |year: u16, done: &str| {
        let text = format!(
            "INFORME DE RENDICIÓN DE CUENTAS {year}\nDirección Provincial de Loja\n\n{done}\n\n\
             Se atendió a 400 afiliados en el dispensario de Catamayo.\n\n\
             Se firmaron 12 convenios con prestadores externos.\n"
        );
        (format!("loja-{year}.txt"), text)
    };
    let reports = [
        report(
            2019,
            "Se entregaron 125 ayudas técnicas a personas con discapacidad; el programa se \
             ampliará durante el año 2020.",
        ),
        report(
            2020,
            "Se entregaron 140 ayudas técnicas a personas con discapacidad en la provincia.",
        ),
    ];
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_reports(tmp.path(), reports);
    let r = crate::support::search_in(&engine, "discapacidad 2020", &[]);
    let years: Vec<Option<i32>> = r.hits.iter().map(|h| h.info.year).collect();
    assert_eq!(years, [Some(2020), Some(2019)], "{:#?}", r.hits);
}

#[test]
fn suggestions_follow_the_word_before_and_leave_out_the_reports_slips() {
    let mut text =
        String::from("INFORME DE RENDICIÓN DE CUENTAS 2021\nDirección Provincial de Loja\n\n");
    for i in 0..30 {
        text += &format!(
            "Se registraron {} atenciones médicas en el dispensario {i}.\n\n",
            100 + i
        );
    }
    for i in 0..40 {
        text += &format!(
            "Cuando se tomaron medidas de pago a los jubilados del cantón {i}, se \
             informó al afiliado.\n\n"
        );
    }
    text += "Hubo 3 jubilaados nuevos en el cantón.\n\nUn jubilado recibió su pensión.\n\n";
    text += "Las cuentas del programa se publicaron.\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "loja-2021.txt", &text);
    let words = |q: &str| -> Vec<String> {
        let s = cuentas::search::suggest(&engine, q, 10).expect("suggests");
        s.suggestions.into_iter().map(|s| s.word).collect()
    };
    let count = |word: &str| engine.words().passages(word);
    assert!(
        count("medidas") > count("medicas"),
        "the test holds a more frequent word"
    );
    // Alone, the most frequent completion first; after a word, the one that follows it.
    assert_eq!(words("med").first().map(String::as_str), Some("medidas"));
    assert_eq!(
        words("atenciones med").first().map(String::as_str),
        Some("médicas")
    );
    // A slip of one passage beside a word in twenty times more is not offered; a form is.
    let jubil = words("jubil");
    assert!(jubil.contains(&"jubilados".to_string()), "{jubil:?}");
    assert!(jubil.contains(&"jubilado".to_string()), "{jubil:?}");
    assert!(!jubil.contains(&"jubilaados".to_string()), "{jubil:?}");
    // A word a query leaves out comes after the others, however frequent.
    assert!(count("cuando") > count("cuentas"));
    assert_eq!(words("cu").first().map(String::as_str), Some("cuentas"));
}

/// Suggestions come from the exact forms of the one text field, never from its stems: every
/// word offered is written in some passage.
#[test]
fn suggestions_are_words_of_the_reports_never_stems() {
    use tantivy::collector::DocSetCollector;
    use tantivy::query::AllQuery;

    let engine = crate::support::engine();
    let searcher = engine.searcher();
    let mut words = std::collections::HashSet::new();
    for address in searcher
        .search(&AllQuery, &DocSetCollector)
        .expect("every passage")
    {
        let text = engine.passage(address).expect("stored").text;
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            words.insert(cuentas::analysis::fold_keep_enye(w));
        }
    }
    let mut offered = 0;
    for prefix in ["servi", "aten", "discap", "salu", "afilia", "prest"] {
        let s = cuentas::search::suggest(engine, prefix, 10).expect("suggests");
        for suggestion in &s.suggestions {
            offered += 1;
            let folded = cuentas::analysis::fold_keep_enye(&suggestion.word);
            assert!(
                words.contains(&folded),
                "{prefix}: {:?} is not a word of the reports",
                suggestion.word
            );
        }
    }
    assert!(offered > 10, "suggestions were offered ({offered})");
}

#[test]
fn words_kept_with_the_index_suggest_and_correct_as_its_segments_do() {
    // The sample reports in several segments, whose words are summed across them.
    let tmp = tempfile::tempdir().expect("tempdir");
    crate::support::build_in_segments(&[crate::support::corpus()], tmp.path()).expect("indexes");
    let dir = cuentas::index::IndexDir::new(tmp.path());
    let kept = cuentas::index::Engine::open(&dir).expect("opens");
    assert!(kept.searcher().segment_readers().len() > 1);
    // Read again from the segments when the file is missing.
    let generation = dir.current().expect("reads").expect("built");
    std::fs::remove_file(generation.join("words.fst")).expect("the build wrote its words");
    let read = cuentas::index::Engine::open(&dir).expect("opens");
    assert!(kept.words().len() > 500, "{}", kept.words().len());
    assert_eq!(kept.words().len(), read.words().len());
    // Every word's passages are those its exact form is in.
    for word in ["afiliados", "atencion", "salud", "discapacidad", "manabi"] {
        let term =
            tantivy::Term::from_field_text(kept.fields.body, &cuentas::analysis::exact_term(word));
        let passages = kept.searcher().doc_freq(&term).expect("counts");
        assert!(passages > 0, "{word}");
        assert_eq!(kept.words().passages(word), passages, "{word}");
    }
    let suggested = |engine: &cuentas::index::Engine, prefix: &str| {
        let s = cuentas::search::suggest(engine, prefix, 10).expect("suggests");
        s.suggestions
            .iter()
            .map(|s| (s.word.clone(), s.count))
            .collect::<Vec<_>>()
    };
    for prefix in ["servi", "aten", "discap", "salu", "afilia", "prest", "mana"] {
        let words = suggested(&kept, prefix);
        assert!(!words.is_empty(), "{prefix}");
        assert_eq!(words, suggested(&read, prefix), "{prefix}");
    }
    for (typed, meant) in [
        ("saludd", "salud"),
        ("afilaidos", "afiliados"),
        ("discapasidad", "discapacidad"),
        ("emergensia", "emergencia"),
    ] {
        let r = crate::support::search_in(&kept, typed, &[]);
        assert_eq!(r.corrected_query.as_deref(), Some(meant), "{typed}");
        let again = crate::support::search_in(&read, typed, &[]);
        assert_eq!(again.corrected_query, r.corrected_query, "{typed}");
    }
}

#[test]
fn a_slip_the_reports_also_make_is_answered_with_the_spelling_they_mostly_use() {
    let mut text = String::from(
        "INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL\nRendición de Cuentas 2021\n\
         Dirección Provincial del Azuay\n\n",
    );
    for i in 1..=30 {
        text += &format!(
            "En la jornada número {i} se atendió en el dispensario a personas con discapacidad \
             y a sus familias, según el registro de la unidad.\n\n"
        );
    }
    text += "Un informe de la unidad registró por error a tres personas con discapasidad y a \
             sus familias en la brigada de Cuenca.\n\n\
             El archivo guarda un docuemnto sin fecha.\n\n";
    for i in 1..=3 {
        text += &format!(
            "La gestión documental de la unidad revisó el archivo del año y entregó el \
             documento número {i} a la dirección.\n\n"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "2021_azuay_informe.txt", &text);
    let search = |q: &str| crate::support::search_in(&engine, q, &[]);
    // The hits stay those of the word typed; the spelling of 30 passages is offered.
    let r = search("discapasidad");
    assert_eq!(r.total, 1);
    assert!(r.hits[0].text.contains("discapasidad"));
    assert_eq!(r.suggested_query.as_deref(), Some("discapacidad"));
    assert_eq!(r.corrected_query, None);
    // The other words of the query stay as typed.
    let r = search("personas discapasidad");
    assert_eq!(r.suggested_query.as_deref(), Some("personas discapacidad"));
    // A query that finds nothing is run with its slips spelt too, beside its unknown words.
    let r = search("discapasidad familas");
    assert_eq!(r.corrected_query.as_deref(), Some("discapacidad familias"));
    assert_eq!(r.total, 30);
    // Not when the spelling offered would find fewer passages with the rest of the query.
    assert_eq!(search("discapasidad Cuenca").suggested_query, None);
    // Not for the spelling the reports use, nor for a word in quotes, which is meant as typed.
    assert_eq!(search("discapacidad").suggested_query, None);
    assert_eq!(search("\"discapasidad\"").suggested_query, None);
    let phrase = search("\"con discapasidad y\"");
    assert_eq!((phrase.total, phrase.suggested_query), (1, None));
    // Not for a word beside one in fewer than twenty times its passages (`documento`, 3).
    assert_eq!(search("docuemnto").total, 1);
    assert_eq!(search("docuemnto").suggested_query, None);
}

#[test]
fn a_ranked_page_counts_the_same_as_counts_alone() {
    // The ranked pass reads keys a batch at a time; the count-only pass, block by block. Both
    // must see every match once.
    for q in [
        "salud",
        "de",
        "servicio OR atencion",
        "\"mora patronal\"",
        "afiliados -2021",
    ] {
        let counts = search(q, &[("limit", "0")]);
        assert!(counts.hits.is_empty());
        for limit in ["1", "10", "100"] {
            let ranked = search(q, &[("limit", limit)]);
            assert_eq!(ranked.total, counts.total, "{q} limit {limit}");
            assert_eq!(ranked.facets, counts.facets, "{q} limit {limit}");
        }
    }
    assert!(
        search("de", &[("limit", "0")]).total > 64,
        "a batch of 64 is crossed"
    );
}

#[test]
fn segments_searched_side_by_side_give_the_same_answers() {
    // The sample reports in the small segments tantivy writes: forced onto two threads, every
    // search and figure lookup must answer exactly as on one.
    let tmp = tempfile::tempdir().expect("tempdir");
    crate::support::build_in_segments(&[crate::support::corpus()], tmp.path()).expect("indexes");
    let dir = cuentas::index::IndexDir::new(tmp.path());
    let mut parallel = cuentas::index::Engine::open(&dir).expect("opens");
    parallel.set_segment_threads(2).expect("threads");
    assert!(
        parallel.alone().is_some(),
        "no other search runs on this engine"
    );
    let one = &cuentas::index::Engine::open(&dir).expect("opens");
    assert!(
        one.searcher().segment_readers().len() > 1,
        "several segments to hand around"
    );
    for (q, filters) in [
        ("salud", vec![]),
        ("servicio OR atencion", vec![("limit", "25")]),
        ("\"mora patronal\"", vec![("year", "2021")]),
        ("afiliados", vec![("province", "manabi"), ("offset", "2")]),
        ("", vec![("policy", "discapacidades")]),
        ("saludd", vec![]),
    ] {
        let mut raw = cuentas::search::RawRequest {
            q: Some(q.to_string()),
            ..Default::default()
        };
        for (k, v) in &filters {
            match *k {
                "year" => raw.year.push(v.to_string()),
                "province" => raw.province.push(v.to_string()),
                "policy" => raw.policy.push(v.to_string()),
                "limit" => raw.limit = Some(v.to_string()),
                _ => raw.offset = Some(v.to_string()),
            }
        }
        let request = cuentas::search::Request::from_raw(&raw).expect("valid");
        let a = cuentas::search::run(one, &request).expect("one thread");
        let b = cuentas::search::run(&parallel, &request).expect("two threads");
        assert_eq!((a.total, &a.facets), (b.total, &b.facets), "{q}");
        let hits = |r: &cuentas::search::Response| {
            r.hits
                .iter()
                .map(|h| (h.passage_id.clone(), h.score))
                .collect::<Vec<_>>()
        };
        assert_eq!(hits(&a), hits(&b), "{q}");
        assert_eq!(a.corrected_query, b.corrected_query, "{q}");
    }
    for (q, min) in [("", "0"), ("salud", "0"), ("servicio OR atencion", "1000")] {
        let raw = cuentas::search::RawFigureRequest {
            search: cuentas::search::RawRequest {
                q: Some(q.to_string()),
                ..Default::default()
            },
            min: Some(min.to_string()),
            limit: Some("50".into()),
            ..Default::default()
        };
        let request = cuentas::search::FigureRequest::from_raw(&raw).expect("valid");
        let json = |e: &cuentas::index::Engine| {
            let mut v =
                serde_json::to_value(cuentas::search::run_figures(e, &request).expect("runs"))
                    .expect("json");
            v["took_ms"] = serde_json::Value::Null;
            v
        };
        assert_eq!(json(one), json(&parallel), "figures {q} min {min}");
    }
}

/// The ranking of `q` by tantivy's own top-k, every boost scored on every match and each score
/// times its passage's weight: (score rounded to 1e-3, passage id), best first.
fn ranked_by_whole_query(q: &str) -> Vec<(i64, String)> {
    use cuentas::index::key::PassageKey;
    use cuentas::search::query;
    use tantivy::collector::TopDocs;
    use tantivy::{DocId, Score, SegmentReader};

    let engine = crate::support::engine();
    let searcher = engine.searcher();
    let items = query::parse(q).expect("parses");
    let whole = query::build(&items, query::TextFields::of(&engine.fields, &searcher))
        .expect("a text query");
    let top = TopDocs::with_limit(100).tweak_score(|reader: &SegmentReader| {
        let keys = reader
            .fast_fields()
            .u64("key")
            .expect("a key column")
            .first_or_default_col(PassageKey::default_packed());
        move |doc: DocId, score: Score| {
            score * f32::from(PassageKey::unpack(keys.get_val(doc)).weight) / 100.0
        }
    });
    let hits = searcher.search(&*whole, &top).expect("searches");
    let mut ranked: Vec<(i64, String)> = hits
        .into_iter()
        .map(|(score, address)| {
            let id = engine.passage(address).expect("stored").passage_id;
            ((f64::from(score) * 1000.0).round() as i64, id)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    ranked
}

#[test]
fn phrase_boosts_scored_on_the_best_matches_rank_as_if_scored_on_every_match() {
    // A phrase's exact wording is scored on the best `RESCORE_WINDOW` matches only. When every
    // match is within it, the page is what scoring the whole query on every match gives.
    for q in [
        "\"rendición de cuentas\"",
        "\"muerte materna\"",
        "\"seguridad social\" afiliados",
        "\"adultos mayores\" OR discapacidades",
    ] {
        let r = search(q, &[("limit", "100")]);
        assert!(r.total > 0 && r.total <= 100, "{q}: {} matches", r.total);
        let mut got: Vec<(i64, String)> = r
            .hits
            .iter()
            .map(|h| {
                (
                    (f64::from(h.score) * 1000.0).round() as i64,
                    h.passage_id.clone(),
                )
            })
            .collect();
        got.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        assert_eq!(got, ranked_by_whole_query(q), "{q}");
    }
}

#[test]
fn pages_of_a_phrase_query_follow_each_other() {
    let q = "\"rendición de cuentas\"";
    let all = search(q, &[("limit", "30")]);
    let mut paged = Vec::new();
    for offset in [0, 10, 20] {
        let page = search(q, &[("limit", "10"), ("offset", &offset.to_string())]);
        assert_eq!(page.total, all.total);
        paged.extend(page.hits.into_iter().map(|h| h.passage_id));
    }
    let whole: Vec<String> = all.hits.into_iter().map(|h| h.passage_id).collect();
    assert_eq!(paged, whole);
}

#[test]
fn a_phrase_takes_any_word_where_it_has_a_function_word_inside_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(
        tmp.path(),
        "manabi-2021.txt",
        "Rendición de Cuentas 2021\nDirección Provincial de Manabí\n\n\
         Los fondos en reserva del banco crecieron durante el año.\n\n\
         Se pagaron los fondos de reserva a todos los afiliados.\n\n\
         Los fondos reserva técnica no se movieron.\n\n\
         Los fondos de la reserva legal quedaron igual.\n\n\
         Se cobraron pagos mora de empleadores.\n\n\
         Se redujo la mora de los municipios.\n",
    );
    let texts = |q: &str| -> Vec<String> {
        crate::support::search_in(&engine, q, &[])
            .hits
            .into_iter()
            .map(|h| h.text)
            .collect()
    };
    // One word, any word, where the phrase says `de`; the exact wording first.
    let hits = texts("\"fondos de reserva\"");
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits[0].contains("fondos de reserva"), "{hits:?}");
    assert!(hits[1].contains("fondos en reserva"), "{hits:?}");
    // A function word at either end still has to be there.
    let hits = texts("\"la mora\"");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("la mora"), "{hits:?}");
    // A phrase of function words and one other word keeps them all.
    let hits = texts("\"de la reserva\"");
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn a_table_row_is_found_by_its_column_headers_and_shows_the_figure_asked_for() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = crate::support::one_report(
        tmp.path(),
        "guayas-2021.txt",
        "Rendición de Cuentas 2021\nDirección Provincial del Guayas\n\n\
         El presupuesto de la dirección se ejecutó como sigue.\n\n\
         Descripción\tCodificado\tDevengado\n\
         Total Remuneraciones\t4.662.038,11\t2.403.544,30\n\
         Bienes y servicios\t1.838.367,67\t644.022,43\n\n\
         Los afiliados crecieron cada año.\n\n\
         Indicador\t2019\t2020\tFuente\n\
         Afiliados activos\t15.230\t16.480\tIESS\n",
    );
    let index = tmp.path().join("index");
    crate::support::build(&[corpus], &index).expect("indexes");
    let engine =
        cuentas::index::Engine::open(&cuentas::index::IndexDir::new(&index)).expect("opens");
    let search = |q: &str| crate::support::search_in(&engine, q, &[]);
    let marked = |h: &cuentas::search::Hit| -> Vec<String> {
        h.highlights
            .iter()
            .map(|&(s, e)| h.text[s..e].to_string())
            .collect()
    };

    // No cell of the row says "devengado": its column's header does.
    let r = search("remuneraciones devengado");
    let top = r.hits.first().expect("a hit");
    assert!(top.text.starts_with("Total Remuneraciones"), "{}", top.text);
    assert_eq!(marked(top), ["Remuneraciones", "2.403.544,30"]);

    // A year over a column heads it: the row is found by it, its figure labelled with it.
    let r = search("afiliados activos 2020");
    let top = r.hits.first().expect("a hit");
    assert!(top.text.starts_with("Afiliados activos"), "{}", top.text);
    assert!(
        marked(top).contains(&"16.480".to_string()),
        "{:?}",
        marked(top)
    );
    let figure = top
        .figures
        .iter()
        .find(|f| f.value == 16_480.0)
        .expect("the figure of 2020");
    assert_eq!(
        figure.label.as_deref(),
        Some("Afiliados activos IESS · 2020")
    );

    // The headers are apart from the cells: no phrase runs from a row's last cell into them.
    assert_eq!(search("\"afiliados activos\"").total, 1);
    assert_eq!(search("\"iess indicador\"").total, 0);
    // The words of the row itself still rank it.
    assert!(search("bienes servicios")
        .hits
        .iter()
        .any(|h| h.text.starts_with("Bienes y servicios")));
}

#[test]
fn a_row_of_neither_figures_nor_words_is_not_found_by_its_headers() {
    // `2007-2009` over two columns, wrapped: its first line reads as a row of its own.
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(
        tmp.path(),
        "guia-2012.txt",
        "Tabla 28: Cálculo del esfuerzo administrativo\n\n\
         Provincia\tGasto corriente\tIngreso total\n\
         \t2007-\t2007-\n\
         Provincia 1\t766\t821\n\
         Provincia 2\t540\t636\n",
    );
    let r = crate::support::search_in(&engine, "gasto corriente", &[]);
    let texts: Vec<&str> = r.hits.iter().map(|h| h.text.as_str()).collect();
    assert!(!texts.contains(&"2007- | 2007-"), "{texts:?}");
    assert!(texts.contains(&"Provincia 1 | 766 | 821"), "{texts:?}");
}

#[test]
fn a_query_cut_short_while_typing_is_completed_before_it_loses_a_word() {
    // The reports write `Seguro Social Campesino`; `soc` is no word of theirs.
    let r = search("seguro soc", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("seguro social"));
    assert!(
        r.hits
            .first()
            .is_some_and(|h| h.text.contains("Seguro Social")),
        "{:#?}",
        r.hits.first()
    );
    // A word of the reports is not completed into another, however more frequent.
    let engine = crate::support::engine();
    assert!(engine.words().passages("publicas") > engine.words().passages("publica"));
    assert!(engine.words().passages("publica") > 0);
    let completed = |q: &str| cuentas::search::suggest::completed(engine, q).expect("completes");
    assert_eq!(completed("politica publica"), None);
    assert_eq!(
        completed("politica publ").as_deref(),
        Some("politica públicas")
    );
}

#[test]
fn a_completion_that_finds_nothing_leaves_the_query_as_spelt() {
    let mut text =
        String::from("INFORME DE RENDICIÓN DE CUENTAS 2021\nDirección Provincial de Loja\n\n");
    for i in 0..20 {
        text += &format!("Se pagó la pensión número {i} del cantón.\n\n");
    }
    text += "Los afiliados recibieron los datos en un pen drive.\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "loja-2021.txt", &text);
    // `afilaidos` is spelt `afiliados`; `pen`, in one passage, would be completed as
    // `pensión`, which no passage holds beside `afiliados`.
    let r = crate::support::search_in(&engine, "afilaidos pen", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("afiliados pen"));
    assert_eq!(r.total, 1);
}

#[test]
fn a_query_that_finds_nothing_is_answered_for_fewer_words() {
    // No passage holds all three: the word that finds nothing is left out, and the answer says
    // so.
    let r = search("mora patronal zzzqqq", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("mora patronal"));
    assert!(r.total > 0);
    assert!(r.hits[0].text.to_lowercase().contains("mora patronal"));
    // A word in the middle goes before the first words are cut down.
    let r = search("mora zzzqqq patronal", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("mora patronal"));
    // A number written in groups is one word: left out whole, never cut into another number.
    let r = search("salud 101 999", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("salud"));
    // So is a number with its scale: 101 mil is not 101.
    let r = search("salud 101 mil", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("salud"));
    let r = search("salud USD 101 mil", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("salud"));
    // And a percentage with its sign: a sign alone is no word, it would find every passage.
    let r = search("salud 97,3 %", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("salud"));
    let r = search("salud noventa y nueve por ciento", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("salud"));
    let r = search("97,3 %", &[]);
    assert_eq!((r.total, r.corrected_query), (0, None));
    let r = search("salud zzzqqq -", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("salud"));
    // And a bound on amounts with its words.
    let r = search("zzzqqq más de 4 millones", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("más de 4 millones"));
    // Both words find passages, none both: the word kept is the one whose best passage
    // scores highest, wherever it was typed.
    for q in ["salud mora", "mora salud"] {
        let r = search(q, &[]);
        let kept = r.corrected_query.as_deref().expect("a word left out");
        let other = if kept == "mora" { "salud" } else { "mora" };
        assert!(
            r.hits[0].score >= search(other, &[]).hits[0].score,
            "{q}: {kept}"
        );
    }
    let r = search("rendición zzzqqq salud", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("rendición salud"));
    // A word that finds nothing alone, first or anywhere, is left out before the others.
    let r = search("zzzqqq mora", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("mora"));
    assert!(r.total > 0);
    let r = search("zzzqqq mora patronal wwwkkk", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("mora patronal"));
    // Nor is it a word that finds nothing only within the filters: it would empty the query.
    let r = search("zzzqqq mora", &[("province", "Manabí")]);
    assert_eq!(r.corrected_query.as_deref(), Some("mora"));
    // A slip that a spelling fixes is kept, and fixed.
    let r = search("morra patronal zzzqqq", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("mora patronal"));
    // Nothing is left when no word finds anything.
    let r = search("zzzqqq wwwkkk", &[]);
    assert_eq!((r.total, r.corrected_query), (0, None));
    // A phrase or an exclusion says exactly what is wanted.
    let r = search("\"mora zzzqqq\"", &[]);
    assert_eq!((r.total, r.corrected_query), (0, None));
    let r = search("zzzqqq -mora", &[]);
    assert_eq!((r.total, r.corrected_query), (0, None));
    // A query that finds something is run as typed.
    assert_eq!(search("mora patronal", &[]).corrected_query, None);
    // The words of a question are not what is meant, first as they stand.
    let r = search("cuántos zzzqqq afiliados", &[]);
    assert_eq!(r.corrected_query.as_deref(), Some("afiliados"));
}

#[test]
fn a_query_that_finds_nothing_keeps_its_rare_words_not_its_first() {
    // Spanish puts the generic word first (`número de atenciones`): kept first, it would show
    // every count of anything.
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(
        tmp.path(),
        "informe-2021.txt",
        "El número de afiliados creció.\n\nEl número de convenios firmados creció.\n\n\
         El número de empleadores creció.\n\nSe brindaron 9.000 atenciones médicas.\n\n\
         Los pensionistas recibieron su pago.\n\n\
         El plazo total para la ejecución de los trabajos es de noventa días.\n\n\
         La obra se divide en etapas, cada una con su cronograma; el plazo de cada etapa se \
         fija en el acta de inicio, con la forma de ejecución y de pago de los trabajos.\n\n\
         El total de afiliados creció.\n\nEl total recaudado creció.\n\n\
         El total de convenios se firmó.\n",
    );
    let answer = |q: &str| {
        let r = crate::support::search_in(&engine, q, &[]);
        (r.corrected_query, r.hits.first().map(|h| h.text.clone()))
    };
    let answered = |words: &str, text: &str| (Some(words.to_string()), Some(text.to_string()));
    for q in ["número de atenciones", "atenciones número"] {
        assert_eq!(
            answer(q),
            answered("atenciones", "Se brindaron 9.000 atenciones médicas."),
            "{q}"
        );
    }
    // No two of the words stand together: the rarest stays, wherever it was typed.
    assert_eq!(
        answer("número atenciones pensionistas"),
        answered("atenciones", "Se brindaron 9.000 atenciones médicas."),
    );
    // Among the words but one, those whose best passage scores highest: the common `total`,
    // next to `plazo`, is kept, and `obra` goes.
    assert_eq!(
        answer("plazo total ejecución obra"),
        answered(
            "plazo total ejecución",
            "El plazo total para la ejecución de los trabajos es de noventa días."
        )
    );
}

#[test]
fn a_long_query_that_finds_nothing_is_answered_for_its_most_first_words() {
    // Each word finds passages alone, no passage holds them all: left out one at a time from
    // the end, the tries would all go to the last words and find nothing.
    let typed = "mora patronal recaudación afiliados salud hospital discapacidad pensiones \
                 convenios atención";
    let words: Vec<&str> = typed.split_whitespace().collect();
    for word in &words {
        let alone = search(word, &[]);
        assert_eq!(alone.corrected_query, None, "{word}");
        assert!(alone.total > 0, "{word}");
    }
    let r = search(typed, &[]);
    let kept = r.corrected_query.expect("a shorter query is run");
    let k = kept.split_whitespace().count();
    assert!(k < words.len(), "{kept}");
    assert_eq!(kept, words[..k].join(" "));
    assert!(r.total > 0);
    // The most first words that find something: one more finds nothing as typed.
    let longer = search(&words[..=k].join(" "), &[]);
    assert!(longer.corrected_query.is_some(), "{kept}");
}

#[test]
fn a_question_is_answered_for_the_words_it_asks_about() {
    // Reports answer questions without asking them: a question finds what its words find.
    let asked = search("¿Cuántos afiliados hay en Manabí?", &[]);
    let words = search("afiliados Manabí", &[]);
    assert!(asked.total > 0);
    assert_eq!(asked.corrected_query, None);
    assert_eq!(asked.total, words.total);
    let ids = |r: &cuentas::search::Response| {
        r.hits
            .iter()
            .map(|h| h.passage_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&asked), ids(&words));
    let spent = search("¿cuánto se recaudó?", &[]);
    assert_eq!(spent.total, search("recaudó", &[]).total);
    assert!(spent.hits[0].text.to_lowercase().contains("recaud"));
    // A question word is still found when it is all that is asked.
    assert!(search("cómo", &[]).total > 0);
}

#[test]
fn the_name_of_an_acronym_finds_the_acronym_too() {
    // The Bolívar report writes `Seguro Social Campesino` and, after it, `SSC`.
    let holds = |r: &cuentas::search::Response, s: &str| r.hits.iter().any(|h| h.text.contains(s));
    for q in ["seguro campesino", "Seguro Social Campesino"] {
        let r = search(q, &[]);
        assert!(holds(&r, "dispensarios médicos del SSC"), "{q}");
        assert!(holds(&r, "Seguro Social Campesino"), "{q}");
        assert_eq!(r.corrected_query, None, "{q}");
    }
    // The acronym is searched as written.
    let r = search("SSC", &[]);
    assert!(r.total > 0 && r.hits.iter().all(|h| h.text.contains("SSC")));
    let r = search("dispensarios seguro campesino", &[]);
    let first = r
        .hits
        .iter()
        .find(|h| h.text.contains("del SSC"))
        .expect("the acronym's passage");
    assert!(
        snippet_html(first).contains("<mark>SSC</mark>"),
        "{}",
        snippet_html(first)
    );
    // Part of a name is not the name.
    assert!(!holds(&search("seguro social", &[]), "del SSC"));
    // In another order, the words are not the name.
    let name = search("seguro campesino", &[]);
    let words = search("campesino seguro", &[]);
    assert!(name.total > words.total);
}

#[test]
fn a_range_of_years_finds_any_year_in_it() {
    let either = search("afiliados 2020 OR 2021", &[]);
    let both = search("afiliados 2020 2021", &[]);
    assert!(either.total > both.total, "{} {}", either.total, both.total);
    for q in [
        "afiliados 2020-2021",
        "afiliados 2020/2021",
        "afiliados de 2020 a 2021",
        "afiliados entre 2020 y 2021",
        "afiliados desde 2020 hasta 2021",
    ] {
        let r = search(q, &[]);
        assert_eq!(r.total, either.total, "{q}");
        assert_eq!(r.corrected_query, None, "{q}");
    }
    // Without a word of a range, two years are both required.
    assert_eq!(search("afiliados 2020 y 2021", &[]).total, both.total);
    // A range runs forward, over a few decades at most.
    assert_eq!(search("afiliados 2021-2020", &[]).total, both.total);
}

#[test]
fn a_frequent_word_counted_when_the_index_is_built_counts_as_a_search_would() {
    // More passages of `pensión` than `word_counts::MIN_PASSAGES`, in the one segment of a small
    // index.
    let mut text = String::from("Rendición de Cuentas 2021\nDirección Provincial IESS Manabí\n\n");
    for i in 0..9_000 {
        let policy = match i % 3 {
            0 => " para personas con discapacidad",
            1 => " a las madres y mujeres jefas de hogar",
            _ => "",
        };
        text += &format!("La pensión número {i} fue pagada a tiempo{policy}.\n\n");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let engine = crate::support::engine_of_report(tmp.path(), "manabi-2021.txt", &text);
    assert!(!engine.word_counts().is_empty());

    // The same passages, counted one by one: an exclusion makes the query one whose counts
    // are not kept.
    let counted = |word: &str| {
        let query = format!("{word} -zzzqqq");
        crate::support::search_in(&engine, &query, &[("limit", "0")])
    };
    for word in ["pensión", "pension", "pensiones"] {
        // A page of hits, and counts alone, take the counts the index holds.
        let ranked = crate::support::search_in(&engine, word, &[]);
        let alone = crate::support::search_in(&engine, word, &[("limit", "0")]);
        let counted = counted(word);
        assert_eq!(ranked.total, 9_000, "{word}");
        assert_eq!(ranked.hits.len(), 10);
        assert_eq!(ranked.total, counted.total);
        assert_eq!(ranked.facets, counted.facets, "{word}");
        assert_eq!((alone.total, &alone.facets), (ranked.total, &ranked.facets));
        let policy = |slug: &str| ranked.facets.policy.iter().find(|v| v.value == slug);
        assert_eq!(policy("discapacidades").map(|v| v.count), Some(3_000));
    }
    // A filtered search counts for itself.
    let filtered = crate::support::search_in(&engine, "pensión", &[("policy", "discapacidades")]);
    assert_eq!(filtered.total, 3_000);

    // The report's year and province, as words, match every passage of the report: their
    // counts are kept too.
    for word in ["Manabí", "manabi", "2021"] {
        let ranked = crate::support::search_in(&engine, word, &[]);
        let alone = crate::support::search_in(&engine, word, &[("limit", "0")]);
        let counted = counted(word);
        assert!(ranked.total >= 9_000, "{word}: {}", ranked.total);
        assert_eq!(ranked.hits.len(), 10);
        assert_eq!(ranked.total, counted.total, "{word}");
        assert_eq!(ranked.facets, counted.facets, "{word}");
        assert_eq!((alone.total, &alone.facets), (ranked.total, &ranked.facets));
    }
}

#[test]
fn a_province_of_several_words_counted_when_the_index_is_built_counts_as_a_search_would() {
    // A report of Los Ríos of more passages than `word_counts::MIN_PASSAGES`, and one of
    // Guayas whose passages name rivers now and then: a search of the province finds every
    // passage of the first, and those of the second with the name's word, `los` left out as
    // among bare words (`Ríos crecidos` too).
    let mut rios =
        String::from("Rendición de Cuentas 2021\nDirección Provincial IESS Los Ríos\n\n");
    for i in 0..2_600 {
        rios += &match i % 3 {
            0 => format!("En Los Ríos se atendieron {i} afiliados.\n\n"),
            1 => format!("La agencia {i} abrió para personas con discapacidad.\n\n"),
            _ => format!("Se pagaron {i} pensiones a tiempo.\n\n"),
        };
    }
    let mut guayas =
        String::from("Rendición de Cuentas 2021\nDirección Provincial IESS Guayas\n\n");
    for i in 0..900 {
        guayas += &match i % 3 {
            0 => format!("Se derivaron {i} pacientes a los ríos y esteros de la zona.\n\n"),
            1 => format!("Ríos crecidos cerraron {i} agencias.\n\n"),
            _ => format!("Se atendieron {i} afiliados en Guayaquil.\n\n"),
        };
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).expect("corpus folder");
    std::fs::write(corpus.join("los-rios-2021.txt"), rios).expect("writes");
    std::fs::write(corpus.join("guayas-2021.txt"), guayas).expect("writes");
    let index = tmp.path().join("index");
    crate::support::build(&[corpus], &index).expect("indexes");
    let engine =
        cuentas::index::Engine::open(&cuentas::index::IndexDir::new(&index)).expect("opens");
    let facet = tantivy::schema::Facet::from_path(["province", "Los Ríos"]);
    let key = cuentas::index::word_counts::context_key("los rios", &facet);
    assert!(engine.word_counts().holds(&key));
    assert!(engine.word_tops().holds("los rios"));

    // The same passages, counted one by one: an exclusion makes the query one whose counts
    // are not kept.
    for query in ["Los Ríos", "los rios", "LOS RIOS"] {
        let ranked = crate::support::search_in(&engine, query, &[]);
        let alone = crate::support::search_in(&engine, query, &[("limit", "0")]);
        let counted =
            crate::support::search_in(&engine, &format!("{query} -zzzqqq"), &[("limit", "0")]);
        // Its page, from the best passages the index keeps, is the one ranked at search time.
        let searched = crate::support::search_in(&engine, &format!("{query} -zzzqqq"), &[]);
        let page = |r: &cuentas::search::Response| {
            r.hits
                .iter()
                .map(|h| (h.passage_id.clone(), h.score))
                .collect::<Vec<_>>()
        };
        assert_eq!(page(&ranked), page(&searched), "{query}");
        assert_eq!(ranked.hits.len(), 10);
        assert_eq!(ranked.total, counted.total, "{query}");
        assert_eq!(ranked.facets, counted.facets, "{query}");
        assert_eq!((alone.total, &alone.facets), (ranked.total, &ranked.facets));
        let province = |name: &str| ranked.facets.province.iter().find(|v| v.value == name);
        assert_eq!(province("Guayas").map(|v| v.count), Some(600), "{query}");
        assert!(
            province("Los Ríos").is_some_and(|v| v.count >= 2_600),
            "{query}"
        );
    }
}

#[test]
fn a_frequent_word_ranked_when_the_index_is_built_ranks_as_a_search_would() {
    // More passages of `pensión` than `word_counts::MIN_PASSAGES`, of many lengths and
    // weights, so that the best are not the first.
    let mut text = String::from("Rendición de Cuentas 2021\nDirección Provincial IESS Manabí\n\n");
    for i in 0..12_000 {
        let passage = match i % 7 {
            0 => format!("Pensiones {i}.\n\n"),
            1 => format!("La pensión número {i} fue pagada a tiempo.\n\n"),
            2 => format!(
                "En el periodo se revisaron {i} expedientes de pensión, de jubilación y de \
                 montepío, con la pensión mínima y la pensión máxima de cada afiliado.\n\n"
            ),
            3 => format!("Pensión de {i} dólares.\n\n"),
            4 => format!("pensión pensión {i}.\n\n"),
            5 => format!("Se pagaron {i} pensiones a jubilados de Manabí en 2021.\n\n"),
            _ => format!("El trámite {i} de la pensión de viudez.\n\n"),
        };
        text += &passage;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = crate::support::one_report(tmp.path(), "manabi-2021.txt", &text);
    let index = tmp.path().join("index");
    crate::support::build(&[corpus], &index).expect("indexes");
    let dir = cuentas::index::IndexDir::new(&index);
    let listed = cuentas::index::Engine::open(&dir).expect("opens");
    for word in ["pension", "pensiones", "manabi", "2021"] {
        assert!(listed.word_tops().holds(word), "{word}");
    }
    // The same index without its lists ranks every search for itself.
    let generation = dir.current().expect("reads").expect("built");
    std::fs::remove_file(generation.join("word-tops.bin")).expect("removes");
    let ranking = cuentas::index::Engine::open(&dir).expect("opens");
    assert!(ranking.word_tops().is_empty());

    assert_answers_alike(
        &listed,
        &ranking,
        &["pensión", "pension", "pensiones", "Manabí", "2021"],
        &[
            ("10", "0"),
            ("30", "0"),
            ("10", "90"),
            ("10", "95"),
            ("0", "0"),
        ],
    );
}

/// Asserts that engines `fast` and `slow` (one index, with and without something its build
/// keeps to spare searches work) give each of `queries`, at each page `(limit, offset)` of
/// `pages`, the same hits with the same scores to the bit, the same total and the same facets.
fn assert_answers_alike(
    fast: &cuentas::index::Engine,
    slow: &cuentas::index::Engine,
    queries: &[&str],
    pages: &[(&str, &str)],
) {
    let page = |r: &cuentas::search::Response| -> Vec<(String, u32)> {
        r.hits
            .iter()
            .map(|h| (h.passage_id.clone(), h.score.to_bits()))
            .collect()
    };
    for query in queries {
        for &(limit, offset) in pages {
            let params = [("limit", limit), ("offset", offset)];
            let quick = crate::support::search_in(fast, query, &params);
            let plain = crate::support::search_in(slow, query, &params);
            assert_eq!(page(&quick), page(&plain), "{query} {limit} {offset}");
            assert_eq!(
                (quick.total, &quick.facets),
                (plain.total, &plain.facets),
                "{query}"
            );
            if limit != "0" {
                assert!(!quick.hits.is_empty(), "{query}");
            }
        }
    }
}

#[test]
fn a_query_of_several_words_ranks_with_its_bounds_and_sets_as_scoring_every_match() {
    // Passages of many lengths and weights holding two or three of the words, more than
    // `score_bounds::MIN_PASSAGES`, so that the index keeps bounds of their terms and the best
    // are spread over the segment. Two reports, of two provinces and years, so that a query's
    // province or year names some passages and not others.
    let mut text = String::from("Rendición de Cuentas 2021\nDirección Provincial IESS Manabí\n\n");
    let mut other = String::from("Rendición de Cuentas 2022\nDirección Provincial IESS Guayas\n\n");
    for i in 0..12_000 {
        let passage = match i % 9 {
            0 => format!("Pensión mínima {i}.\n\n"),
            1 => format!("La pensión mínima de los jubilados número {i} fue pagada a tiempo.\n\n"),
            2 => format!(
                "En el periodo se revisaron {i} expedientes de pensión, de jubilación y de \
                 montepío, con la pensión mínima y la pensión máxima de cada jubilado, según \
                 la resolución de los jubilados de la provincia.\n\n"
            ),
            3 => format!("Pensiones mínimas de {i} dólares para jubilados.\n\n"),
            4 => format!("pensión pensión jubilados jubilados {i}.\n\n"),
            5 => format!("Se pagaron {i} pensiones mínimas a jubilados de Manabí en 2021.\n\n"),
            // Short passages of `orfandad` late in the index, scoring above the long ones
            // before them.
            6 if i > 8_000 && i % 10 == 6 => format!("Jubilados: {i}. Pensión de orfandad.\n\n"),
            6 => format!("Jubilados: {i}. Pensión: mínima.\n\n"),
            // One in five of these passages says `orfandad`: a word in fewer passages than
            // the index keeps bounds for, whose bounds a query computes.
            7 => format!(
                "El trámite {i} de la pensión de {} de los jubilados, con la atención a \
                 personas con discapacidad y a los adultos mayores del cantón.\n\n",
                if i % 5 == 0 { "orfandad" } else { "viudez" }
            ),
            _ => format!("La jubilación {i} y la pensión mínima vitalicia.\n\n"),
        };
        if i % 4 != 0 {
            other += &passage;
        } else {
            text += &passage;
        }
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = crate::support::one_report(tmp.path(), "manabi-2021.txt", &text);
    std::fs::write(corpus.join("guayas-2022.txt"), other).expect("writes");
    let index = tmp.path().join("index");
    crate::support::build(&[corpus], &index).expect("indexes");
    let dir = cuentas::index::IndexDir::new(&index);
    let bounded = cuentas::index::Engine::open(&dir).expect("opens");
    assert!(!bounded.score_bounds().is_empty());
    assert!(!bounded.stem_sets().get().is_empty());
    // Bounds computed when a query asks for them are those the build keeps.
    let searcher = bounded.searcher();
    let body = cuentas::index::schema::schema().1.body;
    let mean = cuentas::index::score_bounds::mean_length(&searcher, body).expect("reads");
    let key = cuentas::index::schema::KEY_COLUMN;
    for word in ["jubilacion", "viudez", "pensiones"] {
        let exact = cuentas::analysis::exact_term(word);
        let term = tantivy::Term::from_field_text(body, &exact);
        for reader in searcher.segment_readers() {
            let kept = bounded.score_bounds().get(reader.segment_id(), &exact);
            let now =
                cuentas::index::score_bounds::term_now(reader, &term, key, mean).expect("reads");
            assert!(kept.is_some(), "{word}: kept");
            assert_eq!(now, kept, "{word}");
        }
    }
    // An engine warmed (as a server warms every generation it opens) has read both.
    let warmed = cuentas::index::Engine::open(&dir).expect("opens");
    warmed.warm();
    // The same index without its bounds scores every match, and without its sets of stems
    // seeks every word in its postings.
    let generation = dir.current().expect("reads").expect("built");
    std::fs::remove_file(generation.join("score-bounds.bin")).expect("removes");
    std::fs::remove_file(generation.join("stem-sets.bin")).expect("removes");
    let scoring = cuentas::index::Engine::open(&dir).expect("opens");
    assert!(scoring.score_bounds().is_empty());
    assert!(scoring.stem_sets().get().is_empty());
    assert!(!warmed.score_bounds().is_empty());
    assert!(!warmed.stem_sets().get().is_empty());

    assert_answers_alike(
        &bounded,
        &scoring,
        &[
            "pensión jubilados",
            "pension minima",
            "pensiones mínimas jubilados",
            "jubilados pensión -viudez",
            "mínima pensión jubilación",
            "pensión orfandad jubilados",
            // A province and a year: in the text, or the report's.
            "pensión jubilados Manabí",
            "pensión jubilados 2021",
        ],
        &[
            ("10", "0"),
            ("1", "0"),
            ("30", "0"),
            ("10", "90"),
            ("0", "0"),
        ],
    );
}

#[test]
fn a_word_of_a_unit_s_name_finds_the_unit_s_passages_a_kind_of_unit_does_not() {
    // Four hospitals, each report naming its unit once: its passages name neither the hospital
    // nor its town.
    let tmp = tempfile::tempdir().expect("tempdir");
    let reports = [
        ("chone.txt", "Hospital Básico Chone"),
        ("jipijapa.txt", "Hospital Básico Jipijapa"),
        ("portoviejo.txt", "Hospital General Portoviejo"),
        ("manta.txt", "Hospital del Día Manta"),
    ]
    .map(|(file, unit)| {
        let text = format!(
            "Rendición de Cuentas 2021\n{unit}\n\n\
             Durante el año se realizaron 1.200 atenciones de emergencia a los afiliados.\n"
        );
        (file, text)
    });
    let engine = crate::support::engine_of_reports(tmp.path(), reports);
    let sources = |q: &str| -> Vec<String> {
        let r = crate::support::search_in(&engine, q, &[]);
        assert!(r.corrected_query.is_none(), "{q}: {r:#?}");
        r.hits.iter().map(|h| h.info.source.clone()).collect()
    };
    // A town's hospital, by the town's name: the passage of its report that does not name it.
    assert_eq!(sources("chone atenciones"), ["chone.txt"]);
    assert_eq!(sources("atenciones Portoviejo"), ["portoviejo.txt"]);
    // `hospital` names every unit: a kind of unit, which only the text may say.
    let r = crate::support::search_in(&engine, "hospital atenciones", &[]);
    assert!(
        r.corrected_query.is_some() || r.total == 0,
        "hospital atenciones: {r:#?}"
    );
}
