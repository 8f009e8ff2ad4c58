//! Ecuador's provinces and every place that points to one, from `config/gazetteer.toml` and the
//! territorial division in `config/territory/territory.tsv` (all cantons and parishes, urban and
//! rural, with their province).
//!
//! Two jobs: naming a province from any spelling ([`Gazetteer::province`]: `manabi`, `MANABÍ` →
//! `Manabí`), and finding every mention of a place in a text ([`Gazetteer::mentions`]), for the
//! metadata extractor to weigh. Matching folds case and accents, needs the capital letters the
//! gazetteer writes (so `Manta` counts and `manta` does not), takes the longest name at each
//! word (`Nueva Loja` is Sucumbíos, not Loja), and skips names inside the ignore list
//! (`Simón Bolívar`). A name can point to several provinces (there is a parish San Antonio in
//! seven); such names, and the surnames and common words of `[ambiguous]`, are marked
//! [`Mention::needs_cue`]: they count only where the text says what they are.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::phrases::{PhraseSet, Spelling};
use crate::analysis::fold_key;

/// What kind of name a mention is; a province's own name weighs most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceKind {
    /// The name of a province itself (`Manabí`).
    Province,
    /// The capital city of a province (`Portoviejo`).
    Capital,
    /// A city or unit listed in `gazetteer.toml` (`Manta`, `Hospital José Carrasco Arteaga`).
    Place,
    /// A canton (municipality) of a province.
    Canton,
    /// A parish, urban or rural, of a canton.
    Parish,
}

/// One province a place name may point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into [`Gazetteer::provinces`].
    pub province: usize,
    /// What the name is in that province.
    pub kind: PlaceKind,
    /// A rural parish of that province bears the name: only those have parish governments.
    pub rural: bool,
}

/// What one name of the gazetteer may mean.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceName {
    /// Provinces the name points to, strongest kind first, one per province.
    pub candidates: Vec<Candidate>,
    /// A surname, a common word or a name found in several provinces.
    pub needs_cue: bool,
}

/// A place name found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention<'g> {
    /// The province's proper name (the first candidate's).
    pub province: &'g str,
    /// What the name is in that province.
    pub kind: PlaceKind,
    /// Every province the name may point to.
    pub name: &'g PlaceName,
    /// Byte range of the name in the text: its start.
    pub start: usize,
    /// Its end (exclusive).
    pub end: usize,
}

impl Mention<'_> {
    /// Whether the name alone does not tell the place: see [`PlaceName::needs_cue`].
    pub fn needs_cue(&self) -> bool {
        self.name.needs_cue
    }
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Place(usize),
    Abroad,
    Ignore,
}

