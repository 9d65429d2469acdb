//! The kit's checks, by concern. Each module has a `checks()` returning its [`Check`]s in run
//! order; [`standard`] lists them all in the order the kit runs them: the process checks first
//! (they launch their own copy of the connector), then the protocol checks through the host,
//! then the writing export checks, then the ECMA2 behaviour checks.

use crate::check::Check;

pub mod ecma2;
pub mod export;
pub mod process;
pub mod process_sessions;
pub mod protocol;
pub mod session;

/// Every check of the kit, in run order.
pub fn standard() -> Vec<Check> {
    let mut all = process::checks();
    all.extend(protocol::checks());
    all.extend(session::checks());
    all.extend(export::checks());
    all.extend(ecma2::checks());
    all
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_every_check_is_documented() {
        let doc = include_str!("../../../docs/conformance.md");
        let mut seen = HashSet::new();
        for check in super::standard() {
            assert!(seen.insert(check.id), "two checks are named {}", check.id);
            assert!(
                doc.contains(&format!("`{}`", check.id)),
                "docs/conformance.md does not list check {}",
                check.id
            );
            assert!(check.doc.starts_with("docs/"), "{}: doc {}", check.id, check.doc);
            let file = check.doc.split('#').next().unwrap();
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("..")
                    .join(file)
                    .exists(),
                "{}: {file} does not exist",
                check.id
            );
        }
    }
}
