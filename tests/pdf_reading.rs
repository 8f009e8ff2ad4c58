//! Reading real and hostile PDFs: cells kept apart, signs, table labels, limits on every file.
//!
//! The real PDFs in `tests/fixtures/pdf/` (origin in their NOTICE.md) are read through the
//! `cuentas` binary built for these tests, as `index` reads them: one child process a file.
//! Hostile PDFs are written here, byte by byte.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cuentas::extract::{Extractor, FigureKind, Policy, Report};
use cuentas::ingest::{Limits, Reader};

use crate::support::{build_with, corpus, fixtures, reader};

fn pdf(name: &str) -> PathBuf {
    fixtures().join("pdf").join(name)
}

fn read_report(path: &Path) -> Report {
    let doc = reader()
        .read(path, path.parent().expect("a folder"))
        .unwrap_or_else(|e| panic!("{} reads: {e}", path.display()));
    Extractor::builtin().extract(&doc, None)
}

/// Every figure of a report with the page it is on.
fn figures(report: &Report) -> Vec<(Option<u32>, &cuentas::extract::Figure)> {
    report
        .passages
        .iter()
        .flat_map(|p| p.figures.iter().map(move |f| (p.page, f)))
        .collect()
}

fn find_value(report: &Report, value: f64) -> Vec<(Option<u32>, &cuentas::extract::Figure)> {
    figures(report)
        .into_iter()
        .filter(|(_, f)| (f.value - value).abs() < 0.005)
        .collect()
}

#[test]
fn amounts_in_neighbouring_cells_are_never_glued() {
    // Microsoft Print To PDF: `0,00` then `4.137.297.527,65` in the next cell.
    let report = read_report(&pdf("10_cda-gastos-caracter-econ-2025s1.pdf"));
    let hits = find_value(&report, 4_137_297_527.65);
    assert!(!hits.is_empty(), "4.137.297.527,65 is a figure");
    assert_eq!(hits[0].0, Some(1));
    assert!(
        figures(&report).iter().all(|(_, f)| f.value.abs() < 1e11),
        "no figure made of two cells"
    );
    // Crystal Reports: an amount followed by the next row's budget code.
    let report = read_report(&pdf("05_bellamaria-cedula-gastos-2013.pdf"));
    let hit = find_value(&report, 55_053.12);
    assert!(!hit.is_empty(), "55,053.12 is read whole");
    assert!(hit.iter().all(|(_, f)| f.text == "55,053.12"), "{hit:?}");
}

#[test]
fn negative_amounts_keep_their_sign_and_table_cells_their_labels() {
    let report = read_report(&pdf("10_cda-gastos-caracter-econ-2025s1.pdf"));
    let negative = find_value(&report, -60_485_900.0);
    assert!(!negative.is_empty(), "-60.485.900,00 is negative");
    let fig = negative[0].1;
    assert_eq!(fig.kind, FigureKind::Usd);
    let table = fig.table.as_ref().expect("in a table");
    assert!(table.row.contains("Prestaciones sociales"), "{table:?}");
    // The report's period and year, set over the table as fields (`Ejercicio:2025`), head no
    // column.
    let vigente = find_value(&report, 11_534_026.0);
    let table = vigente[0].1.table.as_ref().expect("in a table");
    assert_eq!(table.column, "Crédito Vigente", "{table:?}");

    let report = read_report(&pdf("05_bellamaria-cedula-gastos-2013.pdf"));
    let fig = find_value(&report, 55_053.12)[0].1;
    let table = fig.table.as_ref().expect("in a table");
    assert_eq!(table.row, "GASTOS CORRIENTES");
    // The title's date over the table, cut after its first word (`Al | 31 de diciembre del
    // 2013`), heads no column.
    assert_eq!(table.column, "Pagado F", "{table:?}");
    // The header's first row, repeated on every page next to the page's start as a running
    // header is, still heads its columns.
    let fig = find_value(&report, 51_474.24)[0].1;
    let table = fig.table.as_ref().expect("in a table");
    assert_eq!(table.column, "Asignación Inicial A", "{table:?}");
    assert!(
        !find_value(&report, -158.96).is_empty(),
        "-158.96 is negative"
    );
}

