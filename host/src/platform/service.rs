//! Running the host as a Windows service, the part that is plain logic and so is built and
//! unit-tested everywhere: what `ecma2-host service install` registers (the service name, the
//! absolute config and log paths, the command line the service control manager starts), and
//! the states a service reports as the host starts and stops. The calls into the service
//! control manager are in `windows_service.rs`, which only maps these values.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The service name `service install` uses unless `--name` says otherwise.
pub const DEFAULT_NAME: &str = "ecma2-host";

/// What can be wrong with a `service` command's arguments, or with the service control manager.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A service name the service control manager would refuse.
    #[error("--name {name:?}: {why}")]
    Name {
        /// The name given.
        name: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// The config file given to `service install` is not there.
    #[error("--config {}: {why}", path.display())]
    Config {
        /// The path as resolved.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A call into the service control manager failed.
    #[error("{action} service {name:?}: {message}")]
    Control {
        /// What was asked (install, start, ...).
        action: &'static str,
        /// The service.
        name: String,
        /// The system's error.
        message: String,
    },
    /// `service` on a platform without Windows services.
    #[error(
        "Windows services exist on Windows only; on Linux run the host under systemd or in a container (deploy/README.md)"
    )]
    Unsupported,
}

/// Everything `service install` registers, resolved once so that the service starts the same
/// way whatever directory it was installed from (services start in the system directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePlan {
    /// The service name (`sc query NAME`).
    pub name: String,
    /// What the Services console shows.
    pub display_name: String,
    /// The `ecma2-host.exe` the service runs.
    pub executable: PathBuf,
    /// The host config file, absolute.
    pub config: PathBuf,
    /// Where the service writes its log lines (appended), absolute.
    pub log_file: PathBuf,
}

impl ServicePlan {
    /// Resolves `service install`'s arguments: `config` and `log_file` become absolute against
    /// `cwd`, the config must be an existing file, and the log file defaults to
    /// `ecma2-host.log` next to the config.
    pub fn new(
        name: &str,
        executable: &Path,
        config: &Path,
        log_file: Option<&Path>,
        cwd: &Path,
    ) -> Result<Self, ServiceError> {
        check_name(name)?;
        let config = absolute(config, cwd);
        if !config.is_file() {
            return Err(ServiceError::Config {
                path: config,
                why: "no such file".into(),
            });
        }
        let log_file = match log_file {
            Some(path) => absolute(path, cwd),
            None => config.with_file_name("ecma2-host.log"),
        };
        Ok(Self {
            name: name.to_owned(),
            display_name: if name == DEFAULT_NAME {
                "ecma2-host (ECMA2 connector host)".to_owned()
            } else {
                format!("ecma2-host {name} (ECMA2 connector host)")
            },
            executable: absolute(executable, cwd),
            config,
            log_file,
        })
    }

    /// The arguments after the executable that the service control manager starts it with:
    /// `service run --name N --config C --log-file L` (the crate quotes each for the command line).
    pub fn launch_arguments(&self) -> Vec<OsString> {
        vec![
            "service".into(),
            "run".into(),
            "--name".into(),
            self.name.clone().into(),
            "--config".into(),
            self.config.clone().into_os_string(),
            "--log-file".into(),
            self.log_file.clone().into_os_string(),
        ]
    }
}

/// The directory a running service works in: the config file's, so that relative paths in the
/// config (a connector's `command = "bin/ecma2-demo.exe"`) mean what they mean from a console.
pub fn working_directory(config: &Path) -> Option<&Path> {
    config.parent().filter(|p| !p.as_os_str().is_empty())
}

