//! Launching a connector process so that it can never outlive the host: it gets its own process
//! group (the host's Ctrl-C does not hit it directly; the host stops it in order), and on Linux a
//! parent-death signal (SIGTERM) so that even a `kill -9` of the host tells it to shut down. The
//! SDKs also watch the host's pid, as a second line of defence.

#![allow(unsafe_code)]

use tokio::process::Command;

/// Makes `command` start in a new process group and receive SIGTERM when the host dies.
pub fn tie_to_host(command: &mut Command) {
    command.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs in the child between fork and exec and only calls prctl and
    // getppid, both async-signal-safe, touching no memory shared with the parent.
    unsafe {
        let host = std::process::id() as libc::pid_t;
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The host may have died between fork and prctl; then nobody would signal us.
            if libc::getppid() != host {
                libc::_exit(0);
            }
            Ok(())
        });
    }
}
