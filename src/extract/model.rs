//! The data that extraction produces: a [`Report`] with its metadata, [`Passage`]s and
//! [`Figure`]s. Plain data, no behaviour beyond small helpers; every later layer reads these.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One equality-policy type of the state's template "Políticas públicas para la igualdad".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Peoples and nationalities (interculturalidad).
    Intercultural,
    /// Age groups: children, youth, older adults.
    Generacional,
    /// People with disabilities.
    Discapacidades,
    /// Gender equality.
    Genero,
    /// Migrants, refugees and returnees (movilidad humana).
    MovilidadHumana,
}

impl Policy {
    /// Every policy, in the template's order.
    pub const ALL: [Policy; 5] = [
        Policy::Intercultural,
        Policy::Generacional,
        Policy::Discapacidades,
        Policy::Genero,
        Policy::MovilidadHumana,
    ];

    /// The slug used in facets, filters and JSON (`movilidad_humana`).
    pub fn slug(self) -> &'static str {
        match self {
            Policy::Intercultural => "intercultural",
            Policy::Generacional => "generacional",
            Policy::Discapacidades => "discapacidades",
            Policy::Genero => "genero",
            Policy::MovilidadHumana => "movilidad_humana",
        }
    }

    /// The Spanish label shown to people (`Movilidad humana`).
    pub fn label(self) -> &'static str {
        match self {
            Policy::Intercultural => "Intercultural",
            Policy::Generacional => "Generacional",
            Policy::Discapacidades => "Discapacidades",
            Policy::Genero => "Género",
            Policy::MovilidadHumana => "Movilidad humana",
        }
    }

    /// Reads a slug or label in any case, with or without accents, `_`, `-` or space.
    pub fn parse(s: &str) -> Option<Policy> {
        let key: String = crate::analysis::fold_key(s)
            .chars()
            .map(|c| if c == '-' || c == ' ' { '_' } else { c })
            .collect();
        match key.as_str() {
            "intercultural" | "interculturales" | "interculturalidad" => {
                Some(Policy::Intercultural)
            }
            "generacional" | "generacionales" | "intergeneracional" => Some(Policy::Generacional),
            "discapacidad" | "discapacidades" => Some(Policy::Discapacidades),
            "genero" | "generos" => Some(Policy::Genero),
            "movilidad_humana" | "movilidad" => Some(Policy::MovilidadHumana),
            _ => None,
        }
    }
}

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// An amount of money (USD is the currency of Ecuador).
    Usd,
    /// A percentage.
    Percent,
    /// A plain count or quantity.
    Count,
}

impl FigureKind {
    /// Every kind.
    pub const ALL: [FigureKind; 3] = [FigureKind::Usd, FigureKind::Percent, FigureKind::Count];

    /// The slug used in filters, JSON and CSV (`usd`, `percent`, `count`).
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Usd => "usd",
            FigureKind::Percent => "percent",
            FigureKind::Count => "count",
        }
    }

    /// Reads a slug or a synonym (`$`, `dólares`, `%`, `porcentaje`, `cantidad`), ignoring
    /// ASCII case and surrounding spaces.
    pub fn parse(s: &str) -> Option<FigureKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "usd" | "$" | "dolares" | "dólares" | "money" => Some(FigureKind::Usd),
            "percent" | "%" | "porcentaje" | "pct" => Some(FigureKind::Percent),
            "count" | "cantidad" | "number" => Some(FigureKind::Count),
            _ => None,
        }
    }
}

/// A figure found in a text, with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figure {
    /// The figure as written, unit words included (`USD 4'803.665,69`, `187 mil`, `132.76 %`).
    pub text: String,
    /// Its value (`4803665.69`, `187000`, `132.76`).
    pub value: f64,
    /// What it counts: money, a percentage or a count.
    pub kind: FigureKind,
    /// The other value a truly ambiguous form can have (`1.199` → 1199 read, 1.199 here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_value: Option<f64>,
    /// What it counts, when the sentence says so ("atenciones", "recaudado").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Byte range of `text` in the passage text: its start.
    pub start: usize,
    /// Its end (exclusive).
    pub end: usize,
    /// Character span `[start, end)` of the figure in the report's full text.
    #[serde(default)]
    #[schema(value_type = Vec<u64>)]
    pub span: (usize, usize),
    /// The row and column of the table the figure sits in, when it sits in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<super::table::TableCell>,
}

