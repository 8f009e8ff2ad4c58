//! Ecuador's provinces and the places that point to one, from `config/gazetteer.toml`.
//!
//! Two jobs: naming a province from any spelling ([`Gazetteer::province`]: `manabi`, `MANABÍ` →
//! `Manabí`), and finding every mention of a place in a text ([`Gazetteer::mentions`]), for the
//! metadata extractor to weigh. Matching folds case and accents, needs the capital letters the
//! gazetteer writes (so `Manta` counts and `manta` does not), takes the longest name at each
//! word (`Nueva Loja` is Sucumbíos, not Loja), and skips names inside the ignore list
//! (`Simón Bolívar`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::phrases::{PhraseSet, Spelling};
use crate::analysis::fold_key;

/// What kind of name a mention is; a province's own name weighs most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    Province,
    Capital,
    Place,
}

/// A place name found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention<'g> {
    /// The province's proper name.
    pub province: &'g str,
    pub kind: PlaceKind,
    /// Byte range of the name in the text.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Place(usize, PlaceKind),
    Ignore,
}

/// The places of Ecuador; see the module docs.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    names: Vec<String>,
    /// Folded name or alias → province.
    by_key: HashMap<String, usize>,
    places: PhraseSet<Target>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    province: Vec<ProvinceRow>,
    ignore: IgnoreRow,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceRow {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    capital: String,
    #[serde(default)]
    places: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreRow {
    phrases: Vec<String>,
}

/// The gazetteer shipped in `config/gazetteer.toml`.
const BUILTIN: &str = include_str!("../../config/gazetteer.toml");

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn builtin() -> Gazetteer {
        Gazetteer::shared().clone()
    }

    /// The gazetteer compiled into the binary, parsed once and shared.
    pub fn shared() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            // The file ships with the binary and a unit test parses it: it cannot be wrong here.
            Gazetteer::parse(BUILTIN).expect("config/gazetteer.toml is valid")
        })
    }

    /// Parses a gazetteer in the format of `config/gazetteer.toml`.
    pub fn parse(toml_text: &str) -> Result<Gazetteer, String> {
        let file: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let mut g = Gazetteer {
            names: Vec::new(),
            by_key: HashMap::new(),
            places: PhraseSet::default(),
        };
        let proper = Spelling::Proper;
        for (i, p) in file.province.iter().enumerate() {
            g.names.push(p.name.clone());
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                g.by_key.insert(fold_key(n), i);
                g.places
                    .add(n, proper, Target::Place(i, PlaceKind::Province));
            }
            g.places
                .add(&p.capital, proper, Target::Place(i, PlaceKind::Capital));
            for place in &p.places {
                g.places
                    .add(place, proper, Target::Place(i, PlaceKind::Place));
            }
        }
        for phrase in &file.ignore.phrases {
            g.places.add(phrase, proper, Target::Ignore);
        }
        Ok(g)
    }

    /// Every province's proper name.
    pub fn provinces(&self) -> &[String] {
        &self.names
    }

    /// The proper name of the province written `name` in any case, with or without accents.
    pub fn province(&self, name: &str) -> Option<&str> {
        let key = fold_key(name.trim());
        let key = key
            .strip_prefix("provincia de ")
            .or_else(|| key.strip_prefix("provincia del "))
            .unwrap_or(&key);
        self.by_key.get(key).map(|&i| self.names[i].as_str())
    }

    /// Every place mentioned in `text`, in order.
    pub fn mentions(&self, text: &str) -> Vec<Mention<'_>> {
        self.places
            .find_all(text)
            .into_iter()
            .filter_map(|f| match *f.value {
                Target::Place(p, kind) => Some(Mention {
                    province: &self.names[p],
                    kind,
                    start: f.start,
                    end: f.end,
                }),
                Target::Ignore => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provinces_in(text: &str) -> Vec<String> {
        Gazetteer::builtin()
            .mentions(text)
            .into_iter()
            .map(|m| m.province.to_string())
            .collect()
    }

    #[test]
    fn the_shipped_file_has_all_24_provinces() {
        let g = Gazetteer::parse(BUILTIN).expect("parses");
        assert_eq!(g.provinces().len(), 24);
    }

    #[test]
    fn any_spelling_names_a_province() {
        let g = Gazetteer::builtin();
        assert_eq!(g.province("manabi"), Some("Manabí"));
        assert_eq!(g.province("MANABÍ"), Some("Manabí"));
        assert_eq!(
            g.province("santo domingo"),
            Some("Santo Domingo de los Tsáchilas")
        );
        assert_eq!(g.province("Provincia de Bolívar"), Some("Bolívar"));
        assert_eq!(g.province("canar"), Some("Cañar"));
        assert_eq!(g.province("Atlantis"), None);
    }

    #[test]
    fn capitals_cantons_and_units_point_to_their_province() {
        assert_eq!(provinces_in("Hospital IESS Manta"), ["Manabí"]);
        assert_eq!(
            provinces_in("la Universidad Estatal de Bolívar"),
            ["Bolívar"]
        );
        assert_eq!(
            provinces_in("Hospital Carlos Andrade Marín, Quito"),
            ["Pichincha", "Pichincha"]
        );
        assert_eq!(provinces_in("agencia de Nueva Loja"), ["Sucumbíos"]);
    }

    #[test]
    fn traps_are_not_their_namesakes() {
        assert_eq!(provinces_in("en el cantón Pichincha"), ["Manabí"]);
        assert!(provinces_in("la avenida Simón Bolívar y el Banco Pichincha").is_empty());
        assert!(
            provinces_in("una manta y la cuenca del río").is_empty(),
            "lowercase words are not places"
        );
        assert!(provinces_in("el oro y la plata").is_empty());
    }
}
