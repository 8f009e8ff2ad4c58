//! The stem stage: Spanish Snowball stemming, after folding, with short plurals mended.
//!
//! Expects folded, lowercased tokens (fold before stem: stemming accented words first gives a
//! different stem for `Manabí` and `manabi`). Never changes offsets or positions. Tokens with a
//! digit (numbers, `covid19`) pass unchanged.
//!
//! Snowball leaves short plurals alone (`años`, `mes`/`meses` differ in their region rules), so
//! after stemming a word that still ends in vowel + `s` loses the `s` and is stemmed again, up to
//! twice. The rule runs on both sides (index and query), so `año`, `años`, `mes` and `meses`
//! meet; the cost is that a few singulars ending in `s` (`virus`) index as `viru`, harmlessly.
//!
//! Snowball also reads a final `-ad`, `-ed` or `-id` as a verb's imperative (`cantad`) and
//! takes it off, while the plural keeps it (`enfermedad` → `enfermed`, `enfermedades` →
//! `enfermedad`): nouns in `-dad`, `-tad`, `-ed` and `-id` (`ciudad`, `voluntad`, `pared`,
//! `usted`, `covid`) would not meet their plurals, and `covid` would meet `cova`. When that
//! ending is all Snowball removed, the word stays whole; reports use no imperatives. A stem
//! ending in `z` ends in `c` instead, as the plural writes it (`vez`, `veces` → `vec`; `matriz`,
//! `matrices` → `matric`).
//!
//! A stem keeps the first two characters of a word of two or more: Snowball's regions (R1, R2,
//! RV), where every suffix it removes or replaces must lie, start after the second character at
//! the earliest, and a plural mended above keeps three characters before losing its `s`. The
//! highlighter leans on this to stem only the words that may meet a query's stems.

use std::borrow::Cow;

use frostem::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Stems folded Spanish words; see the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpanishStem;

impl TokenFilter for SpanishStem {
    type Tokenizer<T: Tokenizer> = SpanishStemFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> SpanishStemFilter<T> {
        SpanishStemFilter { inner }
    }
}

/// A tokenizer wrapped by [`SpanishStem`].
#[derive(Clone)]
pub struct SpanishStemFilter<T> {
    inner: T,
}

/// Words whose stems are remembered, per thread.
const CACHE_WORDS: usize = 50_000;

thread_local! {
    /// The stems of recent words: in reports a few thousand words make most of the text, and a
    /// lookup costs far less than stemming. Per thread rather than per tokenizer: tantivy
    /// clones an analyzer for every use (each snippet of a query, each indexing segment), and a
    /// clone would start empty.
    static STEMS: std::cell::RefCell<FxHashMap<String, String>> =
        std::cell::RefCell::new(FxHashMap::default());
}

/// Calls `f` with the stem of the folded word `word`, as the index has it: stemmed once per
/// thread and then remembered (all of it forgotten once more than `CACHE_WORDS` words are).
pub fn with_stem<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    with_stemmer(Stemmer::new(Algorithm::Spanish), word, f)
}

/// [`with_stem`] with a stemmer at hand.
fn with_stemmer<R>(stemmer: Stemmer, word: &str, f: impl FnOnce(&str) -> R) -> R {
    if has_digit(word) {
        // Its own stem; and numbers, each seen a few times, would crowd the words out.
        return f(word);
    }
    STEMS.with(|cell| {
        let Ok(mut stems) = cell.try_borrow_mut() else {
            // Only reached if `f` stemmed again; never in this module.
            return f(&stem_word(stemmer, word));
        };
        if let Some(stem) = stems.get(word) {
            return f(stem);
        }
        let stem = stem_word(stemmer, word).into_owned();
        let out = f(&stem);
        if stems.len() >= CACHE_WORDS {
            stems.clear();
        }
        stems.insert(word.to_string(), stem);
        out
    })
}

impl<T: Tokenizer> Tokenizer for SpanishStemFilter<T> {
    type TokenStream<'a> = SpanishStemTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SpanishStemTokenStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::new(Algorithm::Spanish),
            buffer: String::new(),
        }
    }
}

/// The stream of [`SpanishStemFilter`].
pub struct SpanishStemTokenStream<T> {
    tail: T,
    stemmer: Stemmer,
    /// Where the stem is written before it takes the token's place.
    buffer: String,
}

