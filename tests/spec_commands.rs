//! `windmill-mcp spec pull | diff | bundle` and the start-up version check, against the fake Windmill.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use windmill_fake::FakeState;
use windmill_mcp::cli::spec::{self, COMPILED};
use windmill_mcp::endpoints::generated::SPEC_VERSION;

const TIMEOUT: Duration = Duration::from_secs(30);

/// An empty directory of its own for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("spec_commands")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test directory");
    dir
}

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/windmill-openapi")
        .join(rel)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn fake_serving(openapi: PathBuf, version: &str) -> windmill_fake::FakeWindmill {
    let mut st = FakeState::seeded();
    st.openapi_json_path = openapi;
    st.version = version.to_owned();
    windmill_fake::start_with(st).await
}

#[tokio::test]
async fn pull_writes_the_served_document_and_says_how_to_rebuild() {
    let fake = windmill_fake::start().await;
    let served = windmill_fake::DEFAULT_OPENAPI_JSON;
    let out = fresh_dir("pull_lib");

    // With `/api` and a trailing slash, as users paste it.
    let pulled = spec::pull(&format!("{}/api/", fake.base_url), &out, TIMEOUT)
        .await
        .expect("pull succeeds");

    assert_eq!(
        entries(&out),
        ["openapi.json"],
        "openapi.json and nothing else"
    );
    let written = std::fs::read(out.join("openapi.json")).expect("the file is there");
    assert_eq!(written, std::fs::read(served).expect("the served file"));
    assert_eq!(pulled.version, "1.740.0");
    assert_eq!(pulled.operations, 741);
    assert_eq!(pulled.curated, 38);
    assert_eq!(
        pulled.path,
        std::fs::canonicalize(out.join("openapi.json")).unwrap()
    );
    assert!(pulled.path.is_absolute());

    let report = pulled.report();
    assert!(report.contains("Windmill API 1.740.0"), "{report}");
    assert!(report.contains("741 operations"), "{report}");
    let command = format!(
        "WINDMILL_OPENAPI={} cargo build --release",
        pulled.path.display()
    );
    assert_eq!(pulled.rebuild_command(), command);
    assert!(report.contains(&command), "{report}");
    assert!(
        report.contains(&format!("spec diff @compiled {}", pulled.path.display())),
        "{report}"
    );
}

#[tokio::test]
async fn pull_through_the_binary() {
    let fake = windmill_fake::start().await;
    let out = fresh_dir("pull_bin");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(["spec", "pull", "--from", &fake.base_url, "--out"])
        .arg(&out)
        .output()
        .await
        .expect("run windmill-mcp");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let path = std::fs::canonicalize(out.join("openapi.json")).expect("written");
    assert!(
        stdout.contains("pulled Windmill API 1.740.0 from"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "WINDMILL_OPENAPI={} cargo build --release",
            path.display()
        )),
        "{stdout}"
    );
    assert_eq!(entries(&out), ["openapi.json"]);
}

#[tokio::test]
async fn pull_refuses_yaml() {
    let fake = fake_serving(shared("served-v1.740.0/openapi.yaml"), "CE v1.740.0").await;
    let out = fresh_dir("pull_yaml");
    let err = spec::pull(&fake.base_url, &out, TIMEOUT)
        .await
        .expect_err("YAML is refused");
    assert!(err.contains("answered YAML"), "{err}");
    assert!(err.contains("/api/openapi.json"), "{err}");
    assert!(entries(&out).is_empty(), "nothing written");
}

#[tokio::test]
async fn pull_refuses_an_error_answer() {
    let fake = fake_serving(PathBuf::from("/nonexistent/openapi.json"), "CE v1.740.0").await;
    let out = fresh_dir("pull_500");
    let err = spec::pull(&fake.base_url, &out, TIMEOUT)
        .await
        .expect_err("HTTP 500 is refused");
    assert!(err.contains("answered HTTP 500"), "{err}");
    assert!(entries(&out).is_empty(), "nothing written");

    // Through the binary: a failure status and the message on stderr.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(["spec", "pull", "--from", &fake.base_url, "--out"])
        .arg(&out)
        .output()
        .await
        .expect("run windmill-mcp");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("answered HTTP 500"), "{stderr}");
}

#[tokio::test]
async fn pull_refuses_a_document_that_does_not_build() {
    let dir = fresh_dir("pull_swagger");
    let swagger = dir.join("swagger.json");
    std::fs::write(
        &swagger,
        r#"{"swagger": "2.0", "info": {"title": "x", "version": "1"}}"#,
    )
    .unwrap();
    let fake = fake_serving(swagger, "CE v1.740.0").await;
    let out = dir.join("out");
    let err = spec::pull(&fake.base_url, &out, TIMEOUT)
        .await
        .expect_err("Swagger 2 is refused");
    assert!(err.contains("does not build into tools"), "{err}");
    assert!(err.contains("expected an OpenAPI 3.0 document"), "{err}");
    assert!(entries(&out).is_empty(), "nothing written");
}