#[test]
fn justified_prose_reads_as_sentences_not_table_cells() {
    // The ordinance is justified: its short lines of long words stand farther apart than
    // a table's cells do. Read as cells, each line was a passage of its own.
    let path = pdf("12_cda-ordenanza-fiscal-2021.pdf");
    let doc = reader()
        .read(&path, &fixtures().join("pdf"))
        .expect("reads");
    assert!(
        doc.text
            .contains("un interés punitorio que no superará la tasa activa para"),
        "a justified line is one line of words"
    );
    let lines = doc.text.lines().filter(|l| !l.trim().is_empty()).count();
    let rows = doc.text.lines().filter(|l| l.contains('\t')).count();
    assert!(
        rows * 8 < lines,
        "{rows} of {lines} lines read as table rows"
    );
    // Its tables stay tables.
    assert!(doc.text.contains("Más de 30 y hasta 60 días de mora\t5%"));

    // Sentences are whole again: the figures they hold are found.
    let report = Extractor::builtin().extract(&doc, None);
    let ten_days = figures(&report)
        .into_iter()
        .any(|(_, f)| f.text == "10" && f.label.as_deref().is_none_or(|l| !l.contains('|')));
    assert!(ten_days, "`diez (10) días` holds a figure");
    assert!(
        report.passages.iter().any(|p| p
            .text
            .contains("dentro de los diez (10) días de verificado cualquier cambio")),
        "one passage holds the sentence"
    );
    // A table without a header: its figures are labelled by their row, not by a row of
    // words pages before.
    let five = figures(&report)
        .into_iter()
        .find(|(_, f)| f.text == "5%")
        .expect("the rate of the first band is a figure");
    let table = five.1.table.as_ref().expect("in a table");
    assert_eq!(table.row, "Más de 30 y hasta 60 días de mora");
    assert_eq!(table.column, "");
    assert_eq!(
        five.1.label.as_deref(),
        Some("Más de 30 y hasta 60 días de mora")
    );
}

#[test]
fn ligatures_and_tabular_digits_read_as_letters_and_digits() {
    let doc = reader()
        .read(
            &pdf("01_senplades-guia-met-5p.pdf"),
            &fixtures().join("pdf"),
        )
        .expect("reads");
    assert!(doc.text.contains("ejercicio fiscal de 2010"));
    assert!(
        doc.text.contains("artificio"),
        "the fi ligature reads as two letters"
    );
    assert!(!doc.text.contains("fi scal"));
    assert!(!doc.text.contains('\u{fb01}'));
    assert_eq!(doc.pages.len(), 5);
}

#[test]
fn a_running_head_and_a_header_of_several_lines_stay_with_their_table() {
    // Page 35 of the guide: the running head (`Guía Metodológica  33`), a section's title, the
    // table's title, a row of weights (`1,2  1,5  2`) and headers over eight lines, some of
    // them a single word, then the rows. None of it starts a table of its own: each amount
    // keeps the header of its column.
    let report = read_report(&pdf("01_senplades-guia-met-5p.pdf"));
    let labels: Vec<&str> = find_value(&report, 624.4)
        .into_iter()
        .filter_map(|(_, f)| f.label.as_deref())
        .collect();
    for column in [
        "Provincia 1 · Población Ponderada Rural 2009 e",
        "Provincia 1 · Población Ponderada Fronteriza 2009 f",
    ] {
        assert!(labels.contains(&column), "{column} not in {labels:?}");
    }
}

#[test]
fn a_scan_without_a_text_layer_is_skipped_with_its_reason_when_ocr_is_off() {
    let reader = reader().with_ocr(cuentas::ingest::OcrSettings {
        enabled: false,
        ..Default::default()
    });
    let err = reader
        .read(
            &pdf("07_bellamaria-acta-cpccs-scan.pdf"),
            &fixtures().join("pdf"),
        )
        .expect_err("no text");
    assert!(err.to_string().contains("without a text layer"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Hostile PDFs

/// A PDF of `objects` (each the body of `N 0 obj`, numbered from 1; object 1 the catalog),
/// with a correct cross-reference table.
fn write_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).expect("write");
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).expect("write");
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").expect("write");
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .expect("write");
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

const FONT: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/// A one-page PDF whose content stream inflates to about `mb` megabytes of text operators.
fn inflating_pdf(mb: usize) -> Vec<u8> {
    let line = b"BT /F1 12 Tf 72 700 Td (Rendicion de cuentas) Tj ET\n";
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let block: Vec<u8> = line.iter().copied().cycle().take(1 << 20).collect();
    for _ in 0..mb {
        z.write_all(&block).expect("deflate");
    }
    let data = z.finish().expect("deflate");
    write_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &data),
        FONT.as_bytes().to_vec(),
    ])
}

