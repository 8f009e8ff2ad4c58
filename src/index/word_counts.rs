//! The total and facet counts of frequent words, segment by segment, counted once when an index
//! is built.
//!
//! A query of one word matches the passages of its stem: those of the stem's plain term (words
//! that stem to it) and of its marked term (the stem itself, written as such), as
//! `analysis::ExactAndStem` indexes them. Its best hits are found by block-max WAND, which
//! skips most matches; but its total and facets count every match, which at a million
//! passages costs more than the ranking. For a word in at least [`MIN_PASSAGES`] passages of a
//! segment those counts are the same for every query of it, so they are counted here once.
//! Rarer words are counted at search time: few matches cost little.
//!
//! A year or a province named by one word (`2021`, `guayas`) also matches every passage of the
//! reports of that year or province: its counts are kept under [`context_key`], for the union
//! of the word's passages and the facet's. A province named by several words (`Los Ríos`, `El
//! Oro`) matches the facet's passages and those that hold the name as a search reads it: which
//! those are is the search core's to say, so the build is handed its query of the name
//! ([`PlaceQueryFn`]) and counts what it matches ([`WordCounts::count_places`]).
//!
//! The file is this module's own binary layout (little-endian):
//!
//! ```text
//! "CWC1" · segments: u32 · per segment: id (32 hex bytes) · words: u32 · per word:
//!   stem length: u16 · stem · total: u32 · years: u16 · (year: u16, n: u32)… ·
//!   provinces: u8 · (id: u8, n: u32)… · policies: 5 × u32
//! ```
//!
//! A missing or unreadable file only makes searches count for themselves.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use tantivy::columnar::ColumnValues;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::query::{BooleanQuery, EnableScoring, Query, TermQuery, Weight};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;
use tantivy::{DocId, Searcher, SegmentReader, Term};

use super::key::{Counts, PassageKey, Tally};
use super::schema::stem_terms;
use super::word_file::{self, put_u32, BySegment, Reader};
use crate::analysis;
use crate::extract::gazetteer::Gazetteer;

/// Words in fewer passages of a segment than this are counted at search time. At 8,000, a
/// search of a word in 2,000 to 8,000 passages of the 100 MB benchmark corpus still counted
/// and ranked every match (about 0.3 ms of its 0.6); at 2,000 the file is 190 KB there and
/// 830 KB at 1 GB (BENCHMARKS.md).
pub const MIN_PASSAGES: u32 = 2_000;

/// The key of the counts of a word that names the reports' year or province (`facet`) as
/// well: those of the union of the word's stem and the facet.
pub fn context_key(stem: &str, facet: &Facet) -> String {
    format!("{stem}\u{1f}{facet}")
}

/// The search core's query of a search of `name` alone, a province named by several words
/// (`los rios`), with the key under which its counts are kept, `context_key` of the name's
/// folded words and the province's facet; `None` when such a search has no kept counts.
pub type PlaceQueryFn =
    dyn Fn(&Searcher, &str) -> tantivy::Result<Option<(String, Box<dyn Query>)>> + Send + Sync;

/// First bytes of the file, with the layout's version.
const MAGIC: &[u8; 4] = b"CWC1";

/// Counts of frequent words by segment and stem.
#[derive(Debug, Default)]
pub struct WordCounts {
    segments: BySegment<Counts>,
}

impl WordCounts {
    /// The counts of the passages matching stem `stem` in segment `segment`, when they were
    /// counted.
    pub fn get(&self, segment: SegmentId, stem: &str) -> Option<&Counts> {
        self.segments.get(&segment)?.get(stem)
    }

    /// How many words are counted, over every segment.
    pub fn len(&self) -> usize {
        self.segments.values().map(HashMap::len).sum()
    }

    /// Whether no word is counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any word's counts are kept for segment `segment`.
    pub fn has_segment(&self, segment: SegmentId) -> bool {
        self.segments.contains_key(&segment)
    }

    /// Whether the counts of `stem` are kept for any segment.
    pub fn holds(&self, stem: &str) -> bool {
        self.segments.values().any(|words| words.contains_key(stem))
    }

    /// Counts, in every segment of `searcher` without deleted passages, the words of text
    /// field `body` found in at least `min_passages` of its passages, and the words naming a
    /// year or a province of facet field `facets` (see [`context_key`]), keyed by the packed
    /// passage keys of fast field `key`.
    pub fn count(
        searcher: &Searcher,
        fields: (Field, Field),
        key: &str,
        min_passages: u32,
    ) -> tantivy::Result<WordCounts> {
        // A segment without a report of a year still holds passages that name it: the year's
        // query is asked of every segment, so its counts are kept in every one.
        let contexts = contexts(searcher, fields.1)?;
        let counted = word_file::each_segment(
            searcher
                .segment_readers()
                .iter()
                .filter(|reader| reader.num_deleted_docs() == 0),
            "counting words",
            |reader| {
                segment_counts(searcher, reader, &contexts, fields, key, min_passages)
                    .map(|words| (reader.segment_id(), words))
            },
        )?;
        let segments = counted
            .into_iter()
            .filter(|(_, words)| !words.is_empty())
            .collect();
        Ok(WordCounts { segments })
    }

