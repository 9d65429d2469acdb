// The SCIM 2.0 client connector: schema by discovery, full import by startIndex/count, delta import
// by a meta.lastModified filter, export by POST / PATCH / PUT / DELETE with per-entry results.

import { create } from "@bufbuild/protobuf";
import {
  anchorValue,
  type CallContext,
  type CallExport,
  type CallImport,
  capabilities,
  type ConfigParameterDefinition,
  ConfigParameterPage,
  ConfigParameters,
  type CSEntryChange,
  type CSEntryChangeResult,
  Entry,
  FailedConnectionException,
  type GetCapabilitiesEx,
  type GetParameters,
  type GetSchema,
  type GetImportEntriesRunStep,
  type ImportPage,
  type Logger,
  type MACapabilities,
  MADistinguishedNameStyle,
  MAExportType,
  MAObjectConfirmation,
  ObjectModificationType,
  OperationType,
  type OpenImportConnectionRunStep,
  Param,
  type ParameterValidationResult,
  Result,
  type Schema,
  SchemaSchema,
  Validation,
} from "ecma2-sdk";

import { guard, resultOfFailure } from "./errors.js";
import { type Auth, ScimClient, ScimHttpError } from "./http.js";
import { entryOf, namingValue, patchOf, type Resolver, type Resource, resourceOf } from "./mapping.js";
import { dnOf, type ObjectClass, objectClasses, parseDn, schemaType, type ScimResourceType, type ScimSchemaDoc } from "./schema.js";

export const P = {
  baseUrl: "Base URL",
  auth: "Authentication",
  token: "Bearer token",
  user: "User name",
  password: "Password",
  timeout: "Request timeout (s)",
  retries: "Max retries",
  maxWait: "Max retry wait (s)",
  excluded: "Excluded attributes",
} as const;

/** Names from "Excluded attributes": comma-separated flat names, a trailing * matches a prefix. */
export function excludedMatcher(config: ConfigParameters): (name: string) => boolean {
  const patterns = config
    .value(P.excluded)
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== "");
  return (name) => {
    const n = name.toLowerCase();
    return patterns.some((p) => (p.endsWith("*") ? n.startsWith(p.slice(0, -1)) : n === p));
  };
}

interface ListResponse {
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: Resource[];
}

