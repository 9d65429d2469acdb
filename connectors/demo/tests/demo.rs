//! Integration tests of the demo connector, all in one binary: through the SDK's gRPC service
//! in-process, and through the real `ecma2-demo` process on a Unix socket. Expectations come
//! from the ECMA2 guide (docs in shared/ecma2), not from the connector's own output.

mod support;

#[path = "cases/import.rs"]
mod import;

#[path = "cases/process.rs"]
mod process;

#[path = "cases/config.rs"]
mod config;

#[path = "cases/export.rs"]
mod export;

#[path = "cases/lifecycle.rs"]
mod lifecycle;

#[path = "cases/password.rs"]
mod password;

#[path = "cases/files.rs"]
mod files;

#[path = "cases/seed.rs"]
mod seed;
