//! Plain-text folding shared by the analyzer stages and by every layer that compares names
//! (provinces, policies, keywords). No tantivy here: these are functions over `&str`.
//!
//! Folding is lossy: lowercase, decompose (NFD), drop combining marks. `ñ` is the one letter
//! Spanish distinguishes by a mark, so [`fold_keep_enye`] keeps it and [`fold_key`] does not.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Folds case and accents and keeps `ñ`: `Años` → `años`, `MANABÍ` → `manabi`.
pub fn fold_keep_enye(s: &str) -> String {
    fold_into(s, true)
}

/// Folds case and accents, `ñ` included: `Años` → `anos`, `Bolívar` → `bolivar`.
/// The form used for comparing names and for keys that people type without accents.
pub fn fold_key(s: &str) -> String {
    fold_into(s, false)
}

fn fold_into(s: &str, keep_enye: bool) -> String {
    let mut out = String::with_capacity(s.len());
    if s.is_ascii() {
        out.extend(s.chars().map(|c| c.to_ascii_lowercase()));
        return out;
    }
    // Compose first so that a decomposed `n` + U+0303 is seen as `ñ`.
    for c in s.nfc() {
        for lower in c.to_lowercase() {
            if keep_enye && lower == 'ñ' {
                out.push('ñ');
                continue;
            }
            if lower.is_ascii() {
                out.push(lower);
                continue;
            }
            decompose_canonical(lower, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            });
        }
    }
    out
}

/// Whether `c` continues a word: letters, digits and combining marks (PDF text often carries
/// decomposed accents, `o` + U+0301, which must not split a word).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold_key("Rendición"), "rendicion");
        assert_eq!(fold_key("MANABÍ"), "manabi");
        assert_eq!(fold_key("Pingüino"), "pinguino");
        assert_eq!(fold_key("Año"), "ano");
    }

    #[test]
    fn keeps_enye_when_asked() {
        assert_eq!(fold_keep_enye("AÑO"), "año");
        assert_eq!(fold_keep_enye("Niños"), "niños");
        assert_eq!(fold_keep_enye("Políticas"), "politicas");
    }

    #[test]
    fn folds_decomposed_input() {
        assert_eq!(fold_key("Rendicio\u{301}n"), "rendicion");
        assert_eq!(fold_keep_enye("an\u{303}o"), "año");
    }
}
