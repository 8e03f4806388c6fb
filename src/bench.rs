//! `windmill-mcp bench codegen`: how long the generator takes (the figure build.rs adds to a build).
//!
//! The serving benchmark needs the fake Windmill of the test suite, so it lives in `benches/serve.rs`
//! (`cargo bench --bench serve`).

use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Time every generator stage on a spec (default: the one this binary was built from).
    Codegen {
        /// The spec to read (a Windmill `backend/windmill-api/openapi.yaml` or a served `openapi.json`).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Runs to take the median of.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

pub async fn run(cmd: BenchCommand) -> Result<(), String> {
    match cmd {
        BenchCommand::Codegen { spec, runs } => {
            let spec = spec.unwrap_or_else(|| PathBuf::from(crate::generated::SPEC_PATH));
            let runs = runs.max(1);
            let (mut load, mut lower, mut emit, mut total) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut ops = 0;
            let mut bytes = 0;
            for _ in 0..runs {
                let t0 = Instant::now();
                let loaded = windmill_mcp_codegen::load::load(&spec).map_err(|e| e.to_string())?;
                let t1 = Instant::now();
                let api = windmill_mcp_codegen::lower::lower(&loaded).map_err(|e| e.to_string())?;
                let t2 = Instant::now();
                let code = windmill_mcp_codegen::emit::emit(&api, &|op| {
                    windmill_mcp_codegen::is_curated(&api, op)
                })?;
                let t3 = Instant::now();
                ops = api.operations.len();
                bytes = code.len();
                load.push((t1 - t0).as_secs_f64() * 1e3);
                lower.push((t2 - t1).as_secs_f64() * 1e3);
                emit.push((t3 - t2).as_secs_f64() * 1e3);
                total.push((t3 - t0).as_secs_f64() * 1e3);
            }
            println!(
                "codegen of {} ({ops} operations, {bytes} bytes of Rust), median of {runs} runs:",
                spec.display()
            );
            println!("  load + resolve $refs   {:>8.1} ms", median(load));
            println!("  lower to tools         {:>8.1} ms", median(lower));
            println!("  emit + prettyplease    {:>8.1} ms", median(emit));
            println!("  total                  {:>8.1} ms", median(total));
            Ok(())
        }
    }
}
