//! The index on disk: its schema, how it is built from a corpus and swapped in, and how it is
//! opened for searching.
//!
//! Main types: [`IndexDir`] (generations and the atomic swap), [`build::build`] (corpus → new
//! generation), [`Engine`] (an opened generation: tantivy index, reader, passage store, report
//! metadata).
//! Knows tantivy and the extraction types; knows nothing of queries' syntax, HTTP or the CLI.

pub mod build;
mod dictionary;
pub mod key;
pub mod passage_store;
pub(crate) mod pool;
pub mod record;
mod report_list;
pub mod schema;
pub mod score_bounds;
pub mod segment_threads;
pub mod stem_sets;
pub mod store;
pub mod vocab;
mod wire;
pub mod word_counts;
mod word_file;
pub mod word_tops;
pub mod words;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};
use thiserror::Error;
use utoipa::ToSchema;

pub use self::build::{build, BuildOptions, BuildSummary, Progress};
pub use self::schema::Fields;
use self::segment_threads::SegmentThreads;
pub use self::store::IndexDir;
use crate::extract::{Figure, Policy};

/// Folder of the tantivy index inside a generation.
const PASSAGES_DIR: &str = "passages";
/// The passage store (`passage_store`) inside a generation.
const STORE_FILE: &str = "passages.store";
/// The generation's format version, build time and provinces (`Manifest`).
const MANIFEST_FILE: &str = "manifest.json";
/// Every report's metadata (`report_list`) inside a generation.
const REPORTS_FILE: &str = "reports.bin";
/// The manifest of generations before format 25, reports and all: read for its version alone.
const OLD_MANIFEST_FILE: &str = "reports.json";
/// Accented spellings of folded words inside a generation.
const ACCENTS_FILE: &str = "accents.json";
/// The counts of frequent words (`word_counts`) inside a generation.
const WORD_COUNTS_FILE: &str = "word-counts.bin";
/// The best passages of frequent words (`word_tops`) inside a generation.
const WORD_TOPS_FILE: &str = "word-tops.bin";
/// Bounds of frequent terms' scores (`score_bounds`) inside a generation.
const SCORE_BOUNDS_FILE: &str = "score-bounds.bin";
/// The passages of the most frequent stems as sets (`stem_sets`) inside a generation.
const STEM_SETS_FILE: &str = "stem-sets.bin";
/// The index's words (`words`) inside a generation.
const WORDS_FILE: &str = "words.fst";

/// What can go wrong building or opening an index.
#[derive(Debug, Error)]
pub enum IndexError {
    /// The index folder (given) holds no generation yet.
    #[error("no index in {0}: build one with `cuentas index`")]
    NotBuilt(PathBuf),
    /// A build found no report it could read.
    #[error("nothing could be indexed: {reason}")]
    NothingIndexed {
        /// Why, for the person running the build (e.g. every file was skipped).
        reason: String,
    },
    /// Reading or writing a file or folder of the index failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The generation was written with another [`Manifest::VERSION`].
    #[error("index at {path} was built by another version of cuentas (format {found}): rebuild it with `cuentas index`")]
    Outdated {
        /// The generation folder.
        path: PathBuf,
        /// The format version found in its manifest.
        found: u32,
    },
    /// A file of the generation does not parse (or its JSON could not be written).
    #[error("index at {path} is damaged ({reason}): rebuild it with `cuentas index`")]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// tantivy failed to open, write or read the index.
    #[error("index error in {path}: {source}")]
    Tantivy {
        /// The folder of the tantivy index.
        path: PathBuf,
        /// The underlying error.
        source: tantivy::TantivyError,
    },
    /// Walking the corpus folders failed (a file that cannot be read is skipped instead).
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
}

/// What a reader sees of a report beside each hit, figure and listing: its file, title, year,
/// province and unit. Flattened into the JSON of every type that carries it, so its fields sit
/// beside theirs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportInfo {
    /// Path relative to its corpus folder.
    pub source: String,
    /// The header line naming the report, as written; empty when none was found.
    pub title: String,
    /// The year reported on (not the publication date), `None` when unknown.
    pub year: Option<i32>,
    /// Proper name of the province (`Manabí`) or `Nacional`; `None` when unknown or abroad.
    pub province: Option<String>,
    /// The reporting unit as written, `None` when unknown.
    pub unit: Option<String>,
}

/// Metadata of one indexed report, as listed by `cuentas reports` and `/api/reports`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportMeta {
    /// Stable id from the report's content (16 hex digits).
    pub report_id: String,
    /// File, title, year, province and unit.
    pub info: ReportInfo,
    /// Where the file was read from, to show the full text again.
    pub path: PathBuf,
    /// What decided the year, province and unit.
    pub evidence: crate::extract::MetadataEvidence,
    /// Number of passages.
    pub passages: usize,
    /// Number of figures found in its passages.
    pub figures: usize,
}

