//! SIGTERM/SIGINT without crates: a handler that sets a flag, and poll() on the listening socket,
//! which Linux interrupts (EINTR) when a handler runs and never restarts, whatever SA_RESTART says.
//! The declarations below are the C library's own (glibc and musl alike); the constants and the
//! `pollfd` layout are the same on every Linux architecture crossboard builds for.

use std::io;
use std::net::TcpListener;
use std::os::raw::{c_int, c_short, c_ulong};
use std::os::unix::io::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;
const POLLIN: c_short = 1;
const SIG_ERR: usize = !0;

static SHUTDOWN: AtomicBool = AtomicBool::new(false);

#[repr(C)]
struct PollFd {
    fd: c_int,
    events: c_short,
    revents: c_short,
}

extern "C" {
    fn signal(signum: c_int, handler: extern "C" fn(c_int)) -> usize;
    fn poll(fds: *mut PollFd, nfds: c_ulong, timeout: c_int) -> c_int;
}

extern "C" fn on_signal(_: c_int) {
    // Only an atomic store: the one thing a signal handler may safely do here.
    SHUTDOWN.store(true, Ordering::SeqCst);
}

pub fn install() -> io::Result<()> {
    for signum in [SIGINT, SIGTERM] {
        // SAFETY: on_signal is async-signal-safe (one atomic store) and lives for the whole program.
        if unsafe { signal(signum, on_signal) } == SIG_ERR {
            return Err(io::Error::last_os_error());
        }
    }

    Ok(())
}

pub fn shutdown_requested() -> bool {
    SHUTDOWN.load(Ordering::SeqCst)
}

/// Waits until a connection can be accepted (true), the timeout passes or a signal arrives (false).
pub fn wait_readable(listener: &TcpListener, timeout: Duration) -> io::Result<bool> {
    let mut fd = PollFd { fd: listener.as_raw_fd(), events: POLLIN, revents: 0 };
    let millis = timeout.as_millis().min(c_int::MAX as u128) as c_int;
    // SAFETY: one valid pollfd, which outlives the call.
    let ready = unsafe { poll(&mut fd, 1, millis) };
    if ready < 0 {
        let error = io::Error::last_os_error();
        return if error.kind() == io::ErrorKind::Interrupted { Ok(false) } else { Err(error) };
    }

    Ok(ready > 0 && fd.revents & POLLIN != 0)
}
