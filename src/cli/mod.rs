//! The command line: clap definitions (what people type) and one function per command that
//! builds the core's request, calls the core and prints the result.
//!
//! Exit codes: 0 success (for `search`, at least one hit), 1 `search` found nothing, 2 error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

mod bench;
mod print;

use self::print::{print_figures, print_hits, print_summary};
use crate::api::{self, AppState, ServeOptions};
use crate::config::{self, Config, Flags};
use crate::extract::Extractor;
use crate::index::{self, BuildOptions, BuildSummary, Engine, IndexDir, IndexError};
use crate::ingest::Reader;
use crate::search::{self, FigureRequest, RawFigureRequest, RawRequest, Request};

/// Search the public accountability reports (Rendición de Cuentas) of Ecuador's IESS.
///
/// Index a folder of reports (PDF or text), then search it in Spanish: accents, plurals and
/// figures in any format (4'803.665,69 = 4803665.69) are found alike.
#[derive(Debug, Parser)]
#[command(name = "cuentas", version, propagate_version = true)]
#[command(
    after_help = "Examples:\n  cuentas index --corpus corpus\n  cuentas search \"mora patronal\" --year 2021\n  cuentas search 4803665.69\n  cuentas reports --json"
)]
pub struct Cli {
    /// Folder of the index [env: CUENTAS_INDEX; default: index]
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Configuration file [env: CUENTAS_CONFIG; default: config/cuentas.toml if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The subcommand and its own flags.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; each variant's doc comment is its help.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the index from folders of reports, replacing the current one atomically.
    ///
    /// Reads .txt (UTF-8 or Windows-1252) and .pdf files recursively; files that cannot be read
    /// are skipped and listed with their reason. A `cuentas.csv` in a folder corrects metadata.
    ///
    /// Example: cuentas index --corpus corpus --corpus /data/informes
    Index(IndexArgs),
    /// Search passages: words (all must match), "phrases", -excluded, a OR b, figures.
    ///
    /// Example: cuentas search "mora patronal" --year 2021 --province bolivar
    Search(SearchArgs),
    /// List every indexed report with its metadata and the evidence for it.
    ///
    /// Example: cuentas reports --json; cuentas reports --review
    Reports(ReportsArgs),
    /// Find figures (amounts, percentages, counts) in any written format, with their source.
    ///
    /// A figure in the query finds every way of writing it (4803665.69 = USD 4'803.665,69);
    /// quoted ("4'803.665,69") it finds that exact form only. An amount with a scale word
    /// finds what rounds or cuts to it (4,8 millones: 4,750,000 to 4,850,000), the nearest first;
    /// in words too (cinco millones de dólares); with a currency, only money. A percentage finds
    /// what rounds to it (92 % or noventa y dos por ciento finds 91,8 %); a bound what lies
    /// within it (más de 4 millones, entre 1 y 5 millones de dólares, más del 90 %), the largest
    /// first. Words narrow to passages.
    /// Every figure is listed: no cap, also for CSV exports.
    ///
    /// Examples:
    ///   cuentas figures --kind usd --min 1000000000
    ///   cuentas figures "mora patronal" --format csv > mora.csv
    ///   cuentas figures --batch cifras.txt --format csv
    Figures(FiguresArgs),
    /// Show what extraction reads in one report file: metadata, passages, policies, figures.
    ///
    /// Prints JSON. Use it to check a new report before indexing, or to find what to correct
    /// in a `cuentas.csv`.
    ///
    /// Example: cuentas inspect corpus/003_ba189c1830490d8b.txt
    Inspect(InspectArgs),
    /// Serve the search page and the JSON API; builds the index first if there is none.
    ///
    /// Picks up a new index built by `cuentas index` without a restart. Stops on Ctrl-C or
    /// SIGTERM after finishing the requests in flight.
    ///
    /// Example: cuentas serve --addr 127.0.0.1:8080
    Serve(ServeArgs),
    /// Time a query set through the search core, as the API runs it (facets and snippets);
    /// prints JSON. Used by benches/run.sh.
    #[command(hide = true)]
    BenchQueries(BenchArgs),
    /// Time reading and extraction alone over a corpus (no index); prints JSON. Used to
    /// profile indexing.
    #[command(hide = true)]
    BenchExtract(BenchExtractArgs),
    /// Read one PDF and print its pages as JSON: the child process `index` runs for each PDF,
    /// under a time and a memory limit.
    #[command(hide = true)]
    ReadPdf(ReadPdfArgs),
}

/// Flags of `read-pdf`.
#[derive(Debug, Args)]
pub struct ReadPdfArgs {
    /// The PDF to read
    pub file: PathBuf,
}

/// Limits on reading files, for the commands that index.
#[derive(Debug, Args)]
pub struct ReadingArgs {
    /// Seconds allowed to read one PDF before it is skipped [env: CUENTAS_PDF_TIMEOUT_SECS; default: 60]
    #[arg(long, value_name = "SECS")]
    pub pdf_timeout: Option<u64>,
    /// Memory allowed to read one PDF, in MiB [env: CUENTAS_PDF_MEMORY_MB; default: 1024]
    #[arg(long, value_name = "MB")]
    pub pdf_memory_mb: Option<u64>,
    /// Do not read scanned pages and images by OCR [env: CUENTAS_OCR=false]
    #[arg(long)]
    pub no_ocr: bool,
    /// Seconds allowed to read one scanned page by OCR [env: CUENTAS_OCR_PAGE_TIMEOUT_SECS; default: 180]
    #[arg(long, value_name = "SECS")]
    pub ocr_page_timeout: Option<u64>,
}

/// Flags of `bench-extract`.
#[derive(Debug, Args)]
pub struct BenchExtractArgs {
    /// Folder of reports
    #[arg(long, value_name = "DIR")]
    pub corpus: PathBuf,
    /// Worker threads
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

/// Flags of `bench-queries`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Query file: one query a line (first tab-separated column); `#` lines are skipped
    #[arg(long, value_name = "FILE")]
    pub queries: PathBuf,
    /// Timed passes over the whole set
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Also list the slowest queries, with their time in ms
    #[arg(long, default_value_t = 0)]
    pub slowest: usize,
    /// Hits asked of each query, with their snippets; 0 times the total and facets alone
    #[arg(long, default_value_t = crate::search::DEFAULT_LIMIT)]
    pub limit: usize,
}

/// Flags of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: CUENTAS_ADDR; default: 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Folder of reports to index when there is no index yet; repeatable [env: CUENTAS_CORPUS]
    #[arg(long, value_name = "DIR")]
    pub corpus: Vec<PathBuf>,
    /// Limits on reading files, for a build when there is no index yet.
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Threads answering searches (figure work gets half as many); 0 = one per core
    /// [env: CUENTAS_SEARCH_THREADS]
    #[arg(long, value_name = "N")]
    pub search_threads: Option<usize>,
    /// Searches that may wait for a thread before more are refused with 429; 0 = four per
    /// thread [env: CUENTAS_SEARCH_QUEUE]
    #[arg(long, value_name = "N")]
    pub search_queue: Option<usize>,
    /// Threads reading requests and writing responses; 0 = one per four cores, at least one
    /// [env: CUENTAS_HTTP_THREADS]
    #[arg(long, value_name = "N")]
    pub http_threads: Option<usize>,
    /// MiB of search responses kept for requests asked again on the same index; 0 = none
    /// [env: CUENTAS_RESULT_CACHE_MB; default: 32]
    #[arg(long, value_name = "MIB")]
    pub result_cache_mb: Option<usize>,
}

