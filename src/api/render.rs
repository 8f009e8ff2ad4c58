//! The JSON the page and portals read: the core's answers with their highlighted text rendered
//! as HTML. The core gives text and byte ranges; here they become a `snippet` (hits) or `html`
//! (report passages): every character escaped, `<mark>` around each match, `…` where text was
//! left out. `cuentas search --json` prints the same JSON.

use std::ops::Range;

use axum::body::Bytes;
use serde::Serialize;
use utoipa::ToSchema;

use crate::search::highlight::{pieces, Piece};
use crate::search::{Facets, Hit, PassageView, ReportDetail, ReportSummary, Response};

/// One page of hits, the total and facet counts over every match.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Response)]
pub struct SearchJson {
    /// The query as typed (trimmed).
    pub query: String,
    /// Set when the query found nothing and these hits are for this query instead: its words
    /// spelt as the reports spell them, or fewer of its words (its rarest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<String>,
    /// Set when the query found these hits as typed, but a word of it is a slip the reports
    /// also make: the query spelt as the reports spell it far more often, which finds more
    /// passages ("did you mean"). The hits stay those of the query as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_query: Option<String>,
    /// Passages matching, over all pages.
    pub total: usize,
    /// Time the search took, in milliseconds; when answered from the result cache, the time of
    /// the lookup.
    pub took_ms: f64,
    /// The page of hits, best first (report order when browsing without words).
    pub hits: Vec<HitJson>,
    /// Counts over every match; each dimension counted without its own filter.
    pub facets: Facets,
}

/// One matching passage with what is needed to show and cite it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Hit)]
pub struct HitJson {
    // The hit as the core gives it, flattened into the JSON. A plain comment: utoipa would turn
    // a doc comment into a description that wraps the inlined schema in a `oneOf`.
    #[allow(missing_docs)]
    #[serde(flatten)]
    #[schema(inline)]
    pub hit: Hit,
    /// The excerpt `text[excerpt]`, HTML-escaped, with `<mark>` around `highlights` and `…`
    /// where text was left out.
    pub snippet: String,
}

/// A report with its passages.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ReportDetail)]
pub struct ReportJson {
    /// The report's metadata.
    pub report: ReportSummary,
    /// The full text as read from the source file, or `None` when the file is gone or changed
    /// since indexing (then `text_error` says why).
    pub text: Option<String>,
    /// Why `text` is `None`, for the reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_error: Option<String>,
    /// Every passage of the report, in order.
    pub passages: Vec<PassageJson>,
}

/// A passage of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PassageView)]
pub struct PassageJson {
    // The passage as the core gives it, flattened into the JSON (a plain comment: see `hit`).
    #[allow(missing_docs)]
    #[serde(flatten)]
    #[schema(inline)]
    pub passage: PassageView,
    /// The whole `text`, HTML-escaped, with `<mark>` around `highlights`.
    pub html: String,
}

/// A search response serialized once, split around the value of `took_ms`, the one part that
/// differs between two answers to the same search. The result cache keeps it, so that an answer
/// from the cache is a copy of bytes rather than a serialization of every hit again; a search
/// that runs serializes on its own search thread.
#[derive(Debug)]
pub struct SearchBody {
    /// The JSON as the search wrote it.
    json: Bytes,
    /// Where in it the value of `took_ms` is.
    took: Range<usize>,
}

/// The key of `took_ms` as serialized. In JSON a `"` inside a string is always escaped, so these
/// bytes only ever appear as a key; the query's strings, the only ones written before it, cannot
/// hold them.
const TOOK_KEY: &[u8] = b"\"took_ms\":";

impl SearchBody {
    /// Serializes `json`; `None` only if it cannot be written or its JSON lacks `took_ms`, a
    /// defect of this module.
    pub fn new(json: &SearchJson) -> Option<SearchBody> {
        // About what a page of hits takes (each hit's text, snippet and figures), so that the
        // buffer is not grown and copied again and again.
        let mut bytes = Vec::with_capacity(1024 + 2048 * json.hits.len());
        serde_json::to_writer(&mut bytes, json).ok()?;
        let key = memchr::memmem::find(&bytes, TOOK_KEY)?;
        let start = key + TOOK_KEY.len();
        let end = start
            + bytes[start..].iter().position(|b| {
                !matches!(
                    b,
                    b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E' | b'n' | b'u' | b'l'
                )
            })?;
        Some(SearchBody {
            json: Bytes::from(bytes),
            took: start..end,
        })
    }

    /// The bytes this response holds, which the result cache weighs it by.
    pub fn bytes(&self) -> usize {
        self.json.len()
    }

    /// The JSON as the search wrote it, with the search's own time; shared, not copied.
    pub fn as_searched(&self) -> Bytes {
        self.json.clone()
    }

