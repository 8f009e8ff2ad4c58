//! The province, `Nacional`, or none (a report from outside Ecuador), weighed from cues.
//!
//! Each mention of a place is a cue for its province, weighed by where and how it is said:
//! - in the unit's name: 60 after "Provincial"/"provincia de", else 25; a national unit
//!   ("Dirección Nacional …", a ministry, a national secretariat) is 60 for `Nacional`; a
//!   surname or common word in the unit's name counts a fifth unless a cue says it is a place;
//! - in the text: "provincia de X" 15, a province's name 3, a capital or listed place 2, a
//!   canton 1.5 (4 after "cantón", "GAD Municipal de" …), a parish only after such a cue (4);
//!   three times as much in the header; the k-th mention of a province counts 1/k;
//! - against it: nothing inside a person's name ("Sr. Jaime Durán", "presidente Juan Loja
//!   Pérez"), a quarter inside a company or programme name ("Fondo de Vialidad de la
//!   Provincia de Loja", "Empresa Eléctrica Quito"), a third in a table row, nothing in a list
//!   of three provinces or more (which is a cue for `Nacional`);
//! - surnames, common words and names found in several provinces count only after a cue
//!   ("cantón Durán"), and a name found in several provinces goes to those of them that other
//!   cues support.
//!
//! National cues add to `Nacional`: "a escala nacional", "en todo el país" (15 in the header,
//! 4 elsewhere), a law as the title (60), six provinces or more named. Places abroad
//! ("Provincia de Buenos Aires") add to no province.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::{confidence, Cue, HeaderLine, Lines, HEADER_BYTES, INSURANCE_LINE};
use crate::analysis::text::floor_boundary;
use crate::extract::gazetteer::{Gazetteer, Mention, PlaceKind};
use crate::extract::pattern;

/// What the province field ends up saying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Province(usize),
    National,
    Abroad,
}

/// Weight and strongest cue per target.
#[derive(Default)]
struct Tally {
    scores: HashMap<Target, (f32, Option<Cue>)>,
}

impl Tally {
    fn add(&mut self, text: &str, target: Target, weight: f32, start: usize, end: usize) {
        if weight <= 0.0 {
            return;
        }
        let e = self.scores.entry(target).or_insert((0.0, None));
        e.0 += weight;
        if e.1.as_ref().is_none_or(|c| c.weight < weight) {
            e.1 = Some(Cue::new(text, start, end, weight));
        }
    }

    fn score(&self, target: Target) -> f32 {
        self.scores.get(&target).map_or(0.0, |e| e.0)
    }

    /// Provinces by score, highest first.
    fn provinces(&self) -> Vec<(usize, f32)> {
        let mut v: Vec<(usize, f32)> = self
            .scores
            .iter()
            .filter_map(|(t, (w, _))| match t {
                Target::Province(p) => Some((*p, *w)),
                _ => None,
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    fn take_cue(&mut self, target: Target) -> Option<Cue> {
        self.scores.get_mut(&target).and_then(|e| e.1.take())
    }
}

/// A mention weighed, before names found in several provinces are settled.
struct Weighed {
    provinces: Vec<usize>,
    weight: f32,
    start: usize,
    end: usize,
    line: usize,
}

fn national_unit() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(&format!(r"(?i)\b(?:direcci[oó]n|subdirecci[oó]n|coordinaci[oó]n|gerencia)\s+(?:nacional|general)\b|\bnivel\s+nacional\b|\bplanta\s+central\b|^ministerio\b|^(?:sub)?secretar[ií]a\s+(?:nacional|t[eé]cnica|general|de)\b|^superintendencia|contralor[ií]a\s+general|procuradur[ií]a\s+general|defensor[ií]a\s+del\s+pueblo|fiscal[ií]a\s+general|^consejo\s+(?:nacional|de\s+participaci[oó]n)|^agencia\s+(?:nacional|de\s+regulaci[oó]n)|^servicio\s+(?:nacional|de\s+rentas\s+internas|ecuatoriano)|^banco\s+central|^corporaci[oó]n\s+(?:financiera\s+)?nacional|asamblea\s+nacional|polic[ií]a\s+nacional|senplades|\bcpccs\b|^empresa\s+p[uú]blica\b.*\becuador\b|^servicio\s+integrado|^direcci[oó]n\s+del\s+(?:seguro\s+general|sistema\s+de\s+pensiones|seguro\s+social\s+campesino)\b|{INSURANCE_LINE}"))
    })
}

