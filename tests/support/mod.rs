//! Shared test helpers: an index of the sample corpus built once per test run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cuentas::extract::Extractor;
use cuentas::index::{self, BuildOptions, BuildSummary, Engine, IndexDir};
use cuentas::search::{self, RawRequest, Request, Response};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus() -> PathBuf {
    repo().join("corpus")
}

pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

/// Builds an index of `folders` into `dir`.
pub fn build(folders: &[PathBuf], dir: &Path) -> Result<BuildSummary, index::IndexError> {
    build_with(folders, dir, reader())
}

/// Builds an index of `folders` into `dir`, reading files with `reader`.
pub fn build_with(
    folders: &[PathBuf],
    dir: &Path,
    reader: cuentas::ingest::Reader,
) -> Result<BuildSummary, index::IndexError> {
    // Four readers make two indexing threads, which write segments of their own: the build
    // merges them, as it merges any small index written in several.
    let options = BuildOptions {
        memory_budget: 64 << 20,
        threads: 4,
        reader,
        merge_segments: true,
        ranker: Some(cuentas::search::word_ranker()),
    };
    build_options(folders, dir, &options)
}

/// Builds an index of `folders` into `dir`, leaving it in the segments tantivy wrote.
pub fn build_in_segments(
    folders: &[PathBuf],
    dir: &Path,
) -> Result<BuildSummary, index::IndexError> {
    // Two indexing threads (see `build_with`), each writing segments of its own.
    let options = BuildOptions {
        memory_budget: 64 << 20,
        threads: 4,
        reader: reader(),
        merge_segments: false,
        ranker: Some(cuentas::search::word_ranker()),
    };
    build_options(folders, dir, &options)
}

fn build_options(
    folders: &[PathBuf],
    dir: &Path,
    options: &BuildOptions,
) -> Result<BuildSummary, index::IndexError> {
    index::build(
        folders,
        &IndexDir::new(dir),
        &Extractor::builtin(),
        options,
        &|_| {},
    )
}

/// A reader that runs the `cuentas` binary built for these tests to read PDFs.
pub fn reader() -> cuentas::ingest::Reader {
    cuentas::ingest::Reader::default().with_program(env!("CARGO_BIN_EXE_cuentas"))
}

struct Shared {
    dir: tempfile::TempDir,
    engine: Engine,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        build(&[corpus()], dir.path()).expect("the sample corpus indexes");
        let engine = Engine::open(&IndexDir::new(dir.path())).expect("opens");
        Shared { dir, engine }
    })
}

/// The sample corpus, indexed once for the whole test binary.
pub fn engine() -> &'static Engine {
    &shared().engine
}

/// The folder of that shared index (read-only: tests that rebuild make their own).
pub fn index_dir() -> &'static Path {
    shared().dir.path()
}

/// A corpus folder under `dir` holding one text report, `name`, of `text`.
pub fn one_report(dir: &Path, name: &str, text: &str) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).expect("corpus folder");
    std::fs::write(corpus.join(name), text).expect("report written");
    corpus
}

/// The opened index of one text report, `name`, of `text`, built under `dir`.
pub fn engine_of_report(dir: &Path, name: &str, text: &str) -> Engine {
    engine_of_reports(dir, [(name, text)])
}

/// The opened index of text reports, each a name and its text, built under `dir`.
pub fn engine_of_reports<N: AsRef<str>, T: AsRef<str>>(
    dir: &Path,
    reports: impl IntoIterator<Item = (N, T)>,
) -> Engine {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).expect("corpus folder");
    for (name, text) in reports {
        std::fs::write(corpus.join(name.as_ref()), text.as_ref()).expect("report written");
    }
    let index = dir.join("index");
    build(&[corpus], &index).expect("indexes");
    Engine::open(&IndexDir::new(&index)).expect("opens")
}

/// Runs a search with filters given as (name, value) pairs.
pub fn search(q: &str, filters: &[(&str, &str)]) -> Response {
    search_in(engine(), q, filters)
}

/// [`search`] on `engine`.
pub fn search_in(engine: &Engine, q: &str, filters: &[(&str, &str)]) -> Response {
    let mut raw = RawRequest {
        q: Some(q.to_string()),
        ..RawRequest::default()
    };
    for (k, v) in filters {
        let v = v.to_string();
        match *k {
            "year" => raw.year.push(v),
            "province" => raw.province.push(v),
            "policy" => raw.policy.push(v),
            "limit" => raw.limit = Some(v),
            "offset" => raw.offset = Some(v),
            other => panic!("unknown filter {other}"),
        }
    }
    let request = Request::from_raw(&raw).expect("valid request");
    search::run(engine, &request).expect("search runs")
}
