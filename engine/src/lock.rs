//! ConcurrentOperation = false, as the engine keeps it: one run at a time of that connector per
//! state directory. A run takes an exclusive lock on `locks/<connector>.lock` in the state
//! directory and writes into it who holds it (pid, profile, start time); a second run of the
//! connector finds the lock held and fails at once with [`Error::ConnectorBusy`], naming the
//! connector and the run that holds it. Other connectors have their own lock files and are not
//! affected (the sync engine blocks every ECMA2 connector; docs/engine.md lists the deviation).
//!
//! The lock is the operating system's (`flock` on Unix, an exclusive share mode on Windows),
//! held by the open file: it is released when the run ends on any path, including an error, a
//! Ctrl-C and a crash, since the system closes the file of a dead process. A lock file left by
//! a run that died is stale (a run that ends empties it): nobody holds its lock, so the next run
//! takes it over and writes itself into it. The file itself is never deleted (deleting a lock file lets two runs lock two
//! different files).

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How long a run waits for a lock that is held before it reports the connector busy.
const BUSY_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// The folder of lock files in the state directory.
pub const LOCK_DIR: &str = "locks";

/// A held run lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    file: std::fs::File,
    path: PathBuf,
    /// Who held the file before, when a run that died left it (a stale lock taken over).
    pub stale: Option<String>,
}

impl Drop for RunLock {
    /// Empties the file (a run that ended leaves no holder behind); closing it releases the lock.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

impl RunLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file of `connector` in the state directory `dir` (the name is kept to letters,
/// digits, `-`, `_` and `.`; anything else is written as `%XX`).
pub fn path(dir: &Path, connector: &str) -> PathBuf {
    let mut name = String::new();
    for b in connector.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_') || (b == b'.' && !name.is_empty()) {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    dir.join(LOCK_DIR).join(format!("{name}.lock"))
}

/// Takes the run lock of `connector` for a `profile` run, or fails with
/// [`Error::ConnectorBusy`] when another run holds it.
pub fn acquire(dir: &Path, connector: &str, profile: &str) -> Result<RunLock> {
    let path = path(dir, connector);
    let io_error = |e: std::io::Error| Error::SpaceOpen {
        path: path.clone(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(io_error)?;
    // A process being started (fork, then exec) holds a copy of every open file of this one,
    // locks included, until its exec: a lock released just then is free a moment later.
    let deadline = std::time::Instant::now() + BUSY_GRACE;
    let opened = loop {
        match open_locked(&path) {
            Ok(opened) => break opened,
            Err(Busy) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(Busy) => {
                return Err(Error::ConnectorBusy {
                    connector: connector.to_owned(),
                    holder: holder(&path),
                    path: path.clone(),
                });
            }
        }
    };
    let mut file = opened.map_err(io_error)?;
    let mut before = String::new();
    let _ = file.read_to_string(&mut before);
    let stale = Some(before.trim().to_owned()).filter(|b| !b.is_empty());
    if let Some(stale) = &stale {
        tracing::info!(connector, lock = %path.display(), stale = %stale, "taking over a lock its run left");
    }
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let me = format!("{profile} run by pid {} since {now}\n", std::process::id());
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(me.as_bytes()))
        .and_then(|()| file.flush())
        .map_err(io_error)?;
    Ok(RunLock { file, path, stale })
}

/// The run lock a `profile` run of `connector` needs: taken when the connector's capabilities
/// say ConcurrentOperation = false, none otherwise.
pub fn for_run(
    space: &crate::space::Space,
    connector: &str,
    caps: &ecma2_proto::pb::MaCapabilities,
    profile: &str,
) -> Result<Option<RunLock>> {
    if caps.concurrent_operation != Some(false) {
        return Ok(None);
    }
    acquire(space.dir(), connector, profile).map(Some)
}

/// The lock is held by someone else.
struct Busy;

/// Opens the lock file and takes its lock without waiting: `Err(Busy)` when another open file
/// holds it, `Ok(Err(_))` when the file cannot be opened.
#[cfg(unix)]
#[allow(clippy::result_large_err)] // private; the outer Result carries io errors by value
fn open_locked(path: &Path) -> std::result::Result<std::io::Result<std::fs::File>, Busy> {
    use rustix::fs::{FlockOperation, flock};
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
    {
        Ok(file) => file,
        Err(e) => return Ok(Err(e)),
    };
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Ok(file)),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Err(Busy),
        Err(e) => Ok(Err(e.into())),
    }
}

/// Windows: the file opened with no sharing is the lock; a second open fails with a sharing
/// violation while the first is open.
#[cfg(windows)]
#[allow(clippy::result_large_err)]
fn open_locked(path: &Path) -> std::result::Result<std::io::Result<std::fs::File>, Busy> {
    use std::os::windows::fs::OpenOptionsExt;
    const ERROR_SHARING_VIOLATION: i32 = 32;
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .share_mode(0)
        .open(path)
    {
        Ok(file) => Ok(Ok(file)),
        Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION) => Err(Busy),
        Err(e) => Ok(Err(e)),
    }
}

