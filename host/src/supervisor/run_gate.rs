//! The run gate of one connector: whether an import or export run may overlap the connector's
//! other runs. ECMA2's ConcurrentOperation decides, and the host reads it for each run with that
//! run's own configuration parameters (those its `Open…` carries, as the administrator gave
//! them): from GetCapabilitiesEx when the connector has it, else from the GetCapabilities answer
//! read when the connector started. A run whose answer is false runs alone among the runs of its
//! connector: it waits for the runs in progress and holds back the next ones (a writer's lock,
//! fair, so it is not starved); every other run shares the gate (a reader's lock).
//!
//! Answers are cached per parameter set for the current launch (at most
//! [`CACHED_PARAMETER_SETS`], the oldest goes first). The cache keeps no parameter: its key is an
//! HMAC-SHA256 of the parameter set under a key drawn at random for each connector, so neither
//! EncryptedString values nor anything that would let one be guessed is kept, logged or shown.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ecma2_proto::pb::{ConfigParameter, Ecma2Interface, GetCapabilitiesExRequest};
use ring::hmac;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};
use tracing::{debug, warn};

use super::handle::{ConnectorHandle, Ready};

/// How many parameter sets' answers a connector keeps.
pub const CACHED_PARAMETER_SETS: usize = 64;

/// A parameter set's cache key: the HMAC's tag.
type Digest = [u8; 32];

/// The gate, one per connector.
pub struct RunGate {
    lock: Arc<RwLock<()>>,
    /// ConcurrentOperation = false in the GetCapabilities answer read at the connector's start:
    /// what counts for a connector without GetCapabilitiesEx.
    alone_at_start: AtomicBool,
    answers: Mutex<Answers>,
}

/// What a session holds for the length of its run.
#[derive(Debug)]
pub enum RunPermit {
    /// ConcurrentOperation is true: other such runs may overlap this one.
    Shared(OwnedRwLockReadGuard<()>),
    /// ConcurrentOperation is false: no other run of the connector overlaps this one.
    Alone(OwnedRwLockWriteGuard<()>),
}

impl RunPermit {
    /// Whether the run holds the connector alone.
    pub fn alone(&self) -> bool {
        matches!(self, RunPermit::Alone(_))
    }
}

struct Answers {
    key: hmac::Key,
    /// The launch the answers are from; a restarted connector is asked again.
    generation: u64,
    /// (parameter set, ConcurrentOperation = false), oldest first.
    entries: VecDeque<(Digest, bool)>,
}

impl std::fmt::Debug for RunGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let answers = self.answers.lock().expect("answers lock");
        f.debug_struct("RunGate")
            .field("alone_at_start", &self.alone_at_start.load(Ordering::SeqCst))
            .field("generation", &answers.generation)
            .field("cached_parameter_sets", &answers.entries.len())
            .finish_non_exhaustive()
    }
}

impl RunGate {
    pub(super) fn new() -> Self {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &ring::rand::SystemRandom::new())
            .expect("the system's random number generator works");
        Self {
            lock: Arc::new(RwLock::new(())),
            alone_at_start: AtomicBool::new(false),
            answers: Mutex::new(Answers {
                key,
                generation: 0,
                entries: VecDeque::new(),
            }),
        }
    }

    /// Records the GetCapabilities answer of a new launch.
    pub(super) fn set_alone_at_start(&self, alone: bool) {
        self.alone_at_start.store(alone, Ordering::SeqCst);
    }

    /// The cache key of `params`: order does not matter (ECMA2 keys the collection by name).
    fn digest(key: &hmac::Key, params: &[ConfigParameter]) -> Digest {
        let mut sorted: Vec<&ConfigParameter> = params.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        let mut context = hmac::Context::with_key(key);
        let mut field = |bytes: &[u8]| {
            context.update(&(bytes.len() as u64).to_le_bytes());
            context.update(bytes);
        };
        for p in sorted {
            field(p.name.as_bytes());
            field(p.value.as_bytes());
            field(&[u8::from(p.is_encrypted)]);
            match &p.secure_value {
                Some(secret) => {
                    field(&[1]);
                    field(secret.value.as_bytes());
                }
                None => field(&[0]),
            }
        }
        let mut digest = [0; 32];
        digest.copy_from_slice(context.sign().as_ref());
        digest
    }

    /// The cached answer for `digest` in launch `generation`.
    fn cached(&self, generation: u64, params: &[ConfigParameter]) -> (Digest, Option<bool>) {
        let mut answers = self.answers.lock().expect("answers lock");
        if answers.generation != generation {
            answers.generation = generation;
            answers.entries.clear();
        }
        let digest = Self::digest(&answers.key, params);
        let hit = answers.entries.iter().find(|(d, _)| *d == digest).map(|(_, a)| *a);
        (digest, hit)
    }

    fn remember(&self, generation: u64, digest: Digest, alone: bool) {
        let mut answers = self.answers.lock().expect("answers lock");
        if answers.generation != generation || answers.entries.iter().any(|(d, _)| *d == digest) {
            return;
        }
        if answers.entries.len() >= CACHED_PARAMETER_SETS {
            answers.entries.pop_front();
        }
        answers.entries.push_back((digest, alone));
    }
}