/// Flags of `index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folder of reports to index; repeat for several [env: CUENTAS_CORPUS; default: corpus]
    #[arg(long, value_name = "DIR")]
    pub corpus: Vec<PathBuf>,
    /// Limits on reading files.
    #[command(flatten)]
    pub reading: ReadingArgs,
}

/// The filters of `search` and `figures`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only reports of this year; repeat for several (e.g. --year 2020 --year 2021)
    #[arg(long, value_name = "Y")]
    pub year: Vec<String>,
    /// Only reports of this province, any case or accents, or "nacional" (e.g. --province manabi)
    #[arg(long, value_name = "P")]
    pub province: Vec<String>,
    /// Only passages about this equality policy: intercultural, generacional, discapacidades,
    /// genero, movilidad_humana
    #[arg(long, value_name = "T")]
    pub policy: Vec<String>,
}

impl FilterArgs {
    /// A search request with these filters and the query `q`.
    fn request(self, q: String) -> RawRequest {
        RawRequest {
            q: Some(q),
            year: self.year,
            province: self.province,
            policy: self.policy,
            ..RawRequest::default()
        }
    }
}

/// Flags of `search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for; empty lists passages matching the filters.
    ///
    /// Words must all match (accents and case don't matter, plurals match singulars), but for
    /// function words such as "de" or "la" beside other words; "double quotes" for a phrase;
    /// -word to exclude; a OR b; figures in any format. An amount with a scale word, as the
    /// press rounds it (4,8 millones, cuatro millones, 92 %), also finds the figures that round
    /// to it, nearest first; a bound (más de 4 millones), the figures within it.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Year, province and policy filters.
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Hits to show (at most 100)
    #[arg(
        long,
        value_name = "N",
        default_value = "10",
        allow_hyphen_values = true
    )]
    pub limit: String,
    /// Hits to skip, for the next page
    #[arg(
        long,
        value_name = "N",
        default_value = "0",
        allow_hyphen_values = true
    )]
    pub offset: String,
    /// Print the JSON of the HTTP API instead of a table
    #[arg(long)]
    pub json: bool,
}

