//! Equality-policy tags: which of the five policies of "Políticas públicas para la igualdad" a
//! passage belongs to, from the section it stands in and from keywords (`config/policies.toml`).
//!
//! Sections are read in order: a passage starting with a policy heading ("a. Políticas públicas
//! interculturales", or a table row starting so) opens that policy's section; an umbrella
//! heading, another section's heading or [`MAX_SECTION_PASSAGES`] passages close it.

use std::sync::OnceLock;

use serde::Deserialize;

use super::model::Policy;
use super::phrases::{PhraseSet, Spelling};
use crate::analysis::fold_key;

/// A policy section is not believed to run longer than this many passages.
pub const MAX_SECTION_PASSAGES: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Keyword {
    Of(Policy),
    /// A phrase that is no policy's keyword, matched so that the words inside it are not.
    Excluded,
}

/// Tags passages with policies; see the module docs.
#[derive(Debug, Clone)]
pub struct PolicyTagger {
    /// Folded headings, longest first, with their policy (`None` for umbrella headings).
    headings: Vec<(String, Option<Policy>)>,
    /// First letters of the headings.
    initials: Vec<String>,
    keywords: PhraseSet<Keyword>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    sections: Sections,
    policy: Vec<PolicyRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    umbrella: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyRow {
    slug: String,
    headings: Vec<String>,
    keywords: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

const BUILTIN: &str = include_str!("../../config/policies.toml");

impl PolicyTagger {
    /// The keyword lists compiled into the binary (parsed once).
    pub fn builtin() -> PolicyTagger {
        static T: OnceLock<PolicyTagger> = OnceLock::new();
        T.get_or_init(|| {
            // Shipped with the binary and parsed by a unit test.
            PolicyTagger::parse(BUILTIN).expect("config/policies.toml is valid")
        })
        .clone()
    }

    /// Parses lists in the format of `config/policies.toml`.
    pub fn parse(toml_text: &str) -> Result<PolicyTagger, String> {
        let file: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let mut headings: Vec<(String, Option<Policy>)> = file
            .sections
            .umbrella
            .iter()
            .map(|h| (fold_key(h), None))
            .collect();
        let mut keywords = PhraseSet::default();
        let mut listed = std::collections::HashSet::new();
        for row in &file.policy {
            let policy = Policy::parse(&row.slug)
                .ok_or_else(|| format!("unknown policy slug {:?}", row.slug))?;
            headings.extend(row.headings.iter().map(|h| (fold_key(h), Some(policy))));
            for k in &row.keywords {
                keywords.add(k, Spelling::Accents, Keyword::Of(policy));
                listed.insert(fold_key(k));
            }
        }
        for row in &file.policy {
            for e in row
                .exclude
                .iter()
                .filter(|e| !listed.contains(&fold_key(e)))
            {
                keywords.add(e, Spelling::Accents, Keyword::Excluded);
            }
        }
        headings.sort_by_key(|(h, _)| std::cmp::Reverse(h.len()));
        let mut initials: Vec<String> = headings
            .iter()
            .filter_map(|(h, _)| h.chars().next())
            .map(String::from)
            .collect();
        initials.sort();
        initials.dedup();
        Ok(PolicyTagger {
            headings,
            initials,
            keywords,
        })
    }

    /// The policies of each passage, in order; `passages` are a report's passages in order.
    pub fn tag(&self, passages: &[&str]) -> Vec<Vec<Policy>> {
        let passages: Vec<(&str, usize)> = passages.iter().map(|&text| (text, 0)).collect();
        self.tag_sections(&passages)
    }

    /// [`Self::tag`], each passage with the bytes of the numbered heading it opens with (0 for
    /// none): a heading that names no policy ends the policy's section there.
    pub fn tag_sections(&self, passages: &[(&str, usize)]) -> Vec<Vec<Policy>> {
        let mut section: Option<(Policy, usize)> = None;
        passages
            .iter()
            .map(|&(text, heading)| {
                let mut tags = Vec::new();
                let opening = text.get(..heading).unwrap_or_default();
                match self.heading(text) {
                    Some(Some(policy)) => section = Some((policy, 0)),
                    Some(None) => section = None,
                    None if looks_like_heading(text) || looks_like_heading(opening) => {
                        section = None
                    }
                    None => {}
                }
                if let Some((policy, n)) = section.as_mut() {
                    *n += 1;
                    tags.push(*policy);
                    if *n >= MAX_SECTION_PASSAGES {
                        section = None;
                    }
                }
                // A flattened table joins a row's label to the text before it: a policy's own
                // heading inside a passage opens its section for the passages after it.
                if let Some(policy) = self.last_heading_inside(text) {
                    if !tags.contains(&policy) {
                        tags.push(policy);
                    }
                    section = Some((policy, 0));
                }
                for found in self.keywords.find_all(text) {
                    if let Keyword::Of(p) = *found.value {
                        if !tags.contains(&p) {
                            tags.push(p);
                        }
                    }
                }
                tags.sort();
                tags
            })
            .collect()
    }

    /// `Some(policy)` when `text` starts with a policy heading, `Some(None)` with an umbrella
    /// heading, `None` otherwise.
    fn heading(&self, text: &str) -> Option<Option<Policy>> {
        let head = strip_marker(text);
        // Cheap test first: every heading's first word starts with one of these letters.
        let first = head.chars().next().map(|c| fold_key(&c.to_string()));
        if !first.is_some_and(|f| self.initials.contains(&f)) {
            return None;
        }
        let end = head.char_indices().nth(90).map_or(head.len(), |(i, _)| i);
        let key = fold_key(&head[..end]);
        self.headings.iter().find_map(|(h, policy)| {
            let rest = key.strip_prefix(h.as_str())?;
            rest.chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
                .then_some(*policy)
        })
    }
}

impl PolicyTagger {
    /// The policy of the last full heading ("Políticas públicas de género") inside `text`
    /// after its start, if any.
    fn last_heading_inside(&self, text: &str) -> Option<Policy> {
        // Every heading looked for here names a "política": most passages have none.
        if !["olític", "OLÍTIC", "olitic", "OLITIC"]
            .iter()
            .any(|p| text.contains(p))
        {
            return None;
        }
        let key = fold_key(text);
        let mut best: Option<(usize, Policy)> = None;
        for (h, policy) in &self.headings {
            let Some(policy) = policy else { continue };
            if !h.starts_with("politica") {
                continue;
            }
            if let Some(at) = key.rfind(h.as_str()) {
                let bounded = key[at + h.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric());
                if at > 0 && bounded && best.is_none_or(|(b, _)| at > b) {
                    best = Some((at, *policy));
                }
            }
        }
        best.map(|(_, p)| p)
    }
}

/// The text after a list marker: `a. `, `1) `, `•`.
fn strip_marker(text: &str) -> &str {
    let t = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    if let Some((marker, rest)) = t.split_once(['.', ')']) {
        let is_marker = (1..=3).contains(&marker.len())
            && marker
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase());
        if is_marker && rest.starts_with(' ') {
            return rest.trim_start();
        }
    }
    t
}

/// A short line without a sentence end, starting with a capital: a section heading
/// ("5. Ejecución presupuestaria", "GESTIÓN FINANCIERA").
fn looks_like_heading(text: &str) -> bool {
    if text.len() > 120 {
        return false;
    }
    let body = strip_marker(text);
    let words = body.split_whitespace().count();
    (1..=8).contains(&words)
        && !body.ends_with(['.', ',', ';'])
        && body.chars().next().is_some_and(char::is_uppercase)
        && !body.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(passages: &[&str]) -> Vec<Vec<Policy>> {
        PolicyTagger::builtin().tag(passages)
    }

    #[test]
    fn the_shipped_lists_parse() {
        PolicyTagger::parse(BUILTIN).expect("config/policies.toml parses");
    }

    #[test]
    fn a_heading_tags_its_section_until_the_next_heading() {
        let t = tag(&[
            "a. Políticas públicas interculturales",
            "Elaboración de un lineamiento de promoción de salud.",
            "b. Políticas públicas generacionales",
            "Lineamientos de gestión del programa.",
            "5. Ejecución presupuestaria",
            "Se ejecutó el presupuesto.",
        ]);
        assert_eq!(t[1], [Policy::Intercultural]);
        assert_eq!(t[3], [Policy::Generacional]);
        assert!(t[5].is_empty(), "{t:?}");
    }

    #[test]
    fn a_numbered_heading_that_opens_a_passage_ends_the_section_before_it() {
        let opening = "7. Recaudación y gestión de cartera";
        let joined = format!("{opening} La cartera vencida se ubicó en USD 710.373,98.");
        let passages = [
            (
                "6. Políticas públicas interculturales Se implementó el parto vertical.",
                "6. Políticas públicas interculturales".len(),
            ),
            ("Se atendieron 105 partos.", 0),
            (joined.as_str(), opening.len()),
            ("La recaudación total alcanzó 414.144.810 dólares.", 0),
        ];
        let t = PolicyTagger::builtin().tag_sections(&passages);
        assert_eq!(t[0], [Policy::Intercultural]);
        assert_eq!(t[1], [Policy::Intercultural]);
        assert!(t[2].is_empty() && t[3].is_empty(), "{t:?}");
        // Unknown, the heading lets the section run on.
        let unknown: Vec<&str> = passages.iter().map(|&(text, _)| text).collect();
        assert_eq!(tag(&unknown)[3], [Policy::Intercultural]);
    }

    #[test]
    fn keywords_tag_anywhere() {
        let t = tag(&[
            "Talleres para el adulto mayor.",
            "Capacitación en violencia basada en género y población LGBTI.",
            "Atención a personas con discapacidad.",
            "Afiliación de migrantes y refugiados.",
        ]);
        assert_eq!(
            t,
            [
                vec![Policy::Generacional],
                vec![Policy::Genero],
                vec![Policy::Discapacidades],
                vec![Policy::MovilidadHumana]
            ]
        );
    }

    #[test]
    fn movilidad_traps_are_not_movilidad_humana() {
        let t = tag(&[
            "Acceso adecuado para personas con movilidad reducida.",
            "Se contrató el Sistema de Movilidad institucional.",
            "El hospital generó ingresos.",
        ]);
        assert_eq!(t[0], [Policy::Discapacidades]);
        assert!(t[1].is_empty(), "{t:?}");
        assert!(t[2].is_empty(), "generó is not género: {t:?}");
    }
}
