use cuentas::extract::{Extractor, Policy, Report};
use cuentas::ingest;

use crate::support::corpus;

fn report(name: &str) -> Report {
    let root = corpus();
    let doc = ingest::read(&root.join(name), &root).expect("reads");
    Extractor::builtin().extract(&doc, None)
}

#[test]
fn the_three_sample_reports_have_their_year_province_and_unit() {
    let bolivar = report("000_7392a04fe1206fbf.txt");
    assert_eq!(
        (bolivar.year, bolivar.province.as_deref()),
        (Some(2021), Some("Bolívar"))
    );
    let manabi = report("003_ba189c1830490d8b.txt");
    assert_eq!(
        (manabi.year, manabi.province.as_deref()),
        (Some(2020), Some("Manabí"))
    );
    assert_eq!(
        manabi.unit.as_deref(),
        Some("Dirección Provincial IESS Manabí")
    );
    let nacional = report("004_a8a0011ab6fa9785.txt");
    assert_eq!(
        (nacional.year, nacional.province.as_deref()),
        (Some(2021), Some("Nacional"))
    );
    assert_eq!(
        nacional.unit.as_deref(),
        Some("Dirección Nacional de Seguro de Salud Individual y Familiar")
    );
}

#[test]
fn passage_spans_point_back_into_the_report_text() {
    for name in [
        "000_7392a04fe1206fbf.txt",
        "003_ba189c1830490d8b.txt",
        "004_a8a0011ab6fa9785.txt",
    ] {
        let r = report(name);
        let chars: Vec<char> = r.text.chars().collect();
        for p in &r.passages {
            let (s, e) = p.span;
            assert!(
                s < e && e <= chars.len(),
                "{name} {}: bad span {s}..{e}",
                p.id
            );
            let first_word: String = p.text.chars().take_while(|c| c.is_alphanumeric()).collect();
            let source: String = chars[s..e].iter().collect();
            assert!(
                source.contains(&first_word),
                "{name} {}: span text {source:?} does not hold {first_word:?}",
                p.id
            );
        }
    }
}

#[test]
fn policy_sections_tag_their_passages() {
    let r = report("004_a8a0011ab6fa9785.txt");
    let tagged = |needle: &str, policy: Policy| {
        r.passages
            .iter()
            .filter(|p| p.text.contains(needle))
            .any(|p| p.policies.contains(&policy))
    };
    assert!(tagged(
        "Lineamiento de Educación y Comunicación",
        Policy::Intercultural
    ));
    assert!(tagged(
        "Envejecimiento Activo durante la Pandemia",
        Policy::Generacional
    ));
    assert!(tagged(
        "Manual integral en Salud Sexual",
        Policy::Discapacidades
    ));
    assert!(tagged("Población LGBTIQ+", Policy::Genero));
    assert!(tagged("tamizaje de prevención", Policy::MovilidadHumana));
}

