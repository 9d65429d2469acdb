// The twelve ECMA2 interfaces as TypeScript interfaces, and the per-call context. A connector class
// implements the ones it supports; the SDK finds them by their methods (a class that has
// openImportConnection, getImportEntries and closeImportConnection implements CallImport) and
// announces exactly those in the handshake.

import type { MessageInitShape } from "@bufbuild/protobuf";

import type { MACapabilities } from "./gen/ecma2/v1/capabilities_pb.js";
import type { CSEntryChange, CSEntryChangeResult } from "./gen/ecma2/v1/change_pb.js";
import type { ConfigParameterDefinition, ConfigParameterPage, ParameterValidationResult } from "./gen/ecma2/v1/config_pb.js";
import type {
  CloseExportConnectionRunStep,
  OpenExportConnectionRunStep,
} from "./gen/ecma2/v1/export_pb.js";
import type { ReadExportFileRunStep, WriteImportFileRunStep } from "./gen/ecma2/v1/file_pb.js";
import type { HierarchyNode, Partition } from "./gen/ecma2/v1/hierarchy_pb.js";
import type {
  CloseImportConnectionRunStep,
  GetImportEntriesRunStep,
  OpenImportConnectionRunStep,
} from "./gen/ecma2/v1/import_pb.js";
import type { CSEntry, ConnectionSecurityLevel, PasswordOption } from "./gen/ecma2/v1/password_pb.js";
import type { Schema } from "./gen/ecma2/v1/schema_pb.js";
import type { Logger } from "./logging.js";
import type { ConfigParameters } from "./model.js";
import type { Secret } from "./secret.js";

type Awaitable<T> = T | Promise<T>;

/** What every connector method gets first: cancellation, the session, a logger. */
export interface CallContext {
  /** Aborted when the caller cancels the call or the connector shuts down. */
  readonly signal: AbortSignal;
  /** The session's id; empty for calls without a session. */
  readonly sessionId: string;
  /** A logger carrying the connector, session and call. */
  readonly log: Logger;
  /** Throws the abort reason when the call was cancelled. */
  throwIfAborted(): void;
  /** Waits `ms` milliseconds, or less when the call is cancelled (then rejects). */
  sleep(ms: number): Promise<void>;
}

/** ECMA2's ImportDefaultPageSize / ImportMaxPageSize (or the export pair). */
export interface PageSizeRange {
  readonly default: number;
  readonly max: number;
}

export interface GetCapabilities {
  capabilities(ctx: CallContext): Awaitable<MACapabilities>;
}

export interface GetCapabilitiesEx {
  capabilitiesEx(ctx: CallContext, config: ConfigParameters): Awaitable<MACapabilities>;
}

export interface GetParameters {
  getConfigParameters(ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage): Awaitable<ConfigParameterDefinition[]>;
  validateConfigParameters(ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage): Awaitable<ParameterValidationResult>;
}

export interface GetParametersEx {
  getConfigParametersEx(
    ctx: CallContext,
    config: ConfigParameters,
    page: ConfigParameterPage,
    pageNumber: number,
  ): Awaitable<ConfigParameterDefinition[]>;
  validateConfigParametersEx(
    ctx: CallContext,
    config: ConfigParameters,
    page: ConfigParameterPage,
    pageNumber: number,
  ): Awaitable<ParameterValidationResult>;
}

export interface GetSchema {
  getSchema(ctx: CallContext, config: ConfigParameters): Awaitable<Schema>;
}

export interface GetPartitions {
  getPartitions(ctx: CallContext, config: ConfigParameters): Awaitable<Partition[]>;
}

export interface GetHierarchy {
  getHierarchy(ctx: CallContext, config: ConfigParameters, parent: HierarchyNode | undefined): Awaitable<HierarchyNode[]>;
}

/** One page of an import. */
export interface ImportPage {
  entries: CSEntryChange[];
  /** The watermark so far (ECMA2's CustomData). */
  customData: string;
  moreToImport: boolean;
}

export interface CallImport {
  /** ImportDefaultPageSize and ImportMaxPageSize. */
  readonly importPageSizes: PageSizeRange;
  /** `runStep.pageSize` is the size in force (never 0). Returns the new CustomData, if any. */
  openImportConnection(
    ctx: CallContext,
    config: ConfigParameters,
    schema: Schema,
    runStep: OpenImportConnectionRunStep,
  ): Awaitable<{ customData?: string } | void>;
  getImportEntries(ctx: CallContext, runStep: GetImportEntriesRunStep): Awaitable<ImportPage>;
  /** Returns the watermark to commit. */
  closeImportConnection(ctx: CallContext, runStep: CloseImportConnectionRunStep): Awaitable<{ customData?: string } | void>;
}

export interface CallExport {
  /** ExportDefaultPageSize and ExportMaxPageSize. */
  readonly exportPageSizes: PageSizeRange;
  openExportConnection(
    ctx: CallContext,
    config: ConfigParameters,
    schema: Schema,
    runStep: OpenExportConnectionRunStep,
  ): Awaitable<void>;
  /** One result per entry with something to say (object-level errors go here, never throw). */
  putExportEntries(ctx: CallContext, entries: CSEntryChange[]): Awaitable<CSEntryChangeResult[]>;
  closeExportConnection(ctx: CallContext, runStep: CloseExportConnectionRunStep): Awaitable<void>;
}

export interface FileImport {
  writeImportFile(ctx: CallContext, config: ConfigParameters, schema: Schema, runStep: WriteImportFileRunStep): Awaitable<{ customData?: string } | void>;
}

export interface FileExport {
  readExportFile(ctx: CallContext, config: ConfigParameters, schema: Schema, runStep: ReadExportFileRunStep): Awaitable<void>;
}

export interface Password {
  openPasswordConnection(ctx: CallContext, config: ConfigParameters, partition: Partition | undefined): Awaitable<void>;
  getConnectionSecurityLevel(ctx: CallContext): Awaitable<ConnectionSecurityLevel>;
  setPassword(ctx: CallContext, csentry: CSEntry, newPassword: Secret, options: PasswordOption[]): Awaitable<void>;
  changePassword(ctx: CallContext, csentry: CSEntry, oldPassword: Secret, newPassword: Secret): Awaitable<void>;
  closePasswordConnection(ctx: CallContext): Awaitable<void>;
}

/** Any connector: some of the interfaces above. */
export type Connector = Partial<
  GetCapabilities &
    GetCapabilitiesEx &
    GetParameters &
    GetParametersEx &
    GetSchema &
    GetPartitions &
    GetHierarchy &
    CallImport &
    CallExport &
    FileImport &
    FileExport &
    Password
>;

/** Makes a fresh connector object; called once per session and once per sessionless call. */
export type ConnectorFactory = () => Connector;

/** MACapabilities fields, as accepted by `capabilities()`. */
export type CapabilitiesInit = MessageInitShape<typeof import("./gen/ecma2/v1/capabilities_pb.js").MACapabilitiesSchema>;