impl ConnectorHandle {
    /// Whether a run with `params` must run alone (ConcurrentOperation = false), as the
    /// connector of launch `ready` answers for them.
    pub async fn runs_alone(&self, ready: &Ready, params: &[ConfigParameter]) -> bool {
        let gate = &self.gate;
        if !ConnectorHandle::implements(ready, Ecma2Interface::GetCapabilitiesEx) {
            return gate.alone_at_start.load(Ordering::SeqCst);
        }
        let (digest, hit) = gate.cached(ready.generation, params);
        if let Some(alone) = hit {
            return alone;
        }
        let limit = self.config.limits.call_deadline;
        let asked = tokio::time::timeout(
            limit,
            ready.client.clone().get_capabilities_ex(GetCapabilitiesExRequest {
                config_parameters: params.to_vec(),
            }),
        )
        .await;
        let fallback = gate.alone_at_start.load(Ordering::SeqCst);
        match asked {
            Ok(Ok(response)) => {
                let caps = response.into_inner().capabilities.unwrap_or_default();
                // Absent is ECMA2's default, true (docs/protocol.md, "MACapabilities presence").
                let alone = caps.concurrent_operation == Some(false);
                gate.remember(ready.generation, digest, alone);
                debug!(connector = %self.name, alone, "ConcurrentOperation read from GetCapabilitiesEx for a new parameter set");
                alone
            }
            // Not cached: the next run asks again. The Open that follows goes to the connector,
            // which reports its own fault for the same parameters.
            Ok(Err(status)) => {
                warn!(connector = %self.name, error = %status.message(), fallback_alone = fallback, "GetCapabilitiesEx failed for a run's parameters; ConcurrentOperation taken from the start");
                fallback
            }
            Err(_) => {
                warn!(connector = %self.name, deadline = ?limit, fallback_alone = fallback, "GetCapabilitiesEx unanswered within call_deadline; ConcurrentOperation taken from the start");
                fallback
            }
        }
    }

    /// The permit an import or export run with `params` holds while its session is open: shared
    /// unless the connector's ConcurrentOperation is false for them, then exclusive. Waits for
    /// it when needed (as long as it takes: the sessions holding the gate end by Close, the idle
    /// timeout or the connector's end).
    pub async fn run_permit(&self, ready: &Ready, params: &[ConfigParameter]) -> RunPermit {
        let lock = self.gate.lock.clone();
        if self.runs_alone(ready, params).await {
            match lock.clone().try_write_owned() {
                Ok(guard) => RunPermit::Alone(guard),
                Err(_) => {
                    debug!(connector = %self.name, "ConcurrentOperation is false: waiting for the connector's other runs to end");
                    RunPermit::Alone(lock.write_owned().await)
                }
            }
        } else {
            match lock.clone().try_read_owned() {
                Ok(guard) => RunPermit::Shared(guard),
                Err(_) => {
                    debug!(connector = %self.name, "waiting for a run with ConcurrentOperation = false to end");
                    RunPermit::Shared(lock.read_owned().await)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ecma2_proto::pb::Secret;

    use super::*;

    fn plain(name: &str, value: &str) -> ConfigParameter {
        ConfigParameter {
            name: name.into(),
            value: value.into(),
            ..Default::default()
        }
    }

    fn secret(name: &str, value: &str) -> ConfigParameter {
        ConfigParameter {
            name: name.into(),
            secure_value: Some(Secret { value: value.into() }),
            is_encrypted: true,
            ..Default::default()
        }
    }

    #[test]
    fn the_key_ignores_order_and_tells_every_value_apart() {
        let gate = RunGate::new();
        let key = &gate.answers.lock().unwrap().key;
        let a = [plain("host", "h"), secret("password", "one")];
        let b = [secret("password", "one"), plain("host", "h")];
        assert_eq!(RunGate::digest(key, &a), RunGate::digest(key, &b));
        let different = [
            vec![plain("host", "h"), secret("password", "two")],
            vec![plain("host", "h"), plain("password", "one")],
            vec![plain("host", "h")],
            // Lengths are part of the key: moving a byte between fields is another set.
            vec![plain("hos", "th"), secret("password", "one")],
        ];
        for other in different {
            assert_ne!(RunGate::digest(key, &a), RunGate::digest(key, &other), "{other:?}");
        }
        // Another connector's key gives other digests for the same parameters.
        let other_gate = RunGate::new();
        assert_ne!(
            RunGate::digest(key, &a),
            RunGate::digest(&other_gate.answers.lock().unwrap().key, &a)
        );
    }

    #[test]
    fn the_cache_is_bounded_per_launch_and_shows_no_parameter() {
        let gate = RunGate::new();
        let sets: Vec<Vec<ConfigParameter>> = (0..CACHED_PARAMETER_SETS + 1)
            .map(|i| vec![secret("password", &format!("hunter{i}"))])
            .collect();
        for (i, set) in sets.iter().enumerate() {
            let (digest, hit) = gate.cached(1, set);
            assert_eq!(hit, None);
            gate.remember(1, digest, i % 2 == 0);
        }
        assert_eq!(gate.answers.lock().unwrap().entries.len(), CACHED_PARAMETER_SETS);
        // The oldest went first; the newest is there with its answer.
        assert_eq!(gate.cached(1, &sets[0]).1, None);
        assert_eq!(gate.cached(1, &sets[CACHED_PARAMETER_SETS]).1, Some(true));
        assert_eq!(gate.cached(1, &sets[CACHED_PARAMETER_SETS - 1]).1, Some(false));
        let shown = format!("{gate:?}");
        assert!(!shown.contains("hunter"), "{shown}");
        assert!(shown.contains("cached_parameter_sets: 64"), "{shown}");
        // A new launch is asked again.
        assert_eq!(gate.cached(2, &sets[CACHED_PARAMETER_SETS]).1, None);
        assert!(gate.answers.lock().unwrap().entries.is_empty());
    }
}
