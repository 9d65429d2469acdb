//! Run profiles end to end against the demo connector through the host, checking the connector
//! space afterwards: obsolescence (and its suspension after an object error), the watermark rule
//! with an error mid-run, a multi-pass export with a reference to an object added in the same
//! run, provisioning of a missing parent, and object confirmation by the next delta import.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let demo = PathBuf::from(env!("CARGO_BIN_EXE_ecma2")).with_file_name("ecma2-demo");
        let config = format!(
            "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"demo\"\ncommand = {:?}\n",
            dir.path().join("engine.sock").display(),
            demo.display().to_string()
        );
        std::fs::write(dir.path().join("host.toml"), config).unwrap();
        Self { dir }
    }

    fn db(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `ecma2 <args> --connector demo --param ...`; returns (success, stdout, stderr).
    fn run(&self, args: &[&str], database: &str, extra: &[&str]) -> (bool, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecma2"));
        cmd.arg("--config")
            .arg(self.dir.path().join("host.toml"))
            .arg("--state")
            .arg(self.dir.path().join("state"));
        cmd.args(args).arg("--connector").arg("demo");
        cmd.arg("--param")
            .arg(format!("database={}", self.db(database).display()));
        for p in extra {
            cmd.arg("--param").arg(p);
        }
        let out = cmd.output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        eprintln!("$ ecma2 {args:?}\n{stdout}{stderr}");
        (out.status.success(), stdout, stderr)
    }

    /// Runs a profile with --json and returns its summary.
    #[track_caller]
    fn summary(&self, args: &[&str], database: &str, extra: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let (ok, stdout, stderr) = self.run(&all, database, extra);
        assert!(ok, "ecma2 {args:?} failed: {stderr}");
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap()
    }

    fn show(&self, dn: &str) -> Option<Value> {
        let out = Command::new(env!("CARGO_BIN_EXE_ecma2"))
            .arg("--state")
            .arg(self.dir.path().join("state"))
            .args(["show", "--connector", "demo", "--dn", dn])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| serde_json::from_slice(&out.stdout).unwrap())
    }

    fn stage(&self, database: &str, lines: &[Value]) {
        let file = self.dir.path().join("changes.jsonl");
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&file, text).unwrap();
        let (ok, _, stderr) = self.run(&["stage", "--changes", file.to_str().unwrap()], database, &[]);
        assert!(ok, "{stderr}");
    }

    fn sql(&self, database: &str, statement: &str) {
        let db = rusqlite::Connection::open(self.db(database)).unwrap();
        assert!(db.execute(statement, []).unwrap() > 0, "{statement} changed nothing");
    }
}

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

