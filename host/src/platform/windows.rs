//! Windows: launched connectors join one Job Object created with kill-on-close. The host holds
//! its only handle, so when the host process ends in any way (even killed from Task Manager) the
//! system closes the handle and kills every connector still in the job; an orderly stop still
//! asks each connector to shut down first (the Shutdown RPC, then the close grace). Connectors
//! start in a process group of their own without a console window, so the host's Ctrl-C does not
//! reach them directly. Private files get a protected DACL with one entry, full access for the
//! current user (no inherited entries: not even Administrators or SYSTEM read them through the
//! ACL). A stop is Ctrl-C, Ctrl-Break, closing the console or a system shutdown.

// Job Objects and security descriptors have no safe wrapper in std or tokio, so this module calls
// kernel32/advapi32 through windows-sys. Every unsafe block says why it is sound; nothing else in
// the crate uses unsafe code.
#![allow(unsafe_code)]

use std::io::{self, Write};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::FromRawHandle;
use std::path::Path;
use std::sync::OnceLock;

use tokio::process::{Child, Command};
use windows_sys::Win32::Foundation::{CloseHandle, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSecurityDescriptorToStringSecurityDescriptorW, ConvertSidToStringSidW,
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    DACL_SECURITY_INFORMATION, GetFileSecurityW, GetTokenInformation, PROTECTED_DACL_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES, SetFileSecurityW, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::{CREATE_NEW, CreateFileW, FILE_ATTRIBUTE_NORMAL};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation, SetInformationJobObject,
};
use windows_sys::Win32::System::Threading::{
    CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW, GetCurrentProcess, OpenProcessToken,
};

use super::{owner_only_sddl, sddl_is_owner_only};

/// Starts connectors in their own process group, without a console window.
pub(crate) fn tie_to_host(command: &mut Command) {
    command.creation_flags(CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
}

/// Whether the hop to a launched connector at `address` is private enough for passwords: loopback
/// TCP is, on Windows (docs/host.md "Windows"). Its traffic never leaves the machine and reading
/// it takes administrator rights, which can read either process's memory anyway; the host dials
/// only the port the connector announced over its stdout pipe, which only the host holds; and
/// every call carries the launch secret, so another local account that connects gets nothing.
pub(crate) fn launched_hop_is_private(address: &ecma2_transport::Address) -> bool {
    matches!(address, ecma2_transport::Address::Tcp(a) if a.ip().is_loopback())
}

/// The host's kill-on-close Job Object (a raw handle kept for the life of the process).
struct Job(HANDLE);
// SAFETY: a job handle is a kernel object handle, usable from any thread.
unsafe impl Send for Job {}
unsafe impl Sync for Job {}

fn job() -> io::Result<&'static Job> {
    static JOB: OnceLock<Result<Job, String>> = OnceLock::new();
    JOB.get_or_init(|| {
        // SAFETY: null attributes and name create an anonymous job with default security.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return Err(format!("CreateJobObject: {}", io::Error::last_os_error()));
        }
        // SAFETY: an all-zero JOBOBJECT_EXTENDED_LIMIT_INFORMATION is a valid "no limits" value.
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        // SAFETY: `info` lives across the call and the size passed is its size.
        let set = unsafe {
            SetInformationJobObject(
                handle,
                JobObjectExtendedLimitInformation,
                (&raw const info).cast(),
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        if set == 0 {
            let err = io::Error::last_os_error();
            // SAFETY: the handle came from CreateJobObjectW above and is not used again.
            unsafe { CloseHandle(handle) };
            return Err(format!("SetInformationJobObject(kill on close): {err}"));
        }
        Ok(Job(handle))
    })
    .as_ref()
    .map_err(|e| io::Error::other(e.clone()))
}

/// Puts a just-spawned connector into the host's kill-on-close job.
pub(crate) fn adopt(child: &Child) -> io::Result<()> {
    let job = job()?;
    let Some(process) = child.raw_handle() else {
        return Ok(()); // already reaped: nothing left to tie
    };
    // SAFETY: both handles are open: the job for the process's life, the child's while `child`
    // is borrowed.
    if unsafe { AssignProcessToJobObject(job.0, process as HANDLE) } == 0 {
        return Err(io::Error::other(format!(
            "AssignProcessToJobObject: {}",
            io::Error::last_os_error()
        )));
    }
    Ok(())
}

fn wide(text: &std::ffi::OsStr) -> Vec<u16> {
    text.encode_wide().chain(Some(0)).collect()
}

/// Reads a NUL-terminated UTF-16 string the system allocated, and frees it with LocalFree.
///
/// # Safety
/// `text` must be a valid NUL-terminated string allocated with LocalAlloc.
unsafe fn take_local_string(text: *mut u16) -> String {
    // SAFETY: the caller promises a NUL-terminated string.
    let len = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: `len` u16s before the NUL are readable.
    let value = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) });
    // SAFETY: allocated with LocalAlloc by the system, freed once.
    unsafe { LocalFree(text.cast()) };
    value
}