/// The places of Ecuador; see the module docs.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    names: Vec<String>,
    /// Folded name or alias → province.
    by_key: HashMap<String, usize>,
    places: Vec<PlaceName>,
    set: PhraseSet<Target>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    province: Vec<ProvinceRow>,
    #[serde(default)]
    ambiguous: NameList,
    #[serde(default)]
    abroad: NameList,
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NameList {
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreRow {
    phrases: Vec<String>,
}

/// The gazetteer shipped in `config/gazetteer.toml`.
const BUILTIN: &str = include_str!("../../config/gazetteer.toml");
/// The territorial division shipped in `config/territory/territory.tsv`.
const TERRITORY: &str = include_str!("../../config/territory/territory.tsv");

/// Collects names before they become a [`PhraseSet`]: one entry per folded name.
#[derive(Default)]
struct Builder {
    /// Folded name → (spelling as written, index into `places`).
    by_name: HashMap<String, (String, usize)>,
    places: Vec<PlaceName>,
}

impl Builder {
    fn add(&mut self, name: &str, province: usize, kind: PlaceKind, rural: bool) {
        let key = fold_key(name.trim());
        if key.is_empty() {
            return;
        }
        let places = &mut self.places;
        let &mut (_, i) = self.by_name.entry(key).or_insert_with(|| {
            places.push(PlaceName {
                candidates: Vec::new(),
                needs_cue: false,
            });
            (name.trim().to_string(), places.len() - 1)
        });
        let place = &mut self.places[i];
        match place.candidates.iter_mut().find(|c| c.province == province) {
            Some(c) => {
                c.kind = c.kind.min(kind);
                c.rural |= rural;
            }
            None => place.candidates.push(Candidate {
                province,
                kind,
                rural,
            }),
        }
    }
}

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn builtin() -> Gazetteer {
        Gazetteer::shared().clone()
    }

    /// The gazetteer compiled into the binary, parsed once and shared.
    pub fn shared() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            // The files ship with the binary and a unit test parses them: they cannot be wrong
            // here.
            Gazetteer::parse_with_territory(BUILTIN, TERRITORY)
                .expect("config/gazetteer.toml and config/territory/territory.tsv are valid")
        })
    }

    /// Parses a gazetteer in the format of `config/gazetteer.toml`, without the territory.
    pub fn parse(toml_text: &str) -> Result<Gazetteer, String> {
        Gazetteer::parse_with_territory(toml_text, "")
    }

    /// Parses a gazetteer and a territory table in the format of `territory.tsv` (header
    /// `code province canton name kind alias`, tab-separated).
    pub fn parse_with_territory(toml_text: &str, territory: &str) -> Result<Gazetteer, String> {
        let file: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let mut names = Vec::new();
        let mut by_key = HashMap::new();
        let mut b = Builder::default();
        for (i, p) in file.province.iter().enumerate() {
            names.push(p.name.clone());
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                by_key.insert(fold_key(n), i);
                b.add(n, i, PlaceKind::Province, false);
            }
            b.add(&p.capital, i, PlaceKind::Capital, false);
            for place in &p.places {
                b.add(place, i, PlaceKind::Place, false);
            }
        }
        // A canton or parish named like a province counts as the province.
        let province_names: Vec<String> = by_key.keys().cloned().collect();
        for (n, line) in territory.lines().enumerate().skip(1) {
            let cells: Vec<&str> = line.split('\t').collect();
            let [_code, province, _canton, name, kind, alias] = cells[..] else {
                return Err(format!("territory line {}: expected 6 cells", n + 1));
            };
            let Some(&p) = by_key.get(&fold_key(province)) else {
                return Err(format!(
                    "territory line {}: unknown province {province:?}",
                    n + 1
                ));
            };
            let rural = kind == "rural";
            let kind = match kind {
                "canton" => PlaceKind::Canton,
                "urban" | "seat" | "rural" => PlaceKind::Parish,
                other => return Err(format!("territory line {}: unknown kind {other:?}", n + 1)),
            };
            for name in [name, alias] {
                if name.is_empty() {
                    continue;
                }
                if !province_names.contains(&fold_key(name)) {
                    b.add(name, p, kind, rural);
                } else if kind == PlaceKind::Canton {
                    // A canton named like a province is that canton only when the text says
                    // "cantón": "cantón Bolívar" is in Carchi or Manabí.
                    b.add(&format!("cantón {name}"), p, kind, false);
                }
            }
        }
        let ambiguous: Vec<String> = file.ambiguous.names.iter().map(|n| fold_key(n)).collect();
        let mut set = PhraseSet::default();
        let proper = Spelling::Proper;
        // Added first so that, of two phrases of the same length, these win ("Simón Bolívar"
        // is a canton too, and far more often a person or a street).
        for phrase in &file.ignore.phrases {
            set.add(phrase, proper, Target::Ignore);
        }
        for name in &file.abroad.names {
            set.add(name, proper, Target::Abroad);
        }
        let mut entries: Vec<(&String, &(String, usize))> = b.by_name.iter().collect();
        entries.sort_by_key(|(_, (_, i))| *i);
        for (key, (written, i)) in entries {
            let place = &mut b.places[*i];
            place.candidates.sort_by_key(|c| c.kind);
            let best = place.candidates.first().map(|c| c.kind);
            // A province's own name or a capital is never in doubt; other names are when they
            // point to several provinces, are parishes only, or are listed as ambiguous.
            // "cantón Bolívar" carries its own cue.
            let cued = key.starts_with("canton ");
            place.needs_cue = !matches!(best, Some(PlaceKind::Province | PlaceKind::Capital))
                && !cued
                && (place.candidates.len() > 1
                    || best == Some(PlaceKind::Parish)
                    || ambiguous.contains(key));
            set.add(written, proper, Target::Place(*i));
        }
        Ok(Gazetteer {
            names,
            by_key,
            places: b.places,
            set,
        })
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

    /// The proper name of province `index`.
    pub fn province_name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// Every place of Ecuador mentioned in `text`, in order.
    pub fn mentions(&self, text: &str) -> Vec<Mention<'_>> {
        self.scan(text).0
    }

    /// Byte ranges of the places outside Ecuador named in `text` ("Buenos Aires", "Perú").
    pub fn abroad(&self, text: &str) -> Vec<(usize, usize)> {
        self.scan(text).1
    }

    /// [`Gazetteer::mentions`] and [`Gazetteer::abroad`] in one pass over the text.
    pub fn scan(&self, text: &str) -> (Vec<Mention<'_>>, Vec<(usize, usize)>) {
        let mut mentions = Vec::new();
        let mut abroad = Vec::new();
        for f in self.set.find_all(text) {
            match *f.value {
                Target::Place(i) => {
                    let name = &self.places[i];
                    if let Some(first) = name.candidates.first() {
                        mentions.push(Mention {
                            province: &self.names[first.province],
                            kind: first.kind,
                            name,
                            start: f.start,
                            end: f.end,
                        });
                    }
                }
                Target::Abroad => abroad.push((f.start, f.end)),
                Target::Ignore => {}
            }
        }
        (mentions, abroad)
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
    fn the_territory_has_every_canton_and_parish() {
        let rows: Vec<Vec<&str>> = TERRITORY
            .lines()
            .skip(1)
            .map(|l| l.split('\t').collect())
            .collect();
        let count = |kind: &str| rows.iter().filter(|r| r[4] == kind).count();
        assert_eq!(count("canton"), 221, "Ecuador has 221 cantons");
        assert!(count("rural") > 780, "rural parishes: {}", count("rural"));
        assert_eq!(count("seat"), 221, "one cantonal seat per canton");
    }

    #[test]
    fn a_rural_parish_points_to_its_province_but_needs_a_cue() {
        let g = Gazetteer::builtin();
        let m = &g.mentions("la parroquia Bellamaría")[0];
        assert_eq!(m.province, "El Oro");
        assert_eq!(m.kind, PlaceKind::Parish);
        assert!(m.needs_cue(), "a parish name alone is not enough");
        let m = &g.mentions("el cantón Durán")[0];
        assert_eq!(
            (m.province, m.needs_cue()),
            ("Guayas", true),
            "Durán is a surname too"
        );
        let m = &g.mentions("en Zapotillo")[0];
        assert_eq!((m.province, m.needs_cue()), ("Loja", false));
        let m = &g.mentions("parroquia San Antonio")[0];
        assert!(
            m.name.candidates.len() > 3,
            "San Antonio is in several provinces"
        );
    }

    #[test]
    fn a_canton_named_like_a_province_needs_the_word_canton() {
        let g = Gazetteer::builtin();
        let m = &g.mentions("GAD Municipal del Cantón Bolívar")[0];
        let provinces: Vec<&str> = m
            .name
            .candidates
            .iter()
            .map(|c| g.province_name(c.province))
            .collect();
        assert_eq!(provinces, ["Carchi", "Manabí"]);
        assert_eq!(provinces_in("la provincia Bolívar"), ["Bolívar"]);
    }

    #[test]
    fn places_abroad_are_told_apart() {
        let g = Gazetteer::builtin();
        assert_eq!(g.abroad("la Provincia de Buenos Aires").len(), 1);
        assert!(g.mentions("la Provincia de Buenos Aires").is_empty());
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
