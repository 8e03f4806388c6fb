//! A runnable fake Windmill, for scripts and benchmarks (`scripts/conformance.sh`, `bench`).
//!
//! It is the tests' fake (the `windmill-fake` crate, `tests/fake_windmill/`) with the same seeded
//! data: tokens such as `tok-alice` for workspace `demo`. It listens on `127.0.0.1:<random port>`,
//! prints one line `FAKE_WINDMILL_URL=http://127.0.0.1:PORT` on stdout, and runs until it is killed
//! (SIGINT/SIGTERM) or, when its standard input is a pipe or a terminal, until that closes (so a
//! parent that dies takes the fake with it). Stdin from `/dev/null` or a file is ignored, so
//! `fake_windmill &` in a script keeps running; `--no-stdin` ignores stdin whatever it is.
//!
//! ```text
//! cargo run --release --example fake_windmill                  # until Ctrl-C or Ctrl-D
//! target/release/examples/fake_windmill </dev/null &           # until killed
//! ```

use std::io::Write;

use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() {
    let watch_stdin = !std::env::args().skip(1).any(|a| a == "--no-stdin") && stdin_can_close();
    let fake = windmill_fake::start().await;
    {
        let mut out = std::io::stdout().lock();
        // A closed stdout only means nobody reads the URL: keep serving anyway.
        let _ = writeln!(out, "FAKE_WINDMILL_URL={}", fake.base_url);
        let _ = out.flush();
    }
    eprintln!(
        "fake windmill on {} (tokens: {} for workspace {}, {} for {}, {} for all); {}",
        fake.base_url,
        windmill_fake::TOKEN_ALICE,
        windmill_fake::WS_DEMO,
        windmill_fake::TOKEN_BOB,
        windmill_fake::WS_OTHER,
        windmill_fake::TOKEN_ADMIN,
        if watch_stdin {
            "stops when stdin closes or on a signal"
        } else {
            "stops on a signal"
        }
    );

    let stdin_closed = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 1024];
        loop {
            match stdin.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::select! {
        _ = stdin_closed => {}
        _ = shutdown_signal() => {}
    }
    drop(fake);
}

/// Whether stdin is something whose end means "stop": a pipe, a socket or a terminal (not
/// `/dev/null`, which background jobs of a script get, nor a regular file).
fn stdin_can_close() -> bool {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata("/dev/stdin")
            .map(|m| m.file_type().is_fifo() || m.file_type().is_socket())
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// SIGINT, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
