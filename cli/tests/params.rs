//! `--param` values typed by the connector's own definitions, end to end through a host and the
//! Python HR connector: its "Create if missing" check box accepts `true` (sent as ECMA2's "1"),
//! and a value that is neither on nor off is refused, naming the parameter, before any session.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `ecma2 import` on the HR connector with a check box value; returns (success, output).
fn import(dir: &Path, create: &str) -> (bool, String) {
    let python = repo().join("sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run sdk/python/scripts/check.sh first",
        python.display()
    );
    let config = dir.join("host.toml");
    std::fs::write(
        &config,
        format!(
            "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"hr\"\ncommand = {:?}\nargs = [\"-m\", \"hr_connector\"]\n",
            dir.join("e.sock").display(),
            python.display().to_string()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecma2"))
        .arg("--config")
        .arg(&config)
        .arg("--state")
        .arg(dir.join("state"))
        .args(["--json", "import", "--connector", "hr"])
        .arg("--param")
        .arg(format!("Database path={}", dir.join("hr.db").display()))
        .args([
            "--param",
            &format!("Create if missing={create}"),
            "--param",
            "Seed employees=3",
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn a_check_box_takes_true_and_refuses_nonsense_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = import(dir.path(), "maybe");
    assert!(!ok, "{out}");
    assert!(
        out.contains("\"Create if missing\" is a check box") && out.contains("maybe"),
        "{out}"
    );
    assert!(!dir.path().join("hr.db").exists(), "{out}");

    let (ok, out) = import(dir.path(), "true");
    assert!(ok, "{out}");
    assert!(dir.path().join("hr.db").exists(), "{out}");
    assert!(out.contains("\"adds\":"), "{out}");
}
