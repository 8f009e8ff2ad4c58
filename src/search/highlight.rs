//! Highlighting: the words a query matched, marked in a passage's original text as HTML.
//!
//! tantivy finds the matched tokens (through the same analyzer, so folding, stems and numbers
//! count) and the best fragment; this module cuts the excerpt at word boundaries, keeps the
//! punctuation that closes it, adds `…` where text was left out, HTML-escapes everything and
//! puts `<mark>` around each match. Offsets come from the analyzer and slice the original text,
//! so the accents shown are the report's.

use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::Searcher;

use super::{escape_html, SearchError};

/// Marks the matches of one query.
pub struct Highlighter {
    generator: SnippetGenerator,
}

impl Highlighter {
    /// For `query` on `field`; excerpts hold about `max_bytes` of text around the matches.
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_bytes: usize,
    ) -> Result<Highlighter, SearchError> {
        let mut generator = SnippetGenerator::create(searcher, query, field)?;
        generator.set_max_num_chars(max_bytes);
        Ok(Highlighter { generator })
    }

    /// The excerpt of `text` around its matches; `None` when nothing in it matched.
    pub fn snippet(&self, text: &str) -> Option<String> {
        let (fragment, marks) = self.matches(text)?;
        let start = word_start(text, fragment.start);
        let end = word_end(text, fragment.end);
        let mut html = String::new();
        if start > 0 {
            html.push('…');
        }
        render(text, start..end, &marks, &mut html);
        if end < text.len() {
            html.push('…');
        }
        Some(html)
    }

    /// The whole of `text` with its matches marked, and whether there was any.
    pub fn whole(&self, text: &str) -> (String, bool) {
        let mut html = String::new();
        match self.matches(text) {
            Some((_, marks)) => {
                render(text, 0..text.len(), &marks, &mut html);
                (html, true)
            }
            None => {
                render(text, 0..text.len(), &[], &mut html);
                (html, false)
            }
        }
    }

    /// The best fragment and the matched ranges, in byte offsets of `text`.
    fn matches(&self, text: &str) -> Option<(Range<usize>, Vec<Range<usize>>)> {
        let snippet = self.generator.snippet(text);
        if snippet.highlighted().is_empty() {
            return None;
        }
        let fragment = snippet.fragment_range();
        let marks = snippet
            .highlighted()
            .iter()
            .map(|r| fragment.start + r.start..fragment.start + r.end)
            .collect();
        Some((fragment, marks))
    }
}

/// Appends `text[window]`, escaped, with `<mark>` around the parts of `marks` inside it.
fn render(text: &str, window: Range<usize>, marks: &[Range<usize>], out: &mut String) {
    let mut at = window.start;
    for m in marks {
        let (s, e) = (m.start.max(at), m.end.min(window.end));
        if s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&escape_html(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&escape_html(&text[at..window.end]));
}

/// Back to the start of the word holding byte `i`.
fn word_start(text: &str, i: usize) -> usize {
    text[..i.min(text.len())]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(j, c)| j + c.len_utf8())
}

/// On to the end of the word holding byte `i`, closing punctuation included.
fn word_end(text: &str, i: usize) -> usize {
    let i = i.min(text.len());
    text[i..]
        .char_indices()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(text.len(), |(j, _)| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_keep_closing_punctuation_and_escape_text() {
        let text = "Uno <b> dos mora patronal.";
        let m = text.find("mora").unwrap_or(0);
        let mut html = String::new();
        let mark = Range {
            start: m,
            end: m + 4,
        };
        render(text, 0..text.len(), std::slice::from_ref(&mark), &mut html);
        assert_eq!(html, "Uno &lt;b&gt; dos <mark>mora</mark> patronal.");
        assert_eq!(word_end(text, text.len() - 1), text.len());
        assert_eq!(word_start(text, m + 2), m);
    }
}
