//! Turns a run's [`Measurements`] into the table: the header (date, build, command, machine,
//! load, parameters, links), one row per measurement, and the targets of issue #7 with a
//! verdict each. The row keys in the first column are stable; the quick test looks rows up by
//! them.

use std::time::Duration;

use crate::engine::{ExportRun, ImportRun};
use crate::report::{Report, Verdict};
use crate::stats::{Summary, added, latency, mib, rate, thousands};
use crate::{Measurements, Plan, Throughput};

/// The host's memory target.
const RSS_LIMIT: u64 = 64 << 20;

fn run_text(run: &ImportRun) -> String {
    format!("{} ({:.2} s)", rate(run.rate()), run.elapsed.as_secs_f64())
}

fn export_text(run: &ExportRun) -> String {
    format!("{} ({:.2} s)", rate(run.rate()), run.elapsed.as_secs_f64())
}

/// "CPU per object: engine 1.2 µs, host 2.3 µs; wake-ups per 1,000 objects: engine 40, host 90"
/// for the processes a path names.
fn cpu_text(path: &Throughput, names: &[&str]) -> String {
    let objects = path.objects.max(1) as f64;
    let cpu: Vec<String> = names
        .iter()
        .zip(&path.usage)
        .map(|(name, u)| format!("{name} {:.1} µs", u.cpu.as_secs_f64() * 1e6 / objects))
        .collect();
    let wakeups: Vec<String> = names
        .iter()
        .zip(&path.usage)
        .map(|(name, u)| format!("{name} {:.0}", u.wakeups as f64 * 1000.0 / objects))
        .collect();
    format!(
        "CPU per object: {}; wake-ups per 1,000 objects: {}",
        cpu.join(", "),
        wakeups.join(", ")
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn p50_p99(s: &Summary) -> String {
    format!("{} / {}", latency(s.p50), latency(s.p99))
}

/// "wake-ups per call: engine 3.1, host 8.0" for the processes a path names.
fn wakeups_per_call(per_call: &[f64], names: &[&str]) -> String {
    let parts: Vec<String> = names
        .iter()
        .zip(per_call)
        .map(|(name, n)| format!("{name} {n:.1}"))
        .collect();
    format!("wake-ups per call: {}", parts.join(", "))
}

fn header(m: &Measurements, plan: &Plan) -> Vec<String> {
    let machine = format!(
        "{} cores ({}), {:.1} GiB memory, Linux {}",
        m.machine.cores,
        m.machine.cpu,
        m.machine.memory as f64 / (1u64 << 30) as f64,
        m.machine.kernel
    );
    vec![
        "# ecma2-bench: what the host costs".to_owned(),
        String::new(),
        format!(
            "- **date** {}; **build** {}; **command** `{}`",
            m.date,
            if cfg!(debug_assertions) { "debug" } else { "release" },
            m.command
        ),
        format!("- **machine** {machine}"),
        format!(
            "- **load average** (1, 5, 15 min) {} before, {} after",
            m.load.0, m.load.1
        ),
        format!(
            "- **parameters** N = {} generated users (+ {} fixed objects; about 10 attributes, {} bytes encoded \
             on average), page size {}; M = {} (batch {}); R = {}; {} one-object pages per path after {} \
             untimed; {} objects of 1 MiB; {} launches per connector; best of {} round(s) for items 1, 6 and 7",
            thousands(plan.objects),
            m.objects.saturating_sub(plan.objects),
            m.entry_size,
            thousands(plan.page_size as u64),
            thousands(plan.export_objects),
            thousands(plan.batch_size as u64),
            thousands(u64::from(plan.close_runs)),
            thousands(u64::from(plan.calls)),
            plan.warmup,
            plan.big_objects,
            plan.starts,
            plan.rounds
        ),
        "- **links** engine → connector, engine → host and host → connector over Unix sockets (item 7 also \
         host → connector over TCP loopback); host and connectors are separate processes logging at `info`, \
         as deployed"
            .to_owned(),
    ]
}

/// The table of a run.
pub fn table(m: &Measurements) -> Report {
    let plan = &m.plan;
    let mut report = Report {
        header: header(m, plan),
        ..Default::default()
    };
    let n = thousands(m.objects);

    // 1. Import throughput.
    report.row(
        "1a",
        format!("import {n} objects in-process: the demo connector's CallImport code called directly"),
        format!(
            "{}; {}",
            run_text(&m.in_process.best),
            cpu_text(&m.in_process, &["all"])
        ),
    );
    report.row(
        "1a'",
        "same, through the SDK's ConnectorServer called in-process (sessions, a task per call, framing; \
         no encoding, no socket)",
        format!(
            "{}; {}",
            run_text(&m.in_process_sdk.best),
            cpu_text(&m.in_process_sdk, &["all"])
        ),
    );
    report.row(
        "1b",
        "import, engine → connector over gRPC",
        format!(
            "{}; {}",
            run_text(&m.direct.best),
            cpu_text(&m.direct, &["engine", "connector"])
        ),
    );
    report.row(
        "1c",
        "import, engine → host → connector",
        format!(
            "{}; {}",
            run_text(&m.host.best),
            cpu_text(&m.host, &["engine", "host", "connector"])
        ),
    );
    report.row(
        "1 b/a",
        "ratio b/a (the cost of the wire and the process boundary)",
        format!("{:.2}", m.direct.rate() / m.in_process.rate()),
    );
    let cb = m.host.rate() / m.direct.rate();
    report.target(
        "1 c/b",
        "ratio c/b (the cost of the host)",
        format!("{cb:.2}"),
        "≥ 0.95",
        Verdict::of(cb >= 0.95),
    );

    // 2. One-object pages.
    let [direct, host, _, proxy] = &m.latency;
    report.row(
        "2 in-process",
        format!(
            "one-object page (GetImportEntries, page size 1) through the SDK's ConnectorServer in-process \
             (no socket): p50 / p99 of {}",
            thousands(u64::from(plan.calls))
        ),
        p50_p99(&m.latency_in_process),
    );
    report.row(
        "2 direct",
        format!(
            "same, engine → connector over gRPC: p50 / p99 of {}",
            thousands(u64::from(plan.calls))
        ),
        format!(
            "{}; {}",
            p50_p99(direct),
            wakeups_per_call(&m.latency_wakeups[0], &["engine", "connector"])
        ),
    );
    report.row(
        "2 host",
        "same, engine → host → connector",
        format!(
            "{}; {}",
            p50_p99(host),
            wakeups_per_call(&m.latency_wakeups[1], &["engine", "host", "connector"])
        ),
    );
    report.row(
        "2 proxy",
        "same, engine → plain tonic pass-through proxy → connector (bench/src/proxy.rs: any path, no decoding, \
         the host's transport on both hops, one runtime thread; the floor of a relay)",
        format!(
            "{}; {}",
            p50_p99(proxy),
            wakeups_per_call(&m.latency_wakeups[3], &["engine", "proxy", "connector"])
        ),
    );
    let (p50, p50_text) = added(host.p50, direct.p50);
    let (proxy_p50, proxy_p50_text) = added(proxy.p50, direct.p50);
    let (_, p99_text) = added(host.p99, direct.p99);
    let (_, proxy_p99_text) = added(proxy.p99, direct.p99);
    report.row(
        "2 added p50",
        "latency added to a one-object page, p50: by the host / by the plain proxy",
        format!("{p50_text} / {proxy_p50_text}"),
    );
    report.row(
        "2 added p99",
        "latency added to a one-object page, p99: by the host / by the plain proxy",
        format!("{p99_text} / {proxy_p99_text}"),
    );
    let ratio = p50 / proxy_p50;
    report.target(
        "2 host/proxy",
        "host-added latency (p50) / proxy-added latency (p50), same run, paths interleaved",
        format!("{ratio:.2}"),
        "≤ 1.05",
        Verdict::of(proxy_p50 > 0.0 && ratio <= 1.05),
    );

    // 3. Host memory.
    let (small_objects, rss_small) = m.rss_small;
    report.row(
        "3 idle",
        "host peak RSS (VmHWM) after start, before any call",
        mib(m.rss_idle),
    );
    report.target(
        "3 small",
        format!("host peak RSS importing {} objects", thousands(small_objects)),
        mib(rss_small),
        "< 64 MiB",
        Verdict::of(rss_small < RSS_LIMIT),
    );
    report.target(
        "3 N",
        format!("host peak RSS importing {n} objects ({} time(s))", plan.rounds),
        mib(m.rss_big),
        "< 64 MiB",
        Verdict::of(m.rss_big < RSS_LIMIT),
    );
    let growth = m.rss_big as i64 - rss_small as i64;
    report.target(
        "3 flat",
        format!(
            "growth of the host's peak RSS from {} to {n} objects",
            thousands(small_objects)
        ),
        format!("{:+.1} MiB", growth as f64 / (1u64 << 20) as f64),
        "flat (≤ 2 MiB or 10 %)",
        Verdict::of(growth <= (2 << 20).max(rss_small as i64 / 10)),
    );
    report.target(
        "3 1MiB",
        format!(
            "host peak RSS importing {} objects of 1 MiB (each crosses as 2 fragments)",
            plan.big_objects
        ),
        mib(m.rss_photos),
        "< 64 MiB",
        Verdict::of(m.rss_photos < RSS_LIMIT),
    );

    // 4. Close latency.
    let (close, cancelled) = &m.close;
    report.target(
        "4",
        format!(
            "close latency: engine cancels a blocked GetImportEntries → the connector's Close, through the host: \
             p50 / p99 of {} (±0.5 ms: the connector stamps whole milliseconds)",
            thousands(u64::from(plan.close_runs))
        ),
        format!(
            "{:.1} ms / {:.1} ms (cancellation seen: {:.1} ms / {:.1} ms)",
            ms(close.p50),
            ms(close.p99),
            ms(cancelled.p50),
            ms(cancelled.p99)
        ),
        "p99 ≤ 50 ms",
        Verdict::of(close.p99 <= Duration::from_millis(50)),
    );

    // 5. Start to ready.
    let start_text =
        |(ready, handshake): &(Summary, Summary)| format!("{} / {}", latency(ready.p50), latency(handshake.p50));
    report.row(
        "5 rust",
        format!(
            "start to ready, Rust demo connector: launch → ready line / → handshake answered, p50 of {}",
            plan.starts
        ),
        start_text(&m.rust_starts),
    );
    let python = format!(
        "start to ready, Python HR connector (connectors/hr-python): same, p50 of {}",
        plan.starts
    );
    match &m.python_starts {
        Some(Ok(s)) => report.row("5 python", python, start_text(s)),
        Some(Err(why)) => report.not_measured("5 python", python, why.clone()),
        None => report.not_measured("5 python", python, "the run stopped before item 5"),
    }

    // 6. Export throughput.
    let (direct, host) = &m.export;
    report.row(
        "6 direct",
        format!(
            "export {} objects (user adds of {} bytes encoded on average), engine → connector",
            thousands(direct.objects),
            m.export_size
        ),
        export_text(direct),
    );
    report.row("6 host", "export, engine → host → connector", export_text(host));
    let ratio = host.rate() / direct.rate();
    report.target(
        "6 ratio",
        "ratio host / direct",
        format!("{ratio:.2}"),
        "≥ 0.95 (as c/b)",
        Verdict::of(ratio >= 0.95),
    );

    // 7. Unix socket vs TCP loopback for the host → connector hop.
    let [_, unix_latency, tcp_latency, _] = &m.latency;
    report.row(
        "7 unix",
        "host → connector over a Unix socket: import throughput (= 1c); one-object page p50 / p99 (= 2 host)",
        format!("{}; {}", rate(m.host.rate()), p50_p99(unix_latency)),
    );
    report.row(
        "7 tcp",
        "host → connector over TCP loopback: import throughput; one-object page p50 / p99",
        format!(
            "{}; {}; {}; {}",
            rate(m.host_tcp.rate()),
            p50_p99(tcp_latency),
            cpu_text(&m.host_tcp, &["engine", "host", "connector"]),
            wakeups_per_call(&m.latency_wakeups[2], &["engine", "host", "connector"])
        ),
    );
    report.row(
        "7 ratio",
        "throughput TCP / Unix",
        format!("{:.2}", m.host_tcp.rate() / m.host.rate()),
    );

    // 8. The Java SDK against the Rust SDK.
    crate::java::rows(&mut report, plan, &m.java);
    crate::python::rows(&mut report, plan.objects, plan.rounds, &m.python);

    // 9. The .NET bridge (bench/src/bridge.rs).
    let bridge = format!(
        "import {} objects through the .NET bridge (Ecma2Bridge.dll driven by Ecma2Driver.exe on mono, gRPC-Web over \
         HTTP/1.1) and through the Rust engine client (gRPC, HTTP/2), same host and connector, best of {}",
        thousands(plan.small),
        plan.rounds
    );
    match &m.bridge {
        Some(Ok(b)) => report.row(
            "9 bridge",
            bridge,
            format!(
                "bridge {}; Rust client {}; Rust / bridge {:.2}",
                run_text(&b.bridge),
                run_text(&b.rust),
                b.ratio()
            ),
        ),
        Some(Err(why)) => report.not_measured("9 bridge", bridge, why.clone()),
        None => report.not_measured("9 bridge", bridge, "the run stopped before item 9"),
    }

    // 11. The TypeScript SDK against the Rust SDK.
    let what = format!(
        "import {} synthetic users, engine → connector: TypeScript SDK / Rust SDK (same generated users, sdk/typescript/bench/synthetic.ts vs bench/src/synthetic.rs)",
        thousands(plan.objects)
    );
    match &m.typescript {
        Some(Ok(race)) => report.row(
            "11 typescript",
            what,
            format!(
                "{:.2} (TypeScript {}, Rust {})",
                race.ratio(),
                run_text(&race.typescript),
                run_text(&race.rust)
            ),
        ),
        Some(Err(why)) => report.not_measured("11 typescript", what, why.clone()),
        None => report.not_measured("11 typescript", what, "the run stopped before item 11"),
    }

    scale_rows(&mut report, m);
    report
}

/// Item 12: many connectors and sessions through one host.
fn scale_rows(report: &mut Report, m: &Measurements) {
    let s = &m.scale;
    let median = s.median();
    let relayed = |r: &crate::scale::Relayed| {
        format!(
            "{} ({:.2} s); host CPU per object {:.2} µs",
            rate(r.rate()),
            r.elapsed.as_secs_f64(),
            r.cpu_per_object()
        )
    };
    report.row(
        "12 one",
        format!(
            "one import session at a time through a host running {} demo connectors ({} objects in all, page size {}; \
             the round of {} with the median `12 cpu`)",
            s.connectors,
            thousands(median.one.objects),
            thousands(m.plan.page_size as u64),
            s.rounds.len()
        ),
        relayed(&median.one),
    );
    report.row(
        "12 many",
        format!(
            "{} connectors × {} concurrent import sessions through the same host, each connector over its own \
             engine connection ({} objects in all; same round)",
            s.connectors,
            s.sessions,
            thousands(median.many.objects)
        ),
        format!(
            "{}; {:.2} × the single session's rate",
            relayed(&median.many),
            median.many.rate() / median.one.rate()
        ),
    );
    let cpu = median.cpu_ratio();
    report.target(
        "12 cpu",
        "host CPU per object with every session at once / with one session alone, each round's two phases \
         back to back: the median round",
        format!("{cpu:.2} (rounds: {})", s.ratios()),
        "≤ 1.00",
        Verdict::of(cpu <= 1.0),
    );
    report.target(
        "12 rss",
        format!(
            "host peak RSS (VmHWM) over items 12 one and many ({} connectors × {} sessions)",
            s.connectors, s.sessions
        ),
        mib(s.peak_rss),
        "< 64 MiB",
        Verdict::of(s.peak_rss < RSS_LIMIT),
    );
}
