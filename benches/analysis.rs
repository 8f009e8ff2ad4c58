//! Micro-benchmarks of the analysis and extraction stages, per stage, on report text.
//!
//! ```text
//! cargo bench --bench analysis                      # the sample reports in corpus/
//! BENCH_CORPUS=/tmp/cuentas-bench/c100 cargo bench  # or a generated corpus (first 2 MB)
//! ```
//! Throughput is reported in MB/s of text for the analyzer and passage splitting, and in
//! items/s for the number reader and figure extraction.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use cuentas::analysis::{self, numbers};
use cuentas::extract::{figures, metadata, passages, Extractor};
use cuentas::ingest;
use std::hint::black_box;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Text read at most from the corpus, in bytes.
const SAMPLE_BYTES: usize = 2 << 20;

/// Report texts: `BENCH_CORPUS` if set, else the sample reports, repeated to the sample size.
fn texts() -> Vec<String> {
    let folder = std::env::var_os("BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let walk = ingest::walk(&[folder], &[]).expect("corpus folder");
    // A small folder is read again and again up to the sample size.
    let mut out = Vec::new();
    let mut total = 0;
    for file in walk.files.iter().cycle().take(100_000) {
        if total >= SAMPLE_BYTES {
            break;
        }
        if let Ok(doc) = ingest::read(&file.path, &file.root) {
            total += doc.text.len();
            out.push(doc.text);
        }
    }
    out
}

fn bytes_of(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

fn analyzers(c: &mut Criterion) {
    let texts = texts();
    let mut group = c.benchmark_group("analyzer");
    group.throughput(Throughput::Bytes(bytes_of(&texts)));
    type Chain = (&'static str, fn() -> TextAnalyzer);
    let chains: [Chain; 3] = [
        ("body", analysis::index_body),
        ("stemmed", analysis::index_stemmed),
        ("exact", analysis::index_exact),
    ];
    for (name, make) in chains {
        let mut analyzer = make();
        group.bench_function(BenchmarkId::new("index", name), |b| {
            b.iter(|| {
                let mut n = 0usize;
                for t in &texts {
                    let mut stream = analyzer.token_stream(t);
                    while stream.advance() {
                        n += stream.token().text.len();
                    }
                }
                black_box(n)
            })
        });
    }
    group.finish();
}

fn number_reader(c: &mut Criterion) {
    let forms = [
        "4'803.665,69",
        "1.193.703.286",
        "132.76",
        "45,3",
        "11.852.096",
        "1.199",
        "6'614,115",
        "123 456",
        "2’345.678",
        "1,234.567",
        "9",
        "2021",
        "14.05.2023",
        "175.280",
    ];
    let mut group = c.benchmark_group("numbers");
    group.throughput(Throughput::Elements(forms.len() as u64));
    group.bench_function("scan_number", |b| {
        b.iter(|| {
            for f in &forms {
                black_box(numbers::scan_number(f, 0));
            }
        })
    });
    group.finish();
}

fn extraction(c: &mut Criterion) {
    let texts = texts();
    let drafts: Vec<String> = texts
        .iter()
        .flat_map(|t| passages::split(t).into_iter().map(|d| d.text))
        .collect();
    let figure_count: usize = drafts
        .iter()
        .map(|p| figures::extract_figures(p).len())
        .sum();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(figure_count as u64));
    group.bench_function("figures", |b| {
        b.iter(|| {
            for p in &drafts {
                black_box(figures::extract_figures(p));
            }
        })
    });
    group.throughput(Throughput::Bytes(bytes_of(&texts)));
    group.bench_function("passages", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(passages::split(t));
            }
        })
    });
    let extractor = Extractor::builtin();
    group.bench_function("metadata", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(metadata::extract_metadata(t, &extractor.gazetteer));
            }
        })
    });
    let passage_texts: Vec<&str> = drafts.iter().map(String::as_str).collect();
    group.bench_function("policies", |b| {
        b.iter(|| black_box(extractor.policies.tag(&passage_texts)))
    });
    let docs: Vec<ingest::Document> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| ingest::Document {
            source: format!("{i}.txt"),
            path: PathBuf::from(format!("{i}.txt")),
            text: t.clone(),
            pages: Vec::new(),
            encoding: ingest::Encoding::Utf8,
            ocr: Vec::new(),
        })
        .collect();
    group.bench_function("whole report", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(extractor.extract(d, None));
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = analyzers, number_reader, extraction
}
criterion_main!(benches);
