//! Configuration, merged once: built-in defaults < `config/cuentas.toml` < `CUENTAS_*`
//! environment variables < command-line flags. Lower layers get plain values from [`Config`]
//! and never read files or the environment themselves.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_FILE: &str = "config/cuentas.toml";

/// A configuration value that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML of the expected shape.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, on one line.
        message: String,
    },
    /// A value is out of range or of the wrong type.
    #[error("invalid {key} {value:?} (from {origin}): {expected}")]
    Value {
        /// The key as written in the file (`index.memory_mb`).
        key: &'static str,
        /// The value refused, as given.
        value: String,
        /// Where it came from: the file or the environment variable (`CUENTAS_MEMORY_MB`).
        origin: String,
        /// What the key accepts (`MiB from 16 to 16384`).
        expected: &'static str,
    },
}

/// The merged configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Folder of the index (`index`).
    pub index_dir: PathBuf,
    /// Folders of reports to index (`corpus`).
    pub corpus: Vec<PathBuf>,
    /// Memory for tantivy's indexing buffers, in MiB (16 to 16384).
    pub memory_mb: usize,
    /// Threads reading and extracting reports; 0 = one per core.
    pub threads: usize,
    /// Address the server listens on, `host:port`.
    pub addr: String,
    /// Origins allowed by CORS; empty = same origin only.
    pub cors_origins: Vec<String>,
    /// Longest time a request may take, in seconds; its work is stopped then.
    pub request_timeout_secs: u64,
    /// Seconds allowed to read one PDF.
    pub pdf_timeout_secs: u64,
    /// Memory allowed to the process reading one PDF, in MiB.
    pub pdf_memory_mb: u64,
    /// Largest report file read, in MiB.
    pub max_file_mb: u64,
    /// Whether scanned pages and images are read by OCR.
    pub ocr: bool,
    /// Seconds allowed to render and read one scanned page.
    pub ocr_page_timeout_secs: u64,
    /// Threads answering searches, suggestions, facets and report views (figure lookups,
    /// exports and batches get half as many, at least one); 0 = one per core.
    pub search_threads: usize,
    /// Searches that may wait for a thread; more are refused at once. 0 = four per thread.
    pub search_queue: usize,
    /// Threads reading requests and writing responses (the search pool does the searching);
    /// 0 = one per four cores, at least one.
    pub http_threads: usize,
    /// MiB of search responses kept for requests asked again on the same index; 0 = none.
    pub result_cache_mb: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            index_dir: PathBuf::from("index"),
            corpus: vec![PathBuf::from("corpus")],
            memory_mb: 256,
            threads: 0,
            addr: "127.0.0.1:8080".into(),
            cors_origins: Vec::new(),
            request_timeout_secs: 10,
            pdf_timeout_secs: 60,
            pdf_memory_mb: 1024,
            max_file_mb: 256,
            ocr: true,
            ocr_page_timeout_secs: 180,
            search_threads: 0,
            search_queue: 0,
            http_threads: 0,
            result_cache_mb: 32,
        }
    }
}

/// Cores of this machine (2 when it cannot be told).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Config {
    /// Threads to use for reading and extracting.
    pub fn effective_threads(&self) -> usize {
        if self.threads == 0 {
            cores()
        } else {
            self.threads
        }
    }

    /// How scanned pages are read; `cache` is where pages read are kept.
    pub fn ocr_settings(&self, cache: Option<PathBuf>) -> crate::ingest::OcrSettings {
        crate::ingest::OcrSettings {
            enabled: self.ocr,
            page_time: std::time::Duration::from_secs(self.ocr_page_timeout_secs),
            threads: self.effective_threads(),
            cache,
            ..crate::ingest::OcrSettings::default()
        }
    }

    /// The limits on reading one report file.
    pub fn read_limits(&self) -> crate::ingest::Limits {
        crate::ingest::Limits {
            pdf_time: std::time::Duration::from_secs(self.pdf_timeout_secs),
            pdf_memory: self.pdf_memory_mb << 20,
            max_file: self.max_file_mb << 20,
        }
    }

    /// Threads of the search pool.
    pub fn effective_search_threads(&self) -> usize {
        if self.search_threads == 0 {
            cores()
        } else {
            self.search_threads
        }
    }

    /// Threads of the HTTP runtime. They only parse requests and copy responses out, while
    /// the search threads are busy on every core: more of them than a few take turns on the
    /// same cores, and each response costs more switches between threads than it saves.
    pub fn effective_http_threads(&self) -> usize {
        if self.http_threads == 0 {
            cores().div_ceil(4)
        } else {
            self.http_threads
        }
    }

    /// Places in the search queue.
    pub fn effective_search_queue(&self) -> usize {
        if self.search_queue == 0 {
            4 * self.effective_search_threads()
        } else {
            self.search_queue
        }
    }
}

