//! `ecma2 conformance`: a battery of checks any connector, in any language, can run through the
//! host. Each check drives the connector the way the sync engine would and compares what comes
//! back with the ECMA2 rules (not with the connector's own idea of itself). Fixture objects for
//! export come from the connector's own schema and from what it imported.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use ecma2_proto::frames::{Framed, Reassembler, frame};
use ecma2_proto::pb::*;
use serde::Serialize;

use ecma2_engine::Engine;
use ecma2_engine::error::explain;

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The check's stable name.
    pub name: &'static str,
    /// pass, fail or skip.
    pub outcome: &'static str,
    /// What was seen, or why it failed or was skipped.
    pub detail: String,
}

/// A check's own result: Ok(detail), Err(failure), or a skip.
enum Verdict {
    Pass(String),
    Fail(String),
    Skip(String),
}

fn verdict(result: Result<Verdict>) -> Verdict {
    result.unwrap_or_else(|e| Verdict::Fail(format!("{e:#}")))
}

/// What the checks share.
struct Subject<'a> {
    engine: &'a Engine,
    connector: &'a str,
    params: Vec<ConfigParameter>,
    handshake: HandshakeResponse,
    caps: MaCapabilities,
    schema: Schema,
}

/// One import run's outcome.
#[derive(Default)]
struct Imported {
    entries: Vec<CsEntryChange>,
    watermark: String,
    pages: usize,
    largest_page: usize,
    page_size: i32,
}

