//! One trait per ECMA2 interface. A connector type implements the ones it supports and registers
//! them on [`crate::Connector`]; the SDK announces exactly those in the handshake. A fresh value
//! of the type (from the connector's factory) serves each session and each stateless call.

use async_trait::async_trait;
use ecma2_proto::pb::{
    CloseExportConnectionRunStep, CloseImportConnectionResults, CloseImportConnectionRunStep,
    ConfigParameterDefinition, ConfigParameterPage, ConnectionSecurityLevel, CsEntry, CsEntryChange,
    GetImportEntriesRunStep, HierarchyNode, MaCapabilities, OpenExportConnectionRunStep, OpenImportConnectionResults,
    OpenImportConnectionRunStep, ParameterValidationResult, Partition, PasswordOption, PutExportEntriesResults,
    ReadExportFileRunStep, Schema, Secret, WriteImportFileResults, WriteImportFileRunStep,
};

use crate::{Context, Params, Result};

/// One page of import results: ECMA2's GetImportEntriesResults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPage {
    /// The entries of the page; never more than the session's page size.
    pub entries: Vec<CsEntryChange>,
    /// Whether the engine should ask for another page.
    pub more_to_import: bool,
    /// The watermark after this page.
    pub custom_data: String,
}

/// IMAExtensible2GetCapabilities.
#[async_trait]
pub trait GetCapabilities: Send {
    /// The Capabilities property.
    async fn capabilities(&mut self, ctx: &Context) -> Result<MaCapabilities>;
}

/// IMAExtensible2GetCapabilitiesEx.
#[async_trait]
pub trait GetCapabilitiesEx: Send {
    /// GetCapabilitiesEx: capabilities that depend on configuration.
    async fn get_capabilities_ex(&mut self, ctx: &Context, params: &Params) -> Result<MaCapabilities>;
}

/// IMAExtensible2GetParameters.
#[async_trait]
pub trait GetParameters: Send {
    /// GetConfigParameters: the elements of one configuration page.
    async fn get_config_parameters(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: ConfigParameterPage,
    ) -> Result<Vec<ConfigParameterDefinition>>;

    /// ValidateConfigParameters: checks one page's values.
    async fn validate_config_parameters(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: ConfigParameterPage,
    ) -> Result<ParameterValidationResult>;
}

/// IMAExtensible2GetParametersEx: numbered pages (multi-page schema discovery).
#[async_trait]
pub trait GetParametersEx: Send {
    /// GetConfigParametersEx; an empty list ends a multi-page section.
    async fn get_config_parameters_ex(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: ConfigParameterPage,
        page_number: i32,
    ) -> Result<Vec<ConfigParameterDefinition>>;

    /// ValidateConfigParametersEx.
    async fn validate_config_parameters_ex(
        &mut self,
        ctx: &Context,
        params: &Params,
        page: ConfigParameterPage,
        page_number: i32,
    ) -> Result<ParameterValidationResult>;
}

/// IMAExtensible2GetSchema.
#[async_trait]
pub trait GetSchema: Send {
    /// GetSchema.
    async fn get_schema(&mut self, ctx: &Context, params: &Params) -> Result<Schema>;
}

/// IMAExtensible2GetPartitions.
#[async_trait]
pub trait GetPartitions: Send {
    /// GetPartitions.
    async fn get_partitions(&mut self, ctx: &Context, params: &Params) -> Result<Vec<Partition>>;
}

/// IMAExtensible2GetHierarchy.
#[async_trait]
pub trait GetHierarchy: Send {
    /// GetHierarchy: the direct children of `parent`.
    async fn get_hierarchy(
        &mut self,
        ctx: &Context,
        params: &Params,
        parent: &HierarchyNode,
    ) -> Result<Vec<HierarchyNode>>;
}

/// IMAExtensible2CallImport.
#[async_trait]
pub trait CallImport: Send {
    /// ImportDefaultPageSize.
    fn import_default_page_size(&self) -> i32;
    /// ImportMaxPageSize.
    fn import_max_page_size(&self) -> i32;

    /// OpenImportConnection. `step.page_size` is already the size in force (never 0).
    async fn open_import_connection(
        &mut self,
        ctx: &Context,
        params: &Params,
        schema: &Schema,
        step: &OpenImportConnectionRunStep,
    ) -> Result<OpenImportConnectionResults>;

    /// GetImportEntries: the next page. When `step.full_object_entries` is not empty, return
    /// exactly those objects, complete.
    async fn get_import_entries(&mut self, ctx: &Context, step: &GetImportEntriesRunStep) -> Result<ImportPage>;

    /// CloseImportConnection: called after the last page, on cancellation, on shutdown, and
    /// after a failed open (reason OpenConnectionFailure).
    async fn close_import_connection(
        &mut self,
        ctx: &Context,
        step: &CloseImportConnectionRunStep,
    ) -> Result<CloseImportConnectionResults>;
}

/// IMAExtensible2CallExport.
#[async_trait]
pub trait CallExport: Send {
    /// ExportDefaultPageSize.
    fn export_default_page_size(&self) -> i32;
    /// ExportMaxPageSize.
    fn export_max_page_size(&self) -> i32;

    /// OpenExportConnection. `step.batch_size` is already the size in force (never 0).
    async fn open_export_connection(
        &mut self,
        ctx: &Context,
        params: &Params,
        schema: &Schema,
        step: &OpenExportConnectionRunStep,
    ) -> Result<()>;

    /// PutExportEntries: one batch. Object-level errors and export actions go in the results.
    async fn put_export_entries(
        &mut self,
        ctx: &Context,
        entries: Vec<CsEntryChange>,
    ) -> Result<PutExportEntriesResults>;

    /// CloseExportConnection.
    async fn close_export_connection(&mut self, ctx: &Context, step: &CloseExportConnectionRunStep) -> Result<()>;
}

/// IMAExtensible2FileImport.
#[async_trait]
pub trait FileImport: Send {
    /// WriteImportFile.
    async fn write_import_file(
        &mut self,
        ctx: &Context,
        params: &Params,
        schema: &Schema,
        step: &WriteImportFileRunStep,
    ) -> Result<WriteImportFileResults>;
}

/// IMAExtensible2FileExport.
#[async_trait]
pub trait FileExport: Send {
    /// ReadExportFile.
    async fn read_export_file(
        &mut self,
        ctx: &Context,
        params: &Params,
        schema: &Schema,
        step: &ReadExportFileRunStep,
    ) -> Result<()>;
}

/// IMAExtensible2Password.
#[async_trait]
pub trait Password: Send {
    /// OpenPasswordConnection.
    async fn open_password_connection(&mut self, ctx: &Context, params: &Params, partition: &Partition) -> Result<()>;

    /// GetConnectionSecurityLevel.
    async fn get_connection_security_level(&mut self, ctx: &Context) -> Result<ConnectionSecurityLevel>;

    /// SetPassword.
    async fn set_password(
        &mut self,
        ctx: &Context,
        entry: &CsEntry,
        new_password: &Secret,
        options: &[PasswordOption],
    ) -> Result<()>;

    /// ChangePassword.
    async fn change_password(
        &mut self,
        ctx: &Context,
        entry: &CsEntry,
        old_password: &Secret,
        new_password: &Secret,
    ) -> Result<()>;

    /// ClosePasswordConnection.
    async fn close_password_connection(&mut self, ctx: &Context) -> Result<()>;
}