#[tokio::test]
async fn pull_from_nowhere_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let out = fresh_dir("pull_down");
    let err = spec::pull(&format!("http://127.0.0.1:{port}"), &out, TIMEOUT)
        .await
        .expect_err("nothing listens");
    assert!(err.contains("cannot fetch"), "{err}");
}

#[tokio::test]
async fn check_version_accepts_the_same_version() {
    let fake = fake_serving(
        PathBuf::from(windmill_fake::DEFAULT_OPENAPI_JSON),
        &format!("CE v{SPEC_VERSION}"),
    )
    .await;
    let check = windmill_mcp::upstream::spec::check_version(
        fake.base_url.clone(),
        windmill_mcp::endpoints::Registry::compiled().clone(),
    )
    .await;
    assert_eq!(check.matches, Some(true), "{check:?}");
    assert_eq!(check.running_version.as_deref(), Some(SPEC_VERSION));
    assert!(check.diff.is_none() && check.problems.is_empty());
    // The spec is not fetched when the versions match.
    assert!(fake
        .requests()
        .iter()
        .all(|r| r.path != "/api/openapi.json"));
}

#[tokio::test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "expectations are about Windmill v1.795.0's operations"
)]
async fn check_version_names_the_curated_tools_that_changed() {
    // The fake claims an old Windmill and serves a spec in which getJob is gone and listJobs changed.
    let dir = fresh_dir("check_changed");
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(windmill_fake::DEFAULT_OPENAPI_JSON).unwrap())
            .unwrap();
    let paths = doc["paths"].as_object_mut().unwrap();
    let get_job = paths
        .iter()
        .find(|(_, item)| item["get"]["operationId"] == "getJob")
        .map(|(p, _)| p.clone())
        .expect("getJob in the served spec");
    paths.remove(&get_job);
    let list_jobs = paths
        .iter()
        .find(|(_, item)| item["get"]["operationId"] == "listJobs")
        .map(|(p, _)| p.clone())
        .expect("listJobs in the served spec");
    paths[&list_jobs]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "must_have", "in": "query", "required": true, "schema": {"type": "string"}}));
    let file = dir.join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let fake = fake_serving(file, "EE v0.0.1").await;

    let check = windmill_mcp::upstream::spec::check_version(
        fake.base_url.clone(),
        windmill_mcp::endpoints::Registry::compiled().clone(),
    )
    .await;
    assert_eq!(check.running.as_deref(), Some("EE v0.0.1"));
    assert_eq!(check.matches, Some(false), "{check:?}");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    let d = check.diff.as_ref().expect("the operations were compared");
    assert!(d.removed.iter().any(|t| t.name == "getJob"));
    assert!(
        check
            .curated_changed
            .contains(&"getJob (removed)".to_owned()),
        "{:?}",
        check.curated_changed
    );
    assert!(
        check
            .curated_changed
            .contains(&"listJobs (breaking)".to_owned()),
        "{:?}",
        check.curated_changed
    );
}

#[tokio::test]
async fn check_version_survives_a_windmill_that_is_down() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let check = windmill_mcp::upstream::spec::check_version(
        format!("http://127.0.0.1:{port}"),
        windmill_mcp::endpoints::Registry::compiled().clone(),
    )
    .await;
    assert!(check.running.is_none() && check.matches.is_none());
    assert_eq!(check.problems.len(), 1, "{:?}", check.problems);

    // A spec that cannot be fetched is reported, not fatal.
    let fake = fake_serving(PathBuf::from("/nonexistent/openapi.json"), "CE v0.0.1").await;
    let check = windmill_mcp::upstream::spec::check_version(
        fake.base_url.clone(),
        windmill_mcp::endpoints::Registry::compiled().clone(),
    )
    .await;
    assert_eq!(check.matches, Some(false));
    assert!(check.diff.is_none());
    assert!(
        check.problems.iter().any(|p| p.contains("HTTP 500")),
        "{:?}",
        check.problems
    );
}

#[test]
fn the_compiled_tools_match_the_spec_they_were_built_from() {
    let d =
        spec::diff_specs(COMPILED, windmill_mcp::endpoints::generated::SPEC_PATH).expect("diff");
    assert_eq!(d.old_version, SPEC_VERSION);
    assert!(
        d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty(),
        "{}",
        d.to_table()
    );
    assert!(d.curated.added.is_empty() && d.curated.removed.is_empty());
}

#[tokio::test]
async fn diff_through_the_binary_as_json() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(["spec", "diff", "--json"])
        .arg(shared("v1.520.1/backend/windmill-api/openapi.yaml"))
        .arg(shared("v1.743.0/backend/windmill-api/openapi.yaml"))
        .output()
        .await
        .expect("run windmill-mcp");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let d: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(d["old_version"], "1.520.1");
    assert_eq!(d["new_version"], "1.743.0");
    assert_eq!(d["summary"]["old_tools"], 500);
    assert_eq!(d["summary"]["new_tools"], 745);
    assert_eq!(d["summary"]["added"], 269);
    assert_eq!(d["summary"]["removed"], 24);

    let missing = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(["spec", "diff", "/nonexistent.yaml", COMPILED])
        .output()
        .await
        .expect("run windmill-mcp");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent.yaml"));
}

