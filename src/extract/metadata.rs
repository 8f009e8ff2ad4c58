//! A report's year, province, unit and title, read from its prose.
//!
//! Reports carry no metadata fields, so each value is weighed from clues:
//! - **year**: the year reported on, not the publication date. "correspondiente a 2022" beats
//!   "Rendición de Cuentas 2021" and "enero a diciembre de 2021", which beat "ejercicio fiscal",
//!   which beat a bare year; dates ("14 de mayo de 2023") and ranges ("2018-2028") never count.
//! - **unit**: a labelled line ("Unidad: …"), else the most specific unit line of the header
//!   (a hospital over its provincial directorate), else a unit named in the opening prose
//!   ("la Dirección Provincial IESS Manabí, da a conocer…"), as written.
//! - **province**: `Nacional` for national units; else the province with the heaviest
//!   mentions, a province named in the unit or after "provincia de"/"Provincial" weighing most,
//!   then the header, then capitals and cantons ([`Gazetteer`]).
//! - **title**: the line of the header that names the "Rendición de Cuentas", as written.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::gazetteer::{Gazetteer, PlaceKind};
use crate::analysis::fold_key;
use crate::analysis::text::floor_boundary;
use crate::analysis::text::is_one_of;

/// Metadata of one report; `None` where the text does not tell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    pub title: String,
    pub year: Option<i32>,
    pub province: Option<String>,
    pub unit: Option<String>,
}

/// What `province` holds for national units.
pub const NATIONAL: &str = "Nacional";

/// The header: where titles, units and the reported period are written.
const HEADER_BYTES: usize = 3000;
/// Header lines looked at for the title and unit lines.
const HEADER_LINES: usize = 25;
/// Longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 160;

/// Reads the metadata of a report's text.
pub fn extract_metadata(text: &str, gazetteer: &Gazetteer) -> Metadata {
    let lines = header_lines(text);
    let unit = unit(text, &lines);
    let province = province(text, unit.as_deref(), &lines, gazetteer);
    Metadata {
        title: title(&lines),
        year: year(text),
        province,
        unit,
    }
}

/// The first non-blank lines, trimmed, without page numbers.
fn header_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{f0b7}'))
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c.is_ascii_digit()))
        .take(HEADER_LINES)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Year

struct YearRule {
    re: Regex,
    weight: u32,
}

fn year_rules() -> &'static [YearRule] {
    static RULES: OnceLock<Vec<YearRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let y = r"((?:19|20)\d\d)\b";
        let rule = |pattern: String, weight| YearRule {
            re: super::pattern(&pattern),
            weight,
        };
        vec![
            rule(
                format!(
                    r"(?i)correspondiente\s+(?:al?\s+)?(?:(?:año|ano|per[ií]odo|ejercicio(?:\s+fiscal)?|gesti[oó]n)\s+)?(?:(?:fiscal|de|del)\s+)*{y}"
                ),
                12,
            ),
            rule(
                format!(
                    r"(?i)rendici[oó]n\s+de\s+cuentas\s*(?:(?:del?\s+)?(?:año|ano|per[ií]odo|ejercicio(?:\s+fiscal)?)\s+)?[:\-–]?\s*{y}"
                ),
                8,
            ),
            rule(
                format!(r"(?i)\benero\s*(?:de(?:l)?\s+(?:19|20)\d\d\s*)?(?:a|al|hasta|-|–|y)\s*(?:(?:el\s+)?31\s+de\s+)?diciembre\s*(?:de(?:l)?\s*)?{y}"),
                8,
            ),
            rule(format!(r"(?i)(?:ejercicio|per[ií]odo|a[ñn]o)\s+fiscal\s+(?:de(?:l)?\s+)?{y}"), 6),
            rule(format!(r"(?i)\bper[ií]odo\s*:?\s*{y}"), 4),
            rule(format!(r"(?i)\bgesti[oó]n\s+(?:del?\s+)?(?:año\s+)?{y}"), 3),
        ]
    })
}

/// A year in a date ("14 de mayo de 2023", "14/05/2023") or a range ("2018-2028"): not a
/// reported year.
fn date_or_range() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        super::pattern(
            r"(?i)\d{1,2}\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\s+(?:de(?:l)?\s+)?(?:19|20)\d\d|\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d\d|(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d",
        )
    })
}

fn bare_year() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| super::pattern(r"\b((?:19|20)\d\d)\b"))
}