    /// Counts too, in every segment of `searcher` without deleted passages, the query
    /// `place_query` gives of each province of facet field `facets` named by several words,
    /// where it matches `min_passages` passages or more, keyed by the packed passage keys of
    /// fast field `key`.
    pub fn count_places(
        &mut self,
        searcher: &Searcher,
        facets: Field,
        key: &str,
        min_passages: u32,
        place_query: &PlaceQueryFn,
    ) -> tantivy::Result<()> {
        let mut places = Vec::new();
        for name in place_names(searcher, facets)? {
            if let Some((place, query)) = place_query(searcher, &name)? {
                let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
                places.push((place, weight));
            }
        }
        if places.is_empty() {
            return Ok(());
        }
        let mut tally = Tally::default();
        let mut buffer = Vec::new();
        for reader in searcher.segment_readers() {
            if reader.num_deleted_docs() > 0 {
                continue;
            }
            let column = reader.fast_fields().u64(key)?;
            let keys = column.first_or_default_col(PassageKey::default_packed());
            for (place, weight) in &places {
                tally_matches(&**weight, reader, &*keys, &mut tally, &mut buffer)?;
                let counts = tally.counts();
                if counts.total >= min_passages as usize {
                    self.segments
                        .entry(reader.segment_id())
                        .or_default()
                        .insert(place.as_str().into(), counts);
                }
            }
        }
        Ok(())
    }

    /// Writes the counts to `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        word_file::write(path, MAGIC, &self.segments, put_counts)
    }

    /// Reads counts written by [`WordCounts::write`].
    pub fn read(path: &Path) -> io::Result<WordCounts> {
        let segments = word_file::read(path, MAGIC, "word counts", take_counts)?;
        Ok(WordCounts { segments })
    }
}

/// One word's counts, after the word.
fn put_counts(out: &mut Vec<u8>, counts: &Counts) {
    put_u32(out, counts.total);
    out.extend_from_slice(&(counts.years.len() as u16).to_le_bytes());
    for (&year, &n) in &counts.years {
        out.extend_from_slice(&year.to_le_bytes());
        put_u32(out, n as usize);
    }
    let provinces: Vec<_> = counts
        .provinces
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .collect();
    out.push(provinces.len() as u8);
    for (id, &n) in provinces {
        out.push(id as u8);
        put_u32(out, n as usize);
    }
    for &n in &counts.policies {
        put_u32(out, n as usize);
    }
}

/// Reads what [`put_counts`] wrote.
fn take_counts(r: &mut Reader) -> io::Result<Counts> {
    let mut counts = Counts {
        total: r.u32()? as usize,
        ..Counts::default()
    };
    for _ in 0..r.u16()? {
        let year = r.u16()?;
        counts.years.insert(year, u64::from(r.u32()?));
    }
    for _ in 0..r.u8()? {
        let id = usize::from(r.u8()?);
        let n = u64::from(r.u32()?);
        *counts
            .provinces
            .get_mut(id)
            .ok_or_else(|| r.invalid("bad province id"))? = n;
    }
    for n in &mut counts.policies {
        *n = u64::from(r.u32()?);
    }
    Ok(counts)
}

/// The counts of one segment's frequent words.
fn segment_counts(
    searcher: &Searcher,
    reader: &SegmentReader,
    contexts: &[(String, Facet)],
    (body, facets): (Field, Field),
    key: &str,
    min_passages: u32,
) -> tantivy::Result<HashMap<Box<str>, Counts>> {
    let inverted = reader.inverted_index(body)?;
    let stems = stems_in_at_least(&inverted, min_passages)?;

    // Then the words that name a year or a province of the index's reports, with the facet.
    let facet_terms = reader.inverted_index(facets)?;
    let contexts = contexts.iter().map(|(word, facet)| {
        (
            analysis::stem::stem_spanish(word).into_owned(),
            facet.clone(),
        )
    });

    let column = reader.fast_fields().u64(key)?;
    let keys = column.first_or_default_col(PassageKey::default_packed());
    let mut words = HashMap::new();
    let mut tally = Tally::default();
    let mut buffer = Vec::new();
    let groups = stems
        .into_iter()
        .map(|stem| (stem, None))
        .chain(contexts.map(|(stem, facet)| (stem, Some(facet))));
    for (stem, facet) in groups {
        let mut matching = stem_terms(body, &stem).to_vec();
        let mut passages = 0;
        for term in &matching {
            passages += inverted.doc_freq(term)?;
        }
        if let Some(facet) = &facet {
            let term = Term::from_facet(facets, facet);
            passages += facet_terms.doc_freq(&term)?;
            matching.push(term);
        }
        if passages < min_passages {
            continue;
        }
        let query = BooleanQuery::union(
            matching
                .into_iter()
                .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>)
                .collect(),
        );
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        tally_matches(&*weight, reader, &*keys, &mut tally, &mut buffer)?;
        let key = match &facet {
            Some(facet) => context_key(&stem, facet),
            None => stem,
        };
        words.insert(key.into_boxed_str(), tally.counts());
    }
    Ok(words)
}

