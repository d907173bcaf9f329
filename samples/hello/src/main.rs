//! The seed's Rocket "hello world", done right for a small board: an HTTP server on port 8000
//! that answers `GET /text` with `hello world`, a `--version` flag, and a graceful shutdown on
//! SIGTERM (what procd, systemd and `kill` send) and SIGINT (Ctrl-C).
//!
//! Standard library only, and Rust 1.63 (Debian 12's rustc) is enough: it builds offline for
//! every board crossboard knows, and as a static binary it runs on musl and glibc devices alike.

mod http;
mod options;
mod signals;

use std::io;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use options::{Command, Options};

/// How long in-flight requests may take to finish once a shutdown was asked for.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let options = match options::parse(std::env::args().skip(1), std::env::var("HELLO_LISTEN").ok()) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Version) => {
            println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            println!("{}", options::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("hello: {}\n\n{}", message, options::USAGE);
            return ExitCode::from(2);
        }
    };

    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hello: {}", error);
            ExitCode::FAILURE
        }
    }
}

fn serve(options: &Options) -> io::Result<()> {
    signals::install()?;
    let listener = TcpListener::bind(&options.listen)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {}: {}", options.listen, e)))?;
    // Tests and supervisors read the real address (port 0 picks a free one) from this line.
    eprintln!("hello {} listening on http://{}", env!("CARGO_PKG_VERSION"), listener.local_addr()?);

    let active = Arc::new(AtomicUsize::new(0));
    while !signals::shutdown_requested() {
        // poll() returns early when a signal arrives (Linux never restarts it), so the shutdown
        // is noticed at once; the timeout only bounds the race between the check and the wait.
        if !signals::wait_readable(&listener, Duration::from_secs(1))? {
            continue;
        }

        match listener.accept() {
            Ok((stream, _)) => {
                let active = Arc::clone(&active);
                active.fetch_add(1, Ordering::SeqCst);
                let spawned = thread::Builder::new().name("connection".into()).spawn(move || {
                    if let Err(error) = http::handle(stream) {
                        eprintln!("hello: connection: {}", error);
                    }
                    active.fetch_sub(1, Ordering::SeqCst);
                });
                if let Err(error) = spawned {
                    eprintln!("hello: cannot start a connection thread: {}", error);
                }
            }
            Err(error) if is_transient(&error) => continue,
            Err(error) => return Err(error),
        }
    }

    drop(listener);
    eprintln!("hello: shutting down, waiting for {} open connection(s)", active.load(Ordering::SeqCst));
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    while active.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }

    eprintln!("hello: stopped");
    Ok(())
}

/// Errors accept() can return for one failed connection, which must not stop the server.
fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}