fn member_values(object: &Value, name: &str) -> Vec<String> {
    object["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name)
        .flat_map(|a| a["values"].as_array().unwrap().iter())
        .map(|v| {
            v["value"]["ref"]
                .as_str()
                .or(v["value"].as_str())
                .unwrap_or_default()
                .to_lowercase()
        })
        .collect()
}

#[test]
fn delta_without_a_watermark_is_refused() {
    let env = Env::new();
    let (ok, _, stderr) = env.run(&["import", "--delta"], "a.db", &["seed_users=5"]);
    assert!(!ok);
    assert!(stderr.contains("run a full import first"), "{stderr}");
}

#[test]
fn full_import_obsoletes_what_it_no_longer_returns_unless_an_object_failed() {
    let env = Env::new();
    let first = env.summary(&["import"], "a.db", &["seed_users=20"]);
    let total_a = n(&first, "adds");
    assert!(total_a >= 20);
    assert_eq!(n(&first, "deletes"), 0);
    // The same connector now reads another directory: every object of the first is obsolete.
    let second = env.summary(&["import"], "b.db", &["seed_users=7"]);
    let total_b = n(&second, "adds") + n(&second, "updates");
    // b.db holds the same DNs as the first 7 users of a.db (and the same OUs and groups).
    assert_eq!(
        n(&second, "deletes"),
        total_a - total_b,
        "obsolescence removes every object not returned"
    );
    // With an object-level error in the run, nothing is obsoleted.
    env.sql("a.db", "UPDATE objects SET bad = 'broken on purpose' WHERE rowid = (SELECT min(rowid) FROM objects WHERE dn LIKE 'CN=%')");
    let third = env.summary(&["import"], "a.db", &[]);
    assert_eq!(n(&third, "errors"), 1);
    assert_eq!(
        n(&third, "deletes"),
        0,
        "an object error suspends obsolescence; {total_b} objects of b.db stay"
    );
}

#[test]
fn an_object_error_holds_the_watermark_at_the_page_before_it() {
    let env = Env::new();
    env.summary(&["import", "--page-size", "1"], "w.db", &["seed_users=6"]);
    // Three changes, in journal order u1, u2, u3; then u2 goes bad.
    let dns: Vec<String> = (1..=3)
        .map(|i| format!("CN=Watermark {i},OU=People,DC=demo,DC=example"))
        .collect();
    env.stage(
        "w.db",
        &dns.iter()
            .map(|dn| serde_json::json!({"op": "add", "type": "user", "dn": dn, "attrs": {"cn": dn[3..14].to_string(), "mail": format!("{}@w.example", &dn[13..14])}}))
            .collect::<Vec<_>>(),
    );
    let exported = env.summary(&["export"], "w.db", &[]);
    assert_eq!(n(&exported, "errors"), 0);
    let confirm = env.summary(&["import", "--delta", "--page-size", "1"], "w.db", &[]);
    assert_eq!(n(&confirm, "warnings"), 0);
    env.stage(
        "w.db",
        &dns.iter()
            .map(|dn| serde_json::json!({"op": "update", "dn": dn, "attrs": {"title": "changed"}}))
            .collect::<Vec<_>>(),
    );
    env.summary(&["export"], "w.db", &[]);
    env.sql(
        "w.db",
        &format!("UPDATE objects SET bad = 'unreadable' WHERE dn = '{}'", dns[1]),
    );
    let first = env.summary(&["import", "--delta", "--page-size", "1"], "w.db", &[]);
    assert!(n(&first, "errors") >= 1, "{first}");
    assert_eq!(
        n(&first, "warnings"),
        1,
        "the update of the bad object was not re-imported: {first}"
    );
    assert!(n(&first, "objects") >= 3);
    // The watermark stopped before the failing page, so the next delta reads it (and what follows) again.
    let again = env.summary(&["import", "--delta", "--page-size", "1"], "w.db", &[]);
    assert!(n(&again, "errors") >= 1, "the bad object is read again: {again}");
    assert!(
        n(&again, "objects") >= 2,
        "the pages after the error are read again: {again}"
    );
    // Once fixed, a delta moves past it and the next one is empty.
    env.sql(
        "w.db",
        &format!("UPDATE objects SET bad = NULL WHERE dn = '{}'", dns[1]),
    );
    let fixed = env.summary(&["import", "--delta", "--page-size", "1"], "w.db", &[]);
    assert_eq!(n(&fixed, "errors"), 0);
    let quiet = env.summary(&["import", "--delta"], "w.db", &[]);
    assert_eq!(n(&quiet, "objects"), 0, "{quiet}");
}

#[test]
fn a_reference_to_an_object_added_in_the_same_run_goes_in_a_later_pass_and_is_confirmed() {
    let env = Env::new();
    env.summary(&["import"], "r.db", &["seed_users=3"]);
    let user = "CN=Pass Two User,OU=People,DC=demo,DC=example";
    let group = "CN=Pass Two Group,OU=Groups,DC=demo,DC=example";
    env.stage(
        "r.db",
        &[
            // The group comes first in the file but references the user added in the same run.
            serde_json::json!({"op": "add", "type": "group", "dn": group, "attrs": {"cn": "Pass Two Group", "member": [user]}}),
            serde_json::json!({"op": "add", "type": "user", "dn": user, "attrs": {"cn": "Pass Two User", "mail": "pass.two@r.example"}}),
        ],
    );
    let exported = env.summary(&["export"], "r.db", &[]);
    assert_eq!(n(&exported, "errors"), 0, "{exported}");
    assert!(
        n(&exported, "passes") >= 2,
        "the reference waited for a later pass: {exported}"
    );
    assert_eq!(n(&exported, "adds"), 2);
    let delta = env.summary(&["import", "--delta"], "r.db", &[]);
    assert_eq!(n(&delta, "warnings"), 0, "every exported change came back: {delta}");
    assert!(n(&delta, "confirmed") >= 2, "{delta}");
    let stored = env.show(group).expect("the group is in the connector space");
    assert_eq!(member_values(&stored, "member"), vec![user.to_lowercase()]);
    assert!(env.show(user).is_some());
}

#[test]
fn a_missing_parent_is_provisioned_before_the_object() {
    let env = Env::new();
    env.summary(&["import"], "p.db", &["seed_users=3"]);
    let dn = "CN=Nested User,OU=Brand New,OU=People,DC=demo,DC=example";
    env.stage("p.db", &[serde_json::json!({"op": "add", "type": "user", "dn": dn, "attrs": {"cn": "Nested User", "mail": "nested@p.example"}})]);
    let exported = env.summary(&["export"], "p.db", &[]);
    assert_eq!(n(&exported, "errors"), 0, "{exported}");
    assert_eq!(
        n(&exported, "adds"),
        3,
        "the user, its parent OU, and the user again: {exported}"
    );
    let delta = env.summary(&["import", "--delta"], "p.db", &[]);
    assert_eq!(n(&delta, "warnings"), 0, "{delta}");
    assert!(
        env.show("OU=Brand New,OU=People,DC=demo,DC=example").is_some(),
        "the parent OU was provisioned"
    );
    assert!(env.show(dn).is_some());
}

#[test]
fn the_demo_runs_end_to_end() {
    let out = Command::new(env!("CARGO_BIN_EXE_ecma2"))
        .args(["demo", "--users", "50", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    // One document: {"runs": [full import, export, delta import], "objects": N}.
    let doc: Value = serde_json::from_str(stdout.trim()).unwrap();
    let summaries: Vec<Value> = doc["runs"].as_array().unwrap().clone();
    assert!(doc["objects"].as_u64().unwrap() >= 50, "{doc}");
    let profiles: Vec<&str> = summaries.iter().map(|s| s["profile"].as_str().unwrap()).collect();
    assert_eq!(profiles, ["full import", "export", "delta import"]);
    assert_eq!(n(&summaries[1], "errors"), 0);
    assert_eq!(n(&summaries[2], "warnings"), 0);
    assert_eq!(
        n(&summaries[2], "confirmed"),
        n(&summaries[1], "objects") - 1,
        "every exported object is confirmed"
    );
    let _ = Path::new(".");
}

#[test]
fn a_reference_that_never_resolves_is_tried_in_all_four_passes() {
    let env = Env::new();
    env.summary(&["import"], "f.db", &["seed_users=2"]);
    let ghost = "CN=Nobody,OU=People,DC=demo,DC=example";
    let group = "CN=Four Pass Group,OU=Groups,DC=demo,DC=example";
    env.stage(
        "f.db",
        &[serde_json::json!({"op": "add", "type": "group", "dn": group, "attrs": {"cn": "Four Pass Group", "member": [ghost]}})],
    );
    let exported = env.summary(&["export"], "f.db", &[]);
    assert_eq!(n(&exported, "passes"), 4, "{exported}");
    assert_eq!(
        n(&exported, "errors"),
        1,
        "the reference fails after the fourth pass: {exported}"
    );
    // The group itself was added in pass 1, without the member.
    let stored = env.show(group).expect("the group was added");
    assert!(member_values(&stored, "member").is_empty());
}