impl<T: TokenStream> TokenStream for SpanishStemTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let buffer = &mut self.buffer;
        with_stemmer(self.stemmer, &token.text, |stem| {
            buffer.clear();
            buffer.push_str(stem);
        });
        std::mem::swap(&mut token.text, &mut self.buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Marks an exact (unstemmed, folded) form in the text field: `\u{1}años`. Stems are
/// written plain; the mark keeps the two kinds of terms apart in one term dictionary.
pub const EXACT_MARK: char = '\u{1}';

/// The term of the exact form `folded`.
pub fn exact_term(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 1);
    out.push(EXACT_MARK);
    out.push_str(folded);
    out
}

/// The exact form of an exact term; `None` for a stem.
pub fn strip_exact(term: &str) -> Option<&str> {
    term.strip_prefix(EXACT_MARK)
}

/// Index side of the text field: every folded word gives its exact form, marked, and
/// at the same position its stem when the stem differs (`años` → `\u{1}años`, `año`; `salud` →
/// `\u{1}salud` alone). So a stem is found as the plain term (words that stem to it) or as the
/// marked one (the word itself), exact words and phrases are the marked terms, and a word that
/// is its own stem is indexed once, as Lucene's `KeywordRepeatFilter` with
/// `RemoveDuplicatesTokenFilter` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExactAndStem;

impl TokenFilter for ExactAndStem {
    type Tokenizer<T: Tokenizer> = ExactAndStemFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> ExactAndStemFilter<T> {
        ExactAndStemFilter { inner }
    }
}

/// A tokenizer wrapped by [`ExactAndStem`].
#[derive(Clone)]
pub struct ExactAndStemFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ExactAndStemFilter<T> {
    type TokenStream<'a> = ExactAndStemTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ExactAndStemTokenStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::new(Algorithm::Spanish),
            stem: String::new(),
            stem_pending: false,
        }
    }
}

/// The stream of [`ExactAndStemFilter`].
pub struct ExactAndStemTokenStream<T> {
    tail: T,
    stemmer: Stemmer,
    /// The stem of the exact form just given, to give next at the same position when
    /// `stem_pending`.
    stem: String,
    stem_pending: bool,
}

