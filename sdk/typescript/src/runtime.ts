// serve(): the connector process lifecycle of docs/runtime.md. Reads the launch environment, listens
// (Unix socket, TCP, or TCP with mutual TLS in remote mode, plus an optional plain health port),
// prints the one ready line on stdout, watches the host process, and shuts down on SIGTERM,
// SIGINT, the Shutdown RPC or the host's disappearance: no new sessions, calls in flight
// cancelled, every session closed with TerminatedShuttingDown, exit 0. A bad variable exits 64.

import { lstatSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { isAbsolute } from "node:path";

import { Server, ServerCredentials } from "@grpc/grpc-js";

import { configureLogging, type Level, Logger } from "./logging.js";
import type { ConnectorFactory } from "./interfaces.js";
import { healthDefinition, Health } from "./health.js";
import { MAX_MESSAGE_BYTES } from "./framing.js";
import { connectorServiceDefinition, PROTOCOL_VERSIONS, Service } from "./service.js";

export interface ServeOptions {
  /** The connector's name (HandshakeResponse.connector.name, the log target). */
  name: string;
  version: string;
  /** Makes a fresh connector object for each session and each sessionless call. */
  create: ConnectorFactory;
  /** The environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A bad launch environment: exit status 64 with this message. */
export class ConfigError extends Error {}

export interface Address {
  kind: "unix" | "tcp";
  /** unix: the path; tcp: the host. */
  host: string;
  port: number;
}

/** Parses `unix:/abs/path` or `tcp:HOST:PORT` (HOST may be `[v6]`). */
export function parseAddress(text: string, variable: string): Address {
  if (text.startsWith("unix:")) {
    const path = text.slice(5);
    if (!isAbsolute(path)) throw new ConfigError(`${variable}=${text}: a unix: address needs an absolute path`);
    return { kind: "unix", host: path, port: 0 };
  }
  const m = /^tcp:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (m === null || Number(m[2]) > 65535) {
    throw new ConfigError(`${variable}=${text}: expected unix:/absolute/path or tcp:HOST:PORT`);
  }
  return { kind: "tcp", host: m[1]!, port: Number(m[2]) };
}

function formatAddress(a: Address, port: number): string {
  return a.kind === "unix" ? `unix:${a.host}` : `tcp:${a.host}:${port}`;
}

function grpcTarget(a: Address): string {
  return a.kind === "unix" ? `unix:${a.host}` : `${a.host}:${a.port}`;
}

function bind(server: Server, a: Address, credentials: ServerCredentials): Promise<number> {
  if (a.kind === "unix") {
    try {
      if (lstatSync(a.host).isSocket()) unlinkSync(a.host); // a stale socket of an earlier run
    } catch {
      // absent: nothing to remove
    }
  }
  return new Promise((resolve, reject) => {
    server.bindAsync(grpcTarget(a), credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

interface Tls {
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer;
}

function readTls(env: NodeJS.ProcessEnv): Tls | undefined {
  const cert = env.ECMA2_TLS_CERT;
  const key = env.ECMA2_TLS_KEY;
  const ca = env.ECMA2_TLS_CLIENT_CA;
  if (!cert && !key && !ca) return undefined;
  if (!cert || !key) throw new ConfigError("ECMA2_TLS_CERT and ECMA2_TLS_KEY go together");
  if (!ca) throw new ConfigError("ECMA2_TLS_CLIENT_CA is required with TLS: there is no unauthenticated remote mode");
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`${variable}=${path}: ${(error as Error).message}`);
    }
  };
  return { cert: read("ECMA2_TLS_CERT", cert), key: read("ECMA2_TLS_KEY", key), clientCa: read("ECMA2_TLS_CLIENT_CA", ca) };
}

const LEVELS: Level[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

/** Runs the connector until the host stops it. Never returns normally: the process exits. */
export async function serve(options: ServeOptions): Promise<void> {
  const env = options.env ?? process.env;
  try {
    await run(options, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${options.name}: ${error.message}\n`);
      process.exit(64);
    }
    throw error;
  }
}

async function run(options: ServeOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const listen = parseAddress(env.ECMA2_LISTEN || "tcp:127.0.0.1:0", "ECMA2_LISTEN");
  const tls = readTls(env);
  if (tls && listen.kind !== "tcp") throw new ConfigError("ECMA2_LISTEN must be a tcp: address with TLS");
  const healthListen = env.ECMA2_HEALTH_LISTEN ? parseAddress(env.ECMA2_HEALTH_LISTEN, "ECMA2_HEALTH_LISTEN") : undefined;
  const launchSecret = tls ? undefined : env.ECMA2_LAUNCH_SECRET || undefined;
  const format = env.ECMA2_LOG_FORMAT || (launchSecret ? "json" : "text");
  if (format !== "json" && format !== "text") throw new ConfigError(`ECMA2_LOG_FORMAT=${format}: expected json or text`);
  const level = (env.ECMA2_LOG_LEVEL || "INFO").toUpperCase() as Level;
  if (!LEVELS.includes(level)) throw new ConfigError(`ECMA2_LOG_LEVEL=${env.ECMA2_LOG_LEVEL}: expected one of ${LEVELS.join(", ")}`);
  const hostPid = tls ? undefined : env.ECMA2_HOST_PID ? Number(env.ECMA2_HOST_PID) : undefined;
  if (hostPid !== undefined && !(Number.isInteger(hostPid) && hostPid > 0)) {
    throw new ConfigError(`ECMA2_HOST_PID=${env.ECMA2_HOST_PID}: expected a process id`);
  }
  const connectorName = env.ECMA2_CONNECTOR_NAME || options.name;
  configureLogging(format, level);
  const log = new Logger(options.name, { connector: connectorName });

  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => (stopping ??= shutdown(why));
  const service = new Service({
    factory: options.create,
    name: connectorName,
    version: options.version,
    log,
    ...(launchSecret === undefined ? {} : { launchSecret }),
    onShutdownRpc: (reason) => void stop(`shutdown rpc${reason ? `: ${reason}` : ""}`),
  });
  const health = new Health(["", "ecma2.v1.ConnectorService"]);
  const serverOptions = {
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  };
  const server = new Server(serverOptions);
  server.addService(connectorServiceDefinition(), service.implementation());
  server.addService(healthDefinition, health.implementation());
  const credentials = tls
    ? ServerCredentials.createSsl(tls.clientCa, [{ cert_chain: tls.cert, private_key: tls.key }], true)
    : ServerCredentials.createInsecure();
  const port = await bind(server, listen, credentials);
  let healthServer: Server | undefined;
  let healthAddress: string | undefined;
  if (healthListen) {
    healthServer = new Server(serverOptions);
    healthServer.addService(healthDefinition, health.implementation());
    healthAddress = formatAddress(healthListen, await bind(healthServer, healthListen, ServerCredentials.createInsecure()));
  }

  const address = formatAddress(listen, port);
  const ready: Record<string, unknown> = { ecma2: "ready", protocol: PROTOCOL_VERSIONS[0], address, pid: process.pid };
  if (healthAddress) ready.health_address = healthAddress;
  writeSync(1, JSON.stringify(ready) + "\n");
  // Nothing else goes to stdout: a stray console.log lands on stderr.
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  log.info("listening", { address, interfaces: service.interfaces.length, tls: tls !== undefined });

  async function shutdown(why: string): Promise<void> {
    log.info("shutting down", { reason: why });
    health.setNotServing();
    const closed = await service.shutdown();
    log.info("sessions closed", { closed });
    const servers = [server, ...(healthServer ? [healthServer] : [])];
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            const force = setTimeout(() => {
              s.forceShutdown();
              resolve();
            }, 2000);
            s.tryShutdown(() => {
              clearTimeout(force);
              resolve();
            });
          }),
      ),
    );
    process.exit(0);
  }

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  if (hostPid !== undefined) {
    const parent = process.ppid;
    const timer = setInterval(() => {
      let alive = true;
      try {
        process.kill(hostPid, 0);
      } catch (error) {
        alive = (error as NodeJS.ErrnoException).code === "EPERM";
      }
      if (!alive || (process.platform === "linux" && process.ppid !== parent)) {
        clearInterval(timer);
        void stop("the host is gone");
      }
    }, 250);
  }
  // Keep the connector going whatever one call does: other sessions go on.
  process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { error: String(reason) }));
  process.on("uncaughtException", (error) => log.error("uncaught exception", { error: `${error.name}: ${error.message}` }));
}
