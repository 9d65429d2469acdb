//! Item 8: the Java SDK against the Rust SDK. The same generated users (generator.rs and
//! sdk/java's `GeneratorConnector`, identical entries) are imported engine → connector from a
//! Rust SDK process and from a JVM, N objects in alternating rounds after one untimed warm-up
//! each (the JVM compiles hot code as it runs); the best rounds give the ratio Java / Rust. Also
//! the JVM connector's start-to-ready time. Needs `java` and the example jar
//! (`mvn package` in sdk/java); without them the rows say why they were not measured.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, ensure};
use ecma2_proto::pb::Schema;
use tracing::info;

use crate::engine::{ImportRun, import_all, param};
use crate::procs::launch_connector;
use crate::report::Report;
use crate::stats::Summary;
use crate::{Plan, generator};

/// The example jar that holds the Java generator.
pub fn jar() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/java/example/target/ecma2-example.jar")
}

const JAVA_MAIN: &str = "dev.ecma2host.example.GeneratorConnector";

/// What item 8 measured.
#[derive(Debug, Clone, Default)]
pub struct JavaRow {
    /// The best round of the Rust SDK generator.
    pub rust: ImportRun,
    /// The best round of the Java SDK generator.
    pub java: ImportRun,
    /// (to the ready line, to the handshake) of the JVM connector.
    pub starts: (Summary, Summary),
}

/// Measures item 8, or says why it cannot run here.
pub async fn measure(work: &Path, plan: &Plan) -> Result<JavaRow, String> {
    let jar = jar();
    if !jar.exists() {
        return Err(format!(
            "{} is missing (mvn package in sdk/java builds it)",
            jar.display()
        ));
    }
    run(work, plan, &jar).await.map_err(|e| format!("{e:#}"))
}

async fn run(work: &Path, plan: &Plan, jar: &Path) -> Result<JavaRow> {
    let jar_text = jar.display().to_string();
    let java_args = ["-cp", jar_text.as_str(), JAVA_MAIN];
    let me = std::env::current_exe().context("locating ecma2-bench")?;
    info!(times = plan.starts, "item 8: JVM connector start to ready");
    let starts = crate::starts(Path::new("java"), &java_args, work, "start-java", plan.starts).await?;

    let mut rust = launch_connector(&me, &[generator::SERVE_ARG], work, "rust-generator").await?;
    let mut java = launch_connector(Path::new("java"), &java_args, work, "java-generator").await?;
    let params = [param("Objects", plan.objects.to_string())];
    let warm = [param("Objects", (plan.objects / 10).max(1000).to_string())];
    let schema = Schema::default();
    let mut row = JavaRow::default();
    let measured = async {
        import_all(&mut rust.client, &warm, &schema, plan.page_size).await?;
        import_all(&mut java.client, &warm, &schema, plan.page_size).await?;
        for round in 1..=plan.rounds {
            let order = if round % 2 == 1 { [true, false] } else { [false, true] };
            for is_java in order {
                info!(
                    round,
                    objects = plan.objects,
                    java = is_java,
                    "item 8: import, Java vs Rust SDK"
                );
                let (client, best) = if is_java {
                    (&mut java.client, &mut row.java)
                } else {
                    (&mut rust.client, &mut row.rust)
                };
                let run = import_all(client, &params, &schema, plan.page_size).await?;
                ensure!(
                    run.objects == plan.objects,
                    "imported {} objects of {}",
                    run.objects,
                    plan.objects
                );
                if best.objects == 0 || run.rate() > best.rate() {
                    *best = run;
                }
            }
        }
        Ok(())
    }
    .await;
    rust.stop().await;
    java.stop().await;
    measured?;
    row.starts = starts;
    Ok(row)
}

/// The rows of item 8.
pub fn rows(report: &mut Report, plan: &Plan, java: &Option<Result<JavaRow, String>>) {
    let what = format!(
        "import {} generated users (the demo's shape), engine → connector: Rust SDK, Java SDK (JVM), \
         and ratio Java / Rust; best of {} rounds after a warm-up",
        crate::stats::thousands(plan.objects),
        plan.rounds
    );
    let start = format!(
        "start to ready, JVM connector (java -cp ecma2-example.jar): to the ready line / to a completed \
         handshake, p50 of {}",
        plan.starts
    );
    match java {
        Some(Ok(r)) => {
            let text = |run: &ImportRun| format!("{:.0} objects/s ({:.2} s)", run.rate(), run.elapsed.as_secs_f64());
            report.row(
                "8 sdk",
                what,
                format!(
                    "Rust {}; Java {}; ratio {:.2}",
                    text(&r.rust),
                    text(&r.java),
                    r.java.rate() / r.rust.rate()
                ),
            );
            report.row(
                "8 jvm start",
                start,
                format!(
                    "{:.0} ms / {:.0} ms",
                    r.starts.0.p50.as_secs_f64() * 1000.0,
                    r.starts.1.p50.as_secs_f64() * 1000.0
                ),
            );
        }
        Some(Err(why)) => {
            report.not_measured("8 sdk", what, why.clone());
            report.not_measured("8 jvm start", start, why.clone());
        }
        None => {
            report.not_measured("8 sdk", what, "the run stopped before item 8");
            report.not_measured("8 jvm start", start, "the run stopped before item 8");
        }
    }
}