impl Subject<'_> {
    fn has(&self, interface: Ecma2Interface) -> bool {
        self.handshake.interfaces.contains(&(interface as i32))
    }

    async fn import(&self, delta: bool, watermark: &str, page_size: i32, max_pages: usize) -> Result<Imported> {
        let mut client = self.engine.connectors();
        let open = client
            .open_import_connection(self.engine.request(
                self.connector,
                OpenImportConnectionRequest {
                    config_parameters: self.params.clone(),
                    types: Some(self.schema.clone()),
                    import_run_step: Some(OpenImportConnectionRunStep {
                        custom_data: watermark.to_owned(),
                        page_size,
                        import_type: if delta {
                            OperationType::Delta
                        } else {
                            OperationType::Full
                        } as i32,
                        ..Default::default()
                    }),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner();
        let mut out = Imported {
            watermark: watermark.to_owned(),
            page_size: open.page_size,
            ..Default::default()
        };
        let result = async {
            loop {
                let mut stream = client
                    .get_import_entries(self.engine.request(
                        self.connector,
                        GetImportEntriesRequest {
                            session_id: open.session_id.clone(),
                            import_run_step: Some(GetImportEntriesRunStep {
                                custom_data: out.watermark.clone(),
                                ..Default::default()
                            }),
                        },
                    ))
                    .await
                    .map_err(explain)?
                    .into_inner();
                let mut reassembler = Reassembler::default();
                let mut in_page = 0;
                let mut end = None;
                while let Some(frame) = stream.message().await.map_err(explain)? {
                    match frame.frame {
                        Some(get_import_entries_response::Frame::Entry(e)) => {
                            in_page += 1;
                            out.entries.push(e)
                        }
                        Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                            if let Some(e) = reassembler.push(f)? {
                                in_page += 1;
                                out.entries.push(e)
                            }
                        }
                        Some(get_import_entries_response::Frame::Results(r)) => end = Some(r),
                        Some(get_import_entries_response::Frame::EntryBatch(_)) => {
                            anyhow::bail!("the connector sent an entry batch the call did not ask for")
                        }
                        None => {}
                    }
                }
                let end = end.context("a page ended without its results frame")?;
                out.pages += 1;
                out.largest_page = out.largest_page.max(in_page);
                out.watermark = end.custom_data;
                if !end.more_to_import {
                    break;
                }
                if out.pages >= max_pages {
                    bail!("import did not end after {max_pages} pages (MoreToImport stayed true)");
                }
            }
            Ok::<_, anyhow::Error>(())
        }
        .await;
        let closed = client
            .close_import_connection(self.engine.request(
                self.connector,
                CloseImportConnectionRequest {
                    session_id: open.session_id.clone(),
                    import_run_step: Some(CloseImportConnectionRunStep {
                        reason: if result.is_ok() {
                            CloseReason::Normal
                        } else {
                            CloseReason::TerminatedByUser
                        } as i32,
                        custom_data: out.watermark.clone(),
                    }),
                },
            ))
            .await;
        result?;
        let closed = closed.map_err(explain)?.into_inner();
        if let Some(w) = closed.results.map(|r| r.custom_data).filter(|w| !w.is_empty()) {
            out.watermark = w;
        }
        Ok(out)
    }

    async fn export(&self, entries: Vec<CsEntryChange>) -> Result<Vec<CsEntryChangeResult>> {
        let mut client = self.engine.connectors();
        let open = client
            .open_export_connection(self.engine.request(
                self.connector,
                OpenExportConnectionRequest {
                    config_parameters: self.params.clone(),
                    types: Some(self.schema.clone()),
                    export_run_step: Some(OpenExportConnectionRunStep {
                        export_type: OperationType::Delta as i32,
                        ..Default::default()
                    }),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner();
        let frames: Vec<PutExportEntriesRequest> = entries
            .into_iter()
            .flat_map(|e| match frame(e) {
                Framed::Whole(e) => vec![put_export_entries_request::Frame::Entry(e)],
                Framed::Fragments(f) => f
                    .into_iter()
                    .map(put_export_entries_request::Frame::EntryFragment)
                    .collect(),
            })
            .map(|f| PutExportEntriesRequest {
                session_id: open.session_id.clone(),
                frame: Some(f),
            })
            .collect();
        let put = client
            .put_export_entries(self.engine.request(self.connector, tokio_stream::iter(frames)))
            .await;
        let closed = client
            .close_export_connection(self.engine.request(
                self.connector,
                CloseExportConnectionRequest {
                    session_id: open.session_id,
                    export_run_step: Some(CloseExportConnectionRunStep {
                        reason: CloseReason::Normal as i32,
                    }),
                },
            ))
            .await;
        let results = put
            .map_err(explain)?
            .into_inner()
            .results
            .unwrap_or_default()
            .cs_entry_change_results;
        closed.map_err(explain)?;
        Ok(results)
    }

    async fn status(&self) -> Result<ConnectorStatus> {
        self.engine
            .host()
            .get_connector_status(self.engine.request(
                "",
                GetConnectorStatusRequest {
                    name: self.connector.to_owned(),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner()
            .status
            .context("no status")
    }
}

fn same_dn(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    norm(a) == norm(b)
}

fn string_value(s: String) -> Option<AttributeValue> {
    Some(AttributeValue {
        kind: Some(attribute_value::Kind::StringValue(s)),
    })
}

fn attr_value(entry: &CsEntryChange, name: &str) -> Option<String> {
    entry.attribute_changes.iter().find(|a| a.name == name).and_then(|a| {
        a.value_changes
            .first()
            .map(|v| ecma2_engine::space::value_text(v.value.as_ref()))
    })
}

/// Runs every check; returns them in order.
pub async fn run(engine: &Engine, connector: &str, params: Vec<ConfigParameter>) -> Result<Vec<Check>> {
    let mut client = engine.connectors();
    let handshake = client
        .handshake(engine.request(
            connector,
            HandshakeRequest {
                protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
                caller_name: "ecma2 conformance".into(),
                ..Default::default()
            },
        ))
        .await
        .map_err(explain)?
        .into_inner();
    let mut checks = Vec::new();
    let mut push = |name: &'static str, v: Verdict| {
        let (outcome, detail) = match v {
            Verdict::Pass(d) => ("pass", d),
            Verdict::Fail(d) => ("fail", d),
            Verdict::Skip(d) => ("skip", d),
        };
        eprintln!("  {outcome:<4} {name}: {detail}");
        checks.push(Check { name, outcome, detail });
    };

    let has = |i: Ecma2Interface| handshake.interfaces.contains(&(i as i32));
    let caps = if has(Ecma2Interface::GetCapabilities) {
        client
            .get_capabilities(engine.request(connector, GetCapabilitiesRequest {}))
            .await
            .map_err(explain)?
            .into_inner()
            .capabilities
            .unwrap_or_default()
    } else if has(Ecma2Interface::GetCapabilitiesEx) {
        client
            .get_capabilities_ex(engine.request(
                connector,
                GetCapabilitiesExRequest {
                    config_parameters: params.clone(),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner()
            .capabilities
            .unwrap_or_default()
    } else {
        MaCapabilities::default()
    };
    push("handshake", check_handshake(&handshake));
    push("capabilities-agree", check_capabilities(&handshake, &caps));

    let schema = if has(Ecma2Interface::GetSchema) {
        client
            .get_schema(engine.request(
                connector,
                GetSchemaRequest {
                    config_parameters: params.clone(),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner()
            .schema
            .unwrap_or_default()
    } else {
        Schema::default()
    };
    let subject = Subject {
        engine,
        connector,
        params,
        handshake,
        caps,
        schema,
    };
    push("unimplemented-interface", verdict(check_unimplemented(&subject).await));
    push("config-validation", verdict(check_validation(&subject).await));
    push("schema-valid", check_schema(&subject));

    if !subject.has(Ecma2Interface::CallImport) {
        for name in [
            "full-import-page-size-1",
            "full-import-page-size-default",
            "full-import-page-size-max",
        ] {
            push(name, Verdict::Skip("the connector does not import".into()));
        }
    } else {
        let sizes = subject.handshake.import_page_sizes.unwrap_or_default();
        for (name, size) in [
            ("full-import-page-size-1", 1),
            ("full-import-page-size-default", 0),
            ("full-import-page-size-max", sizes.max_page_size),
        ] {
            push(name, verdict(check_full_import(&subject, size).await));
        }
    }
    push("delta-after-no-change", verdict(check_delta_no_change(&subject).await));
    for (name, v) in check_export_round_trip(&subject).await {
        push(name, v);
    }
    push("object-level-errors", verdict(check_object_errors(&subject).await));
    push("cancel-closes-session", verdict(check_cancel(&subject).await));
    push("failed-open-is-closed", verdict(check_failed_open(&subject).await));
    Ok(checks)
}

fn check_handshake(h: &HandshakeResponse) -> Verdict {
    let info = h.connector.clone().unwrap_or_default();
    if h.protocol_version == 0 {
        return Verdict::Fail("no protocol version chosen".into());
    }
    if info.name.is_empty() {
        return Verdict::Fail("the connector has no name".into());
    }
    if h.interfaces.is_empty() {
        return Verdict::Fail("no ECMA2 interface announced".into());
    }
    for (interface, sizes, what) in [
        (Ecma2Interface::CallImport, h.import_page_sizes, "import"),
        (Ecma2Interface::CallExport, h.export_page_sizes, "export"),
    ] {
        if h.interfaces.contains(&(interface as i32)) {
            let Some(s) = sizes else {
                return Verdict::Fail(format!("{what} page sizes missing"));
            };
            if s.default_page_size < 1 || s.max_page_size < s.default_page_size {
                return Verdict::Fail(format!(
                    "{what} page sizes are inconsistent: default {} max {}",
                    s.default_page_size, s.max_page_size
                ));
            }
        }
    }
    Verdict::Pass(format!(
        "{} {} ({}), {} interfaces",
        info.name,
        info.version,
        info.language,
        h.interfaces.len()
    ))
}

fn check_capabilities(h: &HandshakeResponse, caps: &MaCapabilities) -> Verdict {
    let has = |i: Ecma2Interface| h.interfaces.contains(&(i as i32));
    if !has(Ecma2Interface::GetCapabilities) && !has(Ecma2Interface::GetCapabilitiesEx) {
        return Verdict::Skip("no capabilities interface".into());
    }
    let mut problems = Vec::new();
    let import = has(Ecma2Interface::CallImport) || has(Ecma2Interface::FileImport);
    let export = has(Ecma2Interface::CallExport) || has(Ecma2Interface::FileExport);
    if caps.support_import.unwrap_or(true) && !import {
        problems.push("SupportImport is true but no import interface is implemented");
    }
    if caps.support_export.unwrap_or(true) && !export {
        problems.push("SupportExport is true but no export interface is implemented");
    }
    if caps.support_password.unwrap_or(true) && !has(Ecma2Interface::Password) {
        problems.push("SupportPassword is true but IMAExtensible2Password is not implemented");
    }
    if caps.delta_import.unwrap_or(true) && !import {
        problems.push("DeltaImport is true but the connector does not import");
    }
    if problems.is_empty() {
        Verdict::Pass("capabilities match the announced interfaces".into())
    } else {
        Verdict::Fail(problems.join("; "))
    }
}

async fn check_unimplemented(s: &Subject<'_>) -> Result<Verdict> {
    let mut client = s.engine.connectors();
    let probe = if !s.has(Ecma2Interface::GetHierarchy) {
        client
            .get_hierarchy(s.engine.request(s.connector, GetHierarchyRequest::default()))
            .await
            .err()
            .map(|e| ("GetHierarchy", e))
    } else if !s.has(Ecma2Interface::FileImport) {
        client
            .write_import_file(s.engine.request(s.connector, WriteImportFileRequest::default()))
            .await
            .err()
            .map(|e| ("WriteImportFile", e))
    } else {
        return Ok(Verdict::Skip("every interface is implemented".into()));
    };
    match probe {
        Some((call, e)) if e.code() == tonic::Code::Unimplemented => {
            Ok(Verdict::Pass(format!("{call} on a missing interface: UNIMPLEMENTED")))
        }
        Some((call, e)) => Ok(Verdict::Fail(format!(
            "{call} on a missing interface gave {:?}: {}",
            e.code(),
            e.message()
        ))),
        None => Ok(Verdict::Fail("a call on a missing interface succeeded".into())),
    }
}

async fn check_validation(s: &Subject<'_>) -> Result<Verdict> {
    if !s.has(Ecma2Interface::GetParameters) {
        return Ok(Verdict::Skip("no IMAExtensible2GetParameters".into()));
    }
    let mut client = s.engine.connectors();
    let page = ConfigParameterPage::Connectivity;
    let definitions = client
        .get_config_parameters(s.engine.request(
            s.connector,
            GetConfigParametersRequest {
                config_parameters: Vec::new(),
                page: page as i32,
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .definitions;
    let names: Vec<String> = definitions
        .iter()
        .filter(|d| !d.name.is_empty())
        .map(|d| d.name.clone())
        .collect();
    if names.is_empty() {
        return Ok(Verdict::Skip("the Connectivity page has no parameters".into()));
    }
    let good = client
        .validate_config_parameters(s.engine.request(
            s.connector,
            ValidateConfigParametersRequest {
                config_parameters: s.params.clone(),
                page: page as i32,
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .result
        .unwrap_or_default();
    if good.code() != ParameterValidationResultCode::Success {
        return Ok(Verdict::Fail(format!(
            "the configuration under test does not validate: {} (parameter {:?})",
            good.error_message, good.error_parameter
        )));
    }
    // Every parameter present but empty: a connector must refuse and say which one.
    let empty: Vec<ConfigParameter> = names
        .iter()
        .map(|n| ConfigParameter {
            name: n.clone(),
            ..Default::default()
        })
        .collect();
    let bad = client
        .validate_config_parameters(s.engine.request(
            s.connector,
            ValidateConfigParametersRequest {
                config_parameters: empty,
                page: page as i32,
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .result
        .unwrap_or_default();
    // ECMA2 has no "required" flag: a page whose parameters are all optional may accept empty
    // values. What the kit holds a connector to is that a refusal names the parameter.
    if bad.code() == ParameterValidationResultCode::Success {
        return Ok(Verdict::Pass(
            "empty values accepted: every Connectivity parameter is optional".into(),
        ));
    }
    let named = names
        .iter()
        .any(|n| bad.error_parameter == *n || bad.error_message.contains(n.as_str()));
    if !named {
        return Ok(Verdict::Fail(format!(
            "the failure does not name a parameter: {:?} (parameter {:?})",
            bad.error_message, bad.error_parameter
        )));
    }
    Ok(Verdict::Pass(format!("empty values refused: {}", bad.error_message)))
}

fn check_schema(s: &Subject<'_>) -> Verdict {
    if !s.has(Ecma2Interface::GetSchema) {
        return Verdict::Skip("no IMAExtensible2GetSchema".into());
    }
    if s.schema.types.is_empty() {
        return Verdict::Fail("the schema has no object types".into());
    }
    let mut problems = Vec::new();
    let mut types_by_name: std::collections::HashMap<&str, (i32, &str)> = Default::default();
    let mut seen_types = std::collections::HashSet::new();
    for t in &s.schema.types {
        if !seen_types.insert(t.name.as_str()) {
            problems.push(format!("object type {:?} appears twice", t.name));
        }
        for a in &t.attributes {
            if a.is_anchor && a.is_multi_valued {
                problems.push(format!("anchor {}.{} is multi-valued", t.name, a.name));
            }
            if matches!(a.data_type(), AttributeType::Unspecified | AttributeType::Undefined) {
                problems.push(format!("{}.{} has no data type", t.name, a.name));
            }
            match types_by_name.get(a.name.as_str()) {
                Some((ty, first)) if *ty != a.data_type => problems.push(format!(
                    "attribute {} is {:?} in {} but {:?} in {}",
                    a.name,
                    AttributeType::try_from(*ty).unwrap_or_default(),
                    first,
                    a.data_type(),
                    t.name
                )),
                Some(_) => {}
                None => {
                    types_by_name.insert(a.name.as_str(), (a.data_type, t.name.as_str()));
                }
            }
        }
    }
    if problems.is_empty() {
        Verdict::Pass(format!(
            "{} object types, {} attribute names",
            s.schema.types.len(),
            types_by_name.len()
        ))
    } else {
        Verdict::Fail(problems.join("; "))
    }
}

async fn check_full_import(s: &Subject<'_>, page_size: i32) -> Result<Verdict> {
    let imported = s.import(false, "", page_size, 200_000).await?;
    if imported.page_size < 1 {
        return Ok(Verdict::Fail(format!(
            "the session's page size is {}",
            imported.page_size
        )));
    }
    if page_size > 0 && imported.page_size != page_size {
        return Ok(Verdict::Fail(format!(
            "asked for pages of {page_size}, the session has {}",
            imported.page_size
        )));
    }
    if imported.largest_page > imported.page_size as usize {
        return Ok(Verdict::Fail(format!(
            "a page held {} entries, more than the page size {}",
            imported.largest_page, imported.page_size
        )));
    }
    let not_add: Vec<_> = imported
        .entries
        .iter()
        .filter(|e| e.object_modification_type() != ObjectModificationType::Add)
        .take(3)
        .map(|e| format!("{} is {:?}", e.dn, e.object_modification_type()))
        .collect();
    if !not_add.is_empty() {
        return Ok(Verdict::Fail(format!(
            "a full import must return only Add: {}",
            not_add.join(", ")
        )));
    }
    Ok(Verdict::Pass(format!(
        "{} objects in {} pages of at most {}",
        imported.entries.len(),
        imported.pages,
        imported.page_size
    )))
}

async fn check_delta_no_change(s: &Subject<'_>) -> Result<Verdict> {
    if !s.has(Ecma2Interface::CallImport) || !s.caps.delta_import.unwrap_or(true) {
        return Ok(Verdict::Skip("the connector has no delta import".into()));
    }
    let full = s.import(false, "", 0, 200_000).await?;
    let delta = s.import(true, &full.watermark, 0, 10_000).await?;
    if delta.entries.is_empty() {
        Ok(Verdict::Pass(
            "a delta import right after a full import returned nothing".into(),
        ))
    } else {
        Ok(Verdict::Fail(format!(
            "a delta import with no change returned {} entries, the first {} {}",
            delta.entries.len(),
            delta.entries[0].dn,
            delta.entries[0].object_modification_type().as_str_name()
        )))
    }
}

/// A new object of `t`, shaped from the schema, next to an object the connector already has.
fn fixture(s: &Subject<'_>, t: &SchemaType, sibling: Option<&CsEntryChange>, tag: &str) -> CsEntryChange {
    let rdn = format!("Conformance {tag}");
    // Same naming attribute and parent as an object of the type the connector already has.
    let (first, parent) = match sibling.and_then(|e| e.dn.split_once(',')) {
        Some((first, parent)) => (first, Some(parent)),
        None => (sibling.map(|e| e.dn.as_str()).unwrap_or("CN=x"), None),
    };
    let naming = first
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty())
        .unwrap_or("CN");
    let dn = match parent {
        Some(parent) => format!("{naming}={rdn},{parent}"),
        None => format!("{naming}={rdn}"),
    };
    let attribute_changes = t
        .attributes
        .iter()
        .filter(|a| !a.is_anchor && !a.is_multi_valued)
        .filter(|a| a.allowed_attribute_operation() != AttributeOperation::ImportOnly)
        .filter_map(|a| {
            let value = match a.data_type() {
                AttributeType::String if a.name.to_ascii_lowercase().contains("mail") => {
                    format!("conformance.{}@example.com", tag.to_ascii_lowercase())
                }
                AttributeType::String if a.name.eq_ignore_ascii_case(naming) || a.name.eq_ignore_ascii_case("cn") => {
                    rdn.clone()
                }
                AttributeType::String => format!("{rdn} {}", a.name),
                AttributeType::Boolean => {
                    return Some((
                        a,
                        AttributeValue {
                            kind: Some(attribute_value::Kind::BooleanValue(true)),
                        },
                    ));
                }
                _ => return None,
            };
            Some((
                a,
                AttributeValue {
                    kind: Some(attribute_value::Kind::StringValue(value)),
                },
            ))
        })
        .map(|(a, v)| AttributeChange {
            name: a.name.clone(),
            data_type: a.data_type,
            modification_type: AttributeModificationType::Add as i32,
            value_changes: vec![ValueChange {
                value: Some(v),
                modification_type: ValueModificationType::Add as i32,
            }],
            ..Default::default()
        })
        .collect();
    let _ = s;
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Add as i32,
        object_type: t.name.clone(),
        dn,
        attribute_changes,
        ..Default::default()
    }
}

fn result_ok(results: &[CsEntryChangeResult], id: &str) -> Result<Option<CsEntryChangeResult>> {
    match results.iter().find(|r| r.identifier == id) {
        None => Ok(None),
        Some(r) if matches!(r.error_code(), MaExportError::Success | MaExportError::Unspecified) => Ok(Some(r.clone())),
        Some(r) => Err(anyhow!(
            "export returned {:?}: {} {}",
            r.error_code(),
            r.error_name,
            r.error_detail
        )),
    }
}

async fn check_export_round_trip(s: &Subject<'_>) -> Vec<(&'static str, Verdict)> {
    let names = [
        "export-add-confirmed",
        "export-update-confirmed",
        "export-delete-confirmed",
    ];
    if !s.has(Ecma2Interface::CallExport) || !s.has(Ecma2Interface::CallImport) || !s.caps.delta_import.unwrap_or(true)
    {
        return names
            .iter()
            .map(|n| {
                (
                    *n,
                    Verdict::Skip("needs call export, call import and delta import".into()),
                )
            })
            .collect();
    }
    match export_round_trip(s).await {
        Ok(v) => names.into_iter().zip(v).collect(),
        Err(e) => names.iter().map(|n| (*n, Verdict::Fail(format!("{e:#}")))).collect(),
    }
}

async fn export_round_trip(s: &Subject<'_>) -> Result<Vec<Verdict>> {
    let full = s.import(false, "", 0, 200_000).await?;
    // The type with the most imported objects, so the fixture sits where real objects live.
    let t = s
        .schema
        .types
        .iter()
        .max_by_key(|t| full.entries.iter().filter(|e| e.object_type == t.name).count())
        .context("no object type")?;
    let sibling = full.entries.iter().find(|e| e.object_type == t.name);
    let tag = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let add = fixture(s, t, sibling, &tag);
    let confirm_adds = s.caps.object_confirmation() != MaObjectConfirmation::NoAddAndDeleteConfirmation;
    let confirm_deletes = matches!(
        s.caps.object_confirmation(),
        MaObjectConfirmation::Normal | MaObjectConfirmation::Unspecified
    );

    let results = s.export(vec![add.clone()]).await?;
    let anchors = result_ok(&results, &add.identifier)?
        .map(|r| r.anchor_attributes)
        .unwrap_or_default();
    let delta = s.import(true, &full.watermark, 0, 10_000).await?;
    let found = delta.entries.iter().find(|e| same_dn(&e.dn, &add.dn));
    let add_verdict = match (found, confirm_adds) {
        (Some(e), _) => Verdict::Pass(format!("{} came back as {:?}", e.dn, e.object_modification_type())),
        (None, false) => Verdict::Pass("adds are not confirmed (NoAddAndDeleteConfirmation)".into()),
        (None, true) => {
            return Ok(vec![
                Verdict::Fail(format!(
                    "the exported add {} did not come back in the next delta import",
                    add.dn
                )),
                Verdict::Skip("the add was not confirmed".into()),
                Verdict::Skip("the add was not confirmed".into()),
            ]);
        }
    };
    let anchor_attributes: Vec<AnchorAttribute> = match found {
        Some(e) if !e.anchor_attributes.is_empty() => e.anchor_attributes.clone(),
        _ => anchors
            .iter()
            .map(|a| AnchorAttribute {
                name: a.name.clone(),
                data_type: a.data_type,
                value: a.value_changes.first().and_then(|v| v.value.clone()),
            })
            .collect(),
    };

    let target = add
        .attribute_changes
        .iter()
        .find(|a| {
            a.data_type() == AttributeType::String
                && !a.name.eq_ignore_ascii_case("cn")
                && !a.name.to_ascii_lowercase().contains("mail")
        })
        .map(|a| a.name.clone());
    let update_verdict = match target {
        None => Verdict::Skip("no updatable string attribute".into()),
        Some(name) => {
            let new_value = format!("Conformance updated {tag}");
            let update = CsEntryChange {
                identifier: uuid::Uuid::new_v4().to_string(),
                object_modification_type: ObjectModificationType::Update as i32,
                object_type: add.object_type.clone(),
                dn: add.dn.clone(),
                anchor_attributes: anchor_attributes.clone(),
                attribute_changes: vec![AttributeChange {
                    name: name.clone(),
                    data_type: AttributeType::String as i32,
                    modification_type: AttributeModificationType::Replace as i32,
                    value_changes: vec![ValueChange {
                        value: string_value(new_value.clone()),
                        modification_type: ValueModificationType::Add as i32,
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            };
            let results = s.export(vec![update.clone()]).await?;
            result_ok(&results, &update.identifier)?;
            let delta2 = s.import(true, &delta.watermark, 0, 10_000).await?;
            match delta2.entries.iter().find(|e| same_dn(&e.dn, &add.dn)) {
                Some(e) if attr_value(e, &name).as_deref() == Some(new_value.as_str()) => {
                    Verdict::Pass(format!("{name} came back changed ({:?})", e.object_modification_type()))
                }
                Some(e) => Verdict::Fail(format!(
                    "{} came back without the new {name}: {:?}",
                    e.dn,
                    attr_value(e, &name)
                )),
                None => Verdict::Fail(format!("the exported update of {} did not come back", add.dn)),
            }
        }
    };

    let watermark = s.import(false, "", 0, 200_000).await?.watermark;
    let delete = CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Delete as i32,
        object_type: add.object_type.clone(),
        dn: add.dn.clone(),
        anchor_attributes,
        ..Default::default()
    };
    let results = s.export(vec![delete.clone()]).await?;
    result_ok(&results, &delete.identifier)?;
    let delta3 = s.import(true, &watermark, 0, 10_000).await?;
    let delete_verdict = match delta3.entries.iter().find(|e| {
        same_dn(&e.dn, &add.dn) || (!e.anchor_attributes.is_empty() && e.anchor_attributes == delete.anchor_attributes)
    }) {
        Some(e) if e.object_modification_type() == ObjectModificationType::Delete => {
            Verdict::Pass("the delete came back as Delete".into())
        }
        Some(e) => Verdict::Fail(format!(
            "the deleted object came back as {:?}",
            e.object_modification_type()
        )),
        None if !confirm_deletes => Verdict::Pass("deletes are not confirmed (ObjectConfirmation)".into()),
        None => Verdict::Fail(format!("the exported delete of {} did not come back", add.dn)),
    };
    Ok(vec![add_verdict, update_verdict, delete_verdict])
}

async fn check_object_errors(s: &Subject<'_>) -> Result<Verdict> {
    if !s.has(Ecma2Interface::CallExport) || !s.has(Ecma2Interface::CallImport) {
        return Ok(Verdict::Skip("needs call import and call export".into()));
    }
    let full = s.import(false, "", 0, 200_000).await?;
    let busiest = s
        .schema
        .types
        .iter()
        .max_by_key(|t| full.entries.iter().filter(|e| e.object_type == t.name).count())
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let Some(existing) = full
        .entries
        .iter()
        .find(|e| !e.dn.is_empty() && e.object_type == busiest)
    else {
        return Ok(Verdict::Skip("nothing imported to collide with".into()));
    };
    let t = s
        .schema
        .types
        .iter()
        .find(|t| t.name == existing.object_type)
        .context("imported type not in schema")?;
    let good = fixture(s, t, Some(existing), &uuid::Uuid::new_v4().simple().to_string()[..10]);
    // An add of an object that already exists: the connector must answer per object, not fail.
    let mut duplicate = existing.clone();
    duplicate.identifier = uuid::Uuid::new_v4().to_string();
    duplicate.anchor_attributes.clear();
    let results = match s.export(vec![duplicate.clone(), good.clone()]).await {
        Ok(r) => r,
        Err(e) => {
            return Ok(Verdict::Fail(format!(
                "a batch with one bad object failed as a whole: {e:#}"
            )));
        }
    };
    let dup = results.iter().find(|r| r.identifier == duplicate.identifier);
    let verdict = match dup {
        Some(r) if !matches!(r.error_code(), MaExportError::Success | MaExportError::Unspecified) => {
            match results.iter().find(|r| r.identifier == good.identifier) {
                Some(g) if !matches!(g.error_code(), MaExportError::Success | MaExportError::Unspecified) => {
                    Verdict::Fail(format!(
                        "the good object {} of the batch failed too: {:?} {} {}",
                        good.dn,
                        g.error_code(),
                        g.error_name,
                        g.error_detail
                    ))
                }
                _ => Verdict::Pass(format!(
                    "duplicate add of {}: {:?} {}",
                    existing.dn,
                    r.error_code(),
                    r.error_name
                )),
            }
        }
        _ => Verdict::Fail(format!("adding {} again was reported as a success", existing.dn)),
    };
    // Clean up the good fixture.
    if let Some(r) = results.iter().find(|r| r.identifier == good.identifier) {
        let anchors = r
            .anchor_attributes
            .iter()
            .map(|a| AnchorAttribute {
                name: a.name.clone(),
                data_type: a.data_type,
                value: a.value_changes.first().and_then(|v| v.value.clone()),
            })
            .collect();
        let _ = s
            .export(vec![CsEntryChange {
                identifier: uuid::Uuid::new_v4().to_string(),
                object_modification_type: ObjectModificationType::Delete as i32,
                object_type: good.object_type.clone(),
                dn: good.dn.clone(),
                anchor_attributes: anchors,
                ..Default::default()
            }])
            .await;
    }
    Ok(verdict)
}

async fn wait_closed(s: &Subject<'_>, restarts: u32, error_before: &str) -> Result<Option<String>> {
    wait_closed_within(s, restarts, error_before, Duration::from_secs(20)).await
}

/// [`wait_closed`] with its own limit.
async fn wait_closed_within(
    s: &Subject<'_>,
    restarts: u32,
    error_before: &str,
    limit: Duration,
) -> Result<Option<String>> {
    let deadline = Instant::now() + limit;
    loop {
        let status = s.status().await?;
        if status.restarts != restarts {
            return Ok(Some(format!(
                "the connector was restarted (it did not close the session in time): {}",
                status.last_error
            )));
        }
        if status.open_sessions == 0 {
            if status.last_error != error_before && !status.last_error.is_empty() {
                return Ok(Some(format!("closing the session failed: {}", status.last_error)));
            }
            return Ok(None);
        }
        if Instant::now() > deadline {
            return Ok(Some(format!(
                "{} sessions still open {} s later",
                status.open_sessions,
                limit.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn check_cancel(s: &Subject<'_>) -> Result<Verdict> {
    if !s.has(Ecma2Interface::CallImport) {
        return Ok(Verdict::Skip("the connector does not import".into()));
    }
    let before = s.status().await?;
    if before.open_sessions != 0 {
        return Ok(Verdict::Skip(format!(
            "{} other sessions are open",
            before.open_sessions
        )));
    }
    let mut client = s.engine.connectors();
    // The engine walks away from a page as soon as the host has the call in hand (its response
    // headers are here). A fast connector can still finish the page first, and then there is
    // nothing to cancel: the session stays open, is closed normally, and the walk-away is tried
    // again. Only a host that never closes a cancelled session fails every attempt.
    const ATTEMPTS: usize = 5;
    let mut attempt = 0;
    let session_id = loop {
        attempt += 1;
        let open = client
            .open_import_connection(s.engine.request(
                s.connector,
                OpenImportConnectionRequest {
                    config_parameters: s.params.clone(),
                    types: Some(s.schema.clone()),
                    import_run_step: Some(OpenImportConnectionRunStep {
                        page_size: 1,
                        import_type: OperationType::Full as i32,
                        ..Default::default()
                    }),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner();
        let call = client.get_import_entries(s.engine.request(
            s.connector,
            GetImportEntriesRequest {
                session_id: open.session_id.clone(),
                import_run_step: None,
            },
        ));
        let _ = tokio::time::timeout(Duration::from_secs(10), call).await;
        let limit = Duration::from_secs(if attempt == ATTEMPTS { 20 } else { 3 });
        match wait_closed_within(s, before.restarts, &before.last_error, limit).await? {
            None => break open.session_id,
            Some(problem) if attempt == ATTEMPTS || !problem.contains("still open") => {
                return Ok(Verdict::Fail(problem));
            }
            Some(_) => {
                let _ = client
                    .close_import_connection(s.engine.request(
                        s.connector,
                        CloseImportConnectionRequest {
                            session_id: open.session_id.clone(),
                            import_run_step: Some(CloseImportConnectionRunStep {
                                reason: CloseReason::Normal as i32,
                                custom_data: String::new(),
                            }),
                        },
                    ))
                    .await;
            }
        }
    };
    // The session is gone; the connector still works.
    let gone = client
        .get_import_entries(s.engine.request(
            s.connector,
            GetImportEntriesRequest {
                session_id: session_id.clone(),
                import_run_step: None,
            },
        ))
        .await;
    let gone = match gone {
        Err(e) => e.code() == tonic::Code::NotFound,
        Ok(r) => matches!(r.into_inner().message().await, Err(e) if e.code() == tonic::Code::NotFound),
    };
    if !gone {
        return Ok(Verdict::Fail("the cancelled session still answers".into()));
    }
    s.import(false, "", 0, 200_000)
        .await
        .context("an import after the cancelled one")?;
    Ok(Verdict::Pass(
        "the host closed the cancelled session (TerminatedByUser) and the connector kept working".into(),
    ))
}

async fn check_failed_open(s: &Subject<'_>) -> Result<Verdict> {
    if !s.has(Ecma2Interface::CallImport) {
        return Ok(Verdict::Skip("the connector does not import".into()));
    }
    let before = s.status().await?;
    let mut client = s.engine.connectors();
    // Every parameter present but empty: open must fail.
    let empty: Vec<ConfigParameter> = s
        .params
        .iter()
        .map(|p| ConfigParameter {
            name: p.name.clone(),
            ..Default::default()
        })
        .collect();
    let opened = client
        .open_import_connection(s.engine.request(
            s.connector,
            OpenImportConnectionRequest {
                config_parameters: empty,
                types: Some(s.schema.clone()),
                import_run_step: Some(OpenImportConnectionRunStep {
                    import_type: OperationType::Full as i32,
                    ..Default::default()
                }),
            },
        ))
        .await;
    let status = match opened {
        Ok(open) => {
            let _ = client
                .close_import_connection(s.engine.request(
                    s.connector,
                    CloseImportConnectionRequest {
                        session_id: open.into_inner().session_id,
                        import_run_step: None,
                    },
                ))
                .await;
            return Ok(Verdict::Skip(
                "open succeeded with empty parameters; cannot provoke a failed open".into(),
            ));
        }
        Err(status) => status,
    };
    let Some(fault) = Fault::from_status(&status) else {
        return Ok(Verdict::Fail(format!(
            "the failed open carries no ECMA2 fault: {:?} {}",
            status.code(),
            status.message()
        )));
    };
    if let Some(problem) = wait_closed(s, before.restarts, &before.last_error).await? {
        return Ok(Verdict::Fail(problem));
    }
    Ok(Verdict::Pass(format!(
        "open failed with {}; Close (OpenConnectionFailure) followed",
        ecma2_proto::fault::ecma2_name(fault.fault_kind())
    )))
}

/// Prints the table; returns whether every check passed or was skipped.
pub fn report(checks: &[Check], json: bool) -> bool {
    if json {
        println!("{}", serde_json::to_string_pretty(checks).expect("checks serialize"));
    } else {
        println!("{:<30} {:<6} detail", "check", "result");
        for c in checks {
            println!("{:<30} {:<6} {}", c.name, c.outcome.to_uppercase(), c.detail);
        }
    }
    let failed = checks.iter().filter(|c| c.outcome == "fail").count();
    let passed = checks.iter().filter(|c| c.outcome == "pass").count();
    let skipped = checks.len() - failed - passed;
    println!("conformance: {passed} passed, {failed} failed, {skipped} skipped");
    failed == 0
}