fn local_government() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)\b(?:municipal|provincial|cantonal|parroquial|metropolitan[oa])\b")
    })
}

fn parish_government() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| pattern(r"(?i)\bparroquial\b|\bgadpr\b"))
}

fn national_text() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)\ba\s+(?:escala|nivel)\s+nacional\b|\ben\s+todo\s+el\s+pa[ií]s\b|\ben\s+las\s+24\s+provincias\b|\btodas\s+las\s+provincias\b|\b(?:direcci[oó]n|coordinaci[oó]n|subdirecci[oó]n)\s+nacional\b")
    })
}

/// The last word of every [`national_text`] phrase.
fn national_anchor() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| pattern(r"(?i)(?:nacional|pa[ií]s|provincias)\b"))
}

/// The phrases of [`national_text`] in `text`. Each ends with a rare word: those are found
/// first, and the phrase is looked for only in the few bytes before them (the phrase's first
/// words, "a", "en", would make a search of the whole text stop at nearly every word).
fn national_mentions(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    /// Far more than a phrase spans before its last word.
    const BEFORE: usize = 200;
    let mut from = 0;
    national_anchor().find_iter(text).filter_map(move |a| {
        // Up to the anchor, with what comes before the window in view for `\b`.
        let upto = &text[..a.end()];
        let mut at = floor_boundary(text, a.start().saturating_sub(BEFORE)).max(from);
        while let Some(m) = national_text().find_at(upto, at) {
            if m.end() == a.end() {
                from = m.end();
                return Some((m.start(), m.end()));
            }
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
        }
        None
    })
}

/// A header line that is the title of a national law or of the national assembly's acts.
fn law_title() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)^(?:ley\s+(?:org[aá]nica|reformatoria|de|del|para|sobre)|c[oó]digo\s+org[aá]nico|reglamento\s+(?:general|a\s+la\s+ley)|registro\s+oficial|asamblea\s+nacional|el\s+pleno\s+de\s+la\s+asamblea)\b")
    })
}

fn provincial_context() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r#"(?i)(?:provincia\s*:?\s+(?:de(?:l)?\s+)?|provincial\s+(?:(?:del?\s+)?(?:iess\s+)?(?:de(?:l)?\s+)?)?)["“«']?$"#)
    })
}

/// Words right before a name that say it is a canton or parish.
/// For each of `places` (in text order), whether it stands in a list of three or more places
/// close together (`Perú, Argentina y Bolivia`).
fn in_lists(places: &[(usize, usize)]) -> Vec<bool> {
    const GAP: usize = 24;
    let mut listed = vec![false; places.len()];
    let mut run = 0;
    for i in 0..places.len() {
        run = if i > 0 && places[i].0 <= places[i - 1].1 + GAP {
            run
        } else {
            i
        };
        if i + 1 - run >= 3 {
            listed[run..=i].iter_mut().for_each(|l| *l = true);
        }
    }
    listed
}

/// Whether the place at `start` is where people or agreements come from (`ciudadanos de`,
/// `migrantes procedentes de`, `convenio bilateral con`), not where the report is from.
fn about_foreigners(text: &str, start: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        pattern(r"(?i)(?:\b(?:ciudadan[oa]s?|nacionales|personas|migrantes|inmigrantes|emigrantes|refugiad[oa]s|retornad[oa]s|procedentes?|provenientes?|originari[oa]s?|oriund[oa]s?|residentes|afiliad[oa]s|jubilad[oa]s)\s+(?:\w+\s+)?(?:de(?:l)?|en)\s+(?:la\s+)?|\bconvenios?\b[^.;]{0,40}?\b(?:con|entre)\s+(?:\w+\s+y\s+)?(?:el\s+|la\s+)?)$")
    });
    re.is_match(&text[floor_boundary(text, start.saturating_sub(80))..start])
}

