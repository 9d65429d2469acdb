//! Windows: the host is watched through a process handle opened at start (SYNCHRONIZE only), so a
//! recycled pid can never pass for the host; it is gone once the handle is signalled. A stop is
//! Ctrl-C, Ctrl-Break or the console closing. The host also puts its connectors in a
//! kill-on-close Job Object; this watch is the second line of defence (docs/runtime.md).

// OpenProcess/WaitForSingleObject have no safe wrapper in std or tokio; this is the SDK's only
// unsafe code, each block saying why it is sound.
#![allow(unsafe_code)]

use std::time::Duration;

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, WAIT_OBJECT_0};
use windows_sys::Win32::System::Threading::{OpenProcess, PROCESS_SYNCHRONIZE, WaitForSingleObject};

/// Watches the host process that launched this connector.
pub(crate) struct HostWatch {
    /// The host's process handle; null when it could not be opened (the host is already gone).
    process: HANDLE,
}

// SAFETY: a process handle is a kernel object handle, usable from any thread.
unsafe impl Send for HostWatch {}

impl HostWatch {
    /// Starts watching `pid` (the host's pid from the environment).
    pub(crate) fn new(pid: u32) -> Self {
        // SAFETY: plain call; a null result means no such process (or no access), handled in gone.
        let process = unsafe { OpenProcess(PROCESS_SYNCHRONIZE, 0, pid) };
        Self { process }
    }

    /// Whether the host process is gone.
    pub(crate) fn gone(&self) -> bool {
        // SAFETY: the handle is open until drop; a zero timeout only polls.
        self.process.is_null() || unsafe { WaitForSingleObject(self.process, 0) } == WAIT_OBJECT_0
    }

    /// Completes once the host is gone (polled, so no thread blocks on the handle).
    pub(crate) async fn wait(self) {
        while !self.gone() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for HostWatch {
    fn drop(&mut self) {
        if !self.process.is_null() {
            // SAFETY: opened in new, closed once.
            unsafe { CloseHandle(self.process) };
        }
    }
}

/// Completes on Ctrl-C, Ctrl-Break or the console closing; returns which.
pub(crate) async fn stop_signal() -> &'static str {
    use tokio::signal::windows::{ctrl_break, ctrl_close};
    let mut brk = ctrl_break().ok();
    let mut close = ctrl_close().ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
        _ = async { match brk.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => "Ctrl-Break",
        _ = async { match close.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => "console closed",
    }
}
