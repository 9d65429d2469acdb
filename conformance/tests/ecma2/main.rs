//! The ECMA2 checks against real connectors, through a real in-process host that launches
//! them as child processes:
//!
//! * the fixture connector (`fixtures/ecma2_fixture.py`, Python SDK) announces partitions,
//!   hierarchy, renames, FullObject and passwords and passes the whole kit; each of its broken
//!   modes (`ECMA2_FIXTURE_BROKEN`) fails exactly the check of the rule it breaks, and no other
//!   check that goes through the host;
//! * the demo connector (Rust) and the HR connector (Python) pass every ECMA2 check they are
//!   eligible for, and skip the others.
//!
//! Needs `target/debug/ecma2-demo` (`cargo build -p ecma2-demo`) and the Python SDK's
//! virtualenv (`sdk/python/scripts/check.sh`), as the CLI's conformance tests do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ecma2_conformance::checks::{self, ecma2};
use ecma2_conformance::{Category, Kit, Launch, PREFIX, Quiet, Report, RunOptions, Status, Subject};
use ecma2_engine::Engine;
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::ConfigParameter;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> String {
    let python = repo().join("sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run sdk/python/scripts/check.sh first (scripts/test does)",
        python.display()
    );
    python.display().to_string()
}

fn demo() -> String {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("ecma2-demo");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p ecma2-demo`",
        path.display()
    );
    path.display().to_string()
}

fn fixture() -> String {
    repo()
        .join("conformance/tests/ecma2/fixtures/ecma2_fixture.py")
        .display()
        .to_string()
}

/// Which checks to run.
enum Checks {
    /// The whole kit (process checks included: the kit launches its own copy too).
    Standard,
    /// Every check that goes through the host: the whole kit but the process checks, which
    /// launch the connector themselves and do not look at its data (the broken modes only
    /// change data), and take most of a run's time.
    ThroughHost,
    /// The ECMA2 checks only.
    Ecma2,
}

/// Runs `checks` on the connector `command args` (with `env`) configured with `params`, where
/// `{dir}` in a value is a fresh temporary directory.
async fn run(
    checks: Checks,
    command: &str,
    args: &[&str],
    env: &[(&str, &str)],
    params: &[(&str, &str)],
) -> (Report, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let env_line = env
        .iter()
        .map(|(k, v)| format!("{k} = {v:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "state_dir = {:?}\n[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"subject\"\ncommand = {command:?}\nargs = {args:?}\nenv = {{ {env_line} }}\n[connector.limits]\nclose_grace = \"3s\"\n",
        dir.path().join("host").display().to_string(),
        dir.path().join("engine.sock").display(),
    );
    let config = HostConfig::parse(&dir.path().join("host.toml"), &text).unwrap();
    let engine = Engine::start(config).await.unwrap();
    let params: Vec<ConfigParameter> = params
        .iter()
        .map(|(name, value)| ConfigParameter {
            name: (*name).into(),
            value: value.replace("{dir}", &dir.path().display().to_string()),
            ..Default::default()
        })
        .collect();
    let subject = Subject::new(&engine, "subject", params)
        .await
        .unwrap()
        .with_launch(Launch {
            program: command.into(),
            args: args.iter().map(|a| (*a).into()).collect(),
            env: env.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
            working_dir: None,
        });
    let kit = match checks {
        Checks::Standard => Kit::standard(),
        Checks::ThroughHost => Kit::of(
            checks::standard()
                .into_iter()
                .filter(|c| c.category != Category::Process)
                .collect(),
        ),
        Checks::Ecma2 => Kit::of(ecma2::checks()),
    };
    let report = kit.run(&subject, &RunOptions::default(), &mut Quiet).await;
    for c in &report.checks {
        eprintln!("{:<28} {:<5} {:>6.2}s {}", c.id, c.status.as_str(), c.seconds, c.detail);
    }
    drop(subject);
    engine.finish().await;
    (report, dir)
}

async fn fixture_run(mode: &str) -> Report {
    let (report, dir) = run(
        if mode.is_empty() {
            Checks::Standard
        } else {
            Checks::ThroughHost
        },
        &python(),
        &[&fixture()],
        &[("ECMA2_FIXTURE_BROKEN", mode)],
        &[("path", "{dir}/directory.json")],
    )
    .await;
    // Whatever the writing checks added, they deleted: no object of the directory has the
    // kit's prefix, and no report lists anything left behind.
    let directory: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("directory.json")).unwrap()).unwrap();
    let left: Vec<&str> = directory["objects"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|o| o["dn"].as_str())
        .filter(|dn| dn.contains(PREFIX))
        .collect();
    assert!(left.is_empty(), "the kit left objects behind: {left:?}");
    for check in &report.checks {
        assert!(
            check.left_behind.is_empty(),
            "{} left {:?}",
            check.id,
            check.left_behind
        );
    }
    report
}

fn ids(report: &Report, status: Status) -> BTreeSet<&'static str> {
    report
        .checks
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.id)
        .collect()
}

#[track_caller]
fn fails_exactly(report: &Report, rule: &str) {
    assert_eq!(ids(report, Status::Fail), BTreeSet::from([rule]), "failed checks");
    assert!(
        report.get(rule).is_some_and(|c| c.doc.starts_with("docs/")),
        "the failure names the doc section of its rule"
    );
}

fn all_ecma2() -> BTreeSet<&'static str> {
    ecma2::checks().iter().map(|c| c.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_passes_the_whole_kit_and_every_ecma2_check() {
    let report = fixture_run("").await;
    assert!(
        ids(&report, Status::Fail).is_empty(),
        "failed: {:?}",
        ids(&report, Status::Fail)
    );
    assert!(
        all_ecma2().is_subset(&ids(&report, Status::Pass)),
        "every ECMA2 check ran and passed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_object_answer_with_an_extra_object_fails_full_object() {
    let report = fixture_run("full_object_extra").await;
    fails_exactly(&report, "full-object");
    assert!(report.get("full-object").unwrap().detail.contains("not asked for"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_object_answer_missing_an_object_fails_full_object() {
    let report = fixture_run("full_object_missing").await;
    fails_exactly(&report, "full-object");
    assert!(report.get("full-object").unwrap().detail.contains("left out"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_that_makes_a_new_anchor_fails_rename() {
    let report = fixture_run("rename_as_add").await;
    fails_exactly(&report, "rename");
    let rename = report.get("rename").unwrap();
    assert!(
        rename.left_behind.is_empty(),
        "the kit cleaned up: {:?}",
        rename.left_behind
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_reported_as_delete_and_add_fails_rename() {
    let report = fixture_run("rename_delete_add").await;
    fails_exactly(&report, "rename");
    assert!(report.get("rename").unwrap().detail.contains("not a Delete"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_that_ignores_the_old_password_fails_password_change() {
    let report = fixture_run("password_ignores_old").await;
    fails_exactly(&report, "password-change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capabilities_that_differ_between_the_two_calls_fail_capabilities_consistent() {
    let report = fixture_run("caps_differ").await;
    fails_exactly(&report, "capabilities-consistent");
    assert!(
        report
            .get("capabilities-consistent")
            .unwrap()
            .detail
            .contains("ExportType")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_without_their_declared_anchor_fail_schema_anchors() {
    let report = fixture_run("anchor_mismatch").await;
    fails_exactly(&report, "schema-anchors");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_that_ignores_its_partition_fails_partitions() {
    let report = fixture_run("ignores_step_partition").await;
    fails_exactly(&report, "partitions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hierarchy_of_descendants_fails_hierarchy() {
    let report = fixture_run("hierarchy_descendants").await;
    fails_exactly(&report, "hierarchy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_that_faults_on_a_bad_value_fails_config_pages() {
    let report = fixture_run("checkbox_crash").await;
    fails_exactly(&report, "config-pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_passes_every_ecma2_check() {
    let (report, _dir) = run(
        Checks::Ecma2,
        &demo(),
        &[],
        &[],
        &[("database", "{dir}/demo.db"), ("seed_users", "30")],
    )
    .await;
    assert_eq!(
        ids(&report, Status::Pass),
        all_ecma2(),
        "the demo announces every feature"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hr_connector_passes_every_ecma2_check_it_is_eligible_for() {
    let (report, _dir) = run(
        Checks::Ecma2,
        &python(),
        &["-m", "hr_connector"],
        &[],
        &[
            ("Database path", "{dir}/hr.db"),
            ("Create if missing", "1"),
            ("Seed employees", "25"),
        ],
    )
    .await;
    assert!(ids(&report, Status::Fail).is_empty());
    // Generic DN style, no GetCapabilitiesEx, no hierarchy, no passwords.
    assert_eq!(
        ids(&report, Status::Pass),
        BTreeSet::from(["schema-anchors", "config-pages", "partitions", "rename"])
    );
}

/// GitHub's anchor of a Markdown heading: lower case, spaces to dashes, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn every_ecma2_check_names_a_doc_section_that_exists() {
    for check in ecma2::checks() {
        let (file, anchor) = check.doc.split_once('#').expect("a doc link with a section");
        let text = std::fs::read_to_string(repo().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let found = text
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .map(|l| slug(l.trim_start_matches('#')))
            .any(|s| s == anchor);
        assert!(found, "{}: {file} has no section #{anchor}", check.id);
    }
}