/// The manifest written beside the tantivy index of a generation; the reports have a file of
/// their own (`report_list`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version of this file.
    pub version: u32,
    /// Unix seconds when the build finished.
    pub built_at: u64,
    /// Province names by id (id 1 is the first): the ids packed in passage keys.
    pub provinces: Vec<String>,
    /// The words of units' names that few units share (`schema::unit_names`), sorted: a query
    /// word among them may name the report's unit rather than the text.
    #[serde(default)]
    pub unit_names: Vec<String>,
}

impl Manifest {
    /// Raised whenever the schema or extraction changes what an index holds.
    pub const VERSION: u32 = 36;
}

/// A passage as stored in the index, with its figures.
#[derive(Debug, Clone)]
pub struct StoredPassage {
    /// The report id and the ordinal (`7392a04fe1206fbf-0004`).
    pub passage_id: String,
    /// Id of the report it belongs to.
    pub report_id: String,
    /// Ordinal within the report, from 0.
    pub ordinal: u64,
    /// The passage text as shown to people.
    pub text: String,
    /// 1-based page, `None` when the source has no pages or it is unknown.
    pub page: Option<u32>,
    /// Character span `[start, end)` in the report's text.
    pub span: (usize, usize),
    /// Equality policies the passage is about.
    pub policies: Vec<Policy>,
    /// Figures of the passage; their byte ranges point into `text`.
    pub figures: Vec<Figure>,
    /// OCR confidence (0 to 1) when the passage was read by OCR.
    pub ocr_confidence: Option<f32>,
}

/// An opened, read-only generation of the index.
pub struct Engine {
    /// The tantivy index of passages.
    pub index: Index,
    /// Its reader, for fresh searchers.
    pub reader: IndexReader,
    /// The schema's fields.
    pub fields: Fields,
    /// What each passage shows, by record number.
    store: passage_store::Store,
    /// Each segment's column of record numbers, by segment ordinal: opening a column reads
    /// the segment's table of columns, which cost more than reading the passage.
    records: Vec<tantivy::columnar::Column<u64>>,
    /// Report metadata and province ids of the generation.
    pub manifest: Manifest,
    /// The generation folder.
    pub path: PathBuf,
    /// Folded word → its most common accented spelling (`atencion` → `atención`).
    pub accents: HashMap<String, String>,
    /// Every report's metadata, read when asked for.
    reports: report_list::Reports,
    /// Threads to search large segments side by side; `None` when the index has fewer than two
    /// large segments or the machine one core.
    segment_threads: Option<SegmentThreads>,
    /// Searches running now on this engine.
    running: AtomicUsize,
    /// The total and facet counts of frequent words.
    word_counts: word_counts::WordCounts,
    /// The best passages of frequent words.
    word_tops: word_tops::WordTops,
    /// Bounds of frequent terms' scores, window by window of passages: read when a search
    /// first needs them (25 MB at 1 GB, which a search of one word would read for nothing).
    score_bounds: OnceLock<score_bounds::ScoreBounds>,
    /// The passages of the most frequent stems, as sets: read when a search first needs them.
    stem_sets: Arc<stem_sets::LazyStemSets>,
    /// Read from the generation when it has them, else from its segments when first asked for.
    words: OnceLock<words::Words>,
}

/// Counts one search as running on an engine while it lives.
pub struct RunningSearch<'a>(&'a AtomicUsize);

impl Drop for RunningSearch<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Segments of at least this many passages are worth handing to another thread: below it, waking
/// the thread costs more than the half of the segment's work it saves (measured on 100 MB,
/// whose segments hold up to 60,000 passages: p50 1.62 → 1.90 ms in parallel).
const PARALLEL_SEGMENT_DOCS: u32 = 200_000;

/// One thread per core for the segments of one search, when at least two are large.
fn segment_threads(reader: &IndexReader) -> Option<SegmentThreads> {
    let cores = crate::config::cores();
    let large = reader
        .searcher()
        .segment_readers()
        .iter()
        .filter(|s| s.num_docs() >= PARALLEL_SEGMENT_DOCS)
        .count();
    if cores < 2 || large < 2 {
        return None;
    }
    SegmentThreads::new(cores, "cuentas-segment-").ok()
}

impl Engine {
    /// Opens the current generation of `dir`.
    pub fn open(dir: &IndexDir) -> Result<Engine, IndexError> {
        let path = dir
            .current()?
            .ok_or_else(|| IndexError::NotBuilt(dir.root().to_path_buf()))?;
        Engine::open_generation(&path)
    }

