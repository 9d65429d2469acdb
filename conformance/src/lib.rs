//! The ecma2 conformance kit: named checks that hold a connector, in any language, to the rules
//! of `docs/runtime.md` (how its process behaves), `docs/protocol.md` (the contract as the engine
//! uses it through the host) and ECMA2 (what its announced features must do).
//!
//! A [`Check`] has a rule id, a [`Category`], whether it writes to the connector's target (and
//! what), what it needs from the connector ([`Need`]) and the doc section stating its rule. A
//! [`Kit`] runs checks against a [`Subject`] (the connector through a host, plus its command line
//! for the process checks) and returns a [`Report`]; [`report`] writes it for people, as JSON or
//! as JUnit XML. `ecma2 conformance` is a thin front over this crate.
//!
//! Where checks live: [`checks::process`], [`checks::protocol`], [`checks::session`],
//! [`checks::export`] and [`checks::ecma2`] (the registration point for ECMA2 behaviour checks).

#![forbid(unsafe_code)]

pub mod check;
pub mod checks;
pub mod launch;
pub mod report;
pub mod runner;
pub mod subject;

pub use check::{Category, Check, CheckResult, Context, Failure, Need, Outcome, Status};
pub use launch::Launch;
pub use runner::{Kit, Observer, Quiet, Report, RunOptions};
pub use subject::{PREFIX, Subject};
