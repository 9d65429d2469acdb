//! The scenario harness: an in-process ecma2-host running the real demo connector (the
//! `ecma2-demo` binary next to this test's target directory), a connector space in a temp
//! directory, and helpers to stage changes, run profiles, read the drop file and the demo's
//! observe file.

#![allow(dead_code)]

use std::path::PathBuf;

use ecma2_engine::{Containers, Engine, ExportOptions, ImportOptions, Recorder, Space, Summary, stage};
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::{ConfigParameter, GetSchemaRequest};
use serde_json::Value;

/// One scenario's world.
pub struct Scenario {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    pub space: Space,
    pub params: Vec<ConfigParameter>,
    pub events: Recorder,
    /// The partition and selected containers of every run (default: none).
    pub containers: Containers,
}

fn demo_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("ecma2-demo");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p ecma2-demo`",
        path.display()
    );
    path
}

pub fn param(name: &str, value: &str) -> ConfigParameter {
    ConfigParameter {
        name: name.into(),
        value: value.into(),
        ..Default::default()
    }
}

impl Scenario {
    /// A host with the demo connector named `demo`, its database seeded with `users` users.
    pub async fn new(users: u32, extra: &[(&str, &str)]) -> Self {
        Self::with_connectors(users, extra, &[]).await
    }

    /// As [`Scenario::new`], with more connectors running the demo binary under `others`' names
    /// (each needs its own `database` parameter when it runs).
    pub async fn with_connectors(users: u32, extra: &[(&str, &str)], others: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut text = format!(
            "state_dir = {:?}\n[engine]\nlisten = \"unix:{}\"\n[[connector]]\nname = \"demo\"\ncommand = {:?}\n",
            dir.path().join("host").display().to_string(),
            dir.path().join("engine.sock").display(),
            demo_binary().display().to_string()
        );
        for name in others {
            text.push_str(&format!(
                "[[connector]]\nname = {name:?}\ncommand = {:?}\n",
                demo_binary().display().to_string()
            ));
        }
        let config = HostConfig::parse(&dir.path().join("host.toml"), &text).unwrap();
        let engine = Engine::start(config).await.unwrap();
        let space = Space::open(&dir.path().join("space")).unwrap();
        let mut params = vec![
            param("database", &dir.path().join("demo.db").display().to_string()),
            param("seed_users", &users.to_string()),
            param("observe_file", &dir.path().join("observe.jsonl").display().to_string()),
        ];
        params.extend(extra.iter().map(|(k, v)| param(k, v)));
        Self {
            dir,
            engine,
            space,
            params,
            events: Recorder::default(),
            containers: Containers::default(),
        }
    }

    pub async fn import(&mut self, delta: bool, page_size: i32) -> ecma2_engine::Result<Summary> {
        let engine = &self.engine;
        let space = &self.space;
        let mut options = ImportOptions::new("demo", self.params.clone());
        options.delta = delta;
        options.page_size = page_size;
        options.observer = Some(&mut self.events);
        options.containers = self.containers.clone();
        ecma2_engine::import(engine, space, options).await
    }

    /// Waits (with a deadline) until the host has the connector back: it restarts a
    /// connector that died.
    pub async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            match ecma2_engine::capabilities::capabilities(&self.engine, "demo", &self.params).await {
                Ok(_) => return,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    eprintln!("waiting for the connector: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("the connector did not come back: {e}"),
            }
        }
    }

    /// Exports everything staged; returns the summary and every entry sent (the drop file).
    pub async fn export(&mut self, batch_size: i32) -> (Summary, Vec<Value>) {
        self.try_export(batch_size, false).await.unwrap()
    }

    /// Exports everything staged (or, `full`, runs a Full Export).
    pub async fn try_export(&mut self, batch_size: i32, full: bool) -> ecma2_engine::Result<(Summary, Vec<Value>)> {
        let mut drop = Vec::new();
        let mut options = ExportOptions::new("demo", self.params.clone());
        options.batch_size = batch_size;
        options.drop_file = Some(&mut drop);
        options.observer = Some(&mut self.events);
        options.containers = self.containers.clone();
        options.full = full;
        let summary = ecma2_engine::export(&self.engine, &self.space, options).await?;
        let sent = String::from_utf8(drop)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Ok((summary, sent))
    }

    /// The run's partition and containers: `partition` with `excluded` containers.
    pub fn select(&mut self, partition: &str, included: &[&str], excluded: &[&str]) {
        self.containers = Containers {
            partition: Some(ecma2_proto::pb::Partition {
                dn: partition.into(),
                ..Default::default()
            }),
            included: included.iter().map(|s| s.to_string()).collect(),
            excluded: excluded.iter().map(|s| s.to_string()).collect(),
        };
    }

    /// Every DN the connector space holds for the demo connector.
    pub fn dns(&self) -> Vec<String> {
        self.space
            .objects("demo")
            .unwrap()
            .into_iter()
            .map(|o| o.dn.to_lowercase())
            .collect()
    }

    /// Stages changes given as the CLI's JSON Lines objects.
    pub async fn stage(&self, changes: &[Value]) {
        let schema = self
            .engine
            .connectors()
            .get_schema(self.engine.request(
                "demo",
                GetSchemaRequest {
                    config_parameters: self.params.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .schema
            .unwrap_or_default();
        let types = stage::attr_types(&schema);
        for change in changes {
            let change = stage::parse_change(&change.to_string(), &types).unwrap();
            self.space.stage("demo", &change).unwrap();
        }
    }

    /// Runs SQL on the demo connector's database.
    pub fn demo_sql(&self, statement: &str) {
        let db = rusqlite::Connection::open(self.dir.path().join("demo.db")).unwrap();
        assert!(db.execute(statement, []).unwrap() > 0, "{statement} changed nothing");
    }

    /// The demo connector's observe events of one kind.
    pub fn observed(&self, event: &str) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("observe.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["event"] == event)
            .collect()
    }

    pub async fn finish(self) {
        self.engine.finish().await;
    }
}

/// The entries of a drop file for one DN.
pub fn sent_for<'a>(sent: &'a [Value], dn: &str) -> Vec<&'a Value> {
    sent.iter()
        .filter(|e| e["dn"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(dn)))
        .collect()
}

/// The attribute names an entry carries.
pub fn attribute_names(entry: &Value) -> Vec<String> {
    entry["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}
