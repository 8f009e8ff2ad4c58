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

use std::cell::RefCell;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

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
    write_pair(&mut out, first, second);
    out
}

/// Writes the term text of a pair after what `out` holds: the one layout of a pair, for the
/// index and for queries.
fn write_pair(out: &mut String, first: &str, second: &str) {
    out.push_str(first);
    out.push(PAIR_SEPARATOR);
    out.push_str(second);
}

/// Whether the folded word `word` may be one half of a pair: not a function word, no digit.
pub fn pairs_word(word: &str) -> bool {
    !word.is_empty() && !super::is_function_word(word) && !word.bytes().any(|b| b.is_ascii_digit())
}

/// The pairs field's tokenizer: gives the pair terms of a text's adjacent words, as the body's
/// analyzer reads them. It takes the pairs the body's analyzer handed over for the same text
/// ([`HandPairs`]), and reads the text itself when there are none.
#[derive(Clone)]
pub struct PairTokenizer {
    /// The body's analyzer, without handing pairs over.
    body: TextAnalyzer,
    /// The pairs of the last text; their strings are reused for the next one.
    tokens: Vec<Token>,
}

impl Default for PairTokenizer {
    fn default() -> Self {
        PairTokenizer {
            body: super::body_terms(),
            tokens: Vec::new(),
        }
    }
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = TokenSlice<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenSlice<'a> {
        let len = match take_handed(text, &mut self.tokens) {
            Some(len) => len,
            None => {
                let mut pairing = Pairing::new(std::mem::take(&mut self.tokens));
                let mut stream = self.body.token_stream(text);
                while stream.advance() {
                    pairing.read(stream.token());
                }
                let len;
                (self.tokens, len) = pairing.finish();
                len
            }
        };
        TokenSlice::new(&mut self.tokens[..len])
    }
}

/// The last stage of the body's analyzer: passes every token on, and hands the pairs of the
/// text over to the pairs field's analyzer ([`PairTokenizer`]) once the text is read, so that
/// the text is tokenized, folded and stemmed once for both fields. tantivy analyses a
/// document's fields one after another on one thread, the body before the pairs (its field
/// comes first in the schema); pairs are kept, with their text, for the last [`HANDED`] texts
/// of the thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct HandPairs;

impl TokenFilter for HandPairs {
    type Tokenizer<T: Tokenizer> = HandPairsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> HandPairsFilter<T> {
        HandPairsFilter { inner }
    }
}

/// A tokenizer wrapped by [`HandPairs`].
#[derive(Clone)]
pub struct HandPairsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for HandPairsFilter<T> {
    type TokenStream<'a> = HandPairsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        HandPairsStream {
            tail: self.inner.token_stream(text),
            text,
            pairing: Some(Pairing::new(spare_tokens())),
        }
    }
}

/// The stream of [`HandPairsFilter`].
pub struct HandPairsStream<'a, T> {
    tail: T,
    text: &'a str,
    /// Until the text is read.
    pairing: Option<Pairing>,
}

impl<T: TokenStream> TokenStream for HandPairsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if self.tail.advance() {
            if let Some(pairing) = &mut self.pairing {
                pairing.read(self.tail.token());
            }
            return true;
        }
        if let Some(pairing) = self.pairing.take() {
            hand_over(self.text, pairing.finish());
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Texts whose pairs a thread keeps for the pairs field: a passage's text and its table's
/// column headers are the body's two values, with room to spare.
const HANDED: usize = 4;

/// The pairs of one text, handed over; `live` until taken.
#[derive(Default)]
struct Handed {
    text: String,
    tokens: Vec<Token>,
    len: usize,
    live: bool,
}

/// The texts a thread handed over, in a ring whose strings are reused.
#[derive(Default)]
struct Hand {
    slots: Vec<Handed>,
    next: usize,
}

thread_local! {
    static HAND: RefCell<Hand> = RefCell::new(Hand::default());
}

/// The tokens of the slot the next text will be handed in (their strings to reuse).
fn spare_tokens() -> Vec<Token> {
    HAND.with(|hand| {
        let Ok(mut hand) = hand.try_borrow_mut() else {
            return Vec::new();
        };
        let next = hand.next;
        match hand.slots.get_mut(next) {
            // A slot not yet taken keeps its pairs until the new ones replace them.
            Some(slot) if !slot.live => std::mem::take(&mut slot.tokens),
            _ => Vec::new(),
        }
    })
}

fn hand_over(text: &str, (tokens, len): (Vec<Token>, usize)) {
    HAND.with(|hand| {
        let Ok(mut hand) = hand.try_borrow_mut() else {
            return;
        };
        let next = hand.next;
        if hand.slots.len() <= next {
            hand.slots.push(Handed::default());
        }
        let slot = &mut hand.slots[next];
        slot.text.clear();
        slot.text.push_str(text);
        slot.tokens = tokens;
        slot.len = len;
        slot.live = true;
        hand.next = (next + 1) % HANDED;
    })
}

/// Takes the pairs handed over for `text` into `tokens` (whose old strings go back for reuse);
/// `None` when there are none.
fn take_handed(text: &str, tokens: &mut Vec<Token>) -> Option<usize> {
    HAND.with(|hand| {
        let mut hand = hand.try_borrow_mut().ok()?;
        let slot = hand
            .slots
            .iter_mut()
            .find(|slot| slot.live && slot.text == text)?;
        slot.live = false;
        std::mem::swap(&mut slot.tokens, tokens);
        Some(slot.len.min(tokens.len()))
    })
}

/// The stems of one position that may pair, written one after another in `text`.
#[derive(Default)]
struct Place {
    position: usize,
    text: String,
    /// Where each stem of `text` ends.
    ends: Vec<usize>,
}

impl Place {
    fn reset(&mut self, position: usize) {
        self.position = position;
        self.text.clear();
        self.ends.clear();
    }

    fn stems(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(from, to)| &self.text[from..to])
    }

    fn add(&mut self, stem: &str) {
        if self.ends.len() < MAX_STEMS && !self.stems().any(|s| s == stem) {
            self.text.push_str(stem);
            self.ends.push(self.text.len());
        }
    }
}

