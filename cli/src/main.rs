//! `ecma2`: the engine side of ecma2-host. Talks to a running host (`--host` and `--token-file`)
//! or starts one in-process from `--config` for the duration of the command, and runs ECMA2 calls
//! and run profiles the way the sync engine does. `ecma2 demo` runs the whole path on an embedded
//! default: host, demo connector, full import, export, delta import.

mod calls;
mod certs;
mod conformance;
mod params;
mod progress;
mod scope;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::{self, *};
use ecma2_transport::Address;

use ecma2_engine::error::explain;
use ecma2_engine::{Engine, ImportOptions, Space, Summary, drop, stage};

/// Run ECMA2 connectors through ecma2-host like the sync engine does.
#[derive(Debug, Parser)]
#[command(name = "ecma2", version)]
struct Cli {
    /// A running host's engine address (unix:/path or tcp:127.0.0.1:PORT).
    #[arg(long, global = true, env = "ECMA2_HOST")]
    host: Option<Address>,
    /// The running host's engine token file.
    #[arg(long, global = true, env = "ECMA2_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// The CA that signed the host's engine-endpoint certificate: connect over mutual TLS (a host
    /// with `[engine.tls]`), presenting --tls-cert.
    #[arg(long, global = true, env = "ECMA2_ENGINE_TLS_CA", requires_all = ["tls_cert", "tls_key"])]
    tls_ca: Option<PathBuf>,
    /// This engine's client certificate (`ecma2 certs init --engine NAME` writes engine-NAME.pem).
    #[arg(long, global = true, env = "ECMA2_ENGINE_TLS_CERT", requires = "tls_ca")]
    tls_cert: Option<PathBuf>,
    /// The client certificate's private key.
    #[arg(long, global = true, env = "ECMA2_ENGINE_TLS_KEY", requires = "tls_ca")]
    tls_key: Option<PathBuf>,
    /// The name the host's certificate must carry; default: the host part of --host.
    #[arg(long, global = true, env = "ECMA2_ENGINE_TLS_SERVER_NAME")]
    tls_server_name: Option<String>,
    /// Start a host from this config file for the duration of the command instead.
    #[arg(long, short, global = true)]
    config: Option<PathBuf>,
    /// Where the connector space and watermarks live.
    #[arg(long, global = true, default_value = ".ecma2")]
    state: PathBuf,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The connectors the host runs, with their state.
    List,
    /// A connector's schema.
    Schema(Target),
    /// A connector's capabilities (ECMA2 defaults applied), interfaces and page sizes.
    Capabilities(Target),
    /// A configuration page's elements, or with --validate the connector's verdict on values.
    Parameters {
        #[command(flatten)]
        target: Target,
        /// connectivity, global, run-step, partition, capabilities or schema.
        #[arg(long, value_parser = calls::parse_page, default_value = "connectivity")]
        page: ConfigParameterPage,
        /// The page number (uses the Ex interface; schema pages start at 1).
        #[arg(long)]
        page_number: Option<i32>,
        /// Validate the --param values instead of listing the page.
        #[arg(long)]
        validate: bool,
    },
    /// The connector's partitions.
    Partitions(Target),
    /// The children of a container (a partition's DN to start).
    Hierarchy {
        #[command(flatten)]
        target: Target,
        /// The parent container's DN.
        #[arg(long, default_value = "")]
        parent: String,
    },
    /// Set or change a password (read from standard input), in one password session.
    Password {
        #[command(flatten)]
        target: Target,
        /// set or change.
        #[arg(value_parser = ["set", "change"])]
        action: String,
        /// The object's DN.
        #[arg(long)]
        dn: String,
        /// The object's type.
        #[arg(long, default_value = "user")]
        object_type: String,
        /// PasswordOptions flags for set: force-change-at-log-on, unlock-account, validate-password.
        #[arg(long = "option", value_parser = calls::parse_option)]
        options: Vec<PasswordOption>,
    },
    /// Full or delta import into the connector space.
    Import {
        #[command(flatten)]
        target: Target,
        /// Delta import (needs the watermark of an earlier import).
        #[arg(long)]
        delta: bool,
        /// Page size; 0 means the connector's default.
        #[arg(long, default_value_t = 0)]
        page_size: i32,
        /// Write every change as it crossed to this file, one JSON object a line.
        #[arg(long)]
        drop_file: Option<PathBuf>,
        #[command(flatten)]
        scope: scope::ScopeArgs,
    },
    /// Stage changes for the next export: from a JSON Lines file or another connector's space.
    Stage {
        #[command(flatten)]
        target: Target,
        /// A JSON Lines file of changes: {"op":"add|update|delete","type":..,"dn":..,"attrs":{..},
        /// "add":{..},"remove":{..},"clear":[..],"password":".."}.
        #[arg(long, conflicts_with = "from_connector")]
        changes: Option<PathBuf>,
        /// Stage an add for every object of this connector's space the target lacks.
        #[arg(long)]
        from_connector: Option<String>,
    },
    /// Export the staged changes, in up to four passes.
    Export {
        #[command(flatten)]
        target: Target,
        /// Batch size; 0 means the connector's default.
        #[arg(long, default_value_t = 0)]
        batch_size: i32,
        /// Write every change as it crossed to this file, one JSON object a line.
        #[arg(long)]
        drop_file: Option<PathBuf>,
        /// A Full Export run: every object of the connector space (FullExport connectors only).
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        scope: scope::ScopeArgs,
    },
    /// Show an object of the connector space, by DN.
    Show {
        /// The connector.
        #[arg(long)]
        connector: String,
        /// The object's DN.
        #[arg(long)]
        dn: String,
    },
    /// Check a connector against the ECMA2 rules through the host; exits non-zero on any failure.
    Conformance(Target),
    /// Create a private CA and host/connector certificates for mutual TLS.
    Certs(certs::CertsArgs),
    /// Run the demo: host + demo connector, full import, export, delta import.
    Demo {
        /// Users the demo directory is seeded with.
        #[arg(long, default_value_t = 1000)]
        users: u32,
    },
}

