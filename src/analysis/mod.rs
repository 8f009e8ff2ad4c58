//! The Spanish analyzer: how report text and queries become index terms.
//!
//! Owns tokenizing, folding, stemming and reading numbers; knows tantivy's tokenizer traits and
//! nothing of the schema, the index or search. Every pipeline is written in [`index_body`] and the
//! functions below, stage by stage:
//!
//! ```text
//! SpanishTokenizer (words, whole numbers, joined COVID-19)   lossless: offsets into the text
//!   → Folder    (lowercase, drop accents, ñ twin at index)   lossy
//!   → ExactAndStem (the exact form marked, then its Snowball
//!     stem when it differs, at the same position)            the index's text field
//!   → pairs::HandPairs (passes tokens on; hands the text's
//!     word pairs to pairs::PairTokenizer)                    its field of word pairs
//! ```
//! [`SpanishStem`] (stems only) and the `index_stemmed`/`index_exact`/`query_stemmed` pipelines
//! state what matches what, for tests and micro-benchmarks; queries stem their words with
//! [`stem::stem_word`] and build the terms themselves.
//! Order matters: folding runs before stemming so `Manabí` and `manabi` stem alike. Text must be
//! NFC before it gets here (ingest does it; queries go through [`normalize_query`]), though the
//! segmenter also keeps decomposed accents inside their word.

pub mod fold;
pub mod numbers;
pub mod pairs;
pub mod stem;
pub mod text;
pub mod tokenizer;

use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};
use unicode_normalization::UnicodeNormalization;

pub use self::fold::Folder;
pub use self::stem::{exact_term, strip_exact, ExactAndStem, SpanishStem, EXACT_MARK};
pub use self::text::{fold_keep_enye, fold_key};
pub use self::tokenizer::SpanishTokenizer;

/// Name of the analyzer of the text field (`body`): exact forms marked, stems plain
/// ([`stem::ExactAndStem`]).
pub const BODY: &str = "es_body";

/// Registers the index-time analyzer under [`BODY`]. tantivy does not persist custom
/// tokenizers: call this on every index you create or open.
pub fn register(manager: &TokenizerManager) {
    manager.register(BODY, index_body());
    manager.register(pairs::PAIRS, pairs::PairTokenizer::default());
}

/// Spanish function words (articles, prepositions, conjunctions, pronouns) as the analyzer
/// folds them. Among bare words a query does not require them: nearly every passage holds them,
/// so requiring them changes almost no answer and costs most of the query's time (`fondos de
/// reserva` took 11 ms at 1 GB, `fondos reserva` 3 ms, with the same 50,259 matches). A phrase
/// keeps them, and a query of function words alone still looks for them; no word pair holds
/// them ([`pairs`]).
const FUNCTION_WORDS: [&str; 25] = [
    "a", "al", "con", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "o", "para", "por",
    "que", "se", "su", "sus", "u", "un", "una", "unas", "unos", "y",
];

/// The definite articles, folded.
pub const DEFINITE_ARTICLES: [&str; 4] = ["el", "la", "los", "las"];

/// Whether `word` is an article (`el`, `la`, `un`), in any case and accents.
pub fn is_article(word: &str) -> bool {
    text::folds_to_one_of(word, &DEFINITE_ARTICLES) || text::folds_to_one_of(word, &["un", "una"])
}

/// Whether the folded word `folded` is a function word ([`FUNCTION_WORDS`]).
pub fn is_function_word(folded: &str) -> bool {
    // None is longer than four bytes: most words are told apart by their length alone.
    folded.len() <= 4 && FUNCTION_WORDS.contains(&folded)
}

/// Words a query of bare words leaves out beside other words, beyond the function words, as
/// the analyzer folds them. The words of a question: interrogatives and the forms of `haber`,
/// `ser` and `tener` that ask (`¿cuántos afiliados hay en Manabí?`, `¿cuál fue el
/// presupuesto?`); a search box gets questions, and reports answer them without asking. And
/// prepositions of time and place (`mora patronal entre 2020 y 2022`, `desde`, `hasta`), which
/// nearly every report holds. Unlike function words they stay in the index's word pairs: a
/// phrase reads them as any other word.
const QUERY_FILLERS: [&str; 36] = [
    "adonde", "ante", "como", "cual", "cuales", "cuando", "cuanta", "cuantas", "cuanto", "cuantos",
    "desde", "donde", "durante", "entre", "era", "eran", "es", "fue", "fueron", "ha", "hacia",
    "han", "hasta", "hay", "hubo", "mediante", "quien", "quienes", "segun", "sobre", "son",
    "tiene", "tienen", "tras", "tuvieron", "tuvo",
];

/// Whether a query of bare words leaves out the folded word `folded` beside other words, though
/// it is not a function word ([`QUERY_FILLERS`]).
pub fn is_query_only_filler(folded: &str) -> bool {
    QUERY_FILLERS.contains(&folded)
}

/// Whether a query of bare words may leave out the folded word `folded`: a function word, a
/// word of a question or a preposition.
pub fn is_query_filler(folded: &str) -> bool {
    is_function_word(folded) || is_query_only_filler(folded)
}

