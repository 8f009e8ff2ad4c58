//! The segmenter: text → word and number tokens, before any folding.
//!
//! It cuts words at anything that is not a letter, digit or combining mark, and reads numbers
//! whole with [`numbers::scan_number`], so `USD 4'803.665,69` gives one token `4803665.69`.
//! It never changes the text it points into: offsets always slice the original.
//!
//! Besides the plain tokens it adds, *at the same position*:
//! - the second reading of an ambiguous number (`1.199` → `1199` and `1.199`);
//! - the scaled value of `187 mil` / `550 millones` (`187000`), spanning the scale word;
//! - in report text ([`SpanishTokenizer::report`]), the whole amounts an amount with cents is
//!   cited as, its cents dropped (`4'803.665,69` → `4803665`, `4803666`): a query writes what
//!   it means, so its own numbers give none;
//! - the joined form of a hyphenated or mixed token (`COVID-19` → `COVID19`, then `COVID`, `19`),
//!   with `position_length` set to the number of positions it covers.
//!
//! Tokens keep their written case; the fold stage lowercases.

use std::ops::Range;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::numbers;
use super::text::is_word_char;

/// Tokens longer than this many bytes (hashes in URLs, junk) are dropped; their position is kept.
const MAX_TOKEN_BYTES: usize = 48;

/// Hyphenated chains longer than this are not joined (`a-b-c-d-e`).
const MAX_JOINED_PARTS: usize = 4;

/// Splits Spanish report text into words and whole numbers. See the module docs.
///
/// Keeps its tokens between texts and reuses their strings, so tokenizing allocates nothing
/// once warm. The default reads a query; [`SpanishTokenizer::report`], a report's text.
#[derive(Clone, Default)]
pub struct SpanishTokenizer {
    tokens: Vec<Token>,
    /// Whether amounts with cents also give their whole amounts (report text).
    whole_amounts: bool,
}

impl SpanishTokenizer {
    /// The tokenizer of a report's text: an amount with cents also gives the whole amounts it
    /// is cited as (`numbers::whole_amounts`), at its position.
    pub fn report() -> SpanishTokenizer {
        SpanishTokenizer {
            tokens: Vec::new(),
            whole_amounts: true,
        }
    }
}

impl Tokenizer for SpanishTokenizer {
    type TokenStream<'a> = TokenSlice<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenSlice<'a> {
        let used = segment_into(text, &mut self.tokens, self.whole_amounts);
        TokenSlice::new(&mut self.tokens[..used])
    }
}

/// The stream over tokens already made (by [`segment`], or the pairs of `analysis::pairs`).
pub struct TokenSlice<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl<'a> TokenSlice<'a> {
    /// The stream of `tokens`, in order.
    pub fn new(tokens: &'a mut [Token]) -> TokenSlice<'a> {
        TokenSlice { tokens, next: 0 }
    }
}

impl TokenStream for TokenSlice<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.next.saturating_sub(1);
        &mut self.tokens[i]
    }
}

/// Appends the tokens of `text`, read as a query, to `out`. Positions start at 0.
pub fn segment(text: &str, out: &mut Vec<Token>) {
    let mut pool = Vec::new();
    let used = segment_into(text, &mut pool, false);
    pool.truncate(used);
    out.append(&mut pool);
}

/// Writes the tokens of `text` into `pool` from its start, reusing the tokens already there;
/// returns how many it wrote. With `whole_amounts`, as report text.
fn segment_into(text: &str, pool: &mut Vec<Token>, whole_amounts: bool) -> usize {
    let mut s = Segmenter::new(text, Pool { out: pool, used: 0 }, true);
    s.whole_amounts = whole_amounts;
    s.run();
    s.sink.used
}

