//! The engine's one error type. Each variant names what went wrong in the words of the run (the
//! connector, the DN, the partition), so a front end can print it as it is; none carries a secret.

use std::path::PathBuf;

use ecma2_proto::pb::Fault;

/// Everything a run profile, the connector space or the host connection can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A call to the host failed; `message` names the ECMA2 exception when there is one.
    #[error("{message}")]
    Call {
        /// The gRPC status code.
        code: tonic::Code,
        /// The ECMA2 fault the status carried, if any.
        fault: Option<Box<Fault>>,
        /// The fault's description, or the status code and message.
        message: String,
    },
    /// The host could not be reached.
    #[error(transparent)]
    Connect(#[from] ecma2_transport::TransportError),
    /// The in-process host did not start.
    #[error(transparent)]
    Host(#[from] ecma2_host::HostError),
    /// The host's connectors did not settle in time.
    #[error("connectors did not become ready within {seconds}s")]
    HostNotReady {
        /// How long the engine waited.
        seconds: u64,
    },
    /// The engine token file could not be read or holds no usable token.
    #[error("reading the engine token file {path}: {reason}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The connector space database failed.
    #[error("connector space: {0}")]
    Space(#[from] rusqlite::Error),
    /// The connector space directory or file could not be created or opened.
    #[error("opening the connector space {path}: {reason}")]
    SpaceOpen {
        /// The directory or file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The key that seals staged passwords is missing, unreadable or readable by others.
    #[error("the staged-secrets key {path}: {reason}")]
    SecretKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A sealed staged change does not open with the key.
    #[error(
        "a sealed staged change of connector {connector} does not open with the key in {path} (was the key file replaced?)"
    )]
    Unseal {
        /// The connector.
        connector: String,
        /// The key file.
        path: PathBuf,
    },
    /// The connector's ConcurrentOperation is false and another run of it holds its lock.
    #[error(
        "connector {connector} runs one at a time (its ConcurrentOperation capability is false) and another run of it is in progress: {holder} (lock file {path})"
    )]
    ConnectorBusy {
        /// The connector.
        connector: String,
        /// The run that holds the lock, as its lock file says.
        holder: String,
        /// The lock file.
        path: PathBuf,
    },
    /// A FullObject reply held something else than what was asked for.
    #[error("connector {connector} answered a FullObject request for {dn} wrongly: {reason}")]
    FullObjectReply {
        /// The connector.
        connector: String,
        /// The object the reply got wrong.
        dn: String,
        /// What was wrong.
        reason: String,
    },
    /// The connector's FullExport capability is not true.
    #[error("connector {connector} does not support full export (its FullExport capability is not true)")]
    NoFullExport {
        /// The connector.
        connector: String,
    },
    /// The connector's ObjectRename capability is false: a DN cannot change on export.
    #[error("connector {connector} does not support renames (ObjectRename is false): {dn} cannot become {new_dn}")]
    NoRename {
        /// The connector.
        connector: String,
        /// The object.
        dn: String,
        /// The DN asked for.
        new_dn: String,
    },
    /// A staged change lies outside the run's partition or selected containers.
    #[error("connector {connector}: {dn} is outside the run's partition or selected containers; it is not exported")]
    OutOfScope {
        /// The connector.
        connector: String,
        /// The object.
        dn: String,
    },
    /// A stored object does not decode.
    #[error("decoding a stored object: {0}")]
    Decode(#[from] prost::DecodeError),
    /// Entry fragments did not reassemble.
    #[error(transparent)]
    Frames(#[from] ecma2_proto::frames::FrameError),
    /// The drop file could not be written.
    #[error("writing the drop file: {0}")]
    DropFile(#[from] std::io::Error),
    /// A delta import was asked for a partition no import ever completed.
    #[error("connector {connector} has no watermark for partition {partition}: run a full import first")]
    NoWatermark {
        /// The connector.
        connector: String,
        /// The partition.
        partition: String,
    },
    /// A delta import was asked of a connector whose capabilities say DeltaImport = false.
    #[error("connector {connector} does not support delta import (its DeltaImport capability is false)")]
    NoDeltaImport {
        /// The connector.
        connector: String,
    },
    /// The run was cancelled; the session was closed with TerminatedByUser.
    #[error("{}", interrupted(profile))]
    Interrupted {
        /// "import" or "export".
        profile: &'static str,
    },
    /// The connector reported an error that stops the run.
    #[error("connector {connector} reported {code} on {dn}: the run stops")]
    StopRun {
        /// The connector.
        connector: String,
        /// The object.
        dn: String,
        /// The ECMA2 error name.
        code: String,
    },
    /// The connector stopped an export with ExportErrorCustomStopRun.
    #[error("connector {connector} stopped the run on {dn} ({detail})")]
    ExportStopRun {
        /// The connector.
        connector: String,
        /// The object.
        dn: String,
        /// The connector's description.
        detail: String,
    },
    /// Too many object-level errors in one run.
    #[error("the run stopped after {limit} object errors, as the sync engine does")]
    TooManyErrors {
        /// The limit.
        limit: u64,
    },
    /// A page's stream ended without its results frame.
    #[error("the page ended without its results frame")]
    MissingResults,
    /// The connector returned a modification the profile cannot carry.
    #[error(
        "connector {connector} returned {modification} for {dn} in a {profile}; only Add is valid in a full import"
    )]
    InvalidModification {
        /// The connector.
        connector: String,
        /// The ECMA2 modification type.
        modification: String,
        /// The object.
        dn: String,
        /// "full import" or "delta import".
        profile: &'static str,
    },
    /// An attribute change cannot be applied.
    #[error("attribute {attribute:?} has modification type {modification}, which an import cannot carry")]
    InvalidAttributeChange {
        /// The attribute.
        attribute: String,
        /// The ECMA2 modification type.
        modification: String,
    },
    /// A staged update or delete names an object the connector space does not hold.
    #[error("{modification} {dn} is not in the connector space of {connector}; import first")]
    UnknownObject {
        /// The connector.
        connector: String,
        /// The ECMA2 modification type.
        modification: String,
        /// The object.
        dn: String,
    },
    /// A staged change is malformed.
    #[error("{0}")]
    InvalidChange(String),
    /// The connector gave a reply the engine cannot accept.
    #[error("connector {connector}: {reason}")]
    Protocol {
        /// The connector.
        connector: String,
        /// What was wrong.
        reason: String,
    },
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Turns a status into an error that names the ECMA2 exception when there is one.
    pub fn from_status(status: tonic::Status) -> Self {
        let fault = Fault::from_status(&status);
        let message = match &fault {
            Some(fault) => fault.describe(),
            None => {
                // A transport failure's message is only "transport error"; what failed (a TLS
                // alert such as UnknownCA, a refused connection) is in the source chain.
                let mut message = format!("{:?}: {}", status.code(), status.message());
                let mut source = std::error::Error::source(&status);
                while let Some(cause) = source {
                    let text = cause.to_string();
                    if !message.contains(&text) {
                        message = format!("{message}: {text}");
                    }
                    source = cause.source();
                }
                message
            }
        };
        Self::Call {
            code: status.code(),
            fault: fault.map(Box::new),
            message,
        }
    }

    /// The ECMA2 fault behind a failed call, if any.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Self::Call { fault, .. } => fault.as_deref(),
            _ => None,
        }
    }
}

/// `map_err` form of [`Error::from_status`].
pub fn explain(status: tonic::Status) -> Error {
    Error::from_status(status)
}

/// What an interrupted run or command says: a run names the close its session got.
fn interrupted(profile: &str) -> String {
    if profile == "command" {
        "interrupted".to_owned()
    } else {
        format!("interrupted: the {profile} was stopped and its session closed with TerminatedByUser")
    }
}