/// What flags can set; `None`/empty leaves the value to lower layers.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--config`: the configuration file, instead of [`DEFAULT_FILE`].
    pub config: Option<PathBuf>,
    /// `--index`.
    pub index_dir: Option<PathBuf>,
    /// `--corpus`, repeated.
    pub corpus: Vec<PathBuf>,
    /// `--addr`.
    pub addr: Option<String>,
    /// `--pdf-timeout`, in seconds.
    pub pdf_timeout_secs: Option<u64>,
    /// `--pdf-memory-mb`.
    pub pdf_memory_mb: Option<u64>,
    /// `--no-ocr`.
    pub no_ocr: bool,
    /// `--ocr-page-timeout`, in seconds.
    pub ocr_page_timeout_secs: Option<u64>,
    /// `--search-threads`; 0 = one per core.
    pub search_threads: Option<usize>,
    /// `--search-queue`; 0 = four per thread.
    pub search_queue: Option<usize>,
    /// `--http-threads`; 0 = one per four cores.
    pub http_threads: Option<usize>,
    /// `--result-cache-mb`; 0 = none.
    pub result_cache_mb: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    index: IndexSection,
    #[serde(default)]
    corpus: CorpusSection,
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    reading: ReadingSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadingSection {
    pdf_timeout_secs: Option<u64>,
    pdf_memory_mb: Option<u64>,
    max_file_mb: Option<u64>,
    ocr: Option<bool>,
    ocr_page_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexSection {
    dir: Option<PathBuf>,
    memory_mb: Option<usize>,
    threads: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusSection {
    dirs: Option<Vec<PathBuf>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    addr: Option<String>,
    cors_origins: Option<Vec<String>>,
    request_timeout_secs: Option<u64>,
    search_threads: Option<usize>,
    search_queue: Option<usize>,
    http_threads: Option<usize>,
    result_cache_mb: Option<usize>,
}

/// Merges every layer. `env` looks a variable up (`std::env::var` in the binary, a map in tests).
pub fn load(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let mut c = Config::default();

    // The file: an explicit one must exist; the default one may be absent.
    let explicit = flags
        .config
        .clone()
        .or_else(|| env("CUENTAS_CONFIG").map(PathBuf::from));
    let path = explicit
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    match std::fs::read_to_string(&path) {
        Ok(text) => apply_file(&mut c, &path, &text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {}
        Err(source) => return Err(ConfigError::Read { path, source }),
    }

    apply_env(&mut c, env)?;
    apply_flags(&mut c, flags);
    validate(&c)?;
    Ok(c)
}

/// The `CUENTAS_*` environment layer.
fn apply_env(c: &mut Config, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    if let Some(v) = env("CUENTAS_INDEX") {
        c.index_dir = PathBuf::from(v);
    }
    if let Some(v) = env("CUENTAS_CORPUS") {
        c.corpus = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    if let Some(v) = env("CUENTAS_ADDR") {
        c.addr = v;
    }
    if let Some(v) = env("CUENTAS_MEMORY_MB") {
        c.memory_mb = number(
            "index.memory_mb",
            &v,
            "CUENTAS_MEMORY_MB",
            "MiB from 16 to 16384",
        )?;
    }
    if let Some(v) = env("CUENTAS_THREADS") {
        c.threads = number(
            "index.threads",
            &v,
            "CUENTAS_THREADS",
            "0 (one per core) to 64",
        )?;
    }
    if let Some(v) = env("CUENTAS_CORS_ORIGINS") {
        c.cors_origins = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    if let Some(v) = env("CUENTAS_REQUEST_TIMEOUT_SECS") {
        c.request_timeout_secs = number(
            "server.request_timeout_secs",
            &v,
            "CUENTAS_REQUEST_TIMEOUT_SECS",
            "seconds from 1 to 3600",
        )? as u64;
    }

    if let Some(v) = env("CUENTAS_SEARCH_THREADS") {
        c.search_threads = number(
            "server.search_threads",
            &v,
            "CUENTAS_SEARCH_THREADS",
            "0 (one per core) to 64",
        )?;
    }
    if let Some(v) = env("CUENTAS_HTTP_THREADS") {
        c.http_threads = number(
            "server.http_threads",
            &v,
            "CUENTAS_HTTP_THREADS",
            "0 (one per four cores) to 64",
        )?;
    }
    if let Some(v) = env("CUENTAS_SEARCH_QUEUE") {
        c.search_queue = number(
            "server.search_queue",
            &v,
            "CUENTAS_SEARCH_QUEUE",
            "0 (four per search thread) to 4096",
        )?;
    }
    if let Some(v) = env("CUENTAS_RESULT_CACHE_MB") {
        c.result_cache_mb = number(
            "server.result_cache_mb",
            &v,
            "CUENTAS_RESULT_CACHE_MB",
            "MiB from 0 (none) to 4096",
        )?;
    }
    apply_env_reading(c, env)
}

/// The `CUENTAS_*` variables of the `[reading]` section.
fn apply_env_reading(
    c: &mut Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    if let Some(v) = env("CUENTAS_PDF_TIMEOUT_SECS") {
        c.pdf_timeout_secs = number(
            "reading.pdf_timeout_secs",
            &v,
            "CUENTAS_PDF_TIMEOUT_SECS",
            "seconds from 1 to 86400",
        )? as u64;
    }
    if let Some(v) = env("CUENTAS_PDF_MEMORY_MB") {
        c.pdf_memory_mb = number(
            "reading.pdf_memory_mb",
            &v,
            "CUENTAS_PDF_MEMORY_MB",
            "MiB from 64 to 65536",
        )? as u64;
    }
    if let Some(v) = env("CUENTAS_MAX_FILE_MB") {
        c.max_file_mb = number(
            "reading.max_file_mb",
            &v,
            "CUENTAS_MAX_FILE_MB",
            "MiB from 1 to 4096",
        )? as u64;
    }

    if let Some(v) = env("CUENTAS_OCR") {
        c.ocr = match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => {
                return Err(ConfigError::Value {
                    key: "reading.ocr",
                    value: v,
                    origin: "CUENTAS_OCR".into(),
                    expected: "true or false",
                })
            }
        };
    }
    if let Some(v) = env("CUENTAS_OCR_PAGE_TIMEOUT_SECS") {
        c.ocr_page_timeout_secs = number(
            "reading.ocr_page_timeout_secs",
            &v,
            "CUENTAS_OCR_PAGE_TIMEOUT_SECS",
            "seconds from 1 to 86400",
        )? as u64;
    }

    Ok(())
}

/// The flags layer, above all others.
fn apply_flags(c: &mut Config, flags: &Flags) {
    if let Some(v) = flags.search_threads {
        c.search_threads = v;
    }
    if let Some(v) = flags.search_queue {
        c.search_queue = v;
    }
    if let Some(v) = flags.http_threads {
        c.http_threads = v;
    }
    if let Some(v) = flags.result_cache_mb {
        c.result_cache_mb = v;
    }
    if let Some(v) = &flags.index_dir {
        c.index_dir = v.clone();
    }
    if !flags.corpus.is_empty() {
        c.corpus = flags.corpus.clone();
    }
    if let Some(v) = &flags.addr {
        c.addr = v.clone();
    }
    if let Some(v) = flags.pdf_timeout_secs {
        c.pdf_timeout_secs = v;
    }
    if let Some(v) = flags.pdf_memory_mb {
        c.pdf_memory_mb = v;
    }
    if flags.no_ocr {
        c.ocr = false;
    }
    if let Some(v) = flags.ocr_page_timeout_secs {
        c.ocr_page_timeout_secs = v;
    }
}

fn apply_file(c: &mut Config, path: &Path, text: &str) -> Result<(), ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string().trim().replace('\n', " "),
    })?;
    if let Some(v) = file.index.dir {
        c.index_dir = v;
    }
    if let Some(v) = file.index.memory_mb {
        c.memory_mb = v;
    }
    if let Some(v) = file.index.threads {
        c.threads = v;
    }
    if let Some(v) = file.corpus.dirs {
        c.corpus = v;
    }
    if let Some(v) = file.server.addr {
        c.addr = v;
    }
    if let Some(v) = file.server.cors_origins {
        c.cors_origins = v;
    }
    if let Some(v) = file.server.request_timeout_secs {
        c.request_timeout_secs = v;
    }
    if let Some(v) = file.reading.pdf_timeout_secs {
        c.pdf_timeout_secs = v;
    }
    if let Some(v) = file.reading.pdf_memory_mb {
        c.pdf_memory_mb = v;
    }
    if let Some(v) = file.reading.max_file_mb {
        c.max_file_mb = v;
    }
    if let Some(v) = file.reading.ocr {
        c.ocr = v;
    }
    if let Some(v) = file.reading.ocr_page_timeout_secs {
        c.ocr_page_timeout_secs = v;
    }
    if let Some(v) = file.server.search_threads {
        c.search_threads = v;
    }
    if let Some(v) = file.server.search_queue {
        c.search_queue = v;
    }
    if let Some(v) = file.server.http_threads {
        c.http_threads = v;
    }
    if let Some(v) = file.server.result_cache_mb {
        c.result_cache_mb = v;
    }
    Ok(())
}

fn number(
    key: &'static str,
    v: &str,
    origin: &str,
    expected: &'static str,
) -> Result<usize, ConfigError> {
    v.trim().parse().map_err(|_| ConfigError::Value {
        key,
        value: v.to_string(),
        origin: origin.to_string(),
        expected,
    })
}

fn validate(c: &Config) -> Result<(), ConfigError> {
    let bad = |key, value: String, expected| ConfigError::Value {
        key,
        value,
        origin: "the merged configuration".into(),
        expected,
    };
    if !(16..=16384).contains(&c.memory_mb) {
        return Err(bad(
            "index.memory_mb",
            c.memory_mb.to_string(),
            "MiB from 16 to 16384",
        ));
    }
    if c.threads > 64 {
        return Err(bad(
            "index.threads",
            c.threads.to_string(),
            "0 (one per core) to 64",
        ));
    }
    if !(1..=86400).contains(&c.pdf_timeout_secs) {
        return Err(bad(
            "reading.pdf_timeout_secs",
            c.pdf_timeout_secs.to_string(),
            "seconds from 1 to 86400",
        ));
    }
    if !(64..=65536).contains(&c.pdf_memory_mb) {
        return Err(bad(
            "reading.pdf_memory_mb",
            c.pdf_memory_mb.to_string(),
            "MiB from 64 to 65536",
        ));
    }
    if !(1..=86400).contains(&c.ocr_page_timeout_secs) {
        return Err(bad(
            "reading.ocr_page_timeout_secs",
            c.ocr_page_timeout_secs.to_string(),
            "seconds from 1 to 86400",
        ));
    }
    if !(1..=4096).contains(&c.max_file_mb) {
        return Err(bad(
            "reading.max_file_mb",
            c.max_file_mb.to_string(),
            "MiB from 1 to 4096",
        ));
    }
    if !(1..=3600).contains(&c.request_timeout_secs) {
        return Err(bad(
            "server.request_timeout_secs",
            c.request_timeout_secs.to_string(),
            "seconds from 1 to 3600",
        ));
    }
    if c.search_threads > 64 {
        return Err(bad(
            "server.search_threads",
            c.search_threads.to_string(),
            "0 (one per core) to 64",
        ));
    }
    if c.http_threads > 64 {
        return Err(bad(
            "server.http_threads",
            c.http_threads.to_string(),
            "0 (one per four cores) to 64",
        ));
    }
    if c.search_queue > 4096 {
        return Err(bad(
            "server.search_queue",
            c.search_queue.to_string(),
            "0 (four per search thread) to 4096",
        ));
    }
    if c.result_cache_mb > 4096 {
        return Err(bad(
            "server.result_cache_mb",
            c.result_cache_mb.to_string(),
            "MiB from 0 (none) to 4096",
        ));
    }
    if c.addr.parse::<std::net::SocketAddr>().is_err() {
        return Err(bad(
            "server.addr",
            c.addr.clone(),
            "HOST:PORT with an IP address, e.g. 127.0.0.1:8080",
        ));
    }
    if c.corpus.is_empty() {
        return Err(bad("corpus.dirs", String::new(), "at least one folder"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_shipped_file_parses_and_matches_the_defaults() {
        let mut c = Config::default();
        apply_file(
            &mut c,
            Path::new(DEFAULT_FILE),
            include_str!("../config/cuentas.toml"),
        )
        .expect("config/cuentas.toml parses");
        assert_eq!(c, Config::default());
    }

    #[test]
    fn flags_beat_environment_which_beats_the_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("c.toml");
        std::fs::write(
            &file,
            "[server]\naddr = \"127.0.0.1:1111\"\n[index]\ndir = \"from-file\"\n",
        )
        .expect("write");
        let flags = Flags {
            config: Some(file),
            addr: Some("127.0.0.1:3333".into()),
            ..Flags::default()
        };
        let c = load(
            &flags,
            &env_of(&[
                ("CUENTAS_ADDR", "127.0.0.1:2222"),
                ("CUENTAS_CORPUS", "a, b"),
            ]),
        )
        .expect("loads");
        assert_eq!(c.addr, "127.0.0.1:3333");
        assert_eq!(c.index_dir, PathBuf::from("from-file"));
        assert_eq!(c.corpus, [PathBuf::from("a"), PathBuf::from("b")]);
    }

    #[test]
    fn a_bad_value_names_its_key_and_origin() {
        let err =
            load(&Flags::default(), &env_of(&[("CUENTAS_MEMORY_MB", "lots")])).expect_err("bad");
        let msg = err.to_string();
        assert!(
            msg.contains("index.memory_mb") && msg.contains("CUENTAS_MEMORY_MB"),
            "{msg}"
        );
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused() {
        let mut c = Config::default();
        let err =
            apply_file(&mut c, Path::new("x.toml"), "[index]\ndirr = \"x\"\n").expect_err("bad");
        assert!(err.to_string().contains("dirr"), "{err}");
    }

    #[test]
    fn the_search_pool_is_set_by_file_environment_and_flags() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("c.toml");
        std::fs::write(&file, "[server]\nsearch_threads = 3\nsearch_queue = 5\n").expect("write");
        let flags = Flags {
            config: Some(file),
            ..Flags::default()
        };
        let c = load(&flags, &env_of(&[])).expect("loads");
        assert_eq!(
            (c.effective_search_threads(), c.effective_search_queue()),
            (3, 5)
        );
        let c = load(&flags, &env_of(&[("CUENTAS_SEARCH_QUEUE", "0")])).expect("loads");
        assert_eq!(c.effective_search_queue(), 12, "0 means four per thread");
        let flags = Flags {
            search_threads: Some(2),
            ..flags
        };
        let c = load(&flags, &env_of(&[("CUENTAS_SEARCH_THREADS", "7")])).expect("loads");
        assert_eq!(c.search_threads, 2, "the flag wins");
        let err = load(&flags, &env_of(&[("CUENTAS_SEARCH_QUEUE", "9999")])).expect_err("bad");
        assert!(err.to_string().contains("server.search_queue"), "{err}");
    }

    #[test]
    fn the_http_threads_are_set_by_file_environment_and_flags() {
        let c = Config::default();
        assert_eq!(
            c.effective_http_threads(),
            cores().div_ceil(4),
            "0 means one per four cores"
        );
        assert!(c.effective_http_threads() >= 1);
        let mut c = Config::default();
        apply_file(&mut c, Path::new("x.toml"), "[server]\nhttp_threads = 3\n").expect("file");
        assert_eq!(c.effective_http_threads(), 3);
        let flags = Flags {
            http_threads: Some(2),
            ..Flags::default()
        };
        let c = load(&flags, &env_of(&[("CUENTAS_HTTP_THREADS", "5")])).expect("loads");
        assert_eq!(c.effective_http_threads(), 2, "the flag wins");
        let c = load(&Flags::default(), &env_of(&[("CUENTAS_HTTP_THREADS", "5")])).expect("loads");
        assert_eq!(c.effective_http_threads(), 5);
        let err = load(
            &Flags::default(),
            &env_of(&[("CUENTAS_HTTP_THREADS", "65")]),
        )
        .expect_err("bad");
        assert!(err.to_string().contains("server.http_threads"), "{err}");
    }

    #[test]
    fn the_result_cache_is_set_by_file_environment_and_flags() {
        assert_eq!(Config::default().result_cache_mb, 32);
        let mut c = Config::default();
        apply_file(
            &mut c,
            Path::new("x.toml"),
            "[server]\nresult_cache_mb = 8\n",
        )
        .expect("file");
        assert_eq!(c.result_cache_mb, 8);
        let c = load(
            &Flags::default(),
            &env_of(&[("CUENTAS_RESULT_CACHE_MB", "0")]),
        )
        .expect("env");
        assert_eq!(c.result_cache_mb, 0, "0 turns it off");
        let flags = Flags {
            result_cache_mb: Some(64),
            ..Flags::default()
        };
        let c = load(&flags, &env_of(&[("CUENTAS_RESULT_CACHE_MB", "1")])).expect("flag");
        assert_eq!(c.result_cache_mb, 64, "the flag wins");
        let err = load(
            &Flags::default(),
            &env_of(&[("CUENTAS_RESULT_CACHE_MB", "5000")]),
        )
        .expect_err("bad");
        assert!(err.to_string().contains("server.result_cache_mb"), "{err}");
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        let flags = Flags {
            config: Some(PathBuf::from("/nonexistent/cuentas.toml")),
            ..Flags::default()
        };
        assert!(load(&flags, &env_of(&[])).is_err());
    }
}
