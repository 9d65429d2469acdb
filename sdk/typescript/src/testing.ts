// Test harness: starts a connector exactly as the host does (Unix socket in a temp dir, launch
// secret, this process as the host), reads its ready line with a deadline, and drives calls and
// whole runs over the real gRPC protocol, reassembling fragments. Import as "ecma2-sdk/testing".

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type ChannelCredentials, credentials as grpcCredentials, type Client, makeGenericClientConstructor, Metadata, type ServiceError } from "@grpc/grpc-js";

import { Reassembler, MAX_MESSAGE_BYTES, pieces, FRAGMENT_SIZE } from "./framing.js";
import { type CSEntryChange, CSEntryChangeSchema, type CSEntryChangeResult } from "./gen/ecma2/v1/change_pb.js";
import { type ConfigParameter, ConfigParameterSchema } from "./gen/ecma2/v1/config_pb.js";
import { CloseReason, OperationType, type GetImportEntriesResponse } from "./gen/ecma2/v1/import_pb.js";
import { type Schema } from "./gen/ecma2/v1/schema_pb.js";
import { connectorServiceDefinition, LAUNCH_SECRET_KEY } from "./service.js";
import { healthDefinition } from "./health.js";
import { toBinary } from "@bufbuild/protobuf";

export interface StartOptions {
  command: string;
  args?: string[];
  name?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Default: a Unix socket in a temp dir. */
  listen?: string;
  /** Default: a random secret; null for none (remote mode). */
  launchSecret?: string | null;
  /** Client credentials (remote mode); default insecure. */
  credentials?: ChannelCredentials;
  /** Milliseconds to wait for the ready line. */
  readyTimeoutMs?: number;
}