/// Whether the place at `start` names a street: a street word shortly before it on its line
/// (`Calle Chile y Olmedo`, `Av. República de El Salvador y España`), or an address line
/// (`Dirección: …`).
fn in_address(text: &str, start: usize) -> bool {
    static STREET: OnceLock<Regex> = OnceLock::new();
    static LABEL: OnceLock<Regex> = OnceLock::new();
    let street = STREET.get_or_init(|| {
        pattern(r"(?i)\b(?:calles?|av|avda|avenida|pasaje|psje|pje|diagonal|transversal|esquina|intersecci[oó]n)\b")
    });
    let label = LABEL.get_or_init(|| {
        pattern(r"(?i)^\s*(?:direcci[oó]n(?:\s+(?:de\s+la\s+)?(?:matriz|oficina|sede))?|domicilio|ubicaci[oó]n|sede)\s*:")
    });
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[floor_boundary(text, start.saturating_sub(40)).max(line_start)..start];
    street.is_match(before) || label.is_match(&text[line_start..start])
}

fn place_context() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r#"(?i)(?:cant[oó]n|parroquia(?:\s+rural|\s+urbana)?|parroquial(?:\s+rural)?|municipal|municipalidad|municipio|ciudad|distrito\s+metropolitano|gad(?:m|pr)?|recinto|comuna)\s*:?\s+(?:de(?:l)?\s+)?(?:la\s+)?(?:cant[oó]n\s+|parroquia\s+)?["“«']?$"#)
    })
}

/// A title or office before a person's name.
fn person_title() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?:\b(?:Sr|Sra|Srta|Ing|Lcd[oa]|Lic|Dr|Dra|Abg|Ab|Arq|Econ|Eco|Tlgo|Tnlgo|Tec|Mgs|Msc|MSc|Mg|Prof|Cpa|CPA|Cap|Crnl|Gral|Tnte|Ec)\.|\b(?i:señor|señora|señorita|don|doña|presidente|presidenta|vicepresidente|vicepresidenta|vocal|vocales|secretario|secretaria|tesorero|tesorera|alcalde|alcaldesa|prefecto|prefecta|concejal|concejala|gerente|contratista|fiscalizador|fiscalizadora|administrador|administradora|compañero|compañera|ingeniero|ingeniera|licenciado|licenciada|doctor|doctora|abogado|abogada|economista|arquitecto|arquitecta|magister|técnico|técnica)\b)[\s,:]+")
    })
}

/// A company or programme whose name may hold a place name.
fn named_body() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)\b(?:empresa|compañ[ií]a|c[ií]a\.|corporaci[oó]n|fundaci[oó]n|cooperativa|programa|proyecto|fondo|banco|consorcio|asociaci[oó]n|club|federaci[oó]n|liga|universidad|unidad\s+educativa|colegio|escuela|diario|radio|hotel|cl[ií]nica)\b")
    })
}

/// Words of a unit's name that never are a person's given name.
const UNIT_WORDS: [&str; 24] = [
    "provincial",
    "nacional",
    "general",
    "zonal",
    "distrital",
    "cantonal",
    "parroquial",
    "municipal",
    "iess",
    "rural",
    "hospital",
    "centro",
    "dirección",
    "direccion",
    "coordinación",
    "coordinacion",
    "gad",
    "junta",
    "gobierno",
    "básico",
    "basico",
    "universidad",
    "estatal",
    "técnica",
];

/// Whether the mention at `start..end` sits inside a person's name.
fn in_person_name(text: &str, line_start: usize, start: usize, end: usize) -> bool {
    let before = &text[floor_boundary(text, start.saturating_sub(80)).max(line_start)..start];
    // A title, then up to four capitalised words of a name, then the mention.
    if let Some(m) = person_title().find_iter(before).last() {
        let between = &before[m.end()..];
        let words: Vec<&str> = between.split_whitespace().collect();
        let name_like = words.len() <= 4
            && words.iter().all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && !UNIT_WORDS.contains(&w.to_lowercase().as_str())
            });
        if name_like {
            return true;
        }
    }
    // "María Loja Pérez": a capitalised given name before and a surname after.
    let prev = before
        .trim_end_matches([' ', '\t'])
        .rsplit([' ', '\t'])
        .next()
        .unwrap_or("");
    let after = text[end..].trim_start_matches([' ', '\t']);
    let next = after
        .split([' ', '\t', '\n', ',', '.', ';'])
        .next()
        .unwrap_or("");
    let capitalised = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().skip(1).any(char::is_lowercase)
            && w.chars().all(char::is_alphabetic)
            && !UNIT_WORDS.contains(&w.to_lowercase().as_str())
    };
    text[..start].ends_with(' ')
        && text[end..].starts_with(' ')
        && capitalised(prev)
        && capitalised(next)
}

