//! The one-call commands: capabilities, configuration pages (with page numbers) and their
//! validation, partitions, hierarchy, and password set and change. Each prints a table, or JSON
//! with `--json`. Passwords are read from standard input, never from the command line.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use ecma2_proto::pb::*;
use serde_json::json;

use ecma2_engine::Engine;
use ecma2_engine::error::explain;

/// Which configuration page, by its ECMA2 name.
pub fn parse_page(text: &str) -> Result<ConfigParameterPage, String> {
    match text.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
        "connectivity" => Ok(ConfigParameterPage::Connectivity),
        "global" => Ok(ConfigParameterPage::Global),
        "runstep" => Ok(ConfigParameterPage::RunStep),
        "partition" => Ok(ConfigParameterPage::Partition),
        "capabilities" => Ok(ConfigParameterPage::Capabilities),
        "schema" => Ok(ConfigParameterPage::Schema),
        other => Err(format!(
            "{other:?} is not a page: connectivity, global, run-step, partition, capabilities or schema"
        )),
    }
}

fn has(handshake: &HandshakeResponse, interface: Ecma2Interface) -> bool {
    handshake.interfaces.contains(&(interface as i32))
}

async fn handshake(engine: &Engine, connector: &str) -> Result<HandshakeResponse> {
    Ok(engine
        .connectors()
        .handshake(engine.request(
            connector,
            HandshakeRequest {
                protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
                caller_name: "ecma2".into(),
                ..Default::default()
            },
        ))
        .await
        .map_err(explain)?
        .into_inner())
}

/// `ecma2 capabilities`: the connector's capabilities with ECMA2's defaults applied.
pub async fn capabilities(
    engine: &Engine,
    connector: &str,
    params: Vec<ConfigParameter>,
    json_out: bool,
) -> Result<()> {
    let hs = handshake(engine, connector).await?;
    let caps = ecma2_engine::capabilities::capabilities(engine, connector, &params).await?;
    let b = |v: Option<bool>, default: bool| v.unwrap_or(default);
    let dn = match caps.distinguished_name_style() {
        MaDistinguishedNameStyle::Unspecified => MaDistinguishedNameStyle::Generic,
        s => s,
    };
    let rows: Vec<(&str, String)> = vec![
        ("DistinguishedNameStyle", format!("{dn:?}")),
        (
            "ObjectRename",
            b(caps.object_rename, dn != MaDistinguishedNameStyle::None).to_string(),
        ),
        (
            "NoReferenceValuesInFirstExport",
            b(caps.no_reference_values_in_first_export, false).to_string(),
        ),
        ("DeltaImport", b(caps.delta_import, true).to_string()),
        ("ConcurrentOperation", b(caps.concurrent_operation, true).to_string()),
        ("DeleteAddAsReplace", b(caps.delete_add_as_replace, true).to_string()),
        (
            "ExportPasswordInFirstPass",
            b(caps.export_password_in_first_pass, false).to_string(),
        ),
        ("FullExport", b(caps.full_export, false).to_string()),
        (
            "ObjectConfirmation",
            format!(
                "{:?}",
                match caps.object_confirmation() {
                    MaObjectConfirmation::Unspecified => MaObjectConfirmation::Normal,
                    c => c,
                }
            ),
        ),
        (
            "ExportType",
            format!(
                "{:?}",
                match caps.export_type() {
                    MaExportType::Unspecified => MaExportType::ObjectReplace,
                    t => t,
                }
            ),
        ),
        (
            "Normalizations",
            format!("{:?}", caps.normalizations().collect::<Vec<_>>()),
        ),
        ("IsDNAsAnchor", b(caps.is_dn_as_anchor, false).to_string()),
        ("SupportImport", b(caps.support_import, true).to_string()),
        ("SupportExport", b(caps.support_export, true).to_string()),
        ("SupportPartitions", b(caps.support_partitions, true).to_string()),
        ("SupportPassword", b(caps.support_password, true).to_string()),
        ("SupportHierarchy", b(caps.support_hierarchy, true).to_string()),
    ];
    let interfaces: Vec<String> = hs.interfaces().map(|i| format!("{i:?}")).collect();
    if json_out {
        // Booleans and numbers as JSON's own; enum values by their ECMA2 names.
        let caps: serde_json::Map<_, _> = rows
            .iter()
            .map(|(k, v)| {
                let value = match v.as_str() {
                    "true" => json!(true),
                    "false" => json!(false),
                    _ if *k == "Normalizations" => {
                        json!(caps.normalizations().map(|n| format!("{n:?}")).collect::<Vec<_>>())
                    }
                    other => json!(other),
                };
                (k.to_string(), value)
            })
            .collect();
        println!(
            "{}",
            json!({ "interfaces": interfaces, "capabilities": caps, "import_page_sizes": hs.import_page_sizes.map(|p| json!({"default": p.default_page_size, "max": p.max_page_size})), "export_page_sizes": hs.export_page_sizes.map(|p| json!({"default": p.default_page_size, "max": p.max_page_size})) })
        );
    } else {
        println!("interfaces: {}", interfaces.join(", "));
        if let Some(p) = hs.import_page_sizes {
            println!(
                "import page size: default {}, max {}",
                p.default_page_size, p.max_page_size
            );
        }
        if let Some(p) = hs.export_page_sizes {
            println!(
                "export batch size: default {}, max {}",
                p.default_page_size, p.max_page_size
            );
        }
        for (k, v) in rows {
            println!("  {k:<32} {v}");
        }
    }
    Ok(())
}

