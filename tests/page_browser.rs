//! The search page in a real browser: serves the sample index on a free port and runs
//! `tests/e2e/page.test.mjs` (playwright-core driving Debian's Chromium) against it.
//!
//! Needs `/usr/bin/chromium`, `node` and `npm ci --prefix tests/e2e`. Without them the test
//! says so on stderr and passes, unless `CUENTAS_E2E` is set (as CI does): then it fails.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cuentas::api::{self, AppState, ServeOptions};
use cuentas::index::{Engine, IndexDir};

use crate::support::{index_dir, repo};

const CHROMIUM: &str = "/usr/bin/chromium";
/// Longest the whole browser run may take before it is stopped and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(240);

#[test]
fn the_search_page_works_in_a_headless_browser() {
    let Some(node) = browser_setup() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let addr = serve_sample_index(&runtime);
    let output = repo().join("tests/output/e2e");
    let (success, stdout, stderr) = run_page_test(&node, addr, &output);
    runtime.shutdown_timeout(Duration::from_secs(2));
    assert!(
        success,
        "the browser test of the page failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    println!("{stdout}");
}

/// The `node` to run, or `None` (after saying why) when the browser test cannot run here.
fn browser_setup() -> Option<PathBuf> {
    let node = find_in_path("node");
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push(format!("{CHROMIUM} (apt-get install -y chromium)"));
    }
    if node.is_none() {
        missing.push("node (apt-get install -y nodejs npm)".to_string());
    }
    let playwright = repo().join("tests/e2e/node_modules/playwright-core");
    if !playwright.is_dir() {
        missing.push(
            "tests/e2e/node_modules/playwright-core \
             (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/e2e)"
                .to_string(),
        );
    }
    if missing.is_empty() {
        return node;
    }
    let what = missing.join(", ");
    if std::env::var_os("CUENTAS_E2E").is_some() {
        panic!("CUENTAS_E2E is set but the browser test cannot run: install {what}");
    }
    eprintln!("skipping the browser test: missing {what}; set CUENTAS_E2E=1 to require it");
    None
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Serves the shared sample index on `127.0.0.1:0` on the runtime's threads; returns its address.
fn serve_sample_index(runtime: &tokio::runtime::Runtime) -> SocketAddr {
    let dir = IndexDir::new(index_dir());
    let options = ServeOptions::default();
    let state = AppState::new(Engine::open(&dir).expect("opens"), dir, &options).expect("state");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds port 0");
    let addr = listener.local_addr().expect("addr");
    runtime.spawn(async move {
        let _ = api::serve(listener, state, &options).await;
    });
    addr
}

/// Runs the page test against `addr`; returns whether it passed, and its stdout and stderr.
fn run_page_test(node: &Path, addr: SocketAddr, output: &Path) -> (bool, String, String) {
    let mut child = Command::new(node)
        .current_dir(repo())
        .arg("tests/e2e/page.test.mjs")
        .arg(format!("http://{addr}"))
        .arg(output)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts node");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let success = wait_or_kill(&mut child, BROWSER_TIMEOUT);
    let text = |reader: JoinHandle<String>| reader.join().unwrap_or_default();
    let (stdout, mut stderr) = (text(stdout), text(stderr));
    if success.is_none() {
        stderr.push_str(&format!("\nstopped after {BROWSER_TIMEOUT:?}"));
    }
    (success == Some(true), stdout, stderr)
}

/// Reads a child's pipe to the end on its own thread, so a full pipe never blocks the child.
fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// Whether the child exited successfully; `None` if it ran past `timeout` and was killed.
fn wait_or_kill(child: &mut Child, timeout: Duration) -> Option<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status.success()),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}
