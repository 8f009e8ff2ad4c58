//! The reporting unit: the public body that reports, read from the header or the opening lines.
//!
//! A labelled line ("Unidad: …") wins; else the most specific unit line of the header (a
//! hospital after its provincial directorate), mixed case before shouted; else a unit named in
//! the opening prose ("la Dirección Provincial IESS Manabí, da a conocer…"); else a shouted
//! header line. Any public body counts: parish, municipal and provincial governments (GAD,
//! juntas parroquiales, municipalidades, prefecturas), ministries and secretariats, public
//! companies, hospitals, institutes, councils and the IESS's own directorates. A name is taken
//! whole: a header line ending in "de" is joined with the next one ("Municipalidad de" /
//! "Carmen de Areco").

use std::sync::OnceLock;

use regex::Regex;

use super::{Cue, HeaderLine, HEADER_BYTES};
use crate::analysis::text::{floor_boundary, folds_to_one_of, is_one_of};
use crate::extract::pattern;

/// How a unit's name starts (matched without regard to case; the text must capitalise it).
const UNIT_HEADS: &str = r"(?:(?:sub)?direcci[oó]n\s+(?:provincial|nacional|general|zonal|distrital|regional|ejecutiva)|coordinaci[oó]n\s+(?:provincial|nacional|zonal|general|regional)|jefatura\s+provincial|delegaci[oó]n\s+(?:provincial|zonal|distrital|regional)|oficina\s+(?:provincial|zonal|t[eé]cnica|regional)|unidad\s+(?:provincial|m[eé]dica|de\s+atenci[oó]n|de\s+negocio|ejecutora)|hospital|centro\s+(?:de\s+atenci[oó]n|cl[ií]nico|de\s+salud|de\s+especialidades|m[eé]dico)|dispensario|gobierno\s+aut[oó]nomo|gobierno\s+(?:provincial|municipal|parroquial|cantonal)|gad(?:m|pr|p)?\s+(?:parroquial|municipal|provincial|metropolitano|del|de)|gad(?:m|pr|p)?\b|junta\s+parroquial|(?:ilustre\s+|muy\s+ilustre\s+)?municipalidad|(?:ilustre\s+)?municipio|concejo\s+municipal|prefectura|consejo\s+(?:provincial|nacional|cantonal|de)|ministerio|(?:sub)?secretar[ií]a\s+(?:nacional|t[eé]cnica|general|de|del)|superintendencia|contralor[ií]a|procuradur[ií]a|defensor[ií]a|fiscal[ií]a|agencia\s+(?:nacional|de)|empresa\s+(?:p[uú]blica|municipal|el[eé]ctrica)|instituto|universidad|escuela\s+polit[eé]cnica|cuerpo\s+de\s+bomberos|registro\s+(?:de\s+la\s+propiedad|civil|municipal)|servicio\s+(?:nacional|ecuatoriano|de\s+rentas|integrado)|banco\s+(?:central|de\s+desarrollo|del\s+instituto)|corporaci[oó]n\s+(?:financiera|nacional|el[eé]ctrica)|comisi[oó]n\s+(?:nacional|de\s+tr[aá]nsito)|polic[ií]a\s+nacional|asamblea\s+nacional|senplades|cpccs)";

fn unit_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| pattern(&format!(r"(?i)^{UNIT_HEADS}\b")))
}

fn unit_label() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?im)^\s*(?:unidad|nombre\s+de\s+la\s+unidad|unidad\s+(?:operativa|responsable)|entidad\s+operativa\s+desconcentrada|dependencia)\s*:[ \t]*(\S.{2,160}?)\s*$")
    })
}

fn unit_in_prose() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // "la Dirección Provincial IESS Manabí, da a conocer": the head, then capitalised words
        // and the connectors of names, up to punctuation or a lowercase word.
        let word = r"(?:[A-ZÁÉÍÓÚÑ0-9][\wÁÉÍÓÚÑáéíóúñü.\-]*|(?:del|de|la|el|los|las|y|e)\b)";
        pattern(&format!(
            r"\b(?:la|el|La|El|del|al|por)\s+((?i:{UNIT_HEADS})(?:(?:[ \t]+|[ \t]*\r?\n[ \t]*){word}){{0,14}})"
        ))
    })
}

