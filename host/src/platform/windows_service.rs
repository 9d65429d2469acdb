//! Windows: the host as a service, through the `windows-service` crate. `install` registers
//! `ecma2-host.exe service run --name N --config C --log-file L` (a [`ServicePlan`]) to start
//! automatically as LocalSystem unless an account is given; `start`, `stop` and `uninstall`
//! ask the service control manager; `run` is what the manager starts: it connects to the
//! manager's dispatcher, reports the [`ServiceState`]s as the host starts and stops, and turns
//! Stop, Shutdown and Preshutdown into the host's orderly shutdown.

// `define_windows_service!` expands to the `extern "system"` entry point the dispatcher calls,
// which converts the raw argument vector in an unsafe block inside the crate's macro.
#![allow(unsafe_code)]

use std::ffi::OsString;
use std::sync::Mutex;
use std::time::Duration;

use ::windows_service::service::{
    ServiceAccess, ServiceControl, ServiceControlAccept, ServiceErrorControl, ServiceExitCode, ServiceInfo,
    ServiceStartType, ServiceState as WinState, ServiceStatus, ServiceType,
};
use ::windows_service::service_control_handler::{self, ServiceControlHandlerResult, ServiceStatusHandle};
use ::windows_service::service_dispatcher;
use ::windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

use super::service::{ServiceError, ServiceEvent, ServicePlan, ServiceState};

/// What the service runs once the manager has started it: the host, given a future that
/// resolves when a stop is asked for and a [`Reporter`] to tell the manager how it goes.
pub type ServiceBody = Box<dyn FnOnce(StopSignal, &Reporter) + Send>;

/// Resolves with the control's name when the service control manager asks the service to stop.
pub type StopSignal = tokio::sync::oneshot::Receiver<&'static str>;

static SERVICE: Mutex<Option<(String, ServiceBody)>> = Mutex::new(None);

fn control_error(action: &'static str, name: &str, e: ::windows_service::Error) -> ServiceError {
    // The crate's Display is only "IO error in winapi call"; the source says which.
    let message = match std::error::Error::source(&e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    };
    ServiceError::Control {
        action,
        name: name.to_owned(),
        message,
    }
}

fn manager(access: ServiceManagerAccess, action: &'static str, name: &str) -> Result<ServiceManager, ServiceError> {
    ServiceManager::local_computer(None::<&str>, access).map_err(|e| control_error(action, name, e))
}

/// Registers the service: automatic start, as LocalSystem (another account is set in the
/// Services console, so that no password passes through a command line).
pub fn install(plan: &ServicePlan) -> Result<(), ServiceError> {
    let name = plan.name.as_str();
    let manager = manager(
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
        "install",
        name,
    )?;
    let info = ServiceInfo {
        name: plan.name.clone().into(),
        display_name: plan.display_name.clone().into(),
        service_type: ServiceType::OWN_PROCESS,
        start_type: ServiceStartType::AutoStart,
        error_control: ServiceErrorControl::Normal,
        executable_path: plan.executable.clone(),
        launch_arguments: plan.launch_arguments(),
        dependencies: vec![],
        account_name: None,
        account_password: None,
    };
    let service = manager
        .create_service(&info, ServiceAccess::CHANGE_CONFIG)
        .map_err(|e| control_error("install", name, e))?;
    service
        .set_description("Runs ECMA2 connectors out of process for the MIM sync engine (ecma2-host)")
        .map_err(|e| control_error("install", name, e))
}

/// Stops the service if it runs, then deletes it.
pub fn uninstall(name: &str) -> Result<(), ServiceError> {
    let manager = manager(ServiceManagerAccess::CONNECT, "uninstall", name)?;
    let service = manager
        .open_service(
            name,
            ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE,
        )
        .map_err(|e| control_error("uninstall", name, e))?;
    let status = service
        .query_status()
        .map_err(|e| control_error("uninstall", name, e))?;
    if status.current_state != WinState::Stopped {
        service.stop().map_err(|e| control_error("uninstall", name, e))?;
    }
    service.delete().map_err(|e| control_error("uninstall", name, e))
}

/// Asks the manager to start the service and waits (up to a minute) until it runs.
pub fn start(name: &str) -> Result<(), ServiceError> {
    let manager = manager(ServiceManagerAccess::CONNECT, "start", name)?;
    let service = manager
        .open_service(name, ServiceAccess::QUERY_STATUS | ServiceAccess::START)
        .map_err(|e| control_error("start", name, e))?;
    if let Err(e) = service.start::<OsString>(&[]) {
        // An automatic service may already have been started (wine starts one when it is
        // installed); the wait below still checks that it runs.
        let running = windows_sys::Win32::Foundation::ERROR_SERVICE_ALREADY_RUNNING as i32;
        if !matches!(&e, ::windows_service::Error::Winapi(io) if io.raw_os_error() == Some(running)) {
            return Err(control_error("start", name, e));
        }
    }
    wait_for(&service, name, "start", WinState::Running)
}

