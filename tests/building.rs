use std::fs;

use cuentas::index::{Engine, IndexDir};
use cuentas::search::{self, Request};

use crate::support::{build, corpus, fixtures};

#[test]
fn broken_files_are_skipped_with_their_reason_and_the_rest_is_indexed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(folder.join("sub")).expect("mkdir");
    fs::copy(
        corpus().join("003_ba189c1830490d8b.txt"),
        folder.join("sub/manabi.txt"),
    )
    .expect("copy");
    for name in ["broken.pdf", "junk.txt", "empty.txt", "notes.docx"] {
        fs::copy(fixtures().join(name), folder.join(name)).expect("copy fixture");
    }
    let summary = build(&[folder], &tmp.path().join("index")).expect("builds");
    assert_eq!(summary.reports, 1);
    let reasons: Vec<String> = summary
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.path.display(), s.reason))
        .collect();
    assert_eq!(summary.skipped.len(), 4, "{reasons:#?}");
    for name in ["broken.pdf", "junk.txt", "empty.txt", "notes.docx"] {
        assert!(
            reasons.iter().any(|r| r.contains(name)),
            "{name} must be listed: {reasons:#?}"
        );
    }
}

/// Archives made on Windows name files in Latin-1: such a name is not UTF-8 on Linux. The
/// report is indexed, listed under its name as well as it reads, and its text shown again.
#[cfg(unix)]
#[test]
fn a_report_whose_file_name_is_not_utf8_is_indexed_and_shown() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(&folder).expect("mkdir");
    let name = std::ffi::OsStr::from_bytes(b"Rendici\xf3n 2021 Manab\xed.txt");
    fs::copy(corpus().join("003_ba189c1830490d8b.txt"), folder.join(name)).expect("copy");
    let index = tmp.path().join("index");
    let summary = build(std::slice::from_ref(&folder), &index).expect("builds");
    assert_eq!((summary.reports, summary.skipped.len()), (1, 0));
    let engine = Engine::open(&IndexDir::new(&index)).expect("opens");
    let report = &engine.reports()[0];
    assert_eq!(report.path, folder.join(name));
    assert!(
        report.info.source.starts_with("Rendici"),
        "{}",
        report.info.source
    );
    let detail = search::report::report_detail(
        &engine,
        &report.report_id,
        "",
        &search::report::TextCache::new(1 << 20),
        &search::Cancel::never(),
    )
    .expect("report");
    assert!(detail.text.is_some(), "{:?}", detail.text_error);
}

#[test]
fn a_folder_with_nothing_readable_is_an_error_and_keeps_the_previous_index() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    build(&[corpus()], &index).expect("first build");
    let before = IndexDir::new(&index).current().expect("reads");

    let junk = tmp.path().join("junk");
    fs::create_dir_all(&junk).expect("mkdir");
    fs::copy(fixtures().join("junk.txt"), junk.join("junk.txt")).expect("copy");
    let err = build(&[junk], &index).expect_err("nothing to index");
    assert!(
        err.to_string().contains("nothing could be indexed"),
        "{err}"
    );
    assert_eq!(IndexDir::new(&index).current().expect("reads"), before);
    let engine = Engine::open(&IndexDir::new(&index)).expect("the previous index still opens");
    assert_eq!(engine.reports().len(), 3);
}

#[test]
fn rebuilding_swaps_atomically_and_keeps_ids() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    build(&[corpus()], &index).expect("first build");
    let old = Engine::open(&IndexDir::new(&index)).expect("opens");
    let old_ids: Vec<String> = old.reports().iter().map(|r| r.report_id.clone()).collect();
    let request = Request::new("mora patronal").expect("valid");
    let old_hit = search::run(&old, &request).expect("search").hits[0]
        .passage_id
        .clone();

    build(&[corpus()], &index).expect("second build");
    // A reader opened before the swap keeps answering from its generation.
    assert!(
        search::run(&old, &request)
            .expect("old reader still works")
            .total
            > 0
    );
    let new = Engine::open(&IndexDir::new(&index)).expect("opens");
    assert_ne!(old.path, new.path, "a rebuild publishes a new generation");
    let new_ids: Vec<String> = new.reports().iter().map(|r| r.report_id.clone()).collect();
    assert_eq!(old_ids, new_ids);
    assert_eq!(
        search::run(&new, &request).expect("search").hits[0].passage_id,
        old_hit
    );
}

