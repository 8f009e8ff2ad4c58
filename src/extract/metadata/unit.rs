//! The reporting unit: the public body that reports, read from the header or the opening lines.
//!
//! A labelled line ("Unidad: …", the form's "Nombre de la entidad operativa desconcentrada:")
//! wins, a unit's label before the institute's; else the most specific unit line of the header
//! (a hospital after its provincial directorate, an office named after its town: "IESS
//! Ambato"), mixed case before shouted; else a unit named in the opening prose ("la Dirección
//! Provincial IESS Manabí, da a conocer…"); else a shouted header line; else the institute
//! named in the prose. Any public body counts: parish, municipal and provincial governments (GAD,
//! juntas parroquiales, municipalidades, prefecturas), ministries and secretariats, public
//! companies, hospitals, institutes, councils and the IESS's own directorates. A name is taken
//! whole: a header line ending in "de" is joined with the next one ("Municipalidad de" /
//! "Carmen de Areco").

use std::sync::OnceLock;

use regex::Regex;

use super::{Cue, HeaderLine, HEADER_BYTES, INSURANCE_LINE};
use crate::analysis::text::{floor_boundary, folds_to_one_of, is_one_of};
use crate::extract::gazetteer::Gazetteer;
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
        pattern(r"(?im)^\s*(?:nombre\s+de\s+la\s+)?(?:unidad(?:\s+(?:operativa|responsable|m[eé]dica|ejecutora))?|entidad(?:\s+operativa\s+desconcentrada)?|instituci[oó]n|dependencia)\s*:[ \t]*(\S.{2,160}?)\s*$")
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

/// The reporting unit, as written, and where it is; `places` tells an office named after its
/// town ("IESS Ambato") from a title ("IESS Rendición de Cuentas").
pub(super) fn unit(text: &str, lines: &[HeaderLine], places: &Gazetteer) -> Option<(String, Cue)> {
    let head = &text[..floor_boundary(text, HEADER_BYTES * 2)];
    // A form may label the institute and then its unit ("Nombre de la institución: Instituto
    // Ecuatoriano de Seguridad Social" / "Unidad: Dirección Provincial IESS El Oro").
    let labelled: Vec<(String, usize)> = unit_label()
        .captures_iter(head)
        .filter_map(|c| c.get(1))
        .map(|m| (clean_name(m.as_str()), m.start()))
        .filter(|(u, _)| {
            let is_unit = unit_line().is_match(u) || u.split_whitespace().count() >= 2;
            is_unit && starts_capitalised(u) && !is_person(u)
        })
        .collect();
    let specific = labelled.iter().find(|(u, _)| !is_whole_institute(u));
    if let Some((u, start)) = specific.or(labelled.first()) {
        let end = start + written_len(&text[*start..], u);
        return Some((u.clone(), Cue::sure(text, *start, end, 0.95)));
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
        .flat_map(|(i, l)| {
            name_parts(l, places)
                .into_iter()
                .map(move |(part, last)| (i, part, last))
        })
        .filter(|(_, part, _)| {
            part.text.chars().count() <= 160
                && starts_capitalised(part.text)
                && names_unit(part.text, places)
                && is_name(part.text)
        })
        .map(|(i, part, last)| whole_name(text, lines, i, &part, last))
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
    // A shouted header line ("RENDICIÓN DE CUENTAS 2015 - IESS TULCÁN") is more specific than
    // the institute's own name in prose, and less sure than another unit named there.
    let from_prose = |(u, s): &(String, usize)| {
        let end = s + written_len(&text[*s..], u);
        (u.clone(), Cue::sure(text, *s, end, 0.75))
    };
    if let Some(found) = in_prose.iter().find(|(u, _)| !is_whole_institute(u)) {
        return Some(from_prose(found));
    }
    if let Some((u, s, e)) = header.last() {
        return Some((u.clone(), Cue::sure(text, *s, *e, 0.8)));
    }
    in_prose.first().map(from_prose)
}

/// The unit named by `first`, a part of header line `i`, joined with the lines that finish
/// its name ("Municipalidad de" + "Carmen de Areco") when it ends line `i` (`last`); the name
/// and its byte range.
fn whole_name(
    text: &str,
    lines: &[HeaderLine],
    i: usize,
    first: &HeaderLine,
    last: bool,
) -> (String, usize, usize) {
    let mut name = first.text.to_string();
    let mut end = first.start + first.text.len();
    let mut next = i + 1;
    while last && is_unfinished(&name) && next < lines.len() && next <= i + 3 {
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

/// Heads of a unit's name that only a header line is trusted with: in prose, "la Dirección
/// del Seguro General de Salud" is as often a partner or a superior as the body reporting, and
/// the institute's insurances ("Seguro General de Riesgos del Trabajo", "Seguro Social
/// Campesino") are named in every report.
fn header_unit_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(&format!(r"(?i)^direcci[oó]n\s+(?:del|de\s+la|de)\s+(?:seguro|sistema|riesgos|afiliaci[oó]n|prestaciones|pensiones|salud|hospital|centro)\b|{INSURANCE_LINE}"))
    })
}

/// Whether a part of a header line opens with a unit's name, or is an office of the institute
/// named after its town ("IESS Ambato", "IESS de Tulcán").
fn names_unit(part: &str, places: &Gazetteer) -> bool {
    unit_line().is_match(part) || header_unit_line().is_match(part) || is_iess_of(part, places)
}

