//! A report's year, province, unit and title, read from its prose, each with the evidence
//! that decided it.
//!
//! Reports carry no metadata fields, so each value is weighed from cues, and the strongest cue
//! is kept as the value's [`Evidence`] (quote, character span, confidence):
//! - **year** (`year.rs`): the year reported on, not the publication date;
//! - **unit** (`unit.rs`): the public body that reports, as written;
//! - **province** (`province.rs`): the province, `Nacional` for national units and national
//!   documents, none for a report from outside Ecuador;
//! - **title**: the line of the header that names the "Rendición de Cuentas", as written.
//!
//! Spans are character (Unicode scalar) offsets into the report's text, like figure spans.

mod province;
mod unit;
mod year;

use super::gazetteer::Gazetteer;
use super::model::{Evidence, MetadataEvidence};
use crate::analysis::fold_key;
use crate::analysis::text::floor_boundary;

/// Metadata of one report; `None` where the text does not tell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// The header line naming the report, as written; empty when none was found.
    pub title: String,
    /// The year reported on (not the publication date).
    pub year: Option<i32>,
    /// Proper name of the province (`Manabí`) or [`NATIONAL`].
    pub province: Option<String>,
    /// The reporting unit as written.
    pub unit: Option<String>,
    /// What decided `year`, `province` and `unit`.
    pub evidence: MetadataEvidence,
}

/// What `province` holds for national units.
pub const NATIONAL: &str = "Nacional";

/// A header line naming one of the institute's insurances alone (`Seguro General de Riesgos
/// del Trabajo`, `Seguro Social Campesino`): a national unit, trusted in a header only.
const INSURANCE_LINE: &str = r"^seguro\s+general\s+de\s+(?:riesgos\s+del\s+trabajo|salud|pensiones)\b|^seguro\s+social\s+campesino\s*$";

/// The header: where titles, units and the reported period are written.
const HEADER_BYTES: usize = 3000;
/// Header lines (or cells of a laid-out line) looked at for the title and unit lines.
const HEADER_LINES: usize = 40;
/// Longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 160;
/// Longest quote kept in evidence, in characters.
const MAX_QUOTE_CHARS: usize = 200;

/// One line of the header, or one cell of a line laid out in columns, trimmed.
#[derive(Debug, Clone, Copy)]
struct HeaderLine<'t> {
    text: &'t str,
    /// Byte offset of `text` in the report's text.
    start: usize,
}

/// A cue that decided a value, with byte offsets until it becomes [`Evidence`].
#[derive(Debug, Clone, PartialEq)]
struct Cue {
    start: usize,
    end: usize,
    weight: f32,
    confidence: f32,
    note: Option<String>,
}

impl Cue {
    fn new(text: &str, start: usize, end: usize, weight: f32) -> Cue {
        let start = floor_boundary(text, start);
        Cue {
            start,
            end: floor_boundary(text, end).max(start),
            weight,
            confidence: 0.0,
            note: None,
        }
    }

    fn sure(text: &str, start: usize, end: usize, confidence: f32) -> Cue {
        Cue {
            confidence,
            ..Cue::new(text, start, end, 0.0)
        }
    }

    fn evidence(&self, text: &str) -> Evidence {
        let quote = text[self.start..self.end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let from = text[..self.start].chars().count();
        let to = from + text[self.start..self.end].chars().count();
        Evidence {
            quote: truncate_words(&quote, MAX_QUOTE_CHARS),
            span: Some((from, to)),
            confidence: (f64::from(self.confidence) * 100.0).round() / 100.0,
            note: self.note.clone(),
        }
    }
}

/// Where lines start and end, found once: looking them up around every cue must not scan a
/// long line again and again (text read from some PDFs has no line breaks).
struct Lines {
    breaks: Vec<usize>,
    len: usize,
}

impl Lines {
    fn new(text: &str) -> Lines {
        Lines {
            breaks: text.match_indices('\n').map(|(i, _)| i).collect(),
            len: text.len(),
        }
    }