#[test]
fn passage_ids_are_the_same_on_every_extraction() {
    let a = report("003_ba189c1830490d8b.txt");
    let b = report("003_ba189c1830490d8b.txt");
    let ids = |r: &Report| r.passages.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn a_table_laid_out_with_spaces_in_a_text_export_gives_each_figure_its_row_and_column() {
    // As `pdftotext -layout` writes a budget table: columns set right, headers over them.
    let text = "Rendición de Cuentas 2021 - Dirección Provincial IESS Guayas\n\
                \n\
                Ejecución presupuestaria por grupo de gasto.\n\
                \n\
                Cuenta                Presupuesto    Ejecutado    Variación\n\
                \n\
                Gastos en personal   1.234.567,89 1.100.000,00 (134.567,89)\n\
                Bienes y servicios     500.000,00   520.000,00    20.000,00\n";
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = crate::support::one_report(tmp.path(), "informe.txt", text);
    let doc = ingest::read(&root.join("informe.txt"), &root).expect("reads");
    let report = Extractor::builtin().extract(&doc, None);
    let cells: Vec<(f64, String, String)> = report
        .passages
        .iter()
        .flat_map(|p| &p.figures)
        .filter_map(|f| {
            let t = f.table.as_ref()?;
            Some((f.value, t.row.clone(), t.column.clone()))
        })
        .collect();
    let cell = |row: &str, column: &str, value: f64| (value, row.to_string(), column.to_string());
    assert_eq!(
        cells,
        [
            cell("Gastos en personal", "Presupuesto", 1_234_567.89),
            cell("Gastos en personal", "Ejecutado", 1_100_000.0),
            cell("Gastos en personal", "Variación", -134_567.89),
            cell("Bienes y servicios", "Presupuesto", 500_000.0),
            cell("Bienes y servicios", "Ejecutado", 520_000.0),
            cell("Bienes y servicios", "Variación", 20_000.0),
        ]
    );
    assert_eq!(
        report.unit.as_deref(),
        Some("Dirección Provincial IESS Guayas")
    );
}

#[test]
fn the_tables_of_text_exports_head_their_figures_with_their_own_columns() {
    // (file, value, its row, its column's header)
    let cases = [
        // The form's budget, under its title below the address and the policies: its header
        // was a line of words, and no amount had a column.
        (
            "formulario-rendicion.txt",
            28_802_467.90,
            "TOTAL",
            "PRESUPUESTO CODIFICADO",
        ),
        (
            "formulario-rendicion.txt",
            98.59,
            "GASTO CORRIENTE PERSONAL",
            "% CUMPLIMIENTO",
        ),
        // The report's heading (`Hoja: 1 de 3`) set over the last two columns joined them:
        // `Crédito Vig.  Devengado no pagado` headed both, and two amounts were one cell.
        (
            "10_cda-gastos-caracter-econ-2025s1.txt",
            87_098_805.0,
            "Bienes de consumo",
            "Devengado no pagado",
        ),
        (
            "10_cda-gastos-caracter-econ-2025s1.txt",
            1_310_526_017.31,
            "Bienes de consumo",
            "Crédito Vig.",
        ),
        // The header repeated at the top of the second page, below the first page's rows.
        (
            "05_bellamaria-cedula-gastos-2013.txt",
            185.0,
            "Seguros",
            "Asignación Inicial A",
        ),
        (
            "05_bellamaria-cedula-gastos-2013.txt",
            20.56,
            "Seguros",
            "Reformas B",
        ),
    ];
    let root = crate::support::fixtures().join("layout");
    for (file, value, row, column) in cases {
        let doc = ingest::read(&root.join(file), &root).expect("reads");
        let report = Extractor::builtin().extract(&doc, None);
        let cells: Vec<(&str, &str)> = report
            .passages
            .iter()
            .flat_map(|p| &p.figures)
            .filter(|f| (f.value - value).abs() < 0.005)
            .filter_map(|f| f.table.as_ref())
            .map(|t| (t.row.as_str(), t.column.as_str()))
            .collect();
        assert!(cells.contains(&(row, column)), "{file} {value}: {cells:?}");
    }
}

#[test]
fn a_text_export_of_the_form_gives_one_passage_per_policy_with_its_figures() {
    // Each policy's cells wrap over two lines; exported as text, the lines were passages of
    // their own, and the row holding `320 mujeres capacitadas` was no policy's.
    let root = crate::support::fixtures().join("layout");
    let doc = ingest::read(&root.join("formulario-rendicion.txt"), &root).expect("reads");
    let report = Extractor::builtin().extract(&doc, None);
    for (policy, row) in [
        (
            Policy::Intercultural,
            "IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS INTERCULTURALES | SI | Atención con pertinencia \
             intercultural | Parto culturalmente adecuado en la sala de partos | 245 partos atendidos",
        ),
        (
            Policy::Genero,
            "IMPLEMENTACIÓN DE POLÍTICAS PÚBLICAS DE GÉNERO | SI | Prevención de violencia | \
             Talleres de prevención | 320 mujeres capacitadas",
        ),
    ] {
        let tagged: Vec<&str> = report
            .passages
            .iter()
            .filter(|p| p.policies.contains(&policy))
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(tagged, [row], "{policy:?}");
    }
}
