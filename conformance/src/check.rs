//! What a check is: a rule id, a category, whether it writes to the connector's target, what it
//! needs from the connector, the doc section that states the rule, and the function that runs it.
//! A run of one check gives an [`Outcome`]; the runner turns it into a [`CheckResult`] for the
//! reports.

use std::future::Future;
use std::pin::Pin;

use ecma2_proto::pb::Ecma2Interface;
use serde::Serialize;

use crate::subject::Subject;

/// Which side of a connector a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// How the connector process behaves (docs/runtime.md): launch, ready line, secret,
    /// health, shutdown. The kit launches the connector itself for these.
    Process,
    /// The gRPC contract as the engine uses it through the host (docs/protocol.md).
    Protocol,
    /// ECMA2 behaviour the connector announces (FullObject, renames, partitions, passwords…).
    Ecma2,
}

impl Category {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Protocol => "protocol",
            Self::Ecma2 => "ecma2",
        }
    }
}

/// Something a check needs from the connector (or from how the kit was started). The runner
/// skips a check whose needs are not met and says which one was missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The connector's command line: the kit launches the process itself.
    Launch,
    /// An ECMA2 interface announced in the handshake.
    Interface(Ecma2Interface),
    /// `MACapabilities.DeltaImport` (true or unset).
    DeltaImport,
}

impl Need {
    /// How a report says this need was not met.
    pub fn missing(self) -> String {
        match self {
            Self::Launch => {
                "needs the connector's command line (run with --config, whose [[connector]] command the kit launches)"
                    .into()
            }
            Self::Interface(i) => format!("the connector does not implement {}", i.as_str_name()),
            Self::DeltaImport => "the connector has no delta import".into(),
        }
    }
}

/// pass, fail or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The connector follows the rule.
    Pass,
    /// The connector breaks the rule.
    Fail,
    /// The rule could not be exercised (the connector lacks the feature, or --read-only).
    Skip,
}

impl Status {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// What one run of a check found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// pass, fail or skip.
    pub status: Status,
    /// What was seen, or why it failed or was skipped.
    pub detail: String,
    /// What the kit sent (a call and its key fields), when it matters to the verdict.
    pub sent: Option<String>,
    /// What came back, when it matters to the verdict.
    pub received: Option<String>,
    /// Objects a writing check created and could not remove.
    pub left_behind: Vec<String>,
}

impl Outcome {
    fn new(status: Status, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            sent: None,
            received: None,
            left_behind: Vec::new(),
        }
    }

    /// The rule holds.
    pub fn pass(detail: impl Into<String>) -> Self {
        Self::new(Status::Pass, detail)
    }

    /// The rule is broken.
    pub fn fail(detail: impl Into<String>) -> Self {
        Self::new(Status::Fail, detail)
    }

    /// The rule could not be exercised.
    pub fn skip(detail: impl Into<String>) -> Self {
        Self::new(Status::Skip, detail)
    }

    /// Records what the kit sent.
    pub fn sent(mut self, sent: impl Into<String>) -> Self {
        self.sent = Some(sent.into());
        self
    }

    /// Records what came back.
    pub fn received(mut self, received: impl Into<String>) -> Self {
        self.received = Some(received.into());
        self
    }

    /// Records objects left in the target.
    pub fn left(mut self, left: impl IntoIterator<Item = String>) -> Self {
        self.left_behind.extend(left);
        self
    }
}

/// A check that could not finish: a call failed or an answer could not be read. It counts as a
/// failure of the check's rule.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What went wrong.
    pub message: String,
    /// What the kit sent, when known.
    pub sent: Option<String>,
    /// What came back, when known.
    pub received: Option<String>,
}

impl Failure {
    /// A failure with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            sent: None,
            received: None,
        }
    }

    /// Records what the kit sent.
    pub fn sent(mut self, sent: impl Into<String>) -> Self {
        self.sent = Some(sent.into());
        self
    }
}

impl From<Failure> for Outcome {
    fn from(f: Failure) -> Self {
        Outcome {
            status: Status::Fail,
            detail: f.message,
            sent: f.sent,
            received: f.received,
            left_behind: Vec::new(),
        }
    }
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        Failure::from(ecma2_engine::error::explain(status))
    }
}

impl From<ecma2_engine::error::Error> for Failure {
    fn from(e: ecma2_engine::error::Error) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<ecma2_proto::frames::FrameError> for Failure {
    fn from(e: ecma2_proto::frames::FrameError) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::new(e.to_string())
    }
}

/// A check's own result type.
pub type CheckResultOf<T> = Result<T, Failure>;

/// `.context("…")` for results and options inside checks, like anyhow's.
pub trait Context<T> {
    /// Prefixes the failure with what was being done.
    fn context(self, what: impl std::fmt::Display) -> Result<T, Failure>;
}

impl<T, E: Into<Failure>> Context<T> for Result<T, E> {
    fn context(self, what: impl std::fmt::Display) -> Result<T, Failure> {
        self.map_err(|e| {
            let mut f = e.into();
            f.message = format!("{what}: {}", f.message);
            f
        })
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, what: impl std::fmt::Display) -> Result<T, Failure> {
        self.ok_or_else(|| Failure::new(what.to_string()))
    }
}

/// The future a check returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<Outcome, Failure>> + 'a>>;

/// The function that runs a check against a subject.
pub type RunFn = for<'a> fn(&'a Subject<'a>) -> CheckFuture<'a>;

/// One named check of the kit.
#[derive(Clone)]
pub struct Check {
    /// The rule's stable id (kebab-case), used in reports, `--only` and tests.
    pub id: &'static str,
    /// Which side of the connector it looks at.
    pub category: Category,
    /// The rule in one line.
    pub rule: &'static str,
    /// When the check writes to the connector's target: what it writes, announced before it runs.
    /// `None`: the check only reads, and runs under `--read-only`.
    pub writes: Option<&'static str>,
    /// What it needs from the connector; unmet needs skip it.
    pub needs: &'static [Need],
    /// The doc section that states the rule (`docs/runtime.md#shutdown`).
    pub doc: &'static str,
    /// Runs it.
    pub run: RunFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("category", &self.category)
            .field("writes", &self.writes)
            .field("needs", &self.needs)
            .field("doc", &self.doc)
            .finish()
    }
}

/// The result of one check in a run, as the reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The rule id.
    pub id: &'static str,
    /// Its category.
    pub category: Category,
    /// The rule in one line.
    pub rule: &'static str,
    /// Whether the check writes to the target.
    pub writes: bool,
    /// pass, fail or skip.
    pub status: Status,
    /// What was seen, or why it failed or was skipped.
    pub detail: String,
    /// What the kit sent, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    /// What came back, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// Objects a writing check could not remove.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<String>,
    /// The doc section that states the rule.
    pub doc: &'static str,
    /// How long it ran, in seconds.
    pub seconds: f64,
}

/// Declares a check's run function from an `async fn(&Subject) -> Result<Outcome, Failure>`.
#[macro_export]
macro_rules! run_fn {
    ($f:path) => {{
        fn run<'a>(s: &'a $crate::Subject<'a>) -> $crate::check::CheckFuture<'a> {
            Box::pin($f(s))
        }
        run as $crate::check::RunFn
    }};
}

/// Returns early from a check with a [`Failure`].
#[macro_export]
macro_rules! bail {
    ($($t:tt)*) => {
        return Err($crate::Failure::new(format!($($t)*)))
    };
}