/// Calls `each` with the text and byte range of every token of `text` that `wanted` accepts,
/// in the segmenter's order; a token not wanted is not copied. With `numbers` false, no token
/// that starts with a digit is asked for: numbers are passed over unread, and every token
/// that starts otherwise is the same as with `numbers` true (a number glued to a letter or a
/// hyphen is read as always, as it may start a word). What the highlighter needs of a
/// passage: reading its numbers took about a quarter of segmenting it. `text` is read as a
/// report's ([`SpanishTokenizer::report`]).
pub fn visit(
    text: &str,
    numbers: bool,
    wanted: impl FnMut(&str) -> bool,
    each: impl FnMut(&str, Range<usize>),
) {
    let mut s = Segmenter::new(text, Visit { wanted, each }, numbers);
    s.whole_amounts = true;
    s.run();
}

/// Where the segmenter puts the tokens it cuts.
trait Sink {
    fn put(&mut self, text: &str, from: usize, to: usize, position: usize, length: usize);
}

/// Tokens written into a pool from its start, reusing those already there.
struct Pool<'o> {
    out: &'o mut Vec<Token>,
    /// Tokens of `out` written for this text.
    used: usize,
}

impl Sink for Pool<'_> {
    fn put(&mut self, text: &str, from: usize, to: usize, position: usize, length: usize) {
        if self.used == self.out.len() {
            self.out.push(Token::default());
        }
        let token = &mut self.out[self.used];
        token.offset_from = from;
        token.offset_to = to;
        token.position = position;
        token.position_length = length;
        token.text.clear();
        token.text.push_str(text);
        self.used += 1;
    }
}

/// Tokens handed to `each` as they are cut, those `wanted` accepts.
struct Visit<W, E> {
    wanted: W,
    each: E,
}

impl<W: FnMut(&str) -> bool, E: FnMut(&str, Range<usize>)> Sink for Visit<W, E> {
    fn put(&mut self, text: &str, from: usize, to: usize, _: usize, _: usize) {
        if (self.wanted)(text) {
            (self.each)(text, from..to);
        }
    }
}

struct Segmenter<'t, S> {
    text: &'t str,
    sink: S,
    /// Whether numbers are read; see [`visit`].
    numbers: bool,
    /// Whether an amount with cents also gives its whole amounts (report text).
    whole_amounts: bool,
    position: usize,
    /// End of the last hyphenated chain already joined, so its later parts don't join again.
    joined_until: usize,
}

impl<'t, S: Sink> Segmenter<'t, S> {
    fn new(text: &'t str, sink: S, numbers: bool) -> Self {
        Segmenter {
            text,
            sink,
            numbers,
            whole_amounts: false,
            position: 0,
            joined_until: 0,
        }
    }

