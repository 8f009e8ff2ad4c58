//! The query language: what a search box's text says (words, phrases, exclusions, `OR`), read
//! into [`Item`]s and written back. Parsing never fails on odd input except for an unclosed
//! quote or an overlong query, which get a message.

use crate::analysis::text::{join_of, Join};
use crate::search::SearchError;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// One item of a parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Free text (one or more words); analyzed as a whole so `4 803 665` stays one number.
    Words(String),
    /// A quoted phrase.
    Phrase(String),
    /// `-word` or `-"phrase"`.
    Not(Box<Item>),
    /// The `OR` operator between the items around it.
    Or,
}

/// Splits a query into items. The only error is an unclosed quote.
pub fn parse(query: &str) -> Result<Vec<Item>, SearchError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::BadQuery(format!(
            "the query is longer than {MAX_QUERY_CHARS} characters: shorten it"
        )));
    }
    let mut items = Vec::new();
    let mut words = String::new();
    let mut chars = query.chars().peekable();
    let flush = |words: &mut String, items: &mut Vec<Item>| {
        if !words.trim().is_empty() {
            items.push(Item::Words(words.trim().to_string()));
        }
        words.clear();
    };
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            if !words.ends_with(' ') {
                words.push(' ');
            }
            chars.next();
            continue;
        }
        // The start of a bare token: read it whole.
        let negated = c == '-' && words_boundary(&words);
        if negated {
            chars.next();
            if chars.peek().is_none_or(|c| c.is_whitespace()) {
                continue; // a lone `-` means nothing
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            if !closed {
                return Err(SearchError::BadQuery(
                    "unbalanced quote in the query: close the phrase with \" or remove the quote"
                        .into(),
                ));
            }
            flush(&mut words, &mut items);
            let item = Item::Phrase(phrase.trim().to_string());
            items.push(if negated {
                Item::Not(Box::new(item))
            } else {
                item
            });
            continue;
        }
        let mut token = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            token.push(c);
            chars.next();
        }
        if token == "OR" || token == "||" {
            flush(&mut words, &mut items);
            items.push(Item::Or);
        } else if negated {
            flush(&mut words, &mut items);
            items.push(Item::Not(Box::new(Item::Words(token))));
        } else if let Some(rest) = token.strip_prefix('+') {
            // `+word` is the word (every word is required anyway). What follows the sign is never
            // an operator, so that the query prints back as the same items.
            let word = match rest.trim_start_matches(['+', '-']) {
                "OR" => "or",
                "||" => "",
                word => word,
            };
            // And it is mended with a word a line's end broke before it, as the word alone is.
            if !word.is_empty() {
                mend_break(&mut words, word);
            }
            words.push_str(word);
        } else {
            mend_break(&mut words, &token);
            words.push_str(&token);
        }
    }
    flush(&mut words, &mut items);
    Ok(items)
}

/// Mends the words `words` ends with and the next `token` where they are a word a line's end
/// broke, pasted from a report with the break (`afili- ación`, `Modifica ciones`, `2021-
/// 2025`), as the reports' own lines are joined ([`join_of`]).
fn mend_break(words: &mut String, token: &str) {
    if !words.ends_with(' ') {
        return;
    }
    let before = words.trim_end();
    match join_of(before, token) {
        Join::Unhyphenated => words.truncate(before.len() - 1),
        Join::Glued => words.truncate(before.len()),
        Join::Space => {}
    }
}

/// Writes `items` back as query text that [`parse`] reads as the same items.
pub fn print(items: &[Item]) -> String {
    fn one(item: &Item, out: &mut String) {
        match item {
            Item::Words(w) => out.push_str(w),
            Item::Phrase(p) => {
                out.push('"');
                out.push_str(p);
                out.push('"');
            }
            Item::Not(inner) => {
                out.push('-');
                one(inner, out);
            }
            Item::Or => out.push_str("OR"),
        }
    }
    let mut out = String::new();
    for item in items {
        // A quote ends a phrase and starts one: no space is needed on either side of it, and
        // leaving it out keeps the printed query no longer than the one typed (its limit).
        let quoted = matches!(item, Item::Phrase(_));
        if !out.is_empty() && !quoted && !out.ends_with('"') {
            out.push(' ');
        }
        one(item, &mut out);
    }
    out
}

