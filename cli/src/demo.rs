//! `ecma2 demo`: the whole path on an embedded default: a host with the demo connector, a full
//! import, an export of a few changes shaped from the connector's own schema, a delta import.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::*;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use ecma2_engine::error::explain;
use ecma2_engine::{Engine, ImportOptions, Space};

use crate::output::emit;
use crate::progress::Progress;
use crate::run::print_summary;

/// The demo connector binary next to this executable.
fn demo_connector() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name(format!("ecma2-demo{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        bail!(
            "{} is missing: build it with `cargo build -p ecma2-demo` (the README's demo command does)",
            path.display()
        );
    }
    Ok(path)
}

/// Runs the demo.
pub async fn demo(users: u32, json: bool, cancel: CancellationToken) -> Result<()> {
    let state = std::env::temp_dir().join(format!("ecma2-demo-{}", std::process::id()));
    std::fs::create_dir_all(&state)?;
    // A private socket where there are Unix sockets; loopback (behind the token) elsewhere.
    let listen = if ecma2_transport::UNIX_SOCKETS {
        format!("unix:{}", state.join("engine.sock").display())
    } else {
        "tcp:127.0.0.1:0".to_owned()
    };
    let config_text = format!(
        "state_dir = {state:?}\n[engine]\nlisten = {listen:?}\n\n[[connector]]\nname = \"demo\"\ncommand = {cmd:?}\n",
        state = state.join("host").display().to_string(),
        cmd = demo_connector()?.display().to_string(),
    );
    let config = HostConfig::parse(&state.join("host.toml"), &config_text)?;
    eprintln!(
        "starting ecma2-host with the demo connector (state in {})",
        state.display()
    );
    let engine = Engine::start(config).await?;
    let outcome = demo_runs(&engine, &state, users, json, cancel).await;
    engine.finish().await;
    let _ = std::fs::remove_dir_all(&state);
    outcome
}

async fn demo_runs(engine: &Engine, state: &Path, users: u32, json: bool, cancel: CancellationToken) -> Result<()> {
    let connector = "demo";
    let space = Space::open(&state.join("space"))?;
    let params = vec![
        ConfigParameter {
            name: "database".into(),
            value: state.join("demo.db").display().to_string(),
            ..Default::default()
        },
        ConfigParameter {
            name: "seed_users".into(),
            value: users.to_string(),
            ..Default::default()
        },
    ];
    let names = engine.connector_names().await?;
    eprintln!("host runs: {}", names.join(", "));

    let full = ecma2_engine::import(
        engine,
        &space,
        ImportOptions {
            connector,
            delta: false,
            page_size: 0,
            params: params.clone(),
            containers: Default::default(),
            drop_file: None,
            observer: Some(&mut Progress::start("full import of demo")),
            cancel: cancel.clone(),
        },
    )
    .await?;
    if !json {
        print_summary(&full);
    }

    for change in demo_changes(engine, &space, connector, &params).await? {
        space.stage(connector, &change)?;
    }
    let export = ecma2_engine::export(
        engine,
        &space,
        ecma2_engine::ExportOptions {
            connector,
            params: params.clone(),
            batch_size: 0,
            drop_file: None,
            observer: Some(&mut Progress::start("export to demo")),
            cancel: cancel.clone(),
            full: false,
            containers: Default::default(),
        },
    )
    .await?;
    if !json {
        print_summary(&export);
    }

    let delta = ecma2_engine::import(
        engine,
        &space,
        ImportOptions {
            connector,
            delta: true,
            page_size: 0,
            params,
            containers: Default::default(),
            drop_file: None,
            observer: Some(&mut Progress::start("delta import of demo")),
            cancel: cancel.clone(),
        },
    )
    .await?;
    let objects = space.count(connector)?;
    if json {
        emit(&json!({ "runs": [full, export, delta], "objects": objects }));
    } else {
        print_summary(&delta);
    }
    eprintln!("connector space now holds {objects} objects");
    Ok(())
}

