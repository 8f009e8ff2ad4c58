//! Decoding text files: UTF-8 (with or without a byte-order mark), UTF-16 with a mark, and
//! Windows-1252 for old Windows exports, told apart by whether the bytes are valid UTF-8.
//! UTF-8 text that was decoded as Windows-1252 once too often (`AtenciÃ³n`) is mended.

use std::sync::OnceLock;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::{Deserialize, Serialize};

use super::IngestError;

/// How a file's bytes were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-8 whose characters had been double-encoded (mojibake), mended.
    Utf8Mended,
    /// UTF-16 (little or big endian), told by its byte-order mark.
    Utf16,
    /// Windows-1252 (Latin-1 superset), when the bytes are not valid UTF-8.
    Windows1252,
    /// Text extracted from a PDF.
    Pdf,
    /// Text read from an image by OCR.
    Ocr,
}

/// Share of control or replacement characters above which bytes are not text.
const MAX_JUNK_SHARE: f64 = 0.02;

/// Decodes the bytes of a text file.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), IngestError> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok((
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            Encoding::Utf16,
        ));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok((
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            Encoding::Utf16,
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(IngestError::Binary("binary content (NUL bytes)"));
    }
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(s) => match mend_mojibake(s) {
            Some(mended) => (mended, Encoding::Utf8Mended),
            None => (s.to_string(), Encoding::Utf8),
        },
        Err(_) => (
            WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Encoding::Windows1252,
        ),
    };
    if junk_share(&text) > MAX_JUNK_SHARE {
        return Err(IngestError::Binary("binary content (control characters)"));
    }
    if !reads_as_words(&text) {
        return Err(IngestError::Binary(
            "no words in any accepted encoding (binary content)",
        ));
    }
    Ok((text, encoding))
}

/// Whether text reads as words: in its first 64 KB, nearly every character is a letter, a
/// digit, a blank or a mark that prose and tables use. Random bytes decoded as Windows-1252
/// are half symbols.
fn reads_as_words(text: &str) -> bool {
    static ASCII: OnceLock<[bool; 128]> = OnceLock::new();
    const LIMIT: usize = 64 << 10;
    let ascii =
        ASCII.get_or_init(|| std::array::from_fn(|b| reads_as_word_char(char::from(b as u8))));
    // No more characters than bytes: a text this short is read whole.
    let scope = if text.len() <= LIMIT {
        text
    } else {
        &text[..text
            .char_indices()
            .nth(LIMIT)
            .map_or(text.len(), |(i, _)| i)]
    };
    let (mut good, mut all) = (0usize, 0usize);
    for (i, &b) in scope.as_bytes().iter().enumerate() {
        if b < 0x80 {
            all += 1;
            good += usize::from(ascii[usize::from(b)]);
        } else if b & 0xC0 != 0x80 {
            all += 1;
            let c = scope[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            good += usize::from(reads_as_word_char(c));
        }
    }
    all == 0 || good * 100 >= all * 90
}

/// A letter, a digit, a blank or a mark that prose and tables use.
fn reads_as_word_char(c: char) -> bool {
    // The accented letters of Spanish first, without a table lookup.
    if ('\u{c0}'..='\u{ff}').contains(&c) {
        return c != '×' && c != '÷';
    }
    c.is_alphanumeric()
        || c.is_whitespace()
        || matches!(
            c,
            '.' | ','
                | ';'
                | ':'
                | '!'
                | '?'
                | '¡'
                | '¿'
                | '('
                | ')'
                | '['
                | ']'
                | '"'
                | '\''
                | '«'
                | '»'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '-'
                | '–'
                | '—'
                | '/'
                | '%'
                | '$'
                | '°'
                | '#'
                | '&'
                | '*'
                | '+'
                | '='
                | '@'
                | '_'
                | '|'
                | '•'
                | '…'
                | '´'
                | '<'
                | '>'
        )
}

/// Share of characters that no text file holds: controls other than whitespace, replacement
/// and private-use characters.
fn junk_share(text: &str) -> f64 {
    // Read without decoding: a character starts at every byte but UTF-8's continuation bytes,
    // and a junk character is told by its first bytes.
    const ASCII_JUNK: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0;
        while b < 0x20 {
            table[b] = !matches!(b, 0x09 | 0x0a | 0x0c | 0x0d) as u8;
            b += 1;
        }
        table[0x7f] = 1;
        table
    };
    let bytes = text.as_bytes();
    let (mut junk, mut all) = (0usize, 0usize);
    for &b in bytes {
        all += usize::from(b & 0xC0 != 0x80);
        junk += usize::from(ASCII_JUNK[usize::from(b)]);
    }
    for i in memchr::memchr3_iter(0xC2, 0xEE, 0xEF, bytes) {
        let bad = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            // U+0080 to U+009F: C2 80 to C2 9F.
            (0xC2, Some(0x80..=0x9f), _) => true,
            // Private use U+E000 to U+EFFF.
            (0xEE, ..) => true,
            // Private use U+F000 to U+F8FF (EF 80 to EF A3), and U+FFFD (EF BF BD).
            (0xEF, Some(0x80..=0xa3), _) | (0xEF, Some(0xbf), Some(0xbd)) => true,
            _ => false,
        };
        junk += usize::from(bad);
    }
    if all == 0 {
        0.0
    } else {
        junk as f64 / all as f64
    }
}

