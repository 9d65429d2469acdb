//! The SDK's own guarantees, checked with small connectors that misbehave on purpose: the page
//! size is enforced on the connector, unregistered interfaces are UNIMPLEMENTED with a fault
//! naming them, sessions are typed and NOT_FOUND once closed, and an error keeps its kind.

use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::connector_service_server::ConnectorServiceServer;
use ecma2_proto::pb::*;
use ecma2_sdk::model;
use ecma2_sdk::{CallImport, Connector, Context, Error, ImportPage, Params, Result, async_trait};
use ecma2_transport::{Address, Listener};
use tonic::transport::Channel;

mod remote;

/// Returns one entry more than the page size, or fails open when told to.
#[derive(Default)]
struct Faulty {
    page_size: usize,
}

#[async_trait]
impl CallImport for Faulty {
    fn import_default_page_size(&self) -> i32 {
        2
    }
    fn import_max_page_size(&self) -> i32 {
        4
    }

    async fn open_import_connection(
        &mut self,
        _ctx: &Context,
        params: &Params,
        _schema: &Schema,
        step: &OpenImportConnectionRunStep,
    ) -> Result<OpenImportConnectionResults> {
        if params.flag("fail_open") {
            return Err(Error::bad_server_credentials("no entry"));
        }
        self.page_size = step.page_size as usize;
        Ok(Default::default())
    }

    async fn get_import_entries(&mut self, _ctx: &Context, _step: &GetImportEntriesRunStep) -> Result<ImportPage> {
        let entries = (0..=self.page_size)
            .map(|n| model::add("thing").dn(format!("CN={n}")).build())
            .collect();
        Ok(ImportPage {
            entries,
            more_to_import: false,
            custom_data: String::new(),
        })
    }

    async fn close_import_connection(
        &mut self,
        _ctx: &Context,
        _step: &CloseImportConnectionRunStep,
    ) -> Result<CloseImportConnectionResults> {
        Ok(Default::default())
    }
}

async fn serve() -> (tempfile::TempDir, ConnectorServiceClient<Channel>) {
    let dir = tempfile::tempdir().unwrap();
    let address = Address::Unix(dir.path().join("faulty.sock"));
    let listener = Listener::bind(&address).await.unwrap();
    let server = Connector::new("faulty", "0.0.1", Faulty::default)
        .call_import()
        .server();
    let router = tonic::transport::Server::builder().add_service(ConnectorServiceServer::new(server));
    tokio::spawn(listener.serve(router, std::future::pending()));
    let channel = ecma2_transport::connect(&address).await.unwrap();
    (dir, ConnectorServiceClient::new(channel))
}

fn open(page_size: i32, params: Vec<ConfigParameter>) -> OpenImportConnectionRequest {
    OpenImportConnectionRequest {
        config_parameters: params,
        types: None,
        import_run_step: Some(OpenImportConnectionRunStep {
            page_size,
            import_type: OperationType::Full as i32,
            ..Default::default()
        }),
    }
}

fn fault(status: &tonic::Status) -> Fault {
    Fault::from_status(status).unwrap_or_else(|| panic!("no fault in {status:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_larger_than_the_page_size_is_refused() {
    let (_dir, mut client) = serve().await;
    let opened = client
        .open_import_connection(open(0, vec![]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(opened.page_size, 2, "0 means the default");
    let err = client
        .get_import_entries(GetImportEntriesRequest {
            session_id: opened.session_id.clone(),
            import_run_step: None,
        })
        .await
        .map(drop)
        .unwrap_err();
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::ExtensibleExtensionException);
    assert!(
        f.message.contains("3 entries") && f.message.contains("at most 2"),
        "{}",
        f.message
    );
    assert_eq!((f.connector.as_str(), f.call.as_str()), ("faulty", "GetImportEntries"));
    let err = client.open_import_connection(open(5, vec![])).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(
        err.message().contains('5') && err.message().contains('4'),
        "{}",
        err.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_interfaces_are_unimplemented_with_a_fault_naming_them() {
    let (_dir, mut client) = serve().await;
    let err = client.get_schema(GetSchemaRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::EntryPointNotImplementedException);
    assert!(f.message.contains("IMAExtensible2GetSchema"), "{}", f.message);
    let hello = client
        .handshake(HandshakeRequest {
            protocol_versions: vec![1],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(hello.interfaces().collect::<Vec<_>>(), [Ecma2Interface::CallImport]);
    assert!(hello.export_page_sizes.is_none());
    assert_eq!(hello.connector.unwrap().name, "faulty");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_open_keeps_its_error_kind_and_its_session_until_closed() {
    let (_dir, mut client) = serve().await;
    let params = vec![ConfigParameter {
        name: "fail_open".into(),
        value: "1".into(),
        ..Default::default()
    }];
    let err = client.open_import_connection(open(0, params)).await.unwrap_err();
    assert_eq!(
        err.code(),
        ecma2_proto::fault::code_for(FaultKind::BadServerCredentialsException)
    );
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::BadServerCredentialsException);
    assert!(!f.session_id.is_empty());
    // The caller must close the session of a failed open; after that it is gone.
    let close = |id: &str| CloseImportConnectionRequest {
        session_id: id.to_owned(),
        import_run_step: Some(CloseImportConnectionRunStep {
            reason: CloseReason::OpenConnectionFailure as i32,
            ..Default::default()
        }),
    };
    client.close_import_connection(close(&f.session_id)).await.unwrap();
    client
        .close_import_connection(close(&f.session_id))
        .await
        .expect("close is idempotent");
    let err = client
        .get_import_entries(GetImportEntriesRequest {
            session_id: f.session_id.clone(),
            import_run_step: None,
        })
        .await
        .map(drop)
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert_eq!(err.message(), format!("session {} not found", f.session_id));
}
