//! Corpus folders → a complete new generation of the index, swapped in at the end.
//!
//! Reading and extraction run on worker threads (PDF parsing and figure extraction are the slow
//! part), while this thread feeds tantivy's writer, which has its own indexing threads. A file
//! that cannot be read is skipped with its reason; the build fails only when nothing at all could
//! be indexed, and then the previous generation stays current.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tantivy::schema::Facet;
use tantivy::store::Compressor;
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument};

use super::key::PassageKey;
use super::passage_store::StoreWriter;
use super::schema::{self, schema, Fields};
use super::score_bounds::{self, ScoreBounds};
use super::stem_sets::{self, StemSets};
use super::vocab::AccentCounter;
use super::word_counts::{self, WordCounts};
use super::word_tops::{WordRanker, WordTops};
use super::words::Words;
use super::{
    IndexDir, IndexError, Manifest, ReportInfo, ReportMeta, ACCENTS_FILE, MANIFEST_FILE,
    PASSAGES_DIR, REPORTS_FILE, SCORE_BOUNDS_FILE, STEM_SETS_FILE, STORE_FILE, WORDS_FILE,
    WORD_COUNTS_FILE, WORD_TOPS_FILE,
};
use crate::extract::{Extractor, FigureKind, Overrides, Report};
use crate::ingest::{self, Skipped};

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Memory for tantivy's indexing buffers, in bytes (split across its threads).
    pub memory_budget: usize,
    /// Threads reading and extracting reports.
    pub threads: usize,
    /// How files are read, and the limits on each.
    pub reader: ingest::Reader,
    /// Whether the build merges its segments into as few as a query searches side by side:
    /// one for a small index, one per core for a large one (see [`segment_groups`]). Off only
    /// to test an index of many.
    pub merge_segments: bool,
    /// Ranks the frequent words' best passages when the build ends (`word_tops`), and gives
    /// the queries of provinces named by several words whose counts are kept
    /// (`word_counts`); without it the index keeps neither, and those searches rank and count
    /// for themselves.
    pub ranker: Option<WordRanker>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            memory_budget: 256 << 20,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            reader: ingest::Reader::default(),
            merge_segments: true,
            ranker: None,
        }
    }
}

/// tantivy's indexing threads for `threads` reading and extracting: one per two.
///
/// Tokenizing and writing postings is about 40 % of a build's work, reading and extraction
/// most of the rest, so one indexing thread keeps up with two extracting. Each indexing thread
/// writes segments of its own, which tantivy then merges: on two cores, one indexing thread
/// with the whole memory budget built 100 MB of generated reports in 10.7 s against 12.7 s
/// for two (medians of three, alternating), one segment that needs no merge, and 1 GB in
/// 105–111 s against 119–125 s with a sixth less CPU (BENCHMARKS.md).
fn writer_threads(threads: usize) -> usize {
    threads.div_ceil(2).clamp(1, 8)
}

/// How far a build has gone, for a progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Files read (or skipped) so far.
    pub files_done: usize,
    /// Files found in the corpus.
    pub files_total: usize,
    /// Pages read so far (a text file without page breaks counts as one).
    pub pages: usize,
    /// Pages read by OCR so far, and of those, how many came from the cache.
    pub ocr_pages: usize,
    /// Of `ocr_pages`, those taken from the OCR cache.
    pub ocr_cached: usize,
}

/// What a build did.
#[derive(Debug)]
pub struct BuildSummary {
    /// Reports indexed.
    pub reports: usize,
    /// Passages indexed, over all reports.
    pub passages: usize,
    /// Figures found in those passages.
    pub figures: usize,
    /// Bytes of report text indexed.
    pub text_bytes: u64,
    /// Files that could not be read, each with its reason.
    pub skipped: Vec<Skipped>,
    /// Pages read by Tesseract in this build, and pages taken from the OCR cache.
    pub ocr_pages_run: usize,
    /// Pages whose OCR text came from the cache.
    pub ocr_pages_cached: usize,
    /// Problems in metadata files, one line each.
    pub warnings: Vec<String>,
    /// The published generation.
    pub generation: PathBuf,
    /// Wall time of the whole build.
    pub elapsed: Duration,
}