/// A river, volcano or mountain named like a place ("Río Napo", "volcán Tungurahua").
fn is_landform(text: &str, start: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        pattern(r"(?i)\b(?:r[ií]o|volc[aá]n|cerro|laguna|lago|nevado|cordillera)\s+$")
    });
    re.is_match(&text[floor_boundary(text, start.saturating_sub(20))..start])
}

/// Whether the mention is part of a company's or programme's name on its line.
fn in_named_body(text: &str, line_start: usize, start: usize) -> bool {
    let before = &text[floor_boundary(text, start.saturating_sub(90)).max(line_start)..start];
    let Some(m) = named_body().find_iter(before).last() else {
        return false;
    };
    // Only the words of a name between the body and the place: no sentence in between.
    !before[m.end()..].contains(['.', ',', ';', ':', '(', ')'])
}

/// A row of a table: wide gaps between cells, or several amounts.
fn is_table_row(line: &str) -> bool {
    let gaps = line.trim().matches("   ").count() + line.matches('\t').count();
    let amounts = line
        .split_whitespace()
        .filter(|w| w.chars().filter(char::is_ascii_digit).count() >= 3)
        .count();
    gaps >= 2 || amounts >= 2
}

/// The province (proper name), `Nacional`, or none for a report from outside Ecuador; and the
/// cue that decided. `unit` is the unit's name and its byte range in the text.
pub(super) fn province(
    text: &str,
    unit: Option<(&str, usize, usize)>,
    header: &[HeaderLine],
    g: &Gazetteer,
) -> Option<(Option<String>, Cue)> {
    let mut tally = Tally::default();
    let mut pending: Vec<Weighed> = Vec::new();
    if let Some((u, s, e)) = unit {
        if national_unit().is_match(u) {
            tally.add(text, Target::National, 60.0, s, e);
        }
        for m in &g.mentions(u) {
            let provincial =
                m.kind == PlaceKind::Province && provincial_context().is_match(&u[..m.start]);
            let mut weight = if provincial { 60.0 } else { 25.0 };
            // A company named after a place may work anywhere, unless it is the company of a
            // local government ("Empresa Pública Municipal de Agua Potable de Ambato").
            if in_named_body(u, 0, m.start) && !provincial && !local_government().is_match(u) {
                weight *= 0.25;
            }
            // "Hospital Teodoro Maldonado Carbo": a surname in a unit's name is no parish.
            if m.needs_cue() && !place_context().is_match(&u[..m.start]) {
                weight *= 0.2;
            }
            // Parish governments ("GAD Parroquial", "Junta Parroquial") are those of rural
            // parishes: of a name shared by several, the rural ones are meant. Any other unit
            // (a hospital, a directorate) is in a town: of a name shared by a canton and
            // parishes elsewhere, the canton is meant ("Hospital General IESS Milagro" is in
            // Guayas, not in El Oro's parish of Milagro).
            let parish = parish_government().is_match(u);
            let meant: Vec<usize> = m
                .name
                .candidates
                .iter()
                .filter(|c| {
                    if parish {
                        c.rural
                    } else {
                        c.kind != PlaceKind::Parish
                    }
                })
                .map(|c| c.province)
                .collect();
            let provinces = if meant.is_empty() {
                m.name.candidates.iter().map(|c| c.province).collect()
            } else {
                meant
            };
            pending.push(Weighed {
                provinces,
                weight,
                start: s,
                end: e,
                line: usize::MAX,
            });
        }
    }
    for line in header.iter().take(12) {
        if law_title().is_match(line.text) {
            tally.add(
                text,
                Target::National,
                60.0,
                line.start,
                line.start + line.text.len(),
            );
        }
    }
    let (mentions, abroad) = g.scan(text);
    weigh_text(text, &Lines::new(text), mentions, &mut tally, &mut pending);
    settle(text, &mut tally, pending);
    for (start, end) in national_mentions(text) {
        let weight = if start < HEADER_BYTES { 15.0 } else { 4.0 };
        tally.add(text, Target::National, weight, start, end);
    }
    let provinces = tally.provinces();
    let named = provinces.iter().filter(|(_, w)| *w >= 1.0).count();
    if named >= 6 {
        tally.add(text, Target::National, 2.0 * named as f32, 0, 0);
    }
    let listed = in_lists(&abroad);
    let mut counted = 0.0;
    for (i, &(s, e)) in abroad.iter().enumerate() {
        // `Calle Chile y Olmedo`: a street; `ciudadanos de Perú, Argentina y Bolivia`,
        // `convenios bilaterales con España`: people and agreements of an Ecuadorian report.
        if listed[i] || in_address(text, s) || about_foreigners(text, s) {
            continue;
        }
        // The k-th place abroad counts 1/k, as the mentions of a province do.
        counted += 1.0;
        let weight = if s < HEADER_BYTES { 15.0 } else { 5.0 } / counted;
        tally.add(text, Target::Abroad, weight, s, e);
    }
    decide(text, tally, g)
}

