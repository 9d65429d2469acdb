//! Limits with the testkit connector: a call that never answers meets the deadline and a kill
//! after the grace period, and a page of big objects crosses a host process in bounded memory.

use std::time::Duration;

use ecma2_proto::pb::*;

use crate::support::{self, Harness, command_connector, host_head, peak_rss, process_gone, testkit_binary};

#[tokio::test(flavor = "multi_thread")]
async fn a_connector_that_never_answers_meets_the_deadline_and_is_killed_after_the_grace() {
    let deadline = Duration::from_secs(2);
    let grace = Duration::from_secs(2);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}{}",
        host_head(dir.path()),
        command_connector(
            "testkit",
            &testkit_binary(),
            "call_deadline = \"2s\"\nclose_grace = \"2s\"\nrestart_backoff = \"50ms\"",
        )
    );
    let h = Harness::start_with(dir, &text, "testkit").await;
    let pid = h.status("testkit").await.pid;
    assert!(pid > 0);
    let open = h
        .open_import(0, &[("hang_on", "GetImportEntries")])
        .await
        .expect("open");

    let asked = tokio::time::Instant::now();
    let err = tokio::time::timeout(deadline + grace + Duration::from_secs(5), h.page(&open.session_id))
        .await
        .expect("the engine gets an answer")
        .expect_err("a page that never comes is an error");
    let waited = asked.elapsed();
    assert_eq!(err.code(), tonic::Code::DeadlineExceeded, "{err:?}");
    assert!(err.message().contains("testkit"), "{err:?}");
    assert!(
        waited >= deadline && waited < deadline + grace,
        "the error came after {waited:?}, not within deadline {deadline:?} + grace {grace:?}"
    );

    // The host then closes the session; Close waits behind the stuck call, so after the grace
    // period the process is killed and a new one started.
    support::poll(
        "the stuck connector killed",
        deadline + grace + Duration::from_secs(10),
        || process_gone(pid).then_some(()),
    )
    .await;
    let restarted = h
        .wait_status("testkit", "ready again", |s| {
            s.state() == ConnectorState::Ready && s.pid != pid && s.pid != 0
        })
        .await;
    assert!(restarted.restarts >= 1, "{restarted:?}");
    assert!(
        restarted.last_error.is_empty() || restarted.last_error.contains("grace"),
        "{restarted:?}"
    );
    // The next run works.
    let open = h.open_import(0, &[("entries", "2")]).await.expect("open after restart");
    let (entries, more) = h.page(&open.session_id).await.expect("page after restart");
    assert_eq!((entries.len(), more), (2, false));
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_of_500_one_mib_objects_crosses_the_host_process_in_under_128_mib() {
    const OBJECTS: usize = 500;
    const BLOB: usize = 1 << 20;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("host.toml");
    std::fs::write(
        &config,
        format!(
            "{}{}",
            host_head(dir.path()),
            command_connector("testkit", &testkit_binary(), "")
        ),
    )
    .unwrap();
    let mut host = tokio::process::Command::new(support::host_binary())
        .arg("--config")
        .arg(&config)
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let host_pid = host.id().unwrap();
    let h = Harness::attach(dir, "testkit").await;
    let params = [("entries", OBJECTS.to_string()), ("blob_bytes", BLOB.to_string())];
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let started = tokio::time::Instant::now();
    let open = loop {
        match h.open_import(OBJECTS as i32, &params).await {
            Ok(open) => break open,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("the connector never became ready: {e:?}"),
        }
    };
    let before = peak_rss(host_pid);

    // Read the page frame by frame, keeping at most one entry, as an engine would.
    let mut stream = h
        .client()
        .get_import_entries(h.request(GetImportEntriesRequest {
            session_id: open.session_id.clone(),
            import_run_step: Some(GetImportEntriesRunStep::default()),
        }))
        .await
        .expect("page")
        .into_inner();
    let mut reassembler = ecma2_proto::frames::Reassembler::default();
    let mut seen = 0usize;
    let mut more = None;
    while let Some(frame) = stream.message().await.expect("frame") {
        let entry = match frame.frame {
            Some(get_import_entries_response::Frame::Entry(e)) => Some(e),
            Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                reassembler.push(f).expect("fragments reassemble")
            }
            Some(get_import_entries_response::Frame::Results(r)) => {
                more = Some(r.more_to_import);
                None
            }
            Some(get_import_entries_response::Frame::EntryBatch(_)) => {
                panic!("an entry batch the call did not ask for")
            }
            None => None,
        };
        if let Some(entry) = entry {
            let blob = entry
                .attribute_changes
                .iter()
                .find(|a| a.name == "blob")
                .and_then(|a| a.value_changes.first())
                .and_then(|v| v.value.as_ref())
                .and_then(|v| match &v.kind {
                    Some(attribute_value::Kind::BinaryValue(b)) => Some(b.len()),
                    _ => None,
                });
            assert_eq!(blob, Some(BLOB), "entry {seen} lacks its 1 MiB blob");
            seen += 1;
        }
    }
    assert_eq!((seen, more), (OBJECTS, Some(false)));
    h.close_import(&open.session_id, CloseReason::Normal)
        .await
        .expect("close");

    let peak = peak_rss(host_pid);
    eprintln!(
        "host peak RSS: {} MiB ({} MiB before the page)",
        peak >> 20,
        before >> 20
    );
    assert!(
        peak < 128 << 20,
        "the host's peak RSS was {} MiB (before the page: {} MiB) for {} MiB relayed",
        peak >> 20,
        before >> 20,
        (OBJECTS * BLOB) >> 20
    );
    std::process::Command::new("kill")
        .args(["-TERM", &host_pid.to_string()])
        .status()
        .expect("kill");
    let stopped = tokio::time::timeout(Duration::from_secs(30), host.wait()).await;
    assert!(matches!(stopped, Ok(Ok(s)) if s.success()), "{stopped:?}");
}
