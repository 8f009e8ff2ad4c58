//! The one error type of the HTTP face: every failure becomes `{ "error": { code, message } }`
//! with a 4xx status for what the caller sent and a 5xx with a generic message for our faults
//! (the detail is logged, never sent).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::search::SearchError;

/// Seconds a refused caller is asked to wait (`Retry-After`).
const RETRY_AFTER_SECS: &str = "1";

/// An error answered to an HTTP caller.
#[derive(Debug)]
pub enum ApiError {
    /// The request is malformed or a value is out of range (400).
    BadRequest(String),
    /// No such thing (404).
    NotFound(String),
    /// The search took too long (503).
    Timeout,
    /// The search queue is full: try again shortly (429).
    Overloaded,
    /// The index is not ready (503).
    Unavailable(String),
    /// Our fault; the text is logged, the caller gets a generic message (500).
    Internal(String),
}

/// The JSON body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `not_found`, `timeout`, `overloaded`, `unavailable` or `internal`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.clone()),
            ApiError::Timeout => (
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the search took too long: narrow it with more words or filters".into(),
            ),
            ApiError::Overloaded => (
                StatusCode::TOO_MANY_REQUESTS,
                "overloaded",
                "the server is busy with other searches: try again in a second".into(),
            ),
            ApiError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m.clone()),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error: the search service failed, try again later".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let (status, code, message) = self.parts();
        let mut response = (
            status,
            Json(ErrorBody {
                error: ErrorDetail { code, message },
            }),
        )
            .into_response();
        // Shedding load or out of time: the caller may come back, and is told when.
        if matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        ) {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::NotFound(m) => ApiError::NotFound(m),
            SearchError::Cancelled => ApiError::Timeout,
            e if e.is_caller_error() => ApiError::BadRequest(e.to_string()),
            e => ApiError::Internal(e.to_string()),
        }
    }
}
