// The real SCIM server for the tests: scim2-server (PyPI, pinned in scim-server-requirements.txt,
// installed into .venv by scripts/check.sh), started on 127.0.0.1 port 0. It prints the port it was
// asked for, not the one it got, so the port is read from /proc: the listening TCP socket whose
// inode is one of the process's file descriptors. Also: a rate-limiting reverse proxy (the real
// server cannot be made to answer 429; the proxy is not a SCIM implementation, every other request
// goes to the real server), and seeding through the server's own /Bulk endpoint.

import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TOKEN = "test-token-5f2c9e";
const connectorDir = fileURLToPath(new URL("../../../", import.meta.url));

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The TCP port a process listens on, from /proc. */
function listeningPort(pid: number): number | undefined {
  let inodes: Set<string>;
  try {
    inodes = new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          } catch {
            return undefined;
          }
        })
        .filter((x): x is string => x !== undefined),
    );
  } catch {
    return undefined;
  }
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === "0A" && inodes.has(f[9]!)) return parseInt(f[1]!.split(":")[1]!, 16);
    }
  }
  return undefined;
}

export interface ScimServer {
  /** http://127.0.0.1:PORT/v2 */
  url: string;
  child: ChildProcess;
  log: string[];
  stop(): Promise<void>;
}

/** Starts scim2-server with a bearer token. */
export async function startScimServer(): Promise<ScimServer> {
  const bin = process.env.SCIM2_SERVER_BIN ?? join(connectorDir, ".venv/bin/scim2-server");
  const child = spawn(bin, ["--hostname", "127.0.0.1", "--port", "0", "--bearer-token", TOKEN], { stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stdout!.on("data", (d: Buffer) => log.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    if (log.length < 200) log.push(d.toString());
  });
  let exited = false;
  child.on("exit", () => (exited = true));
  // Never leave the server behind, however the test process ends.
  process.on("exit", () => {
    if (!exited) child.kill("SIGKILL");
  });
  const port = await until(() => {
    if (exited) throw new Error(`scim2-server (${bin}) exited: ${log.join("")}\nrun connectors/scim-ts/scripts/check.sh to install it`);
    return listeningPort(child.pid!);
  }, 20_000, "scim2-server to listen");
  const url = `http://127.0.0.1:${port}/v2`;
  await until(async () => {
    try {
      const r = await fetch(`${url}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return r.ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, 20_000, "scim2-server to answer");
  return {
    url,
    child,
    log,
    stop: async () => {
      if (exited) return;
      child.kill("SIGTERM");
      await until(() => (exited ? true : undefined), 10_000, "scim2-server to stop");
    },
  };
}

/** A direct SCIM request to the server (test setup and checks, not the connector). */
export async function scim<T = Record<string, unknown>>(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Creates `users` users and `groups` groups of `perGroup` members each, through /Bulk. */
export async function seed(url: string, users: number, groups: number, perGroup: number): Promise<{ userIds: string[]; groupIds: string[] }> {
  const bulk = async (ops: unknown[]): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < ops.length; i += 500) {
      const r = await scim<{ Operations: { status: string; location: string }[] }>(url, "POST", "/Bulk", {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        Operations: ops.slice(i, i + 500),
      });
      if (r.status !== 200) throw new Error(`bulk failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      for (const op of r.body.Operations) {
        if (op.status !== "201") throw new Error(`bulk operation failed: ${JSON.stringify(op)}`);
        ids.push(op.location.split("/").pop()!);
      }
    }
    return ids;
  };
  const userIds = await bulk(
    Array.from({ length: users }, (_, i) => ({
      method: "POST",
      path: "/Users",
      bulkId: `u${i}`,
      data: {
        schemas: [USER, ENTERPRISE],
        userName: `user${String(i).padStart(5, "0")}`,
        displayName: `User ${i}`,
        name: { givenName: `Given${i}`, familyName: `Family${i}` },
        emails: [{ type: "work", value: `user${i}@example.com` }],
        active: i % 10 !== 0,
        [ENTERPRISE]: { department: ["Sales", "Engineering", "Finance"][i % 3], employeeNumber: String(1000 + i) },
      },
    })),
  );
  const groupIds = await bulk(
    Array.from({ length: groups }, (_, g) => ({
      method: "POST",
      path: "/Groups",
      bulkId: `g${g}`,
      data: {
        schemas: [GROUP],
        displayName: `Group ${String(g).padStart(3, "0")}`,
        members: Array.from({ length: Math.min(perGroup, users) }, (_, k) => ({ value: userIds[(g * 7 + k) % users], type: "User" })),
      },
    })),
  );
  return { userIds, groupIds };
}

export interface Proxy {
  url: string;
  /** 429s answered so far. */
  rejected: number;
  /** Requests forwarded to the real server. */
  forwarded: number;
  /** Authorization headers seen. */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of the real server that answers the first `reject` requests matching
 * `when` with `status` (429 by default) and Retry-After `retryAfter`, and forwards everything else.
 * `hang` makes it never answer (for timeouts).
 */
export async function rateLimitProxy(
  target: string,
  o: { reject: number; status?: number; retryAfter?: string; when?: (req: IncomingMessage) => boolean; hang?: boolean },
): Promise<Proxy> {
  const t = new URL(target);
  const proxy: Proxy = { url: "", rejected: 0, forwarded: 0, authorizations: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    proxy.authorizations.push(String(req.headers.authorization ?? ""));
    if (o.hang) return; // never answers
    if (proxy.rejected < o.reject && (o.when?.(req) ?? true)) {
      proxy.rejected += 1;
      req.resume();
      const headers: Record<string, string> = { "content-type": "application/scim+json" };
      if (o.retryAfter !== undefined) headers["retry-after"] = o.retryAfter;
      res.writeHead(o.status ?? 429, headers);
      res.end(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(o.status ?? 429), detail: "slow down" }));
      return;
    }
    proxy.forwarded += 1;
    const path = t.pathname.replace(/\/$/, "") + (req.url ?? "").replace(/^\/v2/, "");
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path, headers: { ...req.headers, host: t.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  proxy.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy;
}