/// Tallies in `tally`, cleared first, the keys (`keys`, the segment's column of packed passage
/// keys) of the passages `weight` matches in segment `reader`; `buffer` is scratch.
fn tally_matches(
    weight: &dyn Weight,
    reader: &SegmentReader,
    keys: &dyn ColumnValues<u64>,
    tally: &mut Tally,
    buffer: &mut Vec<u64>,
) -> tantivy::Result<()> {
    tally.clear();
    weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
        buffer.resize(docs.len(), 0);
        keys.get_vals(docs, buffer);
        for &packed in buffer.iter() {
            tally.add(packed);
        }
    })
}

/// The stems of `inverted` (a segment's text field) that may be in `least` of its passages or
/// more, each once, in order. A stem matches the passages of its plain and its marked term: one
/// of them is in at least half as many passages as the two together.
pub(super) fn stems_in_at_least(
    inverted: &InvertedIndexReader,
    least: u32,
) -> io::Result<Vec<String>> {
    let mut stems: Vec<String> = Vec::new();
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        if terms.value().doc_freq < least.div_ceil(2) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(terms.key()) else {
            continue;
        };
        match analysis::strip_exact(text) {
            // A marked word is asked for as a stem only when it is its own stem.
            Some(word) if analysis::stem::stem_spanish(word) == word => stems.push(word.into()),
            Some(_) => {}
            None => stems.push(text.into()),
        }
    }
    stems.sort_unstable();
    stems.dedup();
    Ok(stems)
}

/// The words that name a year or a province of the reports of any segment of `searcher`, as a
/// query has them (folded), with the facet each names, each once.
fn contexts(searcher: &Searcher, facets: Field) -> tantivy::Result<Vec<(String, Facet)>> {
    let mut contexts = Vec::new();
    for reader in searcher.segment_readers() {
        let facet_terms = reader.inverted_index(facets)?;
        let mut stream = facet_terms.terms().stream()?;
        while stream.advance() {
            contexts.extend(context_of(stream.key()));
        }
    }
    contexts.sort_unstable();
    contexts.dedup();
    Ok(contexts)
}

