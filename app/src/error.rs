//! The error type that crosses the wire from server functions to pages.
//!
//! Users see [`AppError::message`] in their own language; the detail of an
//! unexpected failure stays in the server log and never reaches the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Messages;

/// What went wrong, in terms a page can explain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The database holds no district yet (run `gouzhu demo` or import one).
    #[error("no district has been set up")]
    NoDistrict,
    /// Something failed on the server; the log has the detail.
    #[error("internal server error")]
    Internal,
    /// The request never reached the function or its answer was unreadable.
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The message for a user, in the language of `t`.
    pub fn message(&self, t: &Messages) -> &'static str {
        match self {
            AppError::NoDistrict => t.error_no_district,
            AppError::Internal => t.error_internal,
            AppError::Transport(_) => t.error_transport,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
