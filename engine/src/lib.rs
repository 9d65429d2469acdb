//! The sync engine's side of ECMA2 as a library. It reaches connectors through `ecma2-host`
//! ([`Engine`]), keeps what it knows of each connector's objects in a connector space
//! ([`Space`]), and runs the import and export run profiles the way MIM/FIM's sync engine does:
//! paging, watermarks, obsolescence, staging, the four export passes, export actions and
//! confirmation by the next import. Front ends (the `ecma2` CLI, the conformance kit, the bench)
//! drive it through [`import()`](import::import) and [`export()`](export::export) and watch it
//! through an [`Observer`]. Which rules of the ECMA2 guide it follows, and where it deviates on
//! purpose, is in `docs/engine.md`.

pub mod capabilities;
pub mod connection;
pub mod drop;
pub mod error;
pub mod export;
pub mod full_export;
pub mod history;
pub mod import;
pub mod key;
pub mod lock;
pub mod normalize;
pub mod observe;
pub mod pages;
pub mod saved;
pub mod scope;
pub mod seal;
pub mod space;
pub mod stage;
pub mod summary;

pub use connection::Engine;
pub use error::{Error, Result};
pub use export::{ExportOptions, export};
pub use import::{ImportOptions, import};
pub use observe::{Event, Observer, Quiet, Recorder};
pub use scope::Containers;
pub use space::Space;
pub use summary::Summary;
