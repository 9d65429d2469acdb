//! When the sync engine stops a run (guide, MAImportError; the engine's 5,000-error limit): an
//! ImportErrorCustomStopRun entry stops the run at once, and so does the 5,000th object error.

use ecma2_engine::Error;

use crate::support::Scenario;
use crate::user;

/// ImportErrorCustomStopRun stops the run at that object, naming connector, DN and code; the
/// import commits no watermark.
#[tokio::test]
async fn stop_run_an_import_error_custom_stop_run_stops_the_run_at_once() {
    let mut s = Scenario::new(3, &[]).await;
    s.import(false, 0).await.unwrap();
    s.space = ecma2_engine::Space::open(&s.dir.path().join("fresh")).unwrap();
    let dn = user("Grace Hopper");
    s.demo_sql(&format!(
        "UPDATE objects SET bad = 'stop-run: on purpose' WHERE dn = '{dn}'"
    ));
    let error = s.import(false, 0).await.unwrap_err();
    let text = error.to_string();
    let Error::StopRun {
        connector,
        dn: at,
        code,
    } = &error
    else {
        panic!("{text}");
    };
    assert_eq!(connector, "demo");
    assert!(at.eq_ignore_ascii_case(&dn), "{text}");
    assert_eq!(code, "ImportErrorCustomStopRun");
    assert_eq!(
        s.space.watermark("demo", "default").unwrap(),
        None,
        "no watermark committed"
    );
    let close = s.observed("close").pop().unwrap();
    assert_eq!(close["reason"], "TerminatedByUser", "{close}");
    s.finish().await;
}

/// The run stops after 5,000 object-level errors.
#[tokio::test]
async fn stop_run_the_run_stops_after_5000_object_errors() {
    let mut s = Scenario::new(7_000, &[]).await;
    s.import(false, 0).await.unwrap();
    s.demo_sql("UPDATE objects SET bad = 'broken on purpose' WHERE dn LIKE 'CN=user%'");
    let fresh = ecma2_engine::Space::open(&s.dir.path().join("fresh")).unwrap();
    s.space = fresh;
    let before = s.observed("page").len();
    let error = s.import(false, 1000).await.unwrap_err();
    assert!(matches!(error, Error::TooManyErrors { limit: 5000 }), "{error}");
    // 7,012 objects are 8 pages; the 5,000th error is on page 6 (page 7 may have been asked
    // for already, while page 6 was applied).
    let pages = s.observed("page").len() - before;
    assert!(pages <= 7, "it stopped before the end: {pages} pages");
    s.finish().await;
}
