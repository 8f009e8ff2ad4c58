//! The year reported on, with the words that tell it.
//!
//! Each cue has a weight: "correspondiente a 2022" beats "Rendición de Cuentas 2021", "enero a
//! diciembre de 2021", "al 31 de diciembre del 2013" and a period "del 02/01/2025 al
//! 30/06/2025" or "Período: 01/01/2021 – 31/12/2021", which beat "ejercicio fiscal", which
//! beats "presupuesto 2013" or a numbered act of the header ("Ordenanza Nº 3057/2021"). Cues in
//! the header count double; a year letter-spaced in a header line ("2 0 1 3") is read too; the
//! k-th cue of one kind for one year counts 1/k. Without any cue, the most frequent bare year
//! decides, leaving out dates ("14 de mayo de 2023"), ranges ("2018-2028") and the years of
//! laws cited ("Registro Oficial … 2008").

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::{Cue, HeaderLine, Lines, HEADER_BYTES};
use crate::analysis::text::floor_boundary;
use crate::extract::pattern;

struct YearRule {
    re: Regex,
    weight: f32,
    /// Counts only inside the header.
    header_only: bool,
    /// Counts only after `de` or `del` and blanks, which the cue then starts with. Matched
    /// apart: a pattern that opened with such a common word would stop at every one of them.
    after_de: bool,
    /// The year is the cue's last four digits: the cue is found without resolving its groups,
    /// which costs the regex a second pass over every match.
    year_last: bool,
}

fn year_rules() -> &'static [YearRule] {
    static RULES: OnceLock<Vec<YearRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let y = r"((?:19|20)\d\d)\b";
        let rule = |source: String, weight, header_only| YearRule {
            re: pattern(&source),
            weight,
            header_only,
            after_de: false,
            year_last: source.ends_with(y),
        };
        vec![
            rule(
                format!(
                    r"(?i)correspondiente\s+(?:al?\s+)?(?:(?:año|ano|per[ií]odo|ejercicio(?:\s+fiscal)?|gesti[oó]n)\s+)?(?:(?:fiscal|de|del)\s+)*{y}"
                ),
                12.0,
                false,
            ),
            rule(
                format!(
                    r"(?i)rendici[oó]n\s+de\s+cuentas?\s*(?:(?:del?\s+)?(?:año|ano|per[ií]odo|ejercicio(?:\s+fiscal)?)\s+)?[:\-–]?\s*{y}"
                ),
                8.0,
                false,
            ),
            rule(
                format!(r"(?i)\benero\s*(?:(?:de(?:l)?\s+)?(?:19|20)\d\d\s*)?(?:a|al|hasta|-|–|y)\s*(?:(?:el\s+)?31\s+(?:de\s+)?)?diciembre\s*(?:de(?:l)?\s*)?{y}"),
                8.0,
                false,
            ),
            rule(
                format!(r"(?i)\b(?:al|corte\s+al)\s+31\s+de\s+diciembre\s+(?:de(?:l)?\s+)?{y}"),
                8.0,
                false,
            ),
            // "del 02/01/2025 al 30/06/2025".
            YearRule {
                after_de: true,
                ..rule(
                    format!(r"(?i)\d{{1,2}}/\d{{1,2}}/(?:19|20)\d\d\s+(?:al|a|hasta)\s+\d{{1,2}}/\d{{1,2}}/{y}"),
                    8.0,
                    false,
                )
            },
            // "Período: 01/01/2021 – 31/12/2021", "Período del cual rinde cuentas: …".
            rule(
                format!(r"(?i)\bper[ií]odo(?:\s+del\s+cual\s+rinde\s+cuentas)?\s*:?\s*(?:(?:del?|desde)\s+(?:el\s+)?)?\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)\d\d\s*(?:al|a|hasta|-|–|—)\s*(?:el\s+)?\d{{1,2}}[/.-]\d{{1,2}}[/.-]{y}"),
                8.0,
                false,
            ),
            // The accountability form's period, its dates in cells of their own: "Fecha de
            // inicio: 01/01/2019 … Fecha de finalización: 31/12/2019", or written year first.
            rule(
                format!(r"(?i)\bfecha\s+(?:de\s+)?inicio\s*:?\s*\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)\d\d(?s:.{{0,40}}?)\bfecha\s+(?:de\s+)?(?:fin|finalizaci[oó]n|cierre|t[eé]rmino)\s*:?\s*\d{{1,2}}[/.-]\d{{1,2}}[/.-]{y}"),
                8.0,
                false,
            ),
            rule(
                r"(?i)\bfecha\s+(?:de\s+)?inicio\s*:?\s*(?:19|20)\d\d-\d{1,2}-\d{1,2}(?s:.{0,40}?)\bfecha\s+(?:de\s+)?(?:fin|finalizaci[oó]n|cierre|t[eé]rmino)\s*:?\s*((?:19|20)\d\d)-\d{1,2}-\d{1,2}\b".to_string(),
                8.0,
                false,
            ),
            // A cover with the year above the title: "2020" / "Rendición de Cuentas".
            rule(
                r"(?i)(?:^|\n)[ \t]*((?:19|20)\d\d)[ \t]*\r?\n[ \t]*rendici[oó]n\s+de\s+cuentas\b".to_string(),
                8.0,
                true,
            ),
            // "Ejercicio fiscal 2022", "Ejercicio económico 2022", "Año de gestión: 2022".
            rule(format!(r"(?i)(?:ejercicio|per[ií]odo|a[ñn]o)\s+(?:fiscal|econ[oó]mico|de\s+gesti[oó]n)\s*:?\s*(?:de(?:l)?\s+)?{y}"), 6.0, false),
            rule(format!(r"(?i)\bper[ií]odo\s*:?\s*{y}"), 4.0, false),
            rule(format!(r"(?i)\bgesti[oó]n\s*:?\s+(?:del?\s+)?(?:año\s+)?{y}"), 3.0, false),
            rule(
                format!(r"(?i)\b(?:presupuesto|plan\s+operativo\s+anual|poa|pac)\s+(?:del?\s+)?(?:año\s+)?{y}"),
                3.0,
                true,
            ),
            rule(
                format!(r"(?i)\b(?:ordenanza|resoluci[oó]n|acuerdo|acta|contrato|informe)\b[^\n]{{0,40}}?\b\d{{1,5}}\s*[/-]\s*{y}"),
                3.0,
                true,
            ),
            rule(
                format!(r"(?i)\b(?:informe|rendici[oó]n)\b[^\n]{{0,80}}?\baño\s+(?:fiscal\s+)?{y}"),
                6.0,
                false,
            ),
            // Publication of a document that states no period: "1a edición – Quito, 2012",
            // "© SENPLADES, 2012". Weak: any stated period outweighs it.
            rule(format!(r"(?i)(?:©|\bedici[oó]n\b)[^\n]{{0,40}}?,\s*{y}"), 3.0, true),
        ]
    })
}

