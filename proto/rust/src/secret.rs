//! Secrets never print: `Secret` gets a `Debug` that shows only whether a value is present, so
//! any message holding a password or an EncryptedString parameter can be logged with `{:?}`
//! without leaking it.

use std::fmt;

use crate::pb::Secret;

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.value.is_empty() { "<empty>" } else { "<redacted>" };
        f.debug_struct("Secret").field("value", &shown).finish()
    }
}

impl Secret {
    /// Wraps a clear-text secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self { value: value.into() }
    }

    /// The clear text, for the one place that must use it.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use crate::pb::{ConfigParameter, Secret, SetPasswordRequest};

    #[test]
    fn debug_output_never_contains_the_secret() {
        let parameter = ConfigParameter {
            name: "password".into(),
            value: String::new(),
            secure_value: Some(Secret::new("hunter2-very-secret")),
            is_encrypted: true,
        };
        let shown = format!("{parameter:?} {parameter:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));

        let request = SetPasswordRequest {
            new_password: Some(Secret::new("Pa55w0rd!")),
            ..Default::default()
        };
        assert!(!format!("{request:?}").contains("Pa55w0rd!"));
    }
}
