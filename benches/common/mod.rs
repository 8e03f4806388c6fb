//! Helpers the benchmarks share: percentiles, process figures from `/proc`, ports, settings.
#![allow(dead_code)]

/// The value at fraction `p` (0..=1) of sorted samples.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// (p50, p99) of samples.
pub fn summary(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (pct(&v, 0.5), pct(&v, 0.99))
}

/// Resident memory of a process, in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// An environment variable as a number, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// `windmill-mcp serve` (this build) as a child process on a free loopback port, once `/health`
/// answers.
pub struct Served {
    pub child: tokio::process::Child,
    pub pid: u32,
    /// `127.0.0.1:PORT`
    pub listen: String,
}

pub async fn serve(base_url: &str, extra: &[&str]) -> Served {
    let listen = format!("127.0.0.1:{}", free_port());
    let mut args = vec!["serve", "--listen", listen.as_str(), "--base-url", base_url];
    args.extend_from_slice(extra);
    // BENCH_SERVER_WRAPPER (e.g. `heaptrack -o /tmp/heap`) runs the server under a profiler; the
    // resident memory figures are then the wrapper's, not the server's.
    let wrapper = std::env::var("BENCH_SERVER_WRAPPER").unwrap_or_default();
    let mut words: Vec<&str> = wrapper.split_whitespace().collect();
    words.push(env!("CARGO_BIN_EXE_windmill-mcp"));
    let child = tokio::process::Command::new(words[0])
        .args(&words[1..])
        .args(&args)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("spawn windmill-mcp serve");
    let pid = child.id().unwrap_or(0);
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    while http
        .get(format!("http://{listen}/health"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "windmill-mcp did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Served { child, pid, listen }
}
