//! Scanned reports read by OCR: scans made here from text PDFs (so the right words are known),
//! the real scan in `tests/fixtures/pdf/`, the cache, and what happens without Tesseract.
//!
//! Needs `tesseract` with its Spanish model and `pdftoppm` (Debian: tesseract-ocr,
//! tesseract-ocr-spa, poppler-utils). Without them the tests say so and pass, unless
//! `CUENTAS_E2E` is set (as CI does): then they fail.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use cuentas::extract::Extractor;
use cuentas::ingest::{OcrSettings, OcrStats, Reader};

use crate::support::{build_with, fixtures, reader};

/// Whether OCR can run here; `false` (after saying why) when it cannot and CI did not ask.
fn ocr_tools() -> bool {
    let ok = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let spa = Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "spa")
        });
    if ok("pdftoppm", "-v") && spa {
        return true;
    }
    assert!(
        std::env::var_os("CUENTAS_E2E").is_none(),
        "OCR tools missing: apt-get install tesseract-ocr tesseract-ocr-spa poppler-utils"
    );
    eprintln!("skipped: apt-get install tesseract-ocr tesseract-ocr-spa poppler-utils");
    false
}

fn ocr_reader(cache: &Path) -> Reader {
    Reader {
        ocr_stats: Some(Arc::new(OcrStats::default())),
        ..reader().with_ocr(OcrSettings {
            cache: Some(cache.to_path_buf()),
            dpi: 300,
            ..OcrSettings::default()
        })
    }
}

/// Renders page `page` of `pdf` to a grey JPEG at `dpi`.
fn render_jpeg(pdf: &Path, page: u32, dpi: u32, out: &Path) -> Vec<u8> {
    let n = page.to_string();
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-gray",
            "-jpeg",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
        ])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    fs::read(out.with_extension("jpg")).expect("the page image")
}

/// Width, height and colour components of a JPEG, from its frame header.
fn jpeg_size(jpeg: &[u8]) -> (u32, u32, u8) {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if (0xC0..=0xC2).contains(&marker) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return (u32::from(w), u32::from(h), jpeg[i + 9]);
        }
        i += 2 + len;
    }
    panic!("no JPEG frame header")
}

/// A PDF of one page holding only `jpeg`, drawn at `dpi`: a scan without a text layer.
fn image_pdf(jpeg: &[u8], dpi: u32) -> Vec<u8> {
    let (w, h, components) = jpeg_size(jpeg);
    let space = if components == 1 {
        "DeviceGray"
    } else {
        "DeviceRGB"
    };
    let (pw, ph) = (w as f32 * 72.0 / dpi as f32, h as f32 * 72.0 / dpi as f32);
    let content = format!("q {pw:.2} 0 0 {ph:.2} 0 0 cm /Im0 Do Q");
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /{space} /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        jpeg.len()
    )
    .into_bytes();
    image.extend_from_slice(jpeg);
    image.extend_from_slice(b"\nendstream");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2} {ph:.2}] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>").into_bytes(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
        image,
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn words(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
    {
        *out.entry(w.to_lowercase()).or_default() += 1;
    }
    out
}

/// The share of `truth`'s words (with their counts) that `read` has.
fn recall(truth: &str, read: &str) -> f64 {
    let (t, r) = (words(truth), words(read));
    let all: usize = t.values().sum();
    let hit: usize = t
        .iter()
        .map(|(w, n)| (*n).min(*r.get(w).unwrap_or(&0)))
        .sum();
    hit as f64 / all.max(1) as f64
}

#[test]
fn a_scan_made_from_a_text_pdf_reads_back_its_words() {
    if !ocr_tools() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let original = fixtures().join("pdf/06_bellamaria-contrato-san-carlos.pdf");
    let truth = reader().read(&original, &fixtures()).expect("reads");
    let page_one = truth
        .text
        .split('\u{c}')
        .next()
        .expect("page 1")
        .to_string();
    let jpeg = render_jpeg(&original, 1, 200, &tmp.path().join("page"));
    let folder = tmp.path().join("scans");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::write(folder.join("contrato-escaneado.pdf"), image_pdf(&jpeg, 200)).expect("write");
    // The same page as a PNG.
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "200",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
        ])
        .arg(&original)
        .arg(folder.join("contrato-foto"))
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());

    let reader = ocr_reader(&tmp.path().join("cache"));
    for name in ["contrato-escaneado.pdf", "contrato-foto.png"] {
        let doc = reader
            .read(&folder.join(name), &folder)
            .expect("OCR reads the scan");
        let r = recall(&page_one, &doc.text);
        assert!(r >= 0.95, "{name}: OCR word recall {r:.3}\n{}", doc.text);
        let confidence = doc.ocr.first().copied().flatten().expect("marked as OCR");
        assert!(confidence > 0.5, "{confidence}");
        let report = Extractor::builtin().extract(&doc, None);
        assert!(report.passages.iter().all(|p| p.ocr_confidence.is_some()));
        assert!(report.passages.iter().all(|p| p.page == Some(1)));
    }
}

