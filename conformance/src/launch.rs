//! How the kit launches a connector process itself, the way the host does (docs/runtime.md,
//! Launch): program, arguments, extra environment and working directory, with the ECMA2_*
//! variables the kit sets per launch.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A connector's command line, as in a host config's `[[connector]]` (`command`, `args`, `env`,
/// `working_dir`).
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
    /// Its working directory (default: the kit's).
    pub working_dir: Option<PathBuf>,
}
