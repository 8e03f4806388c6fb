//! Everything that talks to Windmill: the HTTP client ([`client`]), the operations the server calls
//! on its own behalf with typed answers ([`api`]), what answers become for the model ([`answer`]),
//! and the spec a running Windmill serves ([`spec`]).
//!
//! This room knows Windmill's HTTP API and nothing of MCP sessions: it is called by the workspace
//! layer and the MCP handler, and calls nothing above it.

pub mod answer;
pub mod api;
pub mod client;
pub mod spec;

pub use api::{Api, UpstreamError};
pub use client::{Answer, Limits, SendError, Token, Windmill};