type Unary = (req: unknown, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => unknown;

/** Waits until `check` returns true, polling every 20 ms, or fails after `ms`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Configuration parameters from a plain record; names in `secret` travel encrypted. */
export function params(values: Record<string, string>, secret: string[] = []): ConfigParameter[] {
  return Object.entries(values).map(([name, value]) =>
    secret.includes(name)
      ? create(ConfigParameterSchema, { name, isEncrypted: true, secureValue: { value } })
      : create(ConfigParameterSchema, { name, value }),
  );
}

export class ConnectorProcess {
  exitCode: number | null = null;
  readonly client: Client & Record<string, Unary>;
  readonly health: Client & Record<string, Unary>;

  private constructor(
    readonly child: ChildProcess,
    /** Every line the connector wrote to stderr. */
    readonly stderr: string[],
    readonly ready: Record<string, unknown>,
    private readonly secret: string | undefined,
    private readonly dir: string,
    creds: ChannelCredentials,
    target: string,
  ) {
    const options = { "grpc.max_receive_message_length": MAX_MESSAGE_BYTES, "grpc.max_send_message_length": MAX_MESSAGE_BYTES };
    const Ctor = makeGenericClientConstructor(connectorServiceDefinition(), "ConnectorService");
    this.client = new Ctor(target, creds, options) as unknown as Client & Record<string, Unary>;
    const Health = makeGenericClientConstructor(healthDefinition, "Health");
    this.health = new Health(target, creds, options) as unknown as Client & Record<string, Unary>;
  }

  static async start(o: StartOptions): Promise<ConnectorProcess> {
    const dir = mkdtempSync(join(tmpdir(), "ecma2-ts-test-"));
    const secret = o.launchSecret === null ? undefined : (o.launchSecret ?? randomBytes(16).toString("hex"));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ECMA2_LISTEN: o.listen ?? `unix:${join(dir, "c.sock")}`,
      ECMA2_HOST_PID: String(process.pid),
      ECMA2_CONNECTOR_NAME: o.name ?? "subject",
      ...(secret === undefined ? {} : { ECMA2_LAUNCH_SECRET: secret }),
      ...o.env,
    };
    const child = spawn(o.command, o.args ?? [], { env, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    createInterface({ input: child.stderr! }).on("line", (l) => stderr.push(l));
    const stdout = createInterface({ input: child.stdout! });
    const lines: string[] = [];
    stdout.on("line", (l) => lines.push(l));
    let exited: number | null = null;
    child.on("exit", (code) => (exited = code ?? -1));
    await waitUntil(() => lines.length > 0 || exited !== null, o.readyTimeoutMs ?? 20_000, "the ready line");
    if (lines.length === 0) throw new Error(`the connector exited (${exited}) before its ready line:\n${stderr.join("\n")}`);
    const ready = JSON.parse(lines[0]!) as Record<string, unknown>;
    const address = String(ready.address);
    const target = address.startsWith("unix:") ? address : address.replace(/^tcp:/, "");
    const p = new ConnectorProcess(child, stderr, ready, secret, dir, o.credentials ?? grpcCredentials.createInsecure(), target);
    child.on("exit", (code) => (p.exitCode = code ?? -1));
    if (exited !== null) p.exitCode = exited;
    p.stdoutLines = lines;
    return p;
  }

  /** Every line the connector wrote to stdout (only the ready line, if it behaves). */
  stdoutLines: string[] = [];

  metadata(secret = this.secret): Metadata {
    const md = new Metadata();
    if (secret !== undefined) md.set(LAUNCH_SECRET_KEY, secret);
    return md;
  }

  /** A unary call by method name (`openImportConnection`). */
  call<T = unknown>(method: string, request: unknown, md = this.metadata()): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method]!.call(this.client, request, md, (err, res) => (err ? reject(err) : resolve(res as T)));
    });
  }

  /** GetImportEntries: the frames of one page, fragments reassembled. */
  page(sessionId: string, customData = "", signal?: AbortSignal): Promise<{ entries: CSEntryChange[]; results: { customData: string; moreToImport: boolean }; frames: number }> {
    return new Promise((resolve, reject) => {
      const stream = (this.client as unknown as Record<string, (r: unknown, m: Metadata) => NodeJS.EventEmitter & { cancel(): void }>).getImportEntries!.call(
        this.client,
        { $typeName: "ecma2.v1.GetImportEntriesRequest", sessionId, importRunStep: { $typeName: "ecma2.v1.GetImportEntriesRunStep", customData, fullObjectEntries: [] } },
        this.metadata(),
      );
      signal?.addEventListener("abort", () => stream.cancel(), { once: true });
      const entries: CSEntryChange[] = [];
      const reassembler = new Reassembler();
      let results: { customData: string; moreToImport: boolean } | undefined;
      let frames = 0;
      stream.on("data", (f: GetImportEntriesResponse) => {
        frames += 1;
        if (f.frame.case === "entry") entries.push(f.frame.value);
        else if (f.frame.case === "entryFragment") {
          const e = reassembler.push(f.frame.value);
          if (e) entries.push(e);
        } else if (f.frame.case === "results") results = f.frame.value;
      });
      stream.on("error", reject);
      stream.on("end", () => (results ? resolve({ entries, results, frames }) : reject(new Error("the page ended without a results frame"))));
    });
  }

  /** A whole import run: open, pages until MoreToImport is false, close. */
  async importRun(o: { config: ConfigParameter[]; pageSize?: number; delta?: boolean; watermark?: string; schema?: Schema; maxPages?: number }) {
    const open = await this.call<{ sessionId: string; pageSize: number }>("openImportConnection", {
      $typeName: "ecma2.v1.OpenImportConnectionRequest",
      configParameters: o.config,
      types: o.schema,
      importRunStep: { $typeName: "ecma2.v1.OpenImportConnectionRunStep", customData: o.watermark ?? "", pageSize: o.pageSize ?? 0, importType: o.delta ? OperationType.DELTA : OperationType.FULL, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
    });
    const entries: CSEntryChange[] = [];
    const pages: number[] = [];
    let watermark = o.watermark ?? "";
    for (let i = 0; i < (o.maxPages ?? 100_000); i++) {
      const p = await this.page(open.sessionId, watermark);
      entries.push(...p.entries);
      pages.push(p.entries.length);
      watermark = p.results.customData;
      if (!p.results.moreToImport) break;
    }
    const closed = await this.call<{ results?: { customData: string } }>("closeImportConnection", {
      $typeName: "ecma2.v1.CloseImportConnectionRequest",
      sessionId: open.sessionId,
      importRunStep: { $typeName: "ecma2.v1.CloseImportConnectionRunStep", customData: watermark, reason: CloseReason.NORMAL },
    });
    return { entries, pages, pageSize: open.pageSize, watermark: closed.results?.customData ?? watermark };
  }

  /** One export batch in its own session; entries over 1 MiB travel as fragments. */
  async exportRun(o: { config: ConfigParameter[]; entries: CSEntryChange[]; batchSize?: number; schema?: Schema }): Promise<CSEntryChangeResult[]> {
    const open = await this.call<{ sessionId: string }>("openExportConnection", {
      $typeName: "ecma2.v1.OpenExportConnectionRequest",
      configParameters: o.config,
      types: o.schema,
      exportRunStep: { $typeName: "ecma2.v1.OpenExportConnectionRunStep", exportType: OperationType.FULL, batchSize: o.batchSize ?? 0, inclusionHierarchyNodes: [], exclusionHierarchyNodes: [] },
    });
    try {
      return await this.putBatch(open.sessionId, o.entries);
    } finally {
      await this.call("closeExportConnection", {
        $typeName: "ecma2.v1.CloseExportConnectionRequest",
        sessionId: open.sessionId,
        exportRunStep: { $typeName: "ecma2.v1.CloseExportConnectionRunStep", reason: CloseReason.NORMAL },
      });
    }
  }

  putBatch(sessionId: string, entries: CSEntryChange[]): Promise<CSEntryChangeResult[]> {
    return new Promise((resolve, reject) => {
      const stream = (this.client as unknown as Record<string, (m: Metadata, cb: (e: ServiceError | null, r: { results?: { csEntryChangeResults: CSEntryChangeResult[] } }) => void) => NodeJS.WritableStream & { write(v: unknown): boolean }>).putExportEntries!.call(
        this.client,
        this.metadata(),
        (err, res) => (err ? reject(err) : resolve(res.results?.csEntryChangeResults ?? [])),
      );
      const frame = (f: unknown) => ({ $typeName: "ecma2.v1.PutExportEntriesRequest", sessionId, frame: f });
      if (entries.length === 0) stream.write(frame({ case: undefined }));
      for (const e of entries) {
        const bytes = toBinary(CSEntryChangeSchema, e);
        if (bytes.length <= FRAGMENT_SIZE) stream.write(frame({ case: "entry", value: e }));
        else for (const p of pieces(bytes)) stream.write(frame({ case: "entryFragment", value: { $typeName: "ecma2.v1.EntryFragment", ...p } }));
      }
      stream.end();
    });
  }

  /** The JSON log records on stderr. */
  logRecords(): Record<string, unknown>[] {
    return this.stderr.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits for the process to exit; returns its status. */
  async waitExit(ms = 15_000): Promise<number> {
    await waitUntil(() => this.exitCode !== null, ms, "the connector to exit");
    return this.exitCode!;
  }

  private stopped = false;

  /**
   * SIGTERM (unless the process has exited already), then waits for the exit status; closes the
   * clients and removes the process's temp dir. Call it for every started process, also one that
   * exited on its own, or its temp dir stays behind. Calling it again only returns the status.
   */
  async stop(): Promise<number> {
    if (this.exitCode === null) this.child.kill("SIGTERM");
    const code = await this.waitExit();
    if (!this.stopped) {
      this.stopped = true;
      this.client.close();
      this.health.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
    return code;
  }
}

export type { MessageInitShape };