function positive(config: ConfigParameters, name: string, fallback: number): number {
  const raw = config.value(name).trim();
  if (raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new FailedConnectionException(`${name} must be a non-negative number, got ${raw}`);
  return n;
}

/** The HTTP client for a configuration; refuses what cannot work. */
export function clientOf(config: ConfigParameters, log: Logger): ScimClient {
  const baseUrl = config.value(P.baseUrl).trim();
  if (baseUrl === "") throw new FailedConnectionException(`${P.baseUrl} is empty`);
  const kind = config.value(P.auth, "bearer").trim().toLowerCase() || "bearer";
  let auth: Auth;
  if (kind === "none") auth = { kind: "none" };
  else if (kind === "basic") {
    const password = config.secret(P.password);
    if (password === undefined) throw new FailedConnectionException(`${P.password} is empty (basic authentication)`);
    auth = { kind: "basic", user: config.value(P.user), password };
  } else {
    const token = config.secret(P.token);
    if (token === undefined) throw new FailedConnectionException(`${P.token} is empty (bearer authentication)`);
    auth = { kind: "bearer", token };
  }
  return new ScimClient({
    baseUrl,
    auth,
    timeoutMs: positive(config, P.timeout, 30) * 1000,
    maxRetries: positive(config, P.retries, 5),
    backoffMs: 500,
    maxWaitMs: positive(config, P.maxWait, 60) * 1000,
    log,
  });
}

/** Reads /ResourceTypes and /Schemas. */
export async function discover(client: ScimClient, signal: AbortSignal, excluded: (name: string) => boolean = () => false): Promise<ObjectClass[]> {
  const types = await client.request<ListResponse>("GET", "/ResourceTypes", signal);
  const schemas = await client.request<ListResponse>("GET", "/Schemas", signal);
  const classes = objectClasses((types.body.Resources ?? []) as unknown as ScimResourceType[], (schemas.body.Resources ?? []) as unknown as ScimSchemaDoc[]);
  for (const c of classes) c.attributes = c.attributes.filter((a) => a.name === c.naming || !excluded(a.name));
  return classes;
}

/** A comparable form of a SCIM dateTime (UTC, microseconds). */
export function timeKey(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(ts);
  if (m) return `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}`;
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace("Z", "000000");
}

const quote = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** id <-> DN, cached for a session; asks the server for what it has not seen. */
class References implements Resolver {
  private readonly dnById = new Map<string, string>();
  private readonly idByDn = new Map<string, string>();

  constructor(
    private readonly client: ScimClient,
    private readonly classes: ObjectClass[],
    private readonly signal: () => AbortSignal,
  ) {}

  remember(c: ObjectClass, r: Resource): void {
    if (typeof r.id !== "string") return;
    const dn = dnOf(c, namingValue(c, r));
    this.dnById.set(r.id, dn);
    this.idByDn.set(dn.toLowerCase(), r.id);
  }

  rememberDn(dn: string, id: string): void {
    this.dnById.set(id, dn);
    this.idByDn.set(dn.toLowerCase(), id);
  }

  async dnOfId(id: string, type: string | undefined): Promise<string | undefined> {
    const known = this.dnById.get(id);
    if (known !== undefined) return known;
    const candidates = this.classes.filter((c) => type === undefined || c.name === type);
    for (const c of candidates) {
      try {
        const r = await this.client.request<Resource>("GET", `${c.endpoint}/${encodeURIComponent(id)}?attributes=${c.naming}`, this.signal());
        this.remember(c, r.body);
        return this.dnById.get(id);
      } catch (error) {
        if (!(error instanceof ScimHttpError && error.status === 404)) throw error;
      }
    }
    return undefined;
  }

  async idOfDn(dn: string): Promise<string | undefined> {
    const known = this.idByDn.get(dn.toLowerCase());
    if (known !== undefined) return known;
    const parsed = parseDn(dn);
    const c = this.classes.find((k) => parsed && k.container.toLowerCase() === parsed.container.toLowerCase() && k.naming.toLowerCase() === parsed.naming.toLowerCase());
    if (c === undefined || parsed === undefined) return undefined;
    const filter = encodeURIComponent(`${c.naming} eq ${quote(parsed.value)}`);
    const r = await this.client.request<ListResponse>("GET", `${c.endpoint}?filter=${filter}&attributes=id,${c.naming}`, this.signal());
    const hit = (r.body.Resources ?? [])[0];
    if (hit === undefined) return undefined;
    this.remember(c, hit);
    return hit.id;
  }
}

export class ScimConnector implements GetCapabilitiesEx, GetParameters, GetSchema, CallImport, CallExport {
  readonly importPageSizes = { default: 100, max: 1000 };
  readonly exportPageSizes = { default: 50, max: 500 };

  private client?: ScimClient;
  private classes: ObjectClass[] = [];
  private refs?: References;
  private signal: AbortSignal = new AbortController().signal;
  // import state
  private pageSize = 0;
  private delta = false;
  private since = "";
  private watermark = "";
  private classIndex = 0;
  private startIndex = 1;

  getConfigParameters(_ctx: CallContext, _config: ConfigParameters, page: ConfigParameterPage): ConfigParameterDefinition[] {
    if (page !== ConfigParameterPage.CONNECTIVITY) return [];
    return [
      Param.string(P.baseUrl, "", "^https?://"),
      Param.dropDown(P.auth, ["bearer", "basic", "none"], "bearer"),
      Param.encryptedString(P.token),
      Param.string(P.user),
      Param.encryptedString(P.password),
      Param.string(P.timeout, "30"),
      Param.string(P.retries, "5"),
      Param.string(P.maxWait, "60"),
      Param.string(P.excluded, ""),
    ];
  }

  validateConfigParameters(_ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage): ParameterValidationResult {
    if (page !== ConfigParameterPage.CONNECTIVITY) return Validation.success();
    const url = config.value(P.baseUrl).trim();
    if (!/^https?:\/\/[^/]+/.test(url)) return Validation.failure(P.baseUrl, `${P.baseUrl} must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
    const kind = config.value(P.auth, "bearer").trim().toLowerCase() || "bearer";
    if (!["bearer", "basic", "none"].includes(kind)) return Validation.failure(P.auth, `${P.auth} must be bearer, basic or none, got ${kind}`);
    if (kind === "bearer" && config.secret(P.token) === undefined) return Validation.failure(P.token, `${P.token} is required for bearer authentication`);
    if (kind === "basic" && (config.value(P.user) === "" || config.secret(P.password) === undefined)) {
      return Validation.failure(P.user, `${P.user} and ${P.password} are required for basic authentication`);
    }
    for (const n of [P.timeout, P.retries, P.maxWait]) {
      const v = config.value(n).trim();
      if (v !== "" && !(Number(v) >= 0)) return Validation.failure(n, `${n} must be a non-negative number, got ${v}`);
    }
    return Validation.success();
  }

  capabilitiesEx(ctx: CallContext, config: ConfigParameters): Promise<MACapabilities> {
    return guard(() => this.capabilitiesOf(ctx, config));
  }

  private async capabilitiesOf(ctx: CallContext, config: ConfigParameters): Promise<MACapabilities> {
    let filtering = true;
    if (config.value(P.baseUrl).trim() !== "") {
      const spc = await clientOf(config, ctx.log).request<{ filter?: { supported?: boolean } }>("GET", "/ServiceProviderConfig", ctx.signal);
      filtering = spc.body.filter?.supported === true;
    }
    return capabilities({
      distinguishedNameStyle: MADistinguishedNameStyle.MA_DISTINGUISHED_NAME_STYLE_GENERIC,
      // The DN is made from the naming attribute; a rename as ECMA2 sends it (the "DN" change)
      // is not mapped back to it, so the connector says it does not rename.
      objectRename: false,
      deltaImport: filtering,
      exportType: MAExportType.MA_EXPORT_TYPE_ATTRIBUTE_UPDATE,
      // A delta import finds changes by meta.lastModified; SCIM keeps no trace of a deleted resource.
      objectConfirmation: MAObjectConfirmation.MA_OBJECT_CONFIRMATION_NO_DELETE_CONFIRMATION,
      noReferenceValuesInFirstExport: true,
      supportPartitions: false,
      supportHierarchy: false,
      supportPassword: false,
    });
  }

  async getSchema(ctx: CallContext, config: ConfigParameters): Promise<Schema> {
    const classes = await guard(() => discover(clientOf(config, ctx.log), ctx.signal, excludedMatcher(config)));
    return create(SchemaSchema, { types: classes.map(schemaType) });
  }

  private async connect(ctx: CallContext, config: ConfigParameters): Promise<void> {
    this.client = clientOf(config, ctx.log);
    const client = this.client;
    this.classes = await guard(() => discover(client, ctx.signal, excludedMatcher(config)));
    this.refs = new References(this.client, this.classes, () => this.signal);
  }

  // ---- import ----

  async openImportConnection(ctx: CallContext, config: ConfigParameters, _schema: Schema, step: OpenImportConnectionRunStep) {
    this.signal = ctx.signal;
    await this.connect(ctx, config);
    this.pageSize = step.pageSize;
    this.delta = step.importType === OperationType.DELTA;
    this.since = this.delta ? step.customData : "";
    this.watermark = this.since;
    if (this.delta && this.since === "") ctx.log.warn("delta import without a watermark: every object comes back as Replace");
    return { customData: this.watermark };
  }

  private see(r: Resource): void {
    const ts = r.meta?.lastModified;
    if (typeof ts === "string" && timeKey(ts) > timeKey(this.watermark || "0000-01-01T00:00:00Z")) this.watermark = ts;
  }

  getImportEntries(ctx: CallContext, step: GetImportEntriesRunStep): Promise<ImportPage> {
    this.signal = ctx.signal;
    return guard(() => this.nextPage(ctx, step));
  }

  private async nextPage(ctx: CallContext, step: GetImportEntriesRunStep): Promise<ImportPage> {
    if (step.fullObjectEntries.length > 0) return this.fullObjects(step.fullObjectEntries);
    const entries: CSEntryChange[] = [];
    while (this.classIndex < this.classes.length && entries.length === 0) {
      const c = this.classes[this.classIndex]!;
      let query = `startIndex=${this.startIndex}&count=${this.pageSize}`;
      if (this.delta && this.since !== "") query += `&filter=${encodeURIComponent(`meta.lastModified gt ${quote(this.since)}`)}`;
      const page = await this.client!.request<ListResponse>("GET", `${c.endpoint}?${query}`, ctx.signal);
      const resources = (page.body.Resources ?? []).slice(0, this.pageSize);
      for (const r of resources) this.refs!.remember(c, r);
      for (const r of resources) {
        this.see(r);
        entries.push(await entryOf(c, r, this.delta ? "replace" : "add", this.refs!));
      }
      const total = page.body.totalResults ?? 0;
      this.startIndex += resources.length;
      if (resources.length === 0 || this.startIndex > total) {
        this.classIndex += 1;
        this.startIndex = 1;
      }
    }
    ctx.log.debug("scim page", { entries: entries.length });
    return { entries, customData: this.watermark, moreToImport: this.classIndex < this.classes.length };
  }

  private async fullObjects(wanted: CSEntryChange[]): Promise<ImportPage> {
    const entries: CSEntryChange[] = [];
    for (const w of wanted) {
      const c = this.classes.find((k) => k.name === w.objectType);
      const id = anchorValue(w, "id") ?? (await this.refs!.idOfDn(w.dn));
      if (c === undefined || id === undefined) continue;
      try {
        const r = await this.client!.request<Resource>("GET", `${c.endpoint}/${encodeURIComponent(String(id))}`, this.signal);
        entries.push(await entryOf(c, r.body, "replace", this.refs!));
      } catch (error) {
        if (!(error instanceof ScimHttpError && error.status === 404)) throw error;
        entries.push(Entry.delete(c.name, w.dn, { id: String(id) }));
      }
    }
    return { entries, customData: this.watermark, moreToImport: false };
  }

  closeImportConnection() {
    return { customData: this.watermark };
  }

  // ---- export ----

  async openExportConnection(ctx: CallContext, config: ConfigParameters): Promise<void> {
    this.signal = ctx.signal;
    await this.connect(ctx, config);
  }

  async putExportEntries(ctx: CallContext, entries: CSEntryChange[]): Promise<CSEntryChangeResult[]> {
    this.signal = ctx.signal;
    const results: CSEntryChangeResult[] = [];
    for (const e of entries) {
      ctx.throwIfAborted();
      try {
        results.push(await this.exportOne(e));
      } catch (error) {
        results.push(resultOfFailure(e, error));
      }
    }
    return results;
  }

  private classOf(e: CSEntryChange): ObjectClass {
    const c = this.classes.find((k) => k.name.toLowerCase() === e.objectType.toLowerCase());
    if (c === undefined) throw new ScimHttpError(400, "invalidValue", `no SCIM resource type ${e.objectType}`, "EXPORT", e.dn);
    return c;
  }

  private async idOf(e: CSEntryChange): Promise<string> {
    const id = anchorValue(e, "id") ?? (await this.refs!.idOfDn(e.dn));
    if (id === undefined) throw new ScimHttpError(404, "", `${e.dn} is not on the SCIM server`, "EXPORT", e.dn);
    return String(id);
  }

  private async exportOne(e: CSEntryChange): Promise<CSEntryChangeResult> {
    const c = this.classOf(e);
    const client = this.client!;
    switch (e.objectModificationType) {
      case ObjectModificationType.ADD: {
        const body = await resourceOf(c, e, this.refs!);
        const r = await client.request<Resource>("POST", c.endpoint, this.signal, body);
        const id = String(r.body.id);
        this.refs!.rememberDn(e.dn, id);
        return Result.success(e, { id });
      }
      case ObjectModificationType.REPLACE: {
        const id = await this.idOf(e);
        const body = { ...(await resourceOf(c, e, this.refs!)), id };
        await client.request("PUT", `${c.endpoint}/${encodeURIComponent(id)}`, this.signal, body);
        return Result.success(e);
      }
      case ObjectModificationType.UPDATE: {
        const id = await this.idOf(e);
        const url = `${c.endpoint}/${encodeURIComponent(id)}`;
        // The current resource decides between replacing a typed item and adding it; its ETag
        // guards the PATCH (If-Match). A changed resource (412) is read again once.
        for (let attempt = 0; ; attempt++) {
          const current = await client.request<Resource>("GET", url, this.signal);
          const ops = await patchOf(c, e, current.body, this.refs!);
          if (ops.length === 0) return Result.success(e);
          const headers: Record<string, string> = current.etag ? { "if-match": current.etag } : {};
          try {
            await client.request("PATCH", url, this.signal, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: ops }, headers);
            return Result.success(e);
          } catch (error) {
            if (error instanceof ScimHttpError && error.status === 412 && attempt === 0) continue;
            throw error;
          }
        }
      }
      case ObjectModificationType.DELETE: {
        const id = await this.idOf(e);
        await client.request("DELETE", `${c.endpoint}/${encodeURIComponent(id)}`, this.signal);
        return Result.success(e);
      }
      default:
        throw new ScimHttpError(400, "invalidSyntax", `unsupported change type ${ObjectModificationType[e.objectModificationType]}`, "EXPORT", e.dn);
    }
  }

  closeExportConnection(): void {}
}