#[test]
fn an_interrupted_build_leaves_the_current_index_usable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    build(&[corpus()], &index).expect("build");
    // What a killed build leaves behind: a staging folder with partial files, from a dead pid.
    let stale = index.join(".staging-1-999999999");
    fs::create_dir_all(stale.join("passages")).expect("mkdir");
    fs::write(stale.join("passages/meta.json"), "{ partial").expect("write");
    let engine = Engine::open(&IndexDir::new(&index)).expect("current index opens");
    assert_eq!(engine.reports().len(), 3);
    build(&[corpus()], &index).expect("next build");
    assert!(
        !stale.exists(),
        "the next build removes stale staging folders"
    );
}

#[test]
fn windows_1252_bom_and_pdf_copies_read_like_the_originals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(&folder).expect("mkdir");
    for name in [
        "bolivar-2021-cp1252.txt",
        "manabi-2020-bom.txt",
        "nacional-2021.pdf",
    ] {
        fs::copy(fixtures().join(name), folder.join(name)).expect("copy fixture");
    }
    let index = tmp.path().join("index");
    let summary = build(&[folder], &index).expect("builds");
    assert_eq!(summary.reports, 3, "skipped: {:?}", summary.skipped);
    let engine = Engine::open(&IndexDir::new(&index)).expect("opens");
    let by_source = |s: &str| {
        engine
            .reports()
            .iter()
            .find(|r| r.info.source == s)
            .unwrap_or_else(|| panic!("{s} indexed"))
            .clone()
    };
    let b = by_source("bolivar-2021-cp1252.txt");
    assert_eq!(
        (b.info.year, b.info.province.as_deref()),
        (Some(2021), Some("Bolívar"))
    );
    assert!(!b.info.title.contains('Ã'), "mojibake in {}", b.info.title);
    let n = by_source("nacional-2021.pdf");
    assert_eq!(
        (n.info.year, n.info.province.as_deref()),
        (Some(2021), Some("Nacional"))
    );

    let r =
        search::run(&engine, &Request::new("\"muerte materna\"").expect("valid")).expect("search");
    let hit = r
        .hits
        .iter()
        .find(|h| h.info.source == "nacional-2021.pdf")
        .expect("found in the pdf");
    assert!(hit.page.is_some_and(|p| p >= 1), "a pdf hit has its page");
    let r = search::run(&engine, &Request::new("recaudado").expect("valid")).expect("search");
    assert!(r
        .hits
        .iter()
        .any(|h| h.info.source == "bolivar-2021-cp1252.txt"));
}

#[test]
fn a_metadata_file_beside_the_reports_corrects_extraction() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(folder.join("sub")).expect("mkdir");
    fs::copy(
        corpus().join("000_7392a04fe1206fbf.txt"),
        folder.join("sub/bolivar.txt"),
    )
    .expect("copy");
    fs::copy(
        corpus().join("003_ba189c1830490d8b.txt"),
        folder.join("manabi.txt"),
    )
    .expect("copy");
    fs::write(
        folder.join("cuentas.csv"),
        "source,year,province,unit,title\n\
         sub/bolivar.txt,,,Dirección Provincial IESS Bolívar,\n\
         manabi.txt,2019,GUAYAS,,Informe corregido\n\
         missing.txt,20x1,,,\n\
         typo.txt,2020,,,\n",
    )
    .expect("write");
    let summary = build(&[folder], &tmp.path().join("index")).expect("builds");
    assert_eq!(summary.reports, 2);
    assert_eq!(
        summary.warnings.len(),
        2,
        "bad rows are reported: {:?}",
        summary.warnings
    );
    assert!(
        summary.warnings.iter().any(|w| w.contains("typo.txt")),
        "{:?}",
        summary.warnings
    );
    let engine = Engine::open(&IndexDir::new(tmp.path().join("index"))).expect("opens");
    let by_source = |s: &str| {
        engine
            .reports()
            .iter()
            .find(|r| r.info.source == s)
            .cloned()
            .expect("indexed")
    };
    let b = by_source("sub/bolivar.txt");
    assert_eq!(
        (b.info.year, b.info.province.as_deref()),
        (Some(2021), Some("Bolívar")),
        "empty cells keep extraction"
    );
    assert_eq!(
        b.info.unit.as_deref(),
        Some("Dirección Provincial IESS Bolívar")
    );
    let m = by_source("manabi.txt");
    assert_eq!(
        (
            m.info.year,
            m.info.province.as_deref(),
            m.info.title.as_str()
        ),
        (Some(2019), Some("Guayas"), "Informe corregido")
    );
    let r = search::run(
        &engine,
        &Request::from_raw(&search::RawRequest {
            province: vec!["guayas".into()],
            ..search::RawRequest::default()
        })
        .expect("valid"),
    )
    .expect("search");
    assert!(r.total > 0 && r.hits.iter().all(|h| h.info.source == "manabi.txt"));
}

