//! Percentiles and the number formats of the table.

use std::time::Duration;

/// Percentiles of a set of samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Largest sample.
    pub max: Duration,
}

/// The nearest-rank percentile `q` (0..=1) of sorted samples.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarizes `samples`.
pub fn summarize(samples: &[Duration]) -> Summary {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    Summary {
        count: sorted.len(),
        p50: percentile(&sorted, 0.50),
        p99: percentile(&sorted, 0.99),
        max: sorted.last().copied().unwrap_or_default(),
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate as whole objects per second.
pub fn rate(per_second: f64) -> String {
    format!("{} objects/s", thousands(per_second.round() as u64))
}

/// A latency in µs below 10 ms, else in ms.
pub fn latency(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 10_000.0 {
        format!("{micros:.0} µs")
    } else {
        format!("{:.1} ms", micros / 1000.0)
    }
}

/// A signed difference of two latencies, in µs.
pub fn added(host: Duration, direct: Duration) -> (f64, String) {
    let micros = (host.as_secs_f64() - direct.as_secs_f64()) * 1e6;
    (micros, format!("{micros:+.0} µs"))
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let s = summarize(&samples);
        assert_eq!(s.p50, Duration::from_millis(50));
        assert_eq!(s.p99, Duration::from_millis(99));
        assert_eq!(s.max, Duration::from_millis(100));
        assert_eq!(summarize(&[]).p99, Duration::ZERO);
    }

    #[test]
    fn numbers_format() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(latency(Duration::from_micros(57)), "57 µs");
        assert_eq!(latency(Duration::from_millis(12)), "12.0 ms");
        assert_eq!(mib(3 * 1024 * 1024 / 2), "1.5 MiB");
    }
}
