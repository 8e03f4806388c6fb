//! windmill-mcp: Windmill's REST API, and each workspace's scripts and flows, as MCP tools.
//!
//! * [`generated`]: the endpoint tools, generated at build time from the Windmill OpenAPI document;
//! * [`runtime`]: the hand-written code the generated request builders call;
//! * [`registry`]: the tools as MCP definitions, and selections of them;
//! * [`windmill`]: the HTTP client that sends requests to Windmill with the caller's token;
//! * [`server`]: the MCP server (tools/list, tools/call);
//! * [`http`]: Streamable HTTP routes, authentication and Host/Origin checks;
//! * [`inspect`]: the `tools` command;
//! * [`spec`]: the `spec` command (pull, diff, bundle) and the start-up version check;
//! * [`workspace`]: each workspace's scripts and flows as tools, discovered live and run as jobs.

pub mod config;
pub mod discovery;
#[cfg(test)]
mod fixtures;
pub mod generated;
pub mod http;
pub mod inspect;
pub mod profile;
pub mod registry;
pub mod runtime;
pub mod search;
pub mod server;
pub mod spec;
pub mod suggest;
pub mod windmill;
pub mod workspace;
