//! How long the generator takes, stage by stage: the time `build.rs` adds to a build.
//!
//! Run with `cargo bench -p windmill-mcp-emit --bench codegen` (release build). Settings, as
//! arguments after `--` or in the environment:
//! - `--spec F` or `CODEGEN_BENCH_SPEC=F`: the spec to read (a Windmill
//!   `backend/windmill-api/openapi.yaml` or a served `openapi.json`); default: the one
//!   `WINDMILL_OPENAPI` names (`.cargo/config.toml`), the spec the server is built from;
//! - `--runs N` or `CODEGEN_BENCH_RUNS=N`: runs to take the median of (default 5).
//!
//! It prints the median time of each stage: load (with cross-file `$ref`s), lower (which ends by
//! compiling every tool schema as a validator) and emit (`quote!` + prettyplease).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use windmill_mcp_codegen::{load, lower};
use windmill_mcp_emit::emit::emit;

/// The spec the workspace builds from, when neither `--spec` nor the environment names one.
const DEFAULT_SPEC: &str =
    "../../../shared/windmill-openapi/v1.743.0/backend/windmill-api/openapi.yaml";

struct Settings {
    spec: PathBuf,
    runs: usize,
}

fn settings() -> Result<Settings, String> {
    let mut spec = std::env::var_os("CODEGEN_BENCH_SPEC")
        .or_else(|| std::env::var_os("WINDMILL_OPENAPI"))
        .map(PathBuf::from)
        .or_else(|| option_env!("WINDMILL_OPENAPI").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_SPEC));
    let mut runs = match std::env::var("CODEGEN_BENCH_RUNS") {
        Ok(n) => n
            .parse()
            .map_err(|_| format!("CODEGEN_BENCH_RUNS={n} is not a number"))?,
        Err(_) => 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec = args.next().ok_or("--spec needs a file")?.into(),
            "--runs" => {
                let n = args.next().ok_or("--runs needs a number")?;
                runs = n
                    .parse()
                    .map_err(|_| format!("--runs {n} is not a number"))?;
            }
            // `cargo bench` passes `--bench`; any other flag is a mistake worth naming.
            "--bench" => {}
            other => {
                return Err(format!(
                    "unknown argument {other} (expected --spec F, --runs N)"
                ))
            }
        }
    }
    Ok(Settings {
        spec,
        runs: runs.max(1),
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn run(Settings { spec, runs }: Settings) -> Result<(), String> {
    let (mut load_ms, mut lower_ms, mut emit_ms, mut total_ms) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut ops = 0;
    let mut bytes = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let loaded = load::load(&spec).map_err(|e| e.to_string())?;
        let t1 = Instant::now();
        let api = lower::lower(&loaded).map_err(|e| e.to_string())?;
        let t2 = Instant::now();
        let code = emit(&api)?;
        let t3 = Instant::now();
        ops = api.operations.len();
        bytes = code.len();
        load_ms.push((t1 - t0).as_secs_f64() * 1e3);
        lower_ms.push((t2 - t1).as_secs_f64() * 1e3);
        emit_ms.push((t3 - t2).as_secs_f64() * 1e3);
        total_ms.push((t3 - t0).as_secs_f64() * 1e3);
    }
    println!(
        "codegen of {} ({ops} operations, {bytes} bytes of Rust), median of {runs} runs:",
        spec.display()
    );
    println!("  load + resolve $refs   {:>8.1} ms", median(load_ms));
    println!("  lower to tools         {:>8.1} ms", median(lower_ms));
    println!("  emit + prettyplease    {:>8.1} ms", median(emit_ms));
    println!("  total                  {:>8.1} ms", median(total_ms));
    Ok(())
}

fn main() -> ExitCode {
    match settings().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
