//! Where index generations live on disk and how a new one replaces the old atomically.
//!
//! ```text
//! index/
//!   CURRENT              name of the generation readers open ("gen-1732442000123-4711")
//!   gen-…/passages/      the tantivy index
//!   gen-…/passages.store what each passage shows (`passage_store`)
//!   gen-…/manifest.json  format version, build time, provinces
//!   gen-…/reports.bin    report metadata (`report_list`)
//!   gen-…/accents.json   accented spellings of folded words
//!   .staging-…/          a build in progress (never read)
//! ```
//! A build writes a complete generation under `.staging-…`, renames it to `gen-…`, then
//! replaces `CURRENT` by writing a temporary file and renaming it over the old one (atomic on
//! POSIX). Until that rename, readers see the previous generation whole; after it, the new one.
//! A crash or Ctrl-C before it leaves only a stale staging folder, removed by the next build.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::IndexError;

const CURRENT: &str = "CURRENT";
const GENERATION_PREFIX: &str = "gen-";
/// The folder, beside the generations, of pages read by OCR.
pub const OCR_CACHE_DIR: &str = "ocr-cache";
const STAGING_PREFIX: &str = ".staging-";

/// The index folder (`index/` by default).
#[derive(Clone, Debug)]
pub struct IndexDir {
    root: PathBuf,
}

/// A generation being built; published with [`IndexDir::publish`], removed if dropped unpublished.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    name: String,
    published: bool,
}

impl Staging {
    /// The folder being filled.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

impl IndexDir {
    /// The index folder `root`; nothing is read or created yet.
    pub fn new(root: impl Into<PathBuf>) -> IndexDir {
        IndexDir { root: root.into() }
    }

    /// The index folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The name written in `CURRENT`, if an index was ever published here.
    pub fn current_name(&self) -> Result<Option<String>, IndexError> {
        let path = self.root.join(CURRENT);
        match fs::read_to_string(&path) {
            Ok(s) => {
                let name = s.trim().to_string();
                if name.is_empty() || name.contains('/') || name.contains("..") {
                    return Err(IndexError::Corrupt {
                        path,
                        reason: "it does not name a generation".into(),
                    });
                }
                Ok(Some(name))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(IndexError::Io { path, source: e }),
        }
    }

    /// The folder of the published generation, if any.
    pub fn current(&self) -> Result<Option<PathBuf>, IndexError> {
        Ok(self.current_name()?.map(|name| self.root.join(name)))
    }

    /// Starts a new generation in a staging folder, after removing stale staging folders.
    pub fn begin(&self) -> Result<Staging, IndexError> {
        fs::create_dir_all(&self.root).map_err(|e| self.io(&self.root, e))?;
        self.remove_stale_staging();
        let name = format!("{}-{}", unique_stamp(), std::process::id());
        let path = self.root.join(format!("{STAGING_PREFIX}{name}"));
        fs::create_dir(&path).map_err(|e| self.io(&path, e))?;
        Ok(Staging {
            path,
            name,
            published: false,
        })
    }

    /// Makes `staging` the current generation, atomically, and removes generations older than
    /// the previous one (a reader still holding one keeps its open files on Linux).
    pub fn publish(&self, mut staging: Staging) -> Result<PathBuf, IndexError> {
        let name = format!("{GENERATION_PREFIX}{}", staging.name);
        let target = self.root.join(&name);
        fs::rename(&staging.path, &target).map_err(|e| self.io(&target, e))?;
        staging.published = true;
        let previous = self.current_name().ok().flatten();

        let tmp = self
            .root
            .join(format!("{CURRENT}.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(name.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            fs::rename(&tmp, self.root.join(CURRENT))?;
            if let Ok(dir) = fs::File::open(&self.root) {
                let _ = dir.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| self.io(&self.root.join(CURRENT), e))?;
        self.remove_old_generations(&name, previous.as_deref());
        Ok(target)
    }

    /// Where pages read by OCR are kept across builds (never removed by a build).
    pub fn ocr_cache(&self) -> PathBuf {
        self.root.join(OCR_CACHE_DIR)
    }

    fn remove_old_generations(&self, current: &str, previous: Option<&str>) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(GENERATION_PREFIX)
                && name != current
                && Some(name.as_str()) != previous
            {
                if let Err(e) = fs::remove_dir_all(entry.path()) {
                    tracing::warn!(path = %entry.path().display(), error = %e, "could not remove an old index generation");
                }
            }
        }
    }

    /// Removes staging folders left by builds whose process is gone.
    fn remove_stale_staging(&self) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(STAGING_PREFIX) else {
                continue;
            };
            let pid = rest.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
            let alive = pid.is_some_and(|pid| pid != std::process::id() && process_alive(pid));
            if !alive {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }

    fn io(&self, path: &Path, source: std::io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Milliseconds since the epoch, made strictly increasing within this process.
fn unique_stamp() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(prev + 1);
        match LAST.compare_exchange(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next as u128,
            Err(actual) => prev = actual,
        }
    }
}

fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_switches_current_and_keeps_one_previous_generation() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = IndexDir::new(tmp.path());
        assert_eq!(dir.current().expect("read"), None);
        let mut names = Vec::new();
        for _ in 0..3 {
            let staging = dir.begin().expect("begin");
            fs::write(staging.path().join("marker"), "x").expect("write");
            let published = dir.publish(staging).expect("publish");
            assert!(published.join("marker").exists());
            assert_eq!(dir.current().expect("read"), Some(published.clone()));
            names.push(published);
        }
        assert!(
            !names[0].exists(),
            "generations older than the previous one are removed"
        );
        assert!(names[1].exists() && names[2].exists());
    }

    #[test]
    fn an_abandoned_build_leaves_the_current_generation_alone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = IndexDir::new(tmp.path());
        let published = dir.publish(dir.begin().expect("begin")).expect("publish");
        let staging = dir.begin().expect("begin");
        let staging_path = staging.path().to_path_buf();
        drop(staging);
        assert!(!staging_path.exists());
        assert_eq!(dir.current().expect("read"), Some(published));
    }
}
