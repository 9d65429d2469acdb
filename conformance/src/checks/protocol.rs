//! Protocol checks that only read: what the connector announces (handshake, capabilities,
//! schema), how it answers a missing interface and configuration validation, and how its
//! imports page. They call the connector through the host, as the engine does.

use std::collections::{HashMap, HashSet};

use ecma2_proto::pb::*;

use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::Subject;

/// The checks of this module, in run order.
pub fn checks() -> Vec<Check> {
    const IMPORT: &[Need] = &[Need::Interface(Ecma2Interface::CallImport)];
    let check = |id, rule, needs, doc, run| Check {
        id,
        category: Category::Protocol,
        rule,
        writes: None,
        needs,
        doc,
        run,
    };
    vec![
        check(
            "handshake",
            "the handshake names the connector, a protocol version, its interfaces and consistent page sizes",
            &[],
            "docs/protocol.md#handshake",
            run_fn!(handshake),
        ),
        check(
            "capabilities-agree",
            "MACapabilities agree with the interfaces the handshake announces",
            &[],
            "docs/protocol.md#macapabilities-presence",
            run_fn!(capabilities_agree),
        ),
        check(
            "unimplemented-interface",
            "a call on an interface the connector does not implement gets UNIMPLEMENTED",
            &[],
            "docs/runtime.md#services",
            run_fn!(unimplemented),
        ),
        check(
            "config-validation",
            "the configuration under test validates; a refusal of empty values names the parameter",
            &[Need::Interface(Ecma2Interface::GetParameters)],
            "docs/protocol.md#configuration-schema-partitions-hierarchy-and-capabilities",
            run_fn!(validation),
        ),
        check(
            "schema-valid",
            "the schema has object types, typed attributes, single-valued anchors, one type per attribute name",
            &[Need::Interface(Ecma2Interface::GetSchema)],
            "docs/protocol.md#configuration-schema-partitions-hierarchy-and-capabilities",
            run_fn!(schema),
        ),
        check(
            "full-import-page-size-1",
            "a full import with page size 1 pages by one and returns only Add",
            IMPORT,
            "docs/runtime.md#paging",
            run_fn!(full_import_1),
        ),
        check(
            "full-import-page-size-default",
            "a full import with page size 0 uses the default page size and returns only Add",
            IMPORT,
            "docs/runtime.md#paging",
            run_fn!(full_import_default),
        ),
        check(
            "full-import-page-size-max",
            "a full import with the maximum page size works and returns only Add",
            IMPORT,
            "docs/runtime.md#paging",
            run_fn!(full_import_max),
        ),
        check(
            "delta-after-no-change",
            "a delta import right after a full import returns nothing",
            &[Need::Interface(Ecma2Interface::CallImport), Need::DeltaImport],
            "docs/protocol.md#call-based-import",
            run_fn!(delta_no_change),
        ),
    ]
}

async fn handshake(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let h = &s.handshake;
    let info = h.connector.clone().unwrap_or_default();
    let sent = "Handshake protocol_versions=[1]";
    if h.protocol_version == 0 {
        return Ok(Outcome::fail("no protocol version chosen").sent(sent));
    }
    if info.name.is_empty() {
        return Ok(Outcome::fail("the connector has no name").sent(sent));
    }
    if h.interfaces.is_empty() {
        return Ok(Outcome::fail("no ECMA2 interface announced").sent(sent));
    }
    for (interface, sizes, what) in [
        (Ecma2Interface::CallImport, h.import_page_sizes, "import"),
        (Ecma2Interface::CallExport, h.export_page_sizes, "export"),
    ] {
        if h.interfaces.contains(&(interface as i32)) {
            let Some(sz) = sizes else {
                return Ok(Outcome::fail(format!("{what} page sizes missing")).sent(sent));
            };
            if sz.default_page_size < 1 || sz.max_page_size < sz.default_page_size {
                return Ok(Outcome::fail(format!(
                    "{what} page sizes are inconsistent: default {} max {}",
                    sz.default_page_size, sz.max_page_size
                ))
                .sent(sent));
            }
        }
    }
    Ok(Outcome::pass(format!(
        "{} {} ({}), {} interfaces",
        info.name,
        info.version,
        info.language,
        h.interfaces.len()
    )))
}