/// A PDF of `n` small pages, each with a sentence of its own.
fn many_pages_pdf(n: usize) -> Vec<u8> {
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        FONT.as_bytes().to_vec(),
    ];
    for i in 0..n {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let text =
            format!("BT /F1 10 Tf 20 100 Td (La junta atendio {i} casos en la semana.) Tj ET");
        objects.push(stream("", text.as_bytes()));
    }
    write_pdf(&objects)
}

/// A PDF whose page tree holds itself.
fn cyclic_pdf() -> Vec<u8> {
    write_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>".to_vec(),
    ])
}

#[test]
fn hostile_pdfs_are_skipped_or_read_within_the_limits_and_the_rest_is_indexed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("reports");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::copy(
        corpus().join("003_ba189c1830490d8b.txt"),
        folder.join("manabi.txt"),
    )
    .expect("copy");
    fs::write(folder.join("inflating.pdf"), inflating_pdf(400)).expect("write");
    fs::write(folder.join("many-pages.pdf"), many_pages_pdf(20_000)).expect("write");
    fs::write(folder.join("cyclic.pdf"), cyclic_pdf()).expect("write");
    let real = fs::read(pdf("06_bellamaria-contrato-san-carlos.pdf")).expect("read");
    fs::write(folder.join("truncated.pdf"), &real[..real.len() / 2]).expect("write");
    fs::copy(
        pdf("05_bellamaria-cedula-gastos-2013.pdf"),
        folder.join("cedula.pdf"),
    )
    .expect("copy");
    // Random bytes named as a report.
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(folder.join("random.txt"), junk).expect("write");

    let limits = Limits {
        pdf_time: Duration::from_secs(20),
        pdf_memory: 512 << 20,
        ..Limits::default()
    };
    let reader = Reader::new(limits).with_program(env!("CARGO_BIN_EXE_cuentas"));
    let summary = build_with(&[folder], &tmp.path().join("index"), reader).expect("builds");
    let reasons: Vec<String> = summary
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.path.display(), s.reason))
        .collect();
    let reason = |name: &str| {
        reasons
            .iter()
            .find(|r| r.contains(name))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        reason("inflating.pdf").contains("over a reading limit"),
        "{reasons:#?}"
    );
    assert!(reason("cyclic.pdf").contains("broken PDF"), "{reasons:#?}");
    assert!(
        reason("truncated.pdf").contains("broken PDF"),
        "{reasons:#?}"
    );
    assert!(reason("random.txt").contains("not text"), "{reasons:#?}");
    // The good files and the long one are indexed.
    assert!(reason("many-pages.pdf").is_empty(), "{reasons:#?}");
    assert!(reason("cedula.pdf").is_empty(), "{reasons:#?}");
    assert!(reason("manabi.txt").is_empty(), "{reasons:#?}");
    assert_eq!(summary.reports, 3, "{reasons:#?}");
}

// ---------------------------------------------------------------------------------------------
// Tables printed by a browser, with a known answer

const CHROMIUM: &str = "/usr/bin/chromium";

/// Prints `html` to a PDF with headless Chromium; `None` (after saying why) without it, unless
/// `CUENTAS_E2E` is set (as CI does): then a missing browser fails the test.
pub fn print_pdf(html: &str, dir: &Path) -> Option<PathBuf> {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CUENTAS_E2E").is_none(),
            "{CHROMIUM} is missing (apt-get install -y chromium)"
        );
        eprintln!("skipped: {CHROMIUM} is missing (apt-get install -y chromium)");
        return None;
    }
    let page = dir.join("table.html");
    let out = dir.join("table.pdf");
    fs::write(&page, html).expect("write html");
    let profile = dir.join("profile");
    let status = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium runs");
    assert!(
        status.success() && out.exists(),
        "chromium printed the page"
    );
    Some(out)
}

