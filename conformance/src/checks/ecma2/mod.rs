//! ECMA2 behaviour checks, each run only where the connector announces the feature (its
//! interfaces in the handshake, its capabilities): capabilities consistency, schema anchors,
//! configuration pages, partitions and hierarchy (the DN style's rules), FullObject requests,
//! renames and passwords. The rules are stated in `docs/connector-rules.md`.
//!
//! Checks that write say what in `writes`, name the objects they create with
//! [`PREFIX`](crate::PREFIX) and delete them afterwards, reporting what they could not remove
//! with [`Outcome::left`](crate::Outcome::left).

use crate::check::Check;

pub mod capabilities;
pub mod config;
pub mod full_object;
pub mod partitions;
pub mod password;
pub mod rename;
pub mod schema;
pub mod support;

/// The ECMA2 checks, in run order: the reading ones first, then the writing ones.
pub fn checks() -> Vec<Check> {
    let mut all = capabilities::checks();
    all.extend(schema::checks());
    all.extend(config::checks());
    all.extend(partitions::checks());
    all.extend(full_object::checks());
    all.extend(rename::checks());
    all.extend(password::checks());
    all
}