#[test]
fn an_index_of_another_version_is_told_apart_from_a_damaged_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let generation = build(&[corpus()], &index).expect("builds").generation;
    let opens = |what: &str| match Engine::open(&IndexDir::new(&index)) {
        Err(e) => e,
        Ok(_) => panic!("{what} must not open"),
    };
    let manifest = generation.join("manifest.json");
    let text = fs::read_to_string(&manifest).expect("manifest");
    let old = text.replacen(
        &format!("\"version\":{}", cuentas::index::Manifest::VERSION),
        "\"version\":1",
        1,
    );
    assert_ne!(old, text, "the manifest names its version");
    fs::write(&manifest, &old).expect("write");
    match opens("an outdated index") {
        cuentas::index::IndexError::Outdated { found: 1, .. } => {}
        e => panic!("expected an outdated index, got {e}"),
    }

    // Another version may lay its manifest out otherwise: still told by its version.
    let other_layout = old.replacen("\"provinces\":[", "\"provinces\":7,\"x\":[", 1);
    assert_ne!(other_layout, old);
    fs::write(&manifest, other_layout).expect("write");
    match opens("an outdated index") {
        cuentas::index::IndexError::Outdated { found: 1, .. } => {}
        e => panic!("expected an outdated index, got {e}"),
    }

    // Before format 25 the manifest was `reports.json`, with the reports in it.
    fs::remove_file(&manifest).expect("remove");
    let older = generation.join("reports.json");
    fs::write(
        &older,
        r#"{"version":24,"built_at":1,"provinces":[],"reports":[]}"#,
    )
    .expect("write");
    match opens("an index of format 24") {
        cuentas::index::IndexError::Outdated { found: 24, .. } => {}
        e => panic!("expected an outdated index, got {e}"),
    }
    fs::remove_file(&older).expect("remove");
    match opens("an index without its manifest") {
        cuentas::index::IndexError::Io { path, .. } => assert_eq!(path, manifest),
        e => panic!("expected a missing manifest, got {e}"),
    }

    // This version's manifest, cut short or not UTF-8: damaged.
    let mut cut = text.as_bytes()[..text.len() / 2].to_vec();
    for damaged in [cut.clone(), {
        cut.extend_from_slice(b"\xff\"}]}");
        cut
    }] {
        fs::write(&manifest, damaged).expect("write");
        match opens("a damaged manifest") {
            cuentas::index::IndexError::Corrupt { path, .. } => assert_eq!(path, manifest),
            e => panic!("expected a damaged index, got {e}"),
        }
    }

    // The list of reports, cut or changed: damaged, not read as other reports.
    fs::write(&manifest, &text).expect("write");
    let reports = generation.join("reports.bin");
    let good = fs::read(&reports).expect("reports");
    let mut changed = good.clone();
    changed[good.len() / 2] ^= 0x01;
    for damaged in [good[..good.len() - 1].to_vec(), changed, Vec::new()] {
        fs::write(&reports, damaged).expect("write");
        match opens("a damaged list of reports") {
            cuentas::index::IndexError::Corrupt { path, .. } => assert_eq!(path, reports),
            e => panic!("expected a damaged index, got {e}"),
        }
    }
    fs::write(&reports, &good).expect("write");
    let engine = Engine::open(&IndexDir::new(&index)).expect("opens again");
    assert!(!engine.reports().is_empty());
}

