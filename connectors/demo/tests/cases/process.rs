//! The real `ecma2-demo` process: ready line, launch secret, handshake, shutdown, and a fault in
//! one session that leaves the others running.

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_announces_itself_and_imports_over_a_unix_socket() {
    let mut p = Launched::start(&[]).await.unwrap();
    assert_eq!(p.ready["protocol"], 1);
    assert_eq!(p.ready["pid"], p.child.id().unwrap());
    assert!(p.ready["address"].as_str().unwrap().starts_with("unix:"));
    let mut client = p.client().await.unwrap();
    let hello = client
        .handshake(HandshakeRequest {
            protocol_versions: vec![1, 7],
            caller_name: "demo-tests".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(hello.protocol_version, 1);
    let info = hello.connector.as_ref().unwrap();
    assert_eq!(
        info.name, "demo",
        "the connector's own name; faults carry the host's name for it"
    );
    assert_eq!(
        (info.sdk_name.as_str(), info.language.as_str()),
        ("ecma2-sdk-rust", "rust")
    );
    assert_eq!(hello.interfaces.len(), 12, "every ECMA2 interface is implemented");
    let sizes = hello.import_page_sizes.unwrap();
    assert_eq!((sizes.default_page_size, sizes.max_page_size), (500, 10_000));
    let run = full_import(&mut client, p.files.params(&[]), 2).await.unwrap();
    assert!(run.entries().len() > 5);
    p.signal("TERM").unwrap();
    assert!(p.wait_exit().await.unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_missing_launch_secret_is_unauthenticated_but_health_is_open() {
    let p = Launched::start(&[]).await.unwrap();
    for secret in [None, Some("not-the-secret".to_owned())] {
        let mut client = p.client_with(secret.clone()).await.unwrap();
        let err = client
            .get_schema(GetSchemaRequest {
                config_parameters: p.files.params(&[]),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated, "secret {secret:?}");
    }
    assert!(p.files.events().is_empty(), "nothing reached the connector code");
    let channel = ecma2_transport::connect(&p.address).await.unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    for service in ["", "ecma2.v1.ConnectorService"] {
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .unwrap()
            .into_inner()
            .status();
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving,
            "{service:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_one_session_is_a_fault_while_another_session_goes_on() {
    let p = Launched::start(&[]).await.unwrap();
    let mut client = p.client().await.unwrap();
    let healthy = client
        .open_import_connection(import_request(p.files.params(&[]), OperationType::Full, 3, "", None))
        .await
        .unwrap()
        .into_inner();
    let doomed = client
        .open_import_connection(import_request(
            p.files.params(&[("test_panic_on", "GetImportEntries")]),
            OperationType::Full,
            3,
            "",
            None,
        ))
        .await
        .unwrap()
        .into_inner();
    let err = client
        .get_import_entries(GetImportEntriesRequest {
            session_id: doomed.session_id.clone(),
            import_run_step: None,
        })
        .await
        .map(|_| ())
        .unwrap_err();
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::ExtensibleExtensionException);
    assert_eq!(
        f.connector, "demo-under-test",
        "the fault names the connector as the host knows it"
    );
    assert_eq!(f.call, "GetImportEntries");
    assert!(f.message.contains("panicked"), "{}", f.message);
    // The other session, and the process, carry on.
    let mut count = 0;
    loop {
        let stream = client
            .get_import_entries(GetImportEntriesRequest {
                session_id: healthy.session_id.clone(),
                import_run_step: None,
            })
            .await
            .unwrap()
            .into_inner();
        let (entries, results, _) = read_page(stream).await.unwrap();
        count += entries.len();
        if !results.more_to_import {
            break;
        }
    }
    assert_eq!(count, 12);
    let events = p.files.events();
    let panics = events_named(&events, "panic");
    assert_eq!(panics.len(), 1);
    assert_eq!(panics[0]["session_id"], doomed.session_id.as_str());
    // The panicking session can still be closed.
    client
        .close_import_connection(CloseImportConnectionRequest {
            session_id: doomed.session_id.clone(),
            import_run_step: Some(CloseImportConnectionRunStep {
                reason: CloseReason::TerminatedByUser as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_every_open_session_with_terminated_shutting_down() {
    let mut p = Launched::start(&[]).await.unwrap();
    let mut client = p.client().await.unwrap();
    let params = p.files.params(&[("test_block_get_ms", "60000")]);
    let import = client
        .open_import_connection(import_request(params.clone(), OperationType::Full, 0, "", None))
        .await
        .unwrap()
        .into_inner();
    let export = client
        .open_export_connection(OpenExportConnectionRequest {
            config_parameters: params.clone(),
            types: None,
            export_run_step: Some(OpenExportConnectionRunStep {
                export_type: OperationType::Delta as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    let password = client
        .open_password_connection(OpenPasswordConnectionRequest {
            config_parameters: params,
            partition: None,
        })
        .await
        .unwrap()
        .into_inner();
    // A page is blocked in flight when the signal arrives.
    let mut blocked_client = client.clone();
    let blocked = tokio::spawn({
        let session_id = import.session_id.clone();
        async move {
            blocked_client
                .get_import_entries(GetImportEntriesRequest {
                    session_id,
                    import_run_step: None,
                })
                .await
        }
    });
    eventually("the page to block", || {
        p.files.events().iter().any(|e| e["event"] == "blocking").then_some(())
    })
    .await;
    p.signal("TERM").unwrap();
    let status = p.wait_exit().await.unwrap();
    assert!(status.success(), "exit status 0 after SIGTERM, got {status:?}");
    let _ = tokio::time::timeout(DEADLINE, blocked)
        .await
        .expect("the blocked call ends");
    let events = p.files.events();
    for (session, kind) in [
        (&import.session_id, "import"),
        (&export.session_id, "export"),
        (&password.session_id, "password"),
    ] {
        let close: Vec<_> = events
            .iter()
            .filter(|e| e["event"] == "close" && e["session_id"] == session.as_str())
            .collect();
        assert_eq!(close.len(), 1, "{kind} session closed once: {events:?}");
        assert_eq!(close[0]["reason"], "TerminatedShuttingDown", "{kind}");
        assert_eq!(close[0]["kind"], kind);
    }
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "cancelled" && e["session_id"] == import.session_id.as_str()),
        "the page in flight saw its cancellation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shutdown_rpc_reports_the_sessions_it_closed() {
    let mut p = Launched::start(&[]).await.unwrap();
    let mut client = p.client().await.unwrap();
    let params = p.files.params(&[]);
    for _ in 0..2 {
        client
            .open_import_connection(import_request(params.clone(), OperationType::Full, 0, "", None))
            .await
            .unwrap();
    }
    let closed = client
        .shutdown(ShutdownRequest { reason: "test".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(closed.closed_sessions, 2);
    assert!(p.wait_exit().await.unwrap().success());
    let closes = events_named(&p.files.events(), "close").len();
    assert_eq!(closes, 2);
}
