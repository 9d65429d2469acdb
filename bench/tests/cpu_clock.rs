//! The host's CPU clock of item 12 (`machine::thread_cpu_time`), in a test binary of its own:
//! it sums the live threads of a process, so test threads of other tests exiting meanwhile would
//! take their time out of the sum.

use std::time::{Duration, Instant};

use ecma2_bench::machine::{cpu_time, thread_cpu_time};

/// Busy until the nanosecond clock has seen 30 ms (the machine may be loaded: wall time is only
/// a cap), and the 10 ms ticks agree within two.
#[test]
fn the_thread_clock_sees_a_busy_loop_as_the_ticks_do() {
    let me = std::process::id();
    let (before, ticks) = (thread_cpu_time(me).unwrap(), cpu_time(me).unwrap());
    let started = Instant::now();
    let mut used = Duration::ZERO;
    while used < Duration::from_millis(30) && started.elapsed() < Duration::from_secs(10) {
        std::hint::black_box(started.elapsed());
        used = thread_cpu_time(me).unwrap().saturating_sub(before);
    }
    assert!(used >= Duration::from_millis(30), "{used:?} of CPU in 10 s of spinning");
    let by_ticks = cpu_time(me).unwrap().saturating_sub(ticks);
    assert!(
        used.abs_diff(by_ticks) <= Duration::from_millis(20),
        "{used:?} against {by_ticks:?}"
    );
}
