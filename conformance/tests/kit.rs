//! The kit against real connector processes through a real host: the demo (Rust) and the HR
//! connector (Python) pass every check; each broken fixture fails exactly the check of its
//! rule; `--read-only` leaves the demo's SQLite file byte for byte as it was.

mod support;

use ecma2_conformance::{Category, RunOptions, Status};
use support::{Connector, broken, demo, python, run};

fn demo_connector(dir: &std::path::Path) -> Connector<'static> {
    Connector {
        command: demo(),
        args: Vec::new(),
        env: Vec::new(),
        limits: "",
        params: vec![
            ("database", dir.join("demo.db").display().to_string()),
            ("seed_users", "30".into()),
        ],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path(), &demo_connector(dir.path()), RunOptions::default()).await;
    assert_eq!(report.failed_ids(), Vec::<&str>::new());
    for c in report.checks.iter().filter(|c| c.category == Category::Process) {
        // The demo has no entry over 1 MiB to fragment on import.
        if c.id != "fragments-import" {
            assert_eq!(c.status, Status::Pass, "{}: {}", c.id, c.detail);
        }
    }
    for id in [
        "export-add-confirmed",
        "export-update-confirmed",
        "export-delete-confirmed",
        "fragments-export",
    ] {
        assert_eq!(report.get(id).unwrap().status, Status::Pass, "{id}");
        assert!(report.get(id).unwrap().left_behind.is_empty(), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_hr_connector_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let hr = Connector {
        command: python(),
        args: vec!["-m".into(), "hr_connector".into()],
        env: Vec::new(),
        limits: "",
        params: vec![
            ("Database path", dir.path().join("hr.db").display().to_string()),
            ("Create if missing", "1".into()),
            ("Seed employees", "25".into()),
        ],
    };
    let report = run(dir.path(), &hr, RunOptions::default()).await;
    assert_eq!(report.failed_ids(), Vec::<&str>::new());
    for c in report.checks.iter().filter(|c| c.category == Category::Process) {
        if c.id != "fragments-import" {
            assert_eq!(c.status, Status::Pass, "{}: {}", c.id, c.detail);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_behaving_fixture_passes_and_fragments_its_large_entry() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path(), &broken(""), RunOptions::default()).await;
    assert_eq!(report.failed_ids(), Vec::<&str>::new());
    assert_eq!(report.get("fragments-import").unwrap().status, Status::Pass);
}

/// Each defect fails exactly the check of its rule, and nothing else.
async fn fails_exactly(mode: &str, rule: &str) {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path(), &broken(mode), RunOptions::default()).await;
    assert_eq!(report.failed_ids(), vec![rule], "mode {mode}");
    let failed = report.get(rule).unwrap();
    assert!(!failed.doc.is_empty() && failed.doc.starts_with("docs/"), "{failed:?}");
    assert!(failed.sent.is_some(), "a failure says what was sent: {failed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_launch_secret_check_fails_launch_secret() {
    fails_exactly("no_secret", "launch-secret").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_health_service_fails_health() {
    fails_exactly("no_health", "health").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_close_on_sigterm_fails_sigterm_closes_sessions() {
    fails_exactly("no_close_on_sigterm", "sigterm-closes-sessions").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_larger_than_asked_fails_the_max_page_size_import() {
    fails_exactly("big_page", "full-import-page-size-max").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fragment_never_finished_fails_fragments_import() {
    fails_exactly("unfinished_fragment", "fragments-import").await;
}

/// Every file of the demo's database, by name, with its bytes.
fn database_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("demo.db"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_leaves_the_demo_database_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_connector(dir.path());
    let read_only = RunOptions {
        read_only: true,
        ..Default::default()
    };
    // The first run creates and seeds the database.
    let first = run(dir.path(), &demo, read_only.clone()).await;
    assert!(first.ok(), "{:?}", first.failed_ids());
    let before = database_files(dir.path());
    assert!(!before.is_empty());

    let report = run(dir.path(), &demo, read_only.clone()).await;
    assert!(report.ok(), "{:?}", report.failed_ids());
    for c in report.checks.iter().filter(|c| c.writes) {
        assert_eq!(c.status, Status::Skip, "{} writes but ran under read-only", c.id);
    }
    assert!(report.passed > 20, "the read-only run still ran the reading checks");
    assert!(
        before == database_files(dir.path()),
        "a read-only run changed the demo's database"
    );

    // The comparison can fail: a run that writes changes the file.
    let writing = run(dir.path(), &demo, RunOptions::default()).await;
    assert!(writing.ok(), "{:?}", writing.failed_ids());
    assert!(
        before != database_files(dir.path()),
        "a writing run left the database as it was"
    );
}
