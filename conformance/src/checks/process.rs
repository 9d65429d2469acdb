//! Process checks: the host's view of a connector process (docs/runtime.md). Each launches its
//! own copy of the connector from [`Launch`](crate::Launch), talks to it directly (not through
//! the host) and watches its stdout, stderr and exit status.

use crate::check::Check;

/// The checks of this module, in run order.
pub fn checks() -> Vec<Check> {
    Vec::new()
}