/// A passage's id: its report's id and its ordinal (`7392a04fe1206fbf-0004`).
pub fn passage_id(report_id: &str, ordinal: u64) -> String {
    format!("{report_id}-{ordinal:04}")
}

/// A paragraph-sized unit of a report: what a hit shows and cites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Stable id: the report id and the passage's ordinal (`7392a04fe1206fbf-0004`).
    pub id: String,
    /// Ordinal within the report, from 0.
    pub ordinal: usize,
    /// The passage text, repaired (lines re-joined), as shown to people.
    pub text: String,
    /// 1-based page number, when the source has pages (PDF).
    pub page: Option<u32>,
    /// Character (Unicode scalar) span `[start, end)` in the report's full text.
    pub span: (usize, usize),
    /// Equality policies the passage is about, from their keywords.
    pub policies: Vec<Policy>,
    /// Figures of the passage; their byte ranges point into `text`.
    pub figures: Vec<Figure>,
    /// For a table row (cells separated by ` | `): the column header of each cell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// For a table row: what its table says its numbers are in (`Cifras en millones de
    /// dólares`), as written, when it says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_units: Option<String>,
    /// Tesseract's mean word confidence (0 to 1) when the passage was read by OCR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_confidence: Option<f32>,
}

/// Where a metadata value was read: the words that decided it and how sure the decision is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    /// The words of the report that decided the value, as written (lines joined by a space),
    /// or `cuentas.csv` when the metadata file set the value.
    pub quote: String,
    /// Character (Unicode scalar) span `[start, end)` of the quote in the report's full text,
    /// like a figure's `span`; `null` when the value comes from `cuentas.csv`.
    #[schema(value_type = Option<Vec<u64>>)]
    pub span: Option<(usize, usize)>,
    /// From 0 to 1. For the year and the province: the winner's share of the weight of all
    /// cues, scaled down while the winner itself is weak. For the unit: where it was read (a
    /// labelled line 0.95, a header line 0.9, a shouted header line 0.8, the opening prose
    /// 0.75). Below [`Evidence::REVIEW_BELOW`] the value is worth checking
    /// (`cuentas reports --review`).
    pub confidence: f64,
    /// Why a value was left empty on purpose ("outside Ecuador: no province"), or what a
    /// cue without a quote was ("8 provinces named").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Evidence {
    /// Confidence under which a value is listed for review.
    pub const REVIEW_BELOW: f64 = 0.6;

    /// The evidence of a value set in `cuentas.csv`.
    pub fn from_overrides() -> Evidence {
        Evidence {
            quote: "cuentas.csv".to_string(),
            span: None,
            confidence: 1.0,
            note: Some("set in cuentas.csv".to_string()),
        }
    }
}

/// The evidence of a report's year, province and unit; `None` where nothing was found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct MetadataEvidence {
    /// What decided the year.
    pub year: Option<Evidence>,
    /// What decided the province (or that there is none).
    pub province: Option<Evidence>,
    /// What decided the unit.
    pub unit: Option<Evidence>,
}

impl MetadataEvidence {
    /// The fields (`year`, `province`, `unit`) whose value is missing or weakly supported.
    pub fn weak_fields(&self) -> Vec<&'static str> {
        [
            ("year", &self.year),
            ("province", &self.province),
            ("unit", &self.unit),
        ]
        .into_iter()
        .filter(|(_, e)| {
            e.as_ref()
                .is_none_or(|e| e.confidence < Evidence::REVIEW_BELOW)
        })
        .map(|(name, _)| name)
        .collect()
    }
}

/// Everything known about one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Stable id from the report's content (16 hex digits).
    pub id: String,
    /// Path of the file relative to its corpus folder, `/`-separated.
    pub source: String,
    /// The header line naming the report, as written; empty when none was found.
    pub title: String,
    /// The year reported on (not the publication date).
    pub year: Option<i32>,
    /// Proper name of the province (`Manabí`) or `Nacional`.
    pub province: Option<String>,
    /// The reporting unit as written.
    pub unit: Option<String>,
    /// What decided the year, province and unit.
    #[serde(default)]
    pub evidence: MetadataEvidence,
    /// The full text (NFC), as read from the file.
    pub text: String,
    /// Its passages, in reading order.
    pub passages: Vec<Passage>,
}
