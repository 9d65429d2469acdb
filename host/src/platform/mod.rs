//! What differs between Unix and Windows for the host, in one place: tying launched connectors
//! to the host so they never outlive it, files only their owner can read (the engine token, keys
//! written by `ecma2 certs`), how a stop is asked for, and running as a Windows service (`service`: the plain logic, built
//! everywhere; `windows_service`: the calls into the service control manager). Each platform has one file; this one
//! only picks it and holds what both share.

#[cfg_attr(unix, path = "unix.rs")]
#[cfg_attr(windows, path = "windows.rs")]
mod imp;
pub mod service;
#[cfg(windows)]
pub mod windows_service;

pub(crate) use imp::{adopt, connect_unix_socket, is_executable, is_socket, launched_hop_is_private, tie_to_host};
pub use imp::{is_private, make_private, stop_requested, write_private};

/// The SDDL of a DACL granting full access to `sid` only, protected from inheritance.
#[cfg_attr(unix, allow(dead_code))]
pub(crate) fn owner_only_sddl(sid: &str) -> String {
    format!("D:P(A;;FA;;;{sid})")
}

/// Whether a DACL in SDDL (as Windows prints a file's) is protected and grants access to `sid`
/// alone: no inherited entries, and every allow entry names `sid`.
#[cfg_attr(unix, allow(dead_code))]
pub(crate) fn sddl_is_owner_only(sddl: &str, sid: &str) -> bool {
    let Some(dacl) = sddl.strip_prefix("D:") else {
        return false;
    };
    let (flags, aces) = dacl.split_once('(').map_or((dacl, ""), |(f, rest)| (f, rest));
    if !flags.contains('P') {
        return false;
    }
    let aces: Vec<&str> = aces
        .trim_end_matches(')')
        .split(")(")
        .filter(|a| !a.is_empty())
        .collect();
    !aces.is_empty()
        && aces.iter().all(|ace| {
            let fields: Vec<&str> = ace.split(';').collect();
            match fields.as_slice() {
                [kind, ..] if *kind == "D" => true, // a deny entry takes nothing away from the owner
                [kind, _, _, _, _, trustee, ..] => *kind == "A" && trustee.eq_ignore_ascii_case(sid),
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "S-1-5-21-1-2-3-1001";

    #[test]
    fn the_owner_only_dacl_names_one_account_and_blocks_inheritance() {
        let sddl = owner_only_sddl(ME);
        assert_eq!(sddl, "D:P(A;;FA;;;S-1-5-21-1-2-3-1001)");
        assert!(sddl_is_owner_only(&sddl, ME));
    }

    #[test]
    fn wider_dacls_are_not_owner_only() {
        for wide in [
            "D:(A;;FA;;;S-1-5-21-1-2-3-1001)",                  // inheritance not blocked
            "D:P(A;;FA;;;S-1-5-21-1-2-3-1001)(A;;FR;;;BU)",     // users may read
            "D:P(A;;FA;;;SY)",                                  // someone else
            "D:P",                                              // nobody (not even us)
            "D:PAI(A;;FA;;;S-1-5-21-1-2-3-1001)(A;ID;FA;;;BA)", // administrators
            "O:BA",                                             // no DACL at all
        ] {
            assert!(!sddl_is_owner_only(wide, ME), "{wide}");
        }
        assert!(sddl_is_owner_only("D:PAI(A;;FA;;;S-1-5-21-1-2-3-1001)", ME));
    }
}