#[test]
fn a_damaged_passage_store_is_refused_and_a_damaged_passage_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let generation = build(&[corpus()], &index).expect("builds").generation;
    let store = generation.join("passages.store");
    let good = fs::read(&store).expect("store");

    // Cut short: the store is refused when the index opens, not when a hit is shown.
    fs::write(&store, &good[..good.len() - 3]).expect("write");
    match Engine::open(&IndexDir::new(&index)) {
        Err(cuentas::index::IndexError::Corrupt { path, .. }) => assert_eq!(path, store),
        Err(e) => panic!("expected a damaged index, got {e}"),
        Ok(_) => panic!("a cut store must not open"),
    }

    // Bytes of passages changed: the index opens, and reading those passages fails with an
    // error (each frame carries a checksum) instead of showing other words or stopping.
    let mut bad = good.clone();
    let middle = good.len() / 2;
    for b in &mut bad[middle..middle + 64] {
        *b ^= 0x5a;
    }
    fs::write(&store, &bad).expect("write");
    let engine = Engine::open(&IndexDir::new(&index)).expect("opens");
    let searcher = engine.searcher();
    let all = searcher
        .search(
            &tantivy::query::AllQuery,
            &tantivy::collector::DocSetCollector,
        )
        .expect("every passage");
    let read: Vec<_> = all.iter().map(|&a| engine.passage(a)).collect();
    let failed = read.iter().filter(|r| r.is_err()).count();
    assert!(
        failed > 0 && failed < read.len(),
        "{failed} of {} failed",
        read.len()
    );
}

#[test]
fn figures_shown_with_a_passage_are_those_extraction_finds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(&folder).expect("mkdir");
    for entry in fs::read_dir(corpus()).expect("corpus") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            fs::copy(&path, folder.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    // Tables of amounts, with negatives and column headers.
    for name in [
        "05_bellamaria-cedula-gastos-2013.pdf",
        "10_cda-gastos-caracter-econ-2025s1.pdf",
        "12_cda-ordenanza-fiscal-2021.pdf",
    ] {
        fs::copy(fixtures().join("pdf").join(name), folder.join(name)).expect("copy fixture");
    }
    let index = tmp.path().join("index");
    let summary = build(std::slice::from_ref(&folder), &index).expect("builds");
    assert_eq!(summary.reports, 6, "skipped: {:?}", summary.skipped);
    let engine = Engine::open(&IndexDir::new(&index)).expect("opens");

    // Each passage's figures as extraction gives them, labels and spans included.
    let extractor = cuentas::extract::Extractor::builtin();
    let reader = crate::support::reader();
    let mut expected = std::collections::HashMap::new();
    for report in engine.reports() {
        let doc = reader
            .read(&folder.join(&report.info.source), &folder)
            .expect("reads again");
        for p in extractor.extract(&doc, None).passages {
            expected.insert(p.id, p.figures);
        }
    }
    let all = engine
        .searcher()
        .search(
            &tantivy::query::AllQuery,
            &tantivy::collector::DocSetCollector,
        )
        .expect("every passage");
    let mut figures = 0;
    for address in all {
        let shown = engine.passage(address).expect("reads");
        let want = &expected[&shown.passage_id];
        assert_eq!(&shown.figures, want, "{}", shown.passage_id);
        figures += want.len();
    }
    assert!(figures > 300, "{figures} figures");
}

#[test]
fn a_small_index_is_merged_into_one_segment_and_its_old_files_are_gone() {
    // Tantivy writes the sample reports in several segments (see
    // `segments_searched_side_by_side_give_the_same_answers`); the build merges them.
    let engine = crate::support::engine();
    assert_eq!(engine.searcher().segment_readers().len(), 1);
    let passages = crate::support::index_dir()
        .read_dir()
        .expect("index folder")
        .filter_map(Result::ok)
        .map(|e| e.path().join("passages"))
        .find(|p| p.is_dir())
        .expect("a generation");
    let segment_files = fs::read_dir(&passages)
        .expect("passages folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "idx"))
        .count();
    assert_eq!(
        segment_files, 1,
        "files of merged segments left in {passages:?}"
    );
}
