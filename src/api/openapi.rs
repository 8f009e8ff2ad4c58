//! The OpenAPI description, generated from the handlers' annotations and the response types.

use utoipa::OpenApi;

use super::error::{ErrorBody, ErrorDetail};
use super::figures::{self, BatchQuery, BatchResponse};
use super::handlers::{self, ReportList};
use super::render::{HitJson, PassageJson, ReportJson, SearchJson};
use crate::extract::{Figure, FigureKind, Policy};
use crate::index::ReportInfo;
use crate::search::{
    FacetValue, Facets, FigureHit, FigureMode, FigureOrder, FigureResponse, ReportSummary,
    Suggestion, Suggestions,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cuentas",
        description = "Search the public accountability reports (Rendición de Cuentas) of Ecuador's IESS."
    ),
    paths(
        handlers::search,
        handlers::suggest,
        handlers::facets,
        handlers::reports,
        handlers::report,
        handlers::healthz,
        handlers::readyz,
        handlers::metrics,
        figures::figures,
        figures::batch
    ),
    components(schemas(
        SearchJson,
        HitJson,
        ReportInfo,
        Facets,
        FacetValue,
        Figure,
        FigureKind,
        Policy,
        Suggestions,
        Suggestion,
        ReportList,
        ReportSummary,
        ReportJson,
        PassageJson,
        ErrorBody,
        ErrorDetail,
        FigureResponse,
        FigureHit,
        FigureMode,
        FigureOrder,
        BatchResponse,
        BatchQuery
    ))
)]
struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// The property names of schema `name`, through `allOf` and `$ref` (flattened fields).
    fn properties(doc: &Value, schema: &Value) -> Vec<String> {
        if let Some(target) = schema["$ref"].as_str() {
            let name = target.trim_start_matches("#/components/schemas/");
            return properties(doc, &doc["components"]["schemas"][name]);
        }
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            names.extend(properties(doc, part));
        }
        names
    }

    #[test]
    fn flattened_report_fields_are_listed_where_they_are_sent() {
        let doc: Value = serde_json::from_str(&openapi_json()).expect("valid JSON");
        for name in ["Hit", "FigureHit", "ReportSummary"] {
            let props = properties(&doc, &doc["components"]["schemas"][name]);
            for field in ["report_id", "source", "title", "year", "province", "unit"] {
                assert!(props.iter().any(|p| p == field), "{name} lacks {field}");
            }
        }
        let hit = properties(&doc, &doc["components"]["schemas"]["Hit"]);
        let passage = properties(&doc, &doc["components"]["schemas"]["PassageView"]);
        for (props, field) in [
            (&hit, "snippet"),
            (&hit, "excerpt"),
            (&hit, "highlights"),
            (&passage, "html"),
            (&passage, "highlights"),
        ] {
            assert!(props.iter().any(|p| p == field), "{field} is not described");
        }
    }
}