    /// The JSON with `took_ms` set to `took_ms`.
    pub fn with_took(&self, took_ms: f64) -> Bytes {
        let mut out = Vec::with_capacity(self.json.len() + 24);
        out.extend_from_slice(&self.json[..self.took.start]);
        // Writing a number into a vector cannot fail; a value JSON cannot hold is written `null`.
        if serde_json::to_writer(&mut out, &took_ms).is_err() {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(&self.json[self.took.end..]);
        Bytes::from(out)
    }
}

impl From<Response> for SearchJson {
    fn from(r: Response) -> Self {
        SearchJson {
            query: r.query,
            corrected_query: r.corrected_query,
            suggested_query: r.suggested_query,
            total: r.total,
            took_ms: r.took_ms,
            hits: r.hits.into_iter().map(HitJson::from).collect(),
            facets: r.facets,
        }
    }
}

impl From<Hit> for HitJson {
    fn from(hit: Hit) -> Self {
        HitJson {
            snippet: snippet_html(&hit),
            hit,
        }
    }
}

impl From<ReportDetail> for ReportJson {
    fn from(d: ReportDetail) -> Self {
        ReportJson {
            report: d.report,
            text: d.text,
            text_error: d.text_error,
            passages: d.passages.into_iter().map(PassageJson::from).collect(),
        }
    }
}

impl From<PassageView> for PassageJson {
    fn from(passage: PassageView) -> Self {
        PassageJson {
            html: marked_html(&passage.text, (0, passage.text.len()), &passage.highlights),
            passage,
        }
    }
}

/// A hit's `snippet`: its excerpt as escaped HTML with its matches marked.
pub fn snippet_html(hit: &Hit) -> String {
    marked_html(&hit.text, hit.excerpt, &hit.highlights)
}

/// `text[window]` HTML-escaped, with `<mark>` around `highlights` (byte ranges of `text`) and
/// `…` on each side where the window leaves text out.
pub fn marked_html(text: &str, window: (usize, usize), highlights: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(window.1.saturating_sub(window.0) + 16);
    for piece in pieces(text, window, highlights) {
        match piece {
            Piece::Cut => out.push('…'),
            Piece::Plain(s) => escape_html_into(s, &mut out),
            Piece::Match(s) => {
                out.push_str("<mark>");
                escape_html_into(s, &mut out);
                out.push_str("</mark>");
            }
        }
    }
    out
}

/// Escapes text for HTML, as tantivy's snippets do.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html_into(s, &mut out);
    out
}

fn escape_html_into(s: &str, out: &mut String) {
    // The characters to escape are ASCII, so they never fall inside another character's
    // bytes: the text between them is copied a run at a time.
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(escaped);
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_body_is_the_json_of_its_response_with_any_time() {
        for (query, corrected, own) in [
            ("salud", None, 1.25),
            ("mora", None, 2.5e-7),
            ("mora", None, f64::NAN),
            (
                r#"x "took_ms":1, \"took_ms\":2"#,
                Some(r#""took_ms":3"#.to_string()),
                0.5,
            ),
        ] {
            let json = SearchJson {
                query: query.into(),
                suggested_query: corrected.clone(),
                corrected_query: corrected,
                total: 42,
                took_ms: own,
                hits: Vec::new(),
                facets: Facets::default(),
            };
            let body = SearchBody::new(&json).expect("has took_ms");
            assert_eq!(
                body.as_searched(),
                serde_json::to_vec(&json).expect("serializes"),
                "the search's own bytes"
            );
            assert_eq!(
                body.with_took(own),
                body.as_searched(),
                "its own time written again gives the same bytes"
            );
            for took_ms in [0.0, 0.003, 12.5, 1e-9, 123456.75] {
                let read: serde_json::Value =
                    serde_json::from_slice(&body.with_took(took_ms)).expect("valid JSON");
                let mut expected = serde_json::to_value(&json).expect("serializes");
                expected["took_ms"] = took_ms.into();
                assert_eq!(read, expected, "{query} {took_ms}");
            }
            let read: serde_json::Value =
                serde_json::from_slice(&body.with_took(f64::NAN)).expect("valid JSON");
            assert!(read["took_ms"].is_null(), "{read}");
        }
    }

    #[test]
    fn text_is_escaped_inside_and_outside_marks() {
        let text = "Uno <b> dos \"mora\" & patronal 4'803.";
        let m = text.find("mora").unwrap_or(0);
        let f = text.find("4'803").unwrap_or(0);
        assert_eq!(
            marked_html(text, (0, text.len()), &[(m, m + 4), (f, f + 5)]),
            "Uno &lt;b&gt; dos &quot;<mark>mora</mark>&quot; &amp; patronal \
             <mark>4&#x27;803</mark>."
        );
        assert_eq!(escape_html("<a href='x'>"), "&lt;a href=&#x27;x&#x27;&gt;");
    }

    proptest::proptest! {
        /// Escaping runs of text at a time gives what escaping each character does.
        #[test]
        fn escaping_replaces_the_five_characters_and_keeps_the_rest(
            s in "[<>&\"'a-z ñá€😀]{0,40}"
        ) {
            let each: String = s
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#x27;".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape_html(&s), each);
        }
    }

    #[test]
    fn a_cut_window_shows_ellipses_and_keeps_its_marks() {
        let text = "Primero la mora patronal y después";
        let m = text.find("mora").unwrap_or(0);
        let end = text.find(" y").unwrap_or(0);
        assert_eq!(
            marked_html(text, (m, end), &[(m, m + 4)]),
            "…<mark>mora</mark> patronal…"
        );
    }

    #[test]
    fn multibyte_text_is_marked_at_character_boundaries_only() {
        let text = "La Rendición de Cuentas del año";
        let r = text.find("Rendición").unwrap_or(0);
        let a = text.find("año").unwrap_or(0);
        // "Rendición" is 10 bytes (ó takes two); a range ending inside "ñ" marks nothing.
        assert_eq!(
            marked_html(text, (0, text.len()), &[(r, r + 10), (a, a + 2)]),
            "La <mark>Rendición</mark> de Cuentas del año"
        );
        assert_eq!(
            marked_html("«ñandú»", (0, 20), &[(2, 7)]),
            "«<mark>ñand</mark>ú»",
            "a window past the text stops at its end"
        );
    }
}