/// Weighs every mention of a place in the text; lists of provinces become a national cue.
fn weigh_text(
    text: &str,
    lines: &Lines,
    mentions: Vec<Mention<'_>>,
    tally: &mut Tally,
    pending: &mut Vec<Weighed>,
) {
    let mut weighed: Vec<Weighed> = Vec::new();
    // Mentions of a province so far: the k-th counts 1/k, so that a city named on every page
    // (referrals to Guayaquil) does not outweigh the unit and the header.
    let mut seen: HashMap<usize, f32> = HashMap::new();
    for m in mentions {
        let (line_start, line_end) = lines.around(m.start);
        if in_person_name(text, line_start, m.start, m.end) || is_landform(text, m.start) {
            continue;
        }
        let before = &text[floor_boundary(text, m.start.saturating_sub(60))..m.start];
        let (mut weight, cue_start) = match provincial_context().find(before) {
            Some(c) if m.kind == PlaceKind::Province => {
                (15.0, m.start - (before.len() - c.start()))
            }
            _ => match place_context().find(before) {
                Some(c) if m.kind != PlaceKind::Province => {
                    (4.0, m.start - (before.len() - c.start()))
                }
                _ if m.needs_cue() => continue,
                _ => (kind_weight(&m), m.start),
            },
        };
        if in_named_body(text, line_start, m.start) {
            weight *= 0.25;
        }
        // The cells around the mention tell a table row; a whole long line need not be read.
        let row = &text[floor_boundary(text, m.start.saturating_sub(300)).max(line_start)
            ..floor_boundary(text, (m.end + 300).min(line_end)).max(m.start)];
        if is_table_row(row) {
            weight *= 0.3;
        }
        if m.start < HEADER_BYTES {
            weight *= 3.0;
        }
        if let [only] = m.name.candidates[..] {
            let k = seen.entry(only.province).or_insert(0.0);
            *k += 1.0;
            weight /= *k;
        }
        weighed.push(Weighed {
            provinces: m.name.candidates.iter().map(|c| c.province).collect(),
            weight,
            start: cue_start,
            end: m.end,
            line: line_start,
        });
    }
    // Lines naming three provinces or more are lists: a national cue, not a provincial one.
    let mut by_line: HashMap<usize, Vec<usize>> = HashMap::new();
    for w in weighed.iter().filter(|w| w.provinces.len() == 1) {
        let list = by_line.entry(w.line).or_default();
        if !list.contains(&w.provinces[0]) {
            list.push(w.provinces[0]);
        }
    }
    for w in weighed {
        let listed = by_line.get(&w.line).is_some_and(|l| l.len() >= 3);
        if listed {
            continue;
        }
        pending.push(w);
    }
    for (&line, list) in &by_line {
        if list.len() >= 3 {
            let (_, end) = lines.around(line);
            let weight = if line < HEADER_BYTES { 9.0 } else { 3.0 };
            tally.add(text, Target::National, weight, line, end);
        }
    }
}

