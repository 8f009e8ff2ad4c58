//! The `cuentas` binary: parse, configure logging, dispatch; errors printed as one line.

use std::process::ExitCode;

use clap::Parser;
use cuentas::cli::{self, Cli, Outcome};

/// mimalloc: extraction and tantivy's indexing allocate many small buffers on several
/// threads; with it, indexing takes an eighth less CPU than with the system allocator
/// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = Cli::parse();
    if let cli::Command::ReadPdf(args) = &cli.command {
        // A child process of `index`: no logs, its answer is its output and its exit code.
        let code = cuentas::ingest::isolate::child_main(&args.file);
        return ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    // The server logs each request at info; the other commands only warnings.
    let default_level = if matches!(cli.command, cli::Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    init_logging(default_level);
    match cli::run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::NothingFound) => ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("cuentas: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

/// Keeps the heap on the kernel's small pages. mimalloc asks for transparent huge pages where
/// the kernel grants them on request (`madvise`, Debian's default): every first touch of one
/// then clears 2 MB, and the build's short-lived buffers (tantivy's arenas, one set per
/// segment) touch many. Without them a build of the 100 MB benchmark corpus spends a third of
/// the time it did in the kernel (1 s against 3.5 s), takes 8 % less time and a fifth less peak
/// memory, and searches are no slower (BENCHMARKS.md). A kernel without the setting refuses
/// it, and nothing changes.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Logs go to stderr, coloured only on a terminal; `CUENTAS_LOG` (or `RUST_LOG`) sets the filter.
fn init_logging(default_level: &str) {
    use std::io::IsTerminal;

    let filter = std::env::var("CUENTAS_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default_level.into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Whether output stopped because its reader went away (`cuentas figures … | head`): not an
/// error to report. A write that failed inside a search comes wrapped in tantivy's error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(broken)
            || matches!(
                c.downcast_ref::<tantivy::TantivyError>(),
                Some(tantivy::TantivyError::IoError(io)) if broken(io)
            )
    })
}