pub const TABLE_HTML: &str = r#"<!doctype html><html lang="es"><meta charset="utf-8">
<style>
body { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; }
h1 { letter-spacing: 0.5em; font-size: 14pt; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { padding: 2px 14px; text-align: right; }
td:first-child, th:first-child, td:nth-child(2), th:nth-child(2) { text-align: left; }
.narrow td { padding: 2px 6px; }
</style>
<h1>Rendición de Cuentas 2019</h1>
<p>El GAD parroquial rural de Bellamaría ejecutó su presupuesto como sigue.</p>
<table>
<tr><th>Partida</th><th>Descripción</th><th>Codificado</th><th>Devengado</th></tr>
<tr><td>5.1.01</td><td>Personal de planta</td><td>1.250.000,00</td><td>85.300,50</td></tr>
<tr><td>5.1.02</td><td>Horas extraordinarias</td><td>-1.234.567,89</td><td>(2.500,00)</td></tr>
<tr><td>5.1.03</td><td>Beneficiarios atendidos</td><td>123 456</td><td>- 3.000,00</td></tr>
<tr><td>5.3.04</td><td>Mantenimiento de vías</td><td>0,00</td><td>4.137.297.527,65</td></tr>
</table>
<table class="narrow"><tr><td>Casos</td><td>246</td><td>246</td><td>492</td><td>492</td></tr>
<tr><td>Total</td><td>120</td><td>126</td><td>240</td><td>252</td></tr></table>
</html>"#;

#[test]
fn a_printed_table_keeps_its_cells_signs_and_headers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(path) = print_pdf(TABLE_HTML, tmp.path()) else {
        return;
    };
    let report = read_report(&path);
    let text = &report.text;
    assert!(text.contains("Rendición de Cuentas 2019"), "{text}");
    let one = |value: f64| {
        let hits = find_value(&report, value);
        assert_eq!(hits.len(), 1, "{value}: {hits:?}\n{text}");
        hits[0].1.clone()
    };
    let planta = one(85_300.5);
    assert_eq!(
        planta.label.as_deref(),
        Some("Personal de planta · Devengado")
    );
    let table = planta.table.expect("in a table");
    assert_eq!(
        (table.row.as_str(), table.column.as_str()),
        ("Personal de planta", "Devengado")
    );
    assert_eq!(one(-1_234_567.89).text, "-1.234.567,89");
    assert_eq!(one(-2_500.0).text, "(2.500,00)");
    assert_eq!(one(-3_000.0).text, "- 3.000,00");
    assert_eq!(one(123_456.0).kind, FigureKind::Count);
    assert!(one(4_137_297_527.65)
        .label
        .as_deref()
        .is_some_and(|l| l.contains("Mantenimiento")));
    // Four narrow cells are four numbers, never 246246492492.
    assert_eq!(find_value(&report, 246.0).len(), 2, "{text}");
    assert!(find_value(&report, 246_246_492_492.0).is_empty(), "{text}");
    // A row passage shows its cells apart.
    assert!(report
        .passages
        .iter()
        .any(|p| p.text == "5.1.01 | Personal de planta | 1.250.000,00 | 85.300,50"));
}