/// Index side of the text field: `Años` → `\u{1}años`, `año`, `\u{1}anos`, `ano` at one position.
/// Its word pairs are handed over to the pairs field's analyzer ([`pairs::HandPairs`]).
pub fn index_body() -> TextAnalyzer {
    TextAnalyzer::builder(SpanishTokenizer::report())
        .filter(Folder::index())
        .filter(ExactAndStem)
        .filter(pairs::HandPairs)
        .build()
}

/// [`index_body`] without handing pairs over: how the pairs field reads a text itself.
fn body_terms() -> TextAnalyzer {
    TextAnalyzer::builder(SpanishTokenizer::report())
        .filter(Folder::index())
        .filter(ExactAndStem)
        .build()
}

/// Index side, stemmed: `Años` → `año` + `ano`.
pub fn index_stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SpanishTokenizer::report())
        .filter(Folder::index())
        .filter(SpanishStem)
        .build()
}

/// Index side, unstemmed: `Años` → `años` + `anos`.
pub fn index_exact() -> TextAnalyzer {
    TextAnalyzer::builder(SpanishTokenizer::report())
        .filter(Folder::index())
        .build()
}

/// Query side, stemmed: like the index side but `año` gives no `ano` twin.
pub fn query_stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SpanishTokenizer::default())
        .filter(Folder::query())
        .filter(SpanishStem)
        .build()
}

/// Query side, unstemmed.
pub fn query_exact() -> TextAnalyzer {
    TextAnalyzer::builder(SpanishTokenizer::default())
        .filter(Folder::query())
        .build()
}

/// NFC-normalises typed text (a browser or terminal may send decomposed accents).
pub fn normalize_query(s: &str) -> String {
    s.nfc().collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream};

    /// Every token `analyzer` gives for `text`.
    pub fn all_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push(t.clone()));
        out
    }

    pub fn token_texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    /// Asserts one token's position, text and byte offsets.
    pub fn assert_token(token: &Token, position: usize, text: &str, from: usize, to: usize) {
        assert_eq!(
            (
                token.position,
                token.text.as_str(),
                token.offset_from,
                token.offset_to
            ),
            (position, text, from, to),
            "token {token:?}: check the stage's position and offset handling"
        );
    }

    fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        all_tokens(analyzer, text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    /// Whether the query `q` shares every position's term with the document text `doc`.
    fn finds(q: &str, doc: &str) -> bool {
        let doc_terms = terms(&mut super::index_stemmed(), doc);
        let q_terms = terms(&mut super::query_stemmed(), q);
        !q_terms.is_empty() && q_terms.iter().all(|t| doc_terms.contains(t))
    }

    #[test]
    fn whole_pipeline_folds_case_and_accents() {
        assert!(finds("rendicion", "Rendición de Cuentas"));
        assert!(finds("MANABI", "Dirección Provincial IESS Manabí"));
        assert!(finds("politicas publicas", "Políticas Públicas"));
    }

    #[test]
    fn whole_pipeline_treats_enye_one_way() {
        assert!(finds("ano", "durante el año 2021"));
        assert!(
            !finds("año", "el ano"),
            "a query with ñ must not find a word without it"
        );
        assert!(finds("año", "el Año fiscal"));
        assert!(finds("ninos", "niños y niñas"));
    }

    #[test]
    fn whole_pipeline_stems_and_mends_short_plurals() {
        assert!(finds("discapacidad", "personas con discapacidades"));
        assert!(finds("año", "los últimos años"));
        assert!(finds("mes", "durante los meses"));
        assert!(finds("meses", "cada mes"));
        assert!(finds("atencion", "atenciones médicas"));
    }

    #[test]
    fn whole_pipeline_reads_every_form_of_a_number_alike() {
        let forms = ["4'803.665,69", "4.803.665,69", "4803665,69", "4803665.69"];
        for doc in forms {
            for q in forms {
                assert!(finds(q, doc), "{q} must find {doc}");
            }
        }
        assert!(finds("1193703286", "USD 1.193.703.286"));
        assert!(finds("11852096", "11.852.096 de atenciones"));
        assert!(finds("132,76%", "en un 132.76 %"));
        assert!(finds("187000", "187 mil atenciones"));
        assert!(finds("1199", "1.199 avisos"));
        assert!(finds("1.199", "1.199 avisos"));
    }

    #[test]
    fn whole_pipeline_keeps_mixed_tokens_findable() {
        assert!(finds("covid19", "casos COVID-19"));
        assert!(finds("covid", "casos COVID-19"));
        assert!(finds("covid 19", "casos COVID19"));
        assert!(finds("COVID-19", "virus COVID19"));
    }

    #[test]
    fn whole_pipeline_keeps_words_a_stopword_list_would_drop() {
        for w in ["estado", "sin", "no", "contra", "sobre", "entre"] {
            assert!(
                finds(w, &format!("texto {w} texto")),
                "{w} must stay searchable"
            );
        }
    }
}
