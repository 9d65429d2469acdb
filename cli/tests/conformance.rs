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

/// What one `ecma2 conformance` run gave.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
    dir: tempfile::TempDir,
}

/// Runs `ecma2 conformance` on one connector with `extra` arguments; `{dir}` in params and
/// arguments is the run's temporary directory.
fn conformance_with(command: &str, args: &[&str], env: &[(&str, &str)], params: &[String], extra: &[&str]) -> Run {
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
        .arg(dir.path().join("state"));
    let here = dir.path().display().to_string();
    cmd.args(extra.iter().filter(|a| **a == "--json"));
    cmd.arg("conformance").arg("--connector").arg("subject");
    for p in params {
        cmd.arg("--param").arg(p.replace("{dir}", &here));
    }
    cmd.args(
        extra
            .iter()
            .filter(|a| **a != "--json")
            .map(|a| a.replace("{dir}", &here)),
    );
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{stdout}\n{stderr}");
    Run {
        ok: out.status.success(),
        stdout,
        stderr,
        dir,
    }
}

/// Runs `ecma2 conformance` on one connector; returns (success, stdout).
fn conformance(command: &str, args: &[&str], env: &[(&str, &str)], params: &[String]) -> (bool, String) {
    let run = conformance_with(command, args, env, params, &[]);
    (run.ok, run.stdout)
}

fn demo() -> String {
    ecma2().with_file_name("ecma2-demo").display().to_string()
}

const DEMO_PARAMS: [&str; 2] = ["database={dir}/demo.db", "seed_users=30"];

fn outcome<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(check))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("no line for check {check} in:\n{stdout}"))
}

#[test]
fn the_demo_connector_passes_and_the_junit_report_says_so() {
    let params: Vec<String> = DEMO_PARAMS.iter().map(|p| p.to_string()).collect();
    let run = conformance_with(&demo(), &[], &[], &params, &["--junit", "{dir}/report.xml"]);
    assert!(run.ok, "{}", run.stdout);
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
    for check in [
        "ready-line",
        "launch-secret",
        "sigterm-closes-sessions",
        "export-add-confirmed",
        "export-update-confirmed",
        "export-delete-confirmed",
        "cancel-closes-session",
    ] {
        assert_eq!(outcome(&run.stdout, check), "PASS", "{check}");
    }
    // A writing check says what it writes before it runs.
    let announced = run
        .stderr
        .find("writes export-add-confirmed: adds one object named ecma2-conformance-");
    let finished = run.stderr.find("pass export-add-confirmed");
    assert!(announced.is_some() && announced < finished, "{}", run.stderr);
    let xml = std::fs::read_to_string(run.dir.path().join("report.xml")).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains(r#"<testsuite name="process""#), "{xml}");
    assert!(
        xml.contains(r#"<testcase name="ready-line" classname="ecma2.conformance.process""#),
        "{xml}"
    );
    assert!(!xml.contains("<failure"), "{xml}");
}

#[test]
fn read_only_json_reports_writing_checks_as_skipped() {
    let params: Vec<String> = DEMO_PARAMS.iter().map(|p| p.to_string()).collect();
    let run = conformance_with(
        &demo(),
        &[],
        &[],
        &params,
        &[
            "--json",
            "--read-only",
            "--only",
            "handshake",
            "--only",
            "export-add-confirmed",
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["read_only"], true);
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2, "{report}");
    assert_eq!(checks[0]["id"], "handshake");
    assert_eq!(checks[0]["status"], "pass");
    assert_eq!(checks[1]["id"], "export-add-confirmed");
    assert_eq!(checks[1]["status"], "skip");
    assert_eq!(checks[1]["writes"], true);
    assert!(
        checks[1]["detail"].as_str().unwrap().contains("--read-only"),
        "{report}"
    );
}

#[test]
fn an_unknown_check_is_refused_by_name() {
    let params: Vec<String> = DEMO_PARAMS.iter().map(|p| p.to_string()).collect();
    let run = conformance_with(&demo(), &[], &[], &params, &["--only", "no-such-check"]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains(r#"there is no check "no-such-check""#),
        "{}",
        run.stderr
    );
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
    // Each failure names the rule, what was sent, what came back and the doc section.
    assert!(
        stdout.contains("FAIL cancel-closes-session (protocol): a cancelled GetImportEntries"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  sent:     OpenImportConnection page_size=1"),
        "{stdout}"
    );
    assert!(stdout.contains("  read:     docs/runtime.md#cancellation"), "{stdout}");
}

#[test]
fn a_failure_in_the_junit_report_names_rule_sent_and_doc() {
    let script = repo().join("cli/tests/fixtures/broken_connector.py");
    let run = conformance_with(
        &python().display().to_string(),
        &[&script.display().to_string()],
        &[("BROKEN_MODE", "no_close")],
        &["path=/somewhere".into()],
        &["--junit", "{dir}/report.xml", "--only", "cancel-closes-session"],
    );
    assert!(!run.ok);
    let xml = std::fs::read_to_string(run.dir.path().join("report.xml")).unwrap();
    assert!(xml.contains(r#"failures="1""#), "{xml}");
    assert!(xml.contains(r#"<failure message="#), "{xml}");
    assert!(xml.contains("rule: a cancelled GetImportEntries"), "{xml}");
    assert!(xml.contains("sent: OpenImportConnection page_size=1"), "{xml}");
    assert!(xml.contains("read: docs/runtime.md#cancellation"), "{xml}");
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