/// `ecma2 parameters`: one configuration page, or its validation.
pub async fn parameters(
    engine: &Engine,
    connector: &str,
    params: Vec<ConfigParameter>,
    page: ConfigParameterPage,
    page_number: Option<i32>,
    validate: bool,
    json_out: bool,
) -> Result<()> {
    let hs = handshake(engine, connector).await?;
    let mut client = engine.connectors();
    let ex =
        page_number.is_some() || (page == ConfigParameterPage::Schema && has(&hs, Ecma2Interface::GetParametersEx));
    let number = page_number.unwrap_or(1);
    if validate {
        let result = if ex {
            client
                .validate_config_parameters_ex(engine.request(
                    connector,
                    ValidateConfigParametersExRequest {
                        config_parameters: params,
                        page: page as i32,
                        page_number: number,
                    },
                ))
                .await
                .map_err(explain)?
                .into_inner()
                .result
        } else {
            client
                .validate_config_parameters(engine.request(
                    connector,
                    ValidateConfigParametersRequest {
                        config_parameters: params,
                        page: page as i32,
                    },
                ))
                .await
                .map_err(explain)?
                .into_inner()
                .result
        }
        .unwrap_or_default();
        let ok = result.code() == ParameterValidationResultCode::Success;
        let verdict = json!({ "page": format!("{page:?}"), "valid": ok, "error_message": result.error_message, "error_parameter": result.error_parameter });
        if !ok {
            // One document: with --json the verdict travels inside the error.
            return Err(crate::output::Failed {
                message: format!(
                    "{page:?} page: invalid: {} (parameter {:?})",
                    result.error_message, result.error_parameter
                ),
                details: Some(("validation", verdict)),
            }
            .into());
        }
        if json_out {
            println!("{verdict}");
        } else {
            println!("{page:?} page: valid");
        }
        return Ok(());
    }
    let definitions = if ex {
        client
            .get_config_parameters_ex(engine.request(
                connector,
                GetConfigParametersExRequest {
                    config_parameters: params,
                    page: page as i32,
                    page_number: number,
                },
            ))
            .await
            .map_err(explain)?
            .into_inner()
            .definitions
    } else {
        client
            .get_config_parameters(engine.request(
                connector,
                GetConfigParametersRequest {
                    config_parameters: params,
                    page: page as i32,
                },
            ))
            .await
            .map_err(explain)?
            .into_inner()
            .definitions
    };
    if json_out {
        let items: Vec<_> = definitions
            .iter()
            .map(|d| json!({ "name": d.name, "type": format!("{:?}", d.r#type()), "text": d.text, "validation": d.validation, "default": d.default_value, "extensible": d.drop_down_extensible }))
            .collect();
        println!(
            "{}",
            json!({ "page": format!("{page:?}"), "page_number": ex.then_some(number), "definitions": items })
        );
    } else {
        println!(
            "{page:?} page{}: {} elements",
            if ex { format!(" {number}") } else { String::new() },
            definitions.len()
        );
        for d in definitions {
            let label = if d.name.is_empty() {
                d.text.clone()
            } else {
                d.name.clone()
            };
            println!(
                "  {:<16} {:<32} default {:?} validation {:?}",
                format!("{:?}", d.r#type()),
                label,
                d.default_value,
                d.validation
            );
        }
    }
    Ok(())
}

/// `ecma2 partitions`.
pub async fn partitions(engine: &Engine, connector: &str, params: Vec<ConfigParameter>, json_out: bool) -> Result<()> {
    let partitions = engine
        .connectors()
        .get_partitions(engine.request(
            connector,
            GetPartitionsRequest {
                config_parameters: params,
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .partitions;
    if json_out {
        let items: Vec<_> = partitions
            .iter()
            .map(|p| json!({ "identifier": p.identifier, "dn": p.dn, "name": p.name, "hidden_by_default": p.hidden_by_default }))
            .collect();
        println!("{}", json!({ "partitions": items }));
        return Ok(());
    }
    for p in partitions {
        {
            println!(
                "{:<38} {:<32} {}{}",
                p.identifier,
                p.dn,
                p.name,
                if p.hidden_by_default { " (hidden)" } else { "" }
            );
        }
    }
    Ok(())
}

/// `ecma2 hierarchy`: the children of a container.
pub async fn hierarchy(
    engine: &Engine,
    connector: &str,
    params: Vec<ConfigParameter>,
    parent: &str,
    json_out: bool,
) -> Result<()> {
    let nodes = engine
        .connectors()
        .get_hierarchy(engine.request(
            connector,
            GetHierarchyRequest {
                config_parameters: params,
                parent: Some(HierarchyNode {
                    dn: parent.to_owned(),
                    display_name: String::new(),
                }),
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .nodes;
    if json_out {
        let items: Vec<_> = nodes
            .iter()
            .map(|n| json!({ "dn": n.dn, "display_name": n.display_name }))
            .collect();
        println!("{}", json!({ "parent": parent, "nodes": items }));
        return Ok(());
    }
    for n in nodes {
        {
            println!("{:<48} {}", n.dn, n.display_name);
        }
    }
    Ok(())
}

fn read_secret(prompt: &str) -> Result<Secret> {
    eprint!("{prompt}: ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading a password from standard input")?;
    let value = line.trim_end_matches(['\n', '\r']).to_owned();
    if value.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(Secret { value })
}

/// `ecma2 password set|change`: one password session, as the engine's password sync uses it.
#[allow(clippy::too_many_arguments)]
pub async fn password(
    engine: &Engine,
    connector: &str,
    params: Vec<ConfigParameter>,
    dn: &str,
    object_type: &str,
    change: bool,
    options: &[PasswordOption],
    json_out: bool,
) -> Result<()> {
    let mut client = engine.connectors();
    let open = client
        .open_password_connection(engine.request(
            connector,
            OpenPasswordConnectionRequest {
                config_parameters: params,
                partition: None,
            },
        ))
        .await
        .map_err(explain)?
        .into_inner();
    let csentry = CsEntry {
        dn: dn.to_owned(),
        rdn: dn.split(',').next().unwrap_or_default().to_owned(),
        object_type: object_type.to_owned(),
        ..Default::default()
    };
    let outcome = async {
        if change {
            let old = read_secret("old password")?;
            let new = read_secret("new password")?;
            client
                .change_password(engine.request(
                    connector,
                    ChangePasswordRequest {
                        session_id: open.session_id.clone(),
                        csentry: Some(csentry),
                        old_password: Some(old),
                        new_password: Some(new),
                    },
                ))
                .await
                .map_err(explain)?;
        } else {
            let new = read_secret("new password")?;
            client
                .set_password(engine.request(
                    connector,
                    SetPasswordRequest {
                        session_id: open.session_id.clone(),
                        csentry: Some(csentry),
                        new_password: Some(new),
                        options: options.iter().map(|o| *o as i32).collect(),
                    },
                ))
                .await
                .map_err(explain)?;
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let closed = client
        .close_password_connection(engine.request(
            connector,
            ClosePasswordConnectionRequest {
                session_id: open.session_id,
            },
        ))
        .await;
    outcome?;
    closed.map_err(explain)?;
    if json_out {
        println!(
            "{}",
            json!({ "dn": dn, "password": if change { "changed" } else { "set" } })
        );
    } else {
        println!("password {} for {dn}", if change { "changed" } else { "set" });
    }
    Ok(())
}

/// Parses a PasswordOptions flag name.
pub fn parse_option(text: &str) -> Result<PasswordOption, String> {
    match text.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
        "forcechangeatlogon" => Ok(PasswordOption::ForceChangeAtLogOn),
        "unlockaccount" => Ok(PasswordOption::UnlockAccount),
        "validatepassword" => Ok(PasswordOption::ValidatePassword),
        other => Err(format!(
            "{other:?} is not force-change-at-log-on, unlock-account or validate-password"
        )),
    }
}