    fn run(&mut self) {
        let bytes = self.text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // ASCII, most of the text, without decoding a character.
            let b = bytes[i];
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
            } else {
                let Some(c) = self.text[i..].chars().next() else {
                    break;
                };
                if !is_word_char(c) {
                    i += c.len_utf8();
                    continue;
                }
            }
            if b.is_ascii_digit() {
                if !self.numbers {
                    // Digit groups and their separators make no token that starts otherwise,
                    // unless a letter or a hyphen follows them.
                    let end = numbers::digits_and_separators_end(self.text, i);
                    let after = self.text[end..].chars().next();
                    if !after.is_some_and(|c| is_word_char(c) || is_hyphen(c)) {
                        i = end;
                        continue;
                    }
                }
                if let Some(end) = self.number(i) {
                    i = end;
                    continue;
                }
            } else if bytes.get(i + 3).is_some_and(u8::is_ascii_digit)
                && numbers::usd_at(self.text, i)
            {
                // `USD1.234`: the currency, then the number.
                self.word(i, i + 3);
                i += 3;
                continue;
            }
            let end = self.word_end(i);
            if i >= self.joined_until {
                self.join_hyphenated(i, end);
            }
            self.word(i, end);
            i = end;
        }
    }

    /// Emits the number starting at `start`, if one stands there and is not glued to letters
    /// (`4x4`, `2do` are words). Returns where it ends.
    fn number(&mut self, start: usize) -> Option<usize> {
        let number = numbers::scan_number(self.text, start)?;
        let glued_usd = numbers::usd_ends_at(self.text, number.end);
        let scale = numbers::amount_scale_after(self.text, start, number.end);
        if number.end <= start || self.letter_at(number.end) && !glued_usd && scale.is_none() {
            return None;
        }
        for reading in &number.readings {
            self.push(&reading.canonical, start, number.end, 1);
        }
        if self.whole_amounts {
            for reading in &number.readings {
                for whole in numbers::whole_amounts(reading.value) {
                    self.push(&numbers::canonical(whole), start, number.end, 1);
                }
            }
        }
        if let Some(scale) = scale {
            for factor in std::iter::once(scale.factor).chain(scale.alt_factor) {
                for reading in &number.readings {
                    let scaled = numbers::canonical(numbers::scaled(reading.value, factor));
                    // Spans the scale word: `187 mil` is marked whole in snippets.
                    self.push(&scaled, start, scale.end, 2);
                }
            }
        }
        self.position += 1;
        Some(number.end)
    }

    /// Emits a word run; a run mixing letters and digits (`COVID19`) gives the joined token and
    /// then its letter and digit parts.
    fn word(&mut self, start: usize, end: usize) {
        let run = &self.text[start..end];
        // Most runs hold no digit: their letters are not looked at.
        let mixed = run.bytes().any(|b| b.is_ascii_digit()) && run.chars().any(char::is_alphabetic);
        if !mixed {
            self.push(run, start, end, 1);
            self.position += 1;
            return;
        }
        let parts = split_letters_digits(run);
        self.push(run, start, end, parts.len());
        for (from, to) in parts {
            self.push(&run[from..to], start + from, start + to, 1);
            self.position += 1;
        }
    }

    /// Before the first part of `w1-w2[-w3…]`, emits `w1w2…` spanning the chain, when one part
    /// has a letter (`COVID-19`, `socio-económico`; not `2018-2028`).
    fn join_hyphenated(&mut self, start: usize, first_end: usize) {
        // Nearly every word: no hyphen after it, nothing to join (and nothing to allocate).
        if !self.text[first_end..].starts_with(is_hyphen) {
            return;
        }
        let mut parts = vec![(start, first_end)];
        let mut end = first_end;
        while parts.len() < MAX_JOINED_PARTS + 1 {
            let Some(h) = self.text[end..].chars().next() else {
                break;
            };
            if !is_hyphen(h) {
                break;
            }
            let next = end + h.len_utf8();
            match self.text[next..].chars().next() {
                Some(c) if is_word_char(c) => {
                    let next_end = self.word_end(next);
                    parts.push((next, next_end));
                    end = next_end;
                }
                _ => break,
            }
        }
        if parts.len() < 2 || parts.len() > MAX_JOINED_PARTS {
            return;
        }
        let any_letter = parts
            .iter()
            .any(|&(s, e)| self.text[s..e].chars().any(char::is_alphabetic));
        if !any_letter {
            return;
        }
        let joined: String = parts.iter().map(|&(s, e)| &self.text[s..e]).collect();
        let covered = parts
            .iter()
            .map(|&(s, e)| split_letters_digits(&self.text[s..e]).len().max(1))
            .sum();
        self.push(&joined, start, end, covered);
        self.joined_until = end;
    }

    fn word_end(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            // ASCII without decoding a character; `start` and every step land on a boundary.
            let len = if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    return i;
                }
                1
            } else {
                match self.text[i..].chars().next() {
                    Some(c) if is_word_char(c) => c.len_utf8(),
                    _ => return i,
                }
            };
            i += len;
        }
        bytes.len()
    }

    fn letter_at(&self, at: usize) -> bool {
        self.text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_alphabetic)
    }

    fn push(&mut self, text: &str, from: usize, to: usize, position_length: usize) {
        if text.len() > MAX_TOKEN_BYTES {
            return;
        }
        self.sink
            .put(text, from, to, self.position, position_length);
    }
}

