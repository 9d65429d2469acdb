//! The one-call commands through the host against the demo connector: configuration pages and
//! validation naming the parameter, partitions, hierarchy, and password set and change (with the
//! password read from standard input and never echoed in any output).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let demo = PathBuf::from(env!("CARGO_BIN_EXE_ecma2")).with_file_name("ecma2-demo");
    let config = dir.path().join("host.toml");
    std::fs::write(
        &config,
        format!(
            "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"demo\"\ncommand = {:?}\nenv = {{ RUST_LOG = \"debug\" }}\n",
            dir.path().join("e.sock").display(),
            demo.display().to_string()
        ),
    )
    .unwrap();
    (dir, config)
}

fn ecma2(dir: &tempfile::TempDir, config: &PathBuf, args: &[&str], stdin: &str) -> (bool, String, String) {
    let db = format!("database={}", dir.path().join("demo.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecma2"))
        .env("ECMA2_LOG", "debug")
        .arg("--config")
        .arg(config)
        .arg("--state")
        .arg(dir.path().join("state"))
        .args(args)
        .args(["--connector", "demo", "--param", &db])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn configuration_partitions_and_hierarchy() {
    let (dir, config) = setup();
    let (ok, out, _) = ecma2(&dir, &config, &["parameters", "--page", "connectivity"], "");
    assert!(ok && out.contains("database"), "{out}");
    let (ok, out, _) = ecma2(
        &dir,
        &config,
        &["--json", "parameters", "--page", "schema", "--page-number", "1"],
        "",
    );
    let page: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(ok && page["definitions"].is_array(), "{out}");
    let (ok, out, _) = ecma2(&dir, &config, &["partitions"], "");
    assert!(ok);
    assert_eq!(out.lines().count(), 2, "two partitions: {out}");
    let (ok, out, _) = ecma2(&dir, &config, &["hierarchy", "--parent", "DC=demo,DC=example"], "");
    assert!(ok && out.contains("OU=People,DC=demo,DC=example"), "{out}");
    let (ok, out, _) = ecma2(&dir, &config, &["capabilities"], "");
    assert!(ok && out.contains("DistinguishedNameStyle           Ldap"), "{out}");
}

#[test]
fn validation_names_the_parameter() {
    let (dir, config) = setup();
    let (ok, out, _) = ecma2(
        &dir,
        &config,
        &["--json", "parameters", "--validate", "--param", "seed_users=lots"],
        "",
    );
    assert!(!ok, "{out}");
    let error: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "failed", "{error}");
    let verdict = &error["error"]["validation"];
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["error_parameter"], "seed_users", "{verdict}");
}

#[test]
fn password_set_and_change_never_echo_the_password() {
    let (dir, config) = setup();
    let (ok, _, err) = ecma2(&dir, &config, &["import", "--param", "seed_users=2"], "");
    assert!(ok, "{err}");
    let dn = "CN=Ada Lovelace,OU=People,DC=demo,DC=example";
    let (ok, out, err) = ecma2(
        &dir,
        &config,
        &["password", "set", "--dn", dn, "--option", "unlock-account"],
        "First-Secret-91\n",
    );
    assert!(ok, "{err}");
    assert!(out.contains("password set"));
    let (ok, _, err_wrong) = ecma2(
        &dir,
        &config,
        &["password", "change", "--dn", dn],
        "Not-It-92\nSecond-Secret-93\n",
    );
    assert!(!ok);
    assert!(err_wrong.contains("OldPasswordIncorrectException"), "{err_wrong}");
    let (ok, _, err_right) = ecma2(
        &dir,
        &config,
        &["password", "change", "--dn", dn],
        "First-Secret-91\nSecond-Secret-93\n",
    );
    assert!(ok, "{err_right}");
    for text in [&out, &err, &err_wrong, &err_right] {
        for secret in ["First-Secret-91", "Not-It-92", "Second-Secret-93"] {
            assert!(!text.contains(secret), "a password leaked into the output: {text}");
        }
    }
}