async fn capabilities_agree(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let caps = &s.caps;
    if !s.has(Ecma2Interface::GetCapabilities) && !s.has(Ecma2Interface::GetCapabilitiesEx) {
        return Ok(Outcome::skip("no capabilities interface"));
    }
    let mut problems = Vec::new();
    let import = s.has(Ecma2Interface::CallImport) || s.has(Ecma2Interface::FileImport);
    let export = s.has(Ecma2Interface::CallExport) || s.has(Ecma2Interface::FileExport);
    if caps.support_import.unwrap_or(true) && !import {
        problems.push("SupportImport is true but no import interface is implemented");
    }
    if caps.support_export.unwrap_or(true) && !export {
        problems.push("SupportExport is true but no export interface is implemented");
    }
    if caps.support_password.unwrap_or(true) && !s.has(Ecma2Interface::Password) {
        problems.push("SupportPassword is true but IMAExtensible2Password is not implemented");
    }
    if caps.delta_import.unwrap_or(true) && !import {
        problems.push("DeltaImport is true but the connector does not import");
    }
    if problems.is_empty() {
        Ok(Outcome::pass("capabilities match the announced interfaces"))
    } else {
        Ok(Outcome::fail(problems.join("; ")).received(format!("{caps:?}")))
    }
}

async fn unimplemented(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut client = s.client();
    let probe = if !s.has(Ecma2Interface::GetHierarchy) {
        client
            .get_hierarchy(s.request(GetHierarchyRequest::default()))
            .await
            .err()
            .map(|e| ("GetHierarchy", e))
    } else if !s.has(Ecma2Interface::FileImport) {
        client
            .write_import_file(s.request(WriteImportFileRequest::default()))
            .await
            .err()
            .map(|e| ("WriteImportFile", e))
    } else {
        return Ok(Outcome::skip("every interface is implemented"));
    };
    match probe {
        Some((call, e)) if e.code() == tonic::Code::Unimplemented => {
            Ok(Outcome::pass(format!("{call} on a missing interface: UNIMPLEMENTED")))
        }
        Some((call, e)) => Ok(
            Outcome::fail(format!("{call} on a missing interface did not give UNIMPLEMENTED"))
                .sent(call)
                .received(format!("{:?}: {}", e.code(), e.message())),
        ),
        None => Ok(Outcome::fail("a call on a missing interface succeeded")),
    }
}

async fn validation(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut client = s.client();
    let page = ConfigParameterPage::Connectivity;
    let definitions = client
        .get_config_parameters(s.request(GetConfigParametersRequest {
            config_parameters: Vec::new(),
            page: page as i32,
        }))
        .await?
        .into_inner()
        .definitions;
    let names: Vec<String> = definitions
        .iter()
        .filter(|d| !d.name.is_empty())
        .map(|d| d.name.clone())
        .collect();
    if names.is_empty() {
        return Ok(Outcome::skip("the Connectivity page has no parameters"));
    }
    let good = client
        .validate_config_parameters(s.request(ValidateConfigParametersRequest {
            config_parameters: s.params.clone(),
            page: page as i32,
        }))
        .await?
        .into_inner()
        .result
        .unwrap_or_default();
    if good.code() != ParameterValidationResultCode::Success {
        return Ok(Outcome::fail("the configuration under test does not validate")
            .sent("ValidateConfigParameters (Connectivity) with the configuration under test")
            .received(format!(
                "{:?}: {} (parameter {:?})",
                good.code(),
                good.error_message,
                good.error_parameter
            )));
    }
    // Every parameter present but empty: a connector may refuse, and must then say which one.
    let empty: Vec<ConfigParameter> = names
        .iter()
        .map(|n| ConfigParameter {
            name: n.clone(),
            ..Default::default()
        })
        .collect();
    let bad = client
        .validate_config_parameters(s.request(ValidateConfigParametersRequest {
            config_parameters: empty,
            page: page as i32,
        }))
        .await?
        .into_inner()
        .result
        .unwrap_or_default();
    // ECMA2 has no "required" flag: a page whose parameters are all optional may accept empty
    // values. What the kit holds a connector to is that a refusal names the parameter.
    if bad.code() == ParameterValidationResultCode::Success {
        return Ok(Outcome::pass(
            "empty values accepted: every Connectivity parameter is optional",
        ));
    }
    let named = names
        .iter()
        .any(|n| bad.error_parameter == *n || bad.error_message.contains(n.as_str()));
    if !named {
        return Ok(Outcome::fail("the refusal of empty values does not name a parameter")
            .sent(format!(
                "ValidateConfigParameters (Connectivity) with {names:?} all empty"
            ))
            .received(format!(
                "{:?}: {:?} (parameter {:?})",
                bad.code(),
                bad.error_message,
                bad.error_parameter
            )));
    }
    Ok(Outcome::pass(format!("empty values refused: {}", bad.error_message)))
}

