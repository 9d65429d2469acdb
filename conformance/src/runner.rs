//! The runner: a [`Kit`] is an ordered list of checks; [`Kit::run`] runs them one at a time
//! against a [`Subject`], skipping those whose needs are not met (and, with `read_only`, those
//! that write), announcing each writing check to the [`Observer`] before it runs, and collects
//! a [`Report`].

use std::time::Instant;

use serde::Serialize;

use crate::check::{Check, CheckResult, Need, Outcome, Status};
use crate::subject::Subject;

/// What a run may do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run only checks that read; writing checks are skipped and say so.
    pub read_only: bool,
    /// Run only these rule ids (empty: all).
    pub only: Vec<String>,
}

/// Follows a run as it goes (the CLI prints each check; a test may record them).
pub trait Observer {
    /// A check is about to run. `writes` is what it will write to the target, when it writes.
    fn starting(&mut self, check: &Check) {
        let _ = check;
    }
    /// A check finished.
    fn finished(&mut self, result: &CheckResult) {
        let _ = result;
    }
}

/// An observer that ignores everything.
pub struct Quiet;

impl Observer for Quiet {}

/// The results of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The connector's name.
    pub connector: String,
    /// Whether writing checks were skipped.
    pub read_only: bool,
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks that were skipped.
    pub skipped: usize,
    /// Every check's result, in run order.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// Whether no check failed.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }

    /// The ids of the failed checks, in run order.
    pub fn failed_ids(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| c.id)
            .collect()
    }

    /// The result of check `id`.
    pub fn get(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// An ordered set of checks.
#[derive(Debug, Clone)]
pub struct Kit {
    checks: Vec<Check>,
}

impl Default for Kit {
    fn default() -> Self {
        Self::standard()
    }
}

impl Kit {
    /// Every check of the kit.
    pub fn standard() -> Self {
        Self {
            checks: crate::checks::standard(),
        }
    }

    /// A kit of exactly these checks.
    pub fn of(checks: Vec<Check>) -> Self {
        Self { checks }
    }

    /// The checks, in run order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Runs the checks against `subject`.
    pub async fn run(&self, subject: &Subject<'_>, options: &RunOptions, observer: &mut dyn Observer) -> Report {
        let mut checks = Vec::new();
        for check in &self.checks {
            if !options.only.is_empty() && !options.only.iter().any(|id| id == check.id) {
                continue;
            }
            let started = Instant::now();
            let outcome = match unmet(check, subject, options) {
                Some(why) => Outcome::skip(why),
                None => {
                    observer.starting(check);
                    (check.run)(subject).await.unwrap_or_else(Outcome::from)
                }
            };
            let result = CheckResult {
                id: check.id,
                category: check.category,
                rule: check.rule,
                writes: check.writes.is_some(),
                status: outcome.status,
                detail: outcome.detail,
                sent: outcome.sent,
                received: outcome.received,
                left_behind: outcome.left_behind,
                doc: check.doc,
                seconds: started.elapsed().as_secs_f64(),
            };
            observer.finished(&result);
            checks.push(result);
        }
        let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
        Report {
            connector: subject.connector.clone(),
            read_only: options.read_only,
            passed: count(Status::Pass),
            failed: count(Status::Fail),
            skipped: count(Status::Skip),
            checks,
        }
    }
}

/// Why `check` cannot run, if it cannot.
fn unmet(check: &Check, subject: &Subject<'_>, options: &RunOptions) -> Option<String> {
    if options.read_only && check.writes.is_some() {
        return Some("writes to the target; skipped by --read-only".into());
    }
    check
        .needs
        .iter()
        .find(|need| match need {
            Need::Launch => subject.launch.is_none(),
            Need::Interface(i) => !subject.has(*i),
            Need::DeltaImport => !subject.caps.delta_import.unwrap_or(true),
        })
        .map(|need| need.missing())
}