/// Builds a new generation from `corpus` into `dir` and publishes it. `progress` is called as
/// files are processed.
pub fn build(
    corpus: &[PathBuf],
    dir: &IndexDir,
    extractor: &Extractor,
    options: &BuildOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildSummary, IndexError> {
    let started = Instant::now();
    let walk = ingest::walk(corpus, &[crate::extract::overrides::FILE_NAME])?;
    let (overrides, warnings) = load_overrides(corpus, &walk.files, extractor);
    let staging = dir.begin()?;
    let mut out = Writer::create(staging.path(), options, extractor)?;
    out.skipped = walk.skipped;

    let files = walk.files;
    let (done, pages) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let provinces = out.provinces.clone();
    let fields = out.fields;
    let counters = super::pool::run(
        &files,
        options.threads,
        AccentCounter::default,
        |accents, file| {
            // Workers read, extract and build the documents; this thread only feeds the writer.
            let result = read_and_extract(file, &options.reader, extractor, &overrides);
            let read = result.as_ref().map_or(0, |(_, n)| *n);
            progress(Progress {
                files_done: done.fetch_add(1, Ordering::Relaxed) + 1,
                files_total: files.len(),
                pages: pages.fetch_add(read, Ordering::Relaxed) + read,
                ocr_pages: ocr_count(&options.reader, |s| &s.pages_run)
                    + ocr_count(&options.reader, |s| &s.pages_cached),
                ocr_cached: ocr_count(&options.reader, |s| &s.pages_cached),
            });
            result.map(|(report, _)| {
                for p in &report.passages {
                    accents.add_text(&p.text);
                }
                prepare(&fields, &provinces, report, &file.path)
            })
        },
        |i, result| out.take(i, result, &files[i].path),
    );
    for counter in counters {
        out.accents.merge(counter);
    }
    tracing::debug!(elapsed = ?started.elapsed(), "every file read and added");
    let (manifest, totals, skipped) = out.finish(corpus, options)?;
    write_json(&staging.path().join(MANIFEST_FILE), &manifest)?;
    let generation = dir.publish(staging)?;
    Ok(BuildSummary {
        reports: totals.reports,
        passages: totals.passages,
        figures: totals.figures,
        text_bytes: totals.text_bytes,
        skipped,
        ocr_pages_run: ocr_count(&options.reader, |s| &s.pages_run),
        ocr_pages_cached: ocr_count(&options.reader, |s| &s.pages_cached),
        warnings,
        generation,
        elapsed: started.elapsed(),
    })
}

/// Each corpus folder's metadata file, and the warnings about them (bad rows, rows naming a
/// file that is not there).
fn load_overrides(
    corpus: &[PathBuf],
    files: &[ingest::SourceFile],
    extractor: &Extractor,
) -> (HashMap<PathBuf, Overrides>, Vec<String>) {
    let mut overrides = HashMap::new();
    let mut warnings = Vec::new();
    for root in corpus {
        match Overrides::load(root, &extractor.gazetteer) {
            Ok(o) => {
                warnings.extend(
                    o.warnings
                        .iter()
                        .map(|w| format!("{}: {w}", root.display())),
                );
                let found: HashSet<String> = files
                    .iter()
                    .filter(|f| &f.root == root)
                    .map(|f| ingest::relative_source(&f.path, root))
                    .collect();
                let mut unknown: Vec<&str> = o.sources().filter(|s| !found.contains(*s)).collect();
                unknown.sort_unstable();
                warnings.extend(unknown.into_iter().map(|s| {
                    format!(
                        "{}: cuentas.csv names {s:?}, which is not a report file in this folder",
                        root.display()
                    )
                }));
                overrides.insert(root.clone(), o);
            }
            Err(e) => warnings.push(e.to_string()),
        }
    }
    (overrides, warnings)
}

/// Counts of what was indexed.
#[derive(Debug, Default)]
struct Totals {
    reports: usize,
    passages: usize,
    figures: usize,
    text_bytes: u64,
}

/// The receiving end of a build: tantivy's writer in the staging folder, and what the reports
/// read so far add up to.
struct Writer {
    tantivy_dir: PathBuf,
    writer: IndexWriter,
    /// The passage store, written in the order documents are added.
    store: StoreWriter,
    store_path: PathBuf,
    fields: Fields,
    /// Province ids of passage keys: the gazetteer's provinces, then national units.
    provinces: Vec<String>,
    reports: Vec<(usize, ReportMeta)>,
    /// Report id → the source it was first read from (duplicates are indexed once).
    seen: HashMap<String, String>,
    skipped: Vec<Skipped>,
    totals: Totals,
    accents: AccentCounter,
    add_error: Option<tantivy::TantivyError>,
    store_error: Option<std::io::Error>,
}

impl Writer {
    fn create(
        staging: &Path,
        options: &BuildOptions,
        extractor: &Extractor,
    ) -> Result<Writer, IndexError> {
        let tantivy_dir = staging.join(PASSAGES_DIR);
        std::fs::create_dir_all(&tantivy_dir).map_err(|source| IndexError::Io {
            path: tantivy_dir.clone(),
            source,
        })?;
        let tv = |source| IndexError::Tantivy {
            path: tantivy_dir.clone(),
            source,
        };
        let (schema, fields) = schema();
        let index = Index::builder()
            .schema(schema)
            .settings(store_settings())
            .create_in_dir(&tantivy_dir)
            .map_err(tv)?;
        crate::analysis::register(index.tokenizers());
        let writer_threads = writer_threads(options.threads);
        let budget = options.memory_budget.max(writer_threads * (16 << 20));
        let writer = index
            .writer_with_num_threads(writer_threads, budget)
            .map_err(tv)?;
        let store_path = staging.join(STORE_FILE);
        let store = StoreWriter::create(&store_path).map_err(|source| IndexError::Io {
            path: store_path.clone(),
            source,
        })?;
        let mut provinces: Vec<String> = extractor.gazetteer.provinces().to_vec();
        provinces.push(crate::extract::metadata::NATIONAL.to_string());
        Ok(Writer {
            tantivy_dir,
            writer,
            store,
            store_path,
            fields,
            provinces,
            reports: Vec::new(),
            seen: HashMap::new(),
            skipped: Vec::new(),
            totals: Totals::default(),
            accents: AccentCounter::default(),
            add_error: None,
            store_error: None,
        })
    }

    /// Takes one file's result: its documents go to the writer, or the file to the skipped.
    fn take(&mut self, i: usize, result: Result<Prepared, Skipped>, path: &Path) {
        let prepared = match result {
            Ok(r) => r,
            Err(s) => {
                self.skipped.push(s);
                return;
            }
        };
        let meta = prepared.meta;
        let skip = |reason: String| Skipped {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(first) = self.seen.get(&meta.report_id) {
            self.skipped
                .push(skip(format!("same text as {first}, indexed once")));
            return;
        }
        if meta.passages == 0 {
            self.skipped.push(skip("no text passages found".into()));
            return;
        }
        self.seen
            .insert(meta.report_id.clone(), meta.info.source.clone());
        for (mut doc, record) in prepared.docs.into_iter().zip(prepared.records) {
            if self.add_error.is_some() || self.store_error.is_some() {
                break;
            }
            doc.add_u64(self.fields.record, self.store.next_number());
            if let Err(e) = self.store.push(&record) {
                self.store_error = Some(e);
            } else if let Err(e) = self.writer.add_document(doc) {
                self.add_error = Some(e);
            }
        }
        self.totals.passages += meta.passages;
        self.totals.figures += meta.figures;
        self.totals.text_bytes += prepared.text_bytes;
        self.reports.push((i, meta));
    }

    /// Commits the passages (merged into one segment per core, or one, when `merge_segments`:
    /// see [`merge_segments`]), counts the frequent words and writes the accents and the
    /// reports; the manifest to write, with the totals and the skipped files (sorted).
    fn finish(
        mut self,
        corpus: &[PathBuf],
        options: &BuildOptions,
    ) -> Result<(Manifest, Totals, Vec<Skipped>), IndexError> {
        let tv = |source| IndexError::Tantivy {
            path: self.tantivy_dir.clone(),
            source,
        };
        if let Some(e) = self.add_error.take() {
            return Err(tv(e));
        }
        let store_io = |source| IndexError::Io {
            path: self.store_path.clone(),
            source,
        };
        if let Some(e) = self.store_error.take() {
            return Err(store_io(e));
        }
        if self.reports.is_empty() {
            return Err(IndexError::NothingIndexed {
                reason: nothing_reason(corpus, &self.skipped),
            });
        }
        let phase = Instant::now();
        self.store.finish().map_err(store_io)?;
        self.writer.commit().map_err(tv)?;
        let index = self.writer.index().clone();
        self.writer.wait_merging_threads().map_err(tv)?;
        tracing::debug!(elapsed = ?phase.elapsed(), "passages committed");
        if options.merge_segments {
            let cores = crate::config::cores();
            let merged = merge_segments(&index, cores, super::PARALLEL_SEGMENT_DOCS).map_err(tv)?;
            tracing::debug!(elapsed = ?phase.elapsed(), segments = merged, "segments merged");
        }
        let staging = self.tantivy_dir.parent().unwrap_or(&self.tantivy_dir);
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tv)?;
        let fields = self.fields;
        let searcher = reader.searcher();
        let write_io = |path: PathBuf| move |source| IndexError::Io { path, source };
        // Two branches that read the committed passages, side by side: the frequent words'
        // counts and best passages; the bounds, sets of stems and words.
        let (frequent_words, bounds_and_sets) = std::thread::scope(|scope| {
            let bounds_and_sets = scope.spawn(|| -> Result<Words, IndexError> {
                let bounds = ScoreBounds::compute(
                    &searcher,
                    fields.body,
                    schema::KEY_COLUMN,
                    score_bounds::MIN_PASSAGES,
                )
                .map_err(tv)?;
                tracing::debug!(elapsed = ?phase.elapsed(), terms = bounds.len(), "scores bounded");
                let bounds_path = staging.join(SCORE_BOUNDS_FILE);
                bounds
                    .write(&bounds_path)
                    .map_err(write_io(bounds_path.clone()))?;
                let sets = StemSets::compute(&searcher, fields.body, stem_sets::MIN_PASSAGES)
                    .map_err(tv)?;
                tracing::debug!(elapsed = ?phase.elapsed(), stems = sets.len(), "sets of frequent stems kept");
                let sets_path = staging.join(STEM_SETS_FILE);
                sets.write(&sets_path).map_err(write_io(sets_path.clone()))?;
                let words = Words::collect(&searcher, fields.body).map_err(tv)?;
                tracing::debug!(elapsed = ?phase.elapsed(), "words collected");
                let words_path = staging.join(WORDS_FILE);
                words
                    .write(&words_path)
                    .map_err(write_io(words_path.clone()))?;
                Ok(words)
            });
            let frequent_words = (|| -> Result<(), IndexError> {
                let mut counts = WordCounts::count(
                    &searcher,
                    (fields.body, fields.facets),
                    schema::KEY_COLUMN,
                    word_counts::MIN_PASSAGES,
                )
                .map_err(tv)?;
                if let Some(ranker) = &options.ranker {
                    counts
                        .count_places(
                            &searcher,
                            fields.facets,
                            schema::KEY_COLUMN,
                            word_counts::MIN_PASSAGES,
                            &*ranker.place,
                        )
                        .map_err(tv)?;
                }
                let counts_path = staging.join(WORD_COUNTS_FILE);
                tracing::debug!(elapsed = ?phase.elapsed(), "frequent words counted");
                counts
                    .write(&counts_path)
                    .map_err(write_io(counts_path.clone()))?;
                if let Some(ranker) = &options.ranker {
                    let tops = WordTops::rank(
                        &searcher,
                        (fields.body, fields.facets),
                        &counts,
                        ranker,
                        options.threads,
                    )
                    .map_err(tv)?;
                    tracing::debug!(elapsed = ?phase.elapsed(), "best passages of frequent words ranked");
                    let tops_path = staging.join(WORD_TOPS_FILE);
                    tops.write(&tops_path)
                        .map_err(write_io(tops_path.clone()))?;
                }
                Ok(())
            })();
            let bounds_and_sets = bounds_and_sets
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (frequent_words, bounds_and_sets)
        });
        frequent_words?;
        let words = bounds_and_sets?;
        let accents = self.accents.finish(|word| words.passages(word));
        write_json(&staging.join(ACCENTS_FILE), &accents)?;
        // Corpus order, whatever order the workers finished in.
        self.reports.sort_by_key(|(i, _)| *i);
        let reports: Vec<ReportMeta> = self.reports.into_iter().map(|(_, m)| m).collect();
        let reports_path = staging.join(REPORTS_FILE);
        std::fs::write(&reports_path, super::report_list::encode(&reports)).map_err(|source| {
            IndexError::Io {
                path: reports_path,
                source,
            }
        })?;
        self.totals.reports = reports.len();
        let manifest = Manifest {
            version: Manifest::VERSION,
            built_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            provinces: self.provinces,
            unit_names: super::schema::unit_names(reports.iter().map(|r| r.info.unit.as_deref())),
        };
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((manifest, self.totals, self.skipped))
    }
}

/// Merges the segments of an index into the groups [`segment_groups`] makes of them for `cores`
/// and segments of `large` passages, side by side; the segments the index has then.
///
/// A query pays for each segment it searches: its terms looked up, its scorers set up, its
/// counts cleared and read. tantivy's writer leaves a segment per few hundred thousand
/// passages (seven at 1 GB), and a server under load searches each request's segments one
/// after another, so fewer segments serve more requests: at 1 GB, seven segments merged into two
/// served a fifth to a quarter more requests at 32 connections, for a tenth more build time, and
/// at 100 MB four merged into one cost the 285 benchmark queries 10 % fewer instructions
/// (BENCHMARKS.md). A query running alone still searches one segment on each core.
fn merge_segments(index: &Index, cores: usize, large: u32) -> tantivy::Result<usize> {
    let segments = index.searchable_segment_metas()?;
    let docs: Vec<u32> = segments.iter().map(|s| s.num_docs()).collect();
    let groups = segment_groups(&docs, cores, large);
    if groups.len() == segments.len() {
        return Ok(segments.len());
    }
    let ids: Vec<Vec<_>> = groups
        .iter()
        .map(|g| segments[g.clone()].iter().map(|s| s.id()).collect())
        .collect();
    // A segment's files are kept while anything holds its meta.
    drop(segments);
    let mut writer = merge_writer(index)?;
    // tantivy runs each merge on a thread of its own.
    let merges: Vec<_> = ids
        .iter()
        .filter(|ids| ids.len() > 1)
        .map(|ids| writer.merge(ids))
        .collect();
    for merge in merges {
        merge.wait()?;
    }
    // The merged segments' files go now, not when a writer next opens the index.
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    Ok(groups.len())
}

/// The segments to merge, as runs of about equal passages: one run per core, but no more runs
/// than the index holds `large` passages (a segment worth searching on a thread of its own,
/// [`super::PARALLEL_SEGMENT_DOCS`]), so one run for a small index. `docs` are the segments'
/// passages, in the order the index lists them: tantivy keeps none of its own (its segment
/// register is a hash map), and no search depends on which segment a passage is in.
fn segment_groups(docs: &[u32], cores: usize, large: u32) -> Vec<std::ops::Range<usize>> {
    let total: u64 = docs.iter().map(|&d| u64::from(d)).sum();
    let runs = (total / u64::from(large.max(1))) as usize;
    let n = cores.min(runs).clamp(1, docs.len().max(1));
    if n >= docs.len() {
        return (0..docs.len()).map(|i| i..i + 1).collect();
    }
    // A segment goes to the group its middle passage falls in, so that each group holds about
    // `total / n` passages; a large segment may leave a group empty.
    let mut groups: Vec<std::ops::Range<usize>> = Vec::with_capacity(n);
    let mut last = None;
    let mut before = 0u64;
    for (i, &d) in docs.iter().enumerate() {
        let middle = before + u64::from(d) / 2;
        let group = ((middle * n as u64 / total.max(1)) as usize).min(n - 1);
        match groups.last_mut() {
            Some(run) if last == Some(group) => run.end = i + 1,
            _ => groups.push(i..i + 1),
        }
        last = Some(group);
        before += u64::from(d);
    }
    groups
}

/// How long the merge waits for the index's writer lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// A writer to merge with, once the writer lock is free. tantivy's lock is an `flock` on a file
/// of the index folder, held by an open descriptor: a child process that another thread of this
/// process starts (a PDF reader, `tesseract`) holds a copy of every open descriptor from its
/// fork until its `exec`, so the lock of the build's first writer can outlive that writer by a
/// moment. Nothing else writes in a staging folder, so the lock is only ever briefly busy.
fn merge_writer(index: &Index) -> tantivy::Result<IndexWriter> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        // tantivy's least memory for a writer: a merge reads and writes segments, it buffers
        // no documents.
        match index.writer_with_num_threads(1, 15_000_000) {
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            )) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// A counter of the reader's OCR work (0 when it counts none).
fn ocr_count(
    reader: &ingest::Reader,
    counter: impl Fn(&ingest::OcrStats) -> &AtomicUsize,
) -> usize {
    reader
        .ocr_stats
        .as_deref()
        .map_or(0, |s| counter(s).load(Ordering::Relaxed))
}

