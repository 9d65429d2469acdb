//! The one place where the host turns its own failures and a connector's failures into the
//! gRPC status an engine sees. Connector faults pass through with the connector's name; a
//! connector that went away mid-call becomes DroppedConnectionException; one that is not running
//! becomes ServerDownException.

use ecma2_proto::pb::{ConnectorState, Fault, FaultKind};
use tonic::{Code, Status};

/// How much of a value from a request an error message quotes: enough to recognise it, never
/// enough to turn an error into a metadata-size failure.
const QUOTE_CHARS: usize = 64;

/// `value` as an error message quotes it: in quotes, cut after [`QUOTE_CHARS`] characters with
/// its full length said.
pub fn quote(value: &str) -> String {
    if value.chars().count() <= QUOTE_CHARS {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(QUOTE_CHARS).collect();
    format!("{head:?}… ({} bytes)", value.len())
}

/// A fault raised by the host itself about `connector`.
pub fn host_fault(kind: FaultKind, connector: &str, call: &str, message: impl Into<String>) -> Status {
    let mut fault = Fault::new(kind, message).at(connector, call);
    fault.from_host = true;
    fault.into_status()
}

/// The connector is not ready to take calls.
pub fn not_ready(connector: &str, call: &str, state: ConnectorState, last_error: &str) -> Status {
    let state_text = match state {
        ConnectorState::Starting => "is starting",
        ConnectorState::Restarting => "is restarting after a crash",
        ConnectorState::Unavailable => "is unavailable",
        ConnectorState::Failed => "has failed and will not be restarted",
        ConnectorState::Stopped => "has been stopped",
        _ => "is not ready",
    };
    let mut message = format!("connector {connector} {state_text}");
    if !last_error.is_empty() {
        message.push_str(": ");
        message.push_str(last_error);
    }
    host_fault(FaultKind::ServerDownException, connector, call, message)
}

/// A status from the connector, as the engine should see it.
pub fn upstream(connector: &str, call: &str, status: Status) -> Status {
    if let Some(fault) = Fault::from_status(&status) {
        return fault.at(connector, call).into_status();
    }
    match status.code() {
        Code::Unavailable | Code::Unknown | Code::Cancelled | Code::Internal => host_fault(
            FaultKind::DroppedConnectionException,
            connector,
            call,
            format!("connector {connector} went away during {call}: {}", status.message()),
        ),
        code => Status::new(code, format!("connector {connector}: {}", status.message())),
    }
}

/// The connector's session belongs to a process that has since died, or to a connection to a
/// remote connector that has since been lost.
pub fn session_lost(connector: &str, call: &str, session_id: &str) -> Status {
    host_fault(
        FaultKind::DroppedConnectionException,
        connector,
        call,
        format!(
            "session {} was lost: connector {connector} restarted or was disconnected since it was opened",
            quote(session_id)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_failures_become_dropped_connection() {
        let s = upstream("demo", "GetImportEntries", Status::unavailable("connection reset"));
        let fault = Fault::from_status(&s).unwrap();
        assert_eq!(fault.fault_kind(), FaultKind::DroppedConnectionException);
        assert_eq!(fault.connector, "demo");
        assert!(fault.from_host);
    }

    #[test]
    fn connector_faults_pass_through_named() {
        let original = Fault::new(FaultKind::BadServerCredentialsException, "nope").into_status();
        let s = upstream("demo", "OpenImportConnection", original);
        let fault = Fault::from_status(&s).unwrap();
        assert_eq!(fault.fault_kind(), FaultKind::BadServerCredentialsException);
        assert_eq!(
            (fault.connector.as_str(), fault.call.as_str()),
            ("demo", "OpenImportConnection")
        );
        assert!(!fault.from_host);
    }
}
