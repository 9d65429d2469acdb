// The gRPC adapter: ecma2.v1.ConnectorService over a connector factory. Sessions (a fresh connector
// object each), page and batch sizes, entry frames and fragments, cancellation (an AbortSignal per
// call), the launch secret and the one mapping of errors to status (faults.ts). Connector code
// never sees gRPC.

import { timingSafeEqual } from "node:crypto";

import { create, fromBinary, type DescMessage, type MessageShape, toBinary } from "@bufbuild/protobuf";
import {
  type Metadata,
  type sendUnaryData,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";

import { EntryPointNotImplementedException, ExtensibleExtensionException } from "./errors.js";
import { RpcError, toStatus } from "./faults.js";
import { encodedField, pieces, Reassembler, FRAGMENT_SIZE } from "./framing.js";
import { type CSEntryChange, CSEntryChangeSchema, EntryFragmentSchema, PutExportEntriesResultsSchema } from "./gen/ecma2/v1/change_pb.js";
import { ConnectorService, ShutdownResponseSchema, type ShutdownRequest } from "./gen/ecma2/v1/connector_pb.js";
import { GetImportEntriesResultsSchema, OpenImportConnectionRunStepSchema, GetImportEntriesRunStepSchema, CloseImportConnectionRunStepSchema, CloseReason, OpenImportConnectionResponseSchema, CloseImportConnectionResponseSchema, type OpenImportConnectionRequest, type GetImportEntriesRequest, type CloseImportConnectionRequest } from "./gen/ecma2/v1/import_pb.js";
import { OpenExportConnectionRunStepSchema, CloseExportConnectionRunStepSchema, OpenExportConnectionResponseSchema, CloseExportConnectionResponseSchema, type OpenExportConnectionRequest, type PutExportEntriesRequest, type CloseExportConnectionRequest, PutExportEntriesResponseSchema } from "./gen/ecma2/v1/export_pb.js";
import { Ecma2Interface, type HandshakeRequest, HandshakeResponseSchema } from "./gen/ecma2/v1/handshake_pb.js";
import { GetCapabilitiesResponseSchema, GetCapabilitiesExResponseSchema, type GetCapabilitiesExRequest } from "./gen/ecma2/v1/capabilities_pb.js";
import {
  type GetConfigParametersRequest,
  GetConfigParametersResponseSchema,
  type ValidateConfigParametersRequest,
  ValidateConfigParametersResponseSchema,
  type GetConfigParametersExRequest,
  GetConfigParametersExResponseSchema,
  type ValidateConfigParametersExRequest,
  ValidateConfigParametersExResponseSchema,
} from "./gen/ecma2/v1/config_pb.js";
import { type GetSchemaRequest, GetSchemaResponseSchema, SchemaSchema } from "./gen/ecma2/v1/schema_pb.js";
import { type GetPartitionsRequest, GetPartitionsResponseSchema, type GetHierarchyRequest, GetHierarchyResponseSchema } from "./gen/ecma2/v1/hierarchy_pb.js";
import { WriteImportFileRunStepSchema, ReadExportFileRunStepSchema, type WriteImportFileRequest, WriteImportFileResponseSchema, type ReadExportFileRequest, ReadExportFileResponseSchema } from "./gen/ecma2/v1/file_pb.js";
import {
  CSEntrySchema,
  type OpenPasswordConnectionRequest,
  OpenPasswordConnectionResponseSchema,
  type GetConnectionSecurityLevelRequest,
  GetConnectionSecurityLevelResponseSchema,
  type SetPasswordRequest,
  SetPasswordResponseSchema,
  type ChangePasswordRequest,
  ChangePasswordResponseSchema,
  type ClosePasswordConnectionRequest,
  ClosePasswordConnectionResponseSchema,
} from "./gen/ecma2/v1/password_pb.js";
import type { CallContext, Connector, ConnectorFactory, PageSizeRange } from "./interfaces.js";
import type { Logger } from "./logging.js";
import { ConfigParameters } from "./model.js";
import { Secret } from "./secret.js";

/** Protocol versions this SDK speaks. */
export const PROTOCOL_VERSIONS = [1];
export const SDK_NAME = "ecma2-sdk-typescript";
export const SDK_VERSION = "0.1.0";
export const LAUNCH_SECRET_KEY = "ecma2-launch-secret";

type Kind = "import" | "export" | "password";

interface Session {
  readonly id: string;
  readonly kind: Kind;
  readonly connector: Connector;
  readonly log: Logger;
  size: number;
  readonly calls: Set<AbortController>;
}

const INTERFACE_NAMES: Record<number, string> = {
  [Ecma2Interface.CALL_IMPORT]: "IMAExtensible2CallImport",
  [Ecma2Interface.CALL_EXPORT]: "IMAExtensible2CallExport",
  [Ecma2Interface.FILE_IMPORT]: "IMAExtensible2FileImport",
  [Ecma2Interface.FILE_EXPORT]: "IMAExtensible2FileExport",
  [Ecma2Interface.GET_SCHEMA]: "IMAExtensible2GetSchema",
  [Ecma2Interface.GET_PARTITIONS]: "IMAExtensible2GetPartitions",
  [Ecma2Interface.GET_HIERARCHY]: "IMAExtensible2GetHierarchy",
  [Ecma2Interface.GET_CAPABILITIES]: "IMAExtensible2GetCapabilities",
  [Ecma2Interface.GET_CAPABILITIES_EX]: "IMAExtensible2GetCapabilitiesEx",
  [Ecma2Interface.GET_PARAMETERS]: "IMAExtensible2GetParameters",
  [Ecma2Interface.GET_PARAMETERS_EX]: "IMAExtensible2GetParametersEx",
  [Ecma2Interface.PASSWORD]: "IMAExtensible2Password",
};

const METHODS: [Ecma2Interface, string[]][] = [
  [Ecma2Interface.CALL_IMPORT, ["openImportConnection", "getImportEntries", "closeImportConnection"]],
  [Ecma2Interface.CALL_EXPORT, ["openExportConnection", "putExportEntries", "closeExportConnection"]],
  [Ecma2Interface.FILE_IMPORT, ["writeImportFile"]],
  [Ecma2Interface.FILE_EXPORT, ["readExportFile"]],
  [Ecma2Interface.GET_SCHEMA, ["getSchema"]],
  [Ecma2Interface.GET_PARTITIONS, ["getPartitions"]],
  [Ecma2Interface.GET_HIERARCHY, ["getHierarchy"]],
  [Ecma2Interface.GET_CAPABILITIES, ["capabilities"]],
  [Ecma2Interface.GET_CAPABILITIES_EX, ["capabilitiesEx"]],
  [Ecma2Interface.GET_PARAMETERS, ["getConfigParameters", "validateConfigParameters"]],
  [Ecma2Interface.GET_PARAMETERS_EX, ["getConfigParametersEx", "validateConfigParametersEx"]],
  [Ecma2Interface.PASSWORD, ["openPasswordConnection", "getConnectionSecurityLevel", "setPassword", "changePassword", "closePasswordConnection"]],
];

/** The interfaces a connector object implements, found by its methods. */
export function interfacesOf(connector: Connector): Ecma2Interface[] {
  const has = (m: string): boolean => typeof (connector as Record<string, unknown>)[m] === "function";
  return METHODS.filter(([, methods]) => methods.every(has)).map(([i]) => i);
}

function checkSizes(sizes: PageSizeRange | undefined, what: string): PageSizeRange {
  if (sizes === undefined || !Number.isInteger(sizes.default) || !Number.isInteger(sizes.max) || sizes.default < 1 || sizes.max < sizes.default) {
    throw new TypeError(`${what} page sizes must be integers with 1 <= default <= max, got ${JSON.stringify(sizes)}`);
  }
  return sizes;
}

/** The size in force for a requested page or batch size. */
function sizeInForce(requested: number, sizes: PageSizeRange, what: string, property: string): number {
  if (requested < 0) throw new RpcError(status.INVALID_ARGUMENT, `${what} ${requested} is negative`);
  if (requested === 0) return sizes.default;
  if (requested > sizes.max) {
    throw new RpcError(status.INVALID_ARGUMENT, `${what} ${requested} is above ${property} ${sizes.max}`);
  }
  return requested;
}

/** Waits for a stream's "drain", or for the call to be cancelled; leaves no listener behind. */
function drained(stream: NodeJS.EventEmitter, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    stream.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

function abortError(): Error {
  const e = new Error("the call was cancelled");
  e.name = "AbortError";
  return e;
}

/** ecma2.v1.ConnectorService for grpc-js, from the generated descriptor (server and client). */
export function connectorServiceDefinition(): ServiceDefinition {
  const def: Record<string, unknown> = {};
  for (const m of Object.values(ConnectorService.method)) {
    const input = m.input;
    const output = m.output;
    def[m.localName] = {
      path: `/${ConnectorService.typeName}/${m.name}`,
      requestStream: m.methodKind === "client_streaming",
      responseStream: m.methodKind === "server_streaming",
      requestSerialize: (v: MessageShape<typeof input>) => Buffer.from(toBinary(input, v)),
      requestDeserialize: (b: Buffer) => fromBinary(input, b),
      // Import frames may come already encoded (Uint8Array): they are sent as they are.
      responseSerialize: (v: MessageShape<typeof output> | Uint8Array) =>
        v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.from(toBinary(output, v)),
      responseDeserialize: (b: Buffer) => fromBinary(output, b),
    };
  }
  return def as ServiceDefinition;
}

export interface ServiceOptions {
  factory: ConnectorFactory;
  name: string;
  version: string;
  log: Logger;
  /** When set, every call must carry it in `ecma2-launch-secret`. */
  launchSecret?: string;
  /** Called when a Shutdown RPC arrives, after its response is sent. */
  onShutdownRpc?: (reason: string) => void;
}

/** The ConnectorService implementation. */
export class Service {
  readonly interfaces: Ecma2Interface[];
  readonly importSizes?: PageSizeRange;
  readonly exportSizes?: PageSizeRange;
  private readonly sessions = new Map<string, Session>();
  private readonly inflight = new Set<AbortController>();
  private shuttingDown = false;
  private readonly secret?: Buffer;

  constructor(private readonly options: ServiceOptions) {
    const probe = options.factory();
    this.interfaces = interfacesOf(probe);
    if (this.interfaces.includes(Ecma2Interface.CALL_IMPORT)) this.importSizes = checkSizes(probe.importPageSizes, "import");
    if (this.interfaces.includes(Ecma2Interface.CALL_EXPORT)) this.exportSizes = checkSizes(probe.exportPageSizes, "export");
    if (options.launchSecret !== undefined) {
      this.secret = Buffer.from(options.launchSecret);
      new Secret(options.launchSecret); // scrubbed from logs
    }
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  // ---- plumbing ----

  private authorized(metadata: Metadata): boolean {
    if (this.secret === undefined) return true;
    const given = metadata.get(LAUNCH_SECRET_KEY)[0];
    if (typeof given !== "string") return false;
    const bytes = Buffer.from(given);
    return bytes.length === this.secret.length && timingSafeEqual(bytes, this.secret);
  }

  private context(signal: AbortSignal, sessionId: string, call: string): CallContext {
    const log = this.options.log.child(sessionId ? { session_id: sessionId, call } : { call });
    return {
      signal,
      sessionId,
      log,
      throwIfAborted: () => {
        if (signal.aborted) throw abortError();
      },
      sleep: (ms: number) =>
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) return reject(abortError());
          const timer = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          }, ms);
          const onAbort = (): void => {
            clearTimeout(timer);
            reject(abortError());
          };
          signal.addEventListener("abort", onAbort, { once: true });
        }),
    };
  }

  private require(iface: Ecma2Interface): void {
    if (!this.interfaces.includes(iface)) {
      throw new EntryPointNotImplementedException(`${INTERFACE_NAMES[iface]} is not implemented by connector ${this.options.name}`);
    }
  }

  private session(id: string, kind: Kind): Session {
    const s = this.sessions.get(id);
    if (s === undefined || s.kind !== kind) throw new RpcError(status.NOT_FOUND, `session ${id} not found`);
    return s;
  }

  /** Runs one call: secret check, an AbortController tied to the call, errors to status. */
  private async run<T>(
    call: { metadata: Metadata; on(event: "cancelled", listener: () => void): unknown },
    name: string,
    sessionId: string,
    body: (ctx: CallContext, controller: AbortController) => Promise<T>,
  ): Promise<{ ok: T } | { err: ReturnType<typeof toStatus> }> {
    const place = { connector: this.options.name, call: name };
    if (!this.authorized(call.metadata)) {
      return { err: toStatus(new RpcError(status.UNAUTHENTICATED, "missing or wrong ecma2-launch-secret"), place) };
    }
    const controller = new AbortController();
    call.on("cancelled", () => controller.abort());
    this.inflight.add(controller);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    session?.calls.add(controller);
    const ctx = this.context(controller.signal, sessionId, name);
    try {
      return { ok: await body(ctx, controller) };
    } catch (error) {
      const failedOpen = (error as { failedSessionId?: string }).failedSessionId;
      const cause = failedOpen === undefined ? error : (error as { cause: unknown }).cause;
      if (!(cause instanceof RpcError)) {
        ctx.log.warn("call failed", { error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) });
      }
      return { err: toStatus(cause, { ...place, ...(failedOpen === undefined ? {} : { sessionId: failedOpen }) }) };
    } finally {
      this.inflight.delete(controller);
      session?.calls.delete(controller);
    }
  }

  private unary<Req, Res extends DescMessage>(
    name: string,
    sessionOf: (req: Req) => string,
    schema: Res,
    body: (req: Req, ctx: CallContext) => Promise<MessageShape<Res>> | MessageShape<Res>,
  ) {
    return (call: ServerUnaryCall<Req, MessageShape<Res>>, callback: sendUnaryData<MessageShape<Res>>): void => {
      void this.run(call, name, sessionOf(call.request), async (ctx) => body(call.request, ctx)).then((r) => {
        if ("ok" in r) callback(null, r.ok);
        else callback(r.err);
      });
      void schema;
    };
  }

  private async openSession(kind: Kind, ctx: CallContext, open: (s: Session) => Promise<void>): Promise<Session> {
    if (this.shuttingDown) throw new RpcError(status.UNAVAILABLE, "the connector is shutting down");
    const id = crypto.randomUUID();
    const session: Session = {
      id,
      kind,
      connector: this.options.factory(),
      log: this.options.log.child({ session_id: id }),
      size: 0,
      calls: new Set(),
    };
    this.sessions.set(id, session);
    session.log.debug("session opened", { kind });
    try {
      await open(session);
    } catch (error) {
      if (error instanceof RpcError) {
        this.sessions.delete(id);
        throw error;
      }
      // ECMA2: the session stays until Close(OpenConnectionFailure); the fault names it.
      throw Object.assign(new Error("open failed", { cause: error }), { failedSessionId: id });
    }
    void ctx;
    return session;
  }

  private async closeSession(kind: Kind, id: string, reason: CloseReason, close: (s: Session) => Promise<unknown>): Promise<unknown> {
    const s = this.sessions.get(id);
    if (s === undefined || s.kind !== kind) return undefined; // Close is idempotent
    this.sessions.delete(id);
    for (const c of s.calls) c.abort();
    s.log.debug("session closed", { reason: CloseReason[reason] });
    return close(s);
  }

  /** Stops new sessions, cancels calls in flight and closes every session (TerminatedShuttingDown). */
  async shutdown(): Promise<number> {
    this.shuttingDown = true;
    for (const c of this.inflight) c.abort();
    const open = [...this.sessions.values()];
    let closed = 0;
    for (const s of open) {
      try {
        await this.closeOne(s, CloseReason.TERMINATED_SHUTTING_DOWN);
      } catch (error) {
        s.log.warn("close failed on shutdown", { error: error instanceof Error ? error.message : String(error) });
      }
      closed += 1;
    }
    return closed;
  }

  private async closeOne(s: Session, reason: CloseReason): Promise<void> {
    const ctx = this.context(AbortSignal.timeout(30_000), s.id, "close");
    if (s.kind === "import") {
      await this.closeSession("import", s.id, reason, async () =>
        s.connector.closeImportConnection?.(ctx, { $typeName: "ecma2.v1.CloseImportConnectionRunStep", customData: "", reason }),
      );
    } else if (s.kind === "export") {
      await this.closeSession("export", s.id, reason, async () =>
        s.connector.closeExportConnection?.(ctx, { $typeName: "ecma2.v1.CloseExportConnectionRunStep", reason }),
      );
    } else {
      await this.closeSession("password", s.id, reason, async () => s.connector.closePasswordConnection?.(ctx));
    }
  }

  // ---- the service ----

  implementation(): UntypedServiceImplementation {
    const none = (): string => "";
    const config = (r: { configParameters: ConstructorParameters<typeof ConfigParameters>[0] }): ConfigParameters =>
      new ConfigParameters(r.configParameters);
    const connector = (iface: Ecma2Interface): Connector => {
      this.require(iface);
      return this.options.factory();
    };
    return {
      handshake: this.unary("Handshake", none, HandshakeResponseSchema, (req: HandshakeRequest) => {
        const version = Math.max(...req.protocolVersions.filter((v) => PROTOCOL_VERSIONS.includes(v)), 0);
        if (version === 0) {
          throw new RpcError(
            status.FAILED_PRECONDITION,
            `no common protocol version: the caller speaks [${req.protocolVersions.join(", ")}], the connector [${PROTOCOL_VERSIONS.join(", ")}]`,
          );
        }
        const sizes = (s?: PageSizeRange) => (s ? { defaultPageSize: s.default, maxPageSize: s.max } : undefined);
        return create(HandshakeResponseSchema, {
          protocolVersion: version,
          connector: { name: this.options.name, version: this.options.version, sdkName: SDK_NAME, sdkVersion: SDK_VERSION, language: `typescript (node ${process.versions.node})` },
          interfaces: this.interfaces,
          importPageSizes: sizes(this.importSizes),
          exportPageSizes: sizes(this.exportSizes),
        });
      }),
      getCapabilities: this.unary("GetCapabilities", none, GetCapabilitiesResponseSchema, async (_req: unknown, ctx) =>
        create(GetCapabilitiesResponseSchema, { capabilities: await connector(Ecma2Interface.GET_CAPABILITIES).capabilities!(ctx) }),
      ),
      getCapabilitiesEx: this.unary("GetCapabilitiesEx", none, GetCapabilitiesExResponseSchema, async (req: GetCapabilitiesExRequest, ctx) =>
        create(GetCapabilitiesExResponseSchema, {
          capabilities: await connector(Ecma2Interface.GET_CAPABILITIES_EX).capabilitiesEx!(ctx, config(req)),
        }),
      ),
      getConfigParameters: this.unary("GetConfigParameters", none, GetConfigParametersResponseSchema, async (req: GetConfigParametersRequest, ctx) =>
        create(GetConfigParametersResponseSchema, {
          definitions: await connector(Ecma2Interface.GET_PARAMETERS).getConfigParameters!(ctx, config(req), req.page),
        }),
      ),
      validateConfigParameters: this.unary(
        "ValidateConfigParameters",
        none,
        ValidateConfigParametersResponseSchema,
        async (req: ValidateConfigParametersRequest, ctx) =>
          create(ValidateConfigParametersResponseSchema, {
            result: await connector(Ecma2Interface.GET_PARAMETERS).validateConfigParameters!(ctx, config(req), req.page),
          }),
      ),
      getConfigParametersEx: this.unary(
        "GetConfigParametersEx",
        none,
        GetConfigParametersExResponseSchema,
        async (req: GetConfigParametersExRequest, ctx) =>
          create(GetConfigParametersExResponseSchema, {
            definitions: await connector(Ecma2Interface.GET_PARAMETERS_EX).getConfigParametersEx!(ctx, config(req), req.page, req.pageNumber),
          }),
      ),
      validateConfigParametersEx: this.unary(
        "ValidateConfigParametersEx",
        none,
        ValidateConfigParametersExResponseSchema,
        async (req: ValidateConfigParametersExRequest, ctx) =>
          create(ValidateConfigParametersExResponseSchema, {
            result: await connector(Ecma2Interface.GET_PARAMETERS_EX).validateConfigParametersEx!(ctx, config(req), req.page, req.pageNumber),
          }),
      ),
      getSchema: this.unary("GetSchema", none, GetSchemaResponseSchema, async (req: GetSchemaRequest, ctx) =>
        create(GetSchemaResponseSchema, { schema: await connector(Ecma2Interface.GET_SCHEMA).getSchema!(ctx, config(req)) }),
      ),
      getPartitions: this.unary("GetPartitions", none, GetPartitionsResponseSchema, async (req: GetPartitionsRequest, ctx) =>
        create(GetPartitionsResponseSchema, { partitions: await connector(Ecma2Interface.GET_PARTITIONS).getPartitions!(ctx, config(req)) }),
      ),
      getHierarchy: this.unary("GetHierarchy", none, GetHierarchyResponseSchema, async (req: GetHierarchyRequest, ctx) =>
        create(GetHierarchyResponseSchema, { nodes: await connector(Ecma2Interface.GET_HIERARCHY).getHierarchy!(ctx, config(req), req.parent) }),
      ),
      writeImportFile: this.unary("WriteImportFile", none, WriteImportFileResponseSchema, async (req: WriteImportFileRequest, ctx) => {
        const c = connector(Ecma2Interface.FILE_IMPORT);
        const r = await c.writeImportFile!(ctx, config(req), req.types ?? create(SchemaSchema), req.importRunStep ?? create(WriteImportFileRunStepSchema));
        return create(WriteImportFileResponseSchema, { results: { customData: r?.customData ?? "" } });
      }),
      readExportFile: this.unary("ReadExportFile", none, ReadExportFileResponseSchema, async (req: ReadExportFileRequest, ctx) => {
        const c = connector(Ecma2Interface.FILE_EXPORT);
        await c.readExportFile!(ctx, config(req), req.types ?? create(SchemaSchema), req.exportRunStep ?? create(ReadExportFileRunStepSchema));
        return create(ReadExportFileResponseSchema);
      }),

      // -- call-based import --
      openImportConnection: this.unary("OpenImportConnection", none, OpenImportConnectionResponseSchema, async (req: OpenImportConnectionRequest, ctx) => {
        this.require(Ecma2Interface.CALL_IMPORT);
        const step = req.importRunStep ?? create(OpenImportConnectionRunStepSchema);
        const size = sizeInForce(step.pageSize, this.importSizes!, "page size", "ImportMaxPageSize");
        let customData = step.customData;
        const s = await this.openSession("import", ctx, async (s) => {
          s.size = size;
          const r = await s.connector.openImportConnection!(this.context(ctx.signal, s.id, "OpenImportConnection"), config(req), req.types ?? create(SchemaSchema), { ...step, pageSize: size });
          if (r && r.customData !== undefined) customData = r.customData;
        });
        return create(OpenImportConnectionResponseSchema, { sessionId: s.id, results: { customData }, pageSize: size });
      }),
      getImportEntries: (call: ServerWritableStream<GetImportEntriesRequest, Uint8Array>) => {
        void this.run(call, "GetImportEntries", call.request.sessionId, async (ctx, controller) => {
          const s = this.session(call.request.sessionId, "import");
          s.calls.add(controller);
          const step = call.request.importRunStep ?? create(GetImportEntriesRunStepSchema);
          const page = await s.connector.getImportEntries!(ctx, step);
          if (page.entries.length > s.size) {
            throw new ExtensibleExtensionException(
              `the connector returned a page of ${page.entries.length} entries, more than the page size ${s.size}; the page was not sent`,
            );
          }
          for (const entry of page.entries) {
            ctx.throwIfAborted();
            const encoded = toBinary(CSEntryChangeSchema, entry);
            const frames =
              encoded.length <= FRAGMENT_SIZE
                ? [encodedField(1, encoded)]
                : [...pieces(encoded)].map((p) => encodedField(2, toBinary(EntryFragmentSchema, create(EntryFragmentSchema, p))));
            for (const f of frames) {
              if (!call.write(f)) await drained(call, controller.signal);
            }
          }
          ctx.throwIfAborted();
          call.write(encodedField(3, toBinary(GetImportEntriesResultsSchema, create(GetImportEntriesResultsSchema, { customData: page.customData, moreToImport: page.moreToImport }))));
          ctx.log.debug("page sent", { entries: page.entries.length, more_to_import: page.moreToImport });
        }).then((r) => {
          if ("ok" in r) call.end();
          else call.emit("error", r.err);
        });
      },
      closeImportConnection: this.unary("CloseImportConnection", (r: CloseImportConnectionRequest) => r.sessionId, CloseImportConnectionResponseSchema, async (req: CloseImportConnectionRequest, ctx) => {
        const step = req.importRunStep ?? create(CloseImportConnectionRunStepSchema);
        const r = (await this.closeSession("import", req.sessionId, step.reason, async (s) => s.connector.closeImportConnection!(ctx, step))) as { customData?: string } | void;
        return create(CloseImportConnectionResponseSchema, { results: { customData: r?.customData ?? step.customData } });
      }),

      // -- call-based export --
      openExportConnection: this.unary("OpenExportConnection", none, OpenExportConnectionResponseSchema, async (req: OpenExportConnectionRequest, ctx) => {
        this.require(Ecma2Interface.CALL_EXPORT);
        const step = req.exportRunStep ?? create(OpenExportConnectionRunStepSchema);
        const size = sizeInForce(step.batchSize, this.exportSizes!, "batch size", "ExportMaxPageSize");
        const s = await this.openSession("export", ctx, async (s) => {
          s.size = size;
          await s.connector.openExportConnection!(this.context(ctx.signal, s.id, "OpenExportConnection"), config(req), req.types ?? create(SchemaSchema), { ...step, batchSize: size });
        });
        return create(OpenExportConnectionResponseSchema, { sessionId: s.id, batchSize: size });
      }),
      putExportEntries: (call: ServerReadableStream<PutExportEntriesRequest, unknown>, callback: sendUnaryData<unknown>) => {
        const entries: CSEntryChange[] = [];
        const reassembler = new Reassembler();
        let sessionId: string | undefined;
        let failure: unknown;
        call.on("data", (frame: PutExportEntriesRequest) => {
          if (failure !== undefined) return;
          try {
            if (sessionId === undefined) sessionId = frame.sessionId;
            if (frame.frame.case === "entry") {
              if (reassembler.pending) throw new RpcError(status.INVALID_ARGUMENT, "an entry arrived inside a fragmented entry");
              entries.push(frame.frame.value);
            } else if (frame.frame.case === "entryFragment") {
              const e = reassembler.push(frame.frame.value);
              if (e) entries.push(e);
            }
          } catch (error) {
            failure = error;
          }
        });
        call.on("end", () => {
          void this.run(call, "PutExportEntries", sessionId ?? "", async (ctx) => {
            if (failure !== undefined) throw failure;
            if (sessionId === undefined) throw new RpcError(status.INVALID_ARGUMENT, "empty PutExportEntries stream");
            if (reassembler.pending) throw new RpcError(status.INVALID_ARGUMENT, "the stream ended inside a fragmented entry");
            const s = this.session(sessionId, "export");
            if (entries.length > s.size) throw new RpcError(status.INVALID_ARGUMENT, `batch holds ${entries.length} entries, more than the batch size of ${s.size}`);
            const results = await s.connector.putExportEntries!(ctx, entries);
            ctx.log.debug("batch exported", { entries: entries.length, results: results.length });
            return create(PutExportEntriesResponseSchema, { results: create(PutExportEntriesResultsSchema, { csEntryChangeResults: results }) });
          }).then((r) => {
            if ("ok" in r) callback(null, r.ok);
            else callback(r.err);
          });
        });
      },
      closeExportConnection: this.unary("CloseExportConnection", (r: CloseExportConnectionRequest) => r.sessionId, CloseExportConnectionResponseSchema, async (req: CloseExportConnectionRequest, ctx) => {
        const step = req.exportRunStep ?? create(CloseExportConnectionRunStepSchema);
        await this.closeSession("export", req.sessionId, step.reason, async (s) => s.connector.closeExportConnection!(ctx, step));
        return create(CloseExportConnectionResponseSchema);
      }),

      // -- password --
      openPasswordConnection: this.unary("OpenPasswordConnection", none, OpenPasswordConnectionResponseSchema, async (req: OpenPasswordConnectionRequest, ctx) => {
        this.require(Ecma2Interface.PASSWORD);
        const s = await this.openSession("password", ctx, async (s) => {
          await s.connector.openPasswordConnection!(this.context(ctx.signal, s.id, "OpenPasswordConnection"), config(req), req.partition);
        });
        return create(OpenPasswordConnectionResponseSchema, { sessionId: s.id });
      }),
      getConnectionSecurityLevel: this.unary("GetConnectionSecurityLevel", (r: GetConnectionSecurityLevelRequest) => r.sessionId, GetConnectionSecurityLevelResponseSchema, async (req: GetConnectionSecurityLevelRequest, ctx) =>
        create(GetConnectionSecurityLevelResponseSchema, { level: await this.session(req.sessionId, "password").connector.getConnectionSecurityLevel!(ctx) }),
      ),
      setPassword: this.unary("SetPassword", (r: SetPasswordRequest) => r.sessionId, SetPasswordResponseSchema, async (req: SetPasswordRequest, ctx) => {
        const s = this.session(req.sessionId, "password");
        await s.connector.setPassword!(ctx, req.csentry ?? create(CSEntrySchema), new Secret(req.newPassword?.value ?? ""), req.options);
        return create(SetPasswordResponseSchema);
      }),
      changePassword: this.unary("ChangePassword", (r: ChangePasswordRequest) => r.sessionId, ChangePasswordResponseSchema, async (req: ChangePasswordRequest, ctx) => {
        const s = this.session(req.sessionId, "password");
        await s.connector.changePassword!(ctx, req.csentry ?? create(CSEntrySchema), new Secret(req.oldPassword?.value ?? ""), new Secret(req.newPassword?.value ?? ""));
        return create(ChangePasswordResponseSchema);
      }),
      closePasswordConnection: this.unary("ClosePasswordConnection", (r: ClosePasswordConnectionRequest) => r.sessionId, ClosePasswordConnectionResponseSchema, async (req: ClosePasswordConnectionRequest, ctx) => {
        await this.closeSession("password", req.sessionId, CloseReason.NORMAL, async (s) => s.connector.closePasswordConnection!(ctx));
        return create(ClosePasswordConnectionResponseSchema);
      }),

      shutdown: this.unary("Shutdown", none, ShutdownResponseSchema, async (req: ShutdownRequest) => {
        const closed = await this.shutdown();
        setImmediate(() => this.options.onShutdownRpc?.(req.reason));
        return create(ShutdownResponseSchema, { closedSessions: closed });
      }),
    };
  }
}