async fn schema(s: &Subject<'_>) -> Result<Outcome, Failure> {
    if s.schema.types.is_empty() {
        return Ok(Outcome::fail("the schema has no object types"));
    }
    let mut problems = Vec::new();
    let mut types_by_name: HashMap<&str, (i32, &str)> = HashMap::new();
    let mut seen_types = HashSet::new();
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
        Ok(Outcome::pass(format!(
            "{} object types, {} attribute names",
            s.schema.types.len(),
            types_by_name.len()
        )))
    } else {
        Ok(Outcome::fail(problems.join("; ")))
    }
}

async fn full_import_1(s: &Subject<'_>) -> Result<Outcome, Failure> {
    full_import(s, 1).await
}

async fn full_import_default(s: &Subject<'_>) -> Result<Outcome, Failure> {
    full_import(s, 0).await
}

async fn full_import_max(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let max = s.handshake.import_page_sizes.unwrap_or_default().max_page_size;
    full_import(s, max).await
}

async fn full_import(s: &Subject<'_>, page_size: i32) -> Result<Outcome, Failure> {
    let sent = format!(
        "a full import: OpenImportConnection page_size={page_size}, GetImportEntries until MoreToImport is false"
    );
    let imported = s
        .import(false, "", page_size, 200_000)
        .await
        .map_err(|f| f.sent(&sent))?;
    if imported.page_size < 1 {
        return Ok(Outcome::fail("the session's page size is not positive")
            .sent(sent)
            .received(format!("OpenImportConnectionResponse.page_size={}", imported.page_size)));
    }
    if page_size > 0 && imported.page_size != page_size {
        return Ok(Outcome::fail("the session's page size is not the one asked for")
            .sent(sent)
            .received(format!("OpenImportConnectionResponse.page_size={}", imported.page_size)));
    }
    if imported.largest_page > imported.page_size as usize {
        return Ok(Outcome::fail(format!(
            "a page held {} entries, more than the page size {}",
            imported.largest_page, imported.page_size
        ))
        .sent(sent)
        .received(format!("a page of {} entries", imported.largest_page)));
    }
    let not_add: Vec<_> = imported
        .entries
        .iter()
        .filter(|e| e.object_modification_type() != ObjectModificationType::Add)
        .take(3)
        .map(|e| format!("{} is {:?}", e.dn, e.object_modification_type()))
        .collect();
    if !not_add.is_empty() {
        return Ok(Outcome::fail("a full import must return only Add")
            .sent(sent)
            .received(not_add.join(", ")));
    }
    Ok(Outcome::pass(format!(
        "{} objects in {} pages of at most {}",
        imported.entries.len(),
        imported.pages,
        imported.page_size
    )))
}

async fn delta_no_change(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let full = s.import(false, "", 0, 200_000).await?;
    let delta = s.import(true, &full.watermark, 0, 10_000).await?;
    if delta.entries.is_empty() {
        Ok(Outcome::pass(
            "a delta import right after a full import returned nothing",
        ))
    } else {
        Ok(Outcome::fail(format!(
            "a delta import with no change returned {} entries",
            delta.entries.len()
        ))
        .sent(format!(
            "a full import, then a delta import from its watermark {:?}",
            full.watermark
        ))
        .received(format!(
            "first: {} {}",
            delta.entries[0].dn,
            delta.entries[0].object_modification_type().as_str_name()
        )))
    }
}