/// Three adds, one update and one delete, shaped from the connector's own schema and objects.
async fn demo_changes(
    engine: &Engine,
    space: &Space,
    connector: &str,
    params: &[ConfigParameter],
) -> Result<Vec<CsEntryChange>> {
    let schema = engine
        .connectors()
        .get_schema(engine.request(
            connector,
            GetSchemaRequest {
                config_parameters: params.to_vec(),
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .schema
        .unwrap_or_default();
    let user_type = schema
        .types
        .iter()
        .find(|t| t.name == "user")
        .or(schema.types.first())
        .context("the connector has no object types")?;
    let sample = space.sample(connector, &user_type.name, 3)?;
    if sample.len() < 3 {
        bail!(
            "the demo needs at least 3 imported {} objects, found {}",
            user_type.name,
            sample.len()
        );
    }
    let parent = sample[0]
        .dn
        .split_once(',')
        .map(|(_, p)| p.to_owned())
        .unwrap_or_default();
    let strings: Vec<&SchemaAttribute> = user_type
        .attributes
        .iter()
        .filter(|a| a.data_type() == AttributeType::String && !a.is_anchor && !a.is_multi_valued)
        .collect();
    let mut changes = Vec::new();
    for n in 1..=3 {
        let cn = format!("Demo Export {n} {}", uuid::Uuid::new_v4().simple());
        let attrs = strings
            .iter()
            .map(|a| AttributeChange {
                name: a.name.clone(),
                data_type: AttributeType::String as i32,
                modification_type: AttributeModificationType::Add as i32,
                value_changes: vec![ValueChange {
                    value: Some(AttributeValue {
                        kind: Some(attribute_value::Kind::StringValue(
                            if a.name.to_lowercase().contains("mail") {
                                format!("{}@demo.example", cn.replace(' ', ".").to_lowercase())
                            } else {
                                cn.clone()
                            },
                        )),
                    }),
                    modification_type: ValueModificationType::Add as i32,
                }],
                ..Default::default()
            })
            .collect();
        changes.push(CsEntryChange {
            identifier: uuid::Uuid::new_v4().to_string(),
            object_modification_type: ObjectModificationType::Add as i32,
            object_type: user_type.name.clone(),
            dn: format!("CN={cn},{parent}"),
            attribute_changes: attrs,
            ..Default::default()
        });
    }
    let title = strings
        .iter()
        .find(|a| a.name == "title")
        .or(strings.last())
        .context("no string attribute to update")?;
    changes.push(CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Update as i32,
        object_type: user_type.name.clone(),
        dn: sample[1].dn.clone(),
        anchor_attributes: sample[1].anchor_attributes.clone(),
        attribute_changes: vec![AttributeChange {
            name: title.name.clone(),
            data_type: AttributeType::String as i32,
            modification_type: AttributeModificationType::Replace as i32,
            value_changes: vec![ValueChange {
                value: Some(AttributeValue {
                    kind: Some(attribute_value::Kind::StringValue("Changed by the ecma2 demo".into())),
                }),
                modification_type: ValueModificationType::Add as i32,
            }],
            ..Default::default()
        }],
        ..Default::default()
    });
    // A group whose member is a user added in this same run: the reference waits for pass 2.
    if let Some(group) = schema.types.iter().find(|t| t.name == "group")
        && let Some(member) = group
            .attributes
            .iter()
            .find(|a| a.data_type() == AttributeType::Reference && a.is_multi_valued)
    {
        let cn = format!("Demo Export Group {}", uuid::Uuid::new_v4().simple());
        let naming = group.attributes.iter().find(|a| a.name == "cn").map(|a| a.name.clone());
        let mut attrs = vec![AttributeChange {
            name: member.name.clone(),
            data_type: AttributeType::Reference as i32,
            is_multi_valued: true,
            modification_type: AttributeModificationType::Add as i32,
            value_changes: vec![ValueChange {
                value: Some(AttributeValue {
                    kind: Some(attribute_value::Kind::ReferenceValue(changes[0].dn.clone())),
                }),
                modification_type: ValueModificationType::Add as i32,
            }],
        }];
        if let Some(name) = naming {
            attrs.push(AttributeChange {
                name,
                data_type: AttributeType::String as i32,
                modification_type: AttributeModificationType::Add as i32,
                value_changes: vec![ValueChange {
                    value: Some(AttributeValue {
                        kind: Some(attribute_value::Kind::StringValue(cn.clone())),
                    }),
                    modification_type: ValueModificationType::Add as i32,
                }],
                ..Default::default()
            });
        }
        changes.push(CsEntryChange {
            identifier: uuid::Uuid::new_v4().to_string(),
            object_modification_type: ObjectModificationType::Add as i32,
            object_type: group.name.clone(),
            dn: format!("CN={cn},{parent}"),
            attribute_changes: attrs,
            ..Default::default()
        });
    }
    changes.push(CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Delete as i32,
        object_type: user_type.name.clone(),
        dn: sample[2].dn.clone(),
        anchor_attributes: sample[2].anchor_attributes.clone(),
        ..Default::default()
    });
    Ok(changes)
}
