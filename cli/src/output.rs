//! How `ecma2` answers: one JSON document on stdout per command with `--json` (errors too, as
//! `{"error": {...}}` on stdout), tables otherwise, and the exit codes the README documents:
//! 0 done, 1 a run or check failed, 2 usage or configuration, 3 nothing could run (no host, or
//! every connector FAILED), 130 interrupted. Errors are shown once, with the hint an operator
//! needs (is the host running? which parameters exist?) and without repeated cause chains.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use ecma2_engine::Error as EngineError;

/// Exit codes.
pub mod exit {
    /// The command did what it was asked.
    pub const OK: u8 = 0;
    /// A run profile or a check failed.
    pub const FAILED: u8 = 1;
    /// Bad usage or configuration: nothing was attempted.
    pub const USAGE: u8 = 2;
    /// Nothing could run: no host to talk to, or no connector running.
    pub const NOTHING_RAN: u8 = 3;
    /// Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// A usage or configuration error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// Nothing could run (exit 3); `details` go into the JSON error (such as the connectors).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct NothingRan {
    /// What happened.
    pub message: String,
    /// What the JSON error carries besides.
    pub details: Option<(&'static str, Value)>,
}

/// A check that failed (validation, conformance): exit 1. `details` go into the JSON error.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failed {
    /// What failed.
    pub message: String,
    /// What the JSON error carries besides.
    pub details: Option<(&'static str, Value)>,
}

/// An error as the operator sees it.
pub struct Shown {
    /// `usage`, `config`, `connect`, `nothing_ran`, `interrupted`, `connector`, `run`.
    pub kind: &'static str,
    /// The message, one cause chain without repeats.
    pub message: String,
    /// What to do about it, when there is something.
    pub hint: Option<String>,
    /// The exit code.
    pub code: u8,
    /// The ECMA2 fault behind it, when a connector raised one.
    pub fault: Option<Value>,
    /// More for the JSON error.
    pub details: Option<(&'static str, Value)>,
}

/// The chain of `error`'s causes, each once: a cause whose text the previous one already
/// contains is left out (tonic's "transport error: transport error: …").
fn chain(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    let mut out = parts.join(": ");
    for word in ["transport error: ", "tcp connect error: "] {
        let doubled = format!("{word}{word}");
        while out.contains(&doubled) {
            out = out.replace(&doubled, word);
        }
    }
    out
}

/// The deepest cause of `error` (what actually went wrong on a connect).
fn root(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        last = cause.to_string();
        source = cause.source();
    }
    last
}

/// Classifies and words an error.
pub fn show(error: &anyhow::Error) -> Shown {
    let mut shown = Shown {
        kind: "run",
        message: chain(error),
        hint: None,
        code: exit::FAILED,
        fault: None,
        details: None,
    };
    if let Some(u) = error.downcast_ref::<Usage>() {
        shown.kind = "usage";
        shown.message = u.0.clone();
        shown.code = exit::USAGE;
    } else if let Some(n) = error.downcast_ref::<NothingRan>() {
        shown.kind = "nothing_ran";
        shown.message = n.message.clone();
        shown.details = n.details.clone();
        shown.code = exit::NOTHING_RAN;
    } else if let Some(f) = error.downcast_ref::<Failed>() {
        shown.kind = "failed";
        shown.message = f.message.clone();
        shown.details = f.details.clone();
    } else if let Some(e) = error.downcast_ref::<ecma2_host::config::ConfigError>() {
        shown.kind = "config";
        shown.message = e.to_string();
        shown.code = exit::USAGE;
    } else if let Some(e) = error.downcast_ref::<ecma2_engine::saved::SavedError>() {
        shown.kind = "config";
        shown.message = e.to_string();
        shown.code = exit::USAGE;
    } else if let Some(e) = error.downcast_ref::<EngineError>() {
        match e {
            EngineError::Interrupted { .. } => {
                shown.kind = "interrupted";
                shown.message = e.to_string();
                shown.code = exit::INTERRUPTED;
            }
            EngineError::Connect(t) => connect_error(&mut shown, t),
            EngineError::TokenFile { .. } => {
                shown.kind = "config";
                shown.code = exit::USAGE;
            }
            EngineError::Call { code, fault, message } => {
                if let Some(fault) = fault {
                    shown.kind = "connector";
                    shown.message = describe_fault(fault);
                    shown.fault = Some(json!({
                        "kind": fault.fault_kind().as_str_name().trim_start_matches("FAULT_KIND_"),
                        "exception": ecma2_proto::fault::ecma2_name(fault.fault_kind()),
                        "message": fault.message,
                        "foreign_type_name": fault.foreign_type_name,
                        "connector": fault.connector,
                        "call": fault.call,
                        "parameter_name": fault.parameter_name,
                        "attribute_name": fault.attribute_name,
                        "dn": fault.dn,
                    }));
                } else if matches!(code, tonic::Code::Unavailable) && message.contains("connect") {
                    shown.kind = "connect";
                    shown.code = exit::NOTHING_RAN;
                    shown.hint = Some("is ecma2-host running?".into());
                } else if *code == tonic::Code::NotFound {
                    shown.hint = Some("`ecma2 list` shows the connectors the host runs".into());
                } else if dropped(message) {
                    // tonic reports a connection the host dropped as Unknown or Cancelled, by
                    // timing; the cause an operator can act on is the same either way.
                    shown.hint = Some(DROPPED_HINT.into());
                }
            }
            _ => {}
        }
    } else if let Some(t) = error.downcast_ref::<ecma2_transport::TransportError>() {
        connect_error(&mut shown, t);
    }
    shown
}

/// What a connection the host dropped during a call most often means.
const DROPPED_HINT: &str = "the host dropped the connection: a host with [engine.tls] needs --tls-ca, --tls-cert and \
     --tls-key, with a certificate its CA signed (`ecma2 certs init --engine NAME`); otherwise, did the host stop?";

/// Whether a call's error text says the connection under it went away (not a status the host sent).
fn dropped(message: &str) -> bool {
    message.contains("transport error")
        && [
            "connection closed",
            "h2 protocol error",
            "broken pipe",
            "connection reset",
            "UnknownCA",
        ]
        .iter()
        .any(|m| message.contains(m))
}

fn connect_error(shown: &mut Shown, error: &ecma2_transport::TransportError) {
    use ecma2_transport::TransportError as T;
    shown.code = exit::NOTHING_RAN;
    shown.kind = "connect";
    match error {
        T::Connect { address, source } => {
            shown.message = format!("cannot connect to ecma2-host at {address}: {}", root(source));
            shown.hint = Some(format!("is ecma2-host running? (address {address})"));
        }
        T::Dial { address, reason } => {
            shown.message = format!("cannot connect to ecma2-host at {address}: {reason}");
            shown.hint = Some(format!("is ecma2-host running? (address {address})"));
        }
        other => {
            shown.kind = "config";
            shown.code = exit::USAGE;
            shown.message = other.to_string();
        }
    }
}

/// A fault as one line, keeping the connector's own exception type (Python's `KeyError`).
pub fn describe_fault(fault: &ecma2_proto::pb::Fault) -> String {
    let text = fault.describe();
    if fault.foreign_type_name.is_empty() || fault.message.starts_with(&fault.foreign_type_name) {
        return text;
    }
    match text.split_once(": ") {
        Some((head, message)) => format!("{head}: {}: {message}", fault.foreign_type_name),
        None => format!("{text}: {}", fault.foreign_type_name),
    }
}

/// Prints an error: JSON on stdout with `--json` (and the plain line on stderr), the plain line
/// otherwise. Returns the exit code.
pub fn report_error(error: &anyhow::Error, json_out: bool) -> u8 {
    let shown = show(error);
    if json_out {
        let mut body = json!({
            "kind": shown.kind,
            "message": shown.message,
            "exit_code": shown.code,
        });
        if let Some(hint) = &shown.hint {
            body["hint"] = json!(hint);
        }
        if let Some(fault) = &shown.fault {
            body["fault"] = fault.clone();
        }
        if let Some((key, value)) = &shown.details {
            body[*key] = value.clone();
        }
        println!("{}", json!({ "error": body }));
    }
    match &shown.hint {
        Some(hint) => eprintln!("ecma2: {}\n  hint: {hint}", shown.message),
        None => eprintln!("ecma2: {}", shown.message),
    }
    shown.code
}

/// Prints one JSON document on stdout, on one line (`jq` pretty-prints it; a script can read
/// the last line).
pub fn emit(value: &Value) {
    use std::io::Write;
    // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
    let _ = writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string(value).expect("JSON serializes")
    );
}

