//! Run history, like the sync engine's: one record per run profile (which connector, profile and
//! partition, when, the counts, the object errors, the watermark it committed and how it ended),
//! appended to `runs.jsonl` in the state directory, one JSON object a line, so a crash mid-run
//! never damages earlier records.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::summary::Summary;

/// The history file in a state directory.
pub const FILE: &str = "runs.jsonl";

/// How a run ended, in the words of the sync engine's run history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Ran to the end without object errors.
    Success,
    /// Ran to the end with object errors or warnings.
    CompletedErrors,
    /// Stopped by the operator (Ctrl-C): closed with TerminatedByUser.
    StoppedUserRequest,
    /// Stopped by an error (the connector, the host or the engine).
    StoppedError,
}

impl Outcome {
    /// The name shown in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::CompletedErrors => "completed-errors",
            Self::StoppedUserRequest => "stopped-user-request",
            Self::StoppedError => "stopped-error",
        }
    }
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// 1, 2, 3… in this state directory.
    pub id: u64,
    /// The connector.
    pub connector: String,
    /// "full import", "delta import" or "export".
    pub profile: String,
    /// The partition's DN, or "default".
    pub partition: String,
    /// When it started, RFC 3339 UTC.
    pub started: String,
    /// Seconds it took.
    pub elapsed_seconds: f64,
    /// Adds.
    pub adds: u64,
    /// Updates.
    pub updates: u64,
    /// Deletes.
    pub deletes: u64,
    /// Object-level errors.
    pub errors: u64,
    /// Objects that crossed.
    pub objects: u64,
    /// Warnings (exported changes not re-imported).
    pub warnings: u64,
    /// The watermark committed, if any.
    pub watermark: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it stopped, when it did.
    pub error: Option<String>,
}

/// Errors reading or writing history.
#[derive(Debug, thiserror::Error)]
#[error("run history {path}: {reason}")]
pub struct HistoryError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// The run history of one state directory.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
}

impl History {
    /// The history of the state directory `dir`.
    pub fn new(dir: &Path) -> Self {
        Self { path: dir.join(FILE) }
    }

    fn error(&self, reason: impl ToString) -> HistoryError {
        HistoryError {
            path: self.path.clone(),
            reason: reason.to_string(),
        }
    }

    /// Every run, oldest first. A line that does not parse (a run cut off mid-write) is skipped.
    pub fn list(&self) -> Result<Vec<Run>, HistoryError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.error(e)),
        };
        Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
    }

    /// Records a run that returned `result`; returns the record.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        connector: &str,
        profile: &str,
        partition: &str,
        started: std::time::SystemTime,
        elapsed_seconds: f64,
        result: Result<&Summary, (Outcome, String)>,
    ) -> Result<Run, HistoryError> {
        let id = self.list()?.last().map_or(1, |r| r.id + 1);
        let started = time::OffsetDateTime::from(started);
        let started = started
            .replace_nanosecond(0)
            .unwrap_or(started)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let mut run = Run {
            id,
            connector: connector.to_owned(),
            profile: profile.to_owned(),
            partition: partition.to_owned(),
            started,
            elapsed_seconds,
            adds: 0,
            updates: 0,
            deletes: 0,
            errors: 0,
            objects: 0,
            warnings: 0,
            watermark: None,
            outcome: Outcome::Success,
            error: None,
        };
        match result {
            Ok(summary) => {
                run.profile = summary.profile.clone();
                run.adds = summary.adds;
                run.updates = summary.updates;
                run.deletes = summary.deletes;
                run.errors = summary.errors;
                run.objects = summary.objects;
                run.warnings = summary.warnings;
                run.watermark = summary.watermark.clone();
                run.elapsed_seconds = summary.elapsed_seconds;
                if summary.errors > 0 || summary.warnings > 0 {
                    run.outcome = Outcome::CompletedErrors;
                }
            }
            Err((outcome, reason)) => {
                run.outcome = outcome;
                run.error = Some(reason);
            }
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.error(e))?;
        }
        let mut line = serde_json::to_string(&run).map_err(|e| self.error(e))?;
        line.push('\n');
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(|e| self.error(e))?;
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_numbered_and_survive_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path());
        let summary = Summary {
            profile: "full import".into(),
            adds: 3,
            watermark: Some("w1".into()),
            ..Default::default()
        };
        let now = std::time::SystemTime::now();
        history
            .record("demo", "full import", "default", now, 0.1, Ok(&summary))
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(FILE))
            .unwrap()
            .write_all(b"{\"id\": 2, \"conn")
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(FILE))
            .unwrap()
            .write_all(b"\n")
            .unwrap();
        let second = history
            .record(
                "demo",
                "export",
                "default",
                now,
                0.2,
                Err((Outcome::StoppedUserRequest, "interrupted".into())),
            )
            .unwrap();
        assert_eq!(second.id, 2);
        let runs = history.list().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].adds, 3);
        assert_eq!(runs[0].watermark.as_deref(), Some("w1"));
        assert_eq!(runs[1].outcome, Outcome::StoppedUserRequest);
    }
}