fn words_boundary(words: &str) -> bool {
    words.is_empty() || words.ends_with(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Item {
        Item::Words(s.into())
    }

    #[test]
    fn a_signed_word_mends_a_broken_word_before_it_as_the_word_alone() {
        assert_eq!(
            parse("a-\t+mora-").expect("ok"),
            parse("a- mora-").expect("ok")
        );
        assert_eq!(parse("afili- +ación").expect("ok"), [words("afiliación")]);
    }

    #[test]
    fn a_word_a_line_broke_is_mended_as_pasted() {
        assert_eq!(
            parse("afili- ación voluntaria").expect("ok"),
            [words("afiliación voluntaria")]
        );
        assert_eq!(
            parse("recau- dación  2021- 2025 Modifica ciones").expect("ok"),
            [words("recaudación 2021-2025 Modificaciones")]
        );
        // An exclusion, a capital or a number stay apart.
        assert_eq!(
            parse("mora -patronal").expect("ok"),
            [words("mora"), Item::Not(Box::new(words("patronal")))]
        );
        for q in ["e- SIGEF", "covid- 19", "pre- Y"] {
            assert_eq!(parse(q).expect("ok"), [words(q)], "{q}");
        }
    }

    #[test]
    fn plain_words_stay_one_run() {
        assert_eq!(
            parse("mora  patronal").expect("ok"),
            [words("mora patronal")]
        );
        assert_eq!(
            parse("USD 4 803 665,69").expect("ok"),
            [words("USD 4 803 665,69")]
        );
    }

    #[test]
    fn phrases_exclusions_and_or_are_items() {
        assert_eq!(
            parse("\"muerte materna\" -covid salud OR seguro").expect("ok"),
            [
                Item::Phrase("muerte materna".into()),
                Item::Not(Box::new(words("covid"))),
                words("salud"),
                Item::Or,
                words("seguro"),
            ]
        );
        assert_eq!(
            parse("-\"adulto mayor\"").expect("ok"),
            [Item::Not(Box::new(Item::Phrase("adulto mayor".into())))]
        );
    }

    #[test]
    fn a_hyphen_inside_a_word_is_not_an_exclusion() {
        assert_eq!(parse("COVID-19").expect("ok"), [words("COVID-19")]);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_that_says_how_to_fix_it() {
        let err = parse("\"rendicion de").expect_err("must fail");
        assert!(err.to_string().contains("quote"), "{err}");
    }

    #[test]
    fn odd_input_parses_without_error() {
        for q in [
            "rendicion AND (",
            "nofield:x",
            "+",
            "-",
            "&&",
            "*",
            "a OR",
            "OR b",
            "((",
            "año:2021",
        ] {
            assert!(parse(q).is_ok(), "{q} must parse leniently");
        }
    }

    #[test]
    fn a_plus_sign_never_turns_what_follows_into_an_operator() {
        // Found by the property test of issue 11: `+-` printed back as `-`, which parses to
        // nothing.
        for q in ["+-", "+-x", "+OR", "+||", "a +-b OR c", "-\"a b\" +x"] {
            let items = parse(q).expect("parses");
            assert_eq!(parse(&print(&items)).ok(), Some(items), "{q}");
        }
        assert_eq!(parse("+OR").ok(), Some(vec![Item::Words("or".into())]));
    }

    #[test]
    fn a_query_at_the_length_limit_prints_back_within_it() {
        // Found by fuzzing (issue 11): 500 empty phrases side by side printed with a space
        // between each, over the 1000-character limit, and no longer parsed.
        for q in [
            "\"\"".repeat(MAX_QUERY_CHARS / 2),
            format!("a{}", "\"b\"".repeat(333)),
            format!("{}-x", "\"b\"".repeat(332)),
        ] {
            let items = parse(&q).expect("within the limit");
            let printed = print(&items);
            assert!(printed.chars().count() <= q.chars().count(), "{printed}");
            assert_eq!(parse(&printed).ok(), Some(items));
        }
    }

    #[test]
    fn an_overlong_query_is_refused() {
        let q = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(parse(&q).is_err());
    }
}
