//! The quick benchmark runs end to end against the real binaries: the table has every row, and
//! every measurement is a number (a positive one where zero would mean nothing was measured).
//! Timings are never asserted. Needs ecma2-host and ecma2-demo built next to ecma2-bench, which
//! `cargo test --workspace` does.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// What a row's result must hold.
#[derive(Clone, Copy)]
enum Expect {
    /// Its first number is above zero.
    Positive,
    /// It holds a number (a difference, which may be zero or negative).
    Number,
    /// A positive number, or "not measured: <why>" (the Python venv may be missing).
    PositiveOrNotMeasured,
}

const ROWS: &[(&str, Expect)] = &[
    ("1a", Expect::Positive),
    ("1a'", Expect::Positive),
    ("1b", Expect::Positive),
    ("1c", Expect::Positive),
    ("1 b/a", Expect::Positive),
    ("1 c/b", Expect::Positive),
    ("2 in-process", Expect::Positive),
    ("2 direct", Expect::Positive),
    ("2 host", Expect::Positive),
    ("2 proxy", Expect::Positive),
    ("2 added p50", Expect::Number),
    ("2 added p99", Expect::Number),
    ("2 host/proxy", Expect::Number),
    ("3 idle", Expect::Positive),
    ("3 small", Expect::Positive),
    ("3 N", Expect::Positive),
    ("3 flat", Expect::Number),
    ("3 1MiB", Expect::Positive),
    ("4", Expect::Number),
    ("5 rust", Expect::Positive),
    ("5 python", Expect::PositiveOrNotMeasured),
    ("6 direct", Expect::Positive),
    ("6 host", Expect::Positive),
    ("6 ratio", Expect::Positive),
    ("7 unix", Expect::Positive),
    ("7 tcp", Expect::Positive),
    ("7 ratio", Expect::Positive),
    ("8 sdk", Expect::PositiveOrNotMeasured),
    ("8 jvm start", Expect::PositiveOrNotMeasured),
    ("5py import", Expect::PositiveOrNotMeasured),
    ("5py host cpu", Expect::PositiveOrNotMeasured),
    ("5py cpu", Expect::PositiveOrNotMeasured),
    ("5py batches", Expect::PositiveOrNotMeasured),
    ("9 bridge", Expect::PositiveOrNotMeasured),
    ("10 go", Expect::PositiveOrNotMeasured),
    ("11 typescript", Expect::PositiveOrNotMeasured),
    ("12 one", Expect::Positive),
    ("12 many", Expect::Positive),
    ("12 cpu", Expect::Positive),
    ("12 rss", Expect::Positive),
];

/// The numbers in `text`, in order (`1,234` is one number; signs are kept).
fn numbers(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && current.is_empty()) {
            current.push(c);
        } else if c == ',' && !current.is_empty() {
            continue;
        } else {
            if let Ok(n) = current.parse::<f64>() {
                out.push(n);
            }
            current.clear();
        }
    }
    out
}

#[test]
fn numbers_are_read_from_result_cells() {
    assert_eq!(numbers("1,234 objects/s (0.50 s)"), [1234.0, 0.5]);
    assert_eq!(numbers("+12 µs"), [12.0]);
    assert_eq!(numbers("-3 µs"), [-3.0]);
    assert!(numbers("not measured").is_empty());
}

#[test]
fn the_quick_run_prints_every_row_with_a_measurement() {
    let exe = Path::new(env!("CARGO_BIN_EXE_ecma2-bench"));
    let output = Command::new(exe)
        .arg("--quick")
        .env("RUST_LOG", "warn")
        .output()
        .expect("ecma2-bench runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "ecma2-bench --quick failed ({}); stderr ends with:\n{}",
        output.status,
        stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    let table = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(
        table.contains(" cores (") && table.contains("GiB memory"),
        "the header names the machine:\n{table}"
    );
    let rows: HashMap<&str, Vec<&str>> = table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| # "))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0], cells)
        })
        .collect();
    for (key, expect) in ROWS {
        let row = rows
            .get(key)
            .unwrap_or_else(|| panic!("row {key:?} is missing:\n{table}"));
        let result = row[2];
        let found = numbers(result);
        let first = found.first().copied();
        let ok = match expect {
            Expect::Positive => first.is_some_and(|n| n > 0.0),
            Expect::Number => first.is_some(),
            Expect::PositiveOrNotMeasured => result.starts_with("not measured: ") || first.is_some_and(|n| n > 0.0),
        };
        assert!(ok, "row {key:?} has no valid measurement: {result:?}\n{table}");
    }
    assert_eq!(rows.len(), ROWS.len(), "unexpected rows:\n{table}");
}
