//! What the table's header says about the machine (cores, CPU, memory, kernel, load) and the
//! one per-process figure the benchmark reads from the kernel: peak resident set size.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};

/// The machine a run measured.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// Logical cores available to this process.
    pub cores: usize,
    /// The CPU model, from /proc/cpuinfo.
    pub cpu: String,
    /// Total memory in bytes, from /proc/meminfo.
    pub memory: u64,
    /// The kernel release.
    pub kernel: String,
}

impl Machine {
    /// Reads the machine's description.
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|r| r.split_once(':'))
                    .map(|(_, v)| v.trim())
            })
            .unwrap_or("unknown CPU")
            .to_owned();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            cpu,
            memory: status_kib(&meminfo, "MemTotal:").unwrap_or_default() * 1024,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
        }
    }
}

/// The 1, 5 and 15 minute load averages, as /proc/loadavg writes them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// A `Key:   123 kB` value of a /proc file, in KiB.
fn status_kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Peak resident set size (VmHWM) of process `pid`, in bytes.
pub fn vm_hwm(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let kib = status_kib(&text, "VmHWM:").with_context(|| format!("{path} has no VmHWM line"))?;
    Ok(kib * 1024)
}

/// CPU time process `pid`'s live threads have used so far, to the nanosecond: the sum of
/// `/proc/<pid>/task/*/schedstat` (time on a CPU, user and system). `/proc/<pid>/stat` counts in
/// 10 ms ticks, too coarse for a phase in which the host works a few hundred milliseconds.
/// Threads that exited no longer count, so a phase is measured on a process whose threads stay
/// (a tokio runtime's workers); without schedstat (a kernel built without it) this falls back to
/// [`cpu_time`].
pub fn thread_cpu_time(pid: u32) -> Result<Duration> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0u64;
    for task in std::fs::read_dir(&dir).with_context(|| format!("reading {dir}"))? {
        let Ok(text) = std::fs::read_to_string(task?.path().join("schedstat")) else {
            return cpu_time(pid);
        };
        let Some(ns) = text.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()) else {
            return cpu_time(pid);
        };
        total += ns;
    }
    Ok(Duration::from_nanos(total))
}

/// CPU time (user + system) process `pid` has used so far, from `/proc/<pid>/stat`, exited
/// threads included. Linux reports it in USER_HZ ticks, which are 1/100 s on every architecture
/// the host runs on.
pub fn cpu_time(pid: u32) -> Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // The command name may hold spaces; the fields we want follow its closing parenthesis.
    let after = text.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    let (user, system) = ticks(11)
        .zip(ticks(12))
        .with_context(|| format!("{path} has no utime/stime"))?;
    Ok(Duration::from_millis((user + system) * 10))
}

/// Voluntary context switches (a thread blocked, then was woken) of process `pid`'s live
/// threads, from `/proc/<pid>/task/*/status`: how often its threads waited for one another or for
/// a socket. Threads that have exited no longer count.
pub fn wakeups(pid: u32) -> Result<u64> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0;
    for task in std::fs::read_dir(&dir).with_context(|| format!("reading {dir}"))? {
        let status = std::fs::read_to_string(task?.path().join("status")).unwrap_or_default();
        total += status_kib(&status, "voluntary_ctxt_switches:").unwrap_or_default();
    }
    Ok(total)
}

/// The current UTC time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
    }

    #[test]
    fn status_values_parse() {
        let text = "Name:\tx\nVmHWM:\t   10240 kB\nVmRSS:\t 5 kB\n";
        assert_eq!(status_kib(text, "VmHWM:"), Some(10_240));
        assert_eq!(status_kib(text, "VmSwap:"), None);
        assert!(vm_hwm(std::process::id()).unwrap() > 0);
        thread_cpu_time(std::process::id()).unwrap();
        cpu_time(std::process::id()).unwrap();
        wakeups(std::process::id()).unwrap();
    }
}