/// The service control manager's rule for names: 1 to 256 characters, no slash or backslash.
pub fn check_name(name: &str) -> Result<(), ServiceError> {
    let why = if name.is_empty() {
        Some("a service name cannot be empty")
    } else if name.chars().count() > 256 {
        Some("a service name has at most 256 characters")
    } else if name.contains(['/', '\\']) {
        Some("a service name cannot contain / or \\")
    } else if name.chars().any(char::is_control) {
        Some("a service name cannot contain control characters")
    } else {
        None
    };
    match why {
        Some(why) => Err(ServiceError::Name {
            name: name.to_owned(),
            why,
        }),
        None => Ok(()),
    }
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        cwd.join(path)
    }
}

/// What a running service reports to the service control manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    /// Reading the config, binding, launching connectors.
    StartPending,
    /// The host serves engines; a stop (or a system shutdown) is accepted.
    Running,
    /// Closing sessions and stopping connectors (up to their `close_grace`).
    StopPending,
    /// Done; `exit_code` 0, or the service-specific code of a failed start.
    Stopped {
        /// 0 after a clean stop, [`EXIT_BAD_CONFIG`] or [`EXIT_START_FAILED`] otherwise.
        exit_code: u32,
    },
}

/// Service-specific exit code: the config file is invalid (the console run exits 64 too).
pub const EXIT_BAD_CONFIG: u32 = 64;
/// Service-specific exit code: the config was valid but the host could not start (a port in use).
pub const EXIT_START_FAILED: u32 = 1;

/// What happens to a running service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceEvent {
    /// The host is serving.
    HostStarted,
    /// The config file was refused.
    BadConfig,
    /// The host could not start.
    StartFailed,
    /// The service control manager asked for a stop (Stop, Shutdown or Preshutdown).
    StopRequested,
    /// The host finished its shutdown.
    HostStopped,
}

impl ServiceState {
    /// The state after `event`. Events that make no sense in a state (a second stop request,
    /// a stop while starting, which the manager does not send: see
    /// [`ServiceState::accepts_stop`]) leave it as it is.
    pub fn next(self, event: ServiceEvent) -> Self {
        use ServiceEvent as E;
        use ServiceState as S;
        match (self, event) {
            (S::StartPending, E::HostStarted) => S::Running,
            (S::StartPending, E::BadConfig) => S::Stopped {
                exit_code: EXIT_BAD_CONFIG,
            },
            (S::StartPending, E::StartFailed) => S::Stopped {
                exit_code: EXIT_START_FAILED,
            },
            (S::Running, E::StopRequested) => S::StopPending,
            (S::Running | S::StopPending, E::HostStopped) => S::Stopped { exit_code: 0 },
            (state, _) => state,
        }
    }

    /// Whether the manager may send Stop and Shutdown in this state: only while running (a
    /// pending state accepts no controls, as Windows expects).
    pub fn accepts_stop(self) -> bool {
        self == Self::Running
    }

