//! The demo directory connector: users, groups and OUs in two LDAP-style partitions
//! (`DC=demo,DC=example` and `DC=lab,DC=example`), stored in an embedded SQLite file, exercising
//! every ECMA2 interface. It is the reference connector for the Rust SDK and the connector the
//! host's end-to-end tests launch.
//!
//! Decisions worth knowing:
//!
//! * **Anchor**: `id`, a string holding a UUID the directory assigns when an object is added;
//!   export returns it in the add's result. Immutable; a rename keeps it.
//! * **DNs**: LDAP style, `CN=<cn>,OU=...,DC=demo,DC=example` for users and groups,
//!   `OU=<ou>,...` for OUs. Stored in a normal form (no spaces after commas, upper-case
//!   component names) and compared case-insensitively. References carry DNs.
//! * **Delta import** reads a change journal that SQLite triggers fill on every insert, update
//!   and delete (so exports are journaled too). The watermark is `<database instance>:<seq>`.
//! * **Export** is AttributeUpdate (AttributeReplace with the Capabilities page check box). A
//!   reference to an object that does not exist yet is skipped, everything else is written, and
//!   the result is **ExportActionRetryReferenceAttribute** so the engine retries the references
//!   in its next pass. A missing parent OU is ExportActionProvisioningParent; a duplicate `mail`
//!   is ExportErrorConstraintViolation.
//! * **Test hooks** (`observe_file`, `test_block_get_ms`, `test_block_put_ms`, `test_panic_on`)
//!   are described in [`observe`]; a row whose `bad` column is set imports with
//!   ImportErrorCustomContinueRun.

#![forbid(unsafe_code)]

pub mod anchor_refs;
pub mod dn;
pub mod export;
pub mod hash;
pub mod import;
pub mod observe;
pub mod params;
pub mod password;
pub mod schema;
pub mod store;

use ecma2_sdk::pb::{
    HierarchyNode, MaCapabilities, MaDistinguishedNameStyle, MaExportType, MaNormalization, MaObjectConfirmation,
    Partition,
};
use ecma2_sdk::{
    Connector, Context, Error, GetCapabilities, GetCapabilitiesEx, GetHierarchy, GetPartitions, Params, Result,
    async_trait,
};
use serde_json::json;

use crate::observe::Hooks;
use crate::store::Store;

/// The connector's name and version, as announced in the handshake.
pub const NAME: &str = "demo";

/// One connector instance: the SDK makes a fresh one for every session and stateless call.
#[derive(Debug, Default)]
pub struct Demo {
    store: Option<Store>,
    hooks: Hooks,
    import: Option<import::ImportState>,
    export: Option<export::ExportState>,
    cancelled_calls: u32,
}

/// The demo connector with every interface registered.
pub fn connector() -> Connector<Demo> {
    Connector::new(NAME, env!("CARGO_PKG_VERSION"), Demo::default)
        .capabilities()
        .capabilities_ex()
        .parameters()
        .parameters_ex()
        .schema()
        .partitions()
        .hierarchy()
        .call_import()
        .call_export()
        .file_import()
        .file_export()
        .password()
}

impl Demo {
    /// Reads the test hooks of a call's parameters and applies `test_panic_on`.
    fn hooks_from(&mut self, ctx: &Context, params: &Params) -> Result<()> {
        self.hooks = Hooks::from_params(params)?;
        self.hooks.maybe_panic(ctx);
        Ok(())
    }

    /// As [`Self::hooks_from`], but a malformed hook value is ignored: the parameter calls must
    /// answer (and validation must report it) whatever the administrator typed.
    fn hooks_lenient(&mut self, ctx: &Context, params: &Params) {
        self.hooks = Hooks::from_params(params).unwrap_or_default();
        self.hooks.maybe_panic(ctx);
    }

    /// Opens the session's store (creating and seeding the database on first use).
    async fn open_store(&mut self, ctx: &Context, params: &Params) -> Result<&mut Store> {
        let path = params::database(params)?;
        let seed = params::seed_users(params)?;
        let token = ctx.cancellation_token();
        let store = Store::open(path, seed, move || token.is_cancelled()).await?;
        Ok(self.store.insert(store))
    }

    fn store(&mut self) -> Result<&mut Store> {
        self.store
            .as_mut()
            .ok_or_else(|| Error::dropped_connection("the session has no open database"))
    }

    /// Records a call that failed because it was cancelled while working, for the close event.
    fn note_cancelled(&mut self, ctx: &Context, err: &Error) {
        if ctx.is_cancelled() {
            self.cancelled_calls += 1;
            self.hooks
                .observe(ctx, "cancelled", json!({ "while": "working", "error": err.message() }));
        }
    }

