//! ConcurrentOperation (guide, "Basic properties"): a connector that says false must not run
//! beside itself. The engine reads it, like every capability, from GetCapabilitiesEx with the
//! administrator's parameters (the demo says false only when its Capabilities page asks), and
//! holds a lock per connector in the state directory for the length of a run.

use std::time::Duration;

use ecma2_engine::{Error, ExportOptions, ImportOptions, Space};
use tokio_util::sync::CancellationToken;

use crate::support::{Scenario, param};

/// Waits, with a deadline, until the demo has recorded `count` `blocking` events.
async fn blocked(s: &Scenario, count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while s.observed("blocking").len() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the run never reached the connector"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two runs at once: while an import of `demo` (ConcurrentOperation = false) waits in
/// GetImportEntries, a second import and an export of `demo` are refused at once with
/// `Error::ConnectorBusy` naming the connector and the run that holds it, while another
/// connector runs. The lock is released when the run ends, and when it is cancelled (Ctrl-C).
#[tokio::test]
async fn concurrent_operation_false_refuses_a_second_run_of_that_connector_only() {
    let s = Scenario::with_connectors(
        2,
        &[("test_no_concurrent_operation", "1"), ("test_block_get_ms", "1500")],
        &["other"],
    )
    .await;
    let second_space = Space::open(&s.dir.path().join("space")).unwrap();
    let mut other_params = s.params.clone();
    other_params.retain(|p| p.name != "database" && p.name != "test_block_get_ms");
    other_params.push(param("database", &s.dir.path().join("other.db").display().to_string()));
    let first = async { ecma2_engine::import(&s.engine, &s.space, ImportOptions::new("demo", s.params.clone())).await };
    let meanwhile = async {
        blocked(&s, 1).await;
        let import = ecma2_engine::import(&s.engine, &second_space, ImportOptions::new("demo", s.params.clone())).await;
        let export = ecma2_engine::export(&s.engine, &second_space, ExportOptions::new("demo", s.params.clone())).await;
        let other = ecma2_engine::import(
            &s.engine,
            &second_space,
            ImportOptions::new("other", other_params.clone()),
        )
        .await;
        (import, export, other)
    };
    let (first, (import, export, other)) = tokio::join!(first, meanwhile);
    first.expect("the first run completes");
    other.expect("another connector is not affected");
    for refused in [import.unwrap_err(), export.unwrap_err()] {
        let text = refused.to_string();
        let Error::ConnectorBusy {
            connector,
            holder,
            path,
        } = &refused
        else {
            panic!("{text}");
        };
        assert_eq!(connector, "demo");
        assert!(
            holder.starts_with(&format!("import run by pid {}", std::process::id())),
            "names the running run: {text}"
        );
        assert!(path.starts_with(s.dir.path().join("space")), "{text}");
        assert!(text.contains("ConcurrentOperation"), "{text}");
    }
    // Released when the run ended: the next one runs.
    ecma2_engine::import(&s.engine, &second_space, ImportOptions::new("demo", s.params.clone()))
        .await
        .expect("the lock was released");
    // Cancelled (Ctrl-C) in the middle: released too.
    let cancel = CancellationToken::new();
    let mut options = ImportOptions::new("demo", s.params.clone());
    options.cancel = cancel.clone();
    let blocks = s.observed("blocking").len();
    let (cancelled, ()) = tokio::join!(ecma2_engine::import(&s.engine, &s.space, options), async {
        blocked(&s, blocks + 1).await;
        cancel.cancel();
    });
    assert!(matches!(cancelled, Err(Error::Interrupted { .. })), "{cancelled:?}");
    ecma2_engine::import(&s.engine, &second_space, ImportOptions::new("demo", s.params.clone()))
        .await
        .expect("a cancelled run released the lock");
    s.finish().await;
}

/// With ConcurrentOperation true (the demo's default) two runs of a connector may overlap.
#[tokio::test]
async fn concurrent_operation_true_lets_runs_overlap() {
    let s = Scenario::new(2, &[("test_block_get_ms", "1000")]).await;
    let second_space = Space::open(&s.dir.path().join("space")).unwrap();
    let first = ecma2_engine::import(&s.engine, &s.space, ImportOptions::new("demo", s.params.clone()));
    let second = async {
        blocked(&s, 1).await;
        ecma2_engine::import(&s.engine, &second_space, ImportOptions::new("demo", s.params.clone())).await
    };
    let (first, second) = tokio::join!(first, second);
    first.unwrap();
    second.expect("no lock without ConcurrentOperation = false");
    s.finish().await;
}