#[test]
fn bundle_writes_one_self_contained_file() {
    let out = fresh_dir("bundle");
    let b =
        spec::bundle(&shared("v1.743.0/backend/windmill-api/openapi.yaml"), &out).expect("bundle");
    assert_eq!(b.path, out.join("openapi.json"));
    assert!(b.files > 1, "several files brought together");
    assert_eq!(b.operations, Ok(745));
    let text = std::fs::read_to_string(&b.path).unwrap();
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    fn external_ref(v: &Value) -> bool {
        match v {
            Value::Object(o) => {
                o.get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.starts_with('#'))
                    || o.values().any(external_ref)
            }
            Value::Array(a) => a.iter().any(external_ref),
            _ => false,
        }
    }
    assert!(!external_ref(&doc), "only local references remain");
    assert!(b.report().contains("745 operations"));

    // The bundle is accepted by every command: it diffs as identical to the original.
    let d = spec::diff_specs(
        &shared("v1.743.0/backend/windmill-api/openapi.yaml")
            .display()
            .to_string(),
        &b.path.display().to_string(),
    )
    .expect("diff");
    assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
}

/// Runs the built binary with these arguments; (success, stdout, stderr).
async fn windmill_mcp(args: &[&str]) -> (bool, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(args)
        .output()
        .await
        .expect("run windmill-mcp");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The TOOLS column of a `tools stats` row (`all`, `curated`, ...).
fn stats_row(report: &str, mode: &str) -> Option<usize> {
    report.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        if words.next() != Some(mode) {
            return None;
        }
        words.next()?.parse().ok()
    })
}

/// `tools stats --spec FILE` and `tools list --spec URL` show what a given Windmill spec would give,
/// without building: the served v1.740.0 document as a file, then as the fake Windmill serves it.
#[tokio::test]
async fn tools_stats_and_list_read_a_spec_file_or_a_windmill() {
    let served = windmill_fake::DEFAULT_OPENAPI_JSON;
    let compiled = windmill_mcp::endpoints::Registry::compiled();

    let (ok, out, err) = windmill_mcp(&["tools", "stats", "--spec", served]).await;
    assert!(ok, "{err}");
    assert!(out.starts_with("Spec: "), "{out}");
    assert!(
        out.lines()
            .next()
            .is_some_and(|l| l.contains(" 1.740.0 (") && l.contains(served)),
        "{out}"
    );
    assert_eq!(stats_row(&out, "all"), Some(741), "{out}");
    assert!(
        out.contains("not on 1.740.0: no VS BUILTIN figure"),
        "{out}"
    );

    // Without `--spec`, the compiled tools.
    let (ok, out, err) = windmill_mcp(&["tools", "stats"]).await;
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .next()
            .is_some_and(|l| l.contains(&format!(" {SPEC_VERSION} ("))),
        "{out}"
    );
    assert_eq!(stats_row(&out, "all"), Some(compiled.all().len()), "{out}");

    // The same document served by a Windmill, read from its base URL.
    let fake = fake_serving(PathBuf::from(served), "CE v1.740.0").await;
    let (ok, out, err) =
        windmill_mcp(&["tools", "list", "--all", "--json", "--spec", &fake.base_url]).await;
    assert!(ok, "{err}");
    let tools: Value = serde_json::from_str(&out).expect("JSON on stdout");
    let names: Vec<&str> = tools
        .as_array()
        .expect("a list of tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names.len(), 741);
    assert!(names.contains(&"editDeployTo"));
    assert!(!names.contains(&"listDataMetrics"));
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.path == "/api/openapi.json"));
    let (ok, out, err) = windmill_mcp(&["tools", "list", "--spec", &fake.base_url]).await;
    assert!(ok, "{err}");
    assert!(out.contains("38 tools,"), "{out}");

    // What cannot be read is an error that names the flag, not the compiled tools.
    let (ok, out, err) =
        windmill_mcp(&["tools", "stats", "--spec", "/nonexistent/openapi.json"]).await;
    assert!(!ok && out.is_empty(), "{out}");
    assert!(
        err.contains("--spec") && err.contains("/nonexistent/openapi.json"),
        "{err}"
    );
    let (ok, _, err) = windmill_mcp(&["tools", "list", "--spec", "live"]).await;
    assert!(!ok);
    assert!(err.contains("base URL"), "{err}");
    let fake_down = fake_serving(PathBuf::from("/nonexistent/openapi.json"), "CE v0.0.1").await;
    let (ok, _, err) = windmill_mcp(&["tools", "stats", "--spec", &fake_down.base_url]).await;
    assert!(!ok);
    assert!(err.contains("HTTP 500"), "{err}");
}

/// `windmill-mcp tools list --all --json | head`: the reader goes away after a few bytes of about
/// 280 KB (more than a pipe holds); the command ends quietly, without a panic.
#[test]
fn output_to_a_reader_that_goes_away_ends_quietly() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(["tools", "list", "--all", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run windmill-mcp");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    out.read_exact(&mut first).expect("the start of the output");
    drop(out);
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