impl<T: TokenStream> TokenStream for ExactAndStemTokenStream<T> {
    fn advance(&mut self) -> bool {
        if self.stem_pending {
            self.stem_pending = false;
            // The stem takes the token's place; the token's buffer is kept for the next stem.
            std::mem::swap(&mut self.tail.token_mut().text, &mut self.stem);
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let (pending, next) = (&mut self.stem_pending, &mut self.stem);
        with_stemmer(self.stemmer, &token.text, |stem| {
            if stem != token.text {
                next.clear();
                next.push_str(stem);
                *pending = true;
            }
        });
        token.text.insert(0, EXACT_MARK);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The stem of one folded word; borrowed when unchanged.
pub fn stem_word(stemmer: Stemmer, word: &str) -> Cow<'_, str> {
    if has_digit(word) {
        return Cow::Borrowed(word);
    }
    let mut current = stemmer.stem(word);
    if current.len() + 2 == word.len() && ends_in_vowel_d(word) && word.starts_with(&*current) {
        // Snowball took `-ad`, `-ed` or `-id` as a verb's ending (`cantad`), though it leaves
        // the plural's `-es` (`ciudades` → `ciudad`): the noun keeps its whole singular.
        current = Cow::Borrowed(word);
    }
    for _ in 0..2 {
        if !ends_in_vowel_s(&current) {
            break;
        }
        let singular = &current[..current.len() - 1];
        current = Cow::Owned(stemmer.stem(singular).into_owned());
    }
    if current.len() >= 3 && current.ends_with('z') {
        // `matriz`, `vez`, `luz`: the plural writes `c` (`matrices` → `matric`).
        let mut stem = current.into_owned();
        stem.pop();
        stem.push('c');
        current = Cow::Owned(stem);
    }
    current
}

/// [`stem_word`] with the Spanish stemmer.
pub fn stem_spanish(word: &str) -> Cow<'_, str> {
    stem_word(Stemmer::new(Algorithm::Spanish), word)
}

/// Words with a digit (`covid19`, `2021`, `4803665`) are not stemmed.
fn has_digit(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
}

/// `ciudad`, `pared`, `covid`: a word ending in `ad`, `ed` or `id`.
fn ends_in_vowel_d(word: &str) -> bool {
    word.ends_with("ad") || word.ends_with("ed") || word.ends_with("id")
}

/// `años`, `meses`→`mes`, `países`→`pais`: a word of 3+ bytes ending in vowel + `s`.
fn ends_in_vowel_s(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 3
        && b[b.len() - 1] == b's'
        && matches!(b[b.len() - 2], b'a' | b'e' | b'i' | b'o' | b'u')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(w: &str) -> String {
        stem_word(Stemmer::new(Algorithm::Spanish), w).into_owned()
    }

    #[test]
    fn singular_and_plural_meet() {
        for (a, b) in [
            ("discapacidad", "discapacidades"),
            ("año", "años"),
            ("ano", "anos"),
            ("mes", "meses"),
            ("pais", "paises"),
            ("atencion", "atenciones"),
            ("politica", "politicas"),
            ("convenio", "convenios"),
            ("glosa", "glosas"),
            ("enfermedad", "enfermedades"),
            ("ciudad", "ciudades"),
            ("calidad", "calidades"),
            ("sociedad", "sociedades"),
            ("voluntad", "voluntades"),
            ("pared", "paredes"),
            ("usted", "ustedes"),
            ("universidad", "universidades"),
            ("edad", "edades"),
            ("matriz", "matrices"),
            ("vez", "veces"),
            ("luz", "luces"),
            ("raiz", "raices"),
            ("alcance", "alcances"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} and {b} must share a stem");
        }
    }

    #[test]
    fn a_noun_in_d_keeps_its_ending_and_meets_no_other_word() {
        assert_eq!(stem("enfermedad"), "enfermedad");
        assert_eq!(stem("covid"), "covid");
        assert_ne!(stem("covid"), stem("cova"));
        assert_ne!(stem("covid"), stem("cov"));
        // What Snowball takes beyond the ending still goes (`-idad`).
        assert_eq!(stem("discapacidad"), "discapac");
    }

    #[test]
    fn numbers_and_mixed_tokens_are_not_stemmed() {
        assert_eq!(stem("4803665.69"), "4803665.69");
        assert_eq!(stem("covid19"), "covid19");
    }

    #[test]
    fn a_word_gives_its_marked_exact_form_and_its_stem_only_when_it_differs() {
        use crate::analysis::tests::all_tokens;
        let mut analyzer = crate::analysis::index_body();
        let tokens = all_tokens(&mut analyzer, "Años de salud");
        let seen: Vec<(usize, &str)> = tokens
            .iter()
            .map(|t| (t.position, t.text.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (0, "\u{1}años"),
                (0, "año"),
                (0, "\u{1}anos"),
                (0, "ano"),
                (1, "\u{1}de"),
                (2, "\u{1}salud"),
            ]
        );
        assert_eq!(strip_exact(&tokens[0].text), Some("años"));
        assert_eq!(strip_exact(&tokens[1].text), None);
        let offsets = |i: usize| (tokens[i].offset_from, tokens[i].offset_to);
        assert_eq!(
            offsets(0),
            (0, "Años".len()),
            "the exact form slices the text"
        );
        assert_eq!(offsets(1), offsets(0), "the stem keeps the word's offsets");
    }

    #[test]
    fn enye_survives_stemming() {
        assert_ne!(stem("año"), stem("ano"), "año and ano must stay apart");
    }

    fn keeps_first_two(word: &str) -> bool {
        let first_two = |w: &str| w.chars().take(2).collect::<String>();
        word.chars().count() < 2 || stem(word).starts_with(&first_two(word))
    }

    #[test]
    fn a_stem_keeps_the_first_two_characters_of_every_word_of_the_reports() {
        let mut words = 0;
        for text in crate::test_support::bundled_reports() {
            for (_, word) in crate::analysis::text::words(&text) {
                let folded = crate::analysis::fold_key(word);
                assert!(keeps_first_two(&folded), "{folded} → {}", stem(&folded));
                words += 1;
            }
        }
        assert!(words > 1000, "the reports have words: {words}");
        for w in [
            "as", "es", "os", "ases", "eses", "ñas", "ñes", "uses", "aes", "guen", "ir", "ia",
        ] {
            assert!(keeps_first_two(w), "{w} → {}", stem(w));
        }
    }

    proptest::proptest! {
        /// Words of Spanish letters, most of them ending in one of Snowball's suffixes.
        #[test]
        fn a_stem_keeps_the_first_two_characters_of_any_word(
            start in "[a-zñ]{0,6}",
            suffix in "(|s|es|os|as|mente|amente|logia|ucion|encia|encias|iendo|ando|arse|selo|guen|gue|ue|e|a|o|i|u|idad|ivamente|aciones)",
            plural in "(|s|es)",
        ) {
            let word = format!("{start}{suffix}{plural}");
            proptest::prop_assert!(keeps_first_two(&word), "{} → {}", word, stem(&word));
        }
    }
}