#[derive(Debug, clap::Args)]
struct Target {
    /// The connector's name in the host.
    #[arg(long)]
    connector: String,
    /// A configuration parameter, `name=value` (repeatable). Typed by the connector's
    /// Connectivity and Global pages: an EncryptedString goes as a secret, a check box takes
    /// 1/0 or true/false.
    #[arg(long = "param", value_parser = parse_param)]
    params: Vec<(String, String)>,
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?} is not name=value"))
}

async fn connect(cli: &Cli) -> Result<Engine> {
    if let Some(config) = &cli.config {
        let config = HostConfig::load(config)?;
        return Ok(Engine::start(config).await?);
    }
    let Some(host) = &cli.host else {
        bail!("say which host to use: --host ADDRESS --token-file FILE, or --config HOST.toml to start one");
    };
    let token_file = cli.token_file.clone().context("--token-file is needed with --host")?;
    if let Some(ca) = &cli.tls_ca {
        let tls = ecma2_transport::TlsClient {
            ca: ca.clone(),
            cert: cli.tls_cert.clone(),
            key: cli.tls_key.clone(),
            server_name: cli.tls_server_name.clone(),
        }
        .load()?;
        return Ok(Engine::connect_tls(host, &token_file, &tls).await?);
    }
    Ok(Engine::connect_with_file(host, &token_file).await?)
}