    /// Byte range of the line holding byte `at`, without its line break.
    fn around(&self, at: usize) -> (usize, usize) {
        let i = self.breaks.partition_point(|&b| b < at);
        let start = if i == 0 { 0 } else { self.breaks[i - 1] + 1 };
        let end = self.breaks.get(i).copied().unwrap_or(self.len);
        (start, end)
    }
}

/// How sure a decision is: the winner's share of the weight, scaled down while the winner
/// itself is weaker than `strong`.
fn confidence(winner: f32, runner_up: f32, strong: f32) -> f32 {
    if winner <= 0.0 {
        return 0.0;
    }
    (winner / (winner + runner_up)) * (winner / strong).min(1.0)
}

/// Reads the metadata of a report's text.
pub fn extract_metadata(text: &str, gazetteer: &Gazetteer) -> Metadata {
    let lines = header_lines(text);
    let unit = unit::unit(text, &lines, gazetteer);
    let year = year::year(text, &lines);
    let unit_at = unit.as_ref().map(|(u, c)| (u.as_str(), c.start, c.end));
    let province = province::province(text, unit_at, &lines, gazetteer);
    let evidence = MetadataEvidence {
        year: year.as_ref().map(|(_, c)| c.evidence(text)),
        province: province.as_ref().map(|(_, c)| c.evidence(text)),
        unit: unit.as_ref().map(|(_, c)| c.evidence(text)),
    };
    Metadata {
        title: title(&lines),
        year: year.map(|(y, _)| y),
        province: province.and_then(|(p, _)| p),
        unit: unit.map(|(u, _)| u),
        evidence,
    }
}

/// The first non-blank lines, trimmed, without page numbers; a line laid out in columns (cells
/// apart by three spaces or more, or a tab) gives one entry per cell.
fn header_lines(text: &str) -> Vec<HeaderLine<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let mut rest = raw.trim_end_matches(['\n', '\r']);
        let mut at = line_start;
        while !rest.is_empty() {
            let cut = rest
                .find("   ")
                .into_iter()
                .chain(rest.find('\t'))
                .min()
                .unwrap_or(rest.len());
            let cell = &rest[..cut];
            let trimmed =
                cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{f0b7}' || c == '|');
            if !trimmed.is_empty() && !trimmed.chars().all(|c| c.is_ascii_digit()) {
                let start = at + (trimmed.as_ptr() as usize - cell.as_ptr() as usize);
                out.push(HeaderLine {
                    text: trimmed,
                    start,
                });
                if out.len() >= HEADER_LINES {
                    return out;
                }
            }
            let skipped = rest[cut..].len() - rest[cut..].trim_start().len();
            at += cut + skipped;
            rest = &rest[cut + skipped..];
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Title

/// The header line naming the accountability report (with a leading fragment such as
/// "INFORME DE" joined), else the first meaningful line.
fn title(lines: &[HeaderLine]) -> String {
    let lines: Vec<&str> = lines.iter().map(|l| l.text).collect();
    let names_report = |l: &str| fold_key(l).contains("rendicion de cuentas");
    let pick = lines.iter().position(|l| names_report(l)).or_else(|| {
        lines
            .iter()
            .position(|l| l.split_whitespace().count() >= 2 && names_something(l) && !is_generic(l))
    });
    let Some(i) = pick else {
        return String::new();
    };
    let mut title = lines[i].split_whitespace().collect::<Vec<_>>().join(" ");
    // A title cut where its line ends on a word that needs one after it goes on below
    // (`… PARA LA ELECCIÓN Y POSESIÓN DEL` / `COMITÉ DE PARTICIPACIÓN …`).
    for next in lines.iter().skip(i + 1).take(TITLE_LINES - 1) {
        let last = title.rsplit(' ').next().map(fold_key).unwrap_or_default();
        if !CONNECTORS.contains(&last.as_str()) {
            break;
        }
        title.push(' ');
        title.push_str(&next.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if i > 0 {
        let prev = lines[i - 1];
        let prev_key = fold_key(prev);
        if prev.chars().count() <= 40
            && (prev_key.ends_with(" de") || prev_key == "informe" || prev_key.ends_with(" del"))
        {
            title = format!("{} {title}", prev.trim());
        }
    }
    truncate_words(&title, MAX_TITLE_CHARS)
}

/// Whether a header line holds a word that names something: not a page counter (`Hoja: 1 de
/// 3`, `Página 2 de 40`), a date or a time (`Del 02/01/2025 al 30/06/2025`, `10/07/2025 10:36`).
fn names_something(line: &str) -> bool {
    const NAMING_NOTHING: [&str; 12] = [
        "de", "del", "al", "la", "el", "y", "hoja", "pagina", "pag", "page", "of", "folio",
    ];
    fold_key(line).split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !NAMING_NOTHING.contains(&w)
    })
}

/// Most lines a title runs over.
const TITLE_LINES: usize = 4;

/// Words after which a title goes on.
const CONNECTORS: [&str; 14] = [
    "de", "del", "la", "las", "el", "los", "y", "e", "en", "para", "a", "al", "por", "con",
];

/// The institute's own name heads many reports without naming them.
fn is_generic(line: &str) -> bool {
    let key = fold_key(line);
    key.starts_with("instituto ecuatoriano de seguridad social") && key.len() < 50
}

fn truncate_words(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split_whitespace() {
        if out.chars().count() + w.chars().count() + 1 > max_chars {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> Metadata {
        extract_metadata(text, &Gazetteer::builtin())
    }

    #[test]
    fn the_year_is_the_year_reported_on() {
        assert_eq!(meta("Rendición de Cuentas 2021\nTexto.").year, Some(2021));
        assert_eq!(
            meta("durante el período enero a diciembre de 2020.").year,
            Some(2020)
        );
        assert_eq!(
            meta("Quito, 14 de mayo de 2023\nPresentamos el informe correspondiente a 2022.").year,
            Some(2022)
        );
        assert_eq!(
            meta("Fecha de corte: Enero-Diciembre\n2021.").year,
            Some(2021)
        );
        assert_eq!(
            meta("ejecución del ejercicio fiscal 2019 y otros").year,
            Some(2019)
        );
        assert_eq!(
            meta("Plan estratégico 2018-2028. Firmado el 3 de marzo de 2024.").year,
            None
        );
        assert_eq!(meta("logros de 2017, 2017 y 2016").year, Some(2017));
        // The accountability form: its period in cells, the report's date after it.
        for form in [
            "PERIODO DEL CUAL RINDE CUENTAS:   FECHA DE INICIO:   01/01/2019   FECHA DE FINALIZACIÓN:   31/12/2019\nFECHA EN QUE SE REALIZÓ LA RENDICIÓN DE CUENTAS ANTE LA CIUDADANÍA:   28/02/2020",
            "Período del cual rinde cuentas\nFecha de inicio:\n2019-01-01\nFecha de fin:\n2019-12-31\nFecha de la deliberación: 2020-03-15",
            "PERÍODO DEL CUAL RINDE CUENTAS: 01/01/2019 - 31/12/2019\nFecha: 15/03/2020",
        ] {
            assert_eq!(meta(form).year, Some(2019), "{form}");
        }
        // The year of the management reported on, however it is named, over the years the
        // text compares with.
        for header in [
            "Ejercicio económico 2022",
            "Año de gestión: 2022",
            "Período de gestión: 2022",
            "Gestión: 2022",
        ] {
            let text = format!(
                "Informe\n{header}\n\nEn 2021 se atendió a más afiliados; en 2023 se prevé más."
            );
            assert_eq!(meta(&text).year, Some(2022), "{header}");
        }
        let compared = format!(
            "Rendición de Cuentas 2021\n{}{}",
            "Texto de relleno del informe.\n".repeat(120),
            "Creció respecto al ejercicio fiscal 2020.\n".repeat(4)
        );
        assert_eq!(
            meta(&compared).year,
            Some(2021),
            "comparisons with the year before do not outweigh the title"
        );
    }

    #[test]
    fn the_unit_is_the_most_specific_one_written() {
        let m = meta("Rendición de Cuentas 2021\nDirección Provincial IESS Manabí\nHospital General Manta\nPeríodo: enero a diciembre de 2021\n");
        assert_eq!(m.unit.as_deref(), Some("Hospital General Manta"));
        assert_eq!(m.province.as_deref(), Some("Manabí"));
        let m = meta("Rendición de Cuentas 2020\nDirección Provincial IESS Carchi\nHospital Básico IESS Bolívar\n");
        assert_eq!(
            m.province.as_deref(),
            Some("Carchi"),
            "Bolívar is also a canton of Carchi"
        );
        let m =
            meta("INFORME\nUnidad: Coordinación Provincial del Seguro Social Campesino de Loja\n");
        assert_eq!(
            m.unit.as_deref(),
            Some("Coordinación Provincial del Seguro Social Campesino de Loja")
        );
        assert_eq!(m.province.as_deref(), Some("Loja"));
        let m = meta("NARRATIVA\n\nEn el presente informe, la Dirección Provincial IESS Manabí, da a conocer");
        assert_eq!(m.unit.as_deref(), Some("Dirección Provincial IESS Manabí"));
    }

    #[test]
    fn national_units_are_national() {
        let m = meta("Rendición de Cuentas 2021\n\nDirección Nacional de Seguro de Salud Individual y Familiar\n\nen todas las provincias");
        assert_eq!(m.province.as_deref(), Some(NATIONAL));
        assert_eq!(
            m.unit.as_deref(),
            Some("Dirección Nacional de Seguro de Salud Individual y Familiar")
        );
        // The IESS's insurance directorates are national; their provincial offices are not.
        for (header, province) in [
            ("Dirección del Seguro General de Riesgos del Trabajo - Rendición de Cuentas 2022", Some(NATIONAL)),
            ("Rendición de Cuentas 2021\nDirección del Sistema de Pensiones", Some(NATIONAL)),
            ("Rendición de Cuentas 2020\nCoordinación Provincial del Seguro Social Campesino de Loja", Some("Loja")),
        ] {
            let m = meta(&format!("{header}\n\nSe atendieron 1.200 afiliados.\n"));
            assert_eq!(m.province.as_deref(), province, "{header}");
        }
        // An insurance named alone on a header line is the unit reporting, and national.
        for unit in [
            "Seguro General de Riesgos del Trabajo",
            "Seguro Social Campesino",
        ] {
            let m = meta(&format!(
                "Informe de Rendición de Cuentas 2022\n{unit}\n\nSe atendieron 1.200 afiliados.\n"
            ));
            assert_eq!(m.unit.as_deref(), Some(unit));
            assert_eq!(m.province.as_deref(), Some(NATIONAL), "{unit}");
        }
        // Named in prose, it is not.
        let m = meta("Rendición de Cuentas 2022\nDirección Provincial IESS Loja\n\nEl Seguro Social Campesino y el Seguro General de Riesgos del Trabajo atendieron a 1.200 afiliados.\n");
        assert_eq!(m.unit.as_deref(), Some("Dirección Provincial IESS Loja"));
        assert_eq!(m.province.as_deref(), Some("Loja"));
    }

    #[test]
    fn a_province_can_be_only_implied() {
        assert_eq!(
            meta("convenio con la Universidad Estatal de Bolívar")
                .province
                .as_deref(),
            Some("Bolívar")
        );
        assert_eq!(
            meta("el Hospital IESS Manta atendió").province.as_deref(),
            Some("Manabí")
        );
        assert_eq!(
            meta("Informe de la provincia de Manabí. Obras en el cantón Pichincha y en Quito.")
                .province
                .as_deref(),
            Some("Manabí")
        );
    }

    #[test]
    fn the_title_names_the_report() {
        assert_eq!(
            meta("\n\nINFORME NARRATIVO RENDICIÓN DE CUENTAS 2021\n\nEstimados").title,
            "INFORME NARRATIVO RENDICIÓN DE CUENTAS 2021"
        );
        assert_eq!(
            meta("INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL\nINFORME DE\nRendición de Cuentas 2019\n").title,
            "INFORME DE Rendición de Cuentas 2019"
        );
        assert_eq!(
            meta("Informe de gestión anual\nTexto").title,
            "Informe de gestión anual"
        );
        // Page counters and dates head pages without naming anything.
        assert_eq!(
            meta("R.A.F.A.M.\tHoja: 1 de 3\nESTADO DE EJECUCION DE GASTOS\t10/07/2025 10:36\n")
                .title,
            "ESTADO DE EJECUCION DE GASTOS"
        );
        assert_eq!(
            meta("Página 2 de 40\nDel 02/01/2025 al 30/06/2025\nEjecución presupuestaria\n").title,
            "Ejecución presupuestaria"
        );
        // A title on two lines, the first ending on a connector.
        assert_eq!(
            meta("ACTA DE LA ASAMBLEA PARROQUIAL PARA LA ELECCIÓN Y POSESIÓN DEL\nCOMITÉ DE PARTICIPACIÓN CIUDADANA Y DEL\nCONSEJO DE PLANIFICACIÓN\n\nEn la parroquia").title,
            "ACTA DE LA ASAMBLEA PARROQUIAL PARA LA ELECCIÓN Y POSESIÓN DEL COMITÉ DE PARTICIPACIÓN CIUDADANA Y DEL CONSEJO DE PLANIFICACIÓN"
        );
    }

    #[test]
    fn a_surname_after_a_title_is_no_place() {
        // Issue 13: the parish president "Durán" made an El Oro report a Guayas one.
        let m = meta("GAD PARROQUIAL RURAL DE BELLAMARÍA\nInforme de Rendición de Cuentas 2015\nPresidente: Sr. Jaime Manolo Durán Chuchuca\nLa presidenta Lcda. María Durán informó.\nDurán Durán Durán\n");
        assert_eq!(m.province.as_deref(), Some("El Oro"));
        assert_eq!(
            meta("Informe 2015. El Ing. Carlos Machala Pérez y el cantón Durán.")
                .province
                .as_deref(),
            Some("Guayas"),
            "a cue makes an ambiguous canton count; a surname after a title does not"
        );
    }

    #[test]
    fn one_table_row_does_not_make_a_national_guide_provincial() {
        let m = meta("Secretaría Nacional de Planificación y Desarrollo\nGuía metodológica 2012\n\nTabla 5: fondos\n     Fondo de Vialidad de la Provincia de Loja        14,2       -      14,2\n");
        assert_eq!(m.province.as_deref(), Some(NATIONAL));
        let e = m.evidence.province.expect("evidence");
        assert_eq!(e.quote, "Secretaría Nacional de Planificación y Desarrollo");
    }

    #[test]
    fn national_cues_make_nacional() {
        let m = meta("Boletín de prensa\nEl Ministerio de Inclusión Económica y Social entregó el bono a escala nacional; la provincia del Guayas concentra la mayor parte de los beneficiarios.\n");
        assert_eq!(m.province.as_deref(), Some(NATIONAL));
        let m = meta("Boletín\nEl IESS pagó pensiones a escala nacional en 2022. En Guayas se registró el mayor número de jubilados, seguido de Pichincha.");
        assert_eq!(m.province.as_deref(), Some(NATIONAL), "a national release");
        let m = meta("LEY ORGÁNICA DE RÉGIMEN ESPECIAL\nArt. 1.- Para la provincia de Galápagos…");
        assert_eq!(m.province.as_deref(), Some(NATIONAL), "a law is national");
        let m = meta("Informe de Rendición de Cuentas 2015\nla Empresa Pública de Desarrollo Estratégico Ecuador Estratégico EP administra los excedentes de las empresas Petroecuador, Petroamazonas y Río Napo.");
        assert_eq!(m.province.as_deref(), Some(NATIONAL));
        let m = meta("Rendición de Cuentas 2019\nCobertura: Azuay, Bolívar, Cañar y Carchi.\n");
        assert_eq!(
            m.province.as_deref(),
            Some(NATIONAL),
            "a list of provinces is national"
        );
    }

    #[test]
    fn a_report_from_abroad_has_no_province_and_says_why() {
        let m = meta("Municipalidad de Carmen de Areco\nOrdenanza Fiscal 2021\nConstitución de la Provincia de Buenos Aires, República Argentina.");
        assert_eq!(m.province, None);
        let e = m.evidence.province.expect("evidence of the decision");
        assert_eq!(e.note.as_deref(), Some("outside Ecuador: no province"));
    }

    #[test]
    fn a_street_named_after_a_country_is_an_address_not_a_report_from_abroad() {
        let m = meta("INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL\nRendición de Cuentas 2020\nDirección Provincial IESS Loja\nCentro de Atención Ambulatoria IESS Celica\n\nDATOS GENERALES\nDirección: Calle Chile y Olmedo, Celica\nSucursal: Av. República de El Salvador y España\n");
        assert_eq!(m.province.as_deref(), Some("Loja"));
    }

    #[test]
    fn migrants_and_agreements_abroad_do_not_make_a_report_foreign() {
        let m = meta("INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL\nRendición de Cuentas 2016\nDirección Provincial IESS Pichincha\nCentro Clínico Quirúrgico Ambulatorio Hospital del Día Central\n\nEn el marco de los convenios bilaterales con España, se tramitaron 250 solicitudes. Se atendió a personas en situación de movilidad humana, principalmente ciudadanos de Perú, Argentina y\nBolivia. Con Chile y con Colombia también hay convenios. Ciudadanos de España,\nFrancia y Uruguay.\n");
        assert_eq!(m.province.as_deref(), Some("Pichincha"));
    }

    #[test]
    fn the_year_of_a_title_cell_or_a_spaced_header_counts_and_cited_laws_do_not() {
        let m = meta("JUNTA PARROQUIAL DE BELLAMARIA\n   CEDULA PRESUPUESTARIA DE GASTOS        Al   31 de diciembre del 2013\n");
        assert_eq!(m.year, Some(2013));
        assert_eq!(
            m.evidence.year.map(|e| e.quote).as_deref(),
            Some("Al 31 de diciembre del 2013")
        );
        assert_eq!(
            meta("R E N D I C I Ó N   D E   C U E N T A S   2 0 1 5\nTexto.").year,
            Some(2015)
        );
        assert_eq!(
            meta("Según la Ley Orgánica publicada en el Registro Oficial 2008, y el COOTAD 2010, presentamos las obras 2014. Obras 2014.").year,
            Some(2014)
        );
    }

    #[test]
    fn units_of_any_public_body_are_whole_titles() {
        let unit = |t: &str| meta(t).unit;
        assert_eq!(
            unit("RENDICIÓN DE CUENTAS\nGOBIERNO AUTÓNOMO\nDESCENTRALIZADO PARROQUIAL RURAL\nLA MERCED\n").as_deref(),
            Some("GOBIERNO AUTÓNOMO DESCENTRALIZADO PARROQUIAL RURAL LA MERCED")
        );
        assert_eq!(
            unit("      Municipalidad de\n      Carmen de Areco          Del 02/01/2025 al 30/06/2025\n").as_deref(),
            Some("Municipalidad de Carmen de Areco")
        );
        assert_eq!(
            unit("Informe 2020\nEl Gobierno Autónomo Descentralizado Parroquial Rural de Bellamaría, cantón Santa Rosa, presenta").as_deref(),
            Some("Gobierno Autónomo Descentralizado Parroquial Rural de Bellamaría")
        );
        let m = meta("Consejo Nacional Electoral\nDelegación Provincial Electoral de Cotopaxi\nRendición de cuentas 2019\n");
        assert_eq!(
            (m.unit.as_deref(), m.province.as_deref()),
            (
                Some("Delegación Provincial Electoral de Cotopaxi"),
                Some("Cotopaxi")
            ),
            "the provincial office of a national body reports for its province"
        );
        assert_eq!(
            unit("Junta Parroquial de Malvas\nInforme 2012").as_deref(),
            Some("Junta Parroquial de Malvas")
        );
        assert_eq!(
            unit("Narrativa\nLa Coordinación Provincial de Prestaciones del Seguro de Salud de Chimborazo presenta el informe de gestión 2020.").as_deref(),
            Some("Coordinación Provincial de Prestaciones del Seguro de Salud de Chimborazo"),
            "a connector such as \"del\" does not cut a name"
        );
        assert_eq!(
            unit("Informe 2019\nEl Ministerio de Salud Pública presenta su gestión.").as_deref(),
            Some("Ministerio de Salud Pública")
        );
        assert_eq!(
            unit("Informe 2021\nconvenio con la Universidad Estatal de Bolívar").as_deref(),
            None,
            "a partner named in an agreement is not the body that reports"
        );
    }

    #[test]
    fn a_unit_on_the_title_line_is_the_unit() {
        let body = "\n\nSe atendieron 12.000 afiliados y se ejecutó el 95% del presupuesto.\n";
        let unit = |header: &str| meta(&format!("{header}{body}")).unit;
        for (header, expected) in [
            (
                "Rendición de Cuentas 2022 - Dirección Provincial del IESS Loja",
                "Dirección Provincial del IESS Loja",
            ),
            (
                "INFORME DE RENDICIÓN DE CUENTAS 2021 HOSPITAL GENERAL MACHALA",
                "HOSPITAL GENERAL MACHALA",
            ),
            (
                "Hospital del Día Central Quito – Informe de Rendición de Cuentas 2019",
                "Hospital del Día Central Quito",
            ),
            (
                "Rendición de Cuentas 2023: Centro de Atención Ambulatoria Riobamba",
                "Centro de Atención Ambulatoria Riobamba",
            ),
            (
                "IESS – Coordinación Provincial de Prestaciones del Seguro de Salud Azuay – Rendición de Cuentas 2021",
                "Coordinación Provincial de Prestaciones del Seguro de Salud Azuay",
            ),
            (
                "Informe Narrativo de Rendición de Cuentas del año 2019 de la Dirección Provincial de Pichincha",
                "Dirección Provincial de Pichincha",
            ),
            (
                "Informe de Rendición de Cuentas del Hospital General Ambato, período 2020",
                "Hospital General Ambato",
            ),
            (
                "Dirección del Seguro General de Riesgos del Trabajo - Informe de Rendición de Cuentas 2022",
                "Dirección del Seguro General de Riesgos del Trabajo",
            ),
            (
                "Seguro Social Campesino – Coordinación Provincial Esmeraldas – Rendición de Cuentas 2020",
                "Coordinación Provincial Esmeraldas",
            ),
            (
                "Hospital General IESS - Machala\nRendición de Cuentas 2021",
                "Hospital General IESS - Machala",
            ),
            (
                "Rendición de Cuentas | Dirección Provincial de Guayas | 2020",
                "Dirección Provincial de Guayas",
            ),
            (
                "Rendición de Cuentas 2022\nUnidad Médica: Hospital del Día El Batán",
                "Hospital del Día El Batán",
            ),
            (
                "Rendición de Cuentas 2021 - Municipalidad de\nCarmen de Areco",
                "Municipalidad de Carmen de Areco",
            ),
        ] {
            assert_eq!(unit(header).as_deref(), Some(expected), "{header}");
        }
        // A label's or a caption's name is not the report's unit.
        for header in [
            "Rendición de Cuentas 2021\nDirección Nacional de Salud\nFuente: Coordinación Nacional de Estadística",
            "Rendición de Cuentas 2021\nDirección Nacional de Salud\nGráfico 1 – Hospital General Machala",
        ] {
            assert_eq!(
                unit(header).as_deref(),
                Some("Dirección Nacional de Salud"),
                "{header}"
            );
        }
    }

    #[test]
    fn the_accountability_forms_labels_name_the_unit() {
        let form = "FORMULARIO DE INFORME DE RENDICIÓN DE CUENTAS\nDATOS GENERALES\nNOMBRE DE LA UNIDAD DE ADMINISTRACIÓN FINANCIERA:   INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL\nNOMBRE DE LA ENTIDAD OPERATIVA DESCONCENTRADA:   HOSPITAL GENERAL IESS RIOBAMBA\nFUNCIÓN A LA QUE PERTENECE:   FUNCIÓN EJECUTIVA\nPROVINCIA:   CHIMBORAZO\n";
        let m = meta(form);
        assert_eq!(m.unit.as_deref(), Some("HOSPITAL GENERAL IESS RIOBAMBA"));
        assert!(m.evidence.unit.is_some_and(|e| e.confidence >= 0.95));
        let m = meta("INFORME DE\nRendición de Cuentas 2010\nDATOS GENERALES\nNombre de la institución: Instituto Ecuatoriano de Seguridad Social\nUnidad: Dirección Provincial IESS El Oro\n");
        assert_eq!(m.unit.as_deref(), Some("Dirección Provincial IESS El Oro"));
        let m = meta("Rendición de Cuentas 2020\nInstitución: Gobierno Autónomo Descentralizado Parroquial Rural de Bellamaría\n");
        assert_eq!(
            m.unit.as_deref(),
            Some("Gobierno Autónomo Descentralizado Parroquial Rural de Bellamaría")
        );
    }

    #[test]
    fn an_office_named_after_its_town_is_the_unit() {
        let body = "\n\nEl Instituto Ecuatoriano de Seguridad Social en la ciudad atendió a 12.345 afiliados.\n";
        let meta_of = |header: &str| meta(&format!("{header}{body}"));
        for (header, unit, province) in [
            (
                "RENDICIÓN DE CUENTAS 2015 - IESS TULCÁN",
                "IESS TULCÁN",
                "Carchi",
            ),
            (
                "Informe de Rendición de Cuentas 2019\nIESS Ambato",
                "IESS Ambato",
                "Tungurahua",
            ),
            (
                "Rendición de Cuentas 2020\nIESS de La Libertad",
                "IESS de La Libertad",
                "Santa Elena",
            ),
            // The institute's name, then its unit's.
            (
                "Informe de Rendición de Cuentas 2021\nIESS – Dirección Provincial de Morona Santiago",
                "Dirección Provincial de Morona Santiago",
                "Morona Santiago",
            ),
            (
                "Rendición de Cuentas 2021\nInstituto Ecuatoriano de Seguridad Social | Hospital General Machala",
                "Hospital General Machala",
                "El Oro",
            ),
        ] {
            let m = meta_of(header);
            assert_eq!(m.unit.as_deref(), Some(unit), "{header}");
            assert_eq!(m.province.as_deref(), Some(province), "{header}");
        }
        // The acronym before anything but a place names no office.
        for header in [
            "IESS Rendición de Cuentas 2020",
            "Rendición de Cuentas 2020\nIESS Informe Anual",
            "Rendición de Cuentas 2020\nIESS Tulcán Norte Sur",
        ] {
            assert_eq!(
                meta_of(header).unit.as_deref(),
                Some("Instituto Ecuatoriano de Seguridad Social"),
                "{header}"
            );
        }
    }

    #[test]
    fn a_unit_in_a_town_is_in_the_towns_province_not_a_parishs_of_that_name() {
        let body = "\n\nSe atendieron 12.000 afiliados durante el período.\n";
        let province = |header: &str| meta(&format!("{header}{body}")).province;
        // Milagro is a canton of Guayas and a rural parish of El Oro; La Libertad a canton of
        // Santa Elena and parishes of Carchi, El Oro and Quito.
        assert_eq!(
            province("Rendición de Cuentas 2017\nHospital General IESS Milagro").as_deref(),
            Some("Guayas")
        );
        assert_eq!(
            province("Rendición de Cuentas 2020\nHospital Básico IESS La Libertad").as_deref(),
            Some("Santa Elena")
        );
        assert_eq!(
            province("Rendición de Cuentas 2021\nHospital IESS Sto. Domingo").as_deref(),
            Some("Santo Domingo de los Tsáchilas"),
            "an abbreviated name"
        );
        assert_eq!(
            province("Rendición de Cuentas 2020\nGAD Parroquial Rural de Milagro").as_deref(),
            Some("El Oro"),
            "a parish government is a rural parish's"
        );
        // The institute's day hospitals are named after a quarter of their city, which may be
        // a parish elsewhere: El Batán of Cuenca, Valdivia of Santa Elena.
        assert_eq!(
            province("Rendición de Cuentas 2021\nHospital del Día El Batán").as_deref(),
            Some("Pichincha")
        );
        assert_eq!(
            province("Rendición de Cuentas 2021\nCentro Clínico Quirúrgico Ambulatorio Hospital del Día Sur Valdivia").as_deref(),
            Some("Guayas")
        );
        // So are its hospitals at Ancón (also a parish of Esmeraldas) and in the Valle de los
        // Chillos (El Valle is a parish of Cuenca).
        assert_eq!(
            province("Rendición de Cuentas 2023\nHospital Básico IESS Ancón").as_deref(),
            Some("Santa Elena")
        );
        assert_eq!(
            province("Rendición de Cuentas 2023\nHospital Básico IESS Valle de los Chillos")
                .as_deref(),
            Some("Pichincha")
        );
    }

    #[test]
    fn a_period_between_two_dates_after_periodo_gives_the_year() {
        let m = meta("Rendición de Cuentas\nPeríodo: 01/01/2021 – 31/12/2021\nHospital del IESS Puyo\n\nAtención de especialidades en 2020 y 2022.\n");
        assert_eq!(m.year, Some(2021));
    }

    #[test]
    fn a_city_named_on_every_page_does_not_outweigh_the_unit() {
        let text = format!(
            "Rendición de Cuentas 2021\nDirección Provincial IESS Bolívar\n{}",
            "Se derivaron pacientes a Guayaquil.\n".repeat(60)
        );
        assert_eq!(meta(&text).province.as_deref(), Some("Bolívar"));
    }

    #[test]
    fn a_canton_named_like_a_province_is_settled_by_other_cues() {
        let m = meta("GOBIERNO AUTÓNOMO DESCENTRALIZADO MUNICIPAL DEL CANTÓN BOLÍVAR\nRendición de cuentas 2020\nObras en la ciudad de Calceta.\n");
        assert_eq!(m.province.as_deref(), Some("Manabí"));
    }

    #[test]
    fn a_local_public_company_is_in_its_city() {
        let m = meta("Informe de gestión\nEmpresa Pública Municipal de Agua Potable y Alcantarillado de Ambato EP-EMAPA-A\nEjercicio fiscal 2019\n");
        assert_eq!(m.province.as_deref(), Some("Tungurahua"));
        assert!(m.evidence.province.is_some_and(|e| e.confidence >= 0.9));
    }

    #[test]
    fn form_labels_are_cues() {
        let m = meta("FORMULARIO DE INFORME 2014\nProvincia: LOJA\nCantón: ESPÍNDOLA\nDirección: BOLÍVAR Y SUCRE\n");
        assert_eq!(m.province.as_deref(), Some("Loja"));
        assert_eq!(
            m.evidence.province.map(|e| e.quote).as_deref(),
            Some("Provincia: LOJA")
        );
    }

    #[test]
    fn a_parish_government_lands_in_its_province() {
        let m = meta("GAD PARROQUIAL RURAL DE FUNDOCHAMBA\nRendición de cuentas 2018\n");
        assert_eq!(m.province.as_deref(), Some("Loja"));
        let e = m.evidence.province.expect("evidence");
        assert_eq!(e.quote, "GAD PARROQUIAL RURAL DE FUNDOCHAMBA");
        assert_eq!(e.span, Some((0, 35)));
        assert!(e.confidence >= 0.9, "{e:?}");
        let m = meta("GAD Parroquial Rural La Merced\nRendición de cuentas 2016\n");
        assert_eq!(
            m.province.as_deref(),
            Some("Pichincha"),
            "La Merced is a rural parish of Quito and an urban one of Ambato"
        );
    }

    #[test]
    fn odd_text_never_panics_and_spans_stay_in_the_text() {
        let odd = [
            "",
            " ",
            "\n\n\t\t   \u{f0b7}",
            "ñ",
            "Rendición de Cuentas 20",
            "Municipalidad de",
            "GAD Parroquial Rural de \"",
            "   Municipalidad de\n   Á      \n",
            "Sr. Durán\nDirección Provincial IESS",
            "á é í ó ú 2 0 2 1 ñ",
            "provincia de provincia de provincia de Loja Loja Loja",
            "Ing. Loja. Sr. Manta, Quito; Cuenca — Guayaquil ⁂ 𝔐anabí 2021-2022 31/12/2021",
        ];
        for text in odd {
            let m = meta(text);
            let chars = text.chars().count();
            for e in [m.evidence.year, m.evidence.province, m.evidence.unit]
                .into_iter()
                .flatten()
            {
                let (a, b) = e.span.expect("span");
                assert!(a <= b && b <= chars, "{text:?}: {e:?}");
            }
        }
    }

    #[test]
    fn lines_are_found_around_an_offset() {
        let lines = Lines::new("ab\ncd\n\nef");
        assert_eq!(lines.around(0), (0, 2));
        assert_eq!(lines.around(2), (0, 2));
        assert_eq!(lines.around(3), (3, 5));
        assert_eq!(lines.around(6), (6, 6));
        assert_eq!(lines.around(8), (7, 9));
    }
}