/// A table with the project's look, sized to the terminal when there is one.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// "1 change", "2 changes".
pub fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_chains_read_right() {
        assert_eq!(plural(1u64, "change", "changes"), "1 change");
        assert_eq!(plural(0u64, "change", "changes"), "0 changes");
        let error = anyhow::anyhow!("transport error: tcp connect error: refused")
            .context("transport error: tcp connect error: refused")
            .context("cannot connect");
        assert_eq!(
            chain(&error),
            "cannot connect: transport error: tcp connect error: refused"
        );
    }

    #[test]
    fn a_dropped_connection_points_at_tls_whatever_its_status_code() {
        for (code, message) in [
            (tonic::Code::Unknown, "transport error: connection closed"),
            (
                tonic::Code::Cancelled,
                "operation was canceled: transport error: connection closed",
            ),
            (
                tonic::Code::Unknown,
                "transport error: h2 protocol error: error reading a body from connection",
            ),
        ] {
            let error = anyhow::Error::new(EngineError::Call {
                code,
                fault: None,
                message: message.into(),
            });
            let shown = show(&error);
            assert_eq!(shown.hint.as_deref(), Some(DROPPED_HINT), "{code:?} {message}");
            assert_eq!(shown.code, exit::FAILED);
        }
        let refused = anyhow::Error::new(EngineError::Call {
            code: tonic::Code::Unauthenticated,
            fault: None,
            message: "wrong engine token".into(),
        });
        assert_eq!(show(&refused).hint, None);
    }

    #[test]
    fn a_foreign_exception_keeps_its_type() {
        let fault = ecma2_proto::pb::Fault {
            kind: ecma2_proto::pb::FaultKind::ExtensibleExtensionException as i32,
            message: "'rev'".into(),
            foreign_type_name: "KeyError".into(),
            connector: "hr".into(),
            call: "GetImportEntries".into(),
            ..Default::default()
        };
        let text = describe_fault(&fault);
        assert!(text.ends_with("KeyError: 'rev'"), "{text}");
    }
}
