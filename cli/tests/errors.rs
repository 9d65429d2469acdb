//! A connector's own exception type reaches the operator: a Python `KeyError` raised by connector
//! code is shown as `KeyError: 'rev'` through the real CLI, in the plain line and in `--json`.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn a_python_key_error_keeps_its_type() {
    let python = repo().join("sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run sdk/python/scripts/check.sh first",
        python.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("host.toml");
    std::fs::write(
        &config,
        format!(
            "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"broken\"\ncommand = {:?}\nargs = [{:?}]\n",
            dir.path().join("e.sock").display(),
            python.display().to_string(),
            repo()
                .join("cli/tests/fixtures/key_error_connector.py")
                .display()
                .to_string(),
        ),
    )
    .unwrap();
    let run = |json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecma2"));
        cmd.arg("--config")
            .arg(&config)
            .arg("--state")
            .arg(dir.path().join("state"));
        if json {
            cmd.arg("--json");
        }
        cmd.args(["schema", "--connector", "broken"]).output().unwrap()
    };
    let out = run(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("KeyError: 'rev'"), "{stderr}");
    let out = run(true);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = &doc["error"];
    assert_eq!(error["kind"], "connector");
    assert_eq!(error["fault"]["foreign_type_name"], "KeyError");
    assert!(error["message"].as_str().unwrap().contains("KeyError: 'rev'"), "{doc}");
}
