//! The endpoint tools: one per operation of the Windmill OpenAPI document.
//!
//! * [`generated`]: what `build.rs` generated from the spec (one module per operation with a typed
//!   `Params` struct and its request builder, the [`generated::ENDPOINTS`] table, the search index);
//! * [`runtime`]: the hand-written code the generated builders call (reading arguments, checking
//!   Windmill paths, percent-encoding, bodies);
//! * [`interpret`]: request building for operations lowered at run time (a live spec), with the
//!   same runtime;
//! * [`registry`]: the endpoints as MCP tool definitions (full and compact; each operation under its
//!   operationId, and the curated ones as Windmill's own server lists them), with their validators
//!   and per-profile listings;
//! * [`selection`]: which endpoints a connection lists (`--tools`, `?tools=`);
//! * [`search`]: plain words → the best matching endpoints.
//!
//! This room knows nothing of sessions, HTTP callers or Windmill answers: it turns arguments into
//! requests and describes tools.

pub mod generated;
pub mod interpret;
pub mod registry;
pub mod runtime;
pub mod search;
pub mod selection;

pub use registry::{Form, Operation, Registry, ToolEntry};
pub use runtime::{Endpoint, HttpRequest, Method};
pub use selection::Selection;
