//! The JSON report: the whole [`Report`] as one pretty-printed object.

use crate::runner::Report;

/// The report as JSON text.
pub fn to_string(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report serializes")
}