/// Reads the body analyzer's tokens (each word's exact form, marked, then its stem when it
/// differs) and writes the pairs of adjacent places into `out`, reusing its tokens' strings.
/// Allocates nothing once its buffers have grown.
struct Pairing {
    previous: Place,
    current: Place,
    /// Whether `previous` and `current` hold a place read.
    has_previous: bool,
    has_current: bool,
    /// The word last read, while its stem may still follow (`pending`), and whether it pairs.
    word: String,
    pending: bool,
    pairs: bool,
    out: Vec<Token>,
    /// Pairs written to `out`.
    len: usize,
}

impl Pairing {
    fn new(out: Vec<Token>) -> Pairing {
        Pairing {
            previous: Place::default(),
            current: Place::default(),
            has_previous: false,
            has_current: false,
            word: String::new(),
            pending: false,
            pairs: false,
            out,
            len: 0,
        }
    }

    fn read(&mut self, token: &Token) {
        // A joined token (`covid19` over `covid 19`) stands beside its parts, which pair.
        if token.position_length > 1 {
            return;
        }
        if !self.has_current || self.current.position != token.position {
            self.close_place();
            self.current.reset(token.position);
            self.has_current = true;
        }
        match strip_exact(&token.text) {
            Some(word) => {
                self.close_word();
                self.pending = true;
                self.pairs = pairs_word(word);
                if self.pairs {
                    self.word.clear();
                    self.word.push_str(word);
                }
            }
            None => {
                // The stem of the word just read.
                if self.pending && self.pairs {
                    self.current.add(&token.text);
                }
                self.pending = false;
            }
        }
    }

    /// The word read is its own stem when no stem followed it.
    fn close_word(&mut self) {
        if self.pending && self.pairs {
            self.current.add(&self.word);
        }
        self.pending = false;
    }

    fn close_place(&mut self) {
        if !self.has_current {
            return;
        }
        self.close_word();
        if self.has_previous && self.previous.position + 1 == self.current.position {
            for first in self.previous.stems() {
                for second in self.current.stems() {
                    if self.out.len() == self.len {
                        self.out.push(Token::default());
                    }
                    let token = &mut self.out[self.len];
                    token.text.clear();
                    write_pair(&mut token.text, first, second);
                    token.position = self.previous.position;
                    token.position_length = 1;
                    self.len += 1;
                }
            }
        }
        std::mem::swap(&mut self.previous, &mut self.current);
        self.has_previous = true;
        self.has_current = false;
    }

    /// Closes the last place; returns the tokens, the first of which are the pairs, and how
    /// many pairs there are.
    fn finish(mut self) -> (Vec<Token>, usize) {
        self.close_place();
        (self.out, self.len)
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

    /// The pairs of `text` read by the pairs field's analyzer alone.
    fn read_alone(text: &str) -> Vec<Token> {
        let mut pairing = Pairing::new(Vec::new());
        let mut body = crate::analysis::body_terms();
        let mut stream = body.token_stream(text);
        while stream.advance() {
            pairing.read(stream.token());
        }
        let (mut tokens, len) = pairing.finish();
        tokens.truncate(len);
        tokens
    }

    #[test]
    fn the_pairs_a_body_hands_over_are_those_of_its_text() {
        let texts = [
            "Seguro Social Campesino del Ecuador",
            "Total | Remuneraciones unificadas",
            "mora patronal",
            "años fiscales 2021",
            "red privada complementaria",
        ];
        // The body reads every text, then the pairs field takes them in another order, and a
        // text the body never read.
        let mut body = crate::analysis::index_body();
        for text in texts {
            all_tokens(&mut body, text);
        }
        let mut pairs = TextAnalyzer::from(PairTokenizer::default());
        for text in [
            texts[4],
            texts[1],
            texts[3],
            texts[2],
            texts[0],
            "seguro campesino",
        ] {
            let texts = |tokens: Vec<Token>| -> Vec<(String, usize)> {
                tokens.into_iter().map(|t| (t.text, t.position)).collect()
            };
            assert_eq!(
                texts(all_tokens(&mut pairs, text)),
                texts(read_alone(text)),
                "{text}"
            );
        }
        // Taken once: a second reading of the same text reads it again, to the same pairs.
        assert_eq!(all_tokens(&mut pairs, texts[2]).len(), 1);
    }

    #[test]
    fn a_text_reuses_the_tokens_of_the_one_before() {
        let mut analyzer = TextAnalyzer::from(PairTokenizer::default());
        assert_eq!(all_tokens(&mut analyzer, "mora patronal alta").len(), 2);
        assert_eq!(all_tokens(&mut analyzer, "mora patronal").len(), 1);
        assert_eq!(all_tokens(&mut analyzer, "").len(), 0);
    }
}