/// Flags of `figures`.
#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// Words and/or figures; empty lists every figure that passes the filters
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Smallest value, in any format: 1000000, 1'000.000, 1e6, "1 millón"
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub min: Option<String>,
    /// Largest value, in any format
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub max: Option<String>,
    /// Only figures of this kind: usd, percent or count. A query whose figures are written as
    /// percentages (15%) asks for percentages unless this says otherwise
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Order: passages (the best passages first, each one's figures in their order), largest
    /// or smallest (by value). An amount rounded in the query (4,8 millones) lists the nearest
    /// first, a bound (más de 4 millones) the largest, unless this says otherwise
    #[arg(long, value_name = "ORDER")]
    pub sort: Option<String>,
    /// Year, province and policy filters.
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output: a table for people, json, or csv (RFC 4180, UTF-8) for spreadsheets
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = ["table", "json", "csv"])]
    pub format: String,
    /// Show at most this many figures (default: all)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub limit: Option<String>,
    /// Skip this many figures
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub offset: Option<String>,
    /// Look up every line of FILE (a figure or phrase a line, or CSV with a query column);
    /// one row per query and figure, with each query's count
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub batch: Option<PathBuf>,
}

/// Flags of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A report file (.txt or .pdf)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Also print the report's full text
    #[arg(long)]
    pub text: bool,
}

/// Flags of `reports`.
#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
    /// List only the reports whose year, province or unit is missing or weakly supported,
    /// with the evidence and a cuentas.csv line to correct them
    #[arg(long)]
    pub review: bool,
}

/// What a command asks `main` to exit with.
pub enum Outcome {
    /// Exit code 0.
    Success,
    /// A search or listing found nothing: exit code 1.
    NothingFound,
}

