//! `windmill-fake`: an in-process fake of Windmill's REST API (shapes of v1.743.0), for the tests,
//! examples and benchmarks of windmill-mcp.
//!
//! It is a workspace member of its own (`tests/fake_windmill/`, not published) so that it is
//! compiled once and shared: windmill-mcp takes it as a dev-dependency, and every test target,
//! `examples/fake_windmill.rs` and the benchmarks use it as `windmill_fake`. It does not depend on
//! windmill-mcp: it imitates Windmill, not what windmill-mcp expects of it, and
//! `tests/fake_windmill_spec.rs` checks it against the OpenAPI document a real Windmill serves.
//!
//! Start it with [`start`] (seeded data) or [`start_with`] (your own [`FakeState`]). It listens on
//! `127.0.0.1:<random port>`; every route lives under `/api`, like a real Windmill, so point a
//! client at [`FakeWindmill::base_url`] (no `/api`) or [`FakeWindmill::api_url`].
//!
//! What it imitates, as measured on a real Windmill (see `notes/incumbent.md` in the shared folder,
//! [`SHARED_DIR`]):
//! - errors are `text/plain` bodies such as `Not found: Script not found at name f/x` (404),
//!   `Not authorized: Unauthorized` (401: no token, unknown token, or a workspace the token's user
//!   is not a member of) and `Access denied. Required scope: scripts:read` (403: scoped token,
//!   e.g. a `mcp:all` token on any REST route);
//! - JSON bodies are parsed like axum's `Json`: wrong content type 415, invalid JSON 400, valid
//!   JSON of the wrong shape (missing required field, bad enum value) 422;
//! - creates answer `201 text/plain` (a hash for scripts, a uuid for runs, a message otherwise);
//! - `POST /api/w/{w}/jobs/run_wait_result/p/{path}` answers 200 with the result as JSON, or 422
//!   with `{"error":{"name":"ExecutionErr","message":...,"exit_code":3}}` when the script fails
//!   (any script whose path contains `fail`);
//! - `GET /api/w/{w}/scripts/list` items carry no `schema` (nor `content`); `GET .../flows/list`
//!   items carry no `value`. (Both are required by Windmill's own spec: the real server does not
//!   follow it there, and neither does this fake.)
//!
//! The fake never panics on bad input; it answers an error instead.
//!
//! Modules: `state` holds the data (what tests arrange and inspect), `seed` the default data set
//! and its well-known names, `big` a generated workspace of thousands of items, `routes` the HTTP
//! side (router, authentication, one module of handlers per kind of item), `execution` what a run
//! does, and `server` the handle of a running fake.

mod big;
mod execution;
mod ids;
mod realistic;
mod routes;
mod seed;
mod server;
mod state;

pub use big::*;
pub use ids::now_rfc3339;
pub use realistic::{add_realistic_items, realistic_items, RealisticItem};
pub use routes::gate::required_scope;
pub use seed::*;
pub use server::{start, start_with, FakeWindmill, Recorded};
pub use state::*;
