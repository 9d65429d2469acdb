//! Progress on stderr. On a terminal, an indicatif spinner from the moment a run starts (so a
//! slow Open shows as working, not hung) with the elapsed time, the totals and the current rate;
//! elsewhere (CI, pipes) one plain line per page or batch so logs stay readable. [`Progress`]
//! turns the engine's events into these lines and into the object-error and warning lines.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use ecma2_engine::{Event, Observer};
use indicatif::{ProgressBar, ProgressStyle};

/// Shows a run's progress and events.
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    last: (Instant, u64),
    /// When the spinner's message last changed (it changes at most every [`REDRAW`]).
    shown: Option<Instant>,
}

/// The spinner's message changes at most this often: a large import has hundreds of pages a
/// second, and formatting and drawing each would be work for nothing.
const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    /// Starts showing `label` ("full import of demo").
    pub fn start(label: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner:.green} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(format!("{label}: opening…"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            label: label.to_owned(),
            last: (Instant::now(), 0),
            shown: None,
        }
    }

    /// Whether a progress status is due: always without a terminal (one line per page), at
    /// most every [`REDRAW`] on one.
    fn due(&mut self) -> bool {
        if self.bar.is_none() {
            return true;
        }
        if self.shown.is_some_and(|at| at.elapsed() < REDRAW) {
            return false;
        }
        self.shown = Some(Instant::now());
        true
    }

    /// The rate since the previous event.
    fn rate_now(&mut self, total: u64) -> f64 {
        let (at, before) = self.last;
        let seconds = at.elapsed().as_secs_f64().max(1e-3);
        self.last = (Instant::now(), total);
        total.saturating_sub(before) as f64 / seconds
    }

    fn status(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.set_message(text),
            None => eprintln!("  {text}"),
        }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(format!("  {text}")),
            None => eprintln!("  {text}"),
        }
    }

    /// Ends the display (also done by the run's last event).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}

impl Observer for Progress {
    fn event(&mut self, event: Event) {
        match event {
            Event::ImportPage {
                page,
                objects,
                errors,
                objects_per_second,
            } => {
                if !self.due() {
                    return;
                }
                let now = self.rate_now(objects);
                self.status(format!(
                    "{}: page {page}, {objects} objects, {errors} errors, {now:.0} objects/s now ({objects_per_second:.0} average)",
                    self.label
                ))
            }
            Event::ExportPass {
                pass,
                sent,
                queued,
                errors,
            } => {
                if !self.due() {
                    return;
                }
                let now = self.rate_now(sent as u64);
                self.status(format!(
                    "{}: pass {pass}, {sent} of {queued} sent, {errors} errors, {now:.0} objects/s now",
                    self.label
                ))
            }
            Event::ProgressDone => self.finish(),
            Event::ImportObjectError { dn, code, name, detail } => {
                self.line(format!("object error {code:?} on {dn}: {name} {detail}"))
            }
            Event::ObsolescenceSkipped { errors } => self.line(format!(
                "{} object error{}: obsolescence skipped",
                errors,
                if errors == 1 { "" } else { "s" }
            )),
            Event::ExportedChangeNotReimported { dn, kind } => self.line(format!(
                "warning exported-change-not-reimported: the exported {kind} of {dn} did not come back"
            )),
            Event::ExportObjectError { dn, code, name, detail } => self.line(format!("{dn}: {code:?} {name} {detail}")),
            Event::ExportFailed { dn, reason } => self.line(format!("{dn}: {reason}")),
            Event::ProvisioningParent { parent, dn } => self.line(format!("provisioning parent {parent} for {dn}")),
        }
    }
}
