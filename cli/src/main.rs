//! `ecma2`: the engine side of ecma2-host. Talks to a running host (`--host` and `--token-file`)
//! or starts one in-process from `--config` for the duration of the command, and runs ECMA2 calls
//! and run profiles the way the sync engine does. `ecma2 demo` runs the whole path on an embedded
//! default: host, demo connector, full import, export, delta import.

mod calls;
mod certs;
mod conformance;
mod demo;
mod interrupt;
mod output;
mod params;
mod progress;
mod run;
mod scope;
mod state;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::*;
use ecma2_transport::Address;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use ecma2_engine::error::explain;
use ecma2_engine::saved::Store;
use ecma2_engine::{Engine, Space, drop, stage};

use output::{NothingRan, Usage, emit, table};

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
    /// Where the connector space, watermarks, saved parameters and run history live.
    #[arg(long, global = true, default_value = ".ecma2")]
    state: PathBuf,
    /// Print one JSON document on stdout instead of tables (errors too, as {"error": {...}}).
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
    /// Saved connector parameters: set, show, unset.
    #[command(subcommand)]
    Config(state::ConfigCommand),
    /// What is staged for export and what awaits confirmation; `pending drop` drops staged changes.
    Pending {
        /// Only this connector.
        #[arg(long)]
        connector: Option<String>,
        #[command(subcommand)]
        action: Option<state::PendingCommand>,
    },
    /// The run history: each run's profile, counts, errors, watermark and outcome.
    Runs {
        /// Only this connector.
        #[arg(long)]
        connector: Option<String>,
        /// How many of the latest runs.
        #[arg(long, default_value_t = 20)]
        last: usize,
    },
    /// Check a connector against the ECMA2 rules through the host; exits non-zero on any failure.
    Conformance(conformance::Args),
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
pub(crate) struct Target {
    /// The connector's name in the host.
    #[arg(long)]
    connector: String,
    /// A configuration parameter, `name=value` (repeatable), over the saved ones (`ecma2
    /// config set`). Typed by the connector's pages: a check box takes 1/0 or true/false; a
    /// name no page defines is refused.
    #[arg(long = "param", value_parser = params::parse_pair)]
    params: Vec<(String, String)>,
    #[command(flatten)]
    secrets: params::SecretArgs,
}

async fn connect(cli: &Cli) -> Result<Engine> {
    if let Some(config) = &cli.config {
        let config = HostConfig::load(config)?;
        return Ok(Engine::start(config).await?);
    }
    let Some(host) = &cli.host else {
        return Err(Usage(
            "say which host to use: --host ADDRESS --token-file FILE, or --config HOST.toml to start one".into(),
        )
        .into());
    };
    let token_file = cli
        .token_file
        .clone()
        .ok_or_else(|| Usage("--token-file is needed with --host".into()))?;
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

fn main() -> std::process::ExitCode {
    let json_out = std::env::args().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if json_out && e.use_stderr() => {
            let message = e.render().to_string();
            let first = message.lines().next().unwrap_or_default().trim_start_matches("error: ");
            emit(&json!({ "error": { "kind": "usage", "message": first, "exit_code": output::exit::USAGE } }));
            eprint!("{message}");
            return std::process::ExitCode::from(output::exit::USAGE);
        }
        Err(e) => e.exit(),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECMA2_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ecma2: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(output::exit::FAILED);
        }
    };
    let code = runtime.block_on(async {
        let cancel = interrupt::install();
        // Commands that run no profile stop at the first Ctrl-C; runs close their session first.
        let runs = matches!(
            cli.command,
            Command::Import { .. } | Command::Export { .. } | Command::Demo { .. } | Command::Conformance(_)
        );
        let outcome = tokio::select! {
            outcome = run_cli(&cli, cancel.clone()) => outcome,
            _ = cancel.cancelled(), if !runs => Err(ecma2_engine::Error::Interrupted { profile: "command" }.into()),
        };
        match outcome {
            Ok(()) if runs && cancel.is_cancelled() => {
                eprintln!("ecma2: the interrupt came after the run had closed its session normally; its results stand");
                output::exit::OK
            }
            Ok(()) => output::exit::OK,
            Err(e) => output::report_error(&e, cli.json),
        }
    });
    // The host's connector processes are tied to this process; nothing else needs waiting for.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    std::process::ExitCode::from(code)
}