/// Reads and extracts one file. A panic in extraction (a bug meeting an odd file) skips the
/// file with its reason instead of stopping the build.
pub(crate) fn read_and_extract(
    file: &ingest::SourceFile,
    reader: &ingest::Reader,
    extractor: &Extractor,
    overrides: &HashMap<PathBuf, Overrides>,
) -> Result<(Report, usize), Skipped> {
    let skipped = |reason: String| Skipped {
        path: file.path.clone(),
        reason,
    };
    let doc = reader
        .read(&file.path, &file.root)
        .map_err(|e| skipped(e.to_string()))?;
    let fix = overrides.get(&file.root).and_then(|o| o.get(&doc.source));
    let pages = doc.pages.len().max(1);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (extractor.extract(&doc, fix), pages)
    }))
    .map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown failure");
        skipped(format!(
            "extraction failed ({what}); please report this file"
        ))
    })
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), IndexError> {
    let json = serde_json::to_vec(value).map_err(|e| IndexError::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, json).map_err(|source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn nothing_reason(corpus: &[PathBuf], skipped: &[Skipped]) -> String {
    let folders: Vec<String> = corpus.iter().map(|p| p.display().to_string()).collect();
    if skipped.is_empty() {
        format!("no .txt or .pdf reports found in {}", folders.join(", "))
    } else {
        format!(
            "all {} files in {} were skipped",
            skipped.len(),
            folders.join(", ")
        )
    }
}

/// A report ready for the writer: its documents and its metadata.
struct Prepared {
    meta: ReportMeta,
    docs: Vec<TantivyDocument>,
    /// Each passage's record for the passage store, in the order of `docs`.
    records: Vec<Vec<u8>>,
    text_bytes: u64,
}

fn prepare(fields: &Fields, provinces: &[String], report: Report, path: &Path) -> Prepared {
    let figures: usize = report.passages.iter().map(|p| p.figures.len()).sum();
    let meta = ReportMeta {
        report_id: report.id.clone(),
        info: ReportInfo {
            source: report.source.clone(),
            title: report.title.clone(),
            year: report.year,
            province: report.province.clone(),
            unit: report.unit.clone(),
        },
        path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        evidence: report.evidence.clone(),
        passages: report.passages.len(),
        figures,
    };
    Prepared {
        meta,
        text_bytes: report.text.len() as u64,
        docs: documents(fields, provinces, &report),
        records: report
            .passages
            .iter()
            .map(|p| {
                let mut record = Vec::new();
                super::record::encode(&report.id, p, &mut record);
                record
            })
            .collect(),
    }
}

/// The prior weight of a passage in ranking, in percent: a title or heading line (no sentence
/// end, every lowercase word a connector: "Rendición de Cuentas 2021 Dirección Nacional de …";
/// or, in the sentence case Spanish headings use, a capital and at most [`HEADING_WORDS`]
/// words without a digit or a colon: "Recaudación y gestión de cartera") or a table's row of
/// labels (`Ejecutado | Presupuestado`, `2007 | 2008`) 35; a row of a table's data (`data_row`:
/// a row under a header, or in a table without one) [`ROW_WEIGHT`]; other passages from 60 for
/// one word to 100 from a dozen words. BM25 alone favours short passages, so a search would
/// open on headings that only repeat its words.
pub fn passage_weight(text: &str, data_row: bool) -> u64 {
    const CONNECTORS: [&str; 12] = [
        "de", "del", "la", "las", "el", "los", "y", "e", "en", "para", "a", "al",
    ];
    if data_row {
        return ROW_WEIGHT;
    }
    let sentence = text.trim_end().ends_with(['.', '!', '?', ';', ':', ',']);
    // Past 20 words a passage weighs 100 whatever they are: no need to read on.
    let mut words = 0u64;
    let mut title_like = !sentence;
    for w in text.split_whitespace().take(21) {
        words += 1;
        if title_like {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            title_like =
                !w.chars().next().is_some_and(char::is_lowercase) || CONNECTORS.contains(&w);
        }
    }
    let heading = !sentence && words <= HEADING_WORDS && sentence_case_heading(text);
    if (words <= 20 && title_like) || heading || labels_row(text) {
        return 35;
    }
    60 + 40 * words.min(12) / 12
}

/// Words of the longest heading in sentence case: a longer line without a stop is an item
/// that says something (`Implementación de los servicios de obstetricia y psicología`).
const HEADING_WORDS: u64 = 6;

/// Whether a short line that ends no sentence reads as a heading in sentence case: a capital
/// first, no figure and no label (`Recaudación y gestión de cartera`, `Desafíos y
/// compromisos`).
fn sentence_case_heading(text: &str) -> bool {
    text.starts_with(char::is_uppercase)
        && !text.contains([':', '|'])
        && !text.bytes().any(|b| b.is_ascii_digit())
}

/// Weight of a row of a table's data, whatever its length or its case: its figures answer a
/// search, but a sentence with the same words says more, and every row of a table is found by
/// the table's column headers (`header_words`), which would otherwise fill the first page with
/// one table.
const ROW_WEIGHT: u64 = 70;

/// Whether `text` is a row of a table's labels: cells of a few words, and no digit, however
/// many cells (a header repeated over a table on every page). A sentence that a gap cut into
/// cells has a long cell.
fn labels_row(text: &str) -> bool {
    /// Words of the longest cell of a row of labels (`Crédito Vig. - Devengado`): fewer than
    /// a single label may hold (`extract::table`), since here a row of any length is judged.
    const CELL_WORDS: usize = 6;
    let separator = crate::extract::table::CELL_SEPARATOR;
    text.contains(separator)
        && !text.bytes().any(|b| b.is_ascii_digit())
        && text
            .split(separator)
            .all(|cell| cell.split_whitespace().nth(CELL_WORDS).is_none())
}

/// The words of a table row's column headers, each once, to index with the row: a row is found
/// by what its figures are (`remuneraciones devengado` finds `Total Remuneraciones | … |
/// 2.403.544,30 | …` under `Devengado`), where its own cells hold only its label and numbers.
/// A word that heads several columns (`Gasto Total`, `Gasto Corriente`) counts once, or every
/// row of a wide table would outrank the sentences that use it. Indexed as a value of its own,
/// so that no phrase runs from a cell into a header. At most [`MAX_HEADER_WORDS`]: a row of a
/// table thousands of columns wide costs no more than that.
fn header_words(columns: &[String]) -> String {
    let mut words = String::new();
    let mut seen: HashSet<String> = HashSet::new();
    for word in columns.iter().flat_map(|c| c.split_whitespace()) {
        if seen.len() == MAX_HEADER_WORDS {
            break;
        }
        if seen.insert(word.to_lowercase()) {
            if !words.is_empty() {
                words.push(' ');
            }
            words.push_str(word);
        }
    }
    words
}

/// Most words of its column headers indexed with a row.
const MAX_HEADER_WORDS: usize = 100;

/// tantivy's doc store holds no field (passages are in the passage store): nothing to
/// compress.
fn store_settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::None,
        ..IndexSettings::default()
    }
}

