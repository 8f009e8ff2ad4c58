//! Reading a PDF in a child process under a time and a memory limit.
//!
//! A PDF can be built to take minutes or gigabytes (a content stream that inflates to hundreds
//! of megabytes, a cyclic page tree, tens of thousands of pages). `cuentas` runs itself again
//! as `cuentas read-pdf FILE` for each PDF, with its address space capped (`RLIMIT_AS`) and a
//! deadline, and reads the pages it prints as JSON. A child that runs out of time is killed; one
//! that runs out of memory or crashes dies alone. Either way the file is skipped with the reason
//! and the build goes on.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::IngestError;

/// The name of the hidden subcommand that reads one PDF.
pub const SUBCOMMAND: &str = "read-pdf";

/// Exit code of a child that read the file and found it broken (the reason is on stderr).
const EXIT_BROKEN: i32 = 3;

/// Most text a child may print, in bytes; more is a hostile file.
const MAX_OUTPUT: u64 = 512 << 20;

/// Limits on reading one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Time allowed to read one PDF.
    pub pdf_time: Duration,
    /// Address space allowed to the process reading one PDF, in bytes.
    pub pdf_memory: u64,
    /// Largest file read, in bytes.
    pub max_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            pdf_time: Duration::from_secs(60),
            pdf_memory: 1 << 30,
            max_file: super::MAX_FILE_BYTES,
        }
    }
}

/// What a child prints: the text of each page.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChildOutput {
    /// Text of each page, in order.
    pub pages: Vec<String>,
}

/// The body of `cuentas read-pdf FILE`: reads the file in this process and prints its pages as
/// JSON on stdout. Returns the exit code.
pub fn child_main(path: &Path) -> i32 {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read: {e}");
            return EXIT_BROKEN;
        }
    };
    match super::pdf::read_pages(&bytes) {
        Ok(pages) => {
            let out = ChildOutput { pages };
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            match serde_json::to_writer(&mut lock, &out) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("cannot write: {e}");
                    EXIT_BROKEN
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            EXIT_BROKEN
        }
    }
}

/// Reads the PDF at `path` by running `program read-pdf path` under `limits`.
pub fn read_pdf(program: &Path, path: &Path, limits: &Limits) -> Result<Vec<String>, IngestError> {
    let mut command = Command::new(program);
    command
        .arg(SUBCOMMAND)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_BACKTRACE", "0");
    let finished = run_limited(command, limits.pdf_time, limits.pdf_memory, MAX_OUTPUT).map_err(
        |e| match e {
            IngestError::Read(io) => IngestError::Reader {
                program: program.to_path_buf(),
                reason: io.to_string(),
            },
            other => other,
        },
    )?;
    let Some((status, out, err)) = finished else {
        return Err(IngestError::OverLimit(format!(
            "took longer than {} s to read (the limit; see --pdf-timeout)",
            limits.pdf_time.as_secs_f64()
        )));
    };
    let err = String::from_utf8_lossy(&err);
    if status.success() {
        if out.len() as u64 > MAX_OUTPUT {
            return Err(IngestError::OverLimit(format!(
                "more than {} MB of text",
                MAX_OUTPUT >> 20
            )));
        }
        let parsed: ChildOutput =
            serde_json::from_slice(&out).map_err(|e| IngestError::Reader {
                program: program.to_path_buf(),
                reason: format!("unreadable answer: {e}"),
            })?;
        return Ok(parsed.pages);
    }
    Err(failure(status, &err, limits))
}

/// A child process that ended: its exit, its stdout and its stderr.
pub type Finished = (ExitStatus, Vec<u8>, Vec<u8>);

/// Runs `command` (its stdout and stderr piped) with its address space capped at `memory`
/// bytes, killing it after `time`. Its exit, stdout (at most `max_out` bytes and one more) and
/// stderr (the first 64 KiB); `None` when it ran out of time.
pub fn run_limited(
    mut command: Command,
    time: Duration,
    memory: u64,
    max_out: u64,
) -> Result<Option<Finished>, IngestError> {
    cap_memory(&mut command, memory);
    let mut child = command.spawn()?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut s) = stdout {
            let _ = (&mut s).take(max_out + 1).read_to_end(&mut buf);
            // Drain the rest so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut s, &mut std::io::sink());
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut s) = stderr {
            let _ = (&mut s).take(64 << 10).read_to_end(&mut buf);
            let _ = std::io::copy(&mut s, &mut std::io::sink());
        }
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= time => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(poll_interval(started.elapsed())),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(IngestError::Read(e));
            }
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    Ok(status.map(|s| (s, out, err)))
}

/// Why a child failed, from its exit and what it said.
fn failure(status: ExitStatus, stderr: &str, limits: &Limits) -> IngestError {
    let said = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string();
    if status.code() == Some(EXIT_BROKEN) {
        return match said.strip_prefix("broken PDF: ") {
            Some(reason) => IngestError::BrokenPdf(reason.to_string()),
            None => IngestError::BrokenPdf(said),
        };
    }
    if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
        return IngestError::OverLimit(format!(
            "needed more than {} MB of memory to read (the limit; see --pdf-memory-mb)",
            limits.pdf_memory >> 20
        ));
    }
    if stderr.contains("overflowed its stack") {
        return IngestError::BrokenPdf("its structure is cyclic or too deeply nested".into());
    }
    IngestError::BrokenPdf(format!("the reader stopped on it ({})", describe(status)))
}

fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "no exit code".into(),
    }
}

/// Short sleeps first, so small files come back quickly; longer ones later.
fn poll_interval(elapsed: Duration) -> Duration {
    if elapsed < Duration::from_millis(50) {
        Duration::from_millis(1)
    } else if elapsed < Duration::from_secs(1) {
        Duration::from_millis(5)
    } else {
        Duration::from_millis(25)
    }
}

#[cfg(unix)]
fn cap_memory(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: the closure runs in the child between fork and exec and only calls setrlimit,
    // which is async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn cap_memory(_command: &mut Command, _bytes: u64) {}

/// The program that reads PDFs: this executable, unless `CUENTAS_READER` names another.
pub fn default_program() -> PathBuf {
    if let Some(p) = std::env::var_os("CUENTAS_READER") {
        return PathBuf::from(p);
    }
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("cuentas"))
}
