//! Progress on stderr: on a terminal one line rewritten in place (objects, pages or passes, rate),
//! elsewhere (CI, pipes) one line per step so logs stay readable. [`Stderr`] turns the engine's
//! events into these lines and into the object-error and warning lines of a run.

use std::io::{IsTerminal, Write};

use ecma2_engine::{Event, Observer};

/// Shows the current progress.
pub fn line(text: &str) {
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[2K  {text}");
        let _ = err.flush();
    } else {
        let _ = writeln!(err, "  {text}");
    }
}

/// Ends a progress line on a terminal.
pub fn done() {
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = writeln!(err);
    }
}

/// Prints a run's events on stderr.
#[derive(Debug, Default)]
pub struct Stderr;

impl Observer for Stderr {
    fn event(&mut self, event: Event) {
        match event {
            Event::ImportPage {
                page,
                objects,
                errors,
                objects_per_second,
            } => line(&format!(
                "page {page}: {objects} objects, {errors} errors, {objects_per_second:.0} objects/s"
            )),
            Event::ExportPass {
                pass,
                sent,
                queued,
                errors,
            } => line(&format!("pass {pass}: {sent} of {queued} sent, {errors} errors")),
            Event::ProgressDone => done(),
            Event::ImportObjectError { dn, code, name, detail } => {
                eprintln!("  object error {code:?} on {dn}: {name} {detail}")
            }
            Event::ObsolescenceSkipped { errors } => eprintln!("  {errors} object errors: obsolescence skipped"),
            Event::ExportedChangeNotReimported { dn, kind } => {
                eprintln!("  warning exported-change-not-reimported: the exported {kind} of {dn} did not come back")
            }
            Event::ExportObjectError { dn, code, name, detail } => eprintln!("  {dn}: {code:?} {name} {detail}"),
            Event::ExportFailed { dn, reason } => eprintln!("  {dn}: {reason}"),
            Event::ProvisioningParent { parent, dn } => eprintln!("  provisioning parent {parent} for {dn}"),
        }
    }
}

/// A token cancelled by Ctrl-C, so a run closes its session with TerminatedByUser.
pub fn ctrl_c() -> tokio_util::sync::CancellationToken {
    let token = tokio_util::sync::CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    token
}