/// The year reported on.
fn year(text: &str) -> Option<i32> {
    let mut votes: HashMap<i32, u32> = HashMap::new();
    let plausible = |y: i32| (1990..=2100).contains(&y);
    for rule in year_rules() {
        for c in rule.re.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            let Ok(y) = m.as_str().parse::<i32>() else {
                continue;
            };
            if plausible(y) {
                let header = if m.start() < HEADER_BYTES { 2 } else { 1 };
                *votes.entry(y).or_default() += rule.weight * header;
            }
        }
    }
    if votes.is_empty() {
        // Only bare years: the most frequent, leaving out dates and ranges.
        let excluded: Vec<(usize, usize)> = date_or_range()
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect();
        for c in bare_year().captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            if excluded
                .iter()
                .any(|&(s, e)| m.start() >= s && m.end() <= e)
            {
                continue;
            }
            if let Ok(y) = m.as_str().parse::<i32>() {
                if plausible(y) {
                    *votes.entry(y).or_default() += 1;
                }
            }
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
        .map(|(y, _)| y)
}

// ---------------------------------------------------------------------------------------------
// Unit

/// How a unit's name starts.
const UNIT_HEADS: &str = r"(?:(?:Sub)?[Dd]irecci[oó]n\s+(?:Provincial|Nacional|General|Zonal|Distrital)|(?:Sub)?DIRECCI[OÓ]N\s+(?:PROVINCIAL|NACIONAL|GENERAL|ZONAL)|[Cc]oordinaci[oó]n\s+(?:Provincial|Nacional|Zonal|General)|COORDINACI[OÓ]N\s+(?:PROVINCIAL|NACIONAL|ZONAL)|Jefatura\s+Provincial|Unidad\s+(?:Provincial|M[eé]dica|de\s+Atenci[oó]n)|Hospital|HOSPITAL|Centro\s+(?:de\s+Atenci[oó]n|Cl[ií]nico|de\s+Salud|de\s+Especialidades|M[eé]dico)|Dispensario)";

fn unit_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| super::pattern(&format!(r"^{UNIT_HEADS}\b")))
}

fn unit_label() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        super::pattern(r"(?im)^\s*(?:unidad|nombre\s+de\s+la\s+unidad|unidad\s+(?:operativa|responsable)|entidad\s+operativa\s+desconcentrada|dependencia)\s*:\s*(\S.{2,160}?)\s*$")
    })
}

fn unit_in_prose() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // "la Dirección Provincial IESS Manabí, da a conocer": the head, then capitalised words
        // and the connectors of names, up to punctuation.
        let word = r"(?:[A-ZÁÉÍÓÚÑ0-9][\wÁÉÍÓÚÑáéíóúñü.\-]*|de|del|de\s+la|de\s+los|de\s+las|y|e|la|el|los|las)";
        super::pattern(&format!(r"\b(?:la|el|La|El)\s+({UNIT_HEADS}(?:\s+{word}){{0,14}})"))
    })
}

/// The reporting unit, as written.
fn unit(text: &str, lines: &[&str]) -> Option<String> {
    if let Some(c) = unit_label().captures(&text[..floor_boundary(text, HEADER_BYTES * 2)]) {
        if let Some(m) = c.get(1) {
            let u = clean_name(m.as_str());
            if unit_line().is_match(&u) || u.split_whitespace().count() >= 2 {
                return Some(u);
            }
        }
    }
    // Header lines that are a unit's name; the last is the most specific (a hospital after its
    // directorate). Mixed case is preferred to a shouted title.
    let header: Vec<String> = lines
        .iter()
        .filter(|l| l.chars().count() <= 160 && unit_line().is_match(l) && is_name(l))
        .map(|l| clean_name(l))
        .collect();
    let mixed = header.iter().rev().find(|l| !is_shouted(l));
    if let Some(u) = mixed {
        return Some(u.clone());
    }
    let prose = &text[..floor_boundary(text, HEADER_BYTES * 2)];
    let in_prose = unit_in_prose()
        .captures_iter(prose)
        .filter_map(|c| c.get(1))
        .map(|m| clean_name(m.as_str()))
        .find(|u| u.split_whitespace().count() >= 2);
    in_prose.or_else(|| header.last().cloned())
}