/// Asks the manager to stop the service and waits (up to a minute) until it has stopped.
pub fn stop(name: &str) -> Result<(), ServiceError> {
    let manager = manager(ServiceManagerAccess::CONNECT, "stop", name)?;
    let service = manager
        .open_service(name, ServiceAccess::QUERY_STATUS | ServiceAccess::STOP)
        .map_err(|e| control_error("stop", name, e))?;
    service.stop().map_err(|e| control_error("stop", name, e))?;
    wait_for(&service, name, "stop", WinState::Stopped)
}

fn wait_for(
    service: &::windows_service::service::Service,
    name: &str,
    action: &'static str,
    wanted: WinState,
) -> Result<(), ServiceError> {
    let mut last = None;
    for _ in 0..600 {
        let status = service.query_status().map_err(|e| control_error(action, name, e))?;
        if status.current_state == wanted {
            return Ok(());
        }
        if status.current_state == WinState::Stopped && wanted == WinState::Running {
            return Err(ServiceError::Control {
                action,
                name: name.to_owned(),
                message: format!("the service stopped with {:?} (see its log file)", status.exit_code),
            });
        }
        last = Some(status.current_state);
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(ServiceError::Control {
        action,
        name: name.to_owned(),
        message: format!("still {last:?} after 60 s"),
    })
}

::windows_service::define_windows_service!(ffi_service_main, service_main);

/// Connects to the service control manager and runs `body` as service `name`; returns when the
/// service has stopped. Fails at once when the process was not started by the manager.
pub fn run(name: &str, body: ServiceBody) -> Result<(), ServiceError> {
    *SERVICE.lock().unwrap_or_else(|p| p.into_inner()) = Some((name.to_owned(), body));
    service_dispatcher::start(name, ffi_service_main).map_err(|e| control_error("run", name, e))
}

fn status(state: ServiceState) -> ServiceStatus {
    let (current_state, exit_code) = match state {
        ServiceState::StartPending => (WinState::StartPending, ServiceExitCode::NO_ERROR),
        ServiceState::Running => (WinState::Running, ServiceExitCode::NO_ERROR),
        ServiceState::StopPending => (WinState::StopPending, ServiceExitCode::NO_ERROR),
        ServiceState::Stopped { exit_code: 0 } => (WinState::Stopped, ServiceExitCode::NO_ERROR),
        ServiceState::Stopped { exit_code } => (WinState::Stopped, ServiceExitCode::ServiceSpecific(exit_code)),
    };
    ServiceStatus {
        service_type: ServiceType::OWN_PROCESS,
        current_state,
        controls_accepted: if state.accepts_stop() {
            ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN | ServiceControlAccept::PRESHUTDOWN
        } else {
            ServiceControlAccept::empty()
        },
        exit_code,
        checkpoint: 0,
        wait_hint: Duration::from_secs(state.wait_hint_secs()),
        process_id: None,
    }
}

/// Tells the service control manager what the host is doing, moving through the states of
/// [`ServiceState::next`].
pub struct Reporter {
    handle: ServiceStatusHandle,
    state: Mutex<ServiceState>,
}

impl Reporter {
    /// Applies `event` and reports the new state when it changed.
    pub fn event(&self, event: ServiceEvent) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let next = state.next(event);
        if next != *state {
            *state = next;
            report(self.handle, next);
        }
    }

    fn state(&self) -> ServiceState {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn report(handle: ServiceStatusHandle, state: ServiceState) {
    if let Err(e) = handle.set_service_status(status(state)) {
        tracing::warn!(state = ?state, error = %e, "cannot report the service state");
    }
}

fn service_main(_arguments: Vec<OsString>) {
    let Some((name, body)) = SERVICE.lock().unwrap_or_else(|p| p.into_inner()).take() else {
        return;
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    let stop_tx = Mutex::new(Some(stop_tx));
    let handler = move |control: ServiceControl| -> ServiceControlHandlerResult {
        let reason = match control {
            ServiceControl::Stop => "service stop",
            ServiceControl::Shutdown | ServiceControl::Preshutdown => "system shutdown",
            ServiceControl::Interrogate => return ServiceControlHandlerResult::NoError,
            _ => return ServiceControlHandlerResult::NotImplemented,
        };
        if let Some(tx) = stop_tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(reason);
        }
        ServiceControlHandlerResult::NoError
    };
    let handle = match service_control_handler::register(&name, handler) {
        Ok(handle) => handle,
        Err(e) => {
            tracing::error!(service = %name, error = %e, "cannot register the service control handler");
            return;
        }
    };
    report(handle, ServiceState::StartPending);
    let reporter = Reporter {
        handle,
        state: Mutex::new(ServiceState::StartPending),
    };
    // The body reports HostStarted and StopRequested (or a failed start); whatever it did,
    // the service ends Stopped.
    body(stop_rx, &reporter);
    if !matches!(reporter.state(), ServiceState::Stopped { .. }) {
        reporter.event(ServiceEvent::StopRequested);
        reporter.event(ServiceEvent::HostStopped);
    }
}