/// The reporting unit, as written, and where it is.
pub(super) fn unit(text: &str, lines: &[HeaderLine]) -> Option<(String, Cue)> {
    let head = &text[..floor_boundary(text, HEADER_BYTES * 2)];
    if let Some(c) = unit_label().captures(head) {
        if let Some(m) = c.get(1) {
            let u = clean_name(m.as_str());
            let is_unit = unit_line().is_match(&u) || u.split_whitespace().count() >= 2;
            if is_unit && starts_capitalised(&u) && !is_person(&u) {
                let end = m.start() + written_len(&text[m.start()..], &u);
                return Some((u, Cue::sure(text, m.start(), end, 0.95)));
            }
        }
    }
    // Header lines that are a unit's name; the last is the most specific (a hospital after its
    // directorate). Mixed case is preferred to a shouted title.
    // A table of contents lists parts of the body, not the body that reports.
    let title_block = lines
        .iter()
        .position(|l| is_contents(l.text))
        .unwrap_or(lines.len());
    let header: Vec<(String, usize, usize)> = lines[..title_block]
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.text.chars().count() <= 160
                && starts_capitalised(l.text)
                && unit_line().is_match(l.text)
                && is_name(l.text)
        })
        .map(|(i, _)| whole_name(text, lines, i))
        .collect();
    if let Some((u, s, e)) = header.iter().rev().find(|(u, _, _)| !is_shouted(u)) {
        return Some((u.clone(), Cue::sure(text, *s, *e, 0.9)));
    }
    // In prose, the institute's own name ("el Instituto Ecuatoriano de Seguridad Social
    // presenta…") yields to the unit that reports in its name, when one is named.
    let in_prose: Vec<(String, usize)> = unit_in_prose()
        .captures_iter(head)
        .filter_map(|c| c.get(1))
        .filter(|m| starts_capitalised(m.as_str()) && !is_partner(head, m.start()))
        .map(|m| (clean_name(m.as_str()), m.start()))
        .filter(|(u, _)| u.split_whitespace().count() >= 2 && !is_unfinished(u))
        .collect();
    let specific = in_prose
        .iter()
        .find(|(u, _)| !is_whole_institute(u))
        .or_else(|| in_prose.first());
    if let Some((u, s)) = specific.cloned() {
        let end = s + written_len(&text[s..], &u);
        return Some((u, Cue::sure(text, s, end, 0.75)));
    }
    header
        .last()
        .map(|(u, s, e)| (u.clone(), Cue::sure(text, *s, *e, 0.8)))
}

/// The unit line `i`, joined with the lines that finish its name ("Municipalidad de" +
/// "Carmen de Areco"); the name and its byte range.
fn whole_name(text: &str, lines: &[HeaderLine], i: usize) -> (String, usize, usize) {
    let first = &lines[i];
    let mut name = first.text.to_string();
    let mut end = first.start + first.text.len();
    let mut next = i + 1;
    while is_unfinished(&name) && next < lines.len() && next <= i + 3 {
        let l = &lines[next];
        let names_report = crate::analysis::fold_key(l.text).contains("rendicion de cuentas");
        if !is_name(l.text)
            || unit_line().is_match(l.text)
            || names_report
            || l.text.chars().count() > 80
        {
            break;
        }
        name = format!("{name} {}", l.text);
        end = l.start + l.text.len();
        next += 1;
    }
    let name = clean_name(&name);
    let end = (first.start + written_len(&text[first.start..], &name)).min(end);
    (name, first.start, end)
}

/// A body named as a partner ("convenio con la Universidad …", "entre el IESS y la …"), not
/// as the one reporting.
fn is_partner(text: &str, start: usize) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        pattern(r"(?i)(?:\bcon|\bentre|\by|\bante|\bpara|\bhacia|\bpor|\bsegún)\s+(?:la|el|los|las)\s+$|\bal\s+$|(?:convenio|acuerdo|apoyo|coordinación)\b[^.\n]{0,60}$|\bley\b[^.\n]{0,40}$")
    });
    let before = &text[floor_boundary(text, start.saturating_sub(80))..start];
    re.is_match(before)
}

/// The social security institute as a whole, which every IESS unit belongs to.
fn is_whole_institute(name: &str) -> bool {
    let key = crate::analysis::fold_key(name);
    key == "instituto ecuatoriano de seguridad social" || key == "iess"
}

/// Length in bytes of `name` (whitespace collapsed) as written at the start of `text`.
fn written_len(text: &str, name: &str) -> usize {
    let mut end = 0;
    let mut rest = text;
    let mut offset = 0;
    for w in name.split_whitespace() {
        let skip = rest.len() - rest.trim_start().len();
        rest = &rest[skip..];
        offset += skip;
        if !rest.starts_with(w) {
            break;
        }
        offset += w.len();
        rest = &rest[w.len()..];
        end = offset;
    }
    end
}

/// Whether a name stops before its proper part: on a connector ("Municipalidad de") or on a
/// word of its kind ("Gobierno Autónomo" / "Descentralizado Parroquial Rural" / "La Merced").
fn is_unfinished(name: &str) -> bool {
    const OPEN: [&str; 22] = [
        "de",
        "del",
        "la",
        "los",
        "las",
        "y",
        "e",
        "en",
        "gobierno",
        "autonomo",
        "descentralizado",
        "parroquial",
        "rural",
        "municipal",
        "provincial",
        "metropolitano",
        "cantonal",
        "gad",
        "junta",
        "ilustre",
        "municipalidad",
        "distrital",
    ];
    name.split_whitespace()
        .last()
        .is_some_and(|w| folds_to_one_of(w, &OPEN))
}

/// The heading of a table of contents.
fn is_contents(line: &str) -> bool {
    let key = crate::analysis::fold_key(line.trim_end_matches([':', '.']));
    is_one_of(
        &key,
        &[
            "indice",
            "contenido",
            "tabla de contenido",
            "sumario",
            "indice general",
        ],
    )
}

fn starts_capitalised(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// "Ing. Franco Jumbo" is a person, not a unit.
fn is_person(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    first.ends_with('.') && first.chars().count() <= 6
}

/// Whether a line reads as a name, not a sentence: every word capitalised, a number, an
/// acronym or a connector of names.
pub(super) fn is_name(line: &str) -> bool {
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
pub(super) fn clean_name(s: &str) -> String {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    while let Some(last) = words.last() {
        let l = last.trim_end_matches(['.', ',', ';', ':', '-', '–']);
        if l.is_empty()
            || is_one_of(
                &l.to_lowercase(),
                &["de", "del", "la", "el", "los", "las", "y", "e", "en", "a"],
            )
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