/// Whether a line reads as a name, not a sentence: every word capitalised, a number, an
/// acronym or a connector of names.
fn is_name(line: &str) -> bool {
    const CONNECTORS: [&str; 12] = [
        "de", "del", "la", "las", "el", "los", "y", "e", "en", "para", "a", "al",
    ];
    line.split_whitespace().all(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.is_empty()
            || is_one_of(w, &CONNECTORS)
            || w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    })
}

/// Trims a name: spaces collapsed, trailing connectors and punctuation dropped.
fn clean_name(s: &str) -> String {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    while let Some(last) = words.last() {
        let l = last.trim_end_matches(['.', ',', ';', ':', '-']);
        if l.is_empty() || ["de", "del", "la", "el", "los", "las", "y", "e", "en", "a"].contains(&l)
        {
            words.pop();
        } else {
            break;
        }
    }
    let joined = words.join(" ");
    joined.trim_end_matches(['.', ',', ';', ':']).to_string()
}

fn is_shouted(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic());
    let (mut upper, mut all) = (0, 0);
    for c in letters {
        all += 1;
        upper += usize::from(c.is_uppercase());
    }
    all > 0 && upper * 10 >= all * 9
}

// ---------------------------------------------------------------------------------------------
// Province

fn national_unit() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        super::pattern(r"(?i)\b(?:direcci[oó]n|subdirecci[oó]n|coordinaci[oó]n|gerencia)\s+(?:nacional|general)\b|\bnivel\s+nacional\b|\bplanta\s+central\b")
    })
}

fn provincial_context() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        super::pattern(r"(?i)(?:provincia\s+(?:de(?:l)?\s+)?|provincial\s+(?:(?:del?\s+)?(?:iess\s+)?(?:de(?:l)?\s+)?)?)$")
    })
}

/// The province (proper name) or `Nacional`.
///
/// Weights: a province named as such ("provincia de X", "Dirección Provincial IESS X") 30;
/// any place in the unit's name 10; a province's name 3, its capital 2, another place 1; all
/// doubled in the header. "Hospital Básico IESS Bolívar" under "Dirección Provincial IESS
/// Carchi" is in Carchi (Bolívar is also a canton there).
fn province(text: &str, unit: Option<&str>, lines: &[&str], g: &Gazetteer) -> Option<String> {
    let mut scores: HashMap<&str, (u32, usize)> = HashMap::new();
    fn add<'g>(
        scores: &mut HashMap<&'g str, (u32, usize)>,
        province: &'g str,
        weight: u32,
        at: usize,
    ) {
        let e = scores.entry(province).or_insert((0, at));
        e.0 += weight;
        e.1 = e.1.min(at);
    }
    if let Some(u) = unit {
        for m in g.mentions(u) {
            let provincial =
                m.kind == PlaceKind::Province && provincial_context().is_match(&u[..m.start]);
            add(&mut scores, m.province, if provincial { 30 } else { 10 }, 0);
        }
    }
    if scores.is_empty() {
        let national = unit.is_some_and(|u| national_unit().is_match(u)) || {
            let header_text = lines.join("\n");
            national_unit().is_match(&header_text)
                && !fold_key(&header_text).contains("provincial")
                && g.mentions(&header_text).is_empty()
        };
        if national {
            return Some(NATIONAL.to_string());
        }
    }
    for m in g.mentions(text) {
        let before = &text[floor_boundary(text, m.start.saturating_sub(40))..m.start];
        let mut weight = match m.kind {
            PlaceKind::Province if provincial_context().is_match(before) => 30,
            PlaceKind::Province => 3,
            PlaceKind::Capital => 2,
            PlaceKind::Place => 1,
        };
        if m.start < HEADER_BYTES {
            weight *= 2;
        }
        add(&mut scores, m.province, weight, m.start);
    }
    scores
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then_with(|| b.1 .1.cmp(&a.1 .1)))
        .map(|(p, _)| p.to_string())
}

// ---------------------------------------------------------------------------------------------
// Title

/// The header line naming the accountability report (with a leading fragment such as
/// "INFORME DE" joined), else the first meaningful line.
fn title(lines: &[&str]) -> String {
    let names_report = |l: &str| fold_key(l).contains("rendicion de cuentas");
    let pick = lines.iter().position(|l| names_report(l)).or_else(|| {
        lines
            .iter()
            .position(|l| l.split_whitespace().count() >= 2 && !is_generic(l))
    });
    let Some(i) = pick else {
        return String::new();
    };
    let mut title = lines[i].split_whitespace().collect::<Vec<_>>().join(" ");
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
    }
}
