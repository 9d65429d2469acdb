//! Write an ECMA2 connector in Rust. Implement the traits of the ECMA2 interfaces your connector
//! supports (see [`interfaces`]), register them on a [`Connector`], and call
//! [`Connector::serve`]. The SDK does the rest of docs/runtime.md: handshake, a fresh instance per
//! session, page sizes and framing, cancellation, faults, health, logs and shutdown.
//!
//! ```no_run
//! # use ecma2_sdk::*;
//! # #[derive(Default)] struct Mine;
//! # #[async_trait::async_trait] impl GetSchema for Mine {
//! #   async fn get_schema(&mut self, _: &Context, _: &Params) -> Result<pb::Schema> { Ok(Default::default()) } }
//! #[tokio::main]
//! async fn main() -> Result<(), ServeError> {
//!     Connector::new("mine", "1.0.0", Mine::default).schema().serve().await
//! }
//! ```

mod context;
mod error;
pub mod interfaces;
pub mod model;
// What differs between Unix and Windows (the host-process watch, stop signals), in one place.
#[cfg_attr(unix, path = "platform/unix.rs")]
#[cfg_attr(windows, path = "platform/windows.rs")]
mod platform;
mod runtime;
mod server;

use std::sync::Arc;

pub use async_trait::async_trait;
pub use context::Context;
pub use ecma2_proto::pb;
pub use error::{Error, ErrorKind, Result};
pub use interfaces::*;
pub use model::{IntoValue, Params, Reference};
pub use runtime::{LaunchSettings, ServeError, init_logging};
pub use server::ConnectorServer;

use server::VTable;

/// A connector type and the interfaces it implements, ready to serve.
pub struct Connector<T: 'static> {
    name: String,
    version: String,
    factory: Arc<dyn Fn() -> T + Send + Sync>,
    vt: VTable<T>,
}

macro_rules! register {
    ($($(#[$doc:meta])* $method:ident => $slot:ident : $trait:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $method(mut self) -> Self
            where
                T: $trait,
            {
                self.vt.$slot = Some(|t: &mut T| -> &mut dyn $trait { t });
                self
            }
        )*
    };
}

impl<T: Send + 'static> Connector<T> {
    /// A connector named `name` whose sessions each get a fresh value from `factory`.
    pub fn new(name: &str, version: &str, factory: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            factory: Arc::new(factory),
            vt: VTable::default(),
        }
    }

    register! {
        /// Registers IMAExtensible2GetCapabilities.
        capabilities => caps: GetCapabilities;
        /// Registers IMAExtensible2GetCapabilitiesEx.
        capabilities_ex => caps_ex: GetCapabilitiesEx;
        /// Registers IMAExtensible2GetParameters.
        parameters => params: GetParameters;
        /// Registers IMAExtensible2GetParametersEx.
        parameters_ex => params_ex: GetParametersEx;
        /// Registers IMAExtensible2GetSchema.
        schema => schema: GetSchema;
        /// Registers IMAExtensible2GetPartitions.
        partitions => partitions: GetPartitions;
        /// Registers IMAExtensible2GetHierarchy.
        hierarchy => hierarchy: GetHierarchy;
        /// Registers IMAExtensible2CallImport.
        call_import => import: CallImport;
        /// Registers IMAExtensible2CallExport.
        call_export => export: CallExport;
        /// Registers IMAExtensible2FileImport.
        file_import => file_import: FileImport;
        /// Registers IMAExtensible2FileExport.
        file_export => file_export: FileExport;
        /// Registers IMAExtensible2Password.
        password => password: Password;
    }

    /// The gRPC service, for serving it yourself or calling it in-process in tests.
    pub fn server(self) -> ConnectorServer<T> {
        self.server_named(None)
    }

    fn server_named(self, host_name: Option<String>) -> ConnectorServer<T> {
        // Faults and logs name the connector as the host knows it; the handshake's
        // ConnectorInfo keeps the connector's own name.
        let name: Arc<str> = host_name.unwrap_or_else(|| self.name.clone()).into();
        ConnectorServer::new(name, self.name, self.version, self.factory, self.vt)
    }

    /// Serves as the environment says (docs/runtime.md), with logging set up; returns when the
    /// connector has shut down.
    pub async fn serve(self) -> Result<(), ServeError> {
        let settings = LaunchSettings::from_env()?;
        init_logging(settings.json_logs);
        self.serve_with(settings).await
    }

    /// Serves with explicit settings (logging is left to the caller).
    pub async fn serve_with(self, settings: LaunchSettings) -> Result<(), ServeError> {
        let server = self.server_named(settings.connector_name.clone());
        runtime::serve(server, settings).await
    }
}
