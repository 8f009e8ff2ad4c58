//! The OpenAPI description, generated from the handlers' annotations and the response types.

use utoipa::OpenApi;

use super::error::{ErrorBody, ErrorDetail};
use super::figures::{self, BatchQuery, BatchResponse};
use super::handlers::{self, ReportList};
use crate::extract::{Figure, FigureKind, Policy};
use crate::search::{
    FacetValue, Facets, FigureHit, FigureMode, FigureResponse, Hit, PassageView, ReportDetail,
    ReportSummary, Response, Suggestion, Suggestions,
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
        Response,
        Hit,
        Facets,
        FacetValue,
        Figure,
        FigureKind,
        Policy,
        Suggestions,
        Suggestion,
        ReportList,
        ReportSummary,
        ReportDetail,
        PassageView,
        ErrorBody,
        ErrorDetail,
        FigureResponse,
        FigureHit,
        FigureMode,
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
