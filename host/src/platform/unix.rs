//! Unix: connectors are tied to the host with a process group of their own (the host's Ctrl-C
//! does not hit them directly; the host stops them in order) and, on Linux, a parent-death
//! signal (SIGTERM), so that even a `kill -9` of the host tells them to shut down. Private files
//! (the engine token, keys) get mode 0600; signals are SIGINT and SIGTERM.

// `pre_exec` is unsafe: the closure runs in the forked child before exec.
#![allow(unsafe_code)]

use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use tokio::process::{Child, Command};

/// Makes `command` start in a new process group and receive SIGTERM when the host dies.
pub(crate) fn tie_to_host(command: &mut Command) {
    command.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs in the child between fork and exec and only calls prctl and
    // getppid, both async-signal-safe, touching no memory shared with the parent.
    unsafe {
        let host = std::process::id() as libc::pid_t;
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The host may have died between fork and prctl; then nobody would signal us.
            if libc::getppid() != host {
                libc::_exit(0);
            }
            Ok(())
        });
    }
}

/// Whether the hop to a launched connector at `address` is private enough for passwords: a Unix
/// socket in the host's private state directory. Loopback TCP is not: any local account may
/// connect to it, and on Unix there is a better hop.
pub(crate) fn launched_hop_is_private(address: &ecma2_transport::Address) -> bool {
    matches!(address, ecma2_transport::Address::Unix(_))
}

/// After spawning: nothing more to do on Unix (the parent-death signal is set before exec).
pub(crate) fn adopt(_child: &Child) -> io::Result<()> {
    Ok(())
}

/// Writes `contents` to a new file at `path` (replacing any file there) that only its owner can
/// read: mode 0600 from the moment it exists.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    // Replacing: remove first, so a secret never sits in a file that kept a wider mode.
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != io::ErrorKind::NotFound
    {
        return Err(e);
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Narrows an existing file to its owner (0600) when its mode lets anyone else in.
pub fn make_private(path: &Path) -> io::Result<()> {
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Whether only the owner can read `path` (for tests and checks).
pub fn is_private(path: &Path) -> io::Result<bool> {
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 == 0)
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM; returns which.
pub async fn stop_requested() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

/// Whether `path` is a file this user may run (any execute bit).
pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Whether `meta` describes a Unix socket.
pub(crate) fn is_socket(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_socket()
}

/// Connects to the Unix socket at `path` (to tell a live listener from a stale socket).
pub(crate) fn connect_unix_socket(path: &Path) -> io::Result<()> {
    std::os::unix::net::UnixStream::connect(path).map(drop)
}
