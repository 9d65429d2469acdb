//! `ecma2 certs`: development and Kubernetes certificates for mutual TLS between the host and
//! remote connectors. (Being written.)

use anyhow::{Result, bail};

/// Arguments of `ecma2 certs`.
#[derive(Debug, clap::Args)]
pub struct CertsArgs {
    /// Output directory.
    #[arg(long, default_value = "certs")]
    pub out: std::path::PathBuf,
}

/// Runs `ecma2 certs`.
pub fn run(_args: &CertsArgs) -> Result<()> {
    bail!("ecma2 certs is not implemented yet")
}