    /// How long the manager should wait before it thinks a pending service hung: a start
    /// launches connectors (`start_timeout` defaults to 20 s), a stop waits for their
    /// `close_grace` (10 s by default) and then kills.
    pub fn wait_hint_secs(self) -> u64 {
        match self {
            Self::StartPending => 30,
            Self::StopPending => 45,
            Self::Running | Self::Stopped { .. } => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(dir: &Path) -> PathBuf {
        let config = dir.join("host.toml");
        std::fs::write(&config, "").unwrap();
        config
    }

    #[test]
    fn install_resolves_paths_against_the_directory_it_runs_in() {
        let dir = tempfile::tempdir().unwrap();
        config_in(dir.path());
        let plan = ServicePlan::new(
            DEFAULT_NAME,
            Path::new("bin/ecma2-host.exe"),
            Path::new("host.toml"),
            None,
            dir.path(),
        )
        .unwrap();
        assert_eq!(plan.config, dir.path().join("host.toml"));
        assert_eq!(plan.executable, dir.path().join("bin/ecma2-host.exe"));
        assert_eq!(plan.log_file, dir.path().join("ecma2-host.log"));
        assert_eq!(plan.display_name, "ecma2-host (ECMA2 connector host)");
        let logs = dir.path().join("logs/host.log");
        let named = ServicePlan::new(
            "sync-a",
            Path::new("/opt/e.exe"),
            &plan.config,
            Some(&logs),
            Path::new("/elsewhere"),
        )
        .unwrap();
        assert_eq!(named.log_file, logs);
        assert_eq!(named.executable, Path::new("/opt/e.exe"));
        assert_eq!(named.display_name, "ecma2-host sync-a (ECMA2 connector host)");
    }

    #[test]
    fn install_refuses_a_missing_config_naming_the_resolved_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = ServicePlan::new(
            DEFAULT_NAME,
            Path::new("e.exe"),
            Path::new("nope.toml"),
            None,
            dir.path(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("--config "), "{text}");
        assert!(
            text.contains(&dir.path().join("nope.toml").display().to_string()),
            "{text}"
        );
        assert!(text.ends_with("no such file"), "{text}");
    }

    #[test]
    fn the_service_is_started_with_service_run_and_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        config_in(dir.path());
        let plan = ServicePlan::new("sync a", Path::new("e.exe"), Path::new("host.toml"), None, dir.path()).unwrap();
        let args: Vec<String> = plan
            .launch_arguments()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        let config = dir.path().join("host.toml").display().to_string();
        let log = dir.path().join("ecma2-host.log").display().to_string();
        assert_eq!(
            args,
            [
                "service",
                "run",
                "--name",
                "sync a",
                "--config",
                config.as_str(),
                "--log-file",
                log.as_str()
            ]
        );
    }

    #[test]
    fn service_names_follow_the_service_control_managers_rules() {
        for good in ["ecma2-host", "ecma2 host", "ä", &"x".repeat(256)] {
            check_name(good).unwrap();
        }
        for (bad, why) in [
            ("", "empty"),
            ("a/b", "/ or \\"),
            ("a\\b", "/ or \\"),
            ("a\nb", "control"),
            (&"x".repeat(257), "256"),
        ] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_service_works_in_its_config_files_directory() {
        assert_eq!(
            working_directory(Path::new("/srv/ecma2/host.toml")),
            Some(Path::new("/srv/ecma2"))
        );
        assert_eq!(working_directory(Path::new("host.toml")), None);
    }

    #[test]
    fn a_service_starts_runs_and_stops() {
        let s = ServiceState::StartPending;
        assert!(!s.accepts_stop());
        let s = s.next(ServiceEvent::HostStarted);
        assert_eq!(s, ServiceState::Running);
        assert!(s.accepts_stop());
        let s = s.next(ServiceEvent::StopRequested);
        assert_eq!(s, ServiceState::StopPending);
        assert!(!s.accepts_stop());
        assert_eq!(s.next(ServiceEvent::StopRequested), ServiceState::StopPending);
        assert_eq!(
            s.next(ServiceEvent::HostStopped),
            ServiceState::Stopped { exit_code: 0 }
        );
    }

    #[test]
    fn a_failed_start_stops_with_a_service_specific_code() {
        let s = ServiceState::StartPending;
        assert_eq!(s.next(ServiceEvent::BadConfig), ServiceState::Stopped { exit_code: 64 });
        assert_eq!(
            s.next(ServiceEvent::StartFailed),
            ServiceState::Stopped { exit_code: 1 }
        );
        // A stop request cannot arrive while starting (no controls accepted); if one did, the
        // start goes on.
        assert_eq!(s.next(ServiceEvent::StopRequested), ServiceState::StartPending);
        let stopped = ServiceState::Stopped { exit_code: 0 };
        for event in [
            ServiceEvent::HostStarted,
            ServiceEvent::StopRequested,
            ServiceEvent::HostStopped,
        ] {
            assert_eq!(stopped.next(event), stopped, "{event:?}");
        }
        assert!(ServiceState::StopPending.wait_hint_secs() > 10);
        assert_eq!(ServiceState::Running.wait_hint_secs(), 0);
    }
}