fn print_summary(summary: &Summary, json: bool) {
    if json {
        println!("{}", serde_json::to_string(summary).expect("a summary serializes"));
        return;
    }
    println!(
        "{:<13} adds {:>7}  updates {:>7}  deletes {:>7}  errors {:>5}  pages {:>5}  objects {:>8}  {:>9.0} obj/s  {:>7.2}s",
        summary.profile,
        summary.adds,
        summary.updates,
        summary.deletes,
        summary.errors,
        summary.pages,
        summary.objects,
        summary.objects_per_second,
        summary.elapsed_seconds
    );
    if summary.passes > 0 || summary.confirmed > 0 || summary.warnings > 0 {
        println!(
            "{:<13} passes {:>6}  confirmed {:>5}  warnings {:>5}",
            "", summary.passes, summary.confirmed, summary.warnings
        );
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECMA2_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run_cli(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecma2: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run_cli(cli: Cli) -> Result<()> {
    if let Command::Demo { users } = &cli.command {
        return demo(*users, cli.json).await;
    }
    if let Command::Certs(args) = &cli.command {
        return certs::run(args);
    }
    if let Command::Show { connector, dn } = &cli.command {
        let space = Space::open(&cli.state)?;
        let object = space
            .get_by_dn(connector, dn)?
            .with_context(|| format!("{dn} is not in the connector space of {connector}"))?;
        println!("{}", drop::entry_json(&object));
        return Ok(());
    }
    let engine = connect(&cli).await?;
    let result = command(&cli, &engine).await;
    engine.finish().await;
    result
}

/// The connector a command talks to, with its `--param`s.
fn target_of(command: &Command) -> Option<&Target> {
    match command {
        Command::Schema(target)
        | Command::Capabilities(target)
        | Command::Partitions(target)
        | Command::Conformance(target)
        | Command::Parameters { target, .. }
        | Command::Hierarchy { target, .. }
        | Command::Password { target, .. }
        | Command::Import { target, .. }
        | Command::Stage { target, .. }
        | Command::Export { target, .. } => Some(target),
        _ => None,
    }
}

async fn command(cli: &Cli, engine: &Engine) -> Result<()> {
    let typed = match target_of(&cli.command) {
        Some(target) => params::resolve(engine, &target.connector, &target.params).await?,
        None => Vec::new(),
    };
    match &cli.command {
        Command::Stage {
            target,
            changes,
            from_connector,
        } => {
            let space = Space::open(&cli.state)?;
            let staged = match (changes, from_connector) {
                (Some(file), None) => {
                    let schema = engine
                        .connectors()
                        .get_schema(engine.request(
                            &target.connector,
                            GetSchemaRequest {
                                config_parameters: typed,
                            },
                        ))
                        .await
                        .map_err(explain)?
                        .into_inner()
                        .schema
                        .unwrap_or_default();
                    let types = stage::attr_types(&schema);
                    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
                    let mut n = 0;
                    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                        let change = stage::parse_change(line, &types)
                            .with_context(|| format!("{} line {}", file.display(), i + 1))?;
                        space.stage(&target.connector, &change)?;
                        n += 1;
                    }
                    n
                }
                (None, Some(source)) => stage::stage_from(&space, source, &target.connector, usize::MAX >> 1)?,
                _ => bail!("say what to stage: --changes FILE or --from-connector NAME"),
            };
            println!("staged {staged} changes for {}", target.connector);
        }
        Command::Export {
            target,
            batch_size,
            drop_file,
            full,
            scope,
        } => {
            let space = Space::open(&cli.state)?;
            let mut file = match drop_file {
                Some(path) => Some(std::io::BufWriter::new(
                    std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
                )),
                None => None,
            };
            let summary = ecma2_engine::export(
                engine,
                &space,
                ecma2_engine::ExportOptions {
                    connector: &target.connector,
                    params: typed,
                    batch_size: *batch_size,
                    drop_file: file.as_mut().map(|f| f as &mut dyn std::io::Write),
                    observer: Some(&mut progress::Stderr),
                    cancel: progress::ctrl_c(),
                    full: *full,
                    containers: scope.containers(),
                },
            )
            .await?;
            print_summary(&summary, cli.json);
        }
        Command::Conformance(target) => {
            let checks = conformance::run(engine, &target.connector, typed).await?;
            if !conformance::report(&checks, cli.json) {
                bail!("connector {} failed conformance", target.connector);
            }
        }
        Command::List => {
            let list = engine
                .host()
                .list_connectors(engine.request("", ListConnectorsRequest {}))
                .await
                .map_err(explain)?;
            for c in list.into_inner().connectors {
                let hs = c.handshake.clone().unwrap_or_default();
                let info = hs.connector.unwrap_or_default();
                if cli.json {
                    println!(
                        "{}",
                        serde_json::json!({"name": c.name, "state": c.state().as_str_name(), "pid": c.pid, "restarts": c.restarts, "connector": info.name, "version": info.version, "language": info.language, "last_error": c.last_error})
                    );
                } else {
                    println!(
                        "{:<16} {:<24} pid {:<7} restarts {:<3} {} {} ({}) {}",
                        c.name,
                        c.state().as_str_name(),
                        c.pid,
                        c.restarts,
                        info.name,
                        info.version,
                        info.language,
                        c.last_error
                    );
                }
            }
        }
        Command::Capabilities(target) => calls::capabilities(engine, &target.connector, typed, cli.json).await?,
        Command::Parameters {
            target,
            page,
            page_number,
            validate,
        } => {
            calls::parameters(
                engine,
                &target.connector,
                typed,
                *page,
                *page_number,
                *validate,
                cli.json,
            )
            .await?
        }
        Command::Partitions(target) => calls::partitions(engine, &target.connector, typed, cli.json).await?,
        Command::Hierarchy { target, parent } => {
            calls::hierarchy(engine, &target.connector, typed, parent, cli.json).await?
        }
        Command::Password {
            target,
            action,
            dn,
            object_type,
            options,
        } => {
            calls::password(
                engine,
                &target.connector,
                typed,
                dn,
                object_type,
                action == "change",
                options,
            )
            .await?
        }
        Command::Schema(target) => {
            let schema = engine
                .connectors()
                .get_schema(engine.request(
                    &target.connector,
                    GetSchemaRequest {
                        config_parameters: typed,
                    },
                ))
                .await
                .map_err(explain)?
                .into_inner()
                .schema
                .unwrap_or_default();
            for t in &schema.types {
                println!("{}{}", t.name, if t.locked { " (anchor locked)" } else { "" });
                for a in &t.attributes {
                    println!(
                        "  {:<28} {:<10} {}{}",
                        a.name,
                        a.data_type().as_str_name().trim_start_matches("ATTRIBUTE_TYPE_"),
                        if a.is_multi_valued { "multi " } else { "" },
                        if a.is_anchor { "anchor" } else { "" }
                    );
                }
            }
        }
        Command::Import {
            target,
            delta,
            page_size,
            drop_file,
            scope,
        } => {
            let space = Space::open(&cli.state)?;
            let mut file = match drop_file {
                Some(path) => Some(std::io::BufWriter::new(
                    std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
                )),
                None => None,
            };
            let summary = ecma2_engine::import(
                engine,
                &space,
                ImportOptions {
                    connector: &target.connector,
                    delta: *delta,
                    page_size: *page_size,
                    params: typed,
                    containers: scope.containers(),
                    drop_file: file.as_mut().map(|f| f as &mut dyn std::io::Write),
                    observer: Some(&mut progress::Stderr),
                    cancel: progress::ctrl_c(),
                },
            )
            .await?;
            print_summary(&summary, cli.json);
        }
        Command::Demo { .. } | Command::Certs(_) | Command::Show { .. } => unreachable!("handled before connecting"),
    }
    Ok(())
}

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

async fn demo(users: u32, json: bool) -> Result<()> {
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
    let outcome = demo_runs(&engine, &state, users, json).await;
    engine.finish().await;
    let _ = std::fs::remove_dir_all(&state);
    outcome
}

async fn demo_runs(engine: &Engine, state: &Path, users: u32, json: bool) -> Result<()> {
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
            observer: Some(&mut progress::Stderr),
            cancel: progress::ctrl_c(),
        },
    )
    .await?;
    print_summary(&full, json);

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
            observer: Some(&mut progress::Stderr),
            cancel: progress::ctrl_c(),
            full: false,
            containers: Default::default(),
        },
    )
    .await?;
    print_summary(&export, json);

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
            observer: Some(&mut progress::Stderr),
            cancel: progress::ctrl_c(),
        },
    )
    .await?;
    print_summary(&delta, json);
    eprintln!("connector space now holds {} objects", space.count(connector)?);
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
    let _ = pb::Fault::default();
    Ok(changes)
}