async fn run_cli(cli: &Cli, cancel: CancellationToken) -> Result<()> {
    match &cli.command {
        Command::Demo { users } => return demo::demo(*users, cli.json, cancel).await,
        Command::Certs(args) => return certs::run(args),
        Command::Show { connector, dn } => {
            let space = Space::open(&cli.state)?;
            let object = space
                .get_by_dn(connector, dn)?
                .ok_or_else(|| Usage(format!("{dn} is not in the connector space of {connector}")))?;
            println!("{}", drop::entry_json(&object));
            return Ok(());
        }
        Command::Config(state::ConfigCommand::Show { connector }) => {
            return state::config_show(&cli.state, connector.as_deref(), cli.json);
        }
        Command::Config(state::ConfigCommand::Unset { connector, names, all }) => {
            return state::config_unset(&cli.state, connector, names, *all, cli.json);
        }
        Command::Pending { connector, action } => {
            return match action {
                None => state::pending(&cli.state, connector.as_deref(), cli.json),
                Some(state::PendingCommand::Drop { connector, id, all }) => {
                    state::pending_drop(&cli.state, connector, *id, *all, cli.json)
                }
            };
        }
        Command::Runs { connector, last } => return state::runs(&cli.state, connector.as_deref(), *last, cli.json),
        _ => {}
    }
    let engine = connect(cli).await?;
    let result = command(cli, &engine, cancel).await;
    engine.finish().await;
    result
}

/// The connector a command talks to, with its `--param`s.
fn target_of(command: &Command) -> Option<&Target> {
    match command {
        Command::Schema(target)
        | Command::Capabilities(target)
        | Command::Partitions(target)
        | Command::Parameters { target, .. }
        | Command::Hierarchy { target, .. }
        | Command::Password { target, .. }
        | Command::Import { target, .. }
        | Command::Stage { target, .. }
        | Command::Export { target, .. } => Some(target),
        Command::Conformance(args) => Some(&args.target),
        _ => None,
    }
}

async fn command(cli: &Cli, engine: &Engine, cancel: CancellationToken) -> Result<()> {
    let typed = match target_of(&cli.command) {
        Some(target) => {
            let store = Store::open(&cli.state)?;
            let given = params::merged(&store, &target.connector, &target.params, &target.secrets)?;
            params::resolve(engine, &target.connector, &given).await?
        }
        None => Vec::new(),
    };
    match &cli.command {
        Command::Config(state::ConfigCommand::Set {
            connector,
            params,
            secrets,
        }) => state::config_set(engine, &cli.state, connector, params, secrets, cli.json).await?,
        Command::Stage {
            target,
            changes,
            from_connector,
        } => {
            let space = Space::open(&cli.state)?;
            let staged = match (changes, from_connector) {
                (Some(file), None) => {
                    let schema = run::schema(engine, &target.connector, typed).await?;
                    run::stage_file(&space, &target.connector, &schema, file)?
                }
                (None, Some(source)) => stage::stage_from(&space, source, &target.connector, usize::MAX >> 1)?,
                _ => return Err(Usage("say what to stage: --changes FILE or --from-connector NAME".into()).into()),
            };
            run::print_staged(&target.connector, staged, cli.json);
        }
        Command::Export {
            target,
            batch_size,
            drop_file,
            full,
            scope,
        } => {
            run::export(
                engine,
                &cli.state,
                &target.connector,
                typed,
                run::ExportRun {
                    batch_size: *batch_size,
                    full: *full,
                    containers: scope.containers(),
                },
                drop_file.as_deref(),
                cancel,
                cli.json,
            )
            .await?
        }
        Command::Import {
            target,
            delta,
            page_size,
            drop_file,
            scope,
        } => {
            run::import(
                engine,
                &cli.state,
                &target.connector,
                typed,
                *delta,
                *page_size,
                scope.containers(),
                drop_file.as_deref(),
                cancel,
                cli.json,
            )
            .await?
        }
        Command::Conformance(args) => conformance::run(engine, cli.config.as_deref(), args, typed, cli.json).await?,
        Command::List => list(engine, cli.json).await?,
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
                cli.json,
            )
            .await?
        }
        Command::Schema(target) => {
            let schema = run::schema(engine, &target.connector, typed).await?;
            schema_out(&schema, cli.json);
        }
        Command::Demo { .. }
        | Command::Certs(_)
        | Command::Show { .. }
        | Command::Pending { .. }
        | Command::Runs { .. }
        | Command::Config(_) => unreachable!("handled before connecting"),
    }
    Ok(())
}