#[test]
fn the_real_scan_is_searchable_with_its_pages_and_a_rebuild_runs_no_ocr() {
    if !ocr_tools() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("scans");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::copy(
        fixtures().join("pdf/07_bellamaria-acta-cpccs-scan.pdf"),
        folder.join("acta.pdf"),
    )
    .expect("copy");
    let cache = tmp.path().join("cache");
    let index = tmp.path().join("index");
    let first = build_with(std::slice::from_ref(&folder), &index, ocr_reader(&cache))
        .expect("the scan is indexed");
    assert_eq!(first.reports, 1, "{:?}", first.skipped);
    assert_eq!((first.ocr_pages_run, first.ocr_pages_cached), (3, 0));

    let engine =
        cuentas::index::Engine::open(&cuentas::index::IndexDir::new(&index)).expect("opens");
    let raw = cuentas::search::RawRequest {
        q: Some("asamblea parroquial".into()),
        ..Default::default()
    };
    let request = cuentas::search::Request::from_raw(&raw).expect("valid");
    let response = cuentas::search::run(&engine, &request).expect("runs");
    assert!(response.total > 0, "the scan's words are searchable");
    let hit = &response.hits[0];
    assert!(hit.ocr && hit.ocr_confidence.is_some_and(|c| c > 0.5));
    let pages: std::collections::BTreeSet<u32> = engine
        .reports()
        .iter()
        .flat_map(|_| response.hits.iter().filter_map(|h| h.page))
        .collect();
    assert!(pages.iter().all(|p| (1..=3).contains(p)), "{pages:?}");

    // Again: every page from the cache.
    let second =
        build_with(&[folder], &tmp.path().join("index2"), ocr_reader(&cache)).expect("rebuilds");
    assert_eq!((second.ocr_pages_run, second.ocr_pages_cached), (0, 3));
    assert_eq!(second.passages, first.passages);
}

#[test]
fn without_tesseract_a_scan_is_skipped_with_the_install_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::copy(
        fixtures().join("pdf/07_bellamaria-acta-cpccs-scan.pdf"),
        folder.join("acta.pdf"),
    )
    .expect("copy");
    fs::copy(
        fixtures().join("manabi-2020-bom.txt"),
        folder.join("manabi.txt"),
    )
    .expect("copy");
    // A PATH with no tesseract and no pdftoppm.
    let empty = tmp.path().join("bin");
    fs::create_dir_all(&empty).expect("mkdir");
    let out = Command::new(env!("CARGO_BIN_EXE_cuentas"))
        .arg("--index")
        .arg(tmp.path().join("index"))
        .arg("index")
        .arg("--corpus")
        .arg(&folder)
        .env("PATH", &empty)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("indexed 1 reports"), "{stderr}");
    assert!(
        stderr.contains("acta.pdf: scanned pages not read: tesseract is not installed")
            && stderr.contains("apt-get install tesseract-ocr tesseract-ocr-spa"),
        "{stderr}"
    );
    // And with OCR turned off, the reason says so.
    let out = Command::new(env!("CARGO_BIN_EXE_cuentas"))
        .arg("--index")
        .arg(tmp.path().join("index"))
        .args(["index", "--no-ocr", "--corpus"])
        .arg(&folder)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OCR is off"), "{stderr}");
}

#[test]
fn figures_of_a_scanned_table_are_found_by_value() {
    if !ocr_tools() || !Path::new("/usr/bin/chromium").exists() {
        assert!(
            std::env::var_os("CUENTAS_E2E").is_none(),
            "chromium is missing"
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(printed) = crate::pdf_reading::print_pdf(crate::pdf_reading::TABLE_HTML, tmp.path())
    else {
        return;
    };
    let jpeg = render_jpeg(&printed, 1, 200, &tmp.path().join("page"));
    let folder: PathBuf = tmp.path().join("scans");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::write(folder.join("tabla.pdf"), image_pdf(&jpeg, 200)).expect("write");
    let doc = ocr_reader(&tmp.path().join("cache"))
        .read(&folder.join("tabla.pdf"), &folder)
        .expect("reads");
    let report = Extractor::builtin().extract(&doc, None);
    let values: Vec<f64> = report
        .passages
        .iter()
        .flat_map(|p| p.figures.iter().map(|f| f.value))
        .collect();
    for v in [1_250_000.0, 85_300.5, 4_137_297_527.65] {
        assert!(
            values.iter().any(|x| (x - v).abs() < 0.005),
            "{v} not found in {values:?}\n{}",
            doc.text
        );
    }
}
