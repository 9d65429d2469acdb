//! The ECMA2 contract for Rust: messages and gRPC stubs generated from `proto/ecma2/v1`, plus the
//! few pieces every Rust side needs the same way: the metadata keys, the mapping between faults
//! and gRPC statuses, entry fragmentation for large objects, and secret redaction.

pub mod fault;
pub mod frames;
pub mod meta;
mod secret;

/// Generated messages and services of package `ecma2.v1`.
#[allow(missing_docs, clippy::all)]
pub mod pb {
    include!("generated/ecma2.v1.rs");
}

/// The encoded `FileDescriptorSet` of the contract (names and types, no comments), for
/// reflection and for tests that check the contract's coverage of ECMA2.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!("generated/ecma2.v1.bin");

/// The protocol versions this build speaks.
pub const PROTOCOL_VERSIONS: &[u32] = &[1];
