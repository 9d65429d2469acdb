//! `ecma2 conformance`: the front of the conformance kit (the `ecma2-conformance` crate). It
//! builds the subject (the connector through the host, plus its command line from the host
//! config for the process checks), runs the kit, prints progress and the report, and writes
//! `--junit`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ecma2_conformance::report::{human, json, junit};
use ecma2_conformance::{Check, CheckResult, Kit, Launch, Observer, RunOptions, Subject};
use ecma2_engine::Engine;
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::ConfigParameter;

/// `ecma2 conformance` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: crate::Target,
    /// Run only the checks that read; checks that write to the connector's target are skipped.
    #[arg(long)]
    pub read_only: bool,
    /// Also write the report as JUnit XML to this file.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Run only this check (rule id; repeatable).
    #[arg(long = "only", value_name = "RULE")]
    pub only: Vec<String>,
}

/// Prints each check as it runs, and what a writing check writes before it starts.
struct Progress;

impl Observer for Progress {
    fn starting(&mut self, check: &Check) {
        if let Some(writes) = check.writes {
            eprintln!("  writes {}: {writes}", check.id);
        }
    }

    fn finished(&mut self, result: &CheckResult) {
        eprintln!("{}", human::progress_line(result));
    }
}

/// The connector's command line from the host config, for the process checks.
fn launch_of(config: Option<&Path>, connector: &str) -> Result<Option<Launch>> {
    let Some(path) = config else {
        return Ok(None);
    };
    let config = HostConfig::load(path)?;
    let c = config
        .connectors
        .iter()
        .find(|c| c.name == connector)
        .with_context(|| format!("{} has no [[connector]] named {connector:?}", path.display()))?;
    Ok(c.command.as_ref().map(|program| Launch {
        program: program.clone(),
        args: c.args.clone(),
        env: c.env.clone(),
        working_dir: c.working_dir.clone(),
    }))
}

/// Runs the kit; fails when a check failed.
pub async fn run(
    engine: &Engine,
    config: Option<&Path>,
    args: &Args,
    params: Vec<ConfigParameter>,
    as_json: bool,
) -> Result<()> {
    let connector = &args.target.connector;
    let mut subject = Subject::new(engine, connector, params).await?;
    match launch_of(config, connector)? {
        Some(launch) => subject = subject.with_launch(launch),
        None => eprintln!(
            "conformance: process checks skipped: they launch the connector themselves, from the [[connector]] command of --config"
        ),
    }
    if args.read_only {
        eprintln!("conformance: read-only: checks that write to the target are skipped");
    } else {
        eprintln!(
            "conformance: checks marked [writes] create objects named {}… in the connector's target and delete them afterwards; --read-only skips them",
            ecma2_conformance::PREFIX
        );
    }
    let options = RunOptions {
        read_only: args.read_only,
        only: args.only.clone(),
    };
    let kit = Kit::standard();
    if let Some(unknown) = args.only.iter().find(|id| !kit.checks().iter().any(|c| c.id == *id)) {
        return Err(crate::output::Usage(format!(
            "there is no check {unknown:?} (checks: {})",
            ids(&kit).join(", ")
        ))
        .into());
    }
    let report = kit.run(&subject, &options, &mut Progress).await;
    if let Some(path) = &args.junit {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        junit::write(&report, &mut file)
            .and_then(|_| file.flush())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let failed = (!report.ok()).then(|| {
        format!(
            "connector {connector} failed conformance: {}",
            report.failed_ids().join(", ")
        )
    });
    match (as_json, failed) {
        // One JSON document per command: a failed kit's report travels inside the error.
        (true, Some(message)) => {
            let report: serde_json::Value =
                serde_json::from_str(&json::to_string(&report)).context("encoding the report")?;
            return Err(crate::output::Failed {
                message,
                details: Some(("report", report)),
            }
            .into());
        }
        (true, None) => println!("{}", json::to_string(&report)),
        (false, failed) => {
            human::write(&report, &mut std::io::stdout().lock())?;
            if let Some(message) = failed {
                return Err(crate::output::Failed { message, details: None }.into());
            }
        }
    }
    Ok(())
}

fn ids(kit: &Kit) -> Vec<&'static str> {
    kit.checks().iter().map(|c| c.id).collect()
}
