//! Objects the engine exports: users shaped like the demo's generated users (about ten
//! attributes and 500 bytes each), or with a large photo.

use ecma2_proto::pb::CsEntryChange;
use ecma2_sdk::model::{self, Reference};

/// An existing user every exported user names as its manager (a reference the connector
/// resolves, as real exports carry).
const MANAGER: &str = "CN=Ada Lovelace,OU=People,DC=demo,DC=example";

/// Export adds for users `<tag><n>` (n in `numbers`) under OU=People, with `photo` bytes of
/// photo.
pub fn users(tag: &str, numbers: std::ops::RangeInclusive<u64>, photo: usize) -> Vec<CsEntryChange> {
    numbers.map(|n| user(tag, n, photo)).collect()
}

fn user(tag: &str, n: u64, photo: usize) -> CsEntryChange {
    let cn = format!("{tag}{n:07}");
    let picture: Vec<u8> = (0..photo)
        .map(|i| (n as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect();
    model::add("user")
        .dn(format!("CN={cn},OU=People,DC=demo,DC=example"))
        .attr("displayName", format!("Benchmark User {cn}"))
        .attr("mail", format!("{cn}@demo.example"))
        .attr("employeeNumber", n as i64)
        .attr("enabled", true)
        .attr("title", "Engineer")
        .attr("photo", picture)
        .attr("manager", Reference(MANAGER.to_owned()))
        .build()
}

/// Splits `entries` into batches of `size`.
pub fn batches(entries: Vec<CsEntryChange>, size: usize) -> Vec<Vec<CsEntryChange>> {
    let mut out = Vec::with_capacity(entries.len().div_ceil(size.max(1)));
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        out.push(entries.by_ref().take(size.max(1)).collect());
    }
    out
}