/// Adds the weighed mentions: names of one province first, then names found in several,
/// split among those of their provinces that other cues already support (or all of them).
fn settle(text: &str, tally: &mut Tally, pending: Vec<Weighed>) {
    let (single, several): (Vec<Weighed>, Vec<Weighed>) =
        pending.into_iter().partition(|w| w.provinces.len() == 1);
    for w in single {
        tally.add(
            text,
            Target::Province(w.provinces[0]),
            w.weight,
            w.start,
            w.end,
        );
    }
    let supported: Vec<Vec<usize>> = several
        .iter()
        .map(|w| {
            w.provinces
                .iter()
                .copied()
                .filter(|&p| tally.score(Target::Province(p)) > 0.0)
                .collect()
        })
        .collect();
    for (w, backed) in several.iter().zip(supported) {
        let to = if backed.is_empty() {
            &w.provinces
        } else {
            &backed
        };
        let share = w.weight / to.len() as f32;
        for &p in to {
            tally.add(text, Target::Province(p), share, w.start, w.end);
        }
    }
}

fn kind_weight(m: &Mention<'_>) -> f32 {
    match m.kind {
        PlaceKind::Province => 3.0,
        PlaceKind::Capital | PlaceKind::Place => 2.0,
        PlaceKind::Canton => 1.5,
        PlaceKind::Parish => 1.0,
    }
}

fn decide(text: &str, mut tally: Tally, g: &Gazetteer) -> Option<(Option<String>, Cue)> {
    let provinces = tally.provinces();
    let (best, p) = provinces
        .first()
        .copied()
        .map_or((None, 0.0), |(i, w)| (Some(i), w));
    let second = provinces.get(1).map_or(0.0, |x| x.1);
    let national = tally.score(Target::National);
    let abroad = tally.score(Target::Abroad);
    if abroad >= 10.0 && abroad > p + national {
        let mut cue = tally.take_cue(Target::Abroad)?;
        cue.confidence = confidence(abroad, p + national, 20.0);
        cue.note = Some("outside Ecuador: no province".to_string());
        return Some((None, cue));
    }
    if national > 0.0 && national >= p {
        let mut cue = tally.take_cue(Target::National)?;
        if cue.end == cue.start {
            cue = Cue::new(text, 0, 0, national);
            cue.note = Some(format!("{} provinces named", provinces.len()));
        }
        cue.confidence = confidence(national, p, 20.0);
        return Some((Some(super::NATIONAL.to_string()), cue));
    }
    let best = best?;
    if p < 2.0 {
        return None;
    }
    let mut cue = tally.take_cue(Target::Province(best))?;
    cue.confidence = confidence(p, second.max(national).max(abroad), 20.0);
    Some((Some(g.province_name(best).to_string()), cue))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Words and gaps that national phrases are made of, and their near misses.
    const PIECES: [&str; 26] = [
        "a",
        "A",
        "escala",
        "nivel",
        "NIVEL",
        "nacional",
        "nacionales",
        "Nacional",
        "en",
        "todo",
        "el",
        "país",
        "pais",
        "PAÍS",
        "las",
        "24",
        "provincias",
        "todas",
        "Dirección",
        "direccion",
        "coordinación",
        "subdirección",
        "x",
        "ñ",
        ",",
        "-",
    ];
    const GAPS: [&str; 5] = [" ", "  ", "\n", "\t ", ""];

    fn whole_text_search(text: &str) -> Vec<(usize, usize)> {
        national_text()
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    #[test]
    fn national_phrases_are_found_as_a_search_of_the_whole_text_finds_them() {
        for text in [
            "Servicio a nivel nacional, en todo el país y en las 24 provincias.",
            "DIRECCIÓN NACIONAL de salud; todas las provincias; a escala  nacional",
            "la dirección nacionales no; país; en todo el paisaje; a nivel\nnacional",
            "",
        ] {
            assert_eq!(
                national_mentions(text).collect::<Vec<_>>(),
                whole_text_search(text),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn national_phrases_match_the_whole_text_search_on_any_mix(
            picks in proptest::collection::vec((0..PIECES.len(), 0..GAPS.len()), 0..40)
        ) {
            let text: String = picks.iter().map(|&(p, g)| format!("{}{}", PIECES[p], GAPS[g])).collect();
            prop_assert_eq!(national_mentions(&text).collect::<Vec<_>>(), whole_text_search(&text));
        }
    }
}
