//! ECMA2 behaviour checks, where the connector announces the feature: FullObject requests,
//! renames, partitions, hierarchy, passwords, capabilities consistency, schema anchors and config
//! pages (issue #14 part B).
//!
//! Registration point: add one module per concern under `checks/ecma2/` (`full_object.rs`,
//! `rename.rs`, …), each with a `pub fn checks() -> Vec<Check>`, and extend the list below.
//! Use [`Category::Ecma2`](crate::Category::Ecma2), set `writes` to what the check writes (or
//! `None`), name created objects with [`PREFIX`](crate::PREFIX) and delete them afterwards
//! (report what could not be deleted with [`Outcome::left`](crate::Outcome::left)).

use crate::check::Check;

/// The ECMA2 checks, in run order.
pub fn checks() -> Vec<Check> {
    Vec::new()
}
