//! The one table a run prints: a Markdown header naming the machine, the build, the load and
//! the parameters, then one row per measurement with its target and whether it was met. Targets
//! are reported, never asserted.

use std::fmt::Write as _;

/// Whether a measurement reached its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No target for this row.
    None,
    /// Reached.
    Met,
    /// Not reached.
    Missed,
    /// Could not be measured, and why.
    NotMeasured(String),
}

impl Verdict {
    /// Met when `ok`, else missed.
    pub fn of(ok: bool) -> Verdict {
        if ok { Verdict::Met } else { Verdict::Missed }
    }

    fn text(&self) -> &str {
        match self {
            Verdict::None => "",
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
            Verdict::NotMeasured(_) => "not measured",
        }
    }
}

/// One row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The item and a short key, such as `1c` (stable: tests look rows up by it).
    pub key: String,
    /// What was measured.
    pub measurement: String,
    /// The result.
    pub result: String,
    /// The target, if any.
    pub target: String,
    /// Met, missed or not measured.
    pub verdict: Verdict,
}

/// The whole table.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Lines above the table (machine, build, load, parameters).
    pub header: Vec<String>,
    /// The rows, in item order.
    pub rows: Vec<Row>,
    /// Lines below the table (notes).
    pub notes: Vec<String>,
}

impl Report {
    /// Adds a row without a target.
    pub fn row(&mut self, key: &str, measurement: impl Into<String>, result: impl Into<String>) {
        self.target(key, measurement, result, "", Verdict::None);
    }

    /// Adds a row with a target.
    pub fn target(
        &mut self,
        key: &str,
        measurement: impl Into<String>,
        result: impl Into<String>,
        target: impl Into<String>,
        verdict: Verdict,
    ) {
        self.rows.push(Row {
            key: key.to_owned(),
            measurement: measurement.into(),
            result: result.into(),
            target: target.into(),
            verdict,
        });
    }

    /// Adds a row that could not be measured.
    pub fn not_measured(&mut self, key: &str, measurement: impl Into<String>, why: impl Into<String>) {
        let why = why.into();
        self.target(
            key,
            measurement,
            format!("not measured: {why}"),
            "",
            Verdict::NotMeasured(why),
        );
    }

    /// The Markdown text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            let _ = writeln!(out, "{line}");
        }
        if !self.header.is_empty() {
            out.push('\n');
        }
        out.push_str("| # | measurement | result | target | verdict |\n|---|---|---|---|---|\n");
        for row in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&row.key),
                cell(&row.measurement),
                cell(&row.result),
                cell(&row.target),
                row.verdict.text()
            );
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for line in &self.notes {
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_markdown_table() {
        let mut report = Report {
            header: vec!["# title".into()],
            ..Default::default()
        };
        report.row("1a", "import", "10 objects/s");
        report.target("1c/b", "ratio c/b", "0.5", "≥ 0.90", Verdict::of(false));
        report.not_measured("5py", "python", "no venv");
        let text = report.render();
        assert!(text.starts_with("# title\n\n| # |"), "{text}");
        assert!(
            text.contains("| 1c/b | ratio c/b | 0.5 | ≥ 0.90 | **missed** |"),
            "{text}"
        );
        assert!(
            text.contains("| 5py | python | not measured: no venv |  | not measured |"),
            "{text}"
        );
    }
}