/// Merges configuration with the command's flags.
pub fn config(cli: &Cli) -> Result<Config> {
    let mut flags = Flags {
        config: cli.config.clone(),
        index_dir: cli.index.clone(),
        ..Flags::default()
    };
    match &cli.command {
        Command::Index(args) => {
            flags.corpus = args.corpus.clone();
            flags.pdf_timeout_secs = args.reading.pdf_timeout;
            flags.pdf_memory_mb = args.reading.pdf_memory_mb;
            flags.no_ocr = args.reading.no_ocr;
            flags.ocr_page_timeout_secs = args.reading.ocr_page_timeout;
        }
        Command::Serve(args) => {
            flags.corpus = args.corpus.clone();
            flags.addr = args.addr.clone();
            flags.pdf_timeout_secs = args.reading.pdf_timeout;
            flags.pdf_memory_mb = args.reading.pdf_memory_mb;
            flags.no_ocr = args.reading.no_ocr;
            flags.ocr_page_timeout_secs = args.reading.ocr_page_timeout;
            flags.search_threads = args.search_threads;
            flags.search_queue = args.search_queue;
            flags.http_threads = args.http_threads;
            flags.result_cache_mb = args.result_cache_mb;
        }
        _ => {}
    }
    Ok(config::load(&flags, &|k| std::env::var(k).ok())?)
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<Outcome> {
    let config = config(&cli)?;
    match cli.command {
        Command::Index(_) => {
            let summary = build_index(&config)?;
            print_summary(&summary);
            Ok(Outcome::Success)
        }
        Command::Search(args) => search(&config, args),
        Command::Reports(args) => reports(&config, args),
        Command::Inspect(args) => inspect(args),
        Command::Figures(args) => figures(&config, args),
        Command::Serve(_) => serve(&config),
        Command::BenchQueries(args) => bench::bench_queries(&config, args),
        Command::BenchExtract(args) => bench::bench_extract(args),
        Command::ReadPdf(args) => match crate::ingest::isolate::child_main(&args.file) {
            0 => Ok(Outcome::Success),
            _ => anyhow::bail!("cannot read {}", args.file.display()),
        },
    }
}

fn figures(config: &Config, args: FiguresArgs) -> Result<Outcome> {
    let raw = RawFigureRequest {
        search: args.filters.request(args.query.join(" ")),
        min: args.min,
        max: args.max,
        kind: args.kind,
        limit: args.limit,
        offset: args.offset,
        sort: args.sort,
    };
    let request = FigureRequest::from_raw(&raw)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Some(path) = &args.batch {
        let input = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read batch file {}", path.display()))?;
        let engine = open(config)?;
        // The command line has no deadline and no line limit: the user waits for their own file.
        let lines = search::export::batch_queries(&input);
        let limits = search::export::BatchLimits {
            max_lines: usize::MAX,
            max_figures: usize::MAX,
        };
        let never = search::Cancel::never();
        if args.format == "json" {
            let mut rows = Vec::new();
            search::export::run_batch(&engine, &lines, &raw, &limits, &never, &mut |row| {
                rows.push(serde_json::json!({
                    "line": row.line, "query": row.query, "count": row.count,
                    "error": row.error, "figure": row.hit,
                }));
                Ok(())
            })?;
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "rows": rows }))?;
            writeln!(out)?;
        } else {
            search::export::write_batch_csv(&engine, &lines, &raw, &limits, &never, &mut out)?;
        }
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let engine = open(config)?;
    let total = match args.format.as_str() {
        "csv" => search::export::write_figures_csv(&engine, &request, &mut out)?,
        "json" => {
            let response = search::run_figures(&engine, &request)?;
            serde_json::to_writer_pretty(&mut out, &response)?;
            writeln!(out)?;
            response.total
        }
        _ => {
            let response = search::run_figures(&engine, &request)?;
            print_figures(&mut out, &response)?;
            response.total
        }
    };
    out.flush()?;
    Ok(if total == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Success
    })
}

/// Opens the index (building it first when there is none) and serves it until stopped.
fn serve(config: &Config) -> Result<Outcome> {
    let dir = IndexDir::new(&config.index_dir);
    let engine = match Engine::open(&dir) {
        Ok(engine) => engine,
        Err(e @ (IndexError::NotBuilt(_) | IndexError::Outdated { .. })) => {
            let why = match e {
                IndexError::NotBuilt(_) => "no index",
                _ => "an index of another version",
            };
            eprintln!(
                "{why} in {}: building it from {}",
                config.index_dir.display(),
                config
                    .corpus
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            print_summary(&build_index(config)?);
            Engine::open(&dir)?
        }
        Err(e) => return Err(e.into()),
    };
    let options = ServeOptions {
        cors_origins: config.cors_origins.clone(),
        timeout: std::time::Duration::from_secs(config.request_timeout_secs),
        search_threads: config.effective_search_threads(),
        search_queue: config.effective_search_queue(),
        result_cache_bytes: config.result_cache_mb << 20,
        ..ServeOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.effective_http_threads())
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        eprintln!(
            "serving {} reports on http://{addr}/ (Ctrl-C to stop)",
            engine.report_count()
        );
        let state = AppState::new(engine, dir, &options).context("starting the search threads")?;
        api::serve(listener, state, &options)
            .await
            .context("serving HTTP")
    })?;
    Ok(Outcome::Success)
}

