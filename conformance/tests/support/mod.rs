//! Shared helpers of the kit's tests: a host started from a config naming one connector, the
//! kit run against it through the library, and where the connectors under test live.

use std::path::{Path, PathBuf};

use ecma2_conformance::{Kit, Quiet, Report, RunOptions, Subject};
use ecma2_engine::Engine;
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::ConfigParameter;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python SDK's virtualenv interpreter (sdk/python/scripts/check.sh creates it).
pub fn python() -> String {
    let python = repo().join("sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run sdk/python/scripts/check.sh first (scripts/test does)",
        python.display()
    );
    python.display().to_string()
}

/// The demo connector binary, built by `cargo test --workspace` (or `cargo build -p ecma2-demo`).
pub fn demo() -> String {
    let exe = std::env::current_exe().unwrap();
    let demo = exe.parent().unwrap().parent().unwrap().join("ecma2-demo");
    assert!(
        demo.exists(),
        "{} is missing: cargo build -p ecma2-demo",
        demo.display()
    );
    demo.display().to_string()
}

/// A connector under test: its command line, environment and configuration parameters.
pub struct Connector<'a> {
    pub command: String,
    pub args: Vec<String>,
    pub env: Vec<(&'a str, &'a str)>,
    pub params: Vec<(&'a str, String)>,
    /// Extra `[connector.limits]` lines.
    pub limits: &'a str,
}

/// Starts a host for `c` in `dir`, runs the kit with `options`, stops the host.
pub async fn run(dir: &Path, c: &Connector<'_>, options: RunOptions) -> Report {
    let mut config = format!(
        "[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"subject\"\ncommand = {:?}\nargs = {:?}\n",
        dir.join("engine.sock").display(),
        c.command,
        c.args
    );
    if !c.env.is_empty() {
        let pairs: Vec<String> = c.env.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
        config.push_str(&format!("env = {{ {} }}\n", pairs.join(", ")));
    }
    config.push_str(&format!("[connector.limits]\nclose_grace = \"3s\"\n{}", c.limits));
    let path = dir.join("host.toml");
    std::fs::write(&path, config).unwrap();
    let config = HostConfig::load(&path).unwrap();
    let launch = {
        let c = &config.connectors[0];
        ecma2_conformance::Launch {
            program: c.command.clone().unwrap(),
            args: c.args.clone(),
            env: c.env.clone(),
            working_dir: c.working_dir.clone(),
        }
    };
    let engine = Engine::start(config).await.unwrap();
    let params = c
        .params
        .iter()
        .map(|(name, value)| ConfigParameter {
            name: (*name).to_owned(),
            value: value.clone(),
            ..Default::default()
        })
        .collect();
    let report = {
        let subject = Subject::new(&engine, "subject", params)
            .await
            .unwrap()
            .with_launch(launch);
        Kit::standard().run(&subject, &options, &mut Quiet).await
    };
    engine.finish().await;
    for c in &report.checks {
        eprintln!("{:<30} {:<5} {}", c.id, c.status.as_str(), c.detail);
    }
    report
}

/// The broken process fixture in `mode` ("" behaves).
pub fn broken(mode: &str) -> Connector<'_> {
    Connector {
        command: python(),
        args: vec![
            repo()
                .join("conformance/tests/fixtures/broken_process.py")
                .display()
                .to_string(),
        ],
        env: vec![("BROKEN_MODE", mode)],
        params: vec![("path", "/somewhere".into())],
        // A host restarts a connector without grpc.health.v1 every three intervals, failing
        // every check made through it; a long interval keeps the host from hiding which rule
        // the connector breaks.
        limits: if mode == "no_health" {
            "health_interval = \"10m\"\n"
        } else {
            ""
        },
    }
}