/// `AtenciÃ³n` → `Atención`: text that was UTF-8, read as Windows-1252 and saved as UTF-8.
/// Mended only when the whole text maps back to Windows-1252 bytes that are valid UTF-8.
fn mend_mojibake(s: &str) -> Option<String> {
    let suspicious = mojibake_marks(s);
    if suspicious == 0 {
        return None;
    }
    let (bytes, _, unmappable) = WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    let mended = String::from_utf8(bytes.into_owned()).ok()?;
    (mojibake_marks(&mended) < suspicious).then_some(mended)
}

/// How many `Ã` and `Â` `s` holds (C3 83 and C3 82 in UTF-8), counted over the bytes.
fn mojibake_marks(s: &str) -> usize {
    let bytes = s.as_bytes();
    memchr::memchr_iter(0xC3, bytes)
        .filter(|&i| matches!(bytes.get(i + 1), Some(0x82 | 0x83)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn mojibake_marks_are_counted_as_characters(text in "[aÃÂ\u{c3}é\u{83}x]{0,40}") {
            prop_assert_eq!(mojibake_marks(&text), text.matches(['Ã', 'Â']).count());
        }

        #[test]
        fn words_are_told_from_symbols_a_character_at_a_time(text in "[a-z .,\u{b}\u{0}#~^¿ñ€\u{2022}]{0,50}|\\PC{0,30}") {
            let chars = text.chars().count();
            let good = text.chars().filter(|&c| reads_as_word_char(c)).count();
            prop_assert_eq!(reads_as_words(&text), chars == 0 || good * 100 >= chars * 90);
        }

        #[test]
        fn junk_is_counted_a_character_at_a_time(text in "[a-z \r\n\t\u{0}\u{1}\u{b}\u{e}\u{1f}\u{7f}\u{c}\u{80}\u{85}\u{9f}\u{a0}\u{bd}\u{fffd}\u{fffc}\u{fffe}\u{ffbd}\u{e000}\u{efff}\u{f000}\u{f8ff}\u{f900}é€]{0,50}") {
            let chars = text.chars().count();
            let junk = text
                .chars()
                .filter(|&c| {
                    (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
                        || c == '\u{fffd}'
                        || ('\u{e000}'..='\u{f8ff}').contains(&c)
                })
                .count();
            let expected = if chars == 0 { 0.0 } else { junk as f64 / chars as f64 };
            prop_assert_eq!(junk_share(&text), expected);
        }
    }

    #[test]
    fn only_the_first_64k_characters_are_read_for_words() {
        // Two-byte letters, so that characters and bytes part ways.
        let words = "ñandú ".repeat(70_000 / 6);
        let symbols = "#~^".repeat(70_000 / 3);
        assert!(reads_as_words(&format!("{words}{symbols}")));
        assert!(!reads_as_words(&format!("{symbols}{words}")));
        // 64K characters, not bytes: the first 65,536 characters hold 25,536 symbols.
        let half = format!("{}{}", "é".repeat(40_000), "~".repeat(30_000));
        assert!(!reads_as_words(&half));
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("Manabí".as_bytes()).expect("utf-8").0, "Manabí");
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), "año".as_bytes()].concat();
        assert_eq!(decode(&with_bom).expect("bom").0, "año");
    }

    #[test]
    fn windows_1252_is_detected_without_mojibake() {
        let (text, enc) =
            decode(b"Rendici\xF3n de Cuentas \x93Bol\xEDvar\x94 a\xF1o").expect("cp1252");
        assert_eq!(text, "Rendición de Cuentas “Bolívar” año");
        assert_eq!(enc, Encoding::Windows1252);
    }

    #[test]
    fn utf16_with_a_mark() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Políticas".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).expect("utf-16").0, "Políticas");
    }

    #[test]
    fn double_encoded_text_is_mended() {
        let (text, enc) = decode("AtenciÃ³n en ManabÃ\u{ad}".as_bytes()).expect("mends");
        assert_eq!(
            (text.as_str(), enc),
            ("Atención en Manabí", Encoding::Utf8Mended)
        );
        // A real `Ã` in good text stays.
        assert_eq!(
            decode("São Paulo Ã".as_bytes()).expect("keeps").0,
            "São Paulo Ã"
        );
    }

    #[test]
    fn random_bytes_without_controls_are_not_a_report() {
        // Printable bytes, ASCII symbols and Latin-1: valid Windows-1252, but no words.
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| {
                let r = (i.wrapping_mul(2_654_435_761) >> 13) % 0x70;
                if r < 0x10 {
                    0x21 + r as u8
                } else {
                    0xa0 + (r - 0x10) as u8
                }
            })
            .collect();
        let err = decode(&junk).expect_err("junk");
        assert!(err.to_string().contains("no words"), "{err}");
        assert!(decode("Presupuesto: 1.250.000,00 | 85,5 %".as_bytes()).is_ok());
    }

    #[test]
    fn binary_junk_is_refused() {
        assert!(decode(b"\x00\x01\x02PK").is_err());
        let junk: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8 | 1).collect();
        assert!(decode(&junk).is_err());
    }
}