    /// Runs the `test_block_*` hook; a cancellation there is recorded by the hook itself.
    async fn block(&mut self, ctx: &Context, delay: std::time::Duration) -> Result<()> {
        let blocked = self.hooks.block(ctx, delay).await;
        if blocked.is_err() {
            self.cancelled_calls += 1;
        }
        blocked
    }
}

/// The capabilities; with the administrator's parameters (GetCapabilitiesEx),
/// `export_attribute_replace` picks ExportType AttributeReplace over AttributeUpdate, and the
/// test hooks turn DeltaImport, ObjectRename and ConcurrentOperation off, FullExport and
/// Normalizations Uppercase on, and the DN style to None (which, as in ECMA2, also turns
/// ObjectRename off).
pub fn capabilities(params: Option<&Params>) -> MaCapabilities {
    let flag = |name: &str| params.is_some_and(|p| p.flag(name));
    let dn_style_none = flag(params::TEST_DN_STYLE_NONE);
    let attribute_replace = flag(params::EXPORT_ATTRIBUTE_REPLACE);
    let delta_import = !flag(params::TEST_NO_DELTA_IMPORT);
    let uppercase = flag(params::TEST_NORMALIZE_UPPERCASE);
    MaCapabilities {
        distinguished_name_style: if dn_style_none {
            MaDistinguishedNameStyle::None
        } else {
            MaDistinguishedNameStyle::Ldap
        } as i32,
        object_rename: Some(!flag(params::TEST_NO_OBJECT_RENAME) && !dn_style_none),
        no_reference_values_in_first_export: Some(false),
        delta_import: Some(delta_import),
        concurrent_operation: Some(!flag(params::TEST_NO_CONCURRENT_OPERATION)),
        delete_add_as_replace: Some(false),
        export_password_in_first_pass: Some(false),
        full_export: Some(flag(params::TEST_FULL_EXPORT)),
        object_confirmation: MaObjectConfirmation::Normal as i32,
        export_type: if attribute_replace {
            MaExportType::AttributeReplace
        } else {
            MaExportType::AttributeUpdate
        } as i32,
        normalizations: if uppercase {
            vec![MaNormalization::Uppercase as i32]
        } else {
            Vec::new()
        },
        is_dn_as_anchor: Some(false),
        support_import: Some(true),
        support_export: Some(true),
        support_partitions: Some(true),
        support_password: Some(true),
        support_hierarchy: Some(true),
    }
}

#[async_trait]
impl GetCapabilities for Demo {
    async fn capabilities(&mut self, ctx: &Context) -> Result<MaCapabilities> {
        self.hooks.maybe_panic(ctx);
        Ok(capabilities(None))
    }
}

#[async_trait]
impl GetCapabilitiesEx for Demo {
    async fn get_capabilities_ex(&mut self, ctx: &Context, params: &Params) -> Result<MaCapabilities> {
        self.hooks_from(ctx, params)?;
        let capabilities = capabilities(Some(params));
        self.hooks.observe(
            ctx,
            "capabilities",
            json!({ "concurrent_operation": capabilities.concurrent_operation }),
        );
        Ok(capabilities)
    }
}

#[async_trait]
impl GetPartitions for Demo {
    async fn get_partitions(&mut self, ctx: &Context, params: &Params) -> Result<Vec<Partition>> {
        self.hooks_from(ctx, params)?;
        Ok(dn::PARTITIONS
            .iter()
            .map(|p| Partition {
                identifier: p.id.to_owned(),
                dn: p.dn.to_owned(),
                name: p.name.to_owned(),
                hidden_by_default: false,
            })
            .collect())
    }
}

#[async_trait]
impl GetHierarchy for Demo {
    async fn get_hierarchy(
        &mut self,
        ctx: &Context,
        params: &Params,
        parent: &HierarchyNode,
    ) -> Result<Vec<HierarchyNode>> {
        self.hooks_from(ctx, params)?;
        let parent = dn::normalize(&parent.dn)
            .map_err(|e| Error::invalid_dn(parent.dn.clone(), format!("parent {:?}: {e}", parent.dn)))?;
        let store = self.open_store(ctx, params).await?;
        let children = store.run(move |conn| Ok(store::child_ous(conn, &parent)?)).await?;
        Ok(children
            .into_iter()
            .map(|(dn, ou)| HierarchyNode { dn, display_name: ou })
            .collect())
    }
}
