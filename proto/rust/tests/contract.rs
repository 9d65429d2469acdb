//! The contract's own tests, in one binary: `ecma2_names.tsv` checked against the descriptors in
//! both directions, wire round trips of the change model (including entries far larger than a
//! gRPC message), secret redaction in debug output, and the fault table in `docs/protocol.md`
//! checked against `ecma2_proto::fault::code_for`.

#[path = "contract/support.rs"]
mod support;

#[path = "contract/names.rs"]
mod names;

#[path = "contract/roundtrip.rs"]
mod roundtrip;

#[path = "contract/secrets.rs"]
mod secrets;

#[path = "contract/protocol_doc.rs"]
mod protocol_doc;

#[path = "contract/vectors.rs"]
mod vectors;