/// Whether `c` joins the parts of a hyphenated chain.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Byte ranges of the letter and digit parts of a mixed run: `COVID19` → `COVID`, `19`.
/// A run without both gives itself whole.
fn split_letters_digits(run: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut prev_digit: Option<bool> = None;
    for (i, c) in run.char_indices() {
        if !c.is_alphanumeric() {
            // A combining mark belongs to the letter before it.
            continue;
        }
        let digit = c.is_ascii_digit();
        if let Some(p) = prev_digit {
            if p != digit {
                parts.push((start, i));
                start = i;
            }
        }
        prev_digit = Some(digit);
    }
    parts.push((start, run.len()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::token_texts;

    fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        segment(text, &mut out);
        out
    }

    /// The tokens of `text` read as a report's.
    fn report_tokens(text: &str) -> Vec<Token> {
        let mut report = SpanishTokenizer::report();
        let mut stream = report.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    #[test]
    fn words_keep_their_case_and_offsets() {
        let t = tokens("Rendición de Cuentas");
        assert_eq!(token_texts(&t), ["Rendición", "de", "Cuentas"]);
        assert_eq!((t[0].offset_from, t[0].offset_to), (0, 10));
        assert_eq!(t[2].position, 2);
    }

    #[test]
    fn decomposed_accents_do_not_split_a_word() {
        let t = tokens("Rendicio\u{301}n");
        assert_eq!(
            t.len(),
            1,
            "a combining mark must stay inside its word: {t:?}"
        );
    }

    #[test]
    fn a_money_amount_is_one_canonical_token() {
        let t = tokens("recaudado de USD 4'803.665,69.");
        assert_eq!(token_texts(&t), ["recaudado", "de", "USD", "4803665.69"]);
        let n = &t[3];
        assert_eq!(
            &"recaudado de USD 4'803.665,69."[n.offset_from..n.offset_to],
            "4'803.665,69"
        );
    }

    #[test]
    fn report_text_gives_an_amount_with_cents_its_whole_amounts_too() {
        let text = "recaudado USD 4'803.665,69 y 1.193,20";
        let t = report_tokens(text);
        assert_eq!(
            token_texts(&t),
            [
                "recaudado",
                "USD",
                "4803665.69",
                "4803665",
                "4803666",
                "y",
                "1193.2",
                "1193"
            ]
        );
        for whole in [&t[3], &t[4]] {
            assert_eq!((whole.position, whole.position_length), (2, 1));
            assert_eq!(&text[whole.offset_from..whole.offset_to], "4'803.665,69");
        }
        assert_eq!(t[5].position, 3);
        // A query says what it means: its own amount with cents gives no other.
        assert_eq!(
            token_texts(&tokens(text)),
            ["recaudado", "USD", "4803665.69", "y", "1193.2"]
        );
    }

    #[test]
    fn an_ambiguous_number_gives_both_readings_at_one_position() {
        let t = tokens("1.199 avisos");
        assert_eq!(token_texts(&t), ["1199", "1.199", "avisos"]);
        assert_eq!(t[0].position, t[1].position);
        assert_eq!(t[2].position, 1);
    }

    #[test]
    fn a_scale_word_adds_the_scaled_value_spanning_it() {
        let text = "187 mil atenciones";
        let t = tokens(text);
        assert_eq!(token_texts(&t), ["187", "187000", "mil", "atenciones"]);
        assert_eq!(&text[t[1].offset_from..t[1].offset_to], "187 mil");
        assert_eq!(t[1].position, 0);
        assert_eq!(t[2].position, 1);
    }

    #[test]
    fn an_abbreviated_scale_after_a_currency_adds_its_readings() {
        let text = "$1.5M y US$ 250K";
        let t = tokens(text);
        assert_eq!(
            token_texts(&t),
            ["1.5", "1500000", "1500", "M", "y", "US", "250", "250000", "K"]
        );
        assert_eq!(&text[t[1].offset_from..t[1].offset_to], "1.5M");
        assert_eq!((t[1].position, t[2].position, t[3].position), (0, 0, 1));
        // Without a currency the letters make a word of the number.
        assert_eq!(token_texts(&tokens("3M")), ["3M", "3", "M"]);
    }

    #[test]
    fn usd_glued_to_a_number_is_the_currency_and_the_number() {
        // `1.234` alone keeps both readings.
        assert_eq!(
            token_texts(&tokens("USD1.234 y 1.234,56USD")),
            ["USD", "1234", "1.234", "y", "1234.56", "USD"]
        );
        // Other letters glued to a number still make a word of it.
        assert_eq!(
            token_texts(&tokens("USDA1 12abc")),
            ["USDA1", "USDA", "1", "12abc", "12", "abc"]
        );
    }

    #[test]
    fn hyphenated_and_mixed_tokens_are_joined_and_split() {
        let t = tokens("COVID-19 y COVID19");
        assert_eq!(
            token_texts(&t),
            ["COVID19", "COVID", "19", "y", "COVID19", "COVID", "19"]
        );
        assert_eq!(t[0].position, 0);
        assert_eq!(t[0].position_length, 2);
        assert_eq!(t[2].position, 1);
        assert_eq!(t[3].position, 2);
        assert_eq!(t[4].position, 3);
        assert_eq!(t[6].position, 4);
    }

    #[test]
    fn a_year_range_is_not_joined() {
        let t = tokens("plan 2018-2028");
        assert_eq!(token_texts(&t), ["plan", "2018", "2028"]);
    }

    #[test]
    fn percentages_lose_the_sign_and_keep_the_number() {
        assert_eq!(token_texts(&tokens("132.76 %")), ["132.76"]);
        assert_eq!(token_texts(&tokens("132,76%")), ["132.76"]);
    }

    /// Every token `visit` gives of `text`, with its range.
    fn visited(text: &str, numbers: bool) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        visit(
            text,
            numbers,
            |_| true,
            |t, at| out.push((t.to_string(), at)),
        );
        out
    }

    #[test]
    fn visiting_gives_the_tokens_and_skips_those_not_wanted() {
        // As a report's text: the highlighter reads passages.
        let text = "COVID-19: USD 4'803.665,69 y 187 mil atenciones";
        let all: Vec<_> = report_tokens(text)
            .into_iter()
            .map(|t| (t.text, t.offset_from..t.offset_to))
            .collect();
        assert_eq!(visited(text, true), all);
        let mut some = Vec::new();
        visit(
            text,
            true,
            |t| t.starts_with('a'),
            |t, _| some.push(t.to_string()),
        );
        assert_eq!(some, ["atenciones"]);
        // Without numbers: the words alone, but a number glued to letters is still a word.
        let words: Vec<_> = visited("USD 4'803.665,69 y 187 mil; 2do 3M 12-abc", false)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            words,
            ["USD", "y", "mil", "2do", "2", "do", "3M", "3", "M", "12", "abc"]
        );
    }

    proptest::proptest! {
        /// Without numbers, the tokens that do not start with a digit are those of the whole
        /// segmenter, at the same ranges and in the same order.
        #[test]
        fn without_numbers_every_token_not_starting_with_a_digit_is_kept(
            text in "([0-9]{1,4}|[.,' \u{a0}\\-\u{2010}$%]|USD|US|mil|millones|M|K|x|do|COVID|á|\u{301}|ñ){0,24}",
        ) {
            let starts_otherwise = |(t, _): &(String, Range<usize>)| {
                !t.starts_with(|c: char| c.is_ascii_digit())
            };
            let all: Vec<_> = visited(&text, true).into_iter().filter(starts_otherwise).collect();
            let words: Vec<_> = visited(&text, false).into_iter().filter(starts_otherwise).collect();
            proptest::prop_assert_eq!(words, all);
        }

        /// A word ends where `is_word_char` first fails, whether its characters are read a
        /// byte at a time (ASCII) or decoded.
        #[test]
        fn a_word_ends_at_the_first_character_that_is_not_a_word_s(
            text in "[a-zA-Z0-9 .,\\-ñáÉü\u{303}×÷\u{a0}\u{2010}日本€]{0,40}",
        ) {
            let mut pool = Vec::new();
            let s = Segmenter::new(&text, Pool { out: &mut pool, used: 0 }, true);
            for (start, _) in text.char_indices() {
                let expected = text[start..]
                    .char_indices()
                    .find(|&(_, c)| !is_word_char(c))
                    .map_or(text.len(), |(i, _)| start + i);
                proptest::prop_assert_eq!(s.word_end(start), expected);
            }
        }
    }
}