/// The provinces of the reports of any segment of `searcher` (facet field `facets`) named by
/// several words, as a query has them (folded words, `los rios`), each once.
pub(super) fn place_names(searcher: &Searcher, facets: Field) -> tantivy::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut analyzer = analysis::query_exact();
    for reader in searcher.segment_readers() {
        let facet_terms = reader.inverted_index(facets)?;
        let mut stream = facet_terms.terms().stream()?;
        while stream.advance() {
            let Ok(facet) = Facet::from_encoded(stream.key().to_vec()) else {
                continue;
            };
            if let ["province", name] = facet.to_path().as_slice() {
                let mut words = Vec::new();
                analyzer
                    .token_stream(name)
                    .process(&mut |t| words.push(t.text.clone()));
                if words.len() > 1 {
                    names.push(words.join(" "));
                }
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    Ok(names)
}

/// The words that name a year or a province of the reports of the index (see [`contexts`]).
pub(super) fn context_words(searcher: &Searcher, facets: Field) -> tantivy::Result<Vec<String>> {
    Ok(contexts(searcher, facets)?
        .into_iter()
        .map(|(word, _)| word)
        .collect())
}

/// The words that name the year or province of facet term `encoded` in a query
/// (`search::query`, `report_context_unit`), with the facet: a year, or a province named by one
/// word, as written with its `ñ` and as typed without it (`cañar`, `canar`); none for another
/// facet, or a province named by several words.
fn context_of(encoded: &[u8]) -> Vec<(String, Facet)> {
    let Ok(facet) = Facet::from_encoded(encoded.to_vec()) else {
        return Vec::new();
    };
    let path = facet.to_path();
    let words = match path.as_slice() {
        ["year", year] if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => {
            vec![year.to_string()]
        }
        ["province", name] => {
            let mut analyzer = analysis::query_exact();
            let mut stream = analyzer.token_stream(name);
            let mut words = Vec::new();
            stream.process(&mut |t| words.push(t.text.clone()));
            let Ok([word]) = <[String; 1]>::try_from(words) else {
                return Vec::new();
            };
            let without_enye = word.replace('ñ', "n");
            let mut words = vec![word];
            if without_enye != words[0] {
                words.push(without_enye);
            }
            words.retain(|w| Gazetteer::shared().province(w) == Some(*name));
            words
        }
        _ => Vec::new(),
    };
    words.into_iter().map(|w| (w, facet.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::key::MAX_PROVINCES;

    fn to_bytes(counts: &WordCounts) -> Vec<u8> {
        word_file::encode(MAGIC, &counts.segments, put_counts)
    }

    fn from_bytes(bytes: &[u8]) -> io::Result<WordCounts> {
        let segments = word_file::decode(bytes, MAGIC, "word counts", take_counts)?;
        Ok(WordCounts { segments })
    }

    fn sample() -> WordCounts {
        let mut counts = Counts {
            total: 12,
            ..Counts::default()
        };
        counts.years.insert(2021, 7);
        counts.years.insert(0, 5);
        counts.provinces[3] = 9;
        counts.provinces[MAX_PROVINCES] = 3;
        counts.policies = [1, 0, 4, 0, 12];
        let id = SegmentId::generate_random();
        let words = HashMap::from([("pension".into(), counts.clone()), ("ñandú".into(), counts)]);
        WordCounts {
            segments: HashMap::from([(id, words)]),
        }
    }

    #[test]
    fn a_year_is_counted_in_segments_without_its_reports() {
        use crate::index::schema::{self, KEY_COLUMN};
        let (schema, fields) = schema::schema();
        let index = tantivy::Index::create_in_ram(schema);
        analysis::register(index.tokenizers());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 20_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // One segment of the 2021 report, then one of the 2022 report, whose passages also
        // name 2021.
        for (year, n) in [(2021u16, 40), (2022, 30)] {
            for i in 0..n {
                let mut doc = tantivy::TantivyDocument::default();
                doc.add_text(
                    fields.body,
                    format!("En {year} y en 2021 se pagaron {i} pensiones."),
                );
                doc.add_facet(fields.facets, Facet::from_path(["year", &year.to_string()]));
                let key = PassageKey::new(Some(i32::from(year)), 0, &[], 100);
                doc.add_u64(fields.key, key.pack());
                writer.add_document(doc).expect("adds");
            }
            writer.commit().expect("commits");
        }
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let counts = WordCounts::count(&searcher, (fields.body, fields.facets), KEY_COLUMN, 10)
            .expect("counts");
        let key = context_key("2021", &Facet::from_path(["year", "2021"]));
        let mut totals = Vec::new();
        for reader in searcher.segment_readers() {
            let held = counts
                .get(reader.segment_id(), &key)
                .expect("kept in every segment");
            totals.push((reader.num_docs(), held.total, held.years.clone()));
        }
        totals.sort_by_key(|t| t.0);
        assert_eq!(totals[0], (30, 30, [(2022, 30)].into()));
        assert_eq!(totals[1], (40, 40, [(2021, 40)].into()));
    }

    #[test]
    fn a_province_is_named_with_its_enye_and_without() {
        let words = |path: &[&str]| -> Vec<String> {
            let facet = Facet::from_path(path);
            context_of(facet.encoded_str().as_bytes())
                .into_iter()
                .map(|(word, named)| {
                    assert_eq!(named, facet);
                    word
                })
                .collect()
        };
        assert_eq!(words(&["province", "Cañar"]), ["cañar", "canar"]);
        assert_eq!(words(&["province", "Manabí"]), ["manabi"]);
        assert_eq!(words(&["year", "2021"]), ["2021"]);
        assert!(words(&["province", "Santo Domingo de los Tsáchilas"]).is_empty());
        assert!(words(&["policy", "genero"]).is_empty());
    }

    #[test]
    fn counts_read_back_as_written() {
        let counts = sample();
        let read = from_bytes(&to_bytes(&counts)).expect("reads");
        assert_eq!(read.segments, counts.segments);
        assert_eq!(read.len(), 2);
    }

    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let bytes = to_bytes(&sample());
        for cut in 0..bytes.len() {
            assert!(from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(from_bytes(&longer).is_err());
        let mut bad_province = bytes;
        // The first word's province id, after its stem, total and two years.
        let at = 4 + 4 + 32 + 4 + 2 + "pension".len() + 4 + 2 + 2 * 6 + 1;
        bad_province[at] = 200;
        assert!(from_bytes(&bad_province).is_err());
    }
}