/// The current user's SID as text (`S-1-5-21-…`).
fn current_user_sid() -> io::Result<String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: GetCurrentProcess is a pseudo handle; `token` receives a handle closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut needed = 0u32;
    // SAFETY: a size query with a null buffer.
    unsafe { GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed) };
    // u64s keep the buffer aligned for TOKEN_USER (pointers inside).
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    // SAFETY: the buffer holds `needed` bytes.
    let got = unsafe { GetTokenInformation(token, TokenUser, buffer.as_mut_ptr().cast(), needed, &mut needed) };
    let err = io::Error::last_os_error();
    // SAFETY: opened above, closed once.
    unsafe { CloseHandle(token) };
    if got == 0 {
        return Err(err);
    }
    // SAFETY: GetTokenInformation(TokenUser) filled the aligned buffer with a TOKEN_USER whose
    // SID points into the same buffer, alive for this block.
    let sid = unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid };
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: `sid` is valid (above); `text` receives a LocalAlloc'd string.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: ConvertSidToStringSidW returned a LocalAlloc'd, NUL-terminated string.
    Ok(unsafe { take_local_string(text) })
}

/// A self-relative security descriptor parsed from SDDL, freed on drop.
struct Descriptor(PSECURITY_DESCRIPTOR);

impl Descriptor {
    fn owner_only() -> io::Result<Self> {
        let sddl = wide(owner_only_sddl(&current_user_sid()?).as_ref());
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: `sddl` is NUL-terminated; `descriptor` receives a LocalAlloc'd descriptor.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self(descriptor))
    }
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW, freed once.
        unsafe { LocalFree(self.0) };
    }
}

/// Writes `contents` to a new file at `path` (replacing any file there) created with an
/// owner-only DACL, so no other account could open it even for a moment.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != io::ErrorKind::NotFound
    {
        return Err(e);
    }
    let descriptor = Descriptor::owner_only()?;
    let attributes = SECURITY_ATTRIBUTES {
        nLength: size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: descriptor.0,
        bInheritHandle: 0,
    };
    let name = wide(path.as_os_str());
    // SAFETY: `name` is NUL-terminated and `attributes` points to a live descriptor.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            GENERIC_WRITE,
            0,
            &attributes,
            CREATE_NEW,
            FILE_ATTRIBUTE_NORMAL,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh handle from CreateFileW, owned from here on by the File.
    let mut file = unsafe { std::fs::File::from_raw_handle(handle) };
    file.write_all(contents)?;
    file.sync_all()
}

/// Gives an existing file the owner-only DACL (protected: inherited entries removed).
pub fn make_private(path: &Path) -> io::Result<()> {
    let descriptor = Descriptor::owner_only()?;
    let name = wide(path.as_os_str());
    // SAFETY: `name` is NUL-terminated and the descriptor is alive.
    let ok = unsafe {
        SetFileSecurityW(
            name.as_ptr(),
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            descriptor.0,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether `path`'s DACL lets only the current user in.
pub fn is_private(path: &Path) -> io::Result<bool> {
    let name = wide(path.as_os_str());
    let mut needed = 0u32;
    // SAFETY: a size query with a null buffer.
    unsafe {
        GetFileSecurityW(
            name.as_ptr(),
            DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            0,
            &mut needed,
        )
    };
    if needed == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8)];
    // SAFETY: the buffer holds `needed` bytes.
    let ok = unsafe {
        GetFileSecurityW(
            name.as_ptr(),
            DACL_SECURITY_INFORMATION,
            buffer.as_mut_ptr().cast(),
            needed,
            &mut needed,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut text: *mut u16 = std::ptr::null_mut();
    // SAFETY: the buffer holds the descriptor GetFileSecurityW wrote; `text` receives a string.
    let ok = unsafe {
        ConvertSecurityDescriptorToStringSecurityDescriptorW(
            buffer.as_mut_ptr().cast(),
            SDDL_REVISION_1,
            DACL_SECURITY_INFORMATION,
            &mut text,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a LocalAlloc'd, NUL-terminated string from the call above.
    let sddl = unsafe { take_local_string(text) };
    Ok(sddl_is_owner_only(&sddl, &current_user_sid()?))
}

/// Waits for Ctrl-C, Ctrl-Break, the console closing or a system shutdown; returns which.
pub async fn stop_requested() -> &'static str {
    use tokio::signal::windows::{ctrl_break, ctrl_close, ctrl_shutdown};
    let mut brk = ctrl_break().ok();
    let mut close = ctrl_close().ok();
    let mut shutdown = ctrl_shutdown().ok();
    async fn next<T>(signal: &mut Option<T>, recv: impl AsyncFnOnce(&mut T)) {
        match signal {
            Some(s) => recv(s).await,
            None => std::future::pending().await,
        }
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
        _ = next(&mut brk, async |s| { s.recv().await; }) => "Ctrl-Break",
        _ = next(&mut close, async |s| { s.recv().await; }) => "console closed",
        _ = next(&mut shutdown, async |s| { s.recv().await; }) => "system shutdown",
    }
}

/// Whether `path` is a file that can be run: Windows has no execute bit, so any existing file.
pub(crate) fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Unix sockets are not offered on Windows (`unix:` addresses are refused when parsed).
pub(crate) fn is_socket(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Unix sockets are not offered on Windows.
pub(crate) fn connect_unix_socket(_path: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Unix sockets are not used on Windows",
    ))
}
