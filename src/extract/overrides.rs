//! The metadata file beside the reports: `cuentas.csv`, by which people correct extraction.
//!
//! ```csv
//! source,year,province,unit,title
//! 000_7392a04fe1206fbf.txt,2021,Bolívar,Dirección Provincial IESS Bolívar,
//! informes/manta.pdf,,Manabí,,
//! ```
//! `source` is the file's path relative to the folder holding `cuentas.csv`; every other column is
//! optional and an empty cell keeps what extraction found. `province` takes any spelling the
//! gazetteer knows (`manabi`, `MANABÍ`) or `Nacional`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::metadata::Metadata;
use super::model::Evidence;
use super::Gazetteer;

/// The file name looked for in each corpus folder.
pub const FILE_NAME: &str = "cuentas.csv";

/// A problem with the metadata file.
#[derive(Debug, Error)]
pub enum OverrideError {
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The metadata file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not CSV of the expected columns and values.
    #[error("{path}: {message}")]
    Invalid {
        /// The metadata file.
        path: PathBuf,
        /// What is wrong, and where in the file.
        message: String,
    },
}

/// Corrections for one report; `None` keeps the extracted value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Override {
    /// The report's title.
    pub title: Option<String>,
    /// The year reported on.
    pub year: Option<i32>,
    /// The province's proper name (`Manabí`) or `Nacional`.
    pub province: Option<String>,
    /// The reporting unit.
    pub unit: Option<String>,
}

impl Override {
    /// Replaces the fields of `meta` that this override sets.
    pub fn apply(&self, meta: &mut Metadata) {
        if let Some(t) = &self.title {
            meta.title = t.clone();
        }
        if let Some(y) = self.year {
            meta.year = Some(y);
            meta.evidence.year = Some(Evidence::from_overrides());
        }
        if let Some(p) = &self.province {
            meta.province = Some(p.clone());
            meta.evidence.province = Some(Evidence::from_overrides());
        }
        if let Some(u) = &self.unit {
            meta.unit = Some(u.clone());
            meta.evidence.unit = Some(Evidence::from_overrides());
        }
    }
}

/// The corrections of one corpus folder, by source path; plus the rows that could not be used.
#[derive(Debug, Default)]
pub struct Overrides {
    by_source: HashMap<String, Override>,
    /// One line per unusable row: `cuentas.csv line 4: unknown province "Manabi del Norte"`.
    pub warnings: Vec<String>,
}

impl Overrides {
    /// Reads `root/cuentas.csv` if there is one; no file gives no overrides.
    pub fn load(root: &Path, gazetteer: &Gazetteer) -> Result<Overrides, OverrideError> {
        let path = root.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(bytes) => Overrides::parse(&path, &bytes, gazetteer),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Overrides::default()),
            Err(source) => Err(OverrideError::Read { path, source }),
        }
    }

    /// Parses the CSV text of `path`. A bad row is a warning; a file without a `source` column is
    /// an error.
    pub fn parse(
        path: &Path,
        bytes: &[u8],
        gazetteer: &Gazetteer,
    ) -> Result<Overrides, OverrideError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let invalid = |message: String| OverrideError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| invalid(format!("unreadable header: {e}")))?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let source_col = col("source").ok_or_else(|| {
            invalid(
                "no `source` column: the header must name source,year,province,unit,title".into(),
            )
        })?;
        let (year_col, province_col, unit_col, title_col) =
            (col("year"), col("province"), col("unit"), col("title"));

        let mut out = Overrides::default();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    out.warnings.push(format!("{FILE_NAME} line {line}: {e}"));
                    continue;
                }
            };
            let cell = |c: Option<usize>| {
                c.and_then(|c| record.get(c))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let Some(source) = cell(Some(source_col)) else {
                out.warnings
                    .push(format!("{FILE_NAME} line {line}: empty source"));
                continue;
            };
            let mut fix = Override {
                title: cell(title_col),
                unit: cell(unit_col),
                ..Override::default()
            };
            if let Some(y) = cell(year_col) {
                match y.parse::<i32>() {
                    Ok(y) if (1950..=2100).contains(&y) => fix.year = Some(y),
                    _ => {
                        out.warnings
                            .push(format!("{FILE_NAME} line {line}: year {y:?} is not a year"));
                        continue;
                    }
                }
            }
            if let Some(p) = cell(province_col) {
                match canonical_province(&p, gazetteer) {
                    Some(p) => fix.province = Some(p),
                    None => {
                        out.warnings.push(format!(
                            "{FILE_NAME} line {line}: unknown province {p:?} (a province of Ecuador or Nacional)"
                        ));
                        continue;
                    }
                }
            }
            out.by_source.insert(source.replace('\\', "/"), fix);
        }
        Ok(out)
    }

    /// The source paths corrected, in no order.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.by_source.keys().map(String::as_str)
    }

    /// The correction for the report at `source` (relative to the folder), if any.
    pub fn get(&self, source: &str) -> Option<&Override> {
        self.by_source.get(source)
    }

    /// Number of reports corrected.
    pub fn len(&self) -> usize {
        self.by_source.len()
    }

    /// Whether no report is corrected.
    pub fn is_empty(&self) -> bool {
        self.by_source.is_empty()
    }
}

/// A province's proper name, or `Nacional`, from any spelling.
pub fn canonical_province(name: &str, gazetteer: &Gazetteer) -> Option<String> {
    if crate::analysis::fold_key(name.trim()) == "nacional" {
        return Some("Nacional".to_string());
    }
    gazetteer.province(name).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(csv: &str) -> Overrides {
        Overrides::parse(
            Path::new("cuentas.csv"),
            csv.as_bytes(),
            &Gazetteer::builtin(),
        )
        .expect("parses")
    }

    #[test]
    fn a_row_overrides_only_the_cells_it_fills() {
        let o = parse("source,year,province,unit,title\na.txt,2019,manabi,,\n");
        let fix = o.get("a.txt").expect("row for a.txt");
        assert_eq!(fix.year, Some(2019));
        assert_eq!(fix.province.as_deref(), Some("Manabí"));
        assert_eq!(fix.unit, None);
        let mut meta = Metadata {
            title: "T".into(),
            year: Some(2021),
            province: None,
            unit: Some("U".into()),
            ..Metadata::default()
        };
        fix.apply(&mut meta);
        assert_eq!((meta.year, meta.unit.as_deref()), (Some(2019), Some("U")));
        assert_eq!(
            meta.evidence.year.map(|e| e.quote).as_deref(),
            Some("cuentas.csv"),
            "a corrected value says where it comes from"
        );
    }

    #[test]
    fn bad_rows_are_warnings_and_the_rest_is_kept() {
        let o = parse("source,year,province\na.txt,20x1,\nb.txt,,Atlantis\nc.txt,,Nacional\n");
        assert_eq!(o.len(), 1);
        assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
        assert_eq!(
            o.get("c.txt").and_then(|f| f.province.as_deref()),
            Some("Nacional")
        );
    }

    #[test]
    fn a_file_without_a_source_column_is_an_error() {
        let err = Overrides::parse(
            Path::new("x/cuentas.csv"),
            b"file,year\n",
            &Gazetteer::builtin(),
        )
        .expect_err("must fail");
        assert!(err.to_string().contains("source"), "{err}");
    }
}
