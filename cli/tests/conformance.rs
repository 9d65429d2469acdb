//! `ecma2 conformance` end to end: the CLI starts a host from a config file, the host launches
//! the connector as a child process, and the checks run through it. The demo (Rust) and HR
//! (Python) connectors must pass; a deliberately broken connector must fail, naming the check.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> PathBuf {
    let python = repo().join("sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run sdk/python/scripts/check.sh first (scripts/test does)",
        python.display()
    );
    python
}

fn ecma2() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ecma2"))
}

/// Runs `ecma2 conformance` on one connector; returns (success, stdout).
fn conformance(command: &str, args: &[&str], env: &[(&str, &str)], params: &[String]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = format!(
        "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"subject\"\ncommand = {command:?}\nargs = {args:?}\n",
        dir.path().join("engine.sock").display()
    );
    if !env.is_empty() {
        let pairs: Vec<String> = env.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
        config.push_str(&format!("env = {{ {} }}\n", pairs.join(", ")));
    }
    config.push_str("[connector.limits]\nclose_grace = \"3s\"\n");
    let path = dir.path().join("host.toml");
    std::fs::write(&path, config).unwrap();
    let mut cmd = Command::new(ecma2());
    cmd.arg("--config")
        .arg(&path)
        .arg("--state")
        .arg(dir.path().join("state"))
        .arg("conformance");
    cmd.arg("--connector").arg("subject");
    for p in params {
        cmd.arg("--param")
            .arg(p.replace("{dir}", &dir.path().display().to_string()));
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), stdout)
}

fn outcome<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(check))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap_or_else(|| panic!("no line for check {check} in:\n{stdout}"))
}

#[test]
fn the_demo_connector_passes() {
    let demo = ecma2().with_file_name("ecma2-demo");
    let (ok, stdout) = conformance(
        &demo.display().to_string(),
        &[],
        &[],
        &["database={dir}/demo.db".into(), "seed_users=30".into()],
    );
    assert!(ok, "{stdout}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    for check in [
        "export-add-confirmed",
        "export-update-confirmed",
        "export-delete-confirmed",
        "cancel-closes-session",
    ] {
        assert_eq!(outcome(&stdout, check), "PASS", "{check}");
    }
}

#[test]
fn the_python_hr_connector_passes() {
    let (ok, stdout) = conformance(
        &python().display().to_string(),
        &["-m", "hr_connector"],
        &[],
        &[
            "Database path={dir}/hr.db".into(),
            "Create if missing=1".into(),
            "Seed employees=25".into(),
        ],
    );
    assert!(ok, "{stdout}");
    assert!(stdout.contains("conformance: 15 passed, 0 failed"), "{stdout}");
}

fn broken(mode: &str) -> (bool, String) {
    let script = repo().join("cli/tests/fixtures/broken_connector.py");
    conformance(
        &python().display().to_string(),
        &[&script.display().to_string()],
        &[("BROKEN_MODE", mode)],
        &["path=/somewhere".into()],
    )
}

#[test]
fn a_wrong_page_size_fails_the_paging_checks() {
    let (ok, stdout) = broken("page_size");
    assert!(!ok);
    assert_eq!(outcome(&stdout, "full-import-page-size-1"), "FAIL");
    assert_eq!(outcome(&stdout, "handshake"), "PASS");
}

#[test]
fn update_in_a_full_import_fails() {
    let (ok, stdout) = broken("update_in_full");
    assert!(!ok);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("full-import-page-size-default"))
        .unwrap();
    assert!(line.contains("FAIL") && line.contains("only Add"), "{line}");
}

#[test]
fn missing_close_handling_fails() {
    let (ok, stdout) = broken("no_close");
    assert!(!ok);
    assert_eq!(outcome(&stdout, "cancel-closes-session"), "FAIL");
    assert_eq!(outcome(&stdout, "failed-open-is-closed"), "FAIL");
}

#[test]
fn a_behaving_broken_connector_passes() {
    let (ok, stdout) = broken("");
    assert!(ok, "{stdout}");
}

#[test]
fn a_connector_whose_connectivity_parameters_are_all_optional_passes() {
    let (ok, stdout) = broken("optional_params");
    assert!(ok, "{stdout}");
    assert_eq!(outcome(&stdout, "config-validation"), "PASS");
}