/// One tantivy document per passage of `report`.
fn documents(f: &Fields, provinces: &[String], report: &Report) -> Vec<TantivyDocument> {
    let province_id = report
        .province
        .as_ref()
        .and_then(|p| provinces.iter().position(|q| q == p))
        .map_or(0, |i| (i + 1) as u8);
    let mut report_facets = Vec::new();
    if let Some(year) = report.year {
        report_facets.push(Facet::from_path(["year", &year.to_string()]));
    }
    if let Some(province) = &report.province {
        report_facets.push(Facet::from_path(["province", province.as_str()]));
    }
    if let Some(unit) = &report.unit {
        report_facets.extend(
            super::schema::unit_words(unit)
                .iter()
                .map(|w| super::schema::unit_facet(w)),
        );
    }
    let mut docs = Vec::with_capacity(report.passages.len());
    for p in &report.passages {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.report_id, &report.id);
        doc.add_u64(f.ordinal, p.ordinal as u64);
        let key = PassageKey::new(
            report.year,
            province_id,
            &p.policies,
            // A row of data knows its columns (unnamed ones too); a header row or prose not.
            passage_weight(&p.text, !p.columns.is_empty()),
        );
        doc.add_u64(f.key, key.pack());
        doc.add_text(f.body, &p.text);
        doc.add_text(f.pairs, &p.text);
        // A row that holds neither a figure nor a word (`2007- | 2007-`, a header's years cut
        // from their line) has nothing its headers name: found by them, it would show nothing.
        let named = !p.figures.is_empty() || p.text.chars().any(char::is_alphabetic);
        let headers = if named {
            header_words(&p.columns)
        } else {
            String::new()
        };
        if !headers.is_empty() {
            doc.add_text(f.body, &headers);
            doc.add_text(f.pairs, &headers);
        }
        let in_units = crate::extract::table::values_in_units(&p.figures);
        if !in_units.is_empty() {
            doc.add_text(f.body, &in_units);
        }
        for facet in &report_facets {
            doc.add_facet(f.facets, facet.clone());
        }
        let mut policies = HashSet::new();
        for policy in &p.policies {
            if policies.insert(*policy) {
                doc.add_facet(f.facets, Facet::from_path(["policy", policy.slug()]));
            }
        }
        if let Some(year) = report.year.and_then(|y| u64::try_from(y).ok()) {
            doc.add_u64(f.year, year);
        }
        let mut kinds = [false; FigureKind::ALL.len()];
        for fig in &p.figures {
            doc.add_f64(f.figure_field(fig.kind), fig.value);
            kinds[fig.kind as usize] = true;
        }
        for kind in FigureKind::ALL {
            if kinds[kind as usize] {
                // Adds `/figure` too: facets index their ancestors.
                doc.add_facet(f.facets, super::schema::figure_facet(Some(kind)));
            }
        }
        docs.push(doc);
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::{merge_segments, passage_weight, segment_groups};
    use proptest::prelude::*;

    /// An index in `dir` with a segment of documents per item of `segments`, each document
    /// the one word it names.
    fn index_in_segments(dir: &std::path::Path, segments: &[&[&str]]) -> tantivy::Index {
        use tantivy::schema::{Schema, STRING};

        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let index = tantivy::Index::create_in_dir(dir, schema.build()).expect("index");
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for segment in segments {
            for text in *segment {
                writer
                    .add_document(tantivy::doc!(word => *text))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        writer.wait_merging_threads().expect("writer done");
        index
    }

    #[test]
    fn segments_merge_into_runs_of_about_equal_passages() {
        // The 1 GB benchmark corpus as tantivy's writer leaves it.
        let gigabyte = [443_409, 443_297, 442_341, 428_631, 420_315, 418_290, 57_248];
        assert_eq!(segment_groups(&gigabyte, 2, 200_000), vec![0..3, 3..7]);
        // Enough cores for every segment: nothing to merge.
        let alone: Vec<_> = (0..7).map(|i| i..i + 1).collect();
        assert_eq!(segment_groups(&gigabyte, 16, 200_000), alone);
        // A small index in one segment, whatever the cores.
        let small = [60_000, 60_000, 60_000, 60_000];
        assert_eq!(segment_groups(&small, 2, 200_000), vec![0..4]);
        assert_eq!(segment_groups(&small, 1, 10), vec![0..4]);
        // No more runs than segments of `large` passages.
        assert_eq!(
            segment_groups(&[250_000; 6], 8, 500_000),
            vec![0..2, 2..4, 4..6]
        );
        // A large segment first is a run of its own, and may leave a core without one.
        assert_eq!(
            segment_groups(&[1_000_000, 10, 10], 2, 200_000),
            vec![0..1, 1..3]
        );
        assert_eq!(
            segment_groups(&[1_000_000, 10, 10, 10], 3, 200_000),
            vec![0..1, 1..4]
        );
        assert_eq!(
            segment_groups(&[], 2, 200_000),
            Vec::<std::ops::Range<usize>>::new()
        );
    }

    proptest! {
        #[test]
        fn segment_runs_cover_every_segment_once(
            docs in proptest::collection::vec(0u32..1_000_000, 0..40),
            cores in 1usize..16,
            large in 1u32..500_000,
        ) {
            let groups = segment_groups(&docs, cores, large);
            let mut next = 0;
            for g in &groups {
                prop_assert_eq!(g.start, next);
                prop_assert!(g.end > g.start);
                next = g.end;
            }
            prop_assert_eq!(next, docs.len());
            let total: u64 = docs.iter().map(|&d| u64::from(d)).sum();
            let runs = (total / u64::from(large)) as usize;
            prop_assert!(groups.len() <= cores.min(runs).max(1));
        }
    }

    #[test]
    fn a_large_index_merges_into_a_segment_per_core() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let words: Vec<String> = (0..18).map(|i| format!("w{i}")).collect();
        let segments: Vec<Vec<&str>> = words
            .chunks(3)
            .map(|c| c.iter().map(String::as_str).collect())
            .collect();
        let segments: Vec<&[&str]> = segments.iter().map(Vec::as_slice).collect();
        let index = index_in_segments(tmp.path(), &segments);
        assert_eq!(index.searchable_segment_metas().expect("metas").len(), 6);
        // Segments of 5 passages are worth a thread: 18 passages make two on two cores.
        assert_eq!(merge_segments(&index, 2, 5).expect("merges"), 2);
        let metas = index.searchable_segment_metas().expect("metas");
        let mut docs: Vec<u32> = metas.iter().map(|m| m.num_docs()).collect();
        docs.sort_unstable();
        assert_eq!(docs, vec![9, 9]);
        // Merged already: nothing more to do.
        assert_eq!(merge_segments(&index, 2, 5).expect("merges"), 2);
    }

    #[test]
    fn the_merge_waits_for_a_writer_lock_busy_a_moment_longer() {
        use std::os::fd::AsRawFd;

        let tmp = tempfile::tempdir().expect("tempdir");
        let index = index_in_segments(tmp.path(), &[&["uno"], &["dos"]]);
        // The lock file held through a descriptor of its own, as a child process holds the
        // first writer's between its fork and its exec.
        let lock_path = tmp
            .path()
            .join(&tantivy::directory::INDEX_WRITER_LOCK.filepath);
        let lock = std::fs::File::options()
            .write(true)
            .open(&lock_path)
            .expect("lock file");
        // SAFETY: `flock` on a descriptor this function owns.
        let locked = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        assert_eq!(locked, 0, "the test holds the lock");
        let holder = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(lock);
        });
        assert_eq!(
            merge_segments(&index, 2, 1_000).expect("the merge waits for the lock"),
            1
        );
        holder.join().expect("holder");
        assert_eq!(index.searchable_segment_metas().expect("metas").len(), 1);
    }

    /// The weight as first written: every word read.
    fn weight_of_all_words(text: &str) -> u64 {
        const CONNECTORS: [&str; 12] = [
            "de", "del", "la", "las", "el", "los", "y", "e", "en", "para", "a", "al",
        ];
        let words: Vec<&str> = text.split_whitespace().collect();
        let sentence = text.trim_end().ends_with(['.', '!', '?', ';', ':', ',']);
        let title_like = words.iter().all(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            !w.chars().next().is_some_and(char::is_lowercase) || CONNECTORS.contains(&w)
        });
        let labels = text.contains(" | ")
            && !text.chars().any(|c| c.is_ascii_digit())
            && text
                .split(" | ")
                .all(|cell| cell.split_whitespace().count() <= 6);
        // A short heading in sentence case.
        let heading = !sentence
            && words.len() <= 6
            && text.starts_with(char::is_uppercase)
            && !text.contains([':', '|'])
            && !text.chars().any(|c| c.is_ascii_digit());
        if (!sentence && title_like && words.len() <= 20) || heading || labels {
            return 35;
        }
        60 + 40 * (words.len() as u64).min(12) / 12
    }

    proptest! {
        #[test]
        fn the_weight_reads_no_further_than_it_needs(text in "((de|Plan|salud|IESS|2021|y|\\||\\.|,) ){0,40}(\\.|:|)") {
            prop_assert_eq!(passage_weight(&text, false), weight_of_all_words(&text));
        }
    }

    #[test]
    fn a_word_heading_several_columns_is_indexed_once_with_the_row() {
        let columns = [
            "",
            "Gasto Total",
            "Gasto Corriente 2007",
            "gasto de Inversión 2007",
        ]
        .map(String::from);
        assert_eq!(
            super::header_words(&columns),
            "Gasto Total Corriente 2007 de Inversión"
        );
        assert_eq!(super::header_words(&[String::new()]), "");
        // A table thousands of columns wide: its rows take the first words of its headers.
        let wide: Vec<String> = (0..5_000).map(|i| format!("Columna{i} total")).collect();
        let words = super::header_words(&wide);
        assert_eq!(words.split(' ').count(), super::MAX_HEADER_WORDS);
        assert!(words.starts_with("Columna0 total Columna1 Columna2"));
    }

    #[test]
    fn one_indexing_thread_serves_two_readers() {
        let indexing: Vec<usize> = [0, 1, 2, 3, 4, 8, 64].map(super::writer_threads).to_vec();
        assert_eq!(indexing, [1, 1, 1, 2, 2, 4, 8]);
    }

    #[test]
    fn titles_and_headings_weigh_less_than_sentences() {
        assert_eq!(passage_weight("Rendición de Cuentas 2021 Dirección Nacional de Seguro de Salud Individual y Familiar", false), 35);
        assert_eq!(
            passage_weight(
                "NARRATIVA RENDICIÓN DE CUENTAS DIRECCIÓN PROVINCIAL MANABI",
                false
            ),
            35
        );
        assert_eq!(passage_weight("Implementación de los servicios de obstetricia y psicología en los dispensarios médicos", false), 100);
        // Spanish headings in sentence case; not a line that says a figure or a label's value.
        assert_eq!(
            passage_weight("Recaudación y gestión de cartera", false),
            35
        );
        assert_eq!(passage_weight("Desafíos y compromisos", false), 35);
        assert_eq!(
            passage_weight("Afiliados voluntarios: 940", false),
            60 + 40 * 3 / 12
        );
        assert_eq!(
            passage_weight("Cobertura de vacunación en 2021", false),
            60 + 40 * 5 / 12
        );
        assert_eq!(
            passage_weight(
                "Reducir los tiempos de espera en consulta externa y cirugía",
                false
            ),
            60 + 40 * 10 / 12
        );
        assert_eq!(
            passage_weight("Se culminó la obra.", false),
            60 + 40 * 4 / 12
        );
        // A table's labels, years over its columns too, or a row of its data.
        assert_eq!(passage_weight("ejecutado | presupuestado", false), 35);
        assert_eq!(
            passage_weight("Ejecutado | Presupuestado | Central", false),
            35
        );
        assert_eq!(passage_weight("2007 | 2008 | 2009", false), 35);
        // However many its columns: the header of a wide table, repeated on every page, does
        // not outrank the sentences that use its words.
        let header = "Descripción | Crédito Aprobado | Modifica ciones | Crédito Vigente | \
                      Preventivo | Compromiso | Devengado | Pagado | Crédito Disponible | \
                      Crédito Vig. - Devengado | Devengado no pagado";
        assert!(header.split_whitespace().count() > 20);
        assert_eq!(passage_weight(header, false), 35);
        assert_eq!(
            passage_weight(
                "Se realizaron las jornadas de capacitación | dirigidas al personal de \
                 todas las unidades médicas de la provincia durante el año",
                false
            ),
            100
        );
        // Every row of figures weighs the same, whatever its length or its case.
        assert_eq!(passage_weight("horas extra | 1.250,00", true), 70);
        assert_eq!(
            passage_weight("Total Remuneraciones | 4.662,11 | 96.308,94", true),
            70
        );
        assert_eq!(
            passage_weight(&format!("Provincia 2{}", " | 1.250".repeat(20)), true),
            70
        );
        // A sentence that a gap cut into cells weighs as a sentence.
        assert_eq!(
            passage_weight("En este criterio de asignación, mientras el | sea más cercano a 1, el GAD recibirá una mayor asig-", false),
            100
        );
    }
}