/// The host's state name of a connector, without the proto prefix ("READY", "FAILED").
fn state_name(state: ConnectorState) -> &'static str {
    state.as_str_name().trim_start_matches("CONNECTOR_STATE_")
}

async fn list(engine: &Engine, json_out: bool) -> Result<()> {
    let list = engine
        .host()
        .list_connectors(engine.request("", ListConnectorsRequest {}))
        .await
        .map_err(explain)?
        .into_inner()
        .connectors;
    let mut t = table(&[
        "name",
        "state",
        "pid",
        "restarts",
        "connector",
        "version",
        "language",
        "last error",
    ]);
    let mut items = Vec::new();
    for c in &list {
        let info = c.handshake.clone().unwrap_or_default().connector.unwrap_or_default();
        t.add_row(vec![
            c.name.clone(),
            state_name(c.state()).into(),
            c.pid.to_string(),
            c.restarts.to_string(),
            info.name.clone(),
            info.version.clone(),
            info.language.clone(),
            c.last_error.clone(),
        ]);
        items.push(json!({
            "name": c.name, "state": state_name(c.state()), "pid": c.pid, "restarts": c.restarts,
            "connector": info.name, "version": info.version, "language": info.language,
            "last_error": c.last_error,
        }));
    }
    let failed = list.iter().filter(|c| c.state() == ConnectorState::Failed).count();
    if list.is_empty() || failed == list.len() {
        // One document: the connectors travel inside the error.
        if !json_out {
            println!("{t}");
        }
        return Err(NothingRan {
            message: if list.is_empty() {
                "the host runs no connectors".into()
            } else {
                format!("every connector is FAILED ({failed} of {})", list.len())
            },
            details: Some(("connectors", json!(items))),
        }
        .into());
    }
    if json_out {
        emit(&json!({ "connectors": items }));
    } else {
        println!("{t}");
    }
    Ok(())
}

fn schema_out(schema: &Schema, json_out: bool) {
    if json_out {
        let types: Vec<_> = schema
            .types
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "locked": t.locked,
                    "attributes": t.attributes.iter().map(|a| json!({
                        "name": a.name,
                        "type": format!("{:?}", a.data_type()),
                        "multi_valued": a.is_multi_valued,
                        "anchor": a.is_anchor,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        emit(&json!({ "types": types }));
        return;
    }
    for t in &schema.types {
        println!("{}{}", t.name, if t.locked { " (anchor locked)" } else { "" });
        let mut table = table(&["attribute", "type", "multi-valued", "anchor"]);
        for a in &t.attributes {
            table.add_row(vec![
                a.name.clone(),
                format!("{:?}", a.data_type()),
                if a.is_multi_valued { "yes" } else { "" }.to_owned(),
                if a.is_anchor { "anchor" } else { "" }.to_owned(),
            ]);
        }
        println!("{table}");
    }
}
