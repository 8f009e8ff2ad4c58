//! Word pairs: every two adjacent words' stems as one term, in a field of their own
//! (Elasticsearch's `index_phrases`). A quoted phrase of frequent words (`"seguro social
//! campesino"`) otherwise reads the positions of each word in every passage holding them all;
//! its pairs are rare terms whose postings say where the words stand side by side.
//!
//! A pair joins two words that are neither function words (`de`, `la`: a phrase holds their
//! place with any word, see `search::query`) nor numbers (read in several forms). Every stem a
//! position holds (`año` and its twin `ano`) pairs with every stem of the next one. A pair is
//! written at the position of its first word, so that the pairs of a longer phrase follow one
//! another as its words do.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use super::tokenizer::TokenSlice;

use super::stem::strip_exact;

/// Name of the analyzer of the pairs field ([`PairTokenizer`]).
pub const PAIRS: &str = "es_pairs";

/// Joins the two stems of a pair term; no word holds it.
pub const PAIR_SEPARATOR: char = '\u{2}';

/// Stems a position may give to pairs; beyond this (ambiguous readings), the first ones.
const MAX_STEMS: usize = 4;

/// The term text of the pair of stems `first`, `second`.
pub fn pair_term(first: &str, second: &str) -> String {
    let mut out = String::with_capacity(first.len() + second.len() + 1);
    out.push_str(first);
    out.push(PAIR_SEPARATOR);
    out.push_str(second);
    out
}

/// Whether the folded word `word` may be one half of a pair: not a function word, no digit.
pub fn pairs_word(word: &str) -> bool {
    !word.is_empty() && !super::is_function_word(word) && !word.bytes().any(|b| b.is_ascii_digit())
}

/// The pairs field's tokenizer: reads the text as the body field does ([`super::index_body`]),
/// and gives the pair terms of its adjacent words.
#[derive(Clone)]
pub struct PairTokenizer {
    body: TextAnalyzer,
    /// The pairs of the last text; their strings are reused for the next one.
    tokens: Vec<Token>,
}

impl Default for PairTokenizer {
    fn default() -> Self {
        PairTokenizer {
            body: super::index_body(),
            tokens: Vec::new(),
        }
    }
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = TokenSlice<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenSlice<'a> {
        let mut pairing = Pairing::new(&mut self.tokens);
        let mut stream = self.body.token_stream(text);
        while stream.advance() {
            pairing.read(stream.token());
        }
        let len = pairing.finish();
        TokenSlice::new(&mut self.tokens[..len])
    }
}

/// The stems of one position that may pair.
#[derive(Default)]
struct Place {
    position: usize,
    stems: Vec<String>,
}

impl Place {
    fn add(&mut self, stem: &str) {
        if self.stems.len() < MAX_STEMS && !self.stems.iter().any(|s| s == stem) {
            self.stems.push(stem.to_string());
        }
    }
}

/// Reads the body analyzer's tokens (each word's exact form, marked, then its stem when it
/// differs) and writes the pairs of adjacent places into `out`, reusing its tokens' strings.
struct Pairing<'a> {
    previous: Option<Place>,
    current: Option<Place>,
    /// The word last read, while its stem may still follow: `Some(None)` for a word that
    /// cannot pair.
    word: Option<Option<String>>,
    out: &'a mut Vec<Token>,
    /// Pairs written to `out`.
    len: usize,
}

impl<'a> Pairing<'a> {
    fn new(out: &'a mut Vec<Token>) -> Pairing<'a> {
        Pairing {
            previous: None,
            current: None,
            word: None,
            out,
            len: 0,
        }
    }

    fn read(&mut self, token: &Token) {
        // A joined token (`covid19` over `covid 19`) stands beside its parts, which pair.
        if token.position_length > 1 {
            return;
        }
        if self.current.as_ref().map(|p| p.position) != Some(token.position) {
            self.close_place();
            self.current = Some(Place {
                position: token.position,
                stems: Vec::new(),
            });
        }
        match strip_exact(&token.text) {
            Some(word) => {
                self.close_word();
                self.word = Some(pairs_word(word).then(|| word.to_string()));
            }
            None => {
                // The stem of the word just read.
                if let (Some(Some(_)), Some(place)) = (self.word.take(), self.current.as_mut()) {
                    place.add(&token.text);
                }
            }
        }
    }

    /// The word read is its own stem when no stem followed it.
    fn close_word(&mut self) {
        if let (Some(Some(word)), Some(place)) = (self.word.take(), self.current.as_mut()) {
            place.add(&word);
        }
    }

    fn close_place(&mut self) {
        self.close_word();
        let Some(place) = self.current.take() else {
            return;
        };
        if let Some(previous) = &self.previous {
            if previous.position + 1 == place.position {
                for first in &previous.stems {
                    for second in &place.stems {
                        if self.out.len() == self.len {
                            self.out.push(Token::default());
                        }
                        let token = &mut self.out[self.len];
                        token.text.clear();
                        token.text.push_str(first);
                        token.text.push(PAIR_SEPARATOR);
                        token.text.push_str(second);
                        token.position = previous.position;
                        token.position_length = 1;
                        self.len += 1;
                    }
                }
            }
        }
        self.previous = Some(place);
    }

    /// Closes the last place; returns how many pairs were written.
    fn finish(mut self) -> usize {
        self.close_place();
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::all_tokens;

    fn pairs(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = TextAnalyzer::from(PairTokenizer::default());
        all_tokens(&mut analyzer, text)
            .into_iter()
            .map(|t| (t.text.replace(PAIR_SEPARATOR, " "), t.position))
            .collect()
    }

    fn owned(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
        pairs.iter().map(|&(t, p)| (t.to_string(), p)).collect()
    }

    #[test]
    fn adjacent_words_pair_their_stems_at_the_first_ones_position() {
        assert_eq!(
            pairs("Seguro Social Campesino"),
            owned(&[("segur social", 0), ("social campesin", 1)])
        );
    }

    #[test]
    fn function_words_and_numbers_pair_with_nothing() {
        assert_eq!(pairs("fondos de reserva"), vec![]);
        assert_eq!(
            pairs("pagos 2021 mora patronal"),
            owned(&[("mor patronal", 2)])
        );
    }

    #[test]
    fn every_stem_of_a_place_pairs_with_every_stem_of_the_next() {
        // The index folds `ñ` both ways: `años` is held as `año` and `ano`.
        assert_eq!(
            pairs("años fiscales"),
            owned(&[("año fiscal", 0), ("ano fiscal", 0)])
        );
    }

    #[test]
    fn a_text_reuses_the_tokens_of_the_one_before() {
        let mut analyzer = TextAnalyzer::from(PairTokenizer::default());
        assert_eq!(all_tokens(&mut analyzer, "mora patronal alta").len(), 2);
        assert_eq!(all_tokens(&mut analyzer, "mora patronal").len(), 1);
        assert_eq!(all_tokens(&mut analyzer, "").len(), 0);
    }
}