/// The accountability form as public bodies publish it: tables drawn with borders, their cells
/// wrapping over several lines, a table of words (the equality policies) before a table of
/// amounts.
const FORM_HTML: &str = r#"<!doctype html><html lang="es"><meta charset="utf-8">
<style>
body { font-family: "DejaVu Sans", sans-serif; font-size: 10px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 10px; }
td, th { border: 1px solid #000; padding: 2px; vertical-align: top; }
</style>
<h3>FORMULARIO DE INFORME DE RENDICIÓN DE CUENTAS</h3>
<table><tr><th colspan=2>DATOS GENERALES</th></tr>
<tr><td>NOMBRE DE LA UNIDAD DE ADMINISTRACIÓN FINANCIERA:</td><td>INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL</td></tr>
<tr><td>NOMBRE DE LA ENTIDAD OPERATIVA DESCONCENTRADA:</td><td>HOSPITAL GENERAL IESS RIOBAMBA</td></tr>
<tr><td>FUNCIÓN A LA QUE PERTENECE:</td><td>FUNCIÓN EJECUTIVA</td></tr>
<tr><td>NIVEL QUE RINDE CUENTAS:</td><td>ENTIDAD OPERATIVA DESCONCENTRADA</td></tr></table>
<table><tr><th colspan=6>DOMICILIO</th></tr>
<tr><td>PROVINCIA</td><td>CANTÓN</td><td>PARROQUIA</td><td>DIRECCIÓN</td><td>CORREO ELECTRÓNICO</td><td>TELÉFONO</td></tr>
<tr><td>CHIMBORAZO</td><td>RIOBAMBA</td><td>LIZARZABURU</td><td>AV. UNIDAD NACIONAL Y CHILE</td><td>hospital.riobamba@iess.gob.ec</td><td>032961500</td></tr></table>
<table><tr><th colspan=4>PERIODO DEL CUAL RINDE CUENTAS</th></tr>
<tr><td>FECHA DE INICIO:</td><td>01/01/2019</td><td>FECHA DE FINALIZACIÓN:</td><td>31/12/2019</td></tr></table>
<table><tr><th>IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS PARA LA IGUALDAD</th><th>PONGA SI O NO</th><th>DESCRIBA LA POLÍTICA IMPLEMENTADA</th><th>DETALLE PRINCIPALES ACCIONES REALIZADAS</th><th>DETALLE DE PRINCIPALES RESULTADOS OBTENIDOS</th></tr>
<tr><td>IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS INTERCULTURALES</td><td>SI</td><td>Atención con pertinencia intercultural</td><td>Parto culturalmente adecuado en la sala de partos</td><td>245 partos atendidos</td></tr>
<tr><td>IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS GENERACIONALES</td><td>SI</td><td>Atención al adulto mayor</td><td>Club del adulto mayor</td><td>1.250 adultos mayores atendidos</td></tr>
<tr><td>IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS DE DISCAPACIDADES</td><td>SI</td><td>Inclusión laboral</td><td>Contratación de personal con discapacidad</td><td>4% de la nómina</td></tr>
<tr><td>IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS DE GÉNERO</td><td>SI</td><td>Prevención de violencia</td><td>Talleres de prevención</td><td>320 mujeres capacitadas</td></tr>
<tr><td>IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS DE MOVILIDAD HUMANA</td><td>NO</td><td>NO APLICA</td><td>NO APLICA</td><td>NO APLICA</td></tr></table>
<p>CUMPLIMIENTO DE LA EJECUCIÓN PRESUPUESTARIA</p><table><tr><th>TIPO</th><th>DESCRIPCIÓN</th><th>PRESUPUESTO CODIFICADO</th><th>PRESUPUESTO EJECUTADO</th><th>% CUMPLIMIENTO</th></tr>
<tr><td>GASTO CORRIENTE</td><td>PERSONAL</td><td>25.345.678,90</td><td>24.987.123,45</td><td>98,59%</td></tr>
<tr><td>GASTO DE INVERSIÓN</td><td>EQUIPAMIENTO</td><td>3.456.789,00</td><td>2.987.654,32</td><td>86,43%</td></tr>
<tr><td>TOTAL</td><td></td><td>28.802.467,90</td><td>27.974.777,77</td><td>97,13%</td></tr></table>
</html>
"#;

#[test]
fn a_printed_form_gives_one_passage_per_row_of_wrapped_cells() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(path) = print_pdf(FORM_HTML, tmp.path()) else {
        return;
    };
    let report = read_report(&path);
    let text = &report.text;
    assert_eq!(report.year, Some(2019), "{text}");
    assert_eq!(report.province.as_deref(), Some("Chimborazo"));
    assert_eq!(
        report.unit.as_deref(),
        Some("HOSPITAL GENERAL IESS RIOBAMBA")
    );
    // Each policy is one passage holding its whole row, each cell whole in its column.
    let tagged = |policy: Policy| -> Vec<&str> {
        report
            .passages
            .iter()
            .filter(|p| p.policies.contains(&policy))
            .map(|p| p.text.as_str())
            .collect()
    };
    assert_eq!(
        tagged(Policy::Intercultural),
        [
            "IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS INTERCULTURALES | SI | Atención con pertinencia \
          intercultural | Parto culturalmente adecuado en la sala de partos | 245 partos atendidos"
        ],
        "{text}"
    );
    assert_eq!(
        tagged(Policy::Genero),
        [
            "IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS DE GÉNERO | SI | Prevención de violencia | \
          Talleres de prevención | 320 mujeres capacitadas"
        ],
        "{text}"
    );
    // The budget's header is a header of its own, not stacked under the policies above it.
    assert!(
        report.passages.iter().any(|p| p
            .text
            .starts_with("TIPO | DESCRIPCIÓN | PRESUPUESTO CODIFICADO")),
        "{text}"
    );
    // The address, one row under a header of as many cells, is a table of its own: a column
    // for each cell, not the columns of the policies under it.
    assert!(
        report.passages.iter().any(|p| p.text
            == "CHIMBORAZO | RIOBAMBA | LIZARZABURU | AV. UNIDAD NACIONAL Y CHILE | \
                hospital.riobamba@iess.gob.ec | 032961500"),
        "{text}"
    );
    // Amounts under their headers. The total, its description empty, has its first amount
    // under its own header, not under `DESCRIPCIÓN`: the budget under its title has columns
    // of its own.
    for (value, label) in [
        (
            24_987_123.45,
            "GASTO CORRIENTE PERSONAL · PRESUPUESTO EJECUTADO",
        ),
        (28_802_467.90, "TOTAL · PRESUPUESTO CODIFICADO"),
    ] {
        let found = find_value(&report, value);
        assert_eq!(found.len(), 1, "{value}: {text}");
        assert_eq!(found[0].1.label.as_deref(), Some(label), "{text}");
    }
}
