//! The one error type of the HTTP face: every failure becomes `{ "error": { code, message } }`
//! with a 4xx status for what the caller sent and a 5xx with a generic message for our faults
//! (the detail is logged, never sent). A bad parameter also names the parameter and the value
//! received (`parameter`, `value`), so that a page or portal can point at the field without
//! reading the message.

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
    /// The request is malformed (400).
    BadRequest(String),
    /// A parameter has a value it does not accept (400, code `bad_request` too).
    BadParameter {
        /// The parameter, as named in the query string.
        name: &'static str,
        /// The value received.
        value: String,
        /// What went wrong and what is accepted.
        message: String,
    },
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

/// What went wrong: a code to act on, a message for a person, and for a bad parameter which
/// one and its value.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `not_found`, `method_not_allowed`, `timeout`, `overloaded`, `unavailable`
    /// or `internal`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The parameter whose value was refused (`limit`, `min`, `year`, …); only on a
    /// `bad_request` caused by one parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<&'static str>,
    /// The value of `parameter` that was refused, as received (trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl ErrorDetail {
    /// An error that names no parameter.
    pub fn new(code: &'static str, message: String) -> ErrorDetail {
        ErrorDetail {
            code,
            message,
            parameter: None,
            value: None,
        }
    }
}

impl ApiError {
    /// The status and the error body's detail.
    fn parts(&self) -> (StatusCode, ErrorDetail) {
        if let ApiError::BadParameter {
            name,
            value,
            message,
        } = self
        {
            let detail = ErrorDetail {
                parameter: Some(name),
                value: Some(value.clone()),
                ..ErrorDetail::new("bad_request", message.clone())
            };
            return (StatusCode::BAD_REQUEST, detail);
        }
        let (status, code, message) = self.status_code_message();
        (status, ErrorDetail::new(code, message))
    }

    fn status_code_message(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(m) | ApiError::BadParameter { message: m, .. } => {
                (StatusCode::BAD_REQUEST, "bad_request", m.clone())
            }
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
        let (status, error) = self.parts();
        let mut response = (status, Json(ErrorBody { error })).into_response();
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
            SearchError::BadParameter {
                name, ref value, ..
            } => ApiError::BadParameter {
                name,
                value: value.clone(),
                message: e.to_string(),
            },
            e if e.is_caller_error() => ApiError::BadRequest(e.to_string()),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(e: ApiError) -> serde_json::Value {
        let (_, error) = e.parts();
        serde_json::to_value(ErrorBody { error }).unwrap_or_default()
    }

    #[test]
    fn a_bad_parameter_is_named_with_its_value() {
        let e = crate::search::parse_count("limit", Some("x"), 10, 100)
            .map_err(ApiError::from)
            .err();
        let json = body(e.expect("x is refused"));
        assert_eq!(
            json,
            serde_json::json!({ "error": {
                "code": "bad_request",
                "message": "invalid limit \"x\": a whole number from 0 to 100",
                "parameter": "limit",
                "value": "x",
            }})
        );
    }

    #[test]
    fn other_errors_name_no_parameter() {
        let json = body(ApiError::BadRequest("the batch body is empty".into()));
        assert_eq!(
            json,
            serde_json::json!({ "error": {
                "code": "bad_request",
                "message": "the batch body is empty",
            }})
        );
        let json = body(ApiError::from(SearchError::BadQuery(
            "unclosed quote".into(),
        )));
        assert!(json["error"].get("parameter").is_none(), "{json}");
    }
}
