//! The human summary: one line per check, then the details of each failure, then the count.

use std::io::{self, Write};

use crate::check::{CheckResult, Status};
use crate::runner::Report;

/// One line for a check as it finishes (the CLI prints these to stderr while the kit runs).
pub fn progress_line(result: &CheckResult) -> String {
    format!("  {:<4} {}: {}", result.status.as_str(), result.id, result.detail)
}

/// Writes the table, the failures' details and the summary line.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(5).max(30);
    writeln!(out, "{:<width$} {:<6} {:<9} detail", "check", "result", "category")?;
    for c in &report.checks {
        let mut detail = c.detail.clone();
        if c.writes {
            detail.push_str(" [writes]");
        }
        writeln!(
            out,
            "{:<width$} {:<6} {:<9} {}",
            c.id,
            c.status.as_str().to_uppercase(),
            c.category.as_str(),
            detail
        )?;
    }
    let failures: Vec<_> = report.checks.iter().filter(|c| c.status == Status::Fail).collect();
    for c in &failures {
        writeln!(out)?;
        writeln!(out, "FAIL {} ({}): {}", c.id, c.category.as_str(), c.rule)?;
        writeln!(out, "  found:    {}", c.detail)?;
        if let Some(sent) = &c.sent {
            writeln!(out, "  sent:     {sent}")?;
        }
        if let Some(received) = &c.received {
            writeln!(out, "  received: {received}")?;
        }
        writeln!(out, "  read:     {}", c.doc)?;
    }
    let left: Vec<_> = report
        .checks
        .iter()
        .flat_map(|c| c.left_behind.iter().map(move |l| (c.id, l)))
        .collect();
    if !left.is_empty() {
        writeln!(out)?;
        writeln!(out, "left in the target (the kit could not delete them):")?;
        for (id, l) in left {
            writeln!(out, "  {l} (by {id})")?;
        }
    }
    writeln!(
        out,
        "conformance: {} passed, {} failed, {} skipped{}",
        report.passed,
        report.failed,
        report.skipped,
        if report.read_only { " (read-only)" } else { "" }
    )
}