/// A year in a date ("14 de mayo de 2023", "14/05/2023") or a range ("2018-2028"): not a
/// reported year.
fn date_or_range() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(
            r"(?i)\d{1,2}\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\s+(?:de(?:l)?\s+)?(?:19|20)\d\d|\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d\d|(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d",
        )
    })
}

/// Words before a year that make it the year of a law or act cited, not of the report.
fn cited_law() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        pattern(r"(?i)(?:\bley\b|registro\s+oficial|\bR\.\s?O\.|constituci[oó]n|decreto|reglamento|c[oó]digo|cootad|suplemento|publicad[oa]|vigente\s+desde|expedid[oa]|aprobad[oa]\s+en)[^\n;,]{0,35}$")
    })
}

fn bare_year() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| pattern(r"\b((?:19|20)\d\d)\b"))
}

/// A year written with a space between its digits ("2 0 1 3"), as letter-spaced headers are.
fn spaced_year() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| pattern(r"(?:^|\s)((?:1 9|2 0) \d \d)(?:\s|$)"))
}

/// Where `de` or `del` starts (any case, a word of its own) when it and one blank or more stand
/// right before `at`: what `\bdel?\s+` would match there.
fn de_before(text: &str, at: usize) -> Option<usize> {
    let before = &text[..at];
    let word = before.trim_end_matches(char::is_whitespace).as_bytes();
    if word.len() == before.len() {
        return None;
    }
    ["del", "de"].into_iter().find_map(|de| {
        let start = word.len().checked_sub(de.len())?;
        let boundary =
            start == 0 || !(word[start - 1].is_ascii_alphanumeric() || word[start - 1] == b'_');
        (word[start..].eq_ignore_ascii_case(de.as_bytes()) && boundary).then_some(start)
    })
}