/// Who holds a lock, as its file says (Windows does not let another process read it).
fn holder(path: &Path) -> String {
    std::fs::read_to_string(path)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "a run whose lock file cannot be read".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests of this module run one at a time: a process spawned by one (fork, then exec)
    /// holds a copy of every open file of the test process until its exec, locks included.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[test]
    fn a_second_run_of_the_connector_is_refused_naming_the_run_that_holds_it() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "hr", "import").unwrap();
        let error = acquire(dir.path(), "hr", "export").unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, Error::ConnectorBusy { .. }), "{text}");
        assert!(text.contains("hr"), "{text}");
        #[cfg(unix)]
        assert!(
            text.contains(&format!("import run by pid {}", std::process::id())),
            "{text}"
        );
        let other = acquire(dir.path(), "demo", "import").expect("another connector is not affected");
        drop(first);
        let again = acquire(dir.path(), "hr", "export").expect("released when the run ends");
        assert_eq!(again.stale, None, "a run that ended is no stale holder");
        drop((again, other));
    }

    #[test]
    fn a_lock_file_left_by_a_run_that_died_is_taken_over() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path(), "hr");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "import run by pid 999999999 since 2026-01-01T00:00:00Z\n").unwrap();
        let lock = acquire(dir.path(), "hr", "import").unwrap();
        assert_eq!(
            lock.stale.as_deref(),
            Some("import run by pid 999999999 since 2026-01-01T00:00:00Z")
        );
        let now = std::fs::read_to_string(&file).unwrap();
        assert!(
            now.starts_with(&format!("import run by pid {} since", std::process::id())),
            "{now}"
        );
    }

    #[test]
    fn lock_file_names_keep_to_safe_characters() {
        let dir = Path::new("/state");
        assert_eq!(path(dir, "hr-1_a.b"), dir.join("locks").join("hr-1_a.b.lock"));
        assert_eq!(path(dir, "../x y"), dir.join("locks").join("%2E.%2Fx%20y.lock"));
    }

    /// A run whose process dies (here: killed) leaves its lock file, but not its lock.
    #[cfg(unix)]
    #[test]
    fn a_run_that_crashes_releases_its_lock() {
        const HOLDER: &str = "ECMA2_ENGINE_TEST_LOCK_HOLDER";
        if let Some(dir) = std::env::var_os(HOLDER) {
            let _lock = acquire(Path::new(&dir), "hr", "import").unwrap();
            println!("locked");
            std::thread::sleep(std::time::Duration::from_secs(60));
            return;
        }
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "lock::tests::a_run_that_crashes_releases_its_lock",
                "--nocapture",
            ])
            .env(HOLDER, dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if line.trim() == "locked" {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(std::time::Duration::from_secs(30))
            .expect("the child took the lock");
        let busy = acquire(dir.path(), "hr", "export").unwrap_err().to_string();
        assert!(busy.contains(&format!("pid {}", child.id())), "{busy}");
        child.kill().unwrap();
        child.wait().unwrap();
        let taken = acquire(dir.path(), "hr", "export").expect("the dead run's lock is free");
        assert!(
            taken
                .stale
                .as_deref()
                .unwrap_or_default()
                .contains(&format!("pid {}", child.id())),
            "{taken:?}"
        );
    }
}
