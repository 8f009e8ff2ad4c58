//! The fold stage: lowercase and drop accents, keeping `ñ` findable both ways.
//!
//! Expects tokens from the segmenter (any case, NFC or not). Never changes offsets or positions.
//! With [`Folder::index`], a token with `ñ` is followed by its `n` twin at the same position, so
//! a query typed without `ñ` (`ano`) finds "año"; with [`Folder::query`], only the `ñ` form is
//! emitted, so `año` does not find "ano".

use std::mem;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::text::fold_into;

/// Lowercases and removes accents; see the module docs for `ñ`.
#[derive(Clone, Copy, Debug)]
pub struct Folder {
    /// Whether a token with `ñ` also yields its `n` twin.
    enye_twin: bool,
}

impl Folder {
    /// For indexing: `año` → `año`, `ano` at one position.
    pub fn index() -> Folder {
        Folder { enye_twin: true }
    }

    /// For queries: `año` → `año` only.
    pub fn query() -> Folder {
        Folder { enye_twin: false }
    }
}

impl TokenFilter for Folder {
    type Tokenizer<T: Tokenizer> = FolderFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FolderFilter<T> {
        FolderFilter {
            inner,
            folder: self,
        }
    }
}

/// A tokenizer wrapped by [`Folder`].
#[derive(Clone)]
pub struct FolderFilter<T> {
    inner: T,
    folder: Folder,
}

impl<T: Tokenizer> Tokenizer for FolderFilter<T> {
    type TokenStream<'a> = FolderTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FolderTokenStream {
            tail: self.inner.token_stream(text),
            enye_twin: self.folder.enye_twin,
            twin: None,
            buf: String::new(),
        }
    }
}

/// The stream of [`FolderFilter`].
pub struct FolderTokenStream<T> {
    tail: T,
    enye_twin: bool,
    /// The `n` twin of the current token, emitted on the next `advance`.
    twin: Option<String>,
    /// Folding buffer, swapped with each token's text so no token allocates.
    buf: String,
}

impl<T: TokenStream> TokenStream for FolderTokenStream<T> {
    fn advance(&mut self) -> bool {
        if let Some(twin) = self.twin.take() {
            self.tail.token_mut().text = twin;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.is_ascii() {
            token.text.make_ascii_lowercase();
            return true;
        }
        self.buf.clear();
        fold_into(&token.text, true, &mut self.buf);
        if self.enye_twin {
            self.twin = enye_twin(&self.buf);
        }
        mem::swap(&mut token.text, &mut self.buf);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The `n` twin of the folded word `folded` (`años` → `anos`), if it has an `ñ`.
pub fn enye_twin(folded: &str) -> Option<String> {
    folded.contains('ñ').then(|| folded.replace('ñ', "n"))
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::analysis::tests::{all_tokens, assert_token};
    use crate::analysis::tokenizer::SpanishTokenizer;

    fn analyzer(folder: Folder) -> TextAnalyzer {
        TextAnalyzer::builder(SpanishTokenizer::default())
            .filter(folder)
            .build()
    }

    #[test]
    fn folds_case_and_accents_and_keeps_offsets() {
        let t = all_tokens(&mut analyzer(Folder::query()), "MANABÍ Rendición");
        assert_token(&t[0], 0, "manabi", 0, 7);
        assert_token(&t[1], 1, "rendicion", 8, 18);
    }

    #[test]
    fn indexing_gives_the_enye_word_and_its_n_twin_at_one_position() {
        let t = all_tokens(&mut analyzer(Folder::index()), "Años niños");
        assert_token(&t[0], 0, "años", 0, 5);
        assert_token(&t[1], 0, "anos", 0, 5);
        assert_token(&t[2], 1, "niños", 6, 12);
        assert_token(&t[3], 1, "ninos", 6, 12);
    }

    #[test]
    fn a_query_keeps_only_the_enye_form() {
        let t = all_tokens(&mut analyzer(Folder::query()), "año");
        assert_eq!(t.len(), 1);
        assert_token(&t[0], 0, "año", 0, 4);
    }
}