/// Bytes read past the header by the rules of the header: far more than a cue spans.
const HEADER_SLACK: usize = 4096;

fn plausible(y: i32) -> bool {
    (1990..=2100).contains(&y)
}

/// The year reported on and the cue that decided it.
pub(super) fn year(text: &str, header: &[HeaderLine]) -> Option<(i32, Cue)> {
    // (year, weight, start, end) of every cue.
    let mut cast: Vec<(i32, f32, usize, usize)> = Vec::new();
    let mut vote =
        |y: i32, weight: f32, start: usize, end: usize| cast.push((y, weight, start, end));
    for rule in year_rules() {
        // The k-th cue of one kind for one year counts 1/k: a report that compares with the
        // year before ("respecto al ejercicio fiscal 2020", again and again) does not outweigh
        // its title.
        let mut seen: HashMap<i32, f32> = HashMap::new();
        // A rule of the header reads the header, and enough after it for a cue that starts
        // inside it to end.
        let scope = if rule.header_only {
            &text[..floor_boundary(text, HEADER_BYTES + HEADER_SLACK)]
        } else {
            text
        };
        for (all, m) in cues(rule, scope) {
            let in_header = m.start < HEADER_BYTES;
            if rule.header_only && !in_header {
                continue;
            }
            let Ok(y) = scope[m].parse::<i32>() else {
                continue;
            };
            let start = if rule.after_de {
                match de_before(scope, all.start) {
                    Some(start) => start,
                    None => continue,
                }
            } else {
                all.start
            };
            if plausible(y) {
                let k = seen.entry(y).or_insert(0.0);
                *k += 1.0;
                let weight = rule.weight * if in_header { 2.0 } else { 1.0 } / *k;
                vote(y, weight, start, all.end);
            }
        }
    }
    for line in header {
        for c in spaced_year().captures_iter(line.text) {
            let Some(m) = c.get(1) else { continue };
            let digits: String = m.as_str().split_whitespace().collect();
            if let Ok(y) = digits.parse::<i32>() {
                if plausible(y) {
                    vote(y, 8.0, line.start, line.start + line.text.len());
                }
            }
        }
    }
    if cast.is_empty() {
        bare_years(text, &mut |y, w, s, e| cast.push((y, w, s, e)));
    }
    let mut votes: HashMap<i32, (f32, Option<Cue>)> = HashMap::new();
    for (y, weight, start, end) in cast {
        let e = votes.entry(y).or_insert((0.0, None));
        e.0 += weight;
        if e.1.as_ref().is_none_or(|c| c.weight < weight) {
            e.1 = Some(Cue::new(text, start, end, weight));
        }
    }
    let mut ranked: Vec<(i32, f32, Option<Cue>)> =
        votes.into_iter().map(|(y, (w, c))| (y, w, c)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    let mut it = ranked.into_iter();
    let (year, weight, cue) = it.next()?;
    let runner_up = it.next().map_or(0.0, |r| r.1);
    let mut cue = cue?;
    cue.confidence = super::confidence(weight, runner_up, 16.0);
    Some((year, cue))
}

/// Each cue of `rule` in `text`: where the cue is and where its year is.
fn cues(rule: &YearRule, text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    if rule.year_last {
        // `(?:19|20)\d\d` ends the pattern, and `\d` is an ASCII digit (`pattern`).
        return rule
            .re
            .find_iter(text)
            .filter(|m| m.len() >= 4)
            .map(|m| (m.range(), m.end() - 4..m.end()))
            .collect();
    }
    rule.re
        .captures_iter(text)
        .filter_map(|c| Some((c.get(0)?.range(), c.get(1)?.range())))
        .collect()
}

/// Votes for bare years: one each, three in the header, none for dates, ranges and laws.
fn bare_years(text: &str, vote: &mut impl FnMut(i32, f32, usize, usize)) {
    let lines = Lines::new(text);
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
        let (line_start, _) = lines.around(m.start());
        let before = floor_boundary(text, m.start().saturating_sub(120)).max(line_start);
        if cited_law().is_match(&text[before..m.start()]) {
            continue;
        }
        if let Ok(y) = m.as_str().parse::<i32>() {
            if plausible(y) {
                let weight = if m.start() < HEADER_BYTES { 3.0 } else { 1.0 };
                vote(y, weight * 0.25, m.start(), m.end());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule as one pattern, `de`/`del` included: what the rule read apart must find.
    fn as_one_pattern(text: &str) -> Vec<(usize, usize, String)> {
        let re = pattern(
            r"(?i)\bdel?\s+\d{1,2}/\d{1,2}/(?:19|20)\d\d\s+(?:al|a|hasta)\s+\d{1,2}/\d{1,2}/((?:19|20)\d\d)\b",
        );
        re.captures_iter(text)
            .filter_map(|c| {
                Some((
                    c.get(0)?.start(),
                    c.get(0)?.end(),
                    c.get(1)?.as_str().to_string(),
                ))
            })
            .collect()
    }

    fn read_apart(text: &str) -> Vec<(usize, usize, String)> {
        let rule = year_rules()
            .iter()
            .find(|r| r.after_de)
            .expect("the date range rule");
        rule.re
            .captures_iter(text)
            .filter_map(|c| {
                let (all, y) = (c.get(0)?, c.get(1)?);
                Some((
                    de_before(text, all.start())?,
                    all.end(),
                    y.as_str().to_string(),
                ))
            })
            .collect()
    }

    const PIECES: [&str; 24] = [
        "02/01/2025 al 30/06/2025",
        "1/1/2020 hasta 31/12/2020",
        "del",
        "de",
        "DEL",
        "De",
        "xdel",
        "_de",
        "ádel",
        "el",
        "02/01/2025",
        "1/1/2020",
        "30/06/2025",
        "112/01/2025",
        "31/12/1999",
        "al",
        "AL",
        "a",
        "hasta",
        "2025",
        "/",
        "1",
        "x",
        "ñ",
    ];
    const GAPS: [&str; 6] = [" ", "  ", "\n", "\u{a0}", "", "\t"];

    #[test]
    fn a_period_between_two_dates_is_read_after_de() {
        let text = "Periodo del 02/01/2025 al 30/06/2025; DE 1/1/2020 hasta 31/12/2020.";
        assert_eq!(read_apart(text), as_one_pattern(text));
        assert_eq!(read_apart(text).len(), 2);
        for text in [
            "xdel 02/01/2025 al 30/06/2025",
            "_de 02/01/2025 al 30/06/2025",
            "del02/01/2025 al 30/06/2025",
            "del 112/01/2025 al 30/06/2025",
        ] {
            assert_eq!(read_apart(text), [], "{text}");
            assert_eq!(as_one_pattern(text), [], "{text}");
        }
        // A letter beyond ASCII is no word character to the rule's boundary.
        let text = "ádel 02/01/2025 al 30/06/2025";
        assert_eq!(read_apart(text), as_one_pattern(text));
        assert_eq!(read_apart(text).len(), 1);
    }

    proptest! {
        #[test]
        fn the_period_rule_finds_what_one_pattern_with_de_finds(
            picks in proptest::collection::vec((0..PIECES.len(), 0..GAPS.len()), 0..24)
        ) {
            let text: String = picks.iter().map(|&(p, g)| format!("{}{}", PIECES[p], GAPS[g])).collect();
            prop_assert_eq!(read_apart(&text), as_one_pattern(&text));
        }
    }

    #[test]
    fn cues_found_without_groups_hold_the_year_the_group_holds() {
        let mut texts = vec![
            "Informe correspondiente al ejercicio fiscal 2022. Rendición de Cuentas 2021: enero a \
             diciembre de 2021, al 31 de diciembre del 2013, ejercicio fiscal 2020, periodo: 2019, \
             gestión del año 2018, presupuesto 2013, Ordenanza Nº 3057/2021, informe del año \
             fiscal 2017, 1a edición – Quito, 2012, del 02/01/2025 al 30/06/2025, 20211 2020a"
                .to_string(),
        ];
        texts.extend(crate::test_support::bundled_reports());
        let mut found = 0;
        for rule in year_rules().iter().filter(|r| r.year_last) {
            for text in &texts {
                let with_groups: Vec<_> = rule
                    .re
                    .captures_iter(text)
                    .filter_map(|c| Some((c.get(0)?.range(), c.get(1)?.range())))
                    .collect();
                assert_eq!(cues(rule, text), with_groups, "{}", rule.re.as_str());
                found += with_groups.len();
            }
        }
        assert!(found >= 10, "{found} cues");
        assert!(year_rules().iter().filter(|r| r.year_last).count() >= 10);
    }
}