/// Builds the index from the configured corpus, with a progress bar on a terminal.
pub fn build_index(config: &Config) -> Result<BuildSummary> {
    let dir = IndexDir::new(&config.index_dir);
    let options = BuildOptions {
        memory_budget: config.memory_mb << 20,
        threads: config.effective_threads(),
        reader: Reader {
            ocr_stats: Some(std::sync::Arc::new(crate::ingest::OcrStats::default())),
            ..Reader::new(config.read_limits()).with_ocr(config.ocr_settings(Some(dir.ocr_cache())))
        },
        merge_segments: true,
        ranker: Some(crate::search::word_ranker()),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} indexing {pos}/{len} files, {msg} [{bar:30}] {elapsed}, about {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    let progress = |p: index::Progress| {
        if let Some(bar) = &bar {
            bar.set_length(p.files_total as u64);
            bar.set_position(p.files_done as u64);
            let pages = if p.ocr_pages > 0 {
                format!(
                    "{} pages ({} by OCR, {} of them cached)",
                    p.pages, p.ocr_pages, p.ocr_cached
                )
            } else {
                format!("{} pages", p.pages)
            };
            if p.files_done >= p.files_total {
                // After the last file the index is still written, merged and counted (at 1 GB,
                // about 20 s): said, and the spinner kept turning.
                bar.set_message(format!("{pages}; writing the index"));
                bar.enable_steady_tick(std::time::Duration::from_millis(250));
            } else {
                bar.set_message(pages);
            }
        }
    };
    let result = index::build(
        &config.corpus,
        &dir,
        &Extractor::builtin(),
        &options,
        &progress,
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.with_context(|| format!("indexing into {}", config.index_dir.display()))
}

fn open(config: &Config) -> Result<Engine> {
    Ok(Engine::open(&IndexDir::new(&config.index_dir))?)
}

fn search(config: &Config, args: SearchArgs) -> Result<Outcome> {
    let raw = RawRequest {
        limit: Some(args.limit),
        offset: Some(args.offset),
        ..args.filters.request(args.query.join(" "))
    };
    let request = Request::from_raw(&raw)?;
    let engine = open(config)?;
    let response = search::run(&engine, &request)?;
    let mut out = std::io::stdout().lock();
    let total = response.total;
    if args.json {
        serde_json::to_writer_pretty(&mut out, &crate::api::render::SearchJson::from(response))?;
        writeln!(out)?;
    } else {
        print_hits(
            &mut out,
            &response,
            request.offset,
            std::io::stdout().is_terminal(),
        )?;
    }
    Ok(if total == 0 {
        Outcome::NothingFound
    } else {
        Outcome::Success
    })
}

fn inspect(args: InspectArgs) -> Result<Outcome> {
    let root = args
        .file
        .parent()
        .unwrap_or_else(|| std::path::Path::new(""));
    let doc = crate::ingest::read(&args.file, root)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut report = Extractor::builtin().extract(&doc, None);
    if !args.text {
        report.text = String::new();
    }
    let mut out = std::io::stdout().lock();
    let mut json = serde_json::to_value(&report)?;
    if let Some(obj) = json.as_object_mut() {
        obj.insert("encoding".into(), serde_json::to_value(doc.encoding)?);
        obj.insert("pages".into(), doc.pages.len().into());
        if !args.text {
            obj.remove("text");
        }
    }
    serde_json::to_writer_pretty(&mut out, &json)?;
    writeln!(out)?;
    Ok(Outcome::Success)
}

fn reports(config: &Config, args: ReportsArgs) -> Result<Outcome> {
    let engine = open(config)?;
    let mut out = std::io::stdout().lock();
    if args.review {
        let reports: Vec<search::ReportSummary> = search::reports(&engine)
            .into_iter()
            .filter(|r| !r.evidence.weak_fields().is_empty())
            .collect();
        if args.json {
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "reports": reports }))?;
            writeln!(out)?;
        } else {
            print::review(&mut out, &reports)?;
        }
        return Ok(if reports.is_empty() {
            Outcome::NothingFound
        } else {
            Outcome::Success
        });
    }
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "reports": search::reports(&engine) }),
        )?;
        writeln!(out)?;
        return Ok(Outcome::Success);
    }
    writeln!(out, "{} reports", engine.report_count())?;
    for r in engine.reports() {
        writeln!(
            out,
            "{}  {}  {:<10}  {:>4} passages  {}  {}",
            r.report_id,
            r.info.year.map_or("????".into(), |y| y.to_string()),
            r.info.province.as_deref().unwrap_or("?"),
            r.passages,
            r.info.source,
            r.info.unit.as_deref().unwrap_or("")
        )?;
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).expect("parses")
    }

    #[test]
    fn index_takes_several_corpus_folders() {
        let cli = parse(&["cuentas", "index", "--corpus", "a", "--corpus", "b"]);
        let Command::Index(a) = cli.command else {
            panic!("expected index")
        };
        assert_eq!(a.corpus, [PathBuf::from("a"), PathBuf::from("b")]);
    }

    #[test]
    fn search_takes_words_and_repeatable_filters() {
        let cli = parse(&[
            "cuentas",
            "search",
            "mora",
            "patronal",
            "--year",
            "2021",
            "--province",
            "manabi",
            "--province",
            "bolivar",
            "--policy",
            "genero",
            "--limit",
            "5",
            "--json",
        ]);
        let Command::Search(a) = cli.command else {
            panic!("expected search")
        };
        assert_eq!(a.query, ["mora", "patronal"]);
        assert_eq!(a.filters.year, ["2021"]);
        assert_eq!(a.filters.province, ["manabi", "bolivar"]);
        assert_eq!(a.filters.policy, ["genero"]);
        assert_eq!(a.limit, "5");
        assert!(a.json);
    }

    #[test]
    fn global_flags_go_before_or_after_the_command() {
        let cli = parse(&["cuentas", "search", "x", "--index", "/tmp/i"]);
        assert_eq!(cli.index, Some(PathBuf::from("/tmp/i")));
        let cli = parse(&["cuentas", "--config", "c.toml", "reports"]);
        assert_eq!(cli.config, Some(PathBuf::from("c.toml")));
    }

    #[test]
    fn reports_takes_review_with_or_without_json() {
        let Command::Reports(a) = parse(&["cuentas", "reports", "--review"]).command else {
            panic!("expected reports")
        };
        assert!(a.review && !a.json);
        let Command::Reports(a) = parse(&["cuentas", "reports", "--review", "--json"]).command
        else {
            panic!("expected reports")
        };
        assert!(a.review && a.json);
    }

    #[test]
    fn a_negative_offset_reaches_validation() {
        let cli = parse(&["cuentas", "search", "x", "--offset", "-1"]);
        let Command::Search(a) = cli.command else {
            panic!("expected search")
        };
        assert_eq!(a.offset, "-1");
    }

    #[test]
    fn serve_takes_an_address_and_corpus_folders() {
        let cli = parse(&[
            "cuentas",
            "serve",
            "--addr",
            "127.0.0.1:9000",
            "--corpus",
            "c",
            "--search-threads",
            "3",
            "--search-queue",
            "12",
            "--http-threads",
            "1",
            "--result-cache-mb",
            "0",
        ]);
        let Command::Serve(a) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(a.addr.as_deref(), Some("127.0.0.1:9000"));
        assert_eq!(a.corpus, [PathBuf::from("c")]);
        assert_eq!((a.search_threads, a.search_queue), (Some(3), Some(12)));
        assert_eq!((a.http_threads, a.result_cache_mb), (Some(1), Some(0)));
    }

    #[test]
    fn figures_takes_ranges_kinds_formats_and_a_batch_file() {
        let cli = parse(&[
            "cuentas",
            "figures",
            "mora",
            "--min",
            "1'000.000",
            "--max",
            "1e9",
            "--kind",
            "usd",
            "--format",
            "csv",
            "--province",
            "bolivar",
        ]);
        let Command::Figures(a) = cli.command else {
            panic!("expected figures")
        };
        assert_eq!(
            (a.min.as_deref(), a.max.as_deref()),
            (Some("1'000.000"), Some("1e9"))
        );
        assert_eq!((a.kind.as_deref(), a.format.as_str()), (Some("usd"), "csv"));
        let cli = parse(&["cuentas", "figures", "--batch", "list.txt"]);
        let Command::Figures(a) = cli.command else {
            panic!("expected figures")
        };
        assert_eq!(a.batch, Some(PathBuf::from("list.txt")));
        assert!(Cli::try_parse_from(["cuentas", "figures", "--format", "xml"]).is_err());
    }

    #[test]
    fn an_unknown_command_is_refused() {
        assert!(Cli::try_parse_from(["cuentas", "frobnicate"]).is_err());
    }
}