/// "IESS <place>": the institute's acronym, then nothing but a place of the gazetteer.
fn is_iess_of(part: &str, places: &Gazetteer) -> bool {
    let Some((acronym, rest)) = part.trim().split_once(char::is_whitespace) else {
        return false;
    };
    if acronym.replace('.', "") != "IESS" {
        return false;
    }
    let mut place = rest.trim();
    for connector in ["de ", "en "] {
        if let Some(after) = place.strip_prefix(connector) {
            place = after.trim_start();
        }
    }
    !place.is_empty()
        && places
            .mentions(place)
            .iter()
            .any(|m| m.start == 0 && m.end == place.len())
}

/// Where a title line is cut into parts: "Rendición de Cuentas 2022 – Dirección Provincial
/// Loja", "IESS | Hospital General Machala", "Rendición de Cuentas 2023: Centro de …".
fn title_separator() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| pattern(r"\s+[-–—|]+\s+|\s*[:|]\s+"))
}

/// The report's own title before a unit's name on the same line: "Informe de Rendición de
/// Cuentas 2021 Hospital General Machala", "Rendición de Cuentas del año 2022 de la …".
fn title_before() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)^(?:(?:informe|narrativa|narrativo|proceso|resumen)\s+(?:(?:narrativo|final|anual)\s+)?(?:de\s+(?:la\s+)?|del\s+)?)?(?:rendici[oó]n\s+de\s+cuentas|informe\s+de\s+gesti[oó]n)(?:\s+(?:del?\s+)?(?:(?:a[nñ]o|per[ií]odo|ejercicio)(?:\s+fiscal)?\s+)?(?:19|20)\d{2}(?:\s*[-–/]\s*(?:19|20)?\d{2})?)?(?:\s+(?:del|de\s+la|de\s+los|de\s+las|de|el|la)\b)?(?:\s+|$)")
    })
}

/// The period after a unit's name on the same line: "…, período 2020", "… 2019".
fn period_after() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)(?:[\s,]+(?:(?:del?\s+)?(?:a[nñ]o|per[ií]odo|ejercicio)(?:\s+fiscal)?\s*)?(?:19|20)\d{2})+[\s.]*$")
    })
}

/// The parts of header line `line` that may name a unit: the line cut at title separators,
/// each part without the report's title before it and the period after it; with whether the
/// part ends the line (a name cut by the line's end may go on in the next line). A unit's
/// name keeps a short name after a separator ("Hospital General IESS - Machala").
fn name_parts<'t>(line: &HeaderLine<'t>, places: &Gazetteer) -> Vec<(HeaderLine<'t>, bool)> {
    let text = line.text;
    // A colon cuts only after a title ("Rendición de Cuentas 2023: Centro …"): after a label
    // ("Fuente: Coordinación Nacional de Estadística") it names no unit of the report.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for m in title_separator().find_iter(text) {
        let from = cuts.last().map_or(0, |&(_, next)| next);
        let before = text[from..m.start()].trim();
        let after_title = title_before()
            .find(before)
            .is_some_and(|t| t.end() == before.len());
        if !m.as_str().contains(':') || after_title {
            cuts.push((m.start(), m.end()));
        }
    }
    cuts.push((text.len(), text.len()));
    // Each part as a byte range of the line, and whether it held a title or a period.
    let mut pieces: Vec<(usize, usize, bool)> = Vec::with_capacity(cuts.len());
    let mut from = 0;
    // Whether the line holds the report's title: else only a name that opens the line counts
    // ("Gráfico 1 – Hospital General Machala" is a caption).
    let mut has_title = false;
    for (end, next) in cuts {
        let (mut start, mut stop) = (from, end);
        from = next;
        let mut titled = false;
        if let Some(m) = title_before().find(&text[start..stop]) {
            start += m.end();
            titled = true;
            has_title = true;
        }
        if let Some(m) = period_after().find(&text[start..stop]) {
            stop = start + m.start();
            titled = true;
        }
        let piece = &text[start..stop];
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            continue;
        }
        let start = start + (piece.len() - piece.trim_start().len());
        pieces.push((start, start + trimmed.len(), titled));
    }
    // The institute's name opening the line stands for a title: "IESS – Dirección Provincial
    // de Morona Santiago".
    if let Some(&(start, stop, _)) = pieces.first() {
        has_title |= start == 0 && pieces.len() > 1 && is_whole_institute(&text[start..stop]);
    }
    let mut parts: Vec<(HeaderLine<'t>, bool)> = Vec::with_capacity(pieces.len());
    let mut k = 0;
    while k < pieces.len() {
        let (start, mut stop, titled) = pieces[k];
        if start > 0 && !has_title {
            k += 1;
            continue;
        }
        if !titled && names_unit(&text[start..stop], places) {
            if let Some(&(next_start, next_stop, next_titled)) = pieces.get(k + 1) {
                let next = &text[next_start..next_stop];
                if !next_titled
                    && next.split_whitespace().count() <= 3
                    && starts_capitalised(next)
                    && is_name(next)
                    && !names_unit(next, places)
                    && !next.chars().any(|c| c.is_ascii_digit())
                {
                    stop = next_stop;
                    k += 1;
                }
            }
        }
        parts.push((
            HeaderLine {
                text: &text[start..stop],
                start: line.start + start,
            },
            stop == text.len(),
        ));
        k += 1;
    }
    parts
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
