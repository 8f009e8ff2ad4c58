//! Acronyms the reports write for the institutions and programmes they name, and the names they
//! stand for: a report spells `Seguro Social Campesino` once and writes `SSC` after it, so a
//! search for the name finds the acronym too (query side only; the index holds the words as
//! written).
//!
//! Names are folded as the analyzer folds them; their function words do not count, as in a
//! query of bare words (`red publica integral de salud` is `red publica integral salud`).
//! `IESS` is not among them: every report is the institute's.

use crate::analysis::is_function_word;

/// Each acronym, folded, with the names it stands for, the usual one first.
const ACRONYMS: [(&str, &[&str]); 16] = [
    (
        "biess",
        &["banco del instituto ecuatoriano de seguridad social"],
    ),
    (
        "conadis",
        &["consejo nacional para la igualdad de discapacidades"],
    ),
    (
        "cpccs",
        &["consejo de participacion ciudadana y control social"],
    ),
    ("gad", &["gobierno autonomo descentralizado"]),
    (
        "lotaip",
        &["ley organica de transparencia y acceso a la informacion publica"],
    ),
    ("mies", &["ministerio de inclusion economica y social"]),
    ("msp", &["ministerio de salud publica"]),
    ("rpc", &["red privada complementaria"]),
    ("rpis", &["red publica integral de salud"]),
    (
        "senplades",
        &["secretaria nacional de planificacion y desarrollo"],
    ),
    ("sercop", &["servicio nacional de contratacion publica"]),
    ("sgrt", &["seguro general de riesgos del trabajo"]),
    (
        "sgsif",
        &[
            "seguro general de salud individual y familiar",
            "seguro de salud individual y familiar",
        ],
    ),
    ("sri", &["servicio de rentas internas"]),
    ("ssc", &["seguro social campesino", "seguro campesino"]),
    ("uci", &["unidad de cuidados intensivos"]),
];

/// The acronym whose name starts `words` (folded, function words included), with how many of
/// `words` the name takes: the longest name when several start it.
pub fn acronym_at(words: &[&str]) -> Option<(&'static str, usize)> {
    let mut best: Option<(&'static str, usize)> = None;
    for (short, names) in ACRONYMS {
        for name in names {
            if let Some(taken) = starts_with_name(words, name) {
                if best.is_none_or(|(_, n)| taken > n) {
                    best = Some((short, taken));
                }
            }
        }
    }
    best
}

/// How many of `words` the content words of `name` take when `words` start with them, function
/// words of either apart.
fn starts_with_name(words: &[&str], name: &str) -> Option<usize> {
    let mut wanted = name.split(' ').filter(|w| !is_function_word(w)).peekable();
    let mut taken = 0;
    for word in words {
        let Some(next) = wanted.peek() else { break };
        taken += 1;
        if is_function_word(word) && taken > 1 {
            continue;
        }
        if word != next {
            return None;
        }
        wanted.next();
    }
    wanted.peek().is_none().then_some(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_at_the_start_of_words_function_words_apart() {
        assert_eq!(
            acronym_at(&["seguro", "social", "campesino", "manabi"]),
            Some(("ssc", 3))
        );
        assert_eq!(acronym_at(&["seguro", "campesino"]), Some(("ssc", 2)));
        assert_eq!(
            acronym_at(&["red", "publica", "integral", "salud"]),
            Some(("rpis", 4))
        );
        assert_eq!(
            acronym_at(&["red", "publica", "integral", "de", "la", "salud"]),
            Some(("rpis", 6))
        );
        // Not at the start, not in part, not in another order.
        assert_eq!(acronym_at(&["mora", "seguro", "campesino"]), None);
        assert_eq!(acronym_at(&["seguro", "social"]), None);
        assert_eq!(acronym_at(&["campesino", "seguro"]), None);
        // A function word does not open a name.
        assert_eq!(acronym_at(&["de", "seguro", "campesino"]), None);
        assert_eq!(acronym_at(&[]), None);
    }

    #[test]
    fn names_and_acronyms_are_folded_as_the_analyzer_folds_them() {
        for (short, names) in ACRONYMS {
            assert_eq!(crate::analysis::text::fold_key(short), short);
            for name in names {
                assert_eq!(crate::analysis::text::fold_key(name), *name, "{name}");
            }
        }
    }
}