    /// Opens one generation folder.
    pub fn open_generation(path: &Path) -> Result<Engine, IndexError> {
        // The manifest first: an index built by another version of cuentas is told apart from
        // a damaged one, so that `serve` can rebuild it.
        let manifest_path = path.join(MANIFEST_FILE);
        let outdated = |found| IndexError::Outdated {
            path: path.to_path_buf(),
            found,
        };
        let bytes = match fs::read(&manifest_path) {
            Ok(bytes) => bytes,
            Err(source) => {
                // Before format 25 the manifest was `reports.json`, reports and all.
                if let Some(found) = old_version(path) {
                    return Err(outdated(found));
                }
                return Err(IndexError::Io {
                    path: manifest_path,
                    source,
                });
            }
        };
        let corrupt = |path: &Path, reason: String| IndexError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        // Read as this version's manifest; only when that fails, read again for the version
        // alone, which another version's layout may still give.
        let manifest: Manifest = match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) if m.version == Manifest::VERSION => m,
            Ok(m) => return Err(outdated(m.version)),
            Err(e) => match serde_json::from_slice::<Version>(&bytes) {
                Ok(v) if v.version != Manifest::VERSION => return Err(outdated(v.version)),
                _ => return Err(corrupt(&manifest_path, e.to_string())),
            },
        };
        let reports_path = path.join(REPORTS_FILE);
        let bytes = wire::Bytes::map(&reports_path).map_err(|source| IndexError::Io {
            path: reports_path.clone(),
            source,
        })?;
        let reports =
            report_list::Reports::read(bytes).map_err(|e| corrupt(&reports_path, e.to_string()))?;
        let tantivy_dir = path.join(PASSAGES_DIR);
        let tv = |source| IndexError::Tantivy {
            path: tantivy_dir.clone(),
            source,
        };
        let index = Index::open_in_dir(&tantivy_dir).map_err(tv)?;
        crate::analysis::register(index.tokenizers());
        let fields = Fields::from_schema(&index.schema()).map_err(tv)?;
        // A generation never changes after it is published: no reload needed.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tv)?;
        // Spellings only dress up suggestions: a missing or bad file is not fatal.
        let accents = fs::read(path.join(ACCENTS_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        // Counts only spare searches their counting: without them searches count for
        // themselves.
        let word_counts =
            word_counts::WordCounts::read(&path.join(WORD_COUNTS_FILE)).unwrap_or_default();
        // Likewise the frequent words' best passages, whose searches otherwise rank.
        let word_tops = word_tops::WordTops::read(&path.join(WORD_TOPS_FILE)).unwrap_or_default();
        let words = OnceLock::new();
        if let Ok(read) = words::Words::read(&path.join(WORDS_FILE)) {
            let _ = words.set(read);
        }
        let store_path = path.join(STORE_FILE);
        let store = passage_store::Store::open(&store_path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::InvalidData {
                IndexError::Corrupt {
                    path: store_path.clone(),
                    reason: source.to_string(),
                }
            } else {
                IndexError::Io {
                    path: store_path.clone(),
                    source,
                }
            }
        })?;
        let records = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64(schema::RECORD_COLUMN))
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(tv)?;
        let segment_threads = segment_threads(&reader);
        Ok(Engine {
            index,
            reader,
            fields,
            store,
            records,
            manifest,
            path: path.to_path_buf(),
            accents,
            reports,
            segment_threads,
            running: AtomicUsize::new(0),
            word_counts,
            word_tops,
            score_bounds: OnceLock::new(),
            stem_sets: Arc::new(stem_sets::LazyStemSets::new(path.join(STEM_SETS_FILE))),
            words,
        })
    }

    /// A searcher over the generation's segments.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Counts a search as running until the returned guard is dropped (see [`Self::alone`]).
    pub fn running_search(&self) -> RunningSearch<'_> {
        self.running.fetch_add(1, Ordering::Relaxed);
        RunningSearch(&self.running)
    }

    /// The threads to search the segments with, side by side, when the one search running is
    /// the caller's: a lone query on a large index then uses every core. With other searches
    /// running the cores are busy already, and handing segments around would only add work.
    /// `None` when the index has fewer than two large segments: search on the calling thread.
    pub fn alone(&self) -> Option<&SegmentThreads> {
        self.segment_threads
            .as_ref()
            .filter(|_| self.running.load(Ordering::Relaxed) <= 1)
    }

    /// Searches the segments on `threads` threads whenever a search runs alone, whatever their
    /// size; 0 or 1 searches every segment on the calling thread.
    pub fn set_segment_threads(&mut self, threads: usize) -> Result<(), IndexError> {
        self.segment_threads = if threads > 1 {
            let pool = SegmentThreads::new(threads, "cuentas-segment-");
            Some(pool.map_err(|source| IndexError::Tantivy {
                path: self.path.join(PASSAGES_DIR),
                source,
            })?)
        } else {
            None
        };
        Ok(())
    }

    /// The total and facet counts of the index's frequent words.
    pub fn word_counts(&self) -> &word_counts::WordCounts {
        &self.word_counts
    }

    /// The best passages of frequent words, ranked when the index was built.
    pub fn word_tops(&self) -> &word_tops::WordTops {
        &self.word_tops
    }

    /// Reads now what the engine otherwise reads when a request first needs it (where the
    /// bounds of scores and the sets of stems are, the whole list of reports), so that no
    /// visitor waits for them: `/api/reports` lists the reports on the server's connection
    /// threads. A server calls it on a thread of its own for every generation it opens.
    pub fn warm(&self) {
        let _ = self.score_bounds();
        let _ = self.stem_sets().get();
        let _ = self.reports();
    }

    /// The words of units' names that a query word may name (`Manifest::unit_names`).
    pub fn unit_names(&self) -> &[String] {
        &self.manifest.unit_names
    }

    /// The passages of the most frequent stems as sets, kept when the index was built.
    pub fn stem_sets(&self) -> &Arc<stem_sets::LazyStemSets> {
        &self.stem_sets
    }

    /// Bounds of the scores of frequent terms, made when the index was built; none when the
    /// generation has no readable file of them (a query of several words then scores every
    /// match).
    pub fn score_bounds(&self) -> &score_bounds::ScoreBounds {
        self.score_bounds.get_or_init(|| {
            score_bounds::ScoreBounds::read(&self.path.join(SCORE_BOUNDS_FILE)).unwrap_or_default()
        })
    }

    /// The index's words, with the passages each is in (`words`). An index built without
    /// them reads them from its segments the first time (0.35 s at 1 GB), and offers no
    /// suggestions if that fails.
    pub fn words(&self) -> &words::Words {
        self.words.get_or_init(|| {
            words::Words::collect(&self.searcher(), self.fields.body).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "reading the index's words");
                words::Words::default()
            })
        })
    }

    /// Every report, in corpus order (read whole the first time).
    pub fn reports(&self) -> &[ReportMeta] {
        self.reports.all()
    }

    /// How many reports the index holds.
    pub fn report_count(&self) -> usize {
        self.reports.len()
    }

    /// The metadata of report `id`, `None` when it is not in the index.
    pub fn report(&self, id: &str) -> Option<ReportMeta> {
        self.reports.get(id)
    }

    /// What readers see of report `id` beside a hit; empty fields for an id not in the index.
    pub fn report_info(&self, id: &str) -> ReportInfo {
        self.reports.info(id).unwrap_or_default()
    }

    /// How people write a folded index word: `atencion` → `atención`, `ano` → `año`.
    pub fn display_word(&self, folded: &str) -> String {
        let key = crate::analysis::fold_key(folded);
        self.accents
            .get(&key)
            .cloned()
            .unwrap_or_else(|| folded.to_string())
    }

    /// The province named by id `id` in passage keys.
    pub fn province_name(&self, id: u8) -> Option<&str> {
        usize::from(id)
            .checked_sub(1)
            .and_then(|i| self.manifest.provinces.get(i))
            .map(String::as_str)
    }

    /// Reads the passage at `address` (of a searcher of this engine) from the passage store,
    /// with its figures as extraction read them.
    pub fn passage(&self, address: DocAddress) -> tantivy::Result<StoredPassage> {
        let number = self
            .records
            .get(address.segment_ord as usize)
            .and_then(|column| column.first(address.doc_id))
            .ok_or_else(|| {
                tantivy::TantivyError::InvalidArgument(format!(
                    "passage {address:?} has no record in the passage store"
                ))
            })?;
        let r = record::decode(&self.store.get(number)?)?;
        Ok(StoredPassage {
            passage_id: crate::extract::model::passage_id(&r.report_id, r.ordinal),
            policies: r.policies,
            span: (r.span.0 as usize, r.span.1 as usize),
            page: u32::try_from(r.page).ok().filter(|&p| p > 0),
            report_id: r.report_id,
            ordinal: r.ordinal,
            text: r.text,
            figures: r.figures,
            ocr_confidence: r.ocr_confidence,
        })
    }

    /// Size of the generation on disk, in bytes.
    pub fn size_bytes(&self) -> u64 {
        dir_size(&self.path)
    }
}

/// The format version alone, which every version's manifest states.
#[derive(Deserialize)]
struct Version {
    version: u32,
}

/// The version of a generation written before format 25, whose manifest was `reports.json`.
fn old_version(generation: &Path) -> Option<u32> {
    let bytes = fs::read(generation.join(OLD_MANIFEST_FILE)).ok()?;
    serde_json::from_slice::<Version>(&bytes)
        .ok()
        .map(|v| v.version)
}

fn dir_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
